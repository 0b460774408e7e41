"""Module: the building block that finds its own parameters. Sequential: modules in a row.

Assigning a leaf Tensor that requires grad to an attribute registers it as a parameter
(a computed Tensor, such as a cached output, is not one);
assigning a Module registers it as a child. So `parameters()`, `state_dict()` and
`train_mode()`/`eval()` reach every layer without any bookkeeping in the layers themselves.
Attributes live in the instance `__dict__` as usual (reads are plain Python, and a typo
raises AttributeError); the module only remembers which names are parameters and children.
"""
from __future__ import annotations

import inspect
from typing import Any
from collections.abc import Iterator

import numpy as np

from tensorgrad import Tensor


class _PathName(str):
    """A parameter's display name that a Module gave it (its dotted path), not the user."""


class Module:
    """Base class of layers, activations, losses and models.

    Subclasses call `super().__init__()` first, assign parameters and sub-modules as
    attributes, and define `forward`. `module(x)` runs `forward(x)`.
    """

    training: bool
    # set in __init__ with object.__setattr__ (before the registering __setattr__ can run)
    _parameter_names: dict[str, None]
    _child_names: dict[str, None]

    def __init__(self) -> None:
        # dicts used as ordered sets of attribute names
        object.__setattr__(self, "_parameter_names", {})
        object.__setattr__(self, "_child_names", {})
        self.training = True

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameter_names" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        named = False
        if isinstance(value, Tensor) and value.requires_grad and value.is_leaf:
            self._register(name, self._parameter_names, self._child_names)
            named = True
        elif isinstance(value, Module):
            self._register(name, self._child_names, self._parameter_names)
            named = True
        else:
            self._parameter_names.pop(name, None)
            self._child_names.pop(name, None)
        object.__setattr__(self, name, value)
        if named:
            self._name_parameters()

    @staticmethod
    def _register(name: str, registry: dict, other: dict) -> None:
        """Add `name` to `registry` (keeping its place when it is re-assigned)."""
        other.pop(name, None)
        registry.setdefault(name, None)

    def _name_parameters(self) -> None:
        """Show each parameter's dotted path ("0.weights") in draw_graph and explain.

        A parameter the user named keeps its name; one named by a module (a `_PathName`)
        takes the longer path when its module joins a parent.
        """
        for path, parameter in self.named_parameters():
            if parameter.name is None or isinstance(parameter.name, _PathName):
                parameter.name = _PathName(path)

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        self._parameter_names.pop(name, None)
        self._child_names.pop(name, None)

    def add_module(self, name: str, module: Module) -> None:
        """Register a child under a name that need not be an identifier ("0", "1", ...)."""
        if not isinstance(module, Module):
            raise TypeError(f"module must be a Module, got {type(module).__name__}")
        setattr(self, name, module)

    # ------------------------------------------------------------------ running
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ traversal
    def _named_modules(self) -> list[tuple[str, Module]]:
        """(prefix, module) for self and every descendant, depth first, each module once.

        The prefix is the dotted path followed by a dot ("" for self, "0." for a child).
        """
        result: list[tuple[str, Module]] = []
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            prefix, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            result.append((prefix, module))
            children = [(f"{prefix}{name}.", module.__dict__[name]) for name in module._child_names]
            stack.extend(reversed(children))
        return result

    def children(self) -> list[Module]:
        """The direct sub-modules, in assignment order."""
        unique = {id(child): child for child in (self.__dict__[name] for name in self._child_names)}
        return list(unique.values())

    def modules(self) -> list[Module]:
        """Self and all descendants, depth first (pre-order)."""
        return [module for _, module in self._named_modules()]

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        """(dotted name, parameter) pairs, e.g. "0.weights"; a shared parameter appears once."""
        result: list[tuple[str, Tensor]] = []
        seen: set[int] = set()
        for prefix, module in self._named_modules():
            for name in module._parameter_names:
                parameter = module.__dict__[name]
                if id(parameter) not in seen:
                    seen.add(id(parameter))
                    result.append((prefix + name, parameter))
        return result

    def parameters(self) -> list[Tensor]:
        """Every parameter once, in the order of `named_parameters()`."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (set it to None, so the next backward assigns)."""
        for parameter in self.parameters():
            parameter.grad = None

    def train_mode(self, mode: bool = True) -> Module:
        """Switch self and every descendant to training (or, with mode=False, evaluation).

        PyTorch calls this `train()`; here that name is the book's `Model.train(X, y)`,
        which trains, so the switch has a name of its own on every Module.
        """
        if not isinstance(mode, bool):
            raise TypeError(f"mode: expected a bool, got {type(mode).__name__}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch self and every descendant to evaluation mode (Dropout becomes identity)."""
        return self.train_mode(False)

    # ------------------------------------------------------------------ what a model asks of its layers
    @property
    def input_shape(self) -> tuple | None:
        """The shape of one sample this module takes (Dense: (n_inputs,); Conv2D:
        (in_channels, None, None), a None side being any length; (...,) for any number of
        axes), or None when it passes any input on unchanged in shape; a Model checks X
        against the first layer that has one."""
        return None

    @property
    def output_size(self) -> int | None:
        """The width of the rows this module returns (Dense: n_neurons), or None when it
        depends on the input; a Model reads the number of classes from its last one."""
        return None

    def regularization_penalty(self) -> Tensor | None:
        """This module's own penalty, added to the data loss (Dense: the book's L1/L2
        terms), or None when it has none; a layer of yours can offer one too."""
        return None

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values, by dotted name."""
        return {name: parameter.data.copy() for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy values into the parameters, in place, strictly.

        Every parameter must be present with its exact shape and dtype, and no other key
        may appear; otherwise a ValueError lists every problem and nothing is changed.
        """
        parameters = dict(self.named_parameters())
        problems = []
        missing = [name for name in parameters if name not in state]
        unexpected = [name for name in state if name not in parameters]
        if missing:
            problems.append(f"missing keys: {missing}")
        if unexpected:
            problems.append(f"unexpected keys: {unexpected}")
        for name, parameter in parameters.items():
            if name not in state:
                continue
            value = state[name]
            if not isinstance(value, np.ndarray):
                problems.append(f"{name}: expected an ndarray, got {type(value).__name__}")
            elif value.shape != parameter.shape:
                problems.append(f"{name}: shape mismatch, expected {parameter.shape}, got {value.shape}")
            elif value.dtype != parameter.dtype:
                problems.append(f"{name}: dtype mismatch, expected {parameter.dtype}, got {value.dtype}")
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict refused: " + "; ".join(problems))
        for name, parameter in parameters.items():
            np.copyto(parameter.data, state[name])

    @classmethod
    def parameter_shapes(cls, **config: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """The (shape, dtype) of each parameter `cls(**config)` would create, without
        creating it: a loader checks a file's architecture against the arrays it declares
        before allocating anything. Modules without parameters keep this default, {}."""
        return {}

    def get_config(self) -> dict[str, Any]:
        """JSON-able constructor arguments: `type(m)(**m.get_config())` rebuilds the module.

        Modules without constructor arguments (and containers, whose children are saved
        separately) return {}; a module with arguments must override this.
        """
        signature = inspect.signature(type(self).__init__)
        named = [
            p.name for p in list(signature.parameters.values())[1:]
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if named:
            raise NotImplementedError(
                f"{type(self).__name__} takes constructor arguments {named}; override get_config()"
            )
        return {}

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        """The constructor arguments that differ from their defaults, as `name=value`."""
        defaults = inspect.signature(type(self).__init__).parameters
        shown = [
            f"{name}={value!r}" for name, value in self.get_config().items()
            if name not in defaults or not _equals_default(value, defaults[name].default)
        ]
        return ", ".join(shown)

    def __repr__(self) -> str:
        children = [(name, self.__dict__[name]) for name in self._child_names]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)


def _equals_default(value: Any, default: Any) -> bool:
    """A config value equals its default; a dtype default (np.float32) equals its name."""
    if isinstance(default, type) and issubclass(default, np.generic):
        return isinstance(value, str) and np.dtype(default) == np.dtype(value)
    return value == default


class Sequential(Module):
    """Modules applied one after another: `Sequential(a, b, c)(x) == c(b(a(x)))`.

    Children are named "0", "1", ..., so parameters are named "0.weights", "0.biases", ...
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> Sequential:
        """Add a module at the end."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.append: module must be a Module, got {type(module).__name__}")
        self.add_module(str(len(self)), module)
        return self

    def forward(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x

    def __len__(self) -> int:
        return len(self._child_names)

    def __iter__(self) -> Iterator[Module]:
        return (self.__dict__[name] for name in self._child_names)

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self)
        if isinstance(index, slice):
            return Sequential(*modules[index])
        if not isinstance(index, (int, np.integer)) or not -len(modules) <= index < len(modules):
            raise IndexError(f"index must be an int in [-{len(modules)}, {len(modules)}), got {index!r}")
        return modules[index]
