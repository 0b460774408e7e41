"""Linear algebra: the matrix product.

Each op: the math in its docstring, `forward` on ndarrays, `backward` right below (see
ops/__init__.py for the contract).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function


def _swap_last(x: Any) -> Any:
    if x.ndim == 2:
        return x.T
    axes = (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2)
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
