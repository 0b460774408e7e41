"""Tensor helpers composed from primitives: matmul of any rank, linear, mean, maximum,
minimum, where, concatenate, stack."""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from .. import ops
from ..dtypes import common_cast
from ..tensor import Tensor, _cast, _normalize_axis, _raw, as_tensor, operands, reduction_axes


def matmul(a: Any, b: Any) -> Tensor:
    """a @ b. A 1-D operand is treated as a row (left) or a column (right), as in NumPy."""
    a, b = as_tensor(a), as_tensor(b)
    a_shape, b_shape = a.shape, b.shape
    if not a_shape or not b_shape:
        raise ValueError(f"matmul: operands must be at least 1-D, got shapes {a_shape} and {b_shape}")
    inner = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if a_shape[-1] != inner:  # checked here so the message shows the user's shapes, not reshaped ones
        raise ValueError(f"matmul: shapes {a_shape} and {b_shape} are not aligned: the last dimension "
                         f"of the first ({a_shape[-1]}) must equal the contracted one of the second ({inner})")
    if len(a_shape) > 1 and len(b_shape) > 1:
        return ops.MatMul.apply(a, b)
    if len(a_shape) == 1 and len(b_shape) == 1:
        return matmul(a.reshape(1, -1), b.reshape(-1, 1)).reshape(())
    if len(a_shape) == 1:
        out = matmul(a.reshape(1, -1), b)
        return out.reshape(out.shape[:-2] + out.shape[-1:])
    return matmul(a, b.reshape(-1, 1)).reshape(a_shape[:-1])


def linear(x: Any, weights: Tensor, biases: Tensor) -> Tensor:
    """The dense layer's affine map, x @ weights + biases: a matmul and a broadcast add.
    The chain rule gives dL/dx = grad @ W^T, dL/dW = x^T @ grad and, through the add's
    broadcast, dL/db = grad summed over the rows."""
    return matmul(x, weights) + biases


def mean(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """sum / count, the primitive Mean: its gradient spreads 1/count over the averaged elements.

    The mean of no elements is NaN, as in NumPy and PyTorch, and silent, as in PyTorch
    (NumPy warns "Mean of empty slice"; a NaN already says it).
    """
    x = as_tensor(x)
    return ops.Mean.apply(x, axis=reduction_axes(axis, x.ndim), keepdims=keepdims)


def floating(x: Any) -> Tensor:
    """x as a float tensor: integer and bool data become float32 (the dtype rule), so that a
    composition's -x or 1 + e^x of a uint8 tensor never wraps around. Floats pass as they are."""
    x = as_tensor(x)
    return x if x.dtype.kind == "f" else Tensor._make(x.data.astype(np.float32), None)


def average(total: Tensor, count: int, ddof: int = 0) -> Tensor:
    """total / (count - ddof), or NaN when count - ddof <= 0 (nothing to average).

    Over no elements at all (count 0) the NaN is total * 0 + NaN rather than total * NaN:
    total is then a sum of nothing, and a NaN factor would turn the zeros that flow back
    through it (recorded with create_graph) into NaN.
    """
    if count == 0:
        return total * 0 + float("nan")
    return total * (1.0 / (count - ddof) if count > ddof else float("nan"))


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max; at a tie the gradient goes to b."""
    return ops.Maximum.apply(*operands(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min; at a tie the gradient goes to b."""
    return ops.Minimum.apply(*operands(a, b))


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """a where condition holds, else b. The condition is a constant (a bool array or Tensor)."""
    condition = np.asarray(_raw(condition))
    if condition.dtype != bool:
        raise TypeError(f"where: condition must have dtype bool, got {condition.dtype}")
    return ops.Where.apply(*operands(a, b), cond=condition)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    if len(tensors) == 0:
        raise ValueError("concatenate: needs at least one tensor")
    tensors = _in_one_dtype([as_tensor(t) for t in tensors])
    (axis,) = _normalize_axis(axis, tensors[0].ndim)
    return ops.Concatenate.apply(*tensors, axis=axis)


def _in_one_dtype(tensors: list[Tensor]) -> list[Tensor]:
    """The tensors' integers and bools cast to the dtype the one rule gives all of them, as
    a chain of binary ops would (int64 with float32 gives float32, uint64 with a signed
    integer is refused); floats are left to NumPy's promotion, as in a binary op."""
    dtype = tensors[0].dtype
    for tensor in tensors[1:]:
        cast = common_cast(dtype, tensor.dtype)
        dtype = np.result_type(dtype, tensor.dtype) if cast is None else np.dtype(cast)
    return [t if t.dtype.kind == "f" else _cast(t, dtype) for t in tensors]


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis: a reshape then a concatenate."""
    if len(tensors) == 0:
        raise ValueError("stack: needs at least one tensor")
    tensors = [as_tensor(t) for t in tensors]
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise ValueError(f"stack: all tensors need shape {shape}; tensor {i} has {t.shape}")
    (axis,) = _normalize_axis(axis, len(shape) + 1)
    expanded = (*shape[:axis], 1, *shape[axis:])
    return concatenate([t.reshape(expanded) for t in tensors], axis)
