"""Special functions: the error function (GELU's exact form needs it).

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import call
from .elementwise import Exp, OfInput

_ERF = np.frompyfunc(math.erf, 1, 1)
"""Python's math.erf (the C library's erf, accurate to about 1 ulp) over an array. NumPy
has no erf and tensorgrad needs no SciPy; an element costs ~0.1 us of interpreter time."""


def erf(a: np.ndarray) -> np.ndarray:
    """erf(a) = 2/sqrt(pi) * integral from 0 to a of e^(-t^2) dt, in a's float dtype."""
    dtype = a.dtype if a.dtype.kind == "f" else np.float64
    return np.asarray(_ERF(a), dtype=dtype).reshape(np.shape(a))


class Erf(OfInput):
    """z = erf(a);  dz/da = 2 / sqrt(pi) * e^(-a^2)"""

    function = staticmethod(erf)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return (grad * (2 / math.sqrt(math.pi)) * call(Exp, -(a * a)),)
