"""The one dtype rule (README, "Dtypes: one rule"), on dtypes alone.

The default float is float32; a result is float64 only when a float64 array is involved.
A Python number is weak: it takes the dtype of the tensor it meets where it fits. Next
to a float, integers and bools take the float's dtype (as in PyTorch, where NumPy would
give float64 for int64 with float32); integers promote among themselves as in NumPy,
except that uint64 with a signed integer, which no integer dtype holds and NumPy turns
into float64, is refused (as PyTorch refuses it); an op that always gives floats (true
division, logaddexp) turns integers into float32.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def scalar_dtype(value: bool | int | float, dtype: np.dtype) -> Any:
    """The dtype of a Python number next to a tensor of `dtype`: the tensor's own, unless
    the number does not fit its kind (a float next to integers or bools is float32, an int
    next to bools is int64)."""
    if dtype.kind == "f" or (dtype.kind in "iu" and type(value) is not float) or type(value) is bool:
        return dtype
    return np.float32 if type(value) is float else np.int64


def common_cast(dtype_a: np.dtype, dtype_b: np.dtype, floating: bool = False) -> Any:
    """The dtype both operands are cast to before the op, or None to leave it to NumPy
    (two floats, or two integers of an op that may give integers). Raises TypeError for
    two integer dtypes with no common integer dtype (uint64 and a signed one)."""
    if dtype_a.kind in "iu" and dtype_b.kind in "iu" and np.result_type(dtype_a, dtype_b).kind == "f":
        raise TypeError(
            f"{dtype_a} and {dtype_b} have no common integer dtype (NumPy would give float64, which the "
            f"dtype rule gives only when a float64 array is involved): cast one explicitly, e.g. "
            f"tensorgrad.Tensor(x, dtype=np.int64)"
        )
    float_a, float_b = dtype_a.kind == "f", dtype_b.kind == "f"
    if float_a and float_b:
        return None
    if float_a or float_b:
        return dtype_a if float_a else dtype_b
    return np.float32 if floating else None
