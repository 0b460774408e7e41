"""Trigonometric and hyperbolic functions (tanh is a composition of sigmoid).

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

import numpy as np

from ..autograd import call
from .elementwise import OfInput, OfOutput


class Sin(OfInput):
    """z = sin(a);  dz/da = cos(a)"""

    function = staticmethod(np.sin)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad * call(Cos, a),)


class Cos(OfInput):
    """z = cos(a);  dz/da = -sin(a)"""

    function = staticmethod(np.cos)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (-grad * call(Sin, a),)


class Tan(OfOutput):
    """z = tan(a);  dz/da = 1 + tan(a)^2 = 1 + z^2"""

    function = staticmethod(np.tan)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return (grad * (1 + out * out),)


class Arcsin(OfInput):
    """z = arcsin(a) for -1 <= a <= 1;  dz/da = 1 / sqrt(1 - a^2)"""

    function = staticmethod(np.arcsin)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad * (1 - a * a) ** -0.5,)


class Arccos(OfInput):
    """z = arccos(a) for -1 <= a <= 1;  dz/da = -1 / sqrt(1 - a^2)"""

    function = staticmethod(np.arccos)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (-grad * (1 - a * a) ** -0.5,)


class Arctan(OfInput):
    """z = arctan(a);  dz/da = 1 / (1 + a^2)"""

    function = staticmethod(np.arctan)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad / (1 + a * a),)


class Sinh(OfInput):
    """z = sinh(a);  dz/da = cosh(a)"""

    function = staticmethod(np.sinh)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad * call(Cosh, a),)


class Cosh(OfInput):
    """z = cosh(a);  dz/da = sinh(a)"""

    function = staticmethod(np.cosh)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad * call(Sinh, a),)
