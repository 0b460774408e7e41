"""Fused primitives: one op where the composed version is slower or less stable.

Each sits beside its composed definition in `functional.py`, and tests check that both
give the same values and gradients.
"""
from __future__ import annotations

import numpy as np

from .autograd import Function
from .ops import exp
from .tensor import Tensor

EPSILON = 1e-7  # the book's clip of probabilities, kept so values match the composed loss


class Linear(Function):
    """z = x @ W + b (x: (n, in), W: (in, out), b: (out,) or (1, out));
    dL/dx = grad @ W^T,  dL/dW = x^T @ grad,  dL/db = sum of grad over the rows

    The dense layer's affine map as one node: the bias is added in place into the matmul's
    fresh result (no second (n, out) array), and backward sums the bias gradient directly.
    """

    @staticmethod
    def forward(ctx, x, weights, biases):
        if x.ndim != 2 or weights.ndim != 2 or biases.shape not in ((weights.shape[1],), (1, weights.shape[1])):
            raise ValueError("expected x (n, in), weights (in, out) and biases (out,) or (1, out)")
        ctx.save_for_backward(x, weights)
        out = x @ weights
        if out.dtype == np.result_type(out, biases):
            out += biases
        else:  # a float64 bias promotes a float32 product, as x @ W + b would
            out = out + biases
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weights = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (grad @ weights.T if needs[0] else None,
                x.T @ grad if needs[1] else None,
                grad.sum(axis=0, keepdims=True) if needs[2] else None)


class Relu(Function):
    """z = max(a, 0);  dz/da = 1 where a > 0, else 0 (0 at a = 0, as in the book)

    The composed definition, where(a > 0, a, 0), makes a mask and then selects; NumPy's
    maximum does it in one pass, and relu runs on every hidden layer of every step.
    """

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        positive = (out._data if isinstance(out, Tensor) else out) > 0  # a constant mask
        return (grad * positive,)


class SoftmaxCrossEntropy(Function):
    """L_i = -log softmax(z_i)[y_i];  dL_i/dz_i = softmax(z_i) - onehot(y_i)

    The book's combined "softmax activation + categorical cross-entropy" class: the
    gradient needs no Jacobian and no division by a tiny probability, so it is exact and
    cheap, and it keeps pushing a sample whose true-class probability fell below 1e-7
    (where the composed, clipped loss has a zero gradient). The loss value is clipped like
    the book's, so both paths report the same numbers.
    `targets` are integer labels (n,) or one-hot rows (n, classes): a parameter, not an
    input, since no gradient flows to them. With `mean=True` the op returns the mean over
    samples, L = (1/n) sum L_i, whose gradient is (softmax - onehot) / n: one node where a
    separate mean would add two.
    """

    @staticmethod
    def forward(ctx, logits, targets, mean=False):
        probs = exp(logits - logits.max(axis=1, keepdims=True))  # shifted: e^z cannot overflow
        probs /= probs.sum(axis=1, keepdims=True)
        if targets.ndim == 1:
            rows = np.arange(len(targets))
            confidences = probs[rows, targets]
        else:
            rows, confidences = None, (probs * targets).sum(axis=1)
        ctx.save_for_backward(logits, probs)
        ctx.targets, ctx.rows, ctx.mean = targets, rows, mean
        np.maximum(confidences, EPSILON, out=confidences)  # np.clip, without its Python wrapper
        log_confidences = np.log(np.minimum(confidences, 1 - EPSILON, out=confidences), out=confidences)
        if mean:
            return np.asarray(-log_confidences.sum() / len(log_confidences), dtype=logits.dtype)
        return np.negative(log_confidences, out=log_confidences)

    @staticmethod
    def backward(ctx, grad):
        logits, probs = ctx.saved_tensors
        scale = grad * (1.0 / len(ctx.targets)) if ctx.mean else grad.reshape(-1, 1)
        if isinstance(logits, Tensor):  # recorded backward: softmax as a differentiable expression
            return (scale * (logits.softmax(axis=1) - _one_hot(ctx.targets, probs)),)
        result = probs * scale  # softmax - onehot, times the upstream gradient, in two passes
        if ctx.rows is None:
            result -= ctx.targets * scale
        else:
            result[ctx.rows, ctx.targets] -= scale if ctx.mean else scale[:, 0]
        return (result,)


def _one_hot(targets: np.ndarray, like: np.ndarray) -> np.ndarray:
    """One-hot rows of `like`'s shape and dtype from labels (n,); one-hot rows pass through."""
    if targets.ndim != 1:
        return targets
    one_hot = np.zeros(like.shape, dtype=like.dtype)
    one_hot[np.arange(len(targets)), targets] = 1
    return one_hot


FUSED: tuple[type[Function], ...] = (Linear, Relu, SoftmaxCrossEntropy)
"""Every fused primitive, each tested against its composed definition."""
