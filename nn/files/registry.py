"""The only classes a model file may name, and turning a file's descriptions into objects.

Loading looks type names up in `REGISTRY` and nowhere else, so a file can never make
tensorgrad import or call anything; a class's refusal of its config (a ValueError naming
the argument) becomes a ModelFileError naming the header field.
"""
from __future__ import annotations

import inspect
from typing import Any

from ..activations import Linear, ReLU, Sigmoid, Softmax, Tanh
from ..convolution import AvgPool2D, Conv2D, MaxPool2D
from ..layers import Dense, Dropout, Flatten
from ..losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanAbsoluteError, MeanSquaredError
from ..metrics import CategoricalAccuracy, RegressionAccuracy
from ..optimizers import SGD, Adagrad, Adam, RMSprop
from .container import ModelFileError

REGISTRY: dict[str, dict[str, type[Any]]] = {
    role: {cls.__name__: cls for cls in classes}
    for role, classes in (
        ("layer", (Dense, Dropout, ReLU, Softmax, Sigmoid, Linear, Tanh, Conv2D, MaxPool2D, AvgPool2D, Flatten)),
        ("loss", (CategoricalCrossEntropy, BinaryCrossEntropy, MeanSquaredError, MeanAbsoluteError)),
        ("optimizer", (SGD, Adagrad, RMSprop, Adam)),
        ("accuracy", (CategoricalAccuracy, RegressionAccuracy)),
    )
}
"""nn's own classes by role ("layer", "loss", "optimizer", "accuracy") and name."""


def describe(obj: Any, role: str) -> dict | None:
    """`{"type": name, "config": obj.get_config()}` for an object of a registered class."""
    if obj is None:
        return None
    name = type(obj).__name__
    if REGISTRY[role].get(name) is not type(obj):
        raise TypeError(
            f"save: {type(obj).__qualname__} cannot be saved as a {role}; a model file may name only "
            f"nn's own {role} classes {sorted(REGISTRY[role])} (save_parameters works for any layers)"
        )
    return {"type": name, "config": obj.get_config()}


def registered_class(role: str, description: Any, where: str, place: str) -> tuple[type, dict[str, Any]]:
    """The registered class that `description` names and its config with the defaults
    filled in, checked against the constructor's signature; or a ModelFileError."""
    if not isinstance(description, dict) or set(description) != {"type", "config"}:
        raise ModelFileError(
            f"{where}: header '{place}': expected {{'type': ..., 'config': {{...}}}}, got {description!r:.80}")
    cls = REGISTRY[role].get(description["type"]) if isinstance(description["type"], str) else None
    if cls is None:
        raise ModelFileError(
            f"{where}: header '{place}': unknown {role} type {description['type']!r:.80}; "
            f"expected one of {sorted(REGISTRY[role])}"
        )
    return cls, bound_config(cls, description["config"], where, place)


def bound_config(cls: type, config: Any, where: str, place: str) -> dict[str, Any]:
    """`config` with the constructor's defaults filled in, if `cls(**config)` is a valid call."""
    if not isinstance(config, dict):
        raise ModelFileError(f"{where}: header '{place}': expected a config object, got {config!r:.80}")
    try:
        arguments = inspect.signature(cls).bind(**config)
    except TypeError as error:
        raise ModelFileError(f"{where}: header '{place}': {cls.__name__} refuses its config ({error})") from error
    arguments.apply_defaults()
    return dict(arguments.arguments)


def construct(cls: type, config: dict[str, Any], where: str, place: str) -> Any:
    """`cls(**config)`, with any refusal of the arguments turned into a ModelFileError."""
    try:
        return cls(**config)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{where}: header '{place}': {cls.__name__} refuses its config ({error})") from error
