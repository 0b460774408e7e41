"""Model files that cannot run code: a zip of `.npy` arrays described by a JSON header.

A file written here is a zip container (NumPy's `.npz` layout) with these members:

- `header.json`: `{"format": "tensorgrad-model", "version": 1, ..., "arrays": {name:
  {"dtype": "<f4", "shape": [2, 64]}}}` plus whatever the caller describes (architecture,
  settings, checkpoint state). JSON only: no code, no NaN.
- `<name>.npy` for every entry of `"arrays"`, and nothing else.

Reading treats the file as hostile. Nothing is ever unpickled (`allow_pickle=False` is
implied: object dtypes are refused from their `.npy` header, before any byte of data is
read), and nothing taken from the file is imported or looked up. Before any array is
allocated, `read_container` checks that the zip is valid, the header is JSON of a known
version, every member is present and no other is, each `.npy` header's dtype and shape
match the header, `prod(shape) * itemsize` matches the member's declared size, and the
total stays under `max_bytes`. Then it reads the data (the zip's CRC-32 checks each
member) and checks that floats are finite. Every failure is one `ModelFileError` naming
the file, the member and what was expected.

Writing is atomic (`atomic_write`): the bytes go to a temporary file in the target's
folder, are flushed and fsynced, and `os.replace` puts them in place, so a crash or a kill
leaves the old file or the new one, never a damaged one.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.lib import format as npy_format

FORMAT_NAME = "tensorgrad-model"
FORMAT_VERSION = 1
KNOWN_VERSIONS = (1,)
HEADER_MEMBER = "header.json"
MAX_ARRAY_BYTES = 1 << 30  # default cap on the sum of all arrays' sizes (1 GiB)
MAX_HEADER_BYTES = 1 << 20
MAX_ARRAYS = 10_000
# Little-endian numbers only: what a model holds. Anything else (objects, strings,
# structured records) is refused before its data is touched.
ALLOWED_DTYPES = ("<f2", "<f4", "<f8", "<i4", "<i8")

_NAME_PATTERN = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")
_MAX_NAME_LENGTH = 200
_NPY_HEADER_READERS = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
# What parsing untrusted zip/npy bytes can raise; each becomes a ModelFileError.
_PARSE_ERRORS = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
    NotImplementedError, RuntimeError, OverflowError, RecursionError,
)


class ModelFileError(ValueError):
    """A model file is missing, damaged, too large, or not what it claims to be."""


# ---------------------------------------------------------------- atomic writes


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file whose bytes replace `path` only if the block finishes.

    On Linux the file is first unnamed (`O_TMPFILE`), so a kill while writing leaves
    nothing behind; it gets a temporary name in the same folder only once it is complete
    and fsynced, and `os.replace` (atomic within a file system) moves it over `path`.
    Elsewhere a named temporary file is used and removed if the block raises.
    """
    target = Path(path)
    folder = target.parent
    unnamed = _open_unnamed(folder)
    if unnamed is None:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".partial")
    else:
        descriptor, temporary = unnamed, None
    try:
        with os.fdopen(descriptor, "wb") as file:
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
        return os.open(folder, flag | os.O_WRONLY | os.O_CLOEXEC, 0o666)
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


# ---------------------------------------------------------------- writing


def write_container(path: str | os.PathLike, header: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Atomically write `header` (JSON-able) and `arrays` as a model file at `path`.

    The header gains "format", "version" and the "arrays" table (dtype and shape of each);
    arrays are stored C-ordered and little-endian, so `read_container` gives them back.
    """
    reserved = {"format", "version", "arrays"} & set(header)
    if reserved:
        raise ValueError(f"header: keys {sorted(reserved)} are written by write_container itself")
    stored = {name: _storable(name, array) for name, array in arrays.items()}
    table = {name: {"dtype": array.dtype.str, "shape": list(array.shape)} for name, array in stored.items()}
    full_header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **header, "arrays": table}
    total = sum(array.nbytes for array in stored.values())
    if total > MAX_ARRAY_BYTES:
        raise ValueError(f"arrays: {total} bytes in all, more than a model file may hold ({MAX_ARRAY_BYTES})")
    try:
        header_bytes = json.dumps(full_header, allow_nan=False, indent=1).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise ValueError(f"header: must be JSON without NaN or inf ({error})") from error
    if len(header_bytes) > MAX_HEADER_BYTES:
        raise ValueError(f"header: {len(header_bytes)} bytes of JSON, more than {MAX_HEADER_BYTES}")
    with atomic_write(path) as file, zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(HEADER_MEMBER, header_bytes)
        for name, array in stored.items():
            with archive.open(f"{name}.npy", "w") as member:
                npy_format.write_array(member, array, allow_pickle=False)


def _storable(name: str, array: Any) -> np.ndarray:
    """`array` as a C-ordered little-endian ndarray of an allowed dtype, or a ValueError."""
    _check_name(name, ValueError, "arrays")
    array = np.asarray(array)
    little_endian = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
    if little_endian.str not in ALLOWED_DTYPES:
        raise ValueError(f"arrays[{name!r}]: dtype must be one of {ALLOWED_DTYPES}, got {array.dtype}")
    return np.asarray(array, dtype=little_endian, order="C")


def _check_name(name: Any, error: type[Exception], where: str) -> None:
    if not isinstance(name, str) or len(name) > _MAX_NAME_LENGTH or not _NAME_PATTERN.fullmatch(name):
        raise error(
            f"{where}: array names must be dotted words of letters, digits and '_' "
            f"(at most {_MAX_NAME_LENGTH} characters), got {name!r}"
        )


# ---------------------------------------------------------------- reading


def read_container(
    path: str | os.PathLike,
    check_header: Callable[[dict], None] | None = None,
    max_bytes: int = MAX_ARRAY_BYTES,
) -> tuple[dict, dict[str, np.ndarray]]:
    """Validate and read a model file: `(header, {name: array})`, or a `ModelFileError`.

    `check_header(header)` runs after the header and every `.npy` header are validated and
    before any array is read, so callers can refuse a file (by raising ModelFileError)
    without allocating its arrays.
    """
    where = str(path)
    try:
        with open(path, "rb") as file, zipfile.ZipFile(file) as archive:
            header = _read_header(archive, where, max_bytes)
            data_offsets = {name: _check_npy_header(archive, where, name, spec) for name, spec in header["arrays"].items()}
            if check_header is not None:
                check_header(header)
            arrays = {name: _read_array(archive, where, name, header["arrays"][name], offset)
                      for name, offset in data_offsets.items()}
    except ModelFileError:
        raise
    except _PARSE_ERRORS as error:
        raise ModelFileError(f"{where}: not a readable model file ({type(error).__name__}: {error})") from error
    return header, arrays


def _read_header(archive: zipfile.ZipFile, where: str, max_bytes: int) -> dict:
    """The validated header; also checks the zip's member list against it."""
    members = archive.infolist()
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise ModelFileError(f"{where}: the zip lists a member name twice; expected each member once")
    for info in members:
        if info.flag_bits & 0x1:
            raise ModelFileError(f"{where}: member '{info.filename}' is encrypted; expected plain members")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelFileError(
                f"{where}: member '{info.filename}' uses compression method {info.compress_type}; "
                f"expected stored (0) or deflated (8)"
            )
    if HEADER_MEMBER not in names:
        raise ModelFileError(f"{where}: member '{HEADER_MEMBER}' is missing; expected a {FORMAT_NAME} file")
    size = archive.getinfo(HEADER_MEMBER).file_size
    if size > MAX_HEADER_BYTES:
        raise ModelFileError(f"{where}: member '{HEADER_MEMBER}' declares {size} bytes; expected at most {MAX_HEADER_BYTES}")
    try:
        header = json.loads(archive.read(HEADER_MEMBER).decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:  # bad UTF-8, bad JSON, NaN, nesting too deep
        raise ModelFileError(f"{where}: member '{HEADER_MEMBER}' is not valid UTF-8 JSON ({error})") from error
    _check_header(header, where, max_bytes)
    expected = {HEADER_MEMBER} | {f"{name}.npy" for name in header["arrays"]}
    missing = sorted(expected - set(names))
    if missing:
        raise ModelFileError(f"{where}: member '{missing[0]}' is missing; the header lists it")
    unexpected = sorted(set(names) - expected)
    if unexpected:
        raise ModelFileError(f"{where}: member '{unexpected[0]}' is not listed in the header; expected only {sorted(expected)}")
    return header


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in a model file")


def _check_header(header: Any, where: str, max_bytes: int) -> None:
    place = f"{where}: member '{HEADER_MEMBER}'"
    if not isinstance(header, dict):
        raise ModelFileError(f"{place}: expected a JSON object, got {type(header).__name__}")
    if header.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{place}: expected format {FORMAT_NAME!r}, got {header.get('format')!r}")
    version = header.get("version")
    if type(version) is not int or version not in KNOWN_VERSIONS:
        raise ModelFileError(f"{place}: expected version in {KNOWN_VERSIONS}, got {version!r}; is the file from a newer tensorgrad?")
    table = header.get("arrays")
    if not isinstance(table, dict) or len(table) > MAX_ARRAYS:
        raise ModelFileError(f"{place}: expected 'arrays' to be an object of at most {MAX_ARRAYS} entries")
    total = 0
    for name, spec in table.items():
        _check_name(name, ModelFileError, place)
        if not isinstance(spec, dict) or set(spec) != {"dtype", "shape"}:
            raise ModelFileError(f"{place}: arrays[{name!r}] must be {{'dtype': ..., 'shape': [...]}}, got {spec!r}")
        if spec["dtype"] not in ALLOWED_DTYPES:
            raise ModelFileError(f"{place}: arrays[{name!r}] dtype must be one of {ALLOWED_DTYPES}, got {spec['dtype']!r}")
        shape = spec["shape"]
        if not isinstance(shape, list) or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
            raise ModelFileError(f"{place}: arrays[{name!r}] shape must be a list of non-negative ints, got {shape!r}")
        total += math.prod(shape) * np.dtype(spec["dtype"]).itemsize
    if total > max_bytes:
        raise ModelFileError(
            f"{place}: the arrays would take {total} bytes; expected at most {max_bytes} "
            f"(pass a larger max_bytes only for a file you trust)"
        )


def _check_npy_header(archive: zipfile.ZipFile, where: str, name: str, spec: dict) -> int:
    """Check a member's `.npy` header (not its data) against `spec`; return the data offset."""
    member = f"{name}.npy"
    place = f"{where}: member '{member}'"
    with archive.open(member) as stream:
        version = npy_format.read_magic(stream)
        if version not in _NPY_HEADER_READERS:
            raise ModelFileError(f"{place}: .npy format version {version}; expected 1.0 or 2.0")
        shape, fortran_order, dtype = _NPY_HEADER_READERS[version](stream)
        offset = stream.tell()
    if dtype.str != spec["dtype"]:
        raise ModelFileError(f"{place}: expected dtype {spec['dtype']}, got {dtype.str}")
    if list(shape) != spec["shape"]:
        raise ModelFileError(f"{place}: expected shape {tuple(spec['shape'])}, got {shape}")
    if fortran_order:
        raise ModelFileError(f"{place}: expected C order, got Fortran order")
    expected_size = offset + math.prod(shape) * dtype.itemsize
    declared = archive.getinfo(member).file_size
    if declared != expected_size:
        raise ModelFileError(f"{place}: expected {expected_size} bytes for shape {shape} of {dtype.str}, the zip declares {declared}")
    return offset


def _read_array(archive: zipfile.ZipFile, where: str, name: str, spec: dict, offset: int) -> np.ndarray:
    place = f"{where}: member '{name}.npy'"
    array = np.empty(spec["shape"], dtype=np.dtype(spec["dtype"]))
    with archive.open(f"{name}.npy") as stream:
        stream.read(offset)
        buffer = memoryview(array).cast("B") if array.size else memoryview(b"")
        filled = 0
        while filled < len(buffer):
            count = stream.readinto(buffer[filled:])
            if not count:
                raise ModelFileError(f"{place}: data ends after {filled} of {len(buffer)} bytes")
            filled += count
        if stream.read(1):  # also makes zipfile compare the CRC-32
            raise ModelFileError(f"{place}: more data than its shape {tuple(spec['shape'])} holds")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ModelFileError(f"{place}: expected finite values, found NaN or inf")
    return array
