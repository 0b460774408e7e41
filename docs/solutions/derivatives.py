"""Solutions to the exercises of docs/derivatives.md."""
import numpy as np

import tensorgrad as tg


def f(x):
    return 2 * x ** 2


def exercise_1():
    """Forward differences err by O(h), central differences by O(h^2): for 2x^2 at x = 1
    the forward error is exactly 2h and the central error is 0 up to rounding."""
    x, exact = 1.0, 4.0
    errors = {}
    for h in (1e-1, 1e-2, 1e-3):
        forward = (f(x + h) - f(x)) / h
        central = (f(x + h) - f(x - h)) / (2 * h)
        errors[h] = (forward - exact, central - exact)
        assert np.isclose(forward - exact, 2 * h) and abs(central - exact) < 1e-9
    return errors


def exercise_2():
    """The tangent line of f(x) = x^3 at x = 2 from autograd's slope: y = 12 (t - 2) + 8."""
    x = tg.Tensor(2.0, requires_grad=True, dtype=np.float64)
    y = x ** 3
    y.backward()
    slope, intercept = x.grad, y.item() - x.grad * 2.0
    assert np.isclose(slope, 12.0) and np.isclose(intercept, -16.0)
    t = np.linspace(1.9, 2.1, 5)
    assert np.max(np.abs(t ** 3 - (slope * t + intercept))) < 0.07   # close near the touching point
    return float(slope), float(intercept)


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
