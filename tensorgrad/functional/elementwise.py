"""Elementwise functions composed from primitives, and the ones with no graph at all.

log2, log10, exp2 and logaddexp are compositions: their gradients come from Log's and
Exp's rules. `//` and the isnan family are steps: their derivative is zero wherever it
exists, so they return plain data (no graph), as comparisons do.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _raw, as_tensor, operands
from .core import where


def log2(x: Tensor) -> Tensor:
    """log2(x) = ln(x) / ln 2;  d/dx = 1 / (x ln 2)"""
    return x.log() * (1 / math.log(2))


def log10(x: Tensor) -> Tensor:
    """log10(x) = ln(x) / ln 10;  d/dx = 1 / (x ln 10)"""
    return x.log() * (1 / math.log(10))


def exp2(x: Tensor) -> Tensor:
    """2^x = e^(x ln 2);  d/dx = 2^x ln 2"""
    return (x * math.log(2)).exp()


def logaddexp(a: Any, b: Any) -> Tensor:
    """log(e^a + e^b) = m + log(1 + e^-|a - b|) with m = max(a, b), so nothing overflows;
    d/da = sigmoid(a - b). Both terms branch on one mask (as softplus), so at a tie the
    second derivative is right too. At a = b = +-inf the answer is that infinity (NumPy)."""
    a, b = operands(a, b, floating=True)
    a_wins = a.data >= b.data
    same_infinity = np.isinf(a.data) & (a.data == b.data)  # there b - a would be inf - inf = nan
    difference = where(same_infinity, 0, b - a)
    return where(a_wins, a, b) + where(a_wins, difference, -difference).exp().log1p()


def floor_divide(a: Any, b: Any) -> Tensor:
    """a // b, rounded towards -inf as in NumPy and Python (so -7 // 2 = -4; PyTorch agrees
    since 1.13). A step function: no gradient, so the result has no graph."""
    a, b = operands(a, b)
    return Tensor._make(np.floor_divide(a.data, b.data), None)


def isnan(x: Any) -> Tensor:
    """Where x is NaN, as a bool Tensor with no graph."""
    return Tensor._make(np.isnan(_raw(as_tensor(x))), None)


def isinf(x: Any) -> Tensor:
    """Where x is +inf or -inf, as a bool Tensor with no graph."""
    return Tensor._make(np.isinf(_raw(as_tensor(x))), None)


def isfinite(x: Any) -> Tensor:
    """Where x is neither NaN nor infinite, as a bool Tensor with no graph."""
    return Tensor._make(np.isfinite(_raw(as_tensor(x))), None)
