"""Solutions to the exercises of docs/convolution.md."""
import numpy as np

import tensorgrad as tg
from tensorgrad import functional as F


def exercise_1():
    """out = (size + 2 * padding - kernel) // stride + 1 on each side: (9 + 2 - 3) // 2 + 1 = 5
    rows and (7 + 2 - 2) // 2 + 1 = 4 columns, one map per output channel."""
    x = tg.Tensor(np.zeros((2, 3, 9, 7), dtype=np.float32))
    weight = tg.Tensor(np.zeros((4, 3, 3, 2), dtype=np.float32))
    shape = F.conv2d(x, weight, stride=2, padding=1).shape
    assert shape == (2, 4, 5, 4)
    return shape


def exercise_2():
    """A 1x1 convolution is a dense layer applied at every pixel: dL/dW[f, c] sums
    G[n, f, i, j] * X[n, c, i, j] over the samples and positions."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3, 4, 5))
    weight = tg.Tensor(rng.standard_normal((6, 3, 1, 1)), requires_grad=True)
    G = rng.standard_normal((2, 6, 4, 5))
    F.conv2d(tg.Tensor(X), weight).backward(G)
    expected = np.einsum("nfij,ncij->fc", G, X).reshape(6, 3, 1, 1)
    assert np.allclose(weight.grad, expected)
    return float(np.abs(weight.grad - expected).max())


def exercise_3():
    """Max-pooling routes each window's gradient to its maximum; the other inputs get 0."""
    x = tg.Tensor(np.random.default_rng(1).permutation(32).reshape(1, 2, 4, 4).astype(np.float64),
                  requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    windows = x.grad.reshape(1, 2, 2, 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(1, 2, 2, 2, 4)
    assert np.array_equal(windows.sum(axis=-1), np.ones((1, 2, 2, 2)))
    values = x.data.reshape(1, 2, 2, 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(1, 2, 2, 2, 4)
    assert np.array_equal(windows.argmax(axis=-1), values.argmax(axis=-1))
    return int(x.grad.sum())


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(exercise.__name__, exercise())
