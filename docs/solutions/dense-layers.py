"""Solutions to the exercises of docs/dense-layers.md."""
import numpy as np

import nn
import tensorgrad as tg


def exercise_1():
    """Dense's forward is inputs @ weights + biases, weights of shape (n_inputs, n_neurons)."""
    layer = nn.Dense(4, 5, seed=0)
    X = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    assert layer.weights.shape == (4, 5) and layer.biases.shape == (1, 5)
    assert np.allclose(layer(X).data, X @ layer.weights.data + layer.biases.data)
    return layer(X).shape


def exercise_2():
    """d sum(output) / d weights = X^T @ ones, and d/d biases = the number of rows."""
    layer = nn.Dense(4, 5, dtype=np.float64, seed=0)
    X = np.random.default_rng(1).standard_normal((3, 4))
    layer(tg.Tensor(X)).sum().backward()
    assert np.allclose(layer.weights.grad, X.T @ np.ones((3, 5)))
    assert np.allclose(layer.biases.grad, np.full((1, 5), 3.0))
    return layer.weights.grad.shape


def exercise_3():
    """The three initialisations' spreads: 0.01, sqrt(2 / n_inputs), sqrt(2 / (n_in + n_out))."""
    spreads = {init: nn.Dense(1000, 100, init=init, seed=0).weights.data.std() for init in nn.layers.INITS}
    assert np.isclose(spreads["book"], 0.01, rtol=0.02)
    assert np.isclose(spreads["he"], np.sqrt(2 / 1000), rtol=0.02)
    assert np.isclose(spreads["glorot"], np.sqrt(2 / 1100), rtol=0.02)   # U(-a, a) has std a / sqrt(3)
    return spreads


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(exercise.__name__, exercise())
