"""Solutions to the exercises of docs/introduction.md."""
import numpy as np

import nn


def exercise_1():
    """(784 * 128 + 128) + (128 * 10 + 10) = 101,770 parameters."""
    network = nn.Sequential(nn.Dense(784, 128), nn.ReLU(), nn.Dense(128, 10))
    count = sum(p.size for p in network.parameters())
    assert count == 784 * 128 + 128 + 128 * 10 + 10 == 101_770
    return count


def exercise_2():
    """Weights of 0.01 * randn give logits near 0, so softmax gives about 1/3 everywhere and
    the loss is about -log(1/3) = ln 3 = 1.0986."""
    X, y = nn.spiral_data(samples=100, classes=3, seed=0)
    network = nn.Sequential(nn.Dense(2, 64, seed=0), nn.ReLU(), nn.Dense(64, 3, seed=1), nn.Softmax())
    probabilities = network(X).data
    assert np.abs(probabilities - 1 / 3).max() < 1e-3
    loss = nn.CategoricalCrossEntropy()(probabilities, y).item()
    assert abs(loss - np.log(3)) < 1e-3
    return loss


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
