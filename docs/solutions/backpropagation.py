"""Solutions to the exercises of docs/backpropagation.md."""
import numpy as np

import nn
import tensorgrad as tg


def exercise_1():
    """The book's single neuron, ReLU(x . w + b) with x = [1, -2, 3], w = [-3, -1, 2], b = 1,
    backpropagated by hand with dvalue 1, against the engine."""
    x, w, b = np.array([1.0, -2.0, 3.0]), np.array([-3.0, -1.0, 2.0]), 1.0
    z = x @ w + b                       # 6.0
    drelu = 1.0 if z > 0 else 0.0       # d relu / dz
    dw, dx, db = drelu * x, drelu * w, drelu
    wt = tg.Tensor(w, requires_grad=True)
    xt = tg.Tensor(x, requires_grad=True)
    bt = tg.Tensor(b, requires_grad=True, dtype=np.float64)
    (xt @ wt + bt).relu().backward()
    assert np.allclose(wt.grad, dw) and np.allclose(xt.grad, dx) and bt.grad == db
    return dw, dx, db


def exercise_2():
    """The full manual backward of Dense -> ReLU -> Dense -> softmax -> CCE on spiral data,
    every formula typed in, against the engine's gradients."""
    X, y = nn.spiral_data(samples=20, classes=3, seed=0)
    X = X.astype(np.float64)
    dense1, dense2 = nn.Dense(2, 8, dtype=np.float64, seed=0), nn.Dense(8, 3, dtype=np.float64, seed=1)
    W1, b1, W2, b2 = (p.data for p in (dense1.weights, dense1.biases, dense2.weights, dense2.biases))
    # forward, by hand
    z1 = X @ W1 + b1
    a1 = np.maximum(0, z1)
    z2 = a1 @ W2 + b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    # backward, by hand: softmax + CCE shortcut, then each layer
    n = len(X)
    dz2 = (p - np.eye(3)[y]) / n
    dW2, db2, da1 = a1.T @ dz2, dz2.sum(axis=0, keepdims=True), dz2 @ W2.T
    dz1 = da1 * (z1 > 0)
    dW1, db1 = X.T @ dz1, dz1.sum(axis=0, keepdims=True)
    # the engine
    model = nn.Sequential(dense1, nn.ReLU(), dense2, nn.Softmax())
    nn.CategoricalCrossEntropy()(model(X), y).backward()
    for by_hand, parameter in zip((dW1, db1, dW2, db2), model.parameters()):
        assert np.allclose(parameter.grad, by_hand, rtol=0, atol=1e-12)
    return max(np.abs(parameter.grad).max() for parameter in model.parameters())


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
