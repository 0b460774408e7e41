"""Checking the data given to train, evaluate and predict, for the whole set before the
first step: a bad value in a late batch would otherwise fail after some updates, and a
NumPy error ("inhomogeneous shape", "index out of bounds") would not name the argument."""
from __future__ import annotations

from typing import Any

import numpy as np

from tensorgrad import Tensor


def values(x: Any, name: str) -> np.ndarray:
    """`x` (a Tensor, an array or nested lists) as an ndarray, or an error naming `name`."""
    if isinstance(x, Tensor):
        return x.data
    try:
        return np.asarray(x)
    except ValueError as error:  # NumPy's "inhomogeneous shape" for ragged lists
        raise ValueError(f"{name}: expected a rectangular array of numbers, got rows of different lengths "
                         f"({error})") from None


def check_inputs(X: Any, name: str, dtype: np.dtype | None, sample_shape: tuple | None,
                 first_layer: str) -> np.ndarray:
    """X as an array of `dtype` (the parameters') whose samples have `sample_shape` (the first
    layer's `input_shape`: None any shape, a None side any length, (...,) any number of
    axes), or a clear error; `first_layer` names that layer."""
    X = values(X, name)
    if X.dtype.kind not in "fiu":
        raise TypeError(f"{name}: expected a float or integer array, got dtype {X.dtype}")
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"{name}: expected at least one sample, got an array of shape {X.shape}")
    if X.dtype.kind == "f" and not all_finite(X):
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    if dtype is not None and X.dtype != dtype:
        try:
            with np.errstate(over="raise"):
                X = X.astype(dtype)
        except FloatingPointError:
            raise ValueError(
                f"{name}: expected values within the range of the parameters' dtype "
                f"{dtype}, got a maximum magnitude of {np.abs(X).max():g}"
            ) from None
    if sample_shape is not None and not _fits(X.shape[1:], sample_shape):
        expected = ", ".join(["n"] + ["..." if side is ... else "any" if side is None else str(side)
                                     for side in sample_shape])
        raise ValueError(f"{name}: expected shape ({expected}) for the {first_layer}, got {X.shape}")
    return X


def _fits(shape: tuple, expected: tuple) -> bool:
    if expected == (...,):
        return True
    return len(shape) == len(expected) and all(e is None or e == side for side, e in zip(shape, expected, strict=False))


def check_targets(y: Any, name: str, samples: int, x_name: str, classes: int | None) -> np.ndarray:
    """y as `samples` finite numeric targets; with `classes` (a classification loss and a
    known output size), integer labels in [0, classes) or one-hot rows of that width."""
    y = values(y, name)
    if y.dtype.kind not in "fiub":
        raise TypeError(f"{name}: expected a numeric array of targets, got dtype {y.dtype}")
    if y.ndim == 0 or len(y) != samples:
        raise ValueError(f"{name}: expected {samples} targets to match {x_name}, got shape {y.shape}")
    if y.dtype.kind == "f" and not all_finite(y):
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    if classes is not None:
        _check_class_targets(y, name, classes)
    return y


def _check_class_targets(y: np.ndarray, name: str, classes: int) -> None:
    if y.ndim == 1:
        if y.dtype.kind not in "iu":
            raise TypeError(f"{name}: expected integer class labels or one-hot rows, got dtype {y.dtype}")
        low, high = y.min(), y.max()
        if low < 0 or high >= classes:
            raise ValueError(f"{name}: expected class labels in [0, {classes - 1}] for the {classes} outputs, "
                             f"got values from {low} to {high}")
    elif y.ndim != 2 or y.shape[1] != classes:
        raise ValueError(f"{name}: expected one-hot rows of width {classes} for the {classes} outputs, "
                         f"got shape {y.shape}")


def all_finite(array: np.ndarray) -> bool:
    """No NaN or inf, in one pass and without the full-size boolean array np.isfinite(array)
    would make (47 MB for Fashion-MNIST's training set). It runs on every `train` call,
    over the whole set, so it reads the set the fastest way NumPy has: each row's sum as a
    product with a vector of ones, one pass through BLAS (11-12 ms on that set at one
    BLAS thread, against 21-22 ms for array.sum(); benchmarks/NOTES.md, section 19). A
    row's sum is finite unless a value is NaN or inf, or the sum overflows; only then do
    min and max (which propagate NaN and reach any inf) decide."""
    if array.size == 0:
        return True
    rows = array.reshape(len(array), -1) if array.ndim else array.reshape(1, 1)
    with np.errstate(invalid="ignore", over="ignore"):
        if np.isfinite(rows @ np.ones(rows.shape[1], dtype=rows.dtype)).all():
            return True
        return bool(np.isfinite(array.min()) and np.isfinite(array.max()))
