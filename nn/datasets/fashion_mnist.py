"""Fashion-MNIST for the book's examples: find or download the archive, load it, cache it.

The archive (``train/<label>/<nnnn>.png``, ``test/<label>/<nnnn>.png``, optional
``LICENSE``) comes from, in this order: an explicit ``data=`` path, the folder named by the
``TENSORGRAD_DATA`` environment variable, the cache folder (``~/.cache/tensorgrad``), and
last a download from nnfs.io. Reading it safely is `nn.datasets.archive`'s job; keeping
the decoded arrays is `nn.datasets.cache`'s.
"""
from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from tqdm import tqdm

from ..checks import check_integer, check_path
from ..files import atomic_write
from . import archive
from .cache import CACHE_NAME, read_cache, write_cache
from .layout import FASHION_MNIST_COUNTS, SPLITS, DatasetError

FASHION_MNIST_URL = "https://nnfs.io/datasets/fashion_mnist_images.zip"
ARCHIVE_NAME = "fashion_mnist_images.zip"
DATA_ENV_VAR = "TENSORGRAD_DATA"
DOWNLOAD_TIMEOUT_SECONDS = 60
_CHUNK_BYTES = 1 << 16


def default_cache_dir() -> Path:
    """Where converted arrays and downloaded archives live: ``~/.cache/tensorgrad``."""
    return Path.home() / ".cache" / "tensorgrad"


def load_fashion_mnist(
    data: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    expected_counts: Mapping[str, int] | None = None,
    channels: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(X_train, y_train, X_test, y_test)``: uint8 images (n, 28, 28), uint8 labels;
    with ``channels=True`` the images are (n, 1, 28, 28), the layout Conv2D takes.

    ``data`` is the zip archive, an extracted folder (holding ``train/`` and ``test/``), or a
    folder holding ``fashion_mnist_images.zip``. Without it, ``$TENSORGRAD_DATA`` (a folder
    holding the zip) is used, then the cache folder, then a download into the cache folder.
    ``cache_dir`` defaults to ``~/.cache/tensorgrad``; it is never the archive's folder,
    which may be read-only. ``expected_counts`` maps each split to its number of images per
    label (every label 0..9 must have exactly that many); ``None`` means the real
    Fashion-MNIST counts, 6,000 per label in train and 1,000 in test. Images are ordered by
    label, then file name; shuffle them before training.
    """
    counts = _check_expected_counts(expected_counts)
    cache_dir = default_cache_dir() if cache_dir is None else check_path("cache_dir", cache_dir)
    if not isinstance(channels, bool):
        raise TypeError(f"channels: expected a bool, got {channels!r}")
    X_train, y_train, X_test, y_test = _load_arrays(data, cache_dir, counts)
    if channels:
        return X_train[:, None], y_train, X_test[:, None], y_test
    return X_train, y_train, X_test, y_test


def _load_arrays(data: Any, cache_dir: Path, counts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four arrays from the cache when it is current, else from the source (and cached)."""
    cache_path = cache_dir / CACHE_NAME

    source = _find_source(data, cache_dir)
    if source is None:
        arrays = read_cache(cache_path, None, counts)
        if arrays is not None:
            return arrays
        source = download_fashion_mnist(cache_dir)

    fingerprint = archive.fingerprint(source)
    arrays = read_cache(cache_path, fingerprint, counts)
    if arrays is None:
        arrays = archive.load_source(source, counts)
        write_cache(cache_path, arrays, fingerprint)
    return arrays


def download_fashion_mnist(cache_dir: str | os.PathLike | None = None, url: str | None = None) -> Path:
    """Download the archive into ``cache_dir`` and return its path.

    The bytes are written atomically (`nn.files.atomic_write`) and only kept when they
    are a complete zip, so an interrupted download never leaves a truncated archive that
    looks finished. ``url`` defaults to ``FASHION_MNIST_URL``.
    """
    cache_dir = default_cache_dir() if cache_dir is None else check_path("cache_dir", cache_dir)
    url = FASHION_MNIST_URL if url is None else url
    target = cache_dir / ARCHIVE_NAME
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with (
            atomic_write(target) as out,
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
        ):
            _copy_response(response, out, url)
            if not zipfile.is_zipfile(out):
                raise DatasetError(f"{url} did not serve a zip archive")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise DatasetError(
            f"could not download Fashion-MNIST from {url}: {error}. Without network access, "
            f"put {ARCHIVE_NAME} at {target}, or in the folder named by ${DATA_ENV_VAR}, "
            "or pass data=<path to the zip or its extracted folder>."
        ) from error
    return target


def _check_expected_counts(expected_counts: Mapping[str, int] | None) -> dict[str, int]:
    if expected_counts is None:
        return dict(FASHION_MNIST_COUNTS)
    if not isinstance(expected_counts, Mapping) or set(expected_counts) != set(SPLITS):
        keys = sorted(expected_counts) if isinstance(expected_counts, Mapping) else type(expected_counts).__name__
        raise ValueError(
            f"expected_counts: expected a mapping of exactly {list(SPLITS)} to images per label, got {keys}"
        )
    return {split: check_integer(f"expected_counts[{split!r}]", expected_counts[split]) for split in SPLITS}


def _find_source(data: str | os.PathLike | None, cache_dir: Path) -> Path | None:
    """The archive or extracted folder to read; None leaves the cache or a download."""
    if data is not None:
        path = check_path("data", data)
        if not path.exists():
            raise DatasetError(f"data={str(path)!r} does not exist; expected {ARCHIVE_NAME} or its extracted folder")
        if path.is_dir() and not (path / "train").is_dir():
            if not (path / ARCHIVE_NAME).is_file():
                raise DatasetError(
                    f"data={str(path)!r} is a folder without train/ and test/ and without {ARCHIVE_NAME}"
                )
            return path / ARCHIVE_NAME
        return path
    env_folder = os.environ.get(DATA_ENV_VAR)
    if env_folder:
        env_archive = Path(env_folder).expanduser() / ARCHIVE_NAME
        if not env_archive.is_file():
            raise DatasetError(f"${DATA_ENV_VAR}={env_folder!r} does not hold {ARCHIVE_NAME}")
        return env_archive
    cached_archive = cache_dir / ARCHIVE_NAME
    return cached_archive if cached_archive.is_file() else None


def _copy_response(response: http.client.HTTPResponse, out: BinaryIO, url: str) -> None:
    """Stream the body to ``out`` with a progress bar, refusing oversized or short bodies."""
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdecimal() else None
    received = 0
    with tqdm(total=total, unit="B", unit_scale=True, desc=f"downloading {ARCHIVE_NAME}") as progress:
        chunk = response.read(_CHUNK_BYTES)
        while chunk:
            received += len(chunk)
            if received > archive.MAX_TOTAL_BYTES:
                raise DatasetError(f"{url} sent more than {archive.MAX_TOTAL_BYTES} bytes; refusing")
            out.write(chunk)
            progress.update(len(chunk))
            chunk = response.read(_CHUNK_BYTES)
    if total is not None and received != total:
        raise DatasetError(f"download of {url} stopped after {received} of {total} bytes")
