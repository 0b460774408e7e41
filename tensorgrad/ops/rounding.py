"""Steps: sign and rounding. Flat between their jumps, so the derivative is 0 wherever it
exists (and at a jump, where it does not, 0 is what PyTorch and autograd libraries use).

They are primitives rather than plain data (as comparisons are) so that `floor(x) + x`
still carries the gradient of its second term, and the graph shows where a step was.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function


class Step(Function):
    """A step function z = `function(a)`: dz/da = 0."""

    function: Any

    @classmethod
    def forward(cls, ctx, a):
        out = cls.function(a)
        return out if out.dtype == a.dtype else out.astype(a.dtype)  # floor of int32 stays int32

    @staticmethod
    def backward(ctx, grad):
        return (grad * 0,)


class Sign(Step):
    """z = sign(a) (-1, 0 or 1);  dz/da = 0"""

    function = staticmethod(np.sign)


class Floor(Step):
    """z = the largest integer <= a;  dz/da = 0"""

    function = staticmethod(np.floor)


class Ceil(Step):
    """z = the smallest integer >= a;  dz/da = 0"""

    function = staticmethod(np.ceil)


class Round(Step):
    """z = a rounded to the nearest integer, halves to even (NumPy and PyTorch: 2.5 -> 2);  dz/da = 0"""

    function = staticmethod(np.round)


class Trunc(Step):
    """z = a rounded towards 0;  dz/da = 0"""

    function = staticmethod(np.trunc)
