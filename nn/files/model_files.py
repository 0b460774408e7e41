"""Model files: a Model mapped to a container's header and arrays, and back.

A model file's header adds, to the container's fields:
  "kind":       "model", "checkpoint" or "parameters"
  "model":      Model.get_config(), e.g. {"seed": 0}
  "layers":     [{"type": "Dense", "config": {...}}, ...]       (Module.get_config())
  "loss", "optimizer", "accuracy": {"type", "config"} or null
  ("parameters" files hold only "layer_types": ["Dense", "ReLU", ...], as a note)
  "training":   {"epoch", "iterations", "current_learning_rate", "rng", "layer_rngs"}
                (checkpoints only: where training stopped, the optimizer's counters and
                the bit-generator states of the model's shuffling and of each Dropout)
and its arrays are the parameters by dotted name ("0.weights") plus, in a checkpoint,
each optimizer buffer as "optimizer.<buffer>.<parameter index>" ("optimizer.cache.0").

Loading reads in two phases: the checked header is turned into objects of registered
classes and checked against the arrays' table, then the arrays are read and assigned.
"""
from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from ..layers import Dropout
from ..module import Module
from ..optimizers import MAX_ITERATIONS
from .container import MAX_ARRAY_BYTES, ModelFileError, open_container, write_container
from .registry import bound_config, construct, describe, registered_class

_HEADER_KEYS = {
    "model": {"kind", "model", "layers", "loss", "optimizer", "accuracy"},
    "checkpoint": {"kind", "model", "layers", "loss", "optimizer", "accuracy", "training"},
    "parameters": {"kind", "layer_types"},
}
_TRAINING_KEYS = {"epoch", "iterations", "current_learning_rate", "rng", "layer_rngs"}
_RNG_ERRORS = (ValueError, TypeError, KeyError, OverflowError)


def save_model(model: Any, path: str | os.PathLike, *, checkpoint: bool = False) -> None:
    """Write `model` (an nn.Model of registered classes) as a model file; a `checkpoint`
    also holds the optimizer's state, the epoch count and the random generators. NaN or
    inf in a parameter or buffer raises a ValueError naming it, and leaves `path` as it was."""
    header: dict[str, Any] = {
        "kind": "checkpoint" if checkpoint else "model",
        "model": model.get_config(),
        "layers": [describe(layer, "layer") for layer in model.layers],
        **{role: describe(getattr(model, role), role) for role in ("loss", "optimizer", "accuracy")},
    }
    arrays = model.state_dict()
    if checkpoint:
        header["training"] = _training_state(model)
        for buffer, values in model.optimizer.state_dict()["buffers"].items():
            arrays.update((f"optimizer.{buffer}.{index}", value) for index, value in enumerate(values))
    write_container(path, header, arrays)


def _training_state(model: Any) -> dict:
    optimizer = model.optimizer
    if optimizer is None or [id(p) for p in optimizer.params] != [id(p) for p in model.parameters()]:
        raise ValueError(
            "save_checkpoint: the model needs an optimizer holding its parameters; call model.finalize() first")
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
    with open_container(path, max_bytes) as container:
        model, generators = _build(model_class, container.header, where, kinds)
        arrays = container.read_arrays()
    model.load_state_dict({name: arrays[name] for name, _ in model.named_parameters()})
    if container.header["kind"] == "checkpoint":
        training = container.header["training"]
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
    model = construct(model_class, bound_config(model_class, header["model"], where, "model"), where, "model")
    descriptions = header["layers"]
    if not isinstance(descriptions, list) or not descriptions:
        raise ModelFileError(f"{where}: header 'layers': expected a non-empty list, got {descriptions!r:.80}")
    layers = [registered_class("layer", description, where, f"layers[{index}]")
              for index, description in enumerate(descriptions)]
    _check_allocation(layers, header["arrays"], where)
    for index, (cls, config) in enumerate(layers):
        model.add(construct(cls, config, where, f"layers[{index}]"))
    settings = {}
    for role in ("loss", "optimizer", "accuracy"):
        if header[role] is not None:
            settings[role] = construct(*registered_class(role, header[role], where, role), where, role)
    model.set(**settings)
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


def _check_allocation(layers: list[tuple[type[Module], dict]], table: dict, where: str) -> None:
    """Building a layer allocates its parameters: before any is built, make sure the
    layers (asked through `parameter_shapes`) cannot take more than the arrays' table,
    itself capped, declares."""
    allocated = 0
    for index, (cls, config) in enumerate(layers):
        try:
            shapes = cls.parameter_shapes(**config)
        except (TypeError, ValueError) as error:
            raise ModelFileError(
                f"{where}: header 'layers[{index}]': {cls.__name__} refuses its config ({error})"
            ) from error
        allocated += sum(math.prod(shape) * np.dtype(dtype).itemsize for shape, dtype in shapes.values())
    declared = sum(math.prod(spec["shape"]) * np.dtype(spec["dtype"]).itemsize for spec in table.values())
    if allocated > declared:
        raise ModelFileError(
            f"{where}: header 'layers' would allocate {allocated} bytes of parameters; expected at most "
            f"the {declared} bytes its arrays declare"
        )


def _check_kind(header: dict, where: str, kinds: tuple[str, ...]) -> str:
    kind = header.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        hint = {"parameters": "; load it with model.load_parameters(path)",
                "model": "; load it with Model.load(path)"}.get(kind, "") if isinstance(kind, str) else ""
        raise ModelFileError(
            f"{where}: header 'kind': expected {' or '.join(map(repr, kinds))}, got {kind!r:.80}{hint}")
    keys = set(header) - {"format", "version", "arrays"}
    if keys != _HEADER_KEYS[kind]:
        raise ModelFileError(
            f"{where}: header of a {kind} file: expected keys {sorted(_HEADER_KEYS[kind])}, "
            f"missing {sorted(_HEADER_KEYS[kind] - keys)}, unexpected {sorted(keys - _HEADER_KEYS[kind])}"
        )
    return kind


def _check_table(table: dict, expected: dict[str, np.ndarray], where: str) -> None:
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
        if type(training[key]) is not int or not 0 <= training[key] <= MAX_ITERATIONS:
            raise ModelFileError(
                f"{place}: '{key}': expected an integer from 0 to 2**63 - 1, got {training[key]!r:.80}"
            )
    rate = training["current_learning_rate"]
    if type(rate) not in (int, float) or not 0 < rate < math.inf:
        raise ModelFileError(f"{place}: 'current_learning_rate': expected a finite number > 0, got {rate!r:.80}")
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
        raise ModelFileError(
            f"{place}: expected a PCG64 bit_generator.state ({type(error).__name__}: {error})") from error
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
    with open_container(path, max_bytes) as container:
        _check_kind(container.header, where, ("parameters",))
        _check_table(container.header["arrays"], expected, where)
        arrays = container.read_arrays()
    model.load_state_dict(arrays)
