"""explain(loss): the backward pass of a small graph, written out so it can be followed by hand.

Backpropagation is the chain rule applied node by node, consumers before producers:

    dL/d(input) = dL/dz * dz/d(input)

`explain` walks the graph in exactly the order `backward()` does and, for every op, prints
the upstream gradient dL/dz that arrives, the op's local rule (the math line of its
docstring) and the gradient it sends to each input. It runs the ops' own backward rules
on plain arrays, so it frees nothing and writes no `.grad`: the graph can still be drawn,
explained again, or differentiated with `backward()` afterwards.
"""
from __future__ import annotations

import numpy as np

from .autograd import Function, _topological_order, unbroadcast
from .tensor import Tensor

MAX_NODES = 50
"""A walk-through longer than this is no longer something to follow by hand."""

SMALL_ARRAY = 16
"""Arrays with at most this many elements are printed in full; larger ones as a summary."""


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
    count = _count_nodes(output.grad_fn, max_nodes)
    if count > max_nodes:
        raise ValueError(
            f"explain: max_nodes is {max_nodes} but the graph has more than {max_nodes} ops; "
            "explain is for graphs small enough to follow by hand: try a smaller example "
            "or pass a larger max_nodes"
        )
    text = "\n".join(_Walkthrough(output).lines)
    print(text)
    return text


def _count_nodes(root: Function, limit: int) -> int:
    """The number of ops behind `root`, counting no further than limit + 1 (a huge graph is
    refused without being walked)."""
    seen = {id(root)}
    stack = [root]
    while stack and len(seen) <= limit:
        for tensor in stack.pop().inputs:
            node = tensor.grad_fn
            if node is not None and id(node) not in seen:
                seen.add(id(node))
                stack.append(node)
    return len(seen)


class _Walkthrough:
    """The chain rule run by hand: each node's rule applied to the gradient that arrived."""

    def __init__(self, output: Tensor) -> None:
        self.names: dict[int, str] = {}
        self.unnamed = 0
        self.leaves: dict[int, Tensor] = {}
        self.leaf_grads: dict[int, np.ndarray] = {}
        arriving: dict[int, list[np.ndarray]] = {id(output.grad_fn): [np.ones_like(output.data)]}
        order = _topological_order([output.grad_fn])
        result_of = {id(output.grad_fn): output}
        for node in order:  # name every result after the tensor that carries it
            for tensor in node.inputs:
                if tensor.grad_fn is not None:
                    result_of.setdefault(id(tensor.grad_fn), tensor)
        self.lines = [
            f"explain: {len(order)} ops, from the output back to the leaves (the order backward() uses)",
            f"L is the output {self._name(output)} = {_show(output.data)}; the chain starts with dL/dL = 1",
        ]
        for number, node in enumerate(order, start=1):
            self._explain_node(number, node, result_of[id(node)], arriving.pop(id(node)), arriving)
        self.lines.append("")
        self.lines.append("leaf gradients (what backward() adds to .grad):")
        for key, leaf in self.leaves.items():
            self.lines.append(f"    {self._name(leaf)} = {_show(self.leaf_grads[key])}")

    def _name(self, tensor: Tensor) -> str:
        key = id(tensor.grad_fn) if tensor.grad_fn is not None else id(tensor)
        if key not in self.names:
            if tensor.name:
                self.names[key] = tensor.name
            else:
                self.names[key] = f"t{self.unnamed}"
                self.unnamed += 1
        return self.names[key]

    def _explain_node(self, number: int, node: Function, result: Tensor, contributions: list,
                      arriving: dict[int, list[np.ndarray]]) -> None:
        grad = contributions[0]
        for other in contributions[1:]:
            grad = grad + other
        letters = _letters(len(node.inputs))
        self.lines.append("")
        self.lines.append(f"[{number}] {node.name}  (its output z is {self._name(result)}, shape {result.shape})")
        self.lines.append(f"    rule     {_rule(node)}")
        for letter, tensor in zip(letters, node.inputs):
            kind = "leaf" if tensor.grad_fn is None else f"from {tensor.grad_fn.name}"
            if not tensor.requires_grad:
                kind = "constant"
            self.lines.append(f"    {letter:<8} {self._name(tensor)} {tensor.shape} {kind} = {_show(tensor.data)}")
        summed = f"  (sum of {len(contributions)} uses of z)" if len(contributions) > 1 else ""
        self.lines.append(f"    arrives  dL/dz = {_show(grad)}{summed}")
        for letter, tensor, input_grad in zip(letters, node.inputs, node.backward(node, grad)):
            if input_grad is None or not tensor.requires_grad:
                continue
            note = ""
            if input_grad.shape != tensor.shape:
                input_grad = unbroadcast(input_grad, tensor.shape)
                note = "  (summed over broadcast axes)"
            self.lines.append(f"    sends    dL/d{letter} = {_show(input_grad)} to {self._name(tensor)}{note}")
            if tensor.grad_fn is not None:
                arriving.setdefault(id(tensor.grad_fn), []).append(input_grad)
            else:
                key = id(tensor)
                self.leaves.setdefault(key, tensor)
                previous = self.leaf_grads.get(key)
                total = input_grad if previous is None else previous + input_grad
                self.leaf_grads[key] = np.asarray(total, dtype=tensor.dtype)


def _letters(count: int) -> list[str]:
    """Input names as in the ops' docstrings: a, b, c, or a1, a2, ... for many inputs."""
    if count <= 3:
        return list("abc"[:count])
    return [f"a{i}" for i in range(1, count + 1)]


def _rule(node: Function) -> str:
    doc = type(node).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else "(no rule documented)"


def _show(values: np.ndarray) -> str:
    """Small arrays in full on one line (4 significant digits); large ones summarised."""
    values = np.asarray(values)
    if values.size > SMALL_ARRAY:
        return f"<{values.shape} array, mean {values.mean():.4g}, |.| = {np.linalg.norm(values):.4g}>"
    if values.ndim == 0:
        return _number(values.item())
    text = np.array2string(values, separator=", ", max_line_width=10**6, formatter={"float_kind": _number})
    return " ".join(line.strip() for line in text.splitlines())


def _number(value: float) -> str:
    return f"{value + 0:.4g}"  # + 0 turns -0.0 into 0.0
