"""class Tensor: an ndarray that remembers how it was computed.

Every operator and method here is one line that calls a primitive in `ops/` (which
records itself in the graph) or a composition in `functional/`. Imports run one way:
this module uses `autograd` and `ops`, which never import it; `functional` builds on
Tensor, so Tensor reaches it only when a composed method is called.
"""
from __future__ import annotations

import weakref
from typing import Any, Sequence

import numpy as np

from . import ops as _ops
from .autograd import run_backward

Axis = int | tuple[int, ...] | None


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Python numbers and lists become float32 (or int64/bool); ndarrays keep their dtype."""
    if dtype is not None:
        array = np.asarray(data, dtype=dtype)
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = np.asarray(data)
        if array.dtype.kind == "f":
            array = array.astype(np.float32)
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"Tensor data must be numeric (float, int or bool); got dtype {array.dtype}"
        )
    return array


def as_tensor(value: Any, like: "Tensor | None" = None) -> "Tensor":
    """Wrap a constant for an op. A Python scalar takes the dtype of the tensor it meets
    (so `2 * x` stays float32), like a weak scalar in NumPy and PyTorch."""
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, (int, float)) and like._data.dtype.kind == "f":
        return Tensor._make(np.asarray(value, dtype=like._data.dtype), None)
    return Tensor._make(_to_array(value), None)


class Tensor:
    """An n-dimensional array with automatic differentiation.

    `Tensor(data, requires_grad=False, dtype=None, name=None)`: floats and lists become
    float32, ndarrays keep their dtype (float64 stays float64) and are not copied.
    Mixed float32/float64 arithmetic follows NumPy's promotion (the result is float64).
    """

    __slots__ = ("_data", "_grad", "_requires_grad", "_node", "name", "__weakref__")
    __array_ufunc__ = None  # `ndarray + Tensor` defers to Tensor.__radd__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None) -> None:
        if isinstance(data, Tensor):
            data = data._data
        self._data = _to_array(data, dtype)
        self._grad = None
        self._node = None
        self._requires_grad = False
        self.requires_grad = requires_grad
        self.name = name

    @classmethod
    def _make(cls, data: np.ndarray, node: Any) -> "Tensor":
        """Fast constructor for op results: no checks, no copies."""
        tensor = cls.__new__(cls)
        tensor._data = data
        tensor._grad = None
        tensor._node = node
        tensor._requires_grad = node is not None
        tensor.name = None
        return tensor

    # ------------------------------------------------------------------ attributes
    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        value = value._data if isinstance(value, Tensor) else np.asarray(value)
        if value.shape != self._data.shape:
            raise ValueError(f"data: expected an array of shape {self._data.shape}, got {value.shape}")
        self._data = value

    @property
    def grad(self) -> np.ndarray | None:
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            value = np.asarray(value._data if isinstance(value, Tensor) else value)
            if value.shape != self._data.shape:
                raise ValueError(f"grad: expected shape {self._data.shape}, got {value.shape}")
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad=True needs a floating-point tensor; this one has dtype "
                f"{self._data.dtype} (gradients of integers are not defined)"
            )
        if not value and self._node is not None:
            raise RuntimeError("requires_grad can only be switched off on a leaf; use detach()")
        self._requires_grad = bool(value)

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self) -> Any:
        """The op that made this tensor (None for a leaf)."""
        return self._node

    shape = property(lambda self: self._data.shape)
    ndim = property(lambda self: self._data.ndim)
    dtype = property(lambda self: self._data.dtype)
    size = property(lambda self: self._data.size)
    T = property(lambda self: self.transpose())

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        extras = ""
        if self.name:
            extras += f", name={self.name!r}"
        if self._node is not None:
            extras += f", grad_fn={self._node.name}"
        elif self._requires_grad:
            extras += ", requires_grad=True"
        body = np.array2string(self._data, separator=", ", prefix="Tensor(")
        return f"Tensor({body}, dtype={self._data.dtype}{extras})"

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self._data)

    # ------------------------------------------------------------------ autograd
    def backward(self, grad: Any = None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf that requires grad.

        The graph's saved values are freed afterwards unless `retain_graph` (which
        defaults to `create_graph`, since a recorded backward pass still needs them).
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph; "
                "set requires_grad=True on the inputs you differentiate"
            )
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implied only for a single-element output; this "
                    f"output has shape {self._data.shape}, so pass grad= of that shape"
                )
            grad = np.ones(self._data.shape, self._data.dtype)
        else:
            grad = grad if create_graph and isinstance(grad, Tensor) else np.asarray(_raw(grad), dtype=self._data.dtype)
            if grad.shape != self._data.shape:
                raise ValueError(f"backward: grad must have the output's shape {self._data.shape}, got {grad.shape}")
        if create_graph and not isinstance(grad, Tensor):  # the recorded backward starts from a Tensor
            grad = Tensor._make(grad, None)
        retain = create_graph if retain_graph is None else retain_graph
        run_backward([self], [grad], retain_graph=retain, create_graph=create_graph)

    def retain_grad(self) -> None:
        """Keep this tensor's gradient in `.grad` after backward, although it is not a leaf
        (leaves that require grad always keep theirs), to look at an intermediate's gradient."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad, so it gets no gradient")
        if self._node is not None:
            self._node.retained = weakref.ref(self)  # weak: a dropped tensor retains nothing

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf that called retain_grad()."""
        return self._node is not None and self._node.retained is not None

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self._grad = None

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory)."""
        return Tensor._make(self._data, None)

    def numpy(self) -> np.ndarray:
        return self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(f"item: needs a single-element tensor, got shape {self._data.shape}")
        return self._data.item()

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> "Tensor":
        return _ops.Add.apply(self, as_tensor(other, self))

    def __radd__(self, other: Any) -> "Tensor":
        return _ops.Add.apply(as_tensor(other, self), self)

    def __sub__(self, other: Any) -> "Tensor":
        return _ops.Sub.apply(self, as_tensor(other, self))

    def __rsub__(self, other: Any) -> "Tensor":
        return _ops.Sub.apply(as_tensor(other, self), self)

    def __mul__(self, other: Any) -> "Tensor":
        return _ops.Mul.apply(self, as_tensor(other, self))

    def __rmul__(self, other: Any) -> "Tensor":
        return _ops.Mul.apply(as_tensor(other, self), self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _ops.Div.apply(self, as_tensor(other, self))

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _ops.Div.apply(as_tensor(other, self), self)

    def __pow__(self, other: Any) -> "Tensor":
        return _ops.Pow.apply(self, as_tensor(other, self))

    def __rpow__(self, other: Any) -> "Tensor":
        return _ops.Pow.apply(as_tensor(other, self), self)

    def __matmul__(self, other: Any) -> "Tensor":
        if isinstance(other, Tensor) and self._data.ndim >= 2 and other._data.ndim >= 2:
            return _ops.MatMul.apply(self, other)  # the common case; MatMul checks the shapes
        return _functional().matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _functional().matmul(other, self)

    def __neg__(self) -> "Tensor":
        return _ops.Neg.apply(self)

    def __getitem__(self, index: Any) -> "Tensor":
        return _ops.GetItem.apply(self, index=_plain_index(index))

    # comparisons give a bool Tensor with no graph (their derivative is zero almost everywhere)
    def __lt__(self, other: Any) -> "Tensor":
        return Tensor._make(self._data < _raw(other), None)

    def __le__(self, other: Any) -> "Tensor":
        return Tensor._make(self._data <= _raw(other), None)

    def __gt__(self, other: Any) -> "Tensor":
        return Tensor._make(self._data > _raw(other), None)

    def __ge__(self, other: Any) -> "Tensor":
        return Tensor._make(self._data >= _raw(other), None)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return Tensor._make(self._data == _raw(other), None)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return Tensor._make(self._data != _raw(other), None)

    # ------------------------------------------------------------------ reductions
    def sum(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return _ops.Sum.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return _functional().mean(self, axis, keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return _ops.Max.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return -((-self).max(axis, keepdims))

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> "Tensor":
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        return _ops.Transpose.apply(self, axes=_normalize_axis(axes, self.ndim, sort=False))

    def flatten(self) -> "Tensor":
        return self.reshape(-1)

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> "Tensor":
        return _ops.Exp.apply(self)

    def log(self) -> "Tensor":
        return _ops.Log.apply(self)

    def sqrt(self) -> "Tensor":
        return _ops.Pow.apply(self, as_tensor(0.5, self))

    def abs(self) -> "Tensor":
        return _ops.Abs.apply(self)

    def clip(self, lo: float | None, hi: float | None) -> "Tensor":
        return _ops.Clip.apply(self, lo=lo, hi=hi)

    def relu(self) -> "Tensor":
        return _functional().relu(self)

    def sigmoid(self) -> "Tensor":
        return _functional().sigmoid(self)

    def tanh(self) -> "Tensor":
        return _functional().tanh(self)

    def softmax(self, axis: int = -1) -> "Tensor":
        return _functional().softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> "Tensor":
        return _functional().log_softmax(self, axis)


def _raw(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _plain_index(index: Any) -> Any:
    """Indices may hold Tensors (of integers or bools); ops want ndarrays."""
    if isinstance(index, tuple):
        return tuple(_raw(part) for part in index)
    return _raw(index)


def _normalize_axis(axis: Axis | Sequence[int], ndim: int, sort: bool = True) -> tuple[int, ...] | None:
    """Axis as a tuple of non-negative ints (None means every axis), with a clear error."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
            raise ValueError(f"axis {a!r} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis!r} repeats an axis")
    return tuple(sorted(normalized)) if sort else tuple(normalized)


def _functional() -> Any:
    """The composed ops. They build on Tensor, so Tensor imports them when a composed
    method is first called rather than at import time (imports run one way)."""
    from . import functional

    return functional
