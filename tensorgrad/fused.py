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
    `targets` are integer labels (n,) or one-hot rows (n, classes), a constant. With
    `mean=True` the op returns the mean over samples, L = (1/n) sum L_i, whose gradient is
    (softmax - onehot) / n: one node where a separate mean would add two.
    """

    @staticmethod
    def forward(ctx, logits, targets, mean=False):
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(exp(shifted).sum(axis=1, keepdims=True))
        probs = exp(log_probs)
        if targets.ndim == 1:
            true_log_probs = log_probs[np.arange(len(targets)), targets]
        else:
            true_log_probs = (log_probs * targets).sum(axis=1)
        ctx.save_for_backward(logits, probs)
        ctx.targets, ctx.mean = targets, mean
        losses = np.clip(-true_log_probs, -np.log1p(-EPSILON), -np.log(EPSILON)).astype(logits.dtype, copy=False)
        return np.asarray(losses.mean()) if mean else losses

    @staticmethod
    def backward(ctx, grad):
        logits, probs = ctx.saved_tensors
        if isinstance(logits, Tensor):  # recorded backward: softmax as a differentiable expression
            probs = logits.softmax(axis=1)
        targets = ctx.targets
        if targets.ndim == 1:
            one_hot = np.zeros(probs.shape, dtype=logits.dtype)
            one_hot[np.arange(len(targets)), targets] = 1
        else:
            one_hot = targets
        per_sample = grad * (1.0 / len(one_hot)) if ctx.mean else grad.reshape(-1, 1)
        return (per_sample * (probs - one_hot), None)


FUSED: tuple[type[Function], ...] = (Linear, Relu, SoftmaxCrossEntropy)
"""Every fused primitive, each tested against its composed definition."""
