"""The book's synthetic datasets, shuffling and scaling, and the mini-batch generator that
Model.train uses.

The generators follow the shapes of the `nnfs` package the book uses (written here from
their description). Each call draws fresh data, as the book's calls do, so a second call
gives out-of-sample test data; pass `seed=` to get the same points again. X is float32
(the parameters' dtype); class labels are int64; regression targets are float32.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .checks import check_integer, check_seed


def spiral_data(samples: int, classes: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`classes` interleaved spiral arms of `samples` points each (X: (samples*classes, 2)).

    `seed=None` (the default) draws fresh noise on every call; an int repeats the points.

    Arm k: radius r runs evenly over [0, 1] and the angle t over [4k, 4(k+1)] plus
    N(0, 0.2^2) noise; a point is (r sin(2.5 t), r cos(2.5 t)). Not linearly separable:
    the book's first classification problem.
    """
    check_integer("samples", samples)
    check_integer("classes", classes)
    rng = np.random.default_rng(check_seed("seed", seed))
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
    check_integer("samples", samples)
    check_integer("classes", classes)
    rng = np.random.default_rng(check_seed("seed", seed))
    labels = np.repeat(np.arange(classes, dtype=np.int64), samples)
    noise = rng.standard_normal((samples * classes, 2)) * 0.1
    X = noise + np.column_stack([labels / 3.0, np.full(samples * classes, 0.5)])
    return X.astype(np.float32), labels


def sine_data(samples: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """One period of a sine: x = i / samples for i = 0..samples-1, y = sin(2 pi x); both (samples, 1)."""
    check_integer("samples", samples)
    X = (np.arange(samples, dtype=np.float64) / samples).reshape(-1, 1)
    return X.astype(np.float32), np.sin(2.0 * np.pi * X).astype(np.float32)


def batch_count(n: int, batch_size: int | None) -> int:
    """Steps per epoch as in the book: ceil(n / batch_size); batch_size None is one step
    (none for an empty set)."""
    if batch_size is None:
        return min(n, 1)
    return -(-n // check_integer("batch_size", batch_size, allow_none=True))


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


def shuffle(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return shuffled copies of ``X`` and ``y`` with the same permutation, reproducible by ``seed``.

    A loader that returns samples sorted by label (as Fashion-MNIST's does) would have
    training see one class at a time, which is why the book shuffles before batching.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y: expected a sample axis, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"y: expected {len(X)} samples to match X, got {len(y)}")
    order = np.random.default_rng(check_integer("seed", seed, minimum=0)).permutation(len(X))
    return X[order], y[order]


def scale_and_flatten(X: np.ndarray) -> np.ndarray:
    """Flatten uint8 images to rows and scale them to [-1, 1] in float32, as the book does.

    ``(X.reshape(n, -1).astype(float32) - 127.5) / 127.5``: centred inputs train faster
    than raw 0..255 pixels. Only uint8 input is accepted, so the range is guaranteed.
    """
    X = scale_images(X)
    return X.reshape(X.shape[0], -1)


def scale_images(X: np.ndarray) -> np.ndarray:
    """uint8 images (n, ...) scaled to [-1, 1] in float32, shape kept (for Conv2D)."""
    X = np.asarray(X)
    if X.dtype != np.uint8 or X.ndim < 2:
        raise ValueError(f"X: expected uint8 images of shape (n, ...), got dtype {X.dtype} and shape {X.shape}")
    return (X.astype(np.float32) - 127.5) / 127.5
