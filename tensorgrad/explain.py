"""explain(loss): the backward pass of a small graph, written out so it can be followed by hand.

Backpropagation is the chain rule applied node by node, consumers before producers:

    dL/d(input) = dL/dz * dz/d(input)

`explain` walks the graph in exactly the order `backward()` does and, for every op, prints
its local rule (the math of its docstring), its inputs by the op's own argument names, the
upstream gradient dL/dz that arrives and the gradient it sends to each input. It runs the
ops' own backward rules on plain arrays, so it frees nothing and writes no `.grad`.

After a plain `backward()` the values ops saved are gone, so there is nothing to run the
rules on: explain then shows the structure, the gradients that exist (leaves, and tensors
that called `retain_grad()`), and says that the values were freed.
"""
from __future__ import annotations

import inspect

import numpy as np

from .autograd import Function, output_of, producers, unbroadcast
from .tensor import Tensor

MAX_NODES = 50
"""A walk-through longer than this is no longer something to follow by hand."""

SMALL_ARRAY = 16
"""Arrays with at most this many elements are printed in full; larger ones as a summary."""

Key = tuple[str, int]


def explain(output: Tensor, max_nodes: int = MAX_NODES) -> str:
    """Print and return the backward pass of `output` (a single-element Tensor), op by op.

    For each op, in backward order: its rule, its inputs (name, shape, values when small),
    the gradient dL/dz arriving from the ops that used its result, and the gradient sent
    to each input. The last section lists what `backward()` would add to each leaf's `.grad`.
    Graphs with more than `max_nodes` ops are refused with a ValueError.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"explain: output must be a Tensor, got {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError(
            "explain: output was not computed by a recorded op (it is a leaf, or was computed "
            "under no_grad or from tensors that do not require grad), so there is nothing to explain"
        )
    if output.size != 1:
        raise ValueError(f"explain: output must have a single element (a loss), got shape {output.shape}")
    order = _backward_order(output.grad_fn, max_nodes)
    if len(order) > max_nodes:
        raise ValueError(
            f"explain: max_nodes is {max_nodes} but the graph has more than {max_nodes} ops; "
            "explain is for graphs small enough to follow by hand: try a smaller example "
            "or pass a larger max_nodes"
        )
    text = "\n".join(_Walkthrough(output, order).lines)
    print(text)
    return text


def _backward_order(root: Function, limit: int) -> list[Function]:
    """The ops behind `root`, newest first (backward's order); stops counting past `limit`
    so a huge graph is refused without being walked."""
    found = {id(root): root}
    stack = [root]
    while stack and len(found) <= limit:
        for producer, _ in producers(stack.pop()):
            if producer is not None and id(producer) not in found:
                found[id(producer)] = producer
                stack.append(producer)
    return sorted(found.values(), key=lambda node: node.sequence, reverse=True)


class _Walkthrough:
    """The chain rule run by hand: each node's rule applied to the gradient that arrived."""

    def __init__(self, output: Tensor, order: list[Function]) -> None:
        self.names: dict[Key, str] = {}
        self.unnamed = 0
        self.tensors: dict[Key, Tensor | None] = {("node", id(output.grad_fn)): output}
        self.leaves: dict[Key, Tensor] = {}
        self.leaf_grads: dict[Key, np.ndarray] = {}
        for node in order:  # name every result after the tensor that carries it, where one is known
            for producer, tensor in producers(node):
                key = _key(producer, tensor)
                if tensor is not None or producer is None:
                    self.tensors.setdefault(key, tensor)
                else:
                    self.tensors.setdefault(key, output_of(producer)[2])
        freed = any(node.freed for node in order)
        self.lines = [f"explain: {len(order)} ops, from the output back to the leaves (the order backward() uses)"]
        if freed:
            self.lines.append(
                "the values ops saved were freed by backward(), so the gradient each op sends cannot be "
                "recomputed: shown are the structure and the gradients that exist (call "
                "backward(retain_graph=True) to keep every value)"
            )
            self.lines.append(f"L is the output {self._name(('node', id(output.grad_fn)))} = {_show(output.data)}")
        else:
            self.lines.append(f"L is the output {self._name(('node', id(output.grad_fn)))} = {_show(output.data)}; "
                              "the chain starts with dL/dL = 1")
        arriving: dict[int, list[np.ndarray]] = {id(output.grad_fn): [np.ones_like(output.data)]}
        for number, node in enumerate(order, start=1):
            self._describe_node(number, node)
            if freed:
                self._show_existing_gradient(node)
            else:
                self._run_rule(node, arriving.pop(id(node)), arriving)
        self.lines.append("")
        if freed:
            self.lines.append("leaf gradients (in .grad now):")
            for key, leaf in self._all_leaves(order).items():
                if leaf.grad is not None:
                    self.lines.append(f"    {self._name(key)} = {_show(leaf.grad)}")
        else:
            self.lines.append("leaf gradients (what backward() adds to .grad):")
            for key in self.leaves:
                self.lines.append(f"    {self._name(key)} = {_show(self.leaf_grads[key])}")

    def _name(self, key: Key) -> str:
        if key not in self.names:
            tensor = self.tensors.get(key)
            if tensor is not None and tensor.name:
                self.names[key] = tensor.name
            else:
                self.names[key] = f"t{self.unnamed}"
                self.unnamed += 1
        return self.names[key]

    def _describe_node(self, number: int, node: Function) -> None:
        shape = output_of(node)[0]
        self.lines.append("")
        self.lines.append(f"[{number}] {node.name}  (its output z is {self._name(('node', id(node)))}, shape {shape})")
        rule = _rule(node)
        self.lines.append(f"    rule     {rule[0]}")
        self.lines.extend(f"             {line}" for line in rule[1:])
        for letter, (producer, tensor) in zip(_argument_names(node), producers(node), strict=False):
            key = _key(producer, tensor)
            if producer is not None:
                kind, shape = f"from {producer.name}", output_of(producer)[0]
            else:
                kind, shape = ("leaf" if tensor.requires_grad else "constant"), tensor.shape
            known = tensor if tensor is not None else self.tensors.get(key)
            value = _show(known.data) if known is not None else "(value freed)"
            self.lines.append(f"    {letter:<8} {self._name(key)} {shape} {kind} = {value}")

    def _show_existing_gradient(self, node: Function) -> None:
        tensor = output_of(node)[2]
        if tensor is not None and tensor.grad is not None:
            self.lines.append(f"    has      dL/dz = {_show(tensor.grad)}  (retained)")

    def _run_rule(self, node: Function, contributions: list, arriving: dict[int, list[np.ndarray]]) -> None:
        grad = contributions[0]
        for other in contributions[1:]:
            grad = grad + other
        summed = f"  (sum of {len(contributions)} uses of z)" if len(contributions) > 1 else ""
        self.lines.append(f"    arrives  dL/dz = {_show(grad)}{summed}")
        letters = _argument_names(node)
        for letter, tensor, input_grad in zip(letters, node.inputs, node.backward(node, grad), strict=False):
            if input_grad is None or not tensor.requires_grad:
                continue
            note = ""
            if input_grad.shape != tensor.shape:
                input_grad = unbroadcast(input_grad, tensor.shape)
                note = "  (summed over broadcast axes)"
            key = _key(tensor.grad_fn, tensor)
            self.lines.append(f"    sends    dL/d{letter} = {_show(input_grad)} to {self._name(key)}{note}")
            if tensor.grad_fn is not None:
                arriving.setdefault(id(tensor.grad_fn), []).append(input_grad)
            else:
                self.leaves.setdefault(key, tensor)
                previous = self.leaf_grads.get(key)
                total = input_grad if previous is None else previous + input_grad
                self.leaf_grads[key] = np.asarray(total, dtype=tensor.dtype)

    @staticmethod
    def _all_leaves(order: list[Function]) -> dict[Key, Tensor]:
        leaves: dict[Key, Tensor] = {}
        for node in reversed(order):
            for producer, tensor in producers(node):
                if producer is None and tensor.requires_grad:
                    leaves.setdefault(_key(None, tensor), tensor)
        return leaves


def _key(producer: Function | None, tensor: Tensor | None) -> Key:
    """A result is known by its op, a leaf by itself (as in draw_graph)."""
    return ("leaf", id(tensor)) if producer is None else ("node", id(producer))


def _argument_names(node: Function) -> list[str]:
    """The names the op's forward gives its inputs (a, b, x, weights, ...); a variable
    number of inputs (*arrays) is numbered: arrays1, arrays2, ..."""
    names: list[str] = []
    parameters = list(inspect.signature(type(node).forward).parameters.values())[1:]  # after ctx
    count = len(node.inputs)
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            names += [f"{parameter.name}{i}" for i in range(1, count - len(names) + 1)]
        elif parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            names.append(parameter.name)
    return names[:count]


def _rule(node: Function) -> list[str]:
    """The op's rule: the first paragraph of its docstring, every line of it."""
    doc = inspect.cleandoc(type(node).__doc__ or "")
    paragraph = doc.split("\n\n")[0].strip()
    return paragraph.splitlines() if paragraph else ["(no rule documented)"]


def _show(values: np.ndarray) -> str:
    """Small arrays in full on one line (4 significant digits); large ones summarised."""
    values = np.asarray(values)
    if values.size > SMALL_ARRAY:
        return f"<{values.shape} array, mean {values.mean():.4g}, |.| = {np.linalg.norm(values):.4g}>"
    if values.ndim == 0:
        return _number(values.item())
    text = np.array2string(values, separator=", ", max_line_width=10**6, formatter={"float_kind": _number})
    return " ".join(line.strip() for line in text.splitlines())


def _number(value: float | np.floating) -> str:
    return f"{value + 0:.4g}"  # + 0 turns -0.0 into 0.0
