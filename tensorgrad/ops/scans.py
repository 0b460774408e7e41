"""Scans: running sums and products along one axis.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, call, data_of


def _reversed(x: Any, axis: int) -> Any:
    """x read backwards along `axis` (a slice, so ndarrays and Tensors alike)."""
    return x[(slice(None),) * axis + (slice(None, None, -1),)]


def _suffix_sum(x: Any, axis: int) -> Any:
    """s_i = sum of x_k for k >= i along axis: the chain rule of a running sum."""
    return _reversed(call(Cumsum, _reversed(x, axis), axis=axis), axis)


class Cumsum(Function):
    """z_k = sum of a_j for j <= k along axis;  dL/da_i = sum of grad_k for k >= i"""

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        return np.cumsum(a, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return (_suffix_sum(grad, ctx.axis),)


class Cumprod(Function):
    """z_k = product of a_j for j <= k along axis;  dL/da_i = sum over k >= i of grad_k * z_k / a_i

    The division is exact only where no a_j is 0. Otherwise z_k / a_i is computed as what
    it means, the product of a_j for j <= k, j != i: an n x n table per position (memory
    n^2 along the axis, paid only when a zero is present).
    """

    @staticmethod
    def forward(ctx, a, axis):
        out = np.cumprod(a, axis=axis)
        ctx.save_for_backward(a, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        if not np.any(data_of(a) == 0):
            return (_suffix_sum(grad * out, ctx.axis) / a,)
        swap = list(range(a.ndim))  # move the axis last and back: a self-inverse permutation
        swap[ctx.axis], swap[-1] = swap[-1], swap[ctx.axis]
        a_last, grad_last = a.transpose(swap), grad.transpose(swap)
        n = a.shape[ctx.axis]
        diagonal = np.eye(n, dtype=bool)
        others = a_last[..., None, :] * ~diagonal + diagonal  # row i: a with a_i replaced by 1
        products = call(Cumprod, others, axis=others.ndim - 1)  # [i, k] = product of a_j, j <= k, j != i
        later = np.triu(np.ones((n, n), dtype=bool))  # k >= i
        return ((grad_last[..., None, :] * products * later).sum(axis=-1).transpose(swap),)
