"""Convolution and pooling composed from primitives: pad, sliding windows, reshape,
transpose, matmul, max and sum. No backward code: the chain rule through these gives
dW (a sum over windows), dX (col2im, i.e. a full convolution with the flipped kernel)
and max-pool's routing of the gradient to each window's maximum.

Names, layouts and output sizes follow PyTorch: x is (N, C, H, W), a conv weight is
(F, C, kh, kw), and an output side is floor((side + 2 * padding - kernel) / stride) + 1.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

from .. import ops
from ..ops.windows import PAD_MODES
from ..tensor import Tensor, as_tensor

Pair = int | tuple[int, int]


def pad(x: Any, width: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """x padded with width = ((before, after), ...) per axis, NumPy's layout (an int or one
    pair applies to every axis); mode 'constant' (with `value`), 'reflect' or 'replicate'."""
    x = as_tensor(x)
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode must be one of {PAD_MODES}, got {mode!r}")
    pairs = _pad_width(width, x.ndim)
    if mode == "reflect":
        for axis, ((before, after), n) in enumerate(zip(pairs, x.shape, strict=False)):
            if max(before, after) >= n:
                raise ValueError(f"pad: reflect padding ({before}, {after}) must be smaller than axis "
                                 f"{axis} of length {n}")
    if mode == "replicate" and any(n == 0 for n, pair in zip(x.shape, pairs, strict=False) if any(pair)):
        raise ValueError(f"pad: cannot replicate the edge of an empty axis (shape {x.shape})")
    return ops.Pad.apply(x, width=pairs, mode=mode, value=value)


def _pad_width(width: Any, ndim: int) -> tuple[tuple[int, int], ...]:
    if _is_int(width):
        pairs = ((width, width),) * ndim
    else:
        width = tuple(width)
        if len(width) == 2 and all(_is_int(w) for w in width):
            pairs = (tuple(width),) * ndim
        else:
            pairs = tuple(tuple(pair) for pair in width)
    if len(pairs) != ndim or any(len(pair) != 2 or not all(_is_int(w) and w >= 0 for w in pair) for pair in pairs):
        raise ValueError(f"pad: width must be a non-negative int, one pair or {ndim} (before, after) "
                         f"pairs of non-negative ints, got {width!r}")
    return tuple((int(before), int(after)) for before, after in pairs)


def conv2d(x: Any, weight: Any, bias: Any = None, stride: Pair = 1, padding: Pair = 0) -> Tensor:
    """out[n, f, i, j] = bias[f] + sum over c, p, q of weight[f, c, p, q] * x[n, c, i*sh + p, j*sw + q]
    (x zero-padded first): a dot product of the kernel with every window.

    Computed as im2col + one matmul, batch last: the weight reshaped to (F, C*kh*kw) times
    all windows laid out as columns of C*kh*kw numbers, (C*kh*kw, rows*columns*N). With
    the images innermost, the im2col copy and col2im (in the backward) move runs of
    columns*N contiguous numbers instead of runs of `columns`, and dW and dX are one large
    product each instead of N small ones. The result is returned as an (N, F, rows, columns)
    view of the (F, rows, columns, N) product, so the next layer reads it batch last too
    (benchmarks/NOTES.md section 18 compares this with the batch-first layouts).
    """
    x = as_tensor(x)
    weight = as_tensor(weight, x)
    _check_rank("conv2d", "x", x, "(N, C, H, W)")
    _check_rank("conv2d", "weight", weight, "(F, C, kh, kw)")
    n, channels = x.shape[:2]
    filters, weight_channels, kh, kw = weight.shape
    if weight_channels != channels:
        raise ValueError(f"conv2d: weight of shape {weight.shape} expects {weight_channels} input channels, "
                         f"x of shape {x.shape} has {channels}")
    if bias is not None:
        bias = as_tensor(bias, x)
        if bias.shape != (filters,):
            raise ValueError(f"conv2d: bias must have shape ({filters},), one per filter, got {bias.shape}")
    stride = _pair("conv2d", "stride", stride, least=1)
    windows, (rows, columns) = _sliding_windows("conv2d", x, (kh, kw), stride, padding, 0.0)
    cols = windows.transpose(0, 4, 5, 2, 3, 1).reshape(channels * kh * kw, rows * columns * n)
    out = weight.reshape(filters, channels * kh * kw) @ cols
    if bias is not None:
        out = out + bias.reshape(filters, 1)
    return out.reshape(filters, rows, columns, n).transpose(3, 0, 1, 2)


def max_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0) -> Tensor:
    """out[n, c, i, j] = max of the window at (i*sh, j*sw); padding adds -inf, so it never wins.
    The gradient goes to each window's maximum (split evenly between exact ties)."""
    windows, axes = _pool_windows("max_pool2d", x, kernel_size, stride, padding, float("-inf"))
    return windows.max(axis=axes).transpose(3, 0, 1, 2)


def avg_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0) -> Tensor:
    """out[n, c, i, j] = mean of the window at (i*sh, j*sw); padded zeros count (PyTorch's
    count_include_pad=True). Each element in a window gets 1/(kh*kw) of its gradient."""
    windows, axes = _pool_windows("avg_pool2d", x, kernel_size, stride, padding, 0.0)
    count = math.prod(windows.shape[axis] for axis in axes)  # kh * kw
    return (windows.sum(axis=axes) * (1.0 / count)).transpose(3, 0, 1, 2)


def _pool_windows(name: str, x: Any, kernel_size: Pair, stride: Pair | None,
                  padding: Pair, fill: float) -> tuple[Tensor, tuple[int, ...]]:
    """(windows, axes): the pooling windows of x and the axes to reduce over, leaving the
    (C, rows, columns, N) result, batch last as conv2d's (the caller returns its
    (N, C, rows, columns) view)."""
    x = as_tensor(x)
    _check_rank(name, "x", x, "(N, C, H, W)")
    kernel = _pair(name, "kernel_size", kernel_size, least=1)
    stride = kernel if stride is None else _pair(name, "stride", stride, least=1)
    half = _pair(name, "padding", padding, least=0)
    if any(2 * p > k for p, k in zip(half, kernel, strict=False)):
        raise ValueError(f"{name}: padding {half} must be at most half the kernel size {kernel}")
    (kh, kw) = kernel
    if stride == kernel and not any(half):
        # Windows that tile the map are blocks of a reshape, (C, rows, kh, columns, kw, N):
        # no window copy, and the gradient lands in x's layout with no col2im (the CNN
        # step of benchmarks/cnn.py is 1.07-1.10x slower through the windows, NOTES.md 18).
        planes = _planes(name, x, kernel, half, fill)
        channels, height, width, n = planes.shape
        rows, columns = height // kh, width // kw
        if (rows * kh, columns * kw) != (height, width):  # the last rows or columns no window covers
            planes = planes[:, :rows * kh, :columns * kw]
        return planes.reshape(channels, rows, kh, columns, kw, n), (2, 4)
    windows, _ = _sliding_windows(name, x, kernel, stride, half, fill)
    # (kh * kw, C, rows, columns, N): NumPy reduces over a leading axis of a contiguous
    # array ~30x faster than over the two short trailing axes of the strided view
    # (benchmarks/NOTES.md), and the copy costs less than that saves.
    channels, n, rows, columns, kh, kw = windows.shape
    return windows.transpose(4, 5, 0, 2, 3, 1).reshape(kh * kw, channels, rows, columns, n), (0,)


def _sliding_windows(name: str, x: Tensor, kernel: tuple[int, int], stride: tuple[int, int],
                     padding: Pair, fill: float) -> tuple[Tensor, tuple[int, int]]:
    """The (C, N, rows, columns, kh, kw) windows of x (N, C, H, W) padded by `padding` with
    `fill`, taken from x laid out batch last (see _planes and conv2d)."""
    padding = _pair(name, "padding", padding, least=0)
    planes = _planes(name, x, kernel, padding, fill)
    out_size = tuple((side - k) // s + 1 for side, k, s in zip(planes.shape[1:3], kernel, stride, strict=False))
    return ops.SlidingWindows.apply(planes.transpose(0, 3, 1, 2), kernel=kernel, stride=stride), out_size


def _planes(name: str, x: Tensor, kernel: tuple[int, int], padding: tuple[int, int], fill: float) -> Tensor:
    """x (N, C, H, W) as (C, H, W, N) padded by `padding` with `fill`, batch last in memory:
    a copy, unless x already lies so (as conv2d's and the pools' results do)."""
    padded = tuple(side + 2 * p for side, p in zip(x.shape[2:], padding, strict=False))
    if any(k > side for k, side in zip(kernel, padded, strict=False)):
        raise ValueError(f"{name}: kernel {kernel} is larger than the padded input {padded} "
                         f"(x of shape {x.shape}, padding {padding})")
    n, channels, height, width = x.shape
    planes = x.transpose(1, 2, 3, 0)
    if any(padding):  # the padded array is a new (C, H, W, N) array
        (ph, pw) = padding
        return ops.Pad.apply(planes, width=((0, 0), (ph, ph), (pw, pw), (0, 0)), mode="constant", value=fill)
    return planes.reshape(channels, height * width * n).reshape(channels, height, width, n)  # merging copies if needed


def _check_rank(name: str, label: str, tensor: Tensor, layout: str) -> None:
    if tensor.ndim != 4:
        raise ValueError(f"{name}: {label} must be 4-D {layout}, got shape {tensor.shape}")


def _pair(name: str, label: str, value: Any, least: int) -> tuple[int, int]:
    """An int or a pair of ints, each >= least, as a pair."""
    pair = (value, value) if _is_int(value) else tuple(value) if isinstance(value, (tuple, list)) else None
    if pair is None or len(pair) != 2 or not all(_is_int(v) and v >= least for v in pair):
        raise ValueError(f"{name}: {label} must be an int >= {least} or a pair of them, got {value!r}")
    return (int(pair[0]), int(pair[1]))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
