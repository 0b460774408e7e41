"""Solutions to the exercises of docs/regression.md."""
import numpy as np

import nn
import tensorgrad as tg


def exercise_1():
    """MAE's gradient is -sign(y - y_hat) / outputs / samples: the engine keeps the minus
    sign that the book's printed code drops."""
    predictions = tg.Tensor([[0.5], [2.0], [-1.0]], requires_grad=True, dtype=np.float64)
    targets = np.array([[1.0], [1.0], [0.0]])
    nn.MeanAbsoluteError()(predictions, targets).backward()
    assert np.allclose(predictions.grad, -np.sign(targets - predictions.data) / 3)
    return predictions.grad.ravel()


def exercise_2():
    """RegressionAccuracy's precision is std(y) / 250; a prediction counts within it."""
    _, y = nn.sine_data(samples=1000)
    accuracy = nn.RegressionAccuracy()
    accuracy.init(y)
    assert np.isclose(accuracy.precision, np.std(y) / 250)
    near = y + 0.5 * accuracy.precision
    far = y + 2.0 * accuracy.precision
    assert accuracy.calculate(near, y) == 1.0 and accuracy.calculate(far, y) == 0.0
    return accuracy.precision


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
