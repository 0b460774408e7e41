"""Arithmetic: the four operations, negation, powers and the remainder.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, call, data_of
from .elementwise import Log


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


class Mod(Function):
    """z = a mod b = a - floor(a / b) * b (the sign of b, as Python and NumPy);
    dz/da = 1, dz/db = -floor(a / b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.mod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (data_of(x) for x in ctx.saved_tensors)
        return grad, (grad * -np.floor_divide(a, b) if ctx.needs_input_grad[1] else None)


class Neg(Function):
    """z = -a;  dz/da = -1"""

    @staticmethod
    def forward(ctx, a):
        return np.negative(a)

    @staticmethod
    def backward(ctx, grad):
        return (-grad,)


class Pow(Function):
    """z = a ** b;  dz/da = b * a^(b-1), dz/db = z * ln(a)

    At a = 0 the limits are taken, as in PyTorch: dz/da = 0 where b = 0 (z = 1 near 0)
    and dz/db = 0 where b >= 0 (z = 0 or 1 there, whatever ln 0 is). Both are written with
    constant masks in the exponent and in ln's argument, so no 0 * inf appears and the
    rule stays differentiable. For 0 < b < 1 the slope at a = 0 is inf, silently.
    """

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        needs = ctx.needs_input_grad
        exponent_is_zero = data_of(b) == 0  # b * a^(b-1) is 0 there: use a^0 instead of a^-1
        with np.errstate(divide="ignore"):  # 0^(b-1) for b < 1 is inf, the true slope, not an error
            grad_a = grad * b * a ** (b - 1 + exponent_is_zero) if needs[0] else None
        base_is_zero = (data_of(a) == 0) & (data_of(b) >= 0)  # z * ln(a) is 0 there: use ln 1
        grad_b = grad * out * call(Log, a + base_is_zero) if needs[1] else None
        return grad_a, grad_b
