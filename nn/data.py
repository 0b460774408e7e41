"""The book's synthetic datasets and the mini-batch generator that Model.train uses.

The generators follow the shapes of the `nnfs` package the book uses (written here from
their description). Each call draws fresh data, as the book's calls do, so a second call
gives out-of-sample test data; pass `seed=` to get the same points again. X is float32
(the parameters' dtype); class labels are int64; regression targets are float32.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np


def _check_counts(samples: int, classes: int | None = None) -> None:
    if not isinstance(samples, (int, np.integer)) or isinstance(samples, bool) or samples < 1:
        raise ValueError(f"samples: expected a positive integer, got {samples!r}")
    if classes is not None and (
        not isinstance(classes, (int, np.integer)) or isinstance(classes, bool) or classes < 1
    ):
        raise ValueError(f"classes: expected a positive integer, got {classes!r}")


def spiral_data(samples: int, classes: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`classes` interleaved spiral arms of `samples` points each (X: (samples*classes, 2)).

    `seed=None` (the default) draws fresh noise on every call; an int repeats the points.

    Arm k: radius r runs evenly over [0, 1] and the angle t over [4k, 4(k+1)] plus
    N(0, 0.2^2) noise; a point is (r sin(2.5 t), r cos(2.5 t)). Not linearly separable:
    the book's first classification problem.
    """
    _check_counts(samples, classes)
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, samples), classes)
    labels = np.repeat(np.arange(classes, dtype=np.int64), samples)
    steps = np.tile(np.linspace(0.0, 4.0, samples), classes)
    angle = 4.0 * labels + steps + rng.standard_normal(samples * classes) * 0.2
    X = np.column_stack([radius * np.sin(2.5 * angle), radius * np.cos(2.5 * angle)])
    return X.astype(np.float32), labels


def vertical_data(samples: int, classes: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`classes` vertical blobs: class k is centred at (k/3, 0.5) with standard deviation 0.1.

    `seed=None` (the default) draws fresh points on every call; an int repeats them.

    Nearly linearly separable: the book's example for random search before gradients.
    """
    _check_counts(samples, classes)
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes, dtype=np.int64), samples)
    noise = rng.standard_normal((samples * classes, 2)) * 0.1
    X = noise + np.column_stack([labels / 3.0, np.full(samples * classes, 0.5)])
    return X.astype(np.float32), labels


def sine_data(samples: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """One period of a sine: x = i / samples for i = 0..samples-1, y = sin(2 pi x); both (samples, 1)."""
    _check_counts(samples)
    X = (np.arange(samples, dtype=np.float64) / samples).reshape(-1, 1)
    return X.astype(np.float32), np.sin(2.0 * np.pi * X).astype(np.float32)


def batch_count(n: int, batch_size: int | None) -> int:
    """Steps per epoch as in the book: ceil(n / batch_size); batch_size None is one step
    (none for an empty set)."""
    if batch_size is None:
        return min(n, 1)
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive integer or None, got {batch_size!r}")
    return -(-n // batch_size)


def batches(
    X: np.ndarray,
    y: np.ndarray | None,
    batch_size: int | None,
    shuffle: bool = False,
    rng: np.random.Generator | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Yield (X_batch, y_batch) pairs as the book does: ceil(n / batch_size) steps, the last
    one holding the remainder; `batch_size=None` yields the whole set once.

    In order, batches are basic slices, i.e. views (no copies). With `shuffle`, one
    permutation per call is drawn and each batch gathers its rows from it, so no shuffled
    copy of the whole set is ever held (188 MB for Fashion-MNIST). `y` may be None.
    """
    n = len(X)
    if y is not None and len(y) != n:
        raise ValueError(f"y: expected {n} samples to match X, got {len(y)}")
    batch_count(n, batch_size)  # validates batch_size
    if batch_size is None:
        batch_size = max(n, 1)
    order = (rng if rng is not None else np.random.default_rng()).permutation(n) if shuffle else None
    for start in range(0, n, batch_size):
        rows = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
        yield X[rows], (y[rows] if y is not None else None)
