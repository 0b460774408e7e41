"""One way to write a file safely: the new bytes replace the target only once complete.

Model files, the downloaded dataset archive and the dataset cache all go through
`atomic_write`, so each gets the same guarantee: an exception or a kill at any moment
leaves the old file or the new one, never a damaged one, and a power cut cannot leave a
renamed file whose data never reached the disk (both the file and its folder are fsynced).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file (readable too, to check what was written) whose bytes replace
    `path` only if the block finishes.

    On Linux the file is first unnamed (`O_TMPFILE`), so a kill while writing leaves
    nothing behind; it gets a temporary name in the same folder only once it is complete
    and fsynced, and `os.replace` (atomic within a file system) moves it over `path` at
    once. Elsewhere a named temporary file is used and removed if the block raises (a
    kill can leave it behind there).
    """
    target = Path(path)
    folder = target.parent
    unnamed = _open_unnamed(folder)
    if unnamed is None:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".partial")
    else:
        descriptor, temporary = unnamed, None
    try:
        with os.fdopen(descriptor, "w+b") as file:
            yield file
            file.flush()
            os.fsync(descriptor)
            if temporary is None:
                temporary = _link_unnamed(descriptor, folder, target.name)
        os.replace(temporary, target)
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
        raise
    _fsync_folder(folder)


def _open_unnamed(folder: Path) -> int | None:
    """A file descriptor of a new unnamed file in `folder`, or None where unsupported."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        return os.open(folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o666)
    except OSError:  # the file system does not support it
        return None


def _link_unnamed(descriptor: int, folder: Path, stem: str) -> str:
    """Give the unnamed file a temporary name in `folder` and return its path."""
    name = f".{stem}.{secrets.token_hex(8)}.partial"
    folder_descriptor = os.open(folder, os.O_RDONLY)
    try:
        # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd names an O_TMPFILE file; os.link uses
        # linkat (rather than link, which would refuse) only when given a dir_fd.
        os.link(f"/proc/self/fd/{descriptor}", name, dst_dir_fd=folder_descriptor, follow_symlinks=True)
    finally:
        os.close(folder_descriptor)
    return os.path.join(folder, name)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened on Windows."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
