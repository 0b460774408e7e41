"""Making tensors: constant fills, ranges, identity matrices, random draws, one-hot rows.

Each takes `dtype` (float32 unless given, as for Python data; integer dtypes allowed
where the values are integers) and `requires_grad`; random draws take a NumPy
`Generator` so a run can be repeated (a fresh unseeded one when none is given).
"""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from ..tensor import Tensor, _raw

Shape = int | Sequence[int]


def _leaf(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(data, requires_grad=requires_grad)


def zeros(shape: Shape, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(shape, dtype=dtype), requires_grad)


def ones(shape: Shape, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(shape, dtype=dtype), requires_grad)


def full(shape: Shape, value: float, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    return _leaf(np.full(shape, value, dtype=dtype), requires_grad)


def zeros_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of x's shape and (unless given) x's dtype."""
    return _leaf(np.zeros_like(np.asarray(_raw(x)), dtype=dtype), requires_grad)


def ones_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones_like(np.asarray(_raw(x)), dtype=dtype), requires_grad)


def full_like(x: Any, value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.full_like(np.asarray(_raw(x)), value, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """The n x m identity (ones on the diagonal)."""
    return _leaf(np.eye(n, m, dtype=dtype), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to but excluding stop (np.arange). Integer arguments give
    int64, any float argument float32, unless dtype is given."""
    if dtype is None:
        dtype = np.float32 if any(isinstance(v, float) for v in (start, stop, step)) else np.int64
    return _leaf(np.arange(start, stop, step, dtype=dtype), requires_grad)


def linspace(start: float, stop: float, num: int = 50, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """`num` evenly spaced values from start to stop, both included (np.linspace)."""
    return _leaf(np.linspace(start, stop, num, dtype=dtype), requires_grad)


def rand(shape: Shape, generator: np.random.Generator | None = None, dtype: Any = np.float32,
         requires_grad: bool = False) -> Tensor:
    """Uniform draws from [0, 1)."""
    generator = np.random.default_rng() if generator is None else generator
    return _leaf(generator.random(shape).astype(dtype), requires_grad)


def randn(shape: Shape, generator: np.random.Generator | None = None, dtype: Any = np.float32,
          requires_grad: bool = False) -> Tensor:
    """Draws from the standard normal distribution (mean 0, variance 1)."""
    generator = np.random.default_rng() if generator is None else generator
    return _leaf(generator.standard_normal(shape).astype(dtype), requires_grad)


def one_hot(labels: Any, classes: int, dtype: Any = np.float32) -> Tensor:
    """Rows with a 1 at each label's column, shape labels.shape + (classes,). No graph:
    labels are data. Labels outside [0, classes) raise."""
    labels = np.asarray(_raw(labels))
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"one_hot: labels must lie in [0, {classes - 1}], got {labels.min()} to {labels.max()}")
    return Tensor(np.eye(classes, dtype=dtype)[labels])
