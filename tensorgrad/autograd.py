"""The graph machinery: grad mode, the Function/Context node, unbroadcast, iterative backward.

A recorded op is one `Function` instance: it *is* the context of its backward rule (it
holds the inputs, what `save_for_backward` kept and the non-tensor parameters). A tensor
made by a recorded op points at that node; leaves point at nothing. `backward` orders the
nodes with an iterative depth-first search and walks them once, in reverse topological
order, so a chain of a million ops needs no recursion and linear time.

Backward rules are written with operators that ndarrays and Tensors share (`*`, `@`,
`.sum`, `.reshape`, ...). Normally they receive ndarrays and run at NumPy speed; with
`create_graph=True` they receive Tensors, so the backward pass is itself recorded and can
be differentiated again.
"""
from __future__ import annotations

import functools
import gc
import itertools
import operator
import os
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import numpy as np


# --------------------------------------------------------------------------- grad mode

class _GradMode:
    """Process-wide switches; read on every op, so they are plain class attributes."""

    enabled = True
    anomaly = False


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return _GradMode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode and restores the previous one."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_GradMode.enabled)
        _GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.previous.pop()

    def __call__(self, function: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _SetGradMode(mode):
                return function(*args, **kwargs)

        return wrapper


def no_grad() -> _SetGradMode:
    """Record nothing inside: for evaluation, prediction and optimizer updates."""
    return _SetGradMode(False)


def enable_grad() -> _SetGradMode:
    """Record again inside a `no_grad` block."""
    return _SetGradMode(True)


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Make backward raise at the first op whose gradient holds NaN or inf.

    Inside the block every recorded op also remembers the line of user code that
    created it, so the error can point at it. This costs time; use it to debug.
    """
    previous = _GradMode.anomaly
    _GradMode.anomaly = True
    try:
        yield
    finally:
        _GradMode.anomaly = previous


# --------------------------------------------------------------------------- unbroadcast

def unbroadcast(grad: Any, shape: tuple) -> Any:
    """Sum a gradient back to `shape`, undoing NumPy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of length 1, so
    the chain rule adds up the gradient along exactly those axes. This is the one place
    in tensorgrad where that happens. Works on ndarrays and on Tensors alike.
    """
    if grad.shape == shape:
        return grad
    lead = len(grad.shape) - len(shape)
    if lead < 0 or any(n != 1 and n != grad.shape[lead + i] for i, n in enumerate(shape)):
        raise ValueError(f"unbroadcast: gradient of shape {grad.shape} cannot be reduced to shape {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    summed = grad.sum(axis=axes, keepdims=True)
    return summed if summed.shape == shape else summed.reshape(shape)


# --------------------------------------------------------------------------- Function

_NOTHING_NEEDED = (False,) * 64
_SHARED_NEEDS = {needs: needs for arity in (1, 2, 3) for needs in itertools.product((False, True), repeat=arity)}
"""One tuple per pattern of needs_input_grad: fewer live objects for the garbage collector."""
_data_of = operator.attrgetter("_data")
_requires_grad_of = operator.attrgetter("_requires_grad")


class Function:
    """One primitive op. Subclasses define `forward(ctx, *arrays, **params)` and
    `backward(ctx, grad)`, returning one gradient per tensor input (None where unneeded).

    An instance is the node in the graph and the `ctx` of its own rules.
    """

    __slots__ = ("inputs", "needs_input_grad", "saved_tensors", "_output", "_freed", "_origin", "__dict__")

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the op on Tensors, recording a node when grad mode is on and an input needs it."""
        try:
            arrays = list(map(_data_of, inputs))
        except AttributeError:  # a Python number or an ndarray among the inputs
            like = next((x for x in inputs if isinstance(x, Tensor)), None)
            inputs = tuple(as_tensor(x, like) for x in inputs)
            arrays = list(map(_data_of, inputs))
        ctx = cls.__new__(cls)
        ctx.saved_tensors = ()
        record = False
        if _GradMode.enabled:
            needs = tuple(map(_requires_grad_of, inputs))
            needs = _SHARED_NEEDS.get(needs, needs)
            record = True in needs
        ctx.needs_input_grad = needs if record else _NOTHING_NEEDED
        try:
            out = cls.forward(ctx, *arrays, **params)
        except ValueError as error:  # shapes that do not fit: say which op and which shapes
            shapes = " and ".join(str(a.shape) for a in arrays)
            raise ValueError(f"{cls.__name__.lower()}: inputs of shapes {shapes} do not fit: {error}") from None
        if not record:
            return Tensor._make(out, None)
        ctx.inputs = inputs
        ctx._output = out
        ctx._freed = False
        ctx._origin = _user_frame() if _GradMode.anomaly else None
        return Tensor._make(out, ctx)

    @staticmethod
    def forward(ctx: Any, *arrays: np.ndarray, **params: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple:
        raise NotImplementedError

    def save_for_backward(self, *values: Any) -> None:
        """Keep values for backward (`ctx.saved_tensors`). Inputs and the output are swapped
        for their Tensors when the backward pass is recorded (create_graph=True)."""
        self.saved_tensors = values

    def _saved_as_tensors(self) -> tuple:
        """The saved values with inputs/outputs as Tensors, so a recorded backward links to them."""
        by_identity = {id(t._data): t for t in self.inputs}
        output = None
        swapped = []
        for value in self.saved_tensors:
            if value is self._output:
                output = output or Tensor._make(self._output, self)
                swapped.append(output)
            else:
                swapped.append(by_identity.get(id(value), value))
        return tuple(swapped)

    def _free(self) -> None:
        """Drop what backward needed, so the graph's memory goes as soon as it is used."""
        self.saved_tensors = ()
        self._output = None
        self.inputs = ()
        self._freed = True
        if self.__dict__:
            self.__dict__.clear()

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}>"


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time: its saved values were freed by "
    "the first backward. Call backward(retain_graph=True) the first time if you need to."
)


class _NoContext:
    """A ctx that remembers nothing: lets a backward rule call an op's forward directly on
    ndarrays (the fast path) without recording."""

    __slots__ = ()
    needs_input_grad = _NOTHING_NEEDED

    def save_for_backward(self, *values: Any) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass


NO_CONTEXT = _NoContext()


def call(op: type[Function], x: Any, *args: Any, **params: Any) -> Any:
    """Run `op` on a Tensor (recorded) or on an ndarray (plain NumPy): how backward rules
    use ops that ndarrays have no operator for, in both fast and create_graph mode."""
    if isinstance(x, Tensor):
        return op.apply(x, *args, **params)
    return op.forward(NO_CONTEXT, x, *args, **params)


_PACKAGE_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_frame() -> str:
    """The innermost stack frame outside the tensorgrad package, as 'file:line in function: code'."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_FOLDER):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "<unknown>"


# --------------------------------------------------------------------------- backward

def _topological_order(roots: Sequence[Function]) -> list[Function]:
    """Nodes reachable from `roots`, each before every node that produced its inputs.

    Iterative depth-first search: a node is pushed once to be expanded and once more to
    be emitted after all its producers (post-order); reversing that order gives
    consumers first. No recursion, so no limit on depth; linear in the graph's size.
    """
    order: list[Function] = []
    visited: set[int] = set()
    stack = [(root, False) for root in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        if node._freed:
            raise RuntimeError(_FREED_MESSAGE)
        visited.add(id(node))
        stack.append((node, True))
        for tensor in node.inputs:
            parent = tensor._node
            if parent is not None and id(parent) not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def run_backward(
    outputs: Sequence[Any],
    output_grads: Sequence[Any],
    retain_graph: bool = False,
    create_graph: bool = False,
    capture: Sequence[Any] | None = None,
) -> list[Any] | None:
    """Apply the chain rule from `outputs` back through the graph.

    Without `capture`, gradients of leaves that require grad are accumulated into their
    `.grad` (with `+=`, as repeated calls should). With `capture` (a list of tensors),
    nothing is accumulated: the gradients of exactly those tensors are returned.
    """
    if create_graph:
        output_grads = [g if isinstance(g, Tensor) else Tensor._make(g, None) for g in output_grads]
    grads: dict[int, Any] = {}  # id(node) -> gradient of the node's output, summed over uses
    captured: dict[int, Any] = {}
    capture_keys = None
    if capture is not None:
        capture_keys = {id(t._node) if t._node is not None else id(t) for t in capture}
    for out, grad in zip(outputs, output_grads):
        if out._node is not None:
            _add_to(grads, id(out._node), grad)
        elif capture_keys is not None:
            if id(out) in capture_keys:
                _add_to(captured, id(out), grad)
        elif out._requires_grad:
            _accumulate_leaf(out, grad, owned=False)
    collector_was_enabled = gc.isenabled()
    gc.disable()  # see _backward_node's docstring
    try:
        with _SetGradMode(create_graph):
            order = _topological_order([out._node for out in outputs if out._node is not None])
            if capture_keys is not None:
                order = _leading_to(order, capture_keys)
            for node in order:
                grad = grads.pop(id(node), None)
                if capture_keys is not None and id(node) in capture_keys:
                    captured[id(node)] = grad
                if grad is not None:
                    _backward_node(node, grad, grads, captured, capture_keys, create_graph)
                if not retain_graph:
                    node._free()
    finally:
        if collector_was_enabled:
            gc.enable()
    if capture is None:
        return None
    return [captured.get(id(t._node) if t._node is not None else id(t)) for t in capture]


def _leading_to(order: list[Function], targets: set[int]) -> list[Function]:
    """The nodes of `order` from which a target (a node id or a leaf id) can be reached:
    `grad(outputs, inputs)` runs only those, and leaves the rest of the graph untouched."""
    leads: set[int] = set()
    for node in reversed(order):  # producers before consumers
        if id(node) in targets or any(
            id(t._node if t._node is not None else t) in targets or id(t._node) in leads for t in node.inputs
        ):
            leads.add(id(node))
    return [node for node in order if id(node) in leads]


def _backward_node(node, grad, grads, captured, capture_keys, create_graph) -> None:
    """Run one node's rule and send each input's gradient on: to its producer, or into
    the leaf's `.grad` (or the captured results).

    Python's cyclic garbage collector is paused during the walk (run_backward): the walk
    frees the graph rather than making garbage cycles, yet its many small allocations
    would trigger collections that scan every live object, the whole graph included; for
    long graphs that was the largest cost.
    """
    if create_graph:
        saved = node.saved_tensors
        node.saved_tensors = node._saved_as_tensors()
        input_grads = node.backward(node, grad)
        node.saved_tensors = saved
    else:
        input_grads = node.backward(node, grad)
    if _GradMode.anomaly:
        _check_finite(node, input_grads)
    for tensor, input_grad in zip(node.inputs, input_grads):
        if input_grad is None or not tensor._requires_grad:
            continue
        reduced = input_grad.shape != tensor._data.shape
        if reduced:  # unbroadcast's sum makes a fresh array
            input_grad = unbroadcast(input_grad, tensor._data.shape)
        parent = tensor._node
        if parent is not None:
            key = id(parent)
            grads[key] = grads[key] + input_grad if key in grads else input_grad
        elif capture_keys is None:
            owned = not isinstance(input_grad, Tensor) and (reduced or (
                input_grad is not grad and input_grad.base is None
                and sum(1 for other in input_grads if other is input_grad) == 1))
            _accumulate_leaf(tensor, input_grad, owned)
        elif id(tensor) in capture_keys:
            _add_to(captured, id(tensor), input_grad)


def _add_to(sums: dict, key: int, grad: Any) -> None:
    """sums[key] += grad, out of place: the arrays in `sums` may be shared with others."""
    sums[key] = sums[key] + grad if key in sums else grad


def _accumulate_leaf(tensor: Any, grad: Any, owned: bool) -> None:
    """`tensor.grad += grad`. The first gradient is kept without a copy when it is `owned`:
    a fresh array nobody else holds (not a view, not the upstream gradient, not returned
    for two inputs), so later `+=` cannot change anyone else's array."""
    if isinstance(grad, Tensor):
        grad = grad._data
    if grad.dtype != tensor._data.dtype:
        grad = grad.astype(tensor._data.dtype)
    if tensor._grad is None:
        tensor._grad = grad if owned else grad.copy()
    else:
        tensor._grad += grad


def _check_finite(node: Function, input_grads: tuple) -> None:
    for index, grad in enumerate(input_grads):
        if grad is None:
            continue
        values = grad._data if isinstance(grad, Tensor) else grad
        if not np.all(np.isfinite(values)):
            raise FloatingPointError(
                f"detect_anomaly: {node.name} backward returned NaN or inf in the gradient of "
                f"input {index}; the op was created at {node._origin}"
            )


from .tensor import Tensor, as_tensor  # noqa: E402  (tensor.py needs the names above first)
