"""Elementwise functions: exp, log, log1p, expm1, abs, clip, maximum/minimum, where.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, call, data_of


def exp(a: np.ndarray) -> np.ndarray:
    """np.exp, where e^-1000 = 0 is the right answer, not an error, even when the caller
    made underflow raise (np.errstate(all="raise")). The retry costs nothing otherwise."""
    try:
        return np.exp(a)
    except FloatingPointError:
        with np.errstate(under="ignore"):
            return np.exp(a)


def floating(a: np.ndarray) -> np.ndarray:
    """Integer and bool data as float32, floats unchanged: a transcendental function of an
    integer tensor gives float32 (the one dtype rule), where NumPy would give float64."""
    return a if a.dtype.kind == "f" else a.astype(np.float32)


class OfInput(Function):
    """An elementwise op whose rule needs its input: forward is `function(a)`, a is saved."""

    function: Any  # a NumPy ufunc such as np.sin

    @classmethod
    def forward(cls, ctx, a):
        a = floating(a)
        ctx.save_for_backward(a)
        return cls.function(a)


class OfOutput(Function):
    """An elementwise op whose rule needs its output z = `function(a)`, which is saved."""

    function: Any

    @classmethod
    def forward(cls, ctx, a):
        out = cls.function(floating(a))
        ctx.save_for_backward(out)
        return out


class Exp(Function):
    """z = e^a;  dz/da = e^a = z"""

    @staticmethod
    def forward(ctx, a):
        out = exp(floating(a))
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
        a = floating(a)
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad / a,)


class Log1p(OfInput):
    """z = ln(1 + a), exact for tiny a;  dz/da = 1 / (1 + a)"""

    function = staticmethod(np.log1p)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad / (1 + a),)


class Expm1(OfInput):
    """z = e^a - 1, exact for tiny a;  dz/da = e^a (not z + 1, which cancels to 0 for a << 0)"""

    function = staticmethod(np.expm1)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad * call(Exp, a),)


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
    """z = max(a, b);  dz/da = [a > b], dz/db = [a <= b]  (a tie goes to b)

    At a tie any split of the gradient is a valid subgradient; giving it to b makes
    maximum(x, 0) the book's ReLU, whose derivative at 0 is 0.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _to_the_winner(ctx, grad, data_of(a) > data_of(b))


class Minimum(Function):
    """z = min(a, b);  dz/da = [a < b], dz/db = [a >= b]  (a tie goes to b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _to_the_winner(ctx, grad, data_of(a) < data_of(b))


def _to_the_winner(ctx, grad, a_wins):
    """Maximum's and Minimum's gradients: all to a where it wins, else all to b. The mask
    is a constant, so the same rule serves create_graph."""
    needs = ctx.needs_input_grad
    return (grad * a_wins if needs[0] else None,
            grad * ~a_wins if needs[1] else None)


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
    unpredictable as a ReLU's (benchmarks/NOTES.md section 18: 21 ms against 4.4 ms on a
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
