"""Solutions to the exercises of docs/binary-logistic-regression.md."""
import numpy as np

import nn
import tensorgrad as tg


def exercise_1():
    """Binary cross-entropy's gradient by hand: -(y / p - (1 - y) / (1 - p)) / outputs / samples."""
    p = np.array([[0.9, 0.2], [0.4, 0.7]])
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    predictions = tg.Tensor(p, requires_grad=True)
    nn.BinaryCrossEntropy()(predictions, targets).backward()
    by_hand = -(targets / p - (1 - targets) / (1 - p)) / 2 / 2
    assert np.allclose(predictions.grad, by_hand)
    return predictions.grad


def exercise_2():
    """Sigmoid then BCE gives the logits the gradient (sigmoid - y) / outputs / samples."""
    logits = tg.Tensor([[2.0, -1.0], [0.5, 0.0]], requires_grad=True, dtype=np.float64)
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    nn.BinaryCrossEntropy()(nn.Sigmoid()(logits), targets).backward()
    s = 1 / (1 + np.exp(-logits.data))
    assert np.allclose(logits.grad, (s - targets) / 4)
    return logits.grad


def exercise_3():
    """Predictions: 1 where the probability exceeds 0.5; accuracy compares them with y."""
    probabilities = np.array([[0.9], [0.4], [0.51], [0.5]])
    predictions = nn.Sigmoid().predictions(probabilities)
    assert predictions.ravel().tolist() == [1, 0, 1, 0]
    return predictions.ravel()


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(exercise.__name__, exercise())
