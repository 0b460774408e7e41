"""Reductions composed from primitives (prod, var, std, logsumexp, sort, topk, normalize),
and the ones with no graph (argmax, argmin, any, all, argsort).

Where NumPy and PyTorch disagree, these follow NumPy: argmax/argmin of ties give the
first index, `sort` returns the values only (`argsort` the indices) and var's default is
ddof=0 (PyTorch's is the unbiased ddof=1).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import Axis, Tensor, _raw, extreme_axes, reduction_axes
from .core import average, floating, maximum
from .movement import gather


def _reduced_count(x: Tensor, axes: tuple[int, ...] | None) -> int:
    return x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))


def prod(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The product over axis: the last entry of a running product (Cumprod), whose rule is
    exact at zeros; the product of nothing is 1."""
    axes = reduction_axes(axis, x.ndim)
    axes = tuple(range(x.ndim)) if axes is None else axes
    kept = tuple(i for i in range(x.ndim) if i not in axes)
    shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape)) if keepdims else tuple(x.shape[i] for i in kept)
    count = _reduced_count(x, axes)
    if count == 0:
        return x.sum(axes, keepdims) * 0 + 1
    rows = x.transpose(kept + axes).reshape((*(x.shape[i] for i in kept), count))
    return ops.Cumprod.apply(rows, axis=len(kept))[..., -1].reshape(shape)


def var(x: Tensor, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """sum((x - mean)^2) / (n - ddof); NaN, silently, when n - ddof <= 0 (NumPy warns)."""
    axes = reduction_axes(axis, x.ndim)
    centred = x - x.mean(axes, keepdims=True)
    return average((centred * centred).sum(axes, keepdims), _reduced_count(x, axes), ddof)


def std(x: Tensor, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """sqrt(var); its derivative is infinite where every element is equal (var = 0)."""
    return var(x, axis, ddof, keepdims) ** 0.5


def logsumexp(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(e^x)) over axis, never overflowing: the LogSumExp primitive, rule softmax.
    Over no elements it is -inf, the log of an empty sum (as PyTorch)."""
    x = floating(x)
    return ops.LogSumExp.apply(x, axis=reduction_axes(axis, x.ndim), keepdims=keepdims)


def normalize(x: Tensor, axis: int = -1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_2, eps) along axis (PyTorch's F.normalize with p=2). The maximum is
    taken on the squared norm, so a zero vector gives 0 with a finite gradient."""
    squared = (x * x).sum(axis, keepdims=True)
    return x * maximum(squared, eps * eps) ** -0.5


def _no_graph(function: Any, x: Any, axis: Axis, **params: Any) -> Tensor:
    data = np.asarray(_raw(x))
    return Tensor._make(np.asarray(function(data, axis=reduction_axes(axis, data.ndim), **params)), None)


def _index(function: Any, x: Any, axis: int | None, keepdims: bool) -> Tensor:
    """argmax or argmin along one axis (of the flattened tensor when None; a 0-d tensor
    has index 0 along axis 0), with no graph; an empty axis has no index to give."""
    data = np.asarray(_raw(x))
    axes = extreme_axes(function.__name__, data.shape, axis if axis is None else _one(axis))
    return Tensor._make(np.asarray(function(data, axis=axes[0] if axes else None, keepdims=keepdims)), None)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the largest entry (of the flattened tensor when axis is None); ties give
    the first one, as NumPy. No graph: an index has no derivative."""
    return _index(np.argmax, x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the smallest entry; ties give the first one, as NumPy. No graph."""
    return _index(np.argmin, x, axis, keepdims)


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Whether any entry is true (nonzero), as a bool Tensor with no graph."""
    return _no_graph(np.any, x, axis, keepdims=keepdims)


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Whether every entry is true (nonzero), as a bool Tensor with no graph."""
    return _no_graph(np.all, x, axis, keepdims=keepdims)


def _one(axis: int) -> int:
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be one int or None, got {axis!r}")
    return int(axis)


def argsort(x: Any, axis: int = -1, descending: bool = False) -> Tensor:
    """The indices that sort x along axis, stable both ways: ties keep their order, so the
    first of equal maxima comes first when descending (as argmax). No graph."""
    data = np.asarray(_raw(x))
    if not descending:
        return Tensor._make(np.argsort(data, axis=axis, kind="stable"), None)
    # the reversed array sorted stably, read backwards, counts positions from the end
    backwards = np.flip(np.argsort(np.flip(data, axis), axis=axis, kind="stable"), axis)
    return Tensor._make(data.shape[axis] - 1 - backwards, None)


def sort(x: Tensor, axis: int = -1, descending: bool = False) -> Tensor:
    """x sorted along axis (values only, as NumPy; `argsort` gives the indices). The
    values are a gather, so each one's gradient goes back to the entry it came from."""
    return gather(x, axis, argsort(x, axis, descending).data)


def topk(x: Tensor, k: int, axis: int = -1, largest: bool = True) -> tuple[Tensor, Tensor]:
    """The k largest (or smallest) entries along axis and their indices, largest first
    (as PyTorch's topk; NumPy has none). Values differentiable, indices without graph."""
    if not 0 <= k <= x.shape[axis]:
        raise ValueError(f"topk: k must lie in [0, {x.shape[axis]}], got {k}")
    order = argsort(x, axis, descending=largest).data
    indices = np.take(order, np.arange(k), axis=axis)
    return gather(x, axis, indices), Tensor._make(indices, None)
