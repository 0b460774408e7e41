"""The graph machinery: grad mode, the Function/Context node, unbroadcast, iterative backward.

A recorded op is one `Function` instance: it *is* the context of its backward rule (it
holds the inputs, what `save_for_backward` kept and the non-tensor parameters). A tensor
made by a recorded op points at that node; leaves point at nothing. `backward` walks the
nodes once, newest first (a heap keyed by each node's sequence number is a reverse
topological order), so a chain of a million ops needs no recursion; each step costs the
log of the number of nodes waiting in the heap (one, along a chain).

Backward rules are written with operators that ndarrays and Tensors share (`*`, `@`,
`.sum`, `.reshape`, ...). Normally they receive ndarrays and run at NumPy speed; with
`create_graph=True` they receive Tensors, so the backward pass is itself recorded and can
be differentiated again.
"""
from __future__ import annotations

import functools
import gc
import heapq
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
    grad_shape = grad.shape
    if grad_shape == shape:
        return grad
    lead = len(grad_shape) - len(shape)
    axes = list(range(lead))  # new leading axes
    for i, n in enumerate(shape):
        if lead < 0 or n != 1 and n != grad_shape[lead + i]:
            raise ValueError(f"unbroadcast: gradient of shape {grad_shape} cannot be reduced to shape {shape}")
        if n != grad_shape[lead + i]:
            axes.append(lead + i)  # an axis of length 1 that was stretched
    summed = grad.sum(axis=tuple(axes), keepdims=True)
    return summed.reshape(shape) if lead else summed


# --------------------------------------------------------------------------- Function

_NOTHING_NEEDED = (False,) * 64
_next_sequence = itertools.count().__next__
_new_object = object.__new__


class Function:
    """One primitive op. Subclasses define `forward(ctx, *arrays, **params)` and
    `backward(ctx, grad)`, returning one gradient per tensor input (None where unneeded).

    An instance is the node in the graph and the `ctx` of its own rules. Its `sequence`
    number grows with every recorded node, so a node's inputs always have smaller numbers
    than the node: backward visits nodes from the largest number down (as PyTorch does).
    """

    __slots__ = ("inputs", "needs_input_grad", "saved_tensors", "sequence", "_output", "__dict__")
    _origin = None  # where the op was created, kept only under detect_anomaly()

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the op on Tensors, recording a node when grad mode is on and an input needs it.

        Written for speed (it runs once per op): a plain loop over the inputs, and the
        output Tensor built in place rather than through `Tensor._make`; measured, each
        saves about a tenth of the per-op cost (benchmarks/NOTES.md).
        """
        arrays = []
        needs = []
        try:
            for x in inputs:
                arrays.append(x._data)
                needs.append(x._requires_grad)
        except AttributeError:  # a Python number or an ndarray among the inputs: wrap them, run again
            return cls.apply(*_as_tensors(inputs), **params)
        ctx = _new_object(cls)
        record = _GradMode.enabled and True in needs
        ctx.needs_input_grad = tuple(needs) if record else _NOTHING_NEEDED
        try:
            out = cls.forward(ctx, *arrays, **params) if params else cls.forward(ctx, *arrays)
        except ValueError as error:  # shapes that do not fit: say which op and which shapes
            shapes = " and ".join(str(a.shape) for a in arrays)
            raise ValueError(f"{cls.__name__.lower()}: inputs of shapes {shapes} do not fit: {error}") from None
        tensor = _new_object(Tensor)
        tensor._data = out
        tensor._grad = None
        tensor.name = None
        if record:
            ctx.inputs = inputs
            ctx._output = out
            ctx.sequence = _next_sequence()
            if _GradMode.anomaly:
                ctx._origin = _user_frame()
            tensor._node = ctx
            tensor._requires_grad = True
        else:
            tensor._node = None
            tensor._requires_grad = False
        return tensor

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
        for value in getattr(self, "saved_tensors", ()):
            if value is self._output:
                output = output or Tensor._make(self._output, self)
                swapped.append(output)
            else:
                swapped.append(by_identity.get(id(value), value))
        return tuple(swapped)

    @property
    def freed(self) -> bool:
        """True after a backward without retain_graph, which drops the node's inputs and
        saved values (every op has at least one input). Its `_output` stays: it is the
        output tensor's own array, alive as long as this node."""
        return not self.inputs

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


def _as_tensors(values: tuple) -> list:
    """Constants as Tensors; a Python scalar takes the dtype of the first Tensor (`as_tensor`)."""
    like = None
    for value in values:
        if isinstance(value, Tensor):
            like = value
            break
    return [as_tensor(value, like) for value in values]


_PACKAGE_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_frame() -> str:
    """The innermost stack frame outside the tensorgrad package, as 'file:line in function: code'."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_FOLDER):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "<unknown>"


# --------------------------------------------------------------------------- backward

_sequence_of = operator.attrgetter("sequence")


def _reachable(roots: Sequence[Function]) -> list[Function]:
    """Every node behind `roots`, found with an explicit stack (no recursion limit)."""
    found = {id(root): root for root in roots}
    stack = list(found.values())
    while stack:
        node = stack.pop()
        if not node.inputs:
            raise RuntimeError(_FREED_MESSAGE)
        for tensor in node.inputs:
            parent = tensor._node
            if parent is not None and id(parent) not in found:
                found[id(parent)] = parent
                stack.append(parent)
    return list(found.values())


def _topological_order(roots: Sequence[Function]) -> list[Function]:
    """Nodes reachable from `roots`, each before every node that produced its inputs:
    consumers first, by decreasing sequence number. Linear in the graph's size, plus a sort."""
    return sorted(_reachable(roots), key=_sequence_of, reverse=True)


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

    The walk keeps a heap of the nodes that have received a gradient, keyed by their
    sequence number: the node popped (the largest number) has had all its consumers run,
    so its gradient is complete. One pass, no separate ordering step; nodes that receive
    no gradient are never visited.
    """
    if create_graph:
        output_grads = [g if isinstance(g, Tensor) else Tensor._make(g, None) for g in output_grads]
    grads: dict[Function, Any] = {}  # node -> gradient of its output, summed over its uses so far
    heap: list[tuple[int, Function]] = []
    captured: dict[int, Any] = {}
    targets = leads = None
    if capture is not None:
        targets = {id(t._node) if t._node is not None else id(t) for t in capture}
        leads = _leading_to([out._node for out in outputs if out._node is not None], targets)
    push, pop = heapq.heappush, heapq.heappop
    plain = not create_graph and not _GradMode.anomaly
    collector_was_enabled = gc.isenabled()
    gc.disable()  # the walk frees the graph rather than making garbage cycles, yet its many
    # small allocations would trigger collections that scan every live object, the whole
    # graph included; for long graphs that was the largest cost
    grad_mode_was = _GradMode.enabled
    _GradMode.enabled = create_graph  # backward rules record only for create_graph
    try:
        # the outputs' gradients are handed on like any node's results (upstream None:
        # they are the caller's arrays)
        pending, upstream, siblings = zip(outputs, output_grads), None, ()
        while True:
            for tensor, input_grad in pending:
                if input_grad is None or not tensor._requires_grad:
                    continue
                shape = tensor._data.shape
                reduced = input_grad.shape != shape
                if reduced:  # unbroadcast's sum makes a fresh array
                    input_grad = unbroadcast(input_grad, shape)
                parent = tensor._node
                if parent is not None:
                    if parent in grads:
                        grads[parent] = grads[parent] + input_grad
                    elif leads is None or id(parent) in leads:
                        grads[parent] = input_grad
                        push(heap, (-parent.sequence, parent))
                elif targets is None:
                    _accumulate_leaf(tensor, input_grad, reduced or _fresh(input_grad, upstream, siblings))
                elif id(tensor) in targets:
                    _add_to(captured, id(tensor), input_grad)
            if not heap:
                break
            node = pop(heap)[1]
            upstream = grads.pop(node)
            inputs = node.inputs
            if not inputs:
                raise RuntimeError(_FREED_MESSAGE)
            if targets is not None and id(node) in targets:
                captured[id(node)] = upstream
            siblings = node.backward(node, upstream) if plain else _recorded_backward(node, upstream, create_graph)
            if not retain_graph:  # free what backward needed: the memory goes as soon as it is used
                node.saved_tensors = ()
                node.inputs = ()
            pending = zip(inputs, siblings)
    finally:
        _GradMode.enabled = grad_mode_was
        if collector_was_enabled:
            gc.enable()
    if capture is None:
        return None
    return [captured.get(id(t._node) if t._node is not None else id(t)) for t in capture]


def _recorded_backward(node: Function, grad: Any, create_graph: bool) -> tuple:
    """The node's backward rule under create_graph (its saved inputs and output passed as
    Tensors, so the rule's own ops are recorded) or detect_anomaly (results checked)."""
    if create_graph:
        saved = getattr(node, "saved_tensors", ())
        node.saved_tensors = node._saved_as_tensors()
        input_grads = node.backward(node, grad)
        node.saved_tensors = saved
    else:
        input_grads = node.backward(node, grad)
    if _GradMode.anomaly:
        _check_finite(node, input_grads)
    return input_grads


def _leading_to(roots: list[Function], targets: set[int]) -> set[int]:
    """Ids of the nodes from which a target (a node id or a leaf id) can be reached:
    `grad(outputs, inputs)` runs only those, and leaves the rest of the graph untouched."""
    leads: set[int] = set()
    for node in sorted(_reachable(roots), key=_sequence_of):  # producers before consumers
        if id(node) in targets or any(
            id(t._node if t._node is not None else t) in targets or id(t._node) in leads for t in node.inputs
        ):
            leads.add(id(node))
    return leads


def _fresh(input_grad: Any, grad: Any, input_grads: tuple) -> bool:
    """True when `input_grad` is a new ndarray nobody else holds (not a view, not the
    upstream gradient, not returned for two inputs): a leaf may keep it as its `.grad`.
    The outputs' own gradients (no upstream) belong to the caller."""
    return (grad is not None and isinstance(input_grad, np.ndarray) and input_grad is not grad
            and input_grad.base is None
            and list(map(id, input_grads)).count(id(input_grad)) == 1)  # by identity: == would compare values


def _add_to(sums: dict, key: int, grad: Any) -> None:
    """sums[key] += grad, out of place: the arrays in `sums` may be shared with others."""
    sums[key] = sums[key] + grad if key in sums else grad


def _accumulate_leaf(tensor: Any, grad: Any, owned: bool) -> None:
    """`tensor.grad += grad`. The first gradient is kept without a copy when it is `owned`
    (see `_fresh`), so later `+=` cannot change anyone else's array. A Tensor's array
    belongs to a recorded graph (create_graph=True): never owned."""
    if isinstance(grad, Tensor):
        grad, owned = grad._data, False
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
