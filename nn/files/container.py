"""The safe container: a zip of `.npy` arrays described by a JSON header, that cannot run code.

It knows arrays and JSON only; model files (`nn.files.model_files`) and the dataset cache
(`nn.datasets.cache`) are built on it. A file written here is a zip (NumPy's `.npz`
layout) with these members:

- `header.json`: `{"format": "tensorgrad-model", "version": 1, ..., "arrays": {name:
  {"dtype": "<f4", "shape": [2, 64]}}}` plus whatever the caller describes (architecture,
  settings, checkpoint state). JSON only: no code, no NaN, no number that overflows to inf.
- `<name>.npy` for every entry of `"arrays"`, and nothing else.

Reading treats the file as hostile and runs in two phases. `open_container` accepts only
a regular file, then checks, before any array is allocated, that the zip is valid with
plain members, the header is JSON of a known version, every member is present and no
other is, each `.npy` header's dtype and shape match the header, `prod(shape) * itemsize`
matches the member's declared size, and the total stays under `max_bytes`; it returns
the checked header, so a caller can refuse the file before the second phase,
`read_arrays()`, reads the data (the zip's CRC-32 checks each member) and checks that
floats are finite. Nothing is ever unpickled (object dtypes are refused from their
`.npy` header) and nothing taken from the file is imported or looked up. Every failure
is one `ModelFileError` naming the file, the member and what was expected.

Writing refuses NaN and inf (a file that reading would refuse is never written) and is
atomic (`nn.files.atomic.atomic_write`): an exception or a kill leaves the old file or
the new one, never a damaged one.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from .atomic import atomic_write
from .regular import open_regular_file
from .zip_members import check_zip_member, open_zip

FORMAT_NAME = "tensorgrad-model"
FORMAT_VERSION = 1
KNOWN_VERSIONS = (1,)
HEADER_MEMBER = "header.json"
MAX_ARRAY_BYTES = 1 << 30  # default cap on the sum of all arrays' sizes (1 GiB)
MAX_HEADER_BYTES = 1 << 20
MAX_ARRAYS = 10_000
# Little-endian numbers only: what a model holds, and bytes (images in the dataset cache).
# Anything else (objects, strings, structured records) is refused before its data is touched.
ALLOWED_DTYPES = ("<f2", "<f4", "<f8", "<i4", "<i8", "|u1")

_NAME_PATTERN = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")
_MAX_NAME_LENGTH = 200
_NPY_HEADER_READERS = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
# What parsing untrusted zip/npy bytes can raise; each becomes a ModelFileError.
_PARSE_ERRORS = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
    NotImplementedError, RuntimeError, OverflowError, RecursionError,
)


class ModelFileError(ValueError):
    """A model file is damaged, too large, or not what it claims to be (the message names
    the file, the member and what was expected)."""


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
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"arrays[{name!r}]: expected finite values, found NaN or inf; nothing was written")
    return np.asarray(array, dtype=little_endian, order="C")


def _check_name(name: Any, error: type[Exception], where: str) -> None:
    if not isinstance(name, str) or len(name) > _MAX_NAME_LENGTH or not _NAME_PATTERN.fullmatch(name):
        raise error(
            f"{where}: array names must be dotted words of letters, digits and '_' "
            f"(at most {_MAX_NAME_LENGTH} characters), got {name!r}"
        )


# ---------------------------------------------------------------- reading


class OpenContainer:
    """A container whose header and `.npy` headers have been checked, still open: `header`
    is the checked header; `read_arrays()` allocates and reads the arrays."""

    def __init__(self, archive: zipfile.ZipFile, where: str, header: dict, data_offsets: dict[str, int]) -> None:
        self.header = header
        self._archive = archive
        self._where = where
        self._data_offsets = data_offsets

    def read_arrays(self) -> dict[str, np.ndarray]:
        """Every array, read and checked (size, CRC-32, finite floats)."""
        with _as_model_file_error(self._where):
            return {name: _read_array(self._archive, self._where, name, self.header["arrays"][name], offset)
                    for name, offset in self._data_offsets.items()}


@contextlib.contextmanager
def open_container(path: str | os.PathLike, max_bytes: int = MAX_ARRAY_BYTES) -> Iterator[OpenContainer]:
    """Phase one of reading: the file checked up to its arrays' data, or a ModelFileError.

    Callers look at `container.header` (and may refuse the file by raising) before
    calling `container.read_arrays()`, so a refused file never has its arrays allocated.
    """
    where = str(path)
    with (
        open_regular_file(path, ModelFileError, "a model file") as file,
        open_zip(file, ModelFileError, where, "model file") as archive,
    ):
        with _as_model_file_error(where):
            header = _read_header(archive, where, max_bytes)
            data_offsets = {name: _check_npy_header(archive, where, name, spec)
                            for name, spec in header["arrays"].items()}
        yield OpenContainer(archive, where, header, data_offsets)


def read_container(path: str | os.PathLike, max_bytes: int = MAX_ARRAY_BYTES) -> tuple[dict, dict[str, np.ndarray]]:
    """Validate and read a whole container: `(header, {name: array})`, or a ModelFileError."""
    with open_container(path, max_bytes) as container:
        return container.header, container.read_arrays()


@contextlib.contextmanager
def _as_model_file_error(where: str) -> Iterator[None]:
    """Whatever parsing untrusted zip/npy/JSON bytes raises becomes one ModelFileError."""
    try:
        yield
    except ModelFileError:
        raise
    except _PARSE_ERRORS as error:
        raise ModelFileError(f"{where}: not a readable model file ({type(error).__name__}: {error})") from error


def _read_header(archive: zipfile.ZipFile, where: str, max_bytes: int) -> dict:
    """The validated header; also checks the zip's member list against it."""
    members = archive.infolist()
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise ModelFileError(f"{where}: the zip lists a member name twice; expected each member once")
    for info in members:
        check_zip_member(info, ModelFileError, where)
    if HEADER_MEMBER not in names:
        raise ModelFileError(f"{where}: not a tensorgrad model file: member '{HEADER_MEMBER}' is missing")
    size = archive.getinfo(HEADER_MEMBER).file_size
    if size > MAX_HEADER_BYTES:
        raise ModelFileError(
            f"{where}: member '{HEADER_MEMBER}' declares {size} bytes; expected at most {MAX_HEADER_BYTES}")
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
        raise ModelFileError(
            f"{where}: member '{unexpected[0]}' is not listed in the header; expected only {sorted(expected)}")
    return header


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in a model file")


def _non_finite_field(header: dict) -> str | None:
    """The dotted path of a number that JSON's unbounded range turned into inf (1e999), if
    any: such a number passes the no-Infinity rule but would train weights into NaN."""
    stack: list[tuple[str, Any]] = [(key, value) for key, value in header.items()]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return path
        if isinstance(value, dict):
            stack.extend((f"{path}.{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return None


def _check_header(header: Any, where: str, max_bytes: int) -> None:
    place = f"{where}: member '{HEADER_MEMBER}'"
    if not isinstance(header, dict):
        raise ModelFileError(f"{place}: expected a JSON object, got {type(header).__name__}")
    overflowing = _non_finite_field(header)
    if overflowing is not None:
        raise ModelFileError(f"{place}: field '{overflowing}' overflows to inf; expected a finite number")
    if header.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{place}: expected format {FORMAT_NAME!r}, got {header.get('format')!r}")
    version = header.get("version")
    if type(version) is not int or version not in KNOWN_VERSIONS:
        raise ModelFileError(
            f"{place}: expected version in {KNOWN_VERSIONS}, got {version!r}; is the file from a newer tensorgrad?")
    table = header.get("arrays")
    if not isinstance(table, dict) or len(table) > MAX_ARRAYS:
        raise ModelFileError(f"{place}: expected 'arrays' to be an object of at most {MAX_ARRAYS} entries")
    total = 0
    for name, spec in table.items():
        _check_name(name, ModelFileError, place)
        if not isinstance(spec, dict) or set(spec) != {"dtype", "shape"}:
            raise ModelFileError(f"{place}: arrays[{name!r}] must be {{'dtype': ..., 'shape': [...]}}, got {spec!r}")
        if spec["dtype"] not in ALLOWED_DTYPES:
            raise ModelFileError(
                f"{place}: arrays[{name!r}] dtype must be one of {ALLOWED_DTYPES}, got {spec['dtype']!r}")
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
        raise ModelFileError(
            f"{place}: expected {expected_size} bytes for shape {shape} of {dtype.str}, the zip declares {declared}")
    return offset


def _read_array(archive: zipfile.ZipFile, where: str, name: str, spec: dict, offset: int) -> np.ndarray:
    place = f"{where}: member '{name}.npy'"
    array = np.empty(spec["shape"], dtype=np.dtype(spec["dtype"]))
    with archive.open(f"{name}.npy") as stream:
        stream.read(offset)
        # numpy's stubs give ndarray the buffer protocol only from Python 3.12
        buffer = memoryview(array).cast("B") if array.size else memoryview(b"")  # type: ignore[arg-type]
        filled = 0
        while filled < len(buffer):
            count = stream.readinto(buffer[filled:])  # type: ignore[attr-defined]  # a ZipExtFile has it
            if not count:
                raise ModelFileError(f"{place}: data ends after {filled} of {len(buffer)} bytes")
            filled += count
        if stream.read(1):  # also makes zipfile compare the CRC-32
            raise ModelFileError(f"{place}: more data than its shape {tuple(spec['shape'])} holds")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ModelFileError(f"{place}: expected finite values, found NaN or inf")
    return array
