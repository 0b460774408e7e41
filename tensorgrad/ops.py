"""Primitive ops: a table of derivatives.

Each op is a `Function` with its math in the docstring, `forward` on ndarrays and
`backward` right below it. A backward rule gets the upstream gradient `grad` (dL/dz) and
returns dL/d(input) for every input, as if no broadcasting had happened: the engine sums
broadcast axes away in `unbroadcast`, the one place that does it.

Rules use only operations that ndarrays and Tensors share, plus `call(Op, x, ...)`, so
the same rule runs on plain arrays (fast) or records itself (create_graph=True).
Masks of comparisons are constants: their derivative is zero almost everywhere.
A shape error inside a forward is reported by `Function.apply` with the op's name and
the shapes of all its inputs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import Function, call
from .tensor import Tensor


def _raw(x: Any) -> np.ndarray:
    """The ndarray behind a saved value (a Tensor when the backward pass is recorded)."""
    return x._data if isinstance(x, Tensor) else x


# --------------------------------------------------------------------------- arithmetic

class Add(Function):
    """z = a + b;  dz/da = 1, dz/db = 1"""

    @staticmethod
    def forward(ctx, a, b):
        return np.add(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """z = a - b;  dz/da = 1, dz/db = -1"""

    @staticmethod
    def forward(ctx, a, b):
        return np.subtract(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """z = a * b;  dz/da = b, dz/db = a"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.multiply(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None)


class Div(Function):
    """z = a / b;  dz/da = 1 / b, dz/db = -a / b^2 = -z / b"""

    @staticmethod
    def forward(ctx, a, b):
        out = np.divide(a, b)
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        b, out = ctx.saved_tensors
        return (grad / b if ctx.needs_input_grad[0] else None,
                -grad * out / b if ctx.needs_input_grad[1] else None)


class Neg(Function):
    """z = -a;  dz/da = -1"""

    @staticmethod
    def forward(ctx, a):
        return np.negative(a)

    @staticmethod
    def backward(ctx, grad):
        return (-grad,)


class Pow(Function):
    """z = a ** b;  dz/da = b * a^(b-1), dz/db = z * ln(a)"""

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        return (grad * b * a ** (b - 1) if ctx.needs_input_grad[0] else None,
                grad * out * call(Log, a) if ctx.needs_input_grad[1] else None)


# --------------------------------------------------------------------------- elementwise functions

def exp(a: np.ndarray) -> np.ndarray:
    """np.exp, where e^-1000 = 0 is the right answer, not an error, even when the caller
    made underflow raise (np.errstate(all="raise")). The retry costs nothing otherwise."""
    try:
        return np.exp(a)
    except FloatingPointError:
        with np.errstate(under="ignore"):
            return np.exp(a)


class Exp(Function):
    """z = e^a;  dz/da = e^a = z"""

    @staticmethod
    def forward(ctx, a):
        out = exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return (grad * out,)


class Log(Function):
    """z = ln(a);  dz/da = 1 / a"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad / a,)


class Abs(Function):
    """z = |a|;  dz/da = sign(a)  (0 at a = 0, a subgradient)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad * np.sign(_raw(a)),)


class Clip(Function):
    """z = min(max(a, lo), hi);  dz/da = 1 where lo <= a <= hi, else 0"""

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        a = _raw(ctx.saved_tensors[0])
        inside = np.ones(a.shape, dtype=bool)
        if ctx.lo is not None:
            inside &= a >= ctx.lo
        if ctx.hi is not None:
            inside &= a <= ctx.hi
        return (grad * inside,)


class Maximum(Function):
    """z = max(a, b);  dz/da = [a > b] + [a = b] / 2, dz/db = 1 - dz/da (ties share)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (_raw(x) for x in ctx.saved_tensors)
        weight_a = (a > b) + 0.5 * (a == b)
        return grad * weight_a.astype(grad.dtype), grad * (1 - weight_a).astype(grad.dtype)


class Minimum(Function):
    """z = min(a, b);  dz/da = [a < b] + [a = b] / 2, dz/db = 1 - dz/da (ties share)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (_raw(x) for x in ctx.saved_tensors)
        weight_a = (a < b) + 0.5 * (a == b)
        return grad * weight_a.astype(grad.dtype), grad * (1 - weight_a).astype(grad.dtype)


class Where(Function):
    """z = a where cond else b;  dz/da = [cond], dz/db = [not cond]"""

    @staticmethod
    def forward(ctx, a, b, cond):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        cond = _raw(ctx.saved_tensors[0])
        return (grad * cond if ctx.needs_input_grad[0] else None,
                grad * ~cond if ctx.needs_input_grad[1] else None)


# --------------------------------------------------------------------------- reductions

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


class Max(Function):
    """z = max of a over axis;  dz/da = 1 at the maximum (shared evenly between ties), else 0"""

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.save_for_backward(a)
        ctx.axis = axis
        ctx.peak = np.max(a, axis=axis, keepdims=True)
        if keepdims:
            return ctx.peak
        return ctx.peak.reshape([n for i, n in enumerate(a.shape) if axis is not None and i not in axis])

    @staticmethod
    def backward(ctx, grad):
        a = _raw(ctx.saved_tensors[0])
        at_max = a == ctx.peak
        weight = at_max / at_max.sum(axis=ctx.axis, keepdims=True)
        return (grad.reshape(ctx.peak.shape) * weight.astype(a.dtype),)


# --------------------------------------------------------------------------- shapes

class Reshape(Function):
    """z = a viewed with a new shape;  dz/da = reshape back"""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

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
    """z = a[index];  dz/da = zeros with grad added at index (repeated indices add up)"""

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
        return tuple(grad[lead + (slice(int(start), int(end)),)]
                     for start, end in zip(ctx.bounds[:-1], ctx.bounds[1:]))


# --------------------------------------------------------------------------- linear algebra

def _swap_last(x: Any) -> Any:
    if x.ndim == 2:
        return x.T
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return x.transpose(axes)


class MatMul(Function):
    """z = a @ b (both at least 2-D);  dL/da = grad @ b^T, dL/db = a^T @ grad"""

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError("both operands must be at least 2-D (functional.matmul handles 1-D)")
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(f"the last dimension of the first ({a.shape[-1]}) must equal the "
                             f"second-to-last of the second ({b.shape[-2]})")
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad @ _swap_last(b) if ctx.needs_input_grad[0] else None,
                _swap_last(a) @ grad if ctx.needs_input_grad[1] else None)


PRIMITIVES: tuple[type[Function], ...] = (
    Add, Sub, Mul, Div, Neg, Pow,
    Exp, Log, Abs, Clip, Maximum, Minimum, Where,
    Sum, Max,
    Reshape, Transpose, BroadcastTo, GetItem, ScatterAdd, Concatenate,
    MatMul,
)
"""Every primitive op, so tests can check that each one is covered."""
