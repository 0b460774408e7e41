"""Solutions to the exercises of docs/optimizers.md."""
import math

import numpy as np

import nn
import tensorgrad as tg


def exercise_1():
    """The book's SGD with momentum by hand, m = momentum * m - lr * g; w += m, against nn.SGD
    on f(w) = sum(w^2 * [1, 10]) (a long narrow valley, where momentum helps)."""
    scale = np.array([1.0, 10.0])
    w = tg.Tensor([2.0, 1.0], requires_grad=True, dtype=np.float64)
    sgd = nn.SGD([w], learning_rate=0.02, momentum=0.9)
    by_hand, m = np.array([2.0, 1.0]), np.zeros(2)
    for _ in range(50):
        sgd.zero_grad()
        (w * w * scale).sum().backward()
        sgd.step()
        m = 0.9 * m - 0.02 * (2 * scale * by_hand)
        by_hand = by_hand + m
    assert np.allclose(w.data, by_hand, rtol=0, atol=1e-12)
    return w.data


def exercise_2():
    """Momentum against plain SGD from the same start, same learning rate, 50 steps."""
    scale = np.array([1.0, 10.0])
    final = {}
    for momentum in (0.0, 0.9):
        w = tg.Tensor([2.0, 1.0], requires_grad=True, dtype=np.float64)
        sgd = nn.SGD([w], learning_rate=0.01, momentum=momentum)
        for _ in range(50):
            sgd.zero_grad()
            loss = (w * w * scale).sum()
            loss.backward()
            sgd.step()
        final[momentum] = (w * w * scale).sum().item()
    assert final[0.9] < final[0.0] / 10
    return final


def exercise_3():
    """Adam's bias correction with numbers: after one step with gradient g, m = 0.1 g and
    v = 0.001 g^2, but m_hat = g and v_hat = g^2, so the first step is lr * sign(g)."""
    g = np.array([0.5, -2.0])
    w = tg.Tensor([0.0, 0.0], requires_grad=True, dtype=np.float64)
    adam = nn.Adam([w], learning_rate=0.01)
    w.grad = g.copy()
    adam.step()
    m, v = adam.buffers["momentums"][0], adam.buffers["cache"][0]
    assert np.allclose(m, 0.1 * g) and np.allclose(v, 0.001 * g ** 2)
    m_hat, v_hat = m / (1 - 0.9 ** 1), v / (1 - 0.999 ** 1)
    assert np.allclose(m_hat, g) and np.allclose(v_hat, g ** 2)
    assert np.allclose(w.data, -0.01 * np.sign(g), atol=1e-8)
    without_correction = 0.01 * m / (np.sqrt(v) + 1e-7)          # 0.1 / sqrt(0.001) = 3.16 times larger
    assert np.allclose(np.abs(without_correction), 0.01 * 0.1 / math.sqrt(0.001), rtol=1e-5)
    return w.data, without_correction


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(exercise.__name__, exercise())
