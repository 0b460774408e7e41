"""Solutions to the exercises of docs/regularization.md."""
import numpy as np

import nn


def exercise_1():
    """The L2 penalty's gradient is 2 * lambda * w, and L1's is lambda * sign(w)."""
    layer = nn.Dense(3, 2, weight_regularizer_l1=1e-3, weight_regularizer_l2=5e-4, dtype=np.float64, seed=0)
    nn.CategoricalCrossEntropy().regularization_loss(layer).backward()
    expected = 2 * 5e-4 * layer.weights.data + 1e-3 * np.sign(layer.weights.data)
    assert np.allclose(layer.weights.grad, expected)
    return layer.weights.grad


def exercise_2():
    """A larger L2 factor ends with smaller weights (same data, same start, same steps)."""
    X, y = nn.spiral_data(samples=50, classes=3, seed=0)
    norms = {}
    for l2 in (0.0, 1e-2):
        model = nn.Model(seed=0)
        model.add(nn.Dense(2, 32, weight_regularizer_l2=l2, seed=0))
        model.add(nn.ReLU())
        model.add(nn.Dense(32, 3, seed=1))
        model.add(nn.Softmax())
        model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.02),
                  accuracy=nn.CategoricalAccuracy())
        model.finalize()
        model.train(X, y, epochs=200, verbose=False)
        norms[l2] = float(np.linalg.norm(model.layers[0].weights.data))
    assert norms[1e-2] < 0.8 * norms[0.0]
    return norms


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
