"""Solutions to the exercises of docs/activations.md."""
import numpy as np

import tensorgrad as tg
from tensorgrad.autograd import Function, call
from tensorgrad.ops import Exp
from tensorgrad.testing import check_op


class Softplus(Function):
    """z = log(1 + e^x);  dz/dx = 1 / (1 + e^-x), the sigmoid"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)      # log(1 + e^x) without overflow

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors          # an ndarray, or a Tensor under create_graph=True
        return (grad / (1 + call(Exp, -x)),)


def exercise_1():
    """Your own Function for softplus, checked by tensorgrad.testing.check_op."""
    report = check_op(Softplus.apply, lambda x: np.logaddexp(0.0, x), name="softplus")
    print(report)
    report.raise_if_failed()
    return bool(report)


def exercise_2():
    """Softmax does not change when a constant is subtracted from a row (why max is subtracted)."""
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    probabilities = tg.Tensor(logits).softmax().data
    assert np.allclose(probabilities[0], probabilities[1])
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    return probabilities[0]


def exercise_3():
    """Leaky ReLU composed from primitives with tg.where: no backward to write."""
    def leaky_relu(x):
        return tg.where(x.data > 0, x, 0.1 * x)

    report = check_op(leaky_relu, lambda x: np.where(x > 0, x, 0.1 * x), max_examples=15)
    report.raise_if_failed()
    return bool(report)


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2, exercise_3):
        print(exercise.__name__, exercise())
