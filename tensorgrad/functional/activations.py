"""Activations composed from primitives: their gradients come from the chain rule alone.

A branch that would overflow or divide by zero where it is not selected is fed a harmless
value through a second `where` (the "double where"): a where's gradient is zero for the
branch it drops, but 0 * inf would still be NaN.
"""
from __future__ import annotations

import math

import numpy as np

from .. import ops
from ..tensor import Tensor, operands, reduction_axes
from .core import floating, where


def relu(x: Tensor) -> Tensor:
    """max(x, 0): the derivative is 1 for x > 0 and 0 otherwise (0 at x = 0, as in the book,
    since Maximum gives a tie to its second input).

    Written with maximum rather than where(x > 0, x, 0): NumPy's maximum is branch-free,
    and selecting by a mask of random signs costs ~10x more (benchmarks/NOTES.md).
    """
    return ops.Maximum.apply(*operands(x, 0))


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), computed so that exp never overflows.

    With e = exp(-|x|) (always <= 1): sigmoid = 1/(1+e) for x >= 0 and e/(1+e) for x < 0.
    -|x| is written as a `where`, so the derivative at x = 0 is the true one, 1/4.
    """
    x = floating(x)
    non_negative = x.data >= 0
    e = where(non_negative, -x, x).exp()
    denominator = 1 + e
    return where(non_negative, 1 / denominator, e / denominator)


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = (1 - e^-2|x|) / (1 + e^-2|x|) with the sign of x: e^-2|x| <= 1 never
    overflows, and 1 - e^-2|x| is taken as -expm1(-2|x|), exact for tiny x (where
    2 * sigmoid(2x) - 1 would cancel to 0). -|x| is a `where`, as in sigmoid."""
    x = floating(x)
    non_negative = x.data >= 0
    e = where(non_negative, -2 * x, 2 * x).expm1()  # e^-2|x| - 1, in (-1, 0]
    return where(non_negative, -e, e) / (e + 2)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """e^x / sum(e^x), after subtracting the max (a constant) so exp never overflows.

    Softmax does not change when a constant is subtracted, so the shift needs no gradient.
    """
    x = floating(x)
    axes = _one_axis(axis, x.ndim)
    shifted = x - np.max(x.data, axis=axes, keepdims=True, initial=-np.inf)  # initial: an empty axis has none
    e = shifted.exp()
    return e / e.sum(axes, keepdims=True)


def softmin(x: Tensor, axis: int = -1) -> Tensor:
    """softmax(-x): the weights favour the smallest entries."""
    x = floating(x)
    return softmax(-x, axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - log(sum(e^x)): the log of softmax without forming it, finite even for inputs of
    +-1e4. Its gradient, through LogSumExp's rule, is grad - softmax(x) * sum(grad)."""
    x = floating(x)
    return x - ops.LogSumExp.apply(x, axis=_one_axis(axis, x.ndim), keepdims=True)


def _one_axis(axis: int, ndim: int) -> tuple[int, ...]:
    """One axis, normalized; () for a 0-d tensor (axis 0 or -1), where softmax is 1."""
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be one int, got {axis!r}")
    return reduction_axes(axis, ndim)  # type: ignore[return-value]


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x;  derivative 1 or negative_slope (the latter at 0)."""
    x = floating(x)
    return where(x.data > 0, x, x * negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha * (e^x - 1);  derivative 1, else alpha * e^x.
    expm1 keeps small negatives exact; positives are kept away from exp (double where)."""
    x = floating(x)
    positive = x.data > 0
    return where(positive, x, where(positive, 0, x).expm1() * alpha)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
"""SELU's constants (Klambauer et al. 2017), which keep activations at mean 0, variance 1."""


def selu(x: Tensor) -> Tensor:
    """scale * elu(x, alpha) with the self-normalizing constants above."""
    return elu(x, SELU_ALPHA) * SELU_SCALE


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the normal CDF: 0.5 x (1 + erf(x / sqrt 2)) (approximate="none"), or
    Hendrycks and Gimpel's 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) ("tanh")."""
    x = floating(x)
    if approximate == "none":
        return x * 0.5 * (1 + (x * (1 / math.sqrt(2))).erf())
    if approximate == "tanh":
        return x * 0.5 * (1 + tanh((x + 0.044715 * x ** 3) * math.sqrt(2 / math.pi)))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x: Tensor) -> Tensor:
    """x * sigmoid(x), also called swish."""
    x = floating(x)
    return x * sigmoid(x)


swish = silu


def softplus(x: Tensor) -> Tensor:
    """log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), which never overflows; derivative sigmoid(x).
    Both terms branch on the same mask, so at x = 0 the derivative is the true 1/2."""
    x = floating(x)
    non_negative = x.data >= 0
    return where(non_negative, x, 0) + where(non_negative, -x, x).exp().log1p()


def logsigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite for any x."""
    x = floating(x)
    return -softplus(-x)


def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|);  derivative 1 / (1 + |x|)^2."""
    x = floating(x)
    return x / (1 + x.abs())


def hardtanh(x: Tensor, min_value: float = -1.0, max_value: float = 1.0) -> Tensor:
    """x clipped to [min_value, max_value];  derivative 1 inside, 0 outside (1 at the bounds,
    as Clip's rule; PyTorch gives 0 there)."""
    return x.clip(min_value, max_value)


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6): ReLU capped at 6; derivative 1 on (0, 6], 0 elsewhere (0 at x = 0, as relu)."""
    inside = (x.data > 0) & (x.data <= 6)
    return where(inside, x, np.where(x.data > 6, 6, 0).astype(x.dtype))


def mish(x: Tensor) -> Tensor:
    """x * tanh(softplus(x)) (Misra 2019)."""
    x = floating(x)
    return x * tanh(softplus(x))
