"""Arithmetic: the four operations, negation and powers.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, call
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
