"""Model files that cannot run code: a zip of `.npy` arrays described by a JSON header.

Two layers: the container (`write_container`, `read_container`, `atomic_write`), which
knows arrays and JSON only, and model files on top of it (`save_model`, `load_model`,
`save_parameters`, `load_parameters`), which map a Model to a header and arrays and back
through a fixed registry of nn's classes. `Model.save`/`load`/... call the latter.

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
folder, are flushed and fsynced, and `os.replace` puts them in place, so an exception or a
kill leaves the old file or the new one, never a damaged one.
"""
from __future__ import annotations

import contextlib
import inspect
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

from .activations import Linear, ReLU, Sigmoid, Softmax, Tanh
from .convolution import AvgPool2D, Conv2D, MaxPool2D
from .layers import Dense, Dropout, Flatten
from .losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanAbsoluteError, MeanSquaredError
from .metrics import CategoricalAccuracy, RegressionAccuracy
from .optimizers import SGD, Adagrad, Adam, RMSprop

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
    """A model file is damaged, too large, or not what it claims to be (the message names
    the file, the member and what was expected)."""


# ---------------------------------------------------------------- atomic writes


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file whose bytes replace `path` only if the block finishes.

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
    with open(path, "rb") as file:  # a missing or unreadable path is an OSError, as usual
        try:
            with zipfile.ZipFile(file) as archive:
                header = _read_header(archive, where, max_bytes)
                data_offsets = {name: _check_npy_header(archive, where, name, spec)
                                for name, spec in header["arrays"].items()}
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
        raise ModelFileError(f"{where}: not a tensorgrad model file: member '{HEADER_MEMBER}' is missing")
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


# ---------------------------------------------------------------- models
#
# A model file's header adds, to the container's fields:
#   "kind":       "model", "checkpoint" or "parameters"
#   "model":      Model.get_config(), e.g. {"seed": 0}
#   "layers":     [{"type": "Dense", "config": {...}}, ...]       (Module.get_config())
#   "loss", "optimizer", "accuracy": {"type", "config"} or null
#   ("parameters" files hold only "layer_types": ["Dense", "ReLU", ...], as a note)
#   "training":   {"epoch", "iterations", "current_learning_rate", "rng", "layer_rngs"}
#                 (checkpoints only: where training stopped, the optimizer's counters and
#                 the bit-generator states of the model's shuffling and of each Dropout)
# and its arrays are the parameters by dotted name ("0.weights") plus, in a checkpoint,
# each optimizer buffer as "optimizer.<buffer>.<parameter index>" ("optimizer.cache.0").

REGISTRY: dict[str, dict[str, type]] = {
    role: {cls.__name__: cls for cls in classes}
    for role, classes in (
        ("layer", (Dense, Dropout, ReLU, Softmax, Sigmoid, Linear, Tanh, Conv2D, MaxPool2D, AvgPool2D, Flatten)),
        ("loss", (CategoricalCrossEntropy, BinaryCrossEntropy, MeanSquaredError, MeanAbsoluteError)),
        ("optimizer", (SGD, Adagrad, RMSprop, Adam)),
        ("accuracy", (CategoricalAccuracy, RegressionAccuracy)),
    )
}
"""The only classes a model file may name, by role: loading looks names up here and
nowhere else, so a file can never make tensorgrad import or call anything."""

_HEADER_KEYS = {
    "model": {"kind", "model", "layers", "loss", "optimizer", "accuracy"},
    "checkpoint": {"kind", "model", "layers", "loss", "optimizer", "accuracy", "training"},
    "parameters": {"kind", "layer_types"},
}
_TRAINING_KEYS = {"epoch", "iterations", "current_learning_rate", "rng", "layer_rngs"}
_RNG_ERRORS = (ValueError, TypeError, KeyError, OverflowError)


def save_model(model: Any, path: str | os.PathLike, *, checkpoint: bool = False) -> None:
    """Write `model` (an nn.Model of registered classes) as a model file; a `checkpoint`
    also holds the optimizer's state, the epoch count and the random generators."""
    header: dict[str, Any] = {
        "kind": "checkpoint" if checkpoint else "model",
        "model": model.get_config(),
        "layers": [_describe(layer, "layer") for layer in model.layers],
        **{role: _describe(getattr(model, role), role) for role in ("loss", "optimizer", "accuracy")},
    }
    arrays = model.state_dict()
    if checkpoint:
        header["training"] = _training_state(model)
        for buffer, values in model.optimizer.state_dict()["buffers"].items():
            arrays.update((f"optimizer.{buffer}.{index}", value) for index, value in enumerate(values))
    write_container(path, header, arrays)


def _describe(obj: Any, role: str) -> dict | None:
    if obj is None:
        return None
    name = type(obj).__name__
    if REGISTRY[role].get(name) is not type(obj):
        raise TypeError(
            f"save: {type(obj).__qualname__} cannot be saved as a {role}; a model file may name only "
            f"nn's own {role} classes {sorted(REGISTRY[role])} (save_parameters works for any layers)"
        )
    return {"type": name, "config": obj.get_config()}


def _training_state(model: Any) -> dict:
    optimizer = model.optimizer
    if optimizer is None or [id(p) for p in optimizer.params] != [id(p) for p in model.parameters()]:
        raise ValueError("save_checkpoint: the model needs an optimizer holding its parameters; call model.finalize() first")
    state = optimizer.state_dict()
    return {
        "epoch": model.epochs_trained,
        "iterations": state["iterations"],
        "current_learning_rate": state["current_learning_rate"],
        "rng": model.rng.bit_generator.state,
        "layer_rngs": {str(index): layer.rng.bit_generator.state for index, layer in _dropouts(model.layers)},
    }


def _dropouts(layers: list) -> list[tuple[int, Any]]:
    return [(index, layer) for index, layer in enumerate(layers) if isinstance(layer, Dropout)]


def load_model(model_class: type, path: str | os.PathLike, *, checkpoint: bool = False,
               max_bytes: int = MAX_ARRAY_BYTES) -> Any:
    """Rebuild a model from a "model" or "checkpoint" file (only a checkpoint if `checkpoint`).

    The header is turned into objects of registered classes and checked against the
    arrays' table before any array is read; a checkpoint also restores the optimizer's
    state, the epoch count and the random generators, so training resumes exactly.
    """
    where = str(path)
    kinds = ("checkpoint",) if checkpoint else ("model", "checkpoint")
    built: list = []
    header, arrays = read_container(path, lambda header: built.append(_build(model_class, header, where, kinds)), max_bytes)
    model, generators = built[0]
    model.load_state_dict({name: arrays[name] for name, _ in model.named_parameters()})
    if header["kind"] == "checkpoint":
        training = header["training"]
        model.optimizer.load_state_dict({
            "iterations": training["iterations"],
            "current_learning_rate": training["current_learning_rate"],
            "buffers": {buffer: [arrays[f"optimizer.{buffer}.{index}"] for index in range(len(model.optimizer.params))]
                        for buffer in model.optimizer.buffer_names},
        })
        model.epochs_trained = training["epoch"]
        for owner, generator in generators:
            owner.rng = generator
    return model


def _build(model_class: type, header: dict, where: str, kinds: tuple[str, ...]) -> tuple[Any, list]:
    """The model the header describes, finalized, with its table of arrays checked; and
    for a checkpoint the (owner, generator) pairs to install once the arrays are read."""
    kind = _check_kind(header, where, kinds)
    model = _construct(model_class, header["model"], where, "model")
    layers = header["layers"]
    if not isinstance(layers, list) or not layers:
        raise ModelFileError(f"{where}: header 'layers': expected a non-empty list, got {layers!r:.80}")
    # Building a layer allocates its parameters: first make sure that the layers cannot
    # ask for more than the arrays' table (itself capped) declares.
    allocated = sum(_parameter_bytes(description) for description in layers)
    declared = sum(math.prod(spec["shape"]) * np.dtype(spec["dtype"]).itemsize for spec in header["arrays"].values())
    if allocated > declared:
        raise ModelFileError(
            f"{where}: header 'layers' would allocate {allocated} bytes of parameters; expected at most "
            f"the {declared} bytes its arrays declare"
        )
    for index, description in enumerate(layers):
        model.add(_construct_registered("layer", description, where, f"layers[{index}]"))
    model.set(**{role: _construct_registered(role, header[role], where, role)
                 for role in ("loss", "optimizer", "accuracy") if header[role] is not None})
    if model.loss is not None and model.optimizer is not None:
        model.finalize()
    expected = {name: parameter.data for name, parameter in model.named_parameters()}
    generators: list = []
    if kind == "checkpoint":
        if model.optimizer is None:
            raise ModelFileError(f"{where}: header 'optimizer': a checkpoint needs one, got null")
        generators = _check_training(header["training"], model, where)
        expected.update((f"optimizer.{buffer}.{index}", parameter.data) for buffer in model.optimizer.buffer_names
                        for index, parameter in enumerate(model.optimizer.params))
    _check_table(header["arrays"], expected, where)
    return model, generators


def _check_kind(header: dict, where: str, kinds: tuple[str, ...]) -> str:
    kind = header.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        hint = {"parameters": "; load it with model.load_parameters(path)",
                "model": "; load it with Model.load(path)"}.get(kind, "") if isinstance(kind, str) else ""
        raise ModelFileError(f"{where}: header 'kind': expected {' or '.join(map(repr, kinds))}, got {kind!r}{hint}")
    keys = set(header) - {"format", "version", "arrays"}
    if keys != _HEADER_KEYS[kind]:
        raise ModelFileError(
            f"{where}: header of a {kind} file: expected keys {sorted(_HEADER_KEYS[kind])}, "
            f"missing {sorted(_HEADER_KEYS[kind] - keys)}, unexpected {sorted(keys - _HEADER_KEYS[kind])}"
        )
    return kind


def _construct_registered(role: str, description: Any, where: str, place: str) -> Any:
    """An object of the registered class that `description` names, or a ModelFileError."""
    if not isinstance(description, dict) or set(description) != {"type", "config"}:
        raise ModelFileError(f"{where}: header '{place}': expected {{'type': ..., 'config': {{...}}}}, got {description!r:.80}")
    cls = REGISTRY[role].get(description["type"]) if isinstance(description["type"], str) else None
    if cls is None:
        raise ModelFileError(
            f"{where}: header '{place}': unknown {role} type {description['type']!r:.80}; "
            f"expected one of {sorted(REGISTRY[role])}"
        )
    return _construct(cls, description["config"], where, place)


def _construct(cls: type, config: Any, where: str, place: str) -> Any:
    """`cls(**config)`, with any refusal of the arguments turned into a ModelFileError."""
    if not isinstance(config, dict):
        raise ModelFileError(f"{where}: header '{place}': expected a config object, got {config!r:.80}")
    try:
        inspect.signature(cls).bind(**config)
        return cls(**config)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{where}: header '{place}': {cls.__name__} refuses its config ({error})") from error


def _parameter_bytes(description: Any) -> int:
    """What building a described Dense or Conv2D layer allocates (0 for other layers or bad
    configs, which the constructor then refuses)."""
    if not isinstance(description, dict) or not isinstance(description.get("config"), dict):
        return 0
    config = description["config"]
    if description.get("type") == "Dense":
        sizes = [config.get("n_inputs"), config.get("n_neurons")]
    elif description.get("type") == "Conv2D":
        kernel = config.get("kernel_size")
        kernel = kernel if isinstance(kernel, list) and len(kernel) == 2 else [kernel, kernel]
        sizes = [config.get("in_channels"), config.get("out_channels"), *kernel]
    else:
        return 0
    if not all(type(size) is int and size >= 1 for size in sizes):
        return 0
    try:
        itemsize = np.dtype(config.get("dtype", "float32")).itemsize
    except TypeError:
        return 0
    inputs_per_output = sizes[0] if len(sizes) == 2 else sizes[0] * sizes[2] * sizes[3]
    return (inputs_per_output + 1) * sizes[1] * itemsize


def _check_table(table: dict, expected: Mapping[str, np.ndarray], where: str) -> None:
    """The file's arrays must be exactly the model's, with the same shapes and dtypes."""
    missing = [name for name in expected if name not in table]
    unexpected = [name for name in table if name not in expected]
    if missing or unexpected:
        raise ModelFileError(
            f"{where}: header 'arrays' does not fit the architecture: missing {missing}, unexpected {unexpected}"
        )
    for name, array in expected.items():
        spec = table[name]
        if spec["shape"] != list(array.shape) or spec["dtype"] != array.dtype.str:
            raise ModelFileError(
                f"{where}: member '{name}.npy': shape mismatch, the model expects shape {array.shape} "
                f"of {array.dtype.str}, the file holds {tuple(spec['shape'])} of {spec['dtype']}"
            )


def _check_training(training: Any, model: Any, where: str) -> list[tuple[Any, np.random.Generator]]:
    """Validate a checkpoint's training state; return (owner, generator) pairs to install."""
    place = f"{where}: header 'training'"
    if not isinstance(training, dict) or set(training) != _TRAINING_KEYS:
        raise ModelFileError(f"{place}: expected an object with keys {sorted(_TRAINING_KEYS)}")
    for key in ("epoch", "iterations"):
        if type(training[key]) is not int or training[key] < 0:
            raise ModelFileError(f"{place}: '{key}' must be an int >= 0, got {training[key]!r:.80}")
    rate = training["current_learning_rate"]
    if type(rate) not in (int, float) or not 0 < rate < math.inf:
        raise ModelFileError(f"{place}: 'current_learning_rate' must be a positive finite number, got {rate!r:.80}")
    owners = {str(index): layer for index, layer in _dropouts(model.layers)}
    states = training["layer_rngs"]
    if not isinstance(states, dict) or set(states) != set(owners):
        raise ModelFileError(f"{place}: 'layer_rngs' must hold the states of the Dropout layers {sorted(owners)}")
    pairs = [(model, _generator(training["rng"], f"{place}: 'rng'"))]
    pairs += [(owners[key], _generator(state, f"{place}: 'layer_rngs'[{key!r}]")) for key, state in states.items()]
    return pairs


def _generator(state: Any, place: str) -> np.random.Generator:
    """A new generator in `state` (a PCG64 `bit_generator.state`), or a ModelFileError."""
    generator = np.random.default_rng()
    try:
        generator.bit_generator.state = state
    except _RNG_ERRORS as error:
        raise ModelFileError(f"{place}: expected a PCG64 bit_generator.state ({type(error).__name__}: {error})") from error
    return generator


def save_parameters(model: Any, path: str | os.PathLike) -> None:
    """Write only the parameters, by dotted name; works for any layers, nn's or yours.
    The layers' class names are kept as a note for people reading the header."""
    header = {"kind": "parameters", "layer_types": [type(layer).__name__ for layer in model.layers]}
    write_container(path, header, model.state_dict())


def load_parameters(model: Any, path: str | os.PathLike, *, max_bytes: int = MAX_ARRAY_BYTES) -> None:
    """Copy a parameters file into `model`: names, shapes and dtypes must all match, and
    the model is changed only once the whole file has been read and checked."""
    where = str(path)
    expected = {name: parameter.data for name, parameter in model.named_parameters()}

    def check(header: dict) -> None:
        _check_kind(header, where, ("parameters",))
        _check_table(header["arrays"], expected, where)

    _, arrays = read_container(path, check, max_bytes)
    model.load_state_dict(arrays)
