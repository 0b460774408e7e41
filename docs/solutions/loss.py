"""Solutions to the exercises of docs/loss.md."""
import numpy as np

import nn
import tensorgrad as tg


def exercise_1():
    """Categorical cross-entropy by hand, with integer labels and with one-hot rows."""
    predictions = np.array([[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]])
    labels = np.array([0, 1, 1])
    by_hand = -np.mean(np.log(predictions[np.arange(3), labels]))
    loss = nn.CategoricalCrossEntropy()
    assert np.isclose(loss(tg.Tensor(predictions), labels).item(), by_hand)
    assert np.isclose(loss(tg.Tensor(predictions), np.eye(3)[labels]).item(), by_hand)
    return round(by_hand, 4)    # 0.3851: the book prints 0.38506...


def exercise_2():
    """A confident wrong answer: p = 0 for the true class is clipped to 1e-7, loss -log(1e-7)."""
    loss = nn.CategoricalCrossEntropy()(tg.Tensor([[1.0, 0.0, 0.0]]), np.array([1])).item()
    assert np.isclose(loss, -np.log(1e-7), rtol=1e-5)
    return round(loss, 3)       # 16.118, finite instead of inf


def exercise_3():
    """Accuracy is the fraction of rows whose argmax is the label."""
    predictions = np.array([[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]])
    labels = np.array([0, 1, 1])
    accuracy = nn.CategoricalAccuracy().calculate(np.argmax(predictions, axis=1), labels)
    assert np.isclose(accuracy, 2 / 3)
    return accuracy


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(exercise.__name__, exercise())
