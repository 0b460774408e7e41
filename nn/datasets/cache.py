"""The converted arrays, kept so that later loads skip the 70,000 PNG decodes.

The cache is a safe container (`nn.files.container`, the format of model files), so
reading it gets every check model files get: a regular file only, no pickles, a JSON
object of bounded depth as header, `.npy` sizes checked against each member's size before
anything is allocated. A cache that fails any check, or was made from another source, is
rebuilt with a warning, never trusted and never a crash. Writes are atomic.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..files import ModelFileError, read_container, write_container
from .layout import DatasetError, check_arrays

CACHE_NAME = "fashion_mnist.v2.npz"  # v2: a safe container; v1 (fashion_mnist.npz) was np.savez's layout
CACHE_KIND = "fashion-mnist-cache"
_ARRAY_NAMES = ("X_train", "y_train", "X_test", "y_test")


def read_cache(
    cache_path: Path, source: dict | None, counts: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The cached arrays if readable, valid and made from `source` (a fingerprint), else None.

    `source=None` accepts a cache made from any source: it is used when no source is
    named and none is cached, e.g. after the downloaded archive was deleted.
    """
    try:
        header, arrays = read_container(cache_path)
        if header.get("kind") != CACHE_KIND or set(arrays) != set(_ARRAY_NAMES):
            raise DatasetError(f"{cache_path}: not a Fashion-MNIST cache")
        if source is not None and header.get("source") != source:
            return None
        X_train, y_train, X_test, y_test = (arrays[name] for name in _ARRAY_NAMES)
        cached = (X_train, y_train, X_test, y_test)
        check_arrays(cached, counts, str(cache_path))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (ModelFileError, DatasetError, OSError) as error:
        warnings.warn(f"rebuilding the unreadable or invalid cache {cache_path}: {error}", stacklevel=3)
        return None
    return cached


def write_cache(cache_path: Path, arrays: tuple[np.ndarray, ...], source: dict) -> None:
    """Write the arrays atomically; a cache that cannot be written only costs a warning."""
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        write_container(cache_path, {"kind": CACHE_KIND, "source": source},
                        dict(zip(_ARRAY_NAMES, arrays, strict=False)))
    except OSError as error:
        warnings.warn(
            f"could not write the cache {cache_path} ({error}); the next load will decode again", stacklevel=3
        )
