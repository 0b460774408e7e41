"""Movement and indexing composed from Reshape, BroadcastTo, GetItem, ScatterAdd and
Concatenate: squeeze, unsqueeze, expand, flatten, unflatten, flip, roll, tile, repeat,
split, chunk, tril, triu, diagonal, gather, scatter_add, masked_fill.

Each gradient is the chain rule through those five: a reshape undone, a broadcast
summed, picked entries scattered back (repeats adding up). Names and semantics follow
NumPy where it and PyTorch disagree: `repeat` repeats each element (PyTorch's
repeat_interleave, also given under that name) and `tile` repeats the whole tensor
(PyTorch's repeat); `split` takes a number of equal sections or split points.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from .. import ops
from ..tensor import Tensor, _normalize_axis, _raw, as_tensor
from .core import concatenate, where
import itertools


def _axis(axis: int, ndim: int) -> int:
    (normalized,) = _normalize_axis(axis, ndim)
    return normalized


def squeeze(x: Tensor, axis: int | Sequence[int] | None = None) -> Tensor:
    """Drop axes of length 1 (all of them when axis is None); NumPy raises for a named axis
    that is not of length 1, and so does this."""
    axes = tuple(i for i, n in enumerate(x.shape) if n == 1) if axis is None else _normalize_axis(axis, x.ndim)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} has length {x.shape[a]}, not 1 (shape {x.shape})")
    return x.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))


def unsqueeze(x: Tensor, axis: int) -> Tensor:
    """Insert an axis of length 1 at position `axis` of the result (np.expand_dims)."""
    position = _axis(axis, x.ndim + 1)
    return x.reshape((*x.shape[:position], 1, *x.shape[position:]))


def expand(x: Any, shape: Sequence[int]) -> Tensor:
    """x broadcast to `shape` (np.broadcast_to); the gradient sums over the copies."""
    x = as_tensor(x)
    shape = tuple(shape)
    np.broadcast_shapes(x.shape, shape)  # raises NumPy's error for shapes that do not fit
    return ops.BroadcastTo.apply(x, shape=shape)


broadcast_to = expand


def flatten(x: Tensor, start: int = 0, end: int = -1) -> Tensor:
    """Merge axes start..end (inclusive, as PyTorch's flatten) into one."""
    if x.ndim == 0:
        return x.reshape(1)
    first, last = _axis(start, x.ndim), _axis(end, x.ndim)
    if first > last:
        raise ValueError(f"flatten: start ({start}) must not come after end ({end})")
    merged = int(np.prod(x.shape[first:last + 1]))
    return x.reshape((*x.shape[:first], merged, *x.shape[last + 1:]))


def unflatten(x: Tensor, axis: int, sizes: Sequence[int]) -> Tensor:
    """Split one axis into several of the given sizes (one size may be -1)."""
    position = _axis(axis, x.ndim)
    return x.reshape(x.shape[:position] + tuple(sizes) + x.shape[position + 1:])


def _along(axis: int, part: Any) -> tuple:
    """An index that applies `part` along `axis` and takes everything elsewhere."""
    return (slice(None),) * axis + (part,)


def flip(x: Tensor, axis: int | Sequence[int] | None = None) -> Tensor:
    """x read backwards along the axes (all when None): one strided slice."""
    axes = range(x.ndim) if axis is None else _normalize_axis(axis, x.ndim)
    index = [slice(None)] * x.ndim
    for a in axes:
        index[a] = slice(None, None, -1)
    return x[tuple(index)]


def roll(x: Tensor, shift: int, axis: int | None = None) -> Tensor:
    """Entries shifted by `shift` along axis, wrapping around (np.roll; flattened when
    axis is None): the two pieces swapped by a concatenate."""
    if axis is None:
        return roll(x.reshape(-1), shift, 0).reshape(x.shape)
    position = _axis(axis, x.ndim)
    n = x.shape[position]
    if n == 0:
        return x
    cut = n - shift % n
    return concatenate([x[_along(position, slice(cut, None))], x[_along(position, slice(None, cut))]], position)


def repeat(x: Tensor, repeats: int | Sequence[int], axis: int | None = None) -> Tensor:
    """Each element repeated (np.repeat; PyTorch's repeat_interleave): a gather whose
    gradient adds the copies up. Flattened first when axis is None."""
    if axis is None:
        return repeat(x.reshape(-1), repeats, 0)
    position = _axis(axis, x.ndim)
    picks = np.repeat(np.arange(x.shape[position]), repeats)
    return x[_along(position, picks)]


repeat_interleave = repeat


def tile(x: Tensor, reps: int | Sequence[int]) -> Tensor:
    """The whole tensor repeated reps times along each axis (np.tile; PyTorch's repeat):
    each axis gets a new axis in front, broadcast to the count, then merged."""
    counts: tuple[int, ...] = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    ndim = max(x.ndim, len(counts))
    shape = (1,) * (ndim - x.ndim) + x.shape
    counts = (1,) * (ndim - len(counts)) + counts
    interleaved = tuple(n for pair in zip((1,) * ndim, shape, strict=False) for n in pair)
    stretched = tuple(n for pair in zip(counts, shape, strict=False) for n in pair)
    copies = expand(x.reshape(interleaved), stretched)
    return copies.reshape(tuple(r * n for r, n in zip(counts, shape, strict=False)))


def split(x: Tensor, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """np.split: that many equal parts (the number must divide the axis), or the parts
    between the given split points. Each part is a slice."""
    position = _axis(axis, x.ndim)
    n = x.shape[position]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0 or n % sections:
            raise ValueError(f"split: {sections} equal sections do not divide an axis of length {n}")
        points = [i * (n // sections) for i in range(sections + 1)]
    else:
        points = [0] + [int(p) for p in indices_or_sections] + [n]
    return [x[_along(position, slice(start, end))] for start, end in itertools.pairwise(points)]


def chunk(x: Tensor, chunks: int, axis: int = 0) -> list[Tensor]:
    """PyTorch's chunk: parts of ceil(n / chunks) entries, the last one shorter (so
    possibly fewer than `chunks` parts); an empty axis gives `chunks` empty parts."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[_axis(axis, x.ndim)]
    if n == 0:
        return split(x, chunks, axis)
    size = -(-n // chunks)
    return split(x, list(range(size, n, size)), axis)


def tril(x: Tensor, k: int = 0) -> Tensor:
    """The lower triangle of the last two axes (entries with column <= row + k), zeros elsewhere."""
    return where(np.tril(np.ones(x.shape[-2:], dtype=bool), k), x, 0)


def triu(x: Tensor, k: int = 0) -> Tensor:
    """The upper triangle of the last two axes (entries with column >= row + k), zeros elsewhere."""
    return where(np.triu(np.ones(x.shape[-2:], dtype=bool), k), x, 0)


def diagonal(x: Tensor, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The diagonal of the (axis1, axis2) planes, as a new last axis (np.diagonal): the two
    axes are moved last and indexed with the same integer array."""
    first, second = _axis(axis1, x.ndim), _axis(axis2, x.ndim)
    if first == second:
        raise ValueError("diagonal: axis1 and axis2 must differ")
    rest = tuple(i for i in range(x.ndim) if i not in (first, second))
    planes = x.transpose((*rest, first, second))
    rows, columns = planes.shape[-2:]
    start_row, start_column = max(-offset, 0), max(offset, 0)
    length = max(min(rows - start_row, columns - start_column), 0)
    steps = np.arange(length)
    return planes[(Ellipsis, start_row + steps, start_column + steps)]


def _along_axis_index(name: str, index: np.ndarray, axis: int, shape: tuple[int, ...]) -> tuple:
    """The integer-array index that reads `index` along `axis` and the same position
    elsewhere: x[it][..., i, ...] = x[..., index[..., i, ...], ...], of index's shape.
    Checked here, so that a bad index (e.g. any index into an empty axis) is named with
    the op and x's shape rather than by NumPy's IndexError about the grid."""
    ndim = len(shape)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must hold integers, got dtype {index.dtype}")
    if index.ndim != ndim:
        raise ValueError(f"{name}: index must have the tensor's {ndim} dimensions, got shape {index.shape}")
    longer = [d for d in range(ndim) if d != axis and index.shape[d] > shape[d]]
    if longer:
        raise ValueError(f"{name}: index of shape {index.shape} is longer than the input of shape {shape} "
                         f"along axis {longer[0]}")
    length = shape[axis]
    if index.size and not -length <= index.min() <= index.max() < length:
        raise IndexError(f"{name}: index values {index.min()} to {index.max()} do not fit axis {axis} of length "
                         f"{length} (input of shape {shape})")
    grid = [np.arange(n).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1)) for d, n in enumerate(index.shape)]
    grid[axis] = index
    return tuple(grid)


def gather(x: Tensor, axis: int, index: Any) -> Tensor:
    """out[..., i, ...] = x[..., index[..., i, ...], ...] along axis, of index's shape
    (PyTorch's gather; np.take_along_axis when the shapes match, which NumPy would
    broadcast). The gradient scatters back, repeated indices adding up."""
    index = np.asarray(_raw(index))
    return x[_along_axis_index("gather", index, _axis(axis, x.ndim), x.shape)]


def scatter_add(x: Any, axis: int, index: Any, source: Any) -> Tensor:
    """x with source[..., i, ...] added at x[..., index[..., i, ...], ...] (PyTorch's
    scatter_add); entries hit twice get both. Gradients: the identity for x, a gather for source."""
    x, source = as_tensor(x), as_tensor(source)
    index = np.asarray(_raw(index))
    if index.shape != source.shape:
        raise ValueError(f"scatter_add: index {index.shape} and source {source.shape} must have one shape")
    positions = _along_axis_index("scatter_add", index, _axis(axis, x.ndim), x.shape)
    spread = ops.ScatterAdd.apply(source, index=positions, shape=x.shape)
    return x + spread


def masked_fill(x: Tensor, mask: Any, value: float) -> Tensor:
    """x with `value` where mask is true: a where, so the filled entries get no gradient."""
    return where(np.asarray(_raw(mask), dtype=bool), value, x)
