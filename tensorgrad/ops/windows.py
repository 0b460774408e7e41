"""Windows: padding and sliding windows, the two primitives convolution and pooling need.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract). SlidingWindows and FoldWindows are each other's
derivative, as GetItem and ScatterAdd are: a window view copies elements out (im2col),
its gradient adds each window's gradient back into place (col2im).
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import Function, call
from .shapes import ScatterAdd

PAD_MODES = ("constant", "reflect", "replicate")
_NUMPY_MODE: dict[str, Literal["reflect", "edge"]] = {"reflect": "reflect", "replicate": "edge"}


class Pad(Function):
    """z = a with width[k] = (before, after) elements added on axis k: `value` (constant),
    a mirror image without the edge (reflect) or the edge repeated (replicate);
    dz/da = 1 for the interior, plus 1 per copy for every element a copy was taken from"""

    @staticmethod
    def forward(ctx, a, width, mode="constant", value=0.0):
        ctx.shape, ctx.width, ctx.mode = a.shape, width, mode
        if mode == "constant":
            return np.pad(a, width, mode="constant", constant_values=value)
        return np.pad(a, width, mode=_NUMPY_MODE[mode])

    @staticmethod
    def backward(ctx, grad):
        if ctx.mode == "constant":
            return (grad[tuple(slice(before, before + n)
                               for (before, _), n in zip(ctx.width, ctx.shape, strict=False))],)
        return (call(ScatterAdd, grad, index=_pad_sources(ctx.shape, ctx.width, ctx.mode), shape=ctx.shape),)


def _pad_sources(shape: tuple, width: tuple, mode: str) -> tuple:
    """For every element of the padded array, the index of the element it copies (an
    np.ix_ index), so the gradient of a reflect/replicate pad is one scatter-add."""
    per_axis = [np.pad(np.arange(n), pair, mode=_NUMPY_MODE[mode]) for n, pair in zip(shape, width, strict=False)]
    return np.ix_(*per_axis)


class SlidingWindows(Function):
    """z[..., i, j, p, q] = a[..., i*sh + p, j*sw + q] over the last two axes (a strided
    view: nothing is copied);  dL/da = every window's gradient added back in place (col2im)"""

    @staticmethod
    def forward(ctx, a, kernel, stride):
        ctx.size, ctx.stride = a.shape[-2:], stride
        return _windows(a, kernel, stride)

    @staticmethod
    def backward(ctx, grad):
        return (call(FoldWindows, grad, size=ctx.size, stride=ctx.stride),)


def _windows(a: np.ndarray, kernel: tuple, stride: tuple) -> np.ndarray:
    (kh, kw), (sh, sw) = kernel, stride
    return sliding_window_view(a, (kh, kw), axis=(-2, -1))[..., ::sh, ::sw, :, :]


class FoldWindows(Function):
    """z = zeros(..., *size) with each window a[..., i, j, :, :] added at rows i*sh.., columns
    j*sw.. (col2im, overlaps add up);  dz/da = the sliding windows of grad"""

    @staticmethod
    def forward(ctx, a, size, stride):
        ctx.kernel, ctx.stride = a.shape[-2:], stride
        *lead, rows, columns, kh, kw = a.shape
        (sh, sw) = stride
        out = _zeros_laid_out_like(a, (*lead, *size))
        apart = sh >= kh and sw >= kw  # windows that never overlap (pooling): assigning is enough
        for p in range(kh):  # one strided add per kernel offset, not one per window
            for q in range(kw):
                place = (..., slice(p, p + sh * rows, sh), slice(q, q + sw * columns, sw))
                if apart:
                    out[place] = a[..., p, q]
                else:
                    out[place] += a[..., p, q]
        return out

    @staticmethod
    def backward(ctx, grad):
        return (call(SlidingWindows, grad, kernel=ctx.kernel, stride=ctx.stride),)


def _zeros_laid_out_like(a: np.ndarray, shape: tuple) -> np.ndarray:
    """zeros(shape) for the fold of windows a, its axes in memory in the order of a's
    matching axes (the leading ones, then the windows' rows and columns): NumPy's order='K'
    for a fold. The strided adds then run along a's contiguous axes: with zeros in C order,
    the batch-last CNN step of benchmarks/cnn.py is 1.16x slower (benchmarks/NOTES.md section 18)."""
    strides = a.strides[:-4] + a.strides[-4:-2]
    order = sorted(range(len(shape)), key=lambda axis: -abs(strides[axis]))  # stable: C order on ties
    return np.zeros([shape[axis] for axis in order], dtype=a.dtype).transpose(np.argsort(order))
