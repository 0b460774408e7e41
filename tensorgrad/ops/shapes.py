"""Movement: reshape, transpose, broadcast, indexing, concatenation.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, call


class Reshape(Function):
    """z = a viewed with a new shape;  dz/da = reshape back"""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            if a.size == 0 and -1 in np.ravel(shape):  # NumPy's message leaves the -1 out of the shape
                raise ValueError(f"the size -1 in {shape} is ambiguous for an input with no elements: "
                                 "give every size") from None
            raise

    @staticmethod
    def backward(ctx, grad):
        return (grad.reshape(ctx.shape),)


class Transpose(Function):
    """z = a with axes permuted;  dz/da = the inverse permutation"""

    @staticmethod
    def forward(ctx, a, axes):
        ctx.inverse = tuple(np.argsort(axes))
        return a.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        return (grad.transpose(ctx.inverse),)


class BroadcastTo(Function):
    """z = a repeated to a larger shape;  dz/da = sum over the repeats (done by unbroadcast)"""

    @staticmethod
    def forward(ctx, a, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return (grad,)


class GetItem(Function):
    """z = a[index];  dz/da = zeros with grad added at index (repeated indices add up)

    NumPy's indexing rules throughout, also where they differ from PyTorch's: integer
    arrays separated by a slice put their broadcast axes first.
    """

    @staticmethod
    def forward(ctx, a, index):
        ctx.shape, ctx.index = a.shape, index
        return a[index]

    @staticmethod
    def backward(ctx, grad):
        return (call(ScatterAdd, grad, index=ctx.index, shape=ctx.shape),)


class ScatterAdd(Function):
    """z = zeros(shape) with a added at index;  dz/da = z[index]"""

    @staticmethod
    def forward(ctx, a, index, shape):
        ctx.index = index
        out = np.zeros(shape, dtype=a.dtype)
        if _is_basic_index(index):
            out[index] = a
        else:
            np.add.at(out, index, a)
        return out

    @staticmethod
    def backward(ctx, grad):
        return (call(GetItem, grad, index=ctx.index),)


def _is_basic_index(index: Any) -> bool:
    """Slices, integers, None and Ellipsis never select an element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class Concatenate(Function):
    """z = [a1, a2, ...] joined along axis;  dz/dai = the slice of z that came from ai"""

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [x.shape[axis] for x in arrays])
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.axis
        # the concatenation, not (*lead, ...): mypy reads a starred tuple in a subscript as 3.11 syntax
        return tuple(grad[lead + (slice(int(start), int(end)),)]  # noqa: RUF005
                     for start, end in zip(ctx.bounds[:-1], ctx.bounds[1:], strict=False))
