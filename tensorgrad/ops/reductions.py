"""Reductions: sum, max, min and log-sum-exp over axes (mean is a composition).

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, call, data_of
from .elementwise import Exp, exp
from .shapes import BroadcastTo


def _keepdims_shape(shape: tuple, axis: tuple | None) -> tuple:
    """The shape a reduction would have with keepdims=True (to line the gradient up)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


class Sum(Function):
    """z = sum of a over axis;  dz/da = 1 for every summed element"""

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.shape, ctx.axis = a.shape, axis
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.reshape(_keepdims_shape(ctx.shape, ctx.axis))
        return (call(BroadcastTo, grad, shape=ctx.shape),)


class _Extreme(Function):
    """Max's and Min's shared rule: the gradient goes to the extreme element, shared
    evenly between ties. Computed by the reduction itself (np.max, np.min), so integer
    and bool tensors get exact answers (no -max(-x), which overflows for ints)."""

    reduce: staticmethod  # np.max or np.min

    @classmethod
    def forward(cls, ctx, a, axis, keepdims):
        peak = cls.reduce(a, axis=axis, keepdims=True)
        ctx.save_for_backward(a, peak)
        ctx.axis = axis
        return peak if keepdims else peak.reshape(_reduced_shape(a.shape, axis))

    @staticmethod
    def backward(ctx, grad):
        a, peak = (data_of(x) for x in ctx.saved_tensors)
        at_peak = a == peak
        ties = at_peak.sum(axis=ctx.axis, keepdims=True, dtype=a.dtype)
        return (at_peak * (grad.reshape(peak.shape) / ties),)  # divide the small array, not the big one


class Max(_Extreme):
    """z = max of a over axis;  dz/da = 1 at the maximum (shared evenly between ties), else 0"""

    reduce = staticmethod(np.max)


class Min(_Extreme):
    """z = min of a over axis;  dz/da = 1 at the minimum (shared evenly between ties), else 0"""

    reduce = staticmethod(np.min)


class LogSumExp(Function):
    """z = log(sum of e^a over axis);  dz/da = e^(a - z) = softmax(a) along the axis

    Computed as m + log(sum e^(a - m)) with m the maximum, so e^a never overflows.
    """

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        kept = _log_sum_exp(a, axis)
        out = kept if keepdims else kept.reshape(_reduced_shape(a.shape, axis))
        ctx.save_for_backward(a, out)
        ctx.kept_shape = kept.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        kept = out.reshape(ctx.kept_shape)
        return (grad.reshape(ctx.kept_shape) * call(Exp, a - kept),)


def _log_sum_exp(a: np.ndarray, axis: tuple | None) -> np.ndarray:
    """log(sum e^a) with keepdims, shifted by the maximum m: m + log(sum e^(a - m))."""
    if a.size == 0:  # nothing to shift by: the sum of no elements is 0, and log 0 = -inf (as PyTorch)
        with np.errstate(divide="ignore"):
            return np.log(np.sum(exp(a), axis=axis, keepdims=True))
    peak = np.max(a, axis=axis, keepdims=True)
    finite = np.isfinite(peak)
    if finite.all():
        return np.log(np.sum(exp(a - peak), axis=axis, keepdims=True)) + peak
    # a row of -inf sums to 0 (log 0 = -inf, the right answer); an inf or nan maximum stays
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = np.where(finite, peak, 0)
        return np.log(np.sum(exp(a - peak), axis=axis, keepdims=True)) + peak


def _reduced_shape(shape: tuple, axis: tuple | None) -> tuple:
    """The shape a reduction over `axis` leaves (keepdims=False)."""
    return tuple(n for i, n in enumerate(shape) if axis is not None and i not in axis)
