"""Reading Fashion-MNIST safely from its zip archive or an extracted folder.

Both are untrusted: nothing is ever extracted to disk. A zip and a folder are each turned
into a list of members (name, declared size, how to open it), checked while they are
listed: plain zip members only (no encryption, stored or deflated, a version zipfile
knows), no symbolic links in a zip, in a folder only links to regular files inside it,
only the layout's folders and file names. Then one loop reads every image, capped in
count and bytes whatever the headers claim, and each PNG is checked before OpenCV
decodes it.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import cv2
import numpy as np

from ..files import open_regular_file
from ..files.regular import describe_kind
from ..files.zip_members import check_zip_member, open_zip
from .layout import IMAGE_SHAPE, SPLITS, DatasetError, check_counts, check_folder_name, split_and_label

MAX_MEMBERS = 100_000  # the real archive has 70,023 entries
MAX_TOTAL_BYTES = 1 << 30  # uncompressed; the real archive holds 36 MB
HEAD_BYTES = 1 << 20  # how much of a zip is hashed to notice a changed archive

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


@dataclass(frozen=True)
class Member:
    """A file of the archive: its POSIX name, declared size, mtime (folders only) and opener."""

    name: str
    size: int
    mtime_ns: int
    open: Callable[[], IO[bytes]]


# ---------------------------------------------------------------- listing


def zip_members(archive: zipfile.ZipFile, where: str) -> Iterator[Member]:
    """The files of an open zip, each checked; folder entries are checked and skipped."""
    for info in archive.infolist():
        check_zip_member(info, DatasetError, where)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DatasetError(f"refusing member {info.filename!r}: symbolic link")
        if info.is_dir():
            check_folder_name(info.filename.rstrip("/"))
            continue
        yield Member(info.filename, info.file_size, 0, _zip_opener(archive, info))


def _zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: archive.open(info)


def folder_members(root: Path) -> Iterator[Member]:
    """The files under an extracted folder, each checked like a zip's members.

    Links are followed only to regular files inside the folder; a link to a folder (which
    could repeat the tree or loop back to the root), a dangling link and a link loop are
    refused.
    """
    real_root = root.resolve()
    for folder, subfolders, files in os.walk(real_root, onerror=_walk_failed):
        subfolders.sort()
        for entry in subfolders:
            path = Path(folder, entry)
            name = path.relative_to(real_root).as_posix()
            if path.is_symlink():
                _resolve_inside(path, name, real_root, root)
                raise DatasetError(f"refusing {name!r} in {root}: symbolic link to a folder")
            check_folder_name(name)
        for entry in sorted(files):
            path = Path(folder, entry)
            name = path.relative_to(real_root).as_posix()
            target = _resolve_inside(path, name, real_root, root) if path.is_symlink() else path
            info = target.stat()
            if not stat.S_ISREG(info.st_mode):
                raise DatasetError(f"refusing {name!r} in {root}: {describe_kind(info.st_mode)}, not a regular file")
            yield Member(name, info.st_size, info.st_mtime_ns, _file_opener(target, name))


def _walk_failed(error: OSError) -> None:
    raise DatasetError(f"cannot list {error.filename}: {error.strerror or error}") from error


def _resolve_inside(path: Path, name: str, real_root: Path, root: Path) -> Path:
    """Where a symbolic link leads, if it leads to something inside the folder."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError as error:
        raise DatasetError(f"refusing {name!r} in {root}: dangling symbolic link") from error
    except (RuntimeError, OSError) as error:  # RuntimeError: a loop, before Python 3.13
        raise DatasetError(f"refusing {name!r} in {root}: symbolic link that cannot be followed ({error})") from error
    if not target.is_relative_to(real_root):
        raise DatasetError(f"refusing {name!r} in {root}: symbolic link leading outside the folder")
    return target


def _file_opener(path: Path, name: str) -> Callable[[], IO[bytes]]:
    return lambda: open_regular_file(path, DatasetError, f"the image {name!r}")


def checked_listing(members: Iterable[Member], where: str) -> list[Member]:
    """All members, listed up to the caps (count, then declared bytes) and no further."""
    listing = []
    for member in members:
        listing.append(member)
        if len(listing) > MAX_MEMBERS:
            raise DatasetError(f"refusing {where}: more than the cap of {MAX_MEMBERS} members")
    total_bytes = sum(member.size for member in listing)
    if total_bytes > MAX_TOTAL_BYTES:
        raise DatasetError(
            f"refusing {where}: {total_bytes} bytes uncompressed, more than the cap of {MAX_TOTAL_BYTES}"
        )
    return listing


# ---------------------------------------------------------------- reading


def read_images(members: Iterable[Member], where: str) -> list[tuple[str, str, int, bytes]]:
    """Every image as (name, split, label, png bytes), for a zip and a folder alike: the
    whole listing is checked first, then each member is read, never beyond the total cap."""
    wanted = []
    for member in checked_listing(members, where):
        place = split_and_label(member.name)
        if place is not None:
            wanted.append((member, *place))
    images = []
    budget = MAX_TOTAL_BYTES
    for member, split, label in wanted:
        try:
            with member.open() as handle:
                data = _read_limited(handle, min(member.size, budget), member.name)
        except _READ_ERRORS as error:
            raise DatasetError(f"member {member.name!r} of {where} is corrupt or unreadable: {error}") from error
        budget -= len(data)
        images.append((member.name, split, label, data))
    return images


def _read_limited(handle: IO[bytes], limit: int, name: str) -> bytes:
    """Read a member but never more than ``limit`` bytes, whatever its header claimed."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise DatasetError(f"member {name!r} holds more data than declared; total cap {MAX_TOTAL_BYTES} bytes")
    return data


def decode_png(name: str, data: bytes) -> np.ndarray:
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


def load_source(source: Path, counts: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test) decoded from a zip or an extracted folder."""
    if source.is_dir():
        members = read_images(folder_members(source), str(source))
    else:
        with _open_zip(source) as archive:
            members = read_images(zip_members(archive, str(source)), str(source))
    members.sort(key=lambda member: (member[1], member[2], member[0]))
    arrays = []
    for split in SPLITS:
        chosen = [member for member in members if member[1] == split]
        labels = np.array([member[2] for member in chosen], np.uint8)
        check_counts(split, labels, counts, str(source))  # before the slow part
        images = np.empty((len(chosen), *IMAGE_SHAPE), np.uint8)
        for index, (name, _, _, data) in enumerate(chosen):
            images[index] = decode_png(name, data)
        arrays += [images, labels]
    X_train, y_train, X_test, y_test = arrays
    return X_train, y_train, X_test, y_test


@contextlib.contextmanager
def _open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    with open_regular_file(path, DatasetError, "a zip archive") as file, \
            open_zip(file, DatasetError, str(path), "zip archive (corrupt or truncated?)") as archive:
        yield archive


def fingerprint(source: Path) -> dict:
    """What identifies a source cheaply: a changed size, mtime or first megabyte (a zip),
    or a changed listing (a folder) means the cache must be rebuilt."""
    if source.is_dir():
        listing = checked_listing(folder_members(source), str(source))
        digest = hashlib.sha256()
        for member in listing:
            digest.update(f"{member.name}\0{member.size}\0{member.mtime_ns}\n".encode())
        return {
            "kind": "folder",
            "size": sum(member.size for member in listing),
            "mtime_ns": max([member.mtime_ns for member in listing] + [source.stat().st_mtime_ns]),
            "sha256": digest.hexdigest(),
        }
    with open_regular_file(source, DatasetError, "a zip archive") as handle:
        info = os.fstat(handle.fileno())
        head = handle.read(HEAD_BYTES)
    return {
        "kind": "zip",
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "sha256": hashlib.sha256(head).hexdigest(),
    }
