"""Elementwise functions: exp, log, abs, clip, maximum/minimum, where.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, data_of


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
        return (grad * np.sign(data_of(a)),)


class Clip(Function):
    """z = min(max(a, lo), hi);  dz/da = 1 where lo <= a <= hi, else 0"""

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        a = data_of(ctx.saved_tensors[0])
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
        a, b = (data_of(x) for x in ctx.saved_tensors)
        return _shared_at_ties(ctx, grad, a > b, a == b)


class Minimum(Function):
    """z = min(a, b);  dz/da = [a < b] + [a = b] / 2, dz/db = 1 - dz/da (ties share)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (data_of(x) for x in ctx.saved_tensors)
        return _shared_at_ties(ctx, grad, a < b, a == b)


def _shared_at_ties(ctx, grad, a_wins, tie):
    """Maximum's and Minimum's gradients: to the winner, shared equally at a tie (a constant
    weight, so the same rule serves create_graph)."""
    weight_a = (a_wins + 0.5 * tie).astype(data_of(grad).dtype)
    needs = ctx.needs_input_grad
    return (grad * weight_a if needs[0] else None,
            grad * (1 - weight_a) if needs[1] else None)


class Where(Function):
    """z = a where cond else b;  dz/da = [cond], dz/db = [not cond]"""

    @staticmethod
    def forward(ctx, a, b, cond):
        ctx.save_for_backward(cond)
        return select(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        cond = data_of(ctx.saved_tensors[0])
        return (grad * cond if ctx.needs_input_grad[0] else None,
                grad * ~cond if ctx.needs_input_grad[1] else None)


def select(cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.where(cond, a, b), bit for bit, without a branch per element.

    NumPy's where branches on every element, which costs ~7 ns each on a mask as
    unpredictable as a ReLU's (benchmarks/NOTES.md section 17: 21 ms against 4.4 ms on a
    (128, 32, 26, 26) float32 map). Here the bits of a and b are kept or cleared by an
    integer mask of all ones or all zeros, NaN and inf included.
    """
    if a.dtype != b.dtype or a.dtype.kind != "f" or cond.dtype != bool:
        return np.where(cond, a, b)
    integers = np.dtype(f"i{a.dtype.itemsize}")
    keep_a = np.negative(cond.view(np.int8), dtype=np.int8).astype(integers)  # -1 (all bits set) or 0
    out = np.bitwise_and(a.view(integers), keep_a)
    b_bits = b.view(integers)
    if b.ndim or b_bits != 0:  # a constant +0.0 adds no bits
        out = np.bitwise_or(out, np.bitwise_and(b_bits, np.invert(keep_a)))
    return out.view(a.dtype)
