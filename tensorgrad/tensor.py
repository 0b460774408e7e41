"""class Tensor: an ndarray that remembers how it was computed.

Every operator and method here is one line that calls a primitive in `ops/` (which
records itself in the graph) or a composition in `functional/`. Imports run one way:
this module uses `autograd` and `ops`, which never import it; `functional` builds on
Tensor, so Tensor reaches it only when a composed method is called.
"""
from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, overload

import numpy as np

from . import ops as _ops
from .autograd import run_backward
from .dtypes import common_cast, scalar_dtype

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


def as_tensor(value: Any, like: Tensor | None = None) -> Tensor:
    """Wrap a constant for an op. A Python number is weak, as in NumPy and PyTorch: next to
    `like` it takes like's dtype where it fits (so `2 * x` stays float32 and `n + 1` keeps
    an int32 tensor int32); see `dtypes.scalar_dtype`."""
    if isinstance(value, Tensor):
        return value
    if like is not None and type(value) in (bool, int, float):
        return Tensor._make(np.asarray(value, dtype=scalar_dtype(value, like._data.dtype)), None)
    return Tensor._make(_to_array(value), None)


def operands(a: Any, b: Any, floating: bool = False) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors in the dtypes of the one rule (`dtypes`);
    `floating` for ops that always give floats (true division, logaddexp)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a._data.dtype == b._data.dtype and (a._data.dtype.kind == "f" or not floating):
            return a, b  # the common case: two tensors of one dtype need no cast
    else:
        like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
        a, b = as_tensor(a, like), as_tensor(b, like)
    dtype = common_cast(a._data.dtype, b._data.dtype, floating)
    if dtype is None:
        return a, b
    return _cast(a, dtype), _cast(b, dtype)


def _cast(x: Tensor, dtype: Any) -> Tensor:
    """x in `dtype`; the rule only casts integer and bool tensors, which are never in a graph."""
    return x if x._data.dtype == dtype else Tensor._make(x._data.astype(dtype), None)


def _elementwise(op: Any) -> Any:
    """A method that applies the one-input primitive `op`, with op's docstring."""
    def method(self: Tensor) -> Tensor:
        return op.apply(self)

    method.__name__, method.__doc__ = op.__name__.lower(), op.__doc__
    return method


def _scan(op: Any) -> Any:
    """A method that runs the scan primitive `op` along one axis (default the last)."""
    def method(self: Tensor, axis: int = -1) -> Tensor:
        (normalized,) = _normalize_axis(axis, self.ndim)
        return op.apply(self, axis=normalized)

    method.__name__, method.__doc__ = op.__name__.lower(), op.__doc__
    return method


def _composed(name: str) -> Any:
    """A method that calls functional.<name>(self, ...), a composition."""
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(_functional(), name)(self, *args, **kwargs)

    method.__name__, method.__doc__ = name, f"functional.{name}(self, ...): see its docstring."
    return method


class Tensor:
    """An n-dimensional array with automatic differentiation.

    `Tensor(data, requires_grad=False, dtype=None, name=None)`: floats and lists become
    float32, ndarrays keep their dtype (float64 stays float64) and are not copied.
    Mixed float32/float64 arithmetic follows NumPy's promotion (the result is float64).
    """

    __slots__ = ("_data", "_grad", "_requires_grad", "_node", "name", "__weakref__")
    _data: np.ndarray
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
    def _make(cls, data: np.ndarray, node: Any) -> Tensor:
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

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory)."""
        return Tensor._make(self._data, None)

    def numpy(self) -> np.ndarray:
        return self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(f"item: needs a single-element tensor, got shape {self._data.shape}")
        return self._data.item()

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Tensor:
        return _ops.Add.apply(*operands(self, other))

    def __radd__(self, other: Any) -> Tensor:
        return _ops.Add.apply(*operands(other, self))

    def __sub__(self, other: Any) -> Tensor:
        return _ops.Sub.apply(*operands(self, other))

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.Sub.apply(*operands(other, self))

    def __mul__(self, other: Any) -> Tensor:
        return _ops.Mul.apply(*operands(self, other))

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.Mul.apply(*operands(other, self))

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.Div.apply(*operands(self, other, floating=True))

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.Div.apply(*operands(other, self, floating=True))

    def __pow__(self, other: Any) -> Tensor:
        return _ops.Pow.apply(*operands(self, other))

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.Pow.apply(*operands(other, self))

    def __mod__(self, other: Any) -> Tensor:
        return _ops.Mod.apply(*operands(self, other))

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.Mod.apply(*operands(other, self))

    def __floordiv__(self, other: Any) -> Tensor:
        return _functional().floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _functional().floor_divide(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor) and self._data.ndim >= 2 and other._data.ndim >= 2:
            return _ops.MatMul.apply(self, other)  # the common case; MatMul checks the shapes
        return _functional().matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _functional().matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.GetItem.apply(self, index=_plain_index(index))

    # comparisons give a bool Tensor with no graph (their derivative is zero almost everywhere)
    def __lt__(self, other: Any) -> Tensor:
        return Tensor._make(self._data < _raw(other), None)

    def __le__(self, other: Any) -> Tensor:
        return Tensor._make(self._data <= _raw(other), None)

    def __gt__(self, other: Any) -> Tensor:
        return Tensor._make(self._data > _raw(other), None)

    def __ge__(self, other: Any) -> Tensor:
        return Tensor._make(self._data >= _raw(other), None)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor._make(self._data == _raw(other), None)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor._make(self._data != _raw(other), None)

    # ------------------------------------------------------------------ reductions
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _ops.Sum.apply(self, axis=reduction_axes(axis, self.ndim), keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _functional().mean(self, axis, keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _ops.Max.apply(self, axis=extreme_axes("max", self.shape, axis), keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return _ops.Min.apply(self, axis=extreme_axes("min", self.shape, axis), keepdims=keepdims)

    prod, var, std, logsumexp = _composed("prod"), _composed("var"), _composed("std"), _composed("logsumexp")
    argmax, argmin, any, all = _composed("argmax"), _composed("argmin"), _composed("any"), _composed("all")
    cumsum, cumprod = _scan(_ops.Cumsum), _scan(_ops.Cumprod)
    sort, argsort, topk = _composed("sort"), _composed("argsort"), _composed("topk")

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        return _ops.Transpose.apply(self, axes=_normalize_axis(axes, self.ndim, sort=False))

    def flatten(self, start: int = 0, end: int = -1) -> Tensor:
        return self.reshape(-1) if (start, end) == (0, -1) else _functional().flatten(self, start, end)

    squeeze, unsqueeze, expand, unflatten = (
        _composed(name) for name in ("squeeze", "unsqueeze", "expand", "unflatten"))
    flip, roll, repeat, tile = (_composed(name) for name in ("flip", "roll", "repeat", "tile"))
    split, chunk, tril, triu, diagonal = (_composed(name) for name in ("split", "chunk", "tril", "triu", "diagonal"))
    gather, masked_fill = _composed("gather"), _composed("masked_fill")

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(
            "Tensors cannot be changed in place: an op in the graph may have saved this one for "
            "backward. Build a new tensor instead, e.g. tensorgrad.where(mask, value, x) or "
            "x.masked_fill(mask, value); to change a parameter's numbers, write to x.data[...]"
        )

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        return _ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return _ops.Pow.apply(*operands(self, 0.5))

    def abs(self) -> Tensor:
        return _ops.Abs.apply(self)

    def clip(self, lo: float | None, hi: float | None) -> Tensor:
        return _ops.Clip.apply(self, lo=lo, hi=hi)

    log1p, expm1, erf = _elementwise(_ops.Log1p), _elementwise(_ops.Expm1), _elementwise(_ops.Erf)
    sin, cos, tan = _elementwise(_ops.Sin), _elementwise(_ops.Cos), _elementwise(_ops.Tan)
    arcsin, arccos, arctan = _elementwise(_ops.Arcsin), _elementwise(_ops.Arccos), _elementwise(_ops.Arctan)
    sinh, cosh = _elementwise(_ops.Sinh), _elementwise(_ops.Cosh)
    sign, floor, ceil = _elementwise(_ops.Sign), _elementwise(_ops.Floor), _elementwise(_ops.Ceil)
    round, trunc = _elementwise(_ops.Round), _elementwise(_ops.Trunc)
    log2, log10, exp2 = _composed("log2"), _composed("log10"), _composed("exp2")
    isnan, isinf, isfinite = _composed("isnan"), _composed("isinf"), _composed("isfinite")

    def relu(self) -> Tensor:
        return _functional().relu(self)

    def sigmoid(self) -> Tensor:
        return _functional().sigmoid(self)

    def tanh(self) -> Tensor:
        return _functional().tanh(self)

    def softmax(self, axis: int = -1) -> Tensor:
        return _functional().softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return _functional().log_softmax(self, axis)

    softmin, normalize = _composed("softmin"), _composed("normalize")
    leaky_relu, elu, selu, gelu = _composed("leaky_relu"), _composed("elu"), _composed("selu"), _composed("gelu")
    silu, softplus, logsigmoid = _composed("silu"), _composed("softplus"), _composed("logsigmoid")
    softsign, hardtanh, relu6, mish = (
        _composed("softsign"), _composed("hardtanh"), _composed("relu6"), _composed("mish"))


def _raw(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _plain_index(index: Any) -> Any:
    """Indices may hold Tensors (of integers or bools); ops want ndarrays."""
    if isinstance(index, tuple):
        return tuple(_raw(part) for part in index)
    return _raw(index)


@overload
def _normalize_axis(axis: None, ndim: int, sort: bool = True) -> None: ...
@overload
def _normalize_axis(axis: int | np.integer | Sequence[int], ndim: int, sort: bool = True) -> tuple[int, ...]: ...
@overload
def _normalize_axis(axis: Axis | Sequence[int], ndim: int, sort: bool = True) -> tuple[int, ...] | None: ...
def _normalize_axis(axis: Axis | np.integer | Sequence[int], ndim: int, sort: bool = True) -> tuple[int, ...] | None:
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


def reduction_axes(axis: Axis | Sequence[int], ndim: int) -> tuple[int, ...] | None:
    """The axes of a reduction, as `_normalize_axis`; a 0-d tensor also accepts axis 0 and
    -1 (as NumPy and PyTorch do), which reduce nothing."""
    if ndim == 0 and axis is not None:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        if all(isinstance(a, (int, np.integer)) and a in (0, -1) for a in axes):
            return ()
    return _normalize_axis(axis, ndim)


def extreme_axes(name: str, shape: tuple[int, ...], axis: Axis) -> tuple[int, ...] | None:
    """`reduction_axes` for max, min, argmax and argmin, which have no value over no
    elements: an axis of length 0 is refused by name (NumPy's "zero-size array to
    reduction operation" names neither the axis nor the shape; PyTorch refuses it too)."""
    axes = reduction_axes(axis, len(shape))
    for a in range(len(shape)) if axes is None else axes:
        if shape[a] == 0:
            raise ValueError(f"{name}: axis={axis!r} reduces axis {a}, of length 0, of an input of shape {shape}: "
                             f"the {name} of no elements is undefined")
    return axes


def _functional() -> Any:
    """The composed ops. They build on Tensor, so Tensor imports them when a composed
    method is first called rather than at import time (imports run one way)."""
    from . import functional

    return functional
