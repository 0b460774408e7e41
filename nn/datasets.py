"""Fashion-MNIST for the book's examples: find or download the archive, load it safely, cache it.

The archive (``train/<label>/<nnnn>.png``, ``test/<label>/<nnnn>.png``, optional
``LICENSE``) comes from, in this order: an explicit ``data=`` path, the folder named by the
``TENSORGRAD_DATA`` environment variable, the cache folder (``~/.cache/tensorgrad``), and
last a download from nnfs.io. Archives from the internet are untrusted, so nothing is ever
extracted to disk: PNG bytes are read straight from the zip after every member name, type
and size has been checked, and every decoded image is checked too. The first load writes a
compressed ``.npz`` to the cache folder so later loads skip the 70,000 PNG decodes.

Only NumPy, OpenCV, tqdm and the standard library are used, so this module works on its own.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import stat
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

FASHION_MNIST_URL = "https://nnfs.io/datasets/fashion_mnist_images.zip"
ARCHIVE_NAME = "fashion_mnist_images.zip"
CACHE_NAME = "fashion_mnist.npz"
DATA_ENV_VAR = "TENSORGRAD_DATA"

FASHION_MNIST_LABELS = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
FASHION_MNIST_COUNTS = {"train": 6000, "test": 1000}  # images per label in each split

IMAGE_SHAPE = (28, 28)
MAX_MEMBERS = 100_000  # the real archive has 70,023 entries
MAX_TOTAL_BYTES = 1 << 30  # uncompressed; the real archive holds 36 MB
DOWNLOAD_TIMEOUT_SECONDS = 60
CACHE_FORMAT = 1  # bump when the .npz layout changes, so old caches are rebuilt

_SPLITS = ("train", "test")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEAD_BYTES = 1 << 20  # how much of the source is hashed to notice a changed archive
_CHUNK_BYTES = 1 << 16
# What a cache that cannot be read raises; such a cache is rebuilt, not a crash.
_UNREADABLE_CACHE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error)


class DatasetError(RuntimeError):
    """The data set cannot be found, downloaded, or trusted; the message says why and what to do."""


def default_cache_dir() -> Path:
    """Where converted arrays and downloaded archives live: ``~/.cache/tensorgrad``."""
    return Path.home() / ".cache" / "tensorgrad"


# ---------------------------------------------------------------- public API


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
    cache_dir = default_cache_dir() if cache_dir is None else _check_path("cache_dir", cache_dir)
    if not isinstance(channels, bool):
        raise TypeError(f"channels must be a bool, got {channels!r}")
    arrays = _load_arrays(data, cache_dir, counts)
    if channels:
        X_train, y_train, X_test, y_test = arrays
        return X_train[:, None], y_train, X_test[:, None], y_test
    return arrays


def _load_arrays(data: Any, cache_dir: Path, counts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four arrays from the cache when it is current, else from the source (and cached)."""
    cache_path = cache_dir / CACHE_NAME
    source = _find_source(data, cache_dir)
    if source is None:
        arrays = _read_cache(cache_path, None, counts)
        if arrays is not None:
            return arrays
        source = download_fashion_mnist(cache_dir)

    fingerprint = _fingerprint(source)
    arrays = _read_cache(cache_path, fingerprint, counts)
    if arrays is None:
        arrays = _load_source(source, counts)
        _write_cache(cache_path, arrays, fingerprint)
    return arrays


def download_fashion_mnist(
    cache_dir: str | os.PathLike | None = None, url: str | None = None
) -> Path:
    """Download the archive into ``cache_dir`` and return its path.

    The bytes go to a temporary file in the same folder that is moved into place with
    ``os.replace`` only once complete, so an interrupted download never leaves a truncated
    archive that looks finished. ``url`` defaults to ``FASHION_MNIST_URL``.
    """
    cache_dir = default_cache_dir() if cache_dir is None else _check_path("cache_dir", cache_dir)
    url = FASHION_MNIST_URL if url is None else url
    target = cache_dir / ARCHIVE_NAME
    temp_name = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            dir=cache_dir, prefix=f".{ARCHIVE_NAME}.", suffix=".part"
        )
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
        ):
            _copy_response(response, out, url)
        if not zipfile.is_zipfile(temp_name):
            raise DatasetError(f"{url} did not serve a zip archive")
        os.replace(temp_name, target)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise DatasetError(
            f"could not download Fashion-MNIST from {url}: {error}. Without network access, "
            f"put {ARCHIVE_NAME} at {target}, or in the folder named by ${DATA_ENV_VAR}, "
            "or pass data=<path to the zip or its extracted folder>."
        ) from error
    finally:
        if temp_name is not None and os.path.exists(temp_name):
            os.unlink(temp_name)
    return target


def shuffle(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return shuffled copies of ``X`` and ``y`` with the same permutation, reproducible by ``seed``.

    The loader returns samples sorted by label; training on that order would see one class
    at a time, which is why the book shuffles before batching.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must have a sample axis, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    order = np.random.default_rng(seed).permutation(len(X))
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
        raise ValueError(
            f"X must be uint8 images of shape (n, ...), got dtype {X.dtype} and shape {X.shape}"
        )
    return (X.astype(np.float32) - 127.5) / 127.5


# ---------------------------------------------------------------- arguments and sources


def _check_path(name: str, value: object) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(value).__name__}")
    return Path(value).expanduser()


def _check_expected_counts(expected_counts: Mapping[str, int] | None) -> dict[str, int]:
    if expected_counts is None:
        return dict(FASHION_MNIST_COUNTS)
    if not isinstance(expected_counts, Mapping) or set(expected_counts) != set(_SPLITS):
        keys = (
            sorted(expected_counts)
            if isinstance(expected_counts, Mapping)
            else type(expected_counts).__name__
        )
        raise ValueError(
            f"expected_counts must map exactly {list(_SPLITS)} to images per label, got {keys}"
        )
    for split, count in expected_counts.items():
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
            raise ValueError(f"expected_counts[{split!r}] must be a positive int, got {count!r}")
    return {split: int(expected_counts[split]) for split in _SPLITS}


def _find_source(data: str | os.PathLike | None, cache_dir: Path) -> Path | None:
    """The archive or extracted folder to read; None leaves the cache or a download."""
    if data is not None:
        path = _check_path("data", data)
        if not path.exists():
            raise DatasetError(
                f"data={str(path)!r} does not exist; expected {ARCHIVE_NAME} or its extracted folder"
            )
        if path.is_dir() and not (path / "train").is_dir():
            if not (path / ARCHIVE_NAME).is_file():
                raise DatasetError(
                    f"data={str(path)!r} is a folder without train/ and test/ and without {ARCHIVE_NAME}"
                )
            return path / ARCHIVE_NAME
        return path
    env_folder = os.environ.get(DATA_ENV_VAR)
    if env_folder:
        archive = Path(env_folder).expanduser() / ARCHIVE_NAME
        if not archive.is_file():
            raise DatasetError(f"${DATA_ENV_VAR}={env_folder!r} does not hold {ARCHIVE_NAME}")
        return archive
    cached_archive = cache_dir / ARCHIVE_NAME
    return cached_archive if cached_archive.is_file() else None


def _fingerprint(source: Path) -> dict:
    """What identifies a source cheaply: a changed size, mtime or first megabyte means rebuild."""
    if source.is_dir():
        listing = _folder_listing(source)
        digest = hashlib.sha256()
        for name, _, size, mtime_ns in listing:
            digest.update(f"{name}\0{size}\0{mtime_ns}\n".encode())
        return {
            "kind": "folder",
            "size": sum(entry[2] for entry in listing),
            "mtime_ns": max([entry[3] for entry in listing] + [source.stat().st_mtime_ns]),
            "sha256": digest.hexdigest(),
        }
    info = source.stat()
    with open(source, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    return {
        "kind": "zip",
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "sha256": hashlib.sha256(head).hexdigest(),
    }


# ---------------------------------------------------------------- safe reading


def _split_and_label(name: str) -> tuple[str, int] | None:
    """Classify a member name by the archive layout; None for folders and the licence."""
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise DatasetError(f"refusing member {name!r}: absolute or non-POSIX path")
    parts = name.split("/")
    if ".." in parts:
        raise DatasetError(f"refusing member {name!r}: path leaves the data folder")
    if name.endswith("/") or name == "LICENSE":
        return None
    if len(parts) != 3 or parts[0] not in _SPLITS or not parts[2].endswith(".png"):
        raise DatasetError(
            f"unexpected member {name!r}: expected train/<label>/<nnnn>.png or test/<label>/<nnnn>.png"
        )
    label = parts[1]
    if (
        not label.isdecimal()
        or str(int(label)) != label
        or not 0 <= int(label) < len(FASHION_MNIST_LABELS)
    ):
        raise DatasetError(
            f"member {name!r}: label folder must be 0..{len(FASHION_MNIST_LABELS) - 1}, got {label!r}"
        )
    return parts[0], int(label)


def _check_totals(member_count: int, total_bytes: int, where: str) -> None:
    if member_count > MAX_MEMBERS:
        raise DatasetError(
            f"refusing {where}: {member_count} members, more than the cap of {MAX_MEMBERS}"
        )
    if total_bytes > MAX_TOTAL_BYTES:
        raise DatasetError(
            f"refusing {where}: {total_bytes} bytes uncompressed, more than the cap of {MAX_TOTAL_BYTES}"
        )


def _read_limited(handle, limit: int, name: str) -> bytes:
    """Read a member but never more than ``limit`` bytes, whatever its header claimed."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise DatasetError(
            f"member {name!r} holds more data than declared; total cap {MAX_TOTAL_BYTES} bytes"
        )
    return data


def _zip_members(path: Path) -> list[tuple[str, str, int, bytes]]:
    """All images of a zip as (name, split, label, png bytes); every check runs before any read."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise DatasetError(
            f"{path} is not a readable zip archive (corrupt or truncated?): {error}"
        ) from error
    with archive:
        infos = archive.infolist()
        _check_totals(len(infos), sum(info.file_size for info in infos), str(path))
        wanted = []
        for info in infos:
            if stat.S_ISLNK(info.external_attr >> 16):
                raise DatasetError(f"refusing member {info.filename!r}: symbolic link")
            place = _split_and_label(info.filename)
            if place is not None:
                wanted.append((info, *place))
        members = []
        budget = MAX_TOTAL_BYTES
        for info, split, label in wanted:
            try:
                with archive.open(info) as handle:
                    data = _read_limited(handle, min(info.file_size, budget), info.filename)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                raise DatasetError(
                    f"member {info.filename!r} of {path} is corrupt: {error}"
                ) from error
            budget -= len(data)
            members.append((info.filename, split, label, data))
    return members


def _folder_listing(root: Path) -> list[tuple[str, Path, int, int]]:
    """Every file under an extracted folder as (name, path, size, mtime_ns), checked like a zip."""
    real_root = root.resolve()
    listing = []
    total_bytes = 0
    for folder, subfolders, files in os.walk(real_root, followlinks=True):
        for entry in subfolders:
            _check_inside(Path(folder, entry), real_root, root)
        for entry in files:
            path = Path(folder, entry)
            _check_inside(path, real_root, root)
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise DatasetError(f"refusing {path}: not a regular file")
            listing.append(
                (path.relative_to(real_root).as_posix(), path, info.st_size, info.st_mtime_ns)
            )
            total_bytes += info.st_size
        _check_totals(len(listing), total_bytes, str(root))
    listing.sort()
    return listing


def _check_inside(path: Path, real_root: Path, root: Path) -> None:
    if path.is_symlink() and not path.resolve().is_relative_to(real_root):
        name = path.relative_to(real_root).as_posix()
        raise DatasetError(f"refusing {name!r} in {root}: symbolic link leading outside the folder")


def _folder_members(root: Path) -> list[tuple[str, str, int, bytes]]:
    """All images of an extracted folder as (name, split, label, png bytes)."""
    listing = _folder_listing(root)
    wanted = []
    for name, path, size, _ in listing:
        place = _split_and_label(name)
        if place is not None:
            wanted.append((name, path, size, *place))
    members = []
    budget = MAX_TOTAL_BYTES
    for name, path, size, split, label in wanted:
        with open(path, "rb") as handle:
            data = _read_limited(handle, min(size, budget), name)
        budget -= len(data)
        members.append((name, split, label, data))
    return members


def _decode_png(name: str, data: bytes) -> np.ndarray:
    """Decode one grayscale image, checking the declared size before OpenCV allocates anything."""
    if len(data) < 24 or data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise DatasetError(f"member {name!r} is not a PNG file")
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    if (height, width) != IMAGE_SHAPE:
        raise DatasetError(
            f"member {name!r}: image must be {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]}, got {height}x{width}"
        )
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise DatasetError(f"member {name!r}: OpenCV cannot decode this PNG")
    if image.shape != IMAGE_SHAPE or image.dtype != np.uint8:
        raise DatasetError(
            f"member {name!r}: decoded to {image.dtype} {image.shape}, expected uint8 {IMAGE_SHAPE}"
        )
    return image


def _load_source(
    source: Path, counts: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    members = _folder_members(source) if source.is_dir() else _zip_members(source)
    members.sort(key=lambda member: (member[1], member[2], member[0]))
    arrays = []
    for split in _SPLITS:
        chosen = [member for member in members if member[1] == split]
        labels = np.array([member[2] for member in chosen], np.uint8)
        _check_counts(split, labels, counts, str(source))  # before the slow part
        images = np.empty((len(chosen), *IMAGE_SHAPE), np.uint8)
        for index, (name, _, _, data) in enumerate(chosen):
            images[index] = _decode_png(name, data)
        arrays += [images, labels]
    return tuple(arrays)


def _check_counts(split: str, labels: np.ndarray, counts: dict[str, int], where: str) -> None:
    if labels.size and labels.max() >= len(FASHION_MNIST_LABELS):
        raise DatasetError(f"{where}: {split} labels must be in 0..9, got {labels.max()}")
    per_label = np.bincount(labels, minlength=len(FASHION_MNIST_LABELS)).tolist()
    if per_label != [counts[split]] * len(FASHION_MNIST_LABELS):
        raise DatasetError(
            f"{where}: {split} must hold {counts[split]} images for each label 0..9, got {per_label}"
        )


def _validate(X_train, y_train, X_test, y_test, counts: dict[str, int], where: str) -> None:
    """Check arrays that were not just decoded: a cache may be stale or tampered with."""
    for split, images, labels in [("train", X_train, y_train), ("test", X_test, y_test)]:
        if images.dtype != np.uint8 or images.shape[1:] != IMAGE_SHAPE or images.ndim != 3:
            raise DatasetError(
                f"{where}: {split} images must be uint8 (n, 28, 28), got {images.dtype} {images.shape}"
            )
        if labels.dtype != np.uint8 or labels.shape != (len(images),):
            raise DatasetError(
                f"{where}: {split} labels must be uint8 ({len(images)},), got {labels.dtype} {labels.shape}"
            )
        _check_counts(split, labels, counts, where)


# ---------------------------------------------------------------- the .npz cache


def _read_cache(cache_path: Path, fingerprint: dict | None, counts: dict[str, int]):
    """The cached arrays if readable, valid and made from ``fingerprint``, else None.

    ``fingerprint=None`` accepts a cache made from any source: it is used when no source is
    named and none is cached, e.g. after the downloaded archive was deleted.
    """
    try:
        with np.load(cache_path, allow_pickle=False) as saved:
            metadata = json.loads(str(saved["metadata"]))
            if metadata.get("format") != CACHE_FORMAT:
                return None
            if fingerprint is not None and metadata.get("source") != fingerprint:
                return None
            arrays = tuple(saved[key] for key in ("X_train", "y_train", "X_test", "y_test"))
        _validate(*arrays, counts, str(cache_path))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (*_UNREADABLE_CACHE, DatasetError) as error:
        warnings.warn(
            f"rebuilding the unreadable or invalid cache {cache_path}: {error}", stacklevel=3
        )
        return None
    return arrays


def _write_cache(cache_path: Path, arrays, fingerprint: dict) -> None:
    """Write atomically (temp file + os.replace): a crash or a parallel run never sees half a cache."""
    X_train, y_train, X_test, y_test = arrays
    metadata = np.array(json.dumps({"format": CACHE_FORMAT, "source": fingerprint}))
    temp_name = None
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            dir=cache_path.parent, prefix=f".{CACHE_NAME}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as out:
            np.savez_compressed(
                out,
                X_train=X_train,
                y_train=y_train,
                X_test=X_test,
                y_test=y_test,
                metadata=metadata,
            )
        os.replace(temp_name, cache_path)
    except OSError as error:
        warnings.warn(
            f"could not write the cache {cache_path} ({error}); the next load will decode again",
            stacklevel=3,
        )
    finally:
        if temp_name is not None and os.path.exists(temp_name):
            os.unlink(temp_name)


def _copy_response(response, out, url: str) -> None:
    """Stream the body to ``out`` with a progress bar, refusing oversized or short bodies."""
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdecimal() else None
    received = 0
    with tqdm(
        total=total, unit="B", unit_scale=True, desc=f"downloading {ARCHIVE_NAME}"
    ) as progress:
        chunk = response.read(_CHUNK_BYTES)
        while chunk:
            received += len(chunk)
            if received > MAX_TOTAL_BYTES:
                raise DatasetError(f"{url} sent more than {MAX_TOTAL_BYTES} bytes; refusing")
            out.write(chunk)
            progress.update(len(chunk))
            chunk = response.read(_CHUNK_BYTES)
    if total is not None and received != total:
        raise DatasetError(f"download of {url} stopped after {received} of {total} bytes")
