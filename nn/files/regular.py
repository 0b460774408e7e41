"""Open a file for reading only if it is a regular file, so a hostile path cannot hang
or exhaust a reader: a FIFO blocks `open` forever, and /dev/zero or /dev/urandom never
end (zipfile reads the whole "file" to find its end record)."""
from __future__ import annotations

import os
import stat
from typing import BinaryIO

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
# Opening never waits for a FIFO's writer; for a regular file the flag changes nothing.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def open_regular_file(path: str | os.PathLike, error: type[Exception], what: str) -> BinaryIO:
    """`path` opened for binary reading, after links are followed, if it is a regular file.

    Anything else (a directory, FIFO, device, socket, a symbolic-link loop, an unreadable
    file) raises `error` naming the path and saying what it is instead of `what` (e.g.
    "a model file"). A path that does not exist is still a FileNotFoundError (or
    NotADirectoryError, when a folder on the way is a file). The type is
    checked before opening (devices are never opened) and again on the open descriptor,
    in case the path was swapped in between.
    """
    descriptor = None
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            descriptor = os.open(path, _OPEN_FLAGS)
            mode = os.fstat(descriptor).st_mode
    except (FileNotFoundError, NotADirectoryError):  # no such path: not for the caller to judge
        raise
    except OSError as problem:  # a link loop, a name too long, no permission, ...
        raise error(f"{path}: cannot open it as {what} ({problem.strerror or problem})") from problem
    if descriptor is None or not stat.S_ISREG(mode):
        if descriptor is not None:
            os.close(descriptor)
        raise error(f"{path}: is {describe_kind(mode)}, not a regular file; expected {what}")
    return os.fdopen(descriptor, "rb")


def describe_kind(mode: int) -> str:
    """What a non-regular file is, for messages: "a directory", "a FIFO (named pipe)", ..."""
    return _KINDS.get(stat.S_IFMT(mode), "a special file")
