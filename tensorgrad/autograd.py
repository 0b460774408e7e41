"""The graph machinery: grad mode, the Function node, unbroadcast and the backward walk.

A recorded op is one `Function` instance, the node of the graph and the `ctx` of its own
backward rule. A tensor made by a recorded op points at its node; a leaf points at none.
`backward` pops nodes from a heap, newest first, so a chain of a million ops needs no
recursion. After a plain backward the node keeps its structure (its op, edges to the
nodes and leaves that produced its inputs, its output's shape and dtype) but drops what
it saved for backward, so the activations' memory goes while the graph can still be
drawn or explained.

This module knows tensors only through the objects it is handed: `tensor.py` imports it,
never the other way round.
"""
from __future__ import annotations

import functools
import gc
import heapq
import itertools
import os
import re
import traceback
from contextlib import contextmanager
from typing import Any, cast
from collections.abc import Callable, Iterator, Sequence

import numpy as np


# --------------------------------------------------------------------------- grad mode

class _GradMode:
    """Process-wide switches, read on every op."""

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
        if lead < 0 or (n != 1 and n != grad_shape[lead + i]):
            raise ValueError(f"unbroadcast: gradient of shape {grad_shape} cannot be reduced to shape {shape}")
        if n != grad_shape[lead + i]:
            axes.append(lead + i)  # an axis of length 1 that was stretched
    summed = grad.sum(axis=tuple(axes), keepdims=True)
    return summed.reshape(shape) if lead else summed


def data_of(value: Any) -> np.ndarray | np.generic:
    """The ndarray behind a value that is a Tensor (under create_graph) or already an array."""
    return value if isinstance(value, _ARRAYS) else value.data


_ARRAYS = (np.ndarray, np.generic)  # a reduction of a 0-d array gives a NumPy scalar


# --------------------------------------------------------------------------- Function

_next_sequence = itertools.count().__next__
_SHAPE_ERROR = re.compile(r"shape|broadcast|dimension|size|axis")  # what NumPy's shape errors mention


class Function:
    """One primitive op: `forward(ctx, *arrays, **params)` and `backward(ctx, grad)`.

    An instance is the node in the graph and the `ctx` its two rules share: forward
    keeps what backward needs with `ctx.save_for_backward(...)` (or as plain attributes,
    for non-array parameters such as an axis), and backward returns dL/d(input) for each
    input, None where `ctx.needs_input_grad[i]` is False.

    Backward rules are written once for two kinds of values. Normally `grad` and the
    saved values are ndarrays and the rule runs at NumPy speed. Under
    `backward(create_graph=True)` they are Tensors, so the rule's own arithmetic is
    recorded and can be differentiated again. Mul's rule serves both:

        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a      # ndarrays, or Tensors when create_graph

    so a rule uses only what ndarrays and Tensors share (`*`, `@`, `.sum`, `.reshape`,
    ...), `call(Op, x)` for an op that ndarrays have no operator for, and `data_of(x)`
    for a constant such as a mask.

    `sequence` grows with every recorded node, so a node's inputs always have smaller
    numbers: backward visits nodes from the largest number down (as PyTorch does).
    """

    inputs: tuple  # the input Tensors; after a plain backward, the nodes and leaves behind them
    output: np.ndarray | None  # the result's array, until a plain backward frees it
    output_shape: tuple  # kept by a plain backward, with output_dtype, when it frees the output
    output_dtype: np.dtype
    needs_input_grad: tuple[bool, ...]
    saved_tensors: tuple = ()
    sequence: int
    freed = False  # True once a plain backward dropped the saved values
    origin: str | None = None  # the user's line that created the op, under detect_anomaly()
    retained: Any = None  # a weak reference to the output Tensor when it called retain_grad()

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the op on Tensors; record this node when grad mode is on and an input needs it.

        The output is made by the inputs' own Tensor class (callers wrap constants first).
        """
        arrays, needs = [], []
        try:
            for x in inputs:
                arrays.append(x._data)
                needs.append(x._requires_grad)
        except AttributeError:
            kinds = ", ".join(type(x).__name__ for x in inputs)
            raise TypeError(f"{cls.__name__}.apply: inputs must be Tensors, got {kinds}; wrap a constant "
                            "with tensorgrad.as_tensor(value)") from None
        node = cls()
        record = _GradMode.enabled and True in needs
        node.needs_input_grad = tuple(needs) if record else (False,) * len(needs)
        try:
            out = cls.forward(node, *arrays, **params)
        except ValueError as error:  # say which op failed, and on which shapes if shapes are the problem
            shapes = " and ".join(str(a.shape) for a in arrays)
            about = f" (inputs of shapes {shapes})" if _SHAPE_ERROR.search(str(error)) else ""
            raise ValueError(f"{cls.__name__.lower()}{about}: {error}") from None
        make = type(inputs[0])._make
        if not record:
            return make(out, None)
        node.inputs = inputs
        node.output = out
        node.sequence = _next_sequence()
        if _GradMode.anomaly:
            node.origin = _user_frame()
        return make(out, node)

    @staticmethod
    def forward(ctx: Any, *arrays: np.ndarray | np.generic, **params: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple:
        raise NotImplementedError

    def save_for_backward(self, *values: Any) -> None:
        """Keep values for backward (`ctx.saved_tensors`). Inputs and the output are swapped
        for their Tensors when the backward pass is recorded (create_graph=True)."""
        self.saved_tensors = values

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}>"


class _NoContext:
    """A ctx that remembers nothing: lets a backward rule call an op's forward directly on
    ndarrays (the fast path) without recording."""

    __slots__ = ()
    needs_input_grad = (False,) * 8

    def save_for_backward(self, *values: Any) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass


NO_CONTEXT = _NoContext()


def call(op: type[Function], x: Any, *args: Any, **params: Any) -> Any:
    """Run `op` on a Tensor (recorded) or on an ndarray (plain NumPy): how backward rules
    use ops that ndarrays have no operator for, in both fast and create_graph mode."""
    if isinstance(x, _ARRAYS):
        return op.forward(NO_CONTEXT, x, *args, **params)
    return op.apply(x, *args, **params)


_PACKAGE_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_frame() -> str:
    """The innermost stack frame outside the tensorgrad package, as 'file:line in function: code'."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_FOLDER):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "<unknown>"


# --------------------------------------------------------------------------- the graph as a learner sees it

def producers(node: Function) -> list[tuple[Function | None, Any]]:
    """For each input of `node`: (the node that produced it, or None for a leaf; the input
    Tensor while the graph holds it, the leaf Tensor after a plain backward, else None)."""
    result: list[tuple[Function | None, Any]] = []
    for source in node.inputs:
        if isinstance(source, Function):  # an edge kept after a plain backward
            result.append((source, None))
        else:
            result.append((source._node, source))
    return result


def output_of(node: Function) -> tuple[tuple, np.dtype, Any]:
    """(shape, dtype, the Tensor when one that called retain_grad() is alive) of the
    result `node` computed."""
    tensor = node.retained() if node.retained is not None else None
    if node.freed:
        return node.output_shape, node.output_dtype, tensor
    output = cast(np.ndarray, node.output)  # set until a plain backward frees it
    return output.shape, output.dtype, tensor


def _free(node: Function) -> None:
    """Drop what backward needed, keep the structure: the saved arrays and the output's
    array go (the activations' memory), edges to the producers and the shapes stay."""
    output = node.output  # each node is freed once, while it still has its output
    node.output_shape, node.output_dtype = output.shape, output.dtype  # type: ignore[union-attr]
    node.inputs = tuple([x._node if x._node is not None else x for x in node.inputs])
    node.output = None
    node.saved_tensors = ()
    node.freed = True


FREED_MESSAGE = (
    "Trying to backward through the graph a second time: its saved values were freed by "
    "the first backward. Call backward(retain_graph=True) the first time if you need to."
)


# --------------------------------------------------------------------------- backward

def run_backward(outputs: Sequence[Any], output_grads: Sequence[Any], retain_graph: bool = False,
                 create_graph: bool = False) -> None:
    """Apply the chain rule from `outputs` back through the graph, adding each leaf's
    gradient into its `.grad` (and each retained tensor's)."""
    _walk(outputs, output_grads, retain_graph, create_graph, on_leaf=_accumulate, on_node=_retain)


def gradients_of(outputs: Sequence[Any], output_grads: Sequence[Any], inputs: Sequence[Any],
                 retain_graph: bool = False, create_graph: bool = False) -> list[Any]:
    """d(outputs)/d(inputs) without touching any `.grad` (what `tensorgrad.grad` returns).

    Only the nodes from which an input can be reached run; a missing gradient is None.
    """
    key = {id(x._node if x._node is not None else x): i for i, x in enumerate(inputs)}
    found: list[Any] = [None] * len(inputs)

    def add(target: Any, grad: Any, private: bool = False) -> None:
        index = key.get(id(target))
        if index is not None:
            found[index] = grad if found[index] is None else found[index] + grad

    roots = [out._node for out in outputs if out._node is not None]
    leading = _leading_to(roots, set(key))
    _walk(outputs, output_grads, retain_graph, create_graph,
          on_leaf=add, on_node=add, visit=lambda node: id(node) in leading)
    return found


def _walk(outputs: Sequence[Any], output_grads: Sequence[Any], retain_graph: bool, create_graph: bool,
          on_leaf: Callable, on_node: Callable, visit: Callable | None = None) -> None:
    """The backward pass: pop the newest node that has a gradient (all its consumers have
    run, so the gradient is complete), run its rule, hand the results to its producers.

    `grads` holds each waiting node's gradient, summed over the consumers done so far;
    `heap` orders the waiting nodes by sequence number, newest first. `on_leaf(tensor,
    grad, private)` receives a leaf's gradient (`private`: see `_is_private`),
    `on_node(node, grad)` a node's complete gradient;
    `visit(node)` (by default every node) says which nodes to run.
    """
    grads: dict[Function, Any] = {}
    heap: list[tuple[int, Function]] = []

    def hand_on(tensors: Sequence[Any], input_grads: Sequence[Any], upstream: Any) -> None:
        for tensor, grad in zip(tensors, input_grads, strict=False):
            if grad is None or not tensor._requires_grad:
                continue
            shape = tensor._data.shape
            reduced = grad.shape != shape
            if reduced:  # unbroadcast's sum makes a new array
                grad = unbroadcast(grad, shape)
            producer = tensor._node
            if producer is None:
                on_leaf(tensor, grad, reduced or _is_private(grad, upstream, input_grads))
            elif producer in grads:
                grads[producer] = grads[producer] + grad
            elif visit is None or visit(producer):
                grads[producer] = grad
                heapq.heappush(heap, (-producer.sequence, producer))

    with _CollectorPaused(), _SetGradMode(create_graph):
        hand_on(outputs, output_grads, upstream=None)  # the caller's arrays: never private
        while heap:
            node = heapq.heappop(heap)[1]
            grad = grads.pop(node)
            if node.freed:
                raise RuntimeError(FREED_MESSAGE)
            on_node(node, grad)
            inputs = node.inputs
            input_grads = _recorded_rule(node, grad) if create_graph else node.backward(node, grad)
            if _GradMode.anomaly:
                _check_finite(node, input_grads)
            if not retain_graph:
                _free(node)
            hand_on(inputs, input_grads, grad)


class _CollectorPaused:
    """Pause Python's cycle collector during the walk: the walk makes no garbage cycles,
    but its many small allocations would trigger collections that scan the whole graph
    (benchmarks/NOTES.md: the measured gain). A class, not a generator: it runs on every
    backward, and a generator-based context manager costs ~6k instructions more (section 19)."""

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


def _recorded_rule(node: Function, grad: Any) -> tuple:
    """The node's rule under create_graph: its saved inputs and output are passed as the
    Tensors they came from, so the rule's own ops are recorded and link to the graph."""
    saved = node.saved_tensors
    node.saved_tensors = _saved_as_tensors(node, grad)
    try:
        return node.backward(node, grad)
    finally:
        node.saved_tensors = saved


def _saved_as_tensors(node: Function, grad: Any) -> tuple:
    """The saved values, each input array swapped for its Tensor and the output array for
    a Tensor of the output (one, however often it was saved)."""
    by_identity = {id(t._data): t for t in node.inputs}
    output = None
    swapped = []
    for value in node.saved_tensors:
        if value is node.output:
            if output is None:
                output = type(grad)._make(node.output, node)
            swapped.append(output)
        else:
            swapped.append(by_identity.get(id(value), value))
    return tuple(swapped)


def _leading_to(roots: list[Function], targets: set[int]) -> set[int]:
    """Ids of the nodes from which a target (a node id or a leaf id) can be reached."""
    found = {id(root): root for root in roots}
    stack = list(roots)
    while stack:  # every node behind the roots, without recursion
        node = stack.pop()
        if node.freed:
            raise RuntimeError(FREED_MESSAGE)
        for tensor in node.inputs:
            if tensor._node is not None and id(tensor._node) not in found:
                found[id(tensor._node)] = tensor._node
                stack.append(tensor._node)
    leading: set[int] = set()
    for node in sorted(found.values(), key=lambda n: n.sequence):  # producers before consumers
        if id(node) in targets or any(
            id(t._node if t._node is not None else t) in targets or id(t._node) in leading for t in node.inputs
        ):
            leading.add(id(node))
    return leading


def _accumulate(tensor: Any, grad: Any, private: bool = False) -> None:
    """`tensor.grad += grad`, in the tensor's dtype. The first gradient is kept as it is
    when it is `private` (no one else holds it), else copied, so a later `+=` changes no
    one else's array."""
    grad = data_of(grad)
    if tensor._grad is None:
        keep = private and grad.dtype == tensor._data.dtype
        tensor._grad = grad if keep else np.array(grad, dtype=tensor._data.dtype)
    else:
        tensor._grad += grad


def _is_private(grad: Any, upstream: Any, input_grads: Sequence[Any]) -> bool:
    """True when a rule's result `grad` is a new ndarray no one else holds: not a view, not
    the gradient the rule received, not returned for two inputs. Keeping it saves copying
    every weight gradient once per step (benchmarks/NOTES.md, section 17)."""
    return (upstream is not None and isinstance(grad, np.ndarray) and grad is not upstream
            and grad.base is None and sum(g is grad for g in input_grads) == 1)


def _retain(node: Function, grad: Any) -> None:
    """A non-leaf that called retain_grad() gets its complete gradient."""
    tensor = node.retained() if node.retained is not None else None
    if tensor is not None:
        _accumulate(tensor, grad)


def _check_finite(node: Function, input_grads: tuple) -> None:
    for index, grad in enumerate(input_grads):
        if grad is not None and not np.all(np.isfinite(data_of(grad))):
            raise FloatingPointError(
                f"detect_anomaly: {node.name} backward returned NaN or inf in the gradient of "
                f"input {index}; the op was created at {node.origin}"
            )
