"""Solutions to the exercises of docs/gradients.md."""
import numpy as np

import tensorgrad as tg


def exercise_1():
    """The chain rule for f(x) = exp(tanh(x^2)), link by link:
    f' = exp(tanh(x^2)) * (1 - tanh(x^2)^2) * 2x; against autograd and a central difference."""
    x0 = 0.7
    u = x0 ** 2                  # inner
    v = np.tanh(u)               # middle
    by_hand = np.exp(v) * (1 - v ** 2) * (2 * x0)   # outer' * middle' * inner'
    x = tg.Tensor(x0, requires_grad=True, dtype=np.float64)
    (x ** 2).tanh().exp().backward()
    h = 1e-6
    numeric = (np.exp(np.tanh((x0 + h) ** 2)) - np.exp(np.tanh((x0 - h) ** 2))) / (2 * h)
    assert np.isclose(x.grad, by_hand, rtol=1e-12) and np.isclose(numeric, by_hand, rtol=1e-8)
    return float(by_hand)


def exercise_2():
    """Partial derivatives of f(x, y) = x*y + x^2 at (3, -2): df/dx = y + 2x = 4, df/dy = x = 3."""
    x = tg.Tensor(3.0, requires_grad=True, dtype=np.float64)
    y = tg.Tensor(-2.0, requires_grad=True, dtype=np.float64)
    dx, dy = tg.grad(x * y + x ** 2, [x, y])
    assert dx.item() == 4.0 and dy.item() == 3.0
    return dx.item(), dy.item()


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
