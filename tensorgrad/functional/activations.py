"""Activations composed from primitives: their gradients come from the chain rule alone."""
from __future__ import annotations

import numpy as np

from .. import ops
from ..tensor import Tensor, _normalize_axis, as_tensor
from .core import where


def relu(x: Tensor) -> Tensor:
    """max(x, 0): the derivative is 1 for x > 0 and 0 otherwise (0 at x = 0, as in the book,
    since Maximum gives a tie to its second input).

    Written with maximum rather than where(x > 0, x, 0): NumPy's maximum is branch-free,
    and selecting by a mask of random signs costs ~10x more (benchmarks/NOTES.md).
    """
    return ops.Maximum.apply(x, as_tensor(0, x))


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), computed so that exp never overflows.

    With e = exp(-|x|) (always <= 1): sigmoid = 1/(1+e) for x >= 0 and e/(1+e) for x < 0.
    -|x| is written as a `where`, so the derivative at x = 0 is the true one, 1/4.
    """
    non_negative = x.data >= 0
    e = where(non_negative, -x, x).exp()
    denominator = 1 + e
    return where(non_negative, 1 / denominator, e / denominator)


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = 2 * sigmoid(2x) - 1, stable for the same reason as sigmoid."""
    return 2 * sigmoid(2 * x) - 1


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """e^x / sum(e^x), after subtracting the max (a constant) so exp never overflows.

    Softmax does not change when a constant is subtracted, so the shift needs no gradient.
    """
    shifted = x - np.max(x.data, axis=axis, keepdims=True)
    e = shifted.exp()
    return e / e.sum(axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - log(sum(e^x)): the log of softmax without forming it, finite even for inputs of
    +-1e4. Its gradient, through LogSumExp's rule, is grad - softmax(x) * sum(grad)."""
    x = as_tensor(x)
    return x - ops.LogSumExp.apply(x, axis=_one_axis(axis, x.ndim), keepdims=True)


def _one_axis(axis: int, ndim: int) -> tuple[int]:
    (normalized,) = _normalize_axis(axis, ndim)
    return (normalized,)
