"""Pictures of the graph: tensors as boxes, ops as ellipses, data flowing along the edges.

`draw_graph(loss)` walks back from `loss` through `grad_fn` and `node.inputs` (iteratively,
so deep graphs are fine) and returns a `graphviz.Digraph`; `render(graph, "g.svg")` turns
it into a file with Graphviz's `dot` program.

Draw *before* `backward()`, or call `backward(retain_graph=True)` first to see the
gradients: a plain `backward()` frees the graph (each node forgets its inputs), and
drawing a freed graph raises a RuntimeError.

Legend
  box                a tensor: its name (or a short id t0, t1, ...), shape and dtype, and
                     |grad| = sqrt(sum grad^2) when it has a gradient. Only leaves keep one.
  light blue box     a leaf that requires grad (a parameter or an input you differentiate)
  grey box           a constant (requires no grad)
  green box          the tensor that was drawn (usually the loss)
  orange border      fan-out: the tensor feeds k op inputs ("used k times"), so its
                     gradient is the sum of k contributions (accumulated with +=)
  ellipse            a primitive op, by class name (MatMul, Add, Where, ...)
  red edge, pink op  broadcasting: the op stretched this input to its output's shape, so
                     backward sums the gradient over the stretched axes (`unbroadcast`)
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Mapping

import graphviz
import numpy as np

from . import fused, ops
from .tensor import Tensor

BROADCASTING_OPS = (ops.Add, ops.Sub, ops.Mul, ops.Div, ops.Pow, ops.Maximum, ops.Minimum,
                    ops.Where, ops.BroadcastTo)
"""Ops whose inputs may be smaller than their output; backward then sums the gradient."""

SMALL_ARRAY = 16
"""With show_data, arrays of at most this many elements show their values."""

RANKDIRS = ("LR", "TB", "RL", "BT")
FORMATS = ("svg", "png", "pdf")

_LEAF_COLOUR, _CONSTANT_COLOUR, _ROOT_COLOUR = "lightblue", "lightgrey", "palegreen"
_MARK_COLOUR, _BROADCAST_COLOUR, _BROADCAST_FILL = "darkorange", "red", "mistyrose"

Clusters = Mapping[Tensor, str] | Callable[[Tensor], "str | None"]


def draw_graph(
    root: Tensor,
    show_data: bool = False,
    show_grad: bool = True,
    rankdir: str = "LR",
    clusters: Clusters | None = None,
) -> graphviz.Digraph:
    """The graph that computed `root`, as a `graphviz.Digraph` (see the module legend).

    `clusters` groups the picture, e.g. by layer: a mapping {tensor: "label"} or a function
    tensor -> label (or None). An op joins the group of its output; an unlabelled
    intermediate tensor that feeds a single op joins that op's group. So labelling a
    layer's parameters and its output is enough to box the whole layer.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph: root must be a Tensor, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if clusters is not None and not (callable(clusters) or isinstance(clusters, Mapping)):
        raise TypeError(f"draw_graph: clusters must be a mapping or a callable, got {type(clusters).__name__}")

    walk = _Walk(root)
    group_of = _groups(walk, clusters)
    statements: dict[str | None, list[tuple[str, str, dict]]] = {}

    for key, tensor in walk.tensors.items():
        label = _tensor_label(tensor, walk.ids[key], walk.uses[key], show_data, show_grad)
        statements.setdefault(group_of.get(key), []).append(
            (walk.ids[key], label, _tensor_style(tensor, tensor is root, walk.uses[key]))
        )
    edges = []
    for number, node in enumerate(walk.nodes):
        node_id, output_key = f"op{number}", ("node", id(node))
        broadcast = [_is_broadcast(node, t, walk.tensors[output_key]) for t in node.inputs]
        style = {"shape": "ellipse"}
        label = node.name
        if any(broadcast):
            style.update(style="filled", fillcolor=_BROADCAST_FILL)
            label += "\\nbroadcast: grad summed"
        statements.setdefault(group_of.get(output_key), []).append((node_id, label, style))
        for tensor, stretched in zip(node.inputs, broadcast):
            mark = {"color": _BROADCAST_COLOUR, "penwidth": "2", "label": "Σ"} if stretched else {}
            edges.append((walk.ids[_key(tensor)], node_id, mark))
        edges.append((node_id, walk.ids[output_key], {}))

    graph = graphviz.Digraph(name="tensorgrad", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                             node_attr={"fontname": "Helvetica", "fontsize": "11"})
    for number, (group, nodes) in enumerate(statements.items()):
        target = graph if group is None else graphviz.Digraph(
            name=f"cluster_{number}", graph_attr={"label": graphviz.escape(group), "style": "rounded"}
        )
        for node_id, label, style in nodes:
            target.node(node_id, label, **style)
        if target is not graph:
            graph.subgraph(target)
    for tail, head, mark in edges:
        graph.edge(tail, head, **mark)
    return graph


def render(graph: graphviz.Digraph, path: str | Path, format: str = "svg") -> Path:
    """Write `graph` as an image file with Graphviz's `dot` program; returns the path."""
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {FORMATS}, got {format!r}")
    if shutil.which("dot") is None:
        raise RuntimeError(
            "render: Graphviz's 'dot' program was not found on PATH; it draws the picture. "
            "Install it with `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
            "(macOS) or from https://graphviz.org/download/ and try again."
        )
    path = Path(path)
    path.write_bytes(graph.pipe(format=format))
    return path


# --------------------------------------------------------------------------- walking

def _key(tensor: Tensor) -> tuple[str, int]:
    """One key per drawn box: a result is known by its op (one op, one output), a leaf by itself."""
    node = tensor.grad_fn
    return ("node", id(node)) if node is not None else ("leaf", id(tensor))


class _Walk:
    """Every op and tensor behind `root`, found with an explicit stack (no recursion)."""

    def __init__(self, root: Tensor) -> None:
        self.tensors: dict[tuple[str, int], Tensor] = {_key(root): root}
        self.uses: dict[tuple[str, int], int] = {_key(root): 0}
        self.consumers: dict[tuple[str, int], list] = {}
        self.nodes: list = []
        seen: set[int] = set()
        stack = [root.grad_fn] if root.grad_fn is not None else []
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.freed:
                raise RuntimeError(
                    f"draw_graph: the graph behind this tensor was freed by backward() (op "
                    f"{node.name} no longer knows its inputs). Draw before backward(), or call "
                    "backward(retain_graph=True) to draw the graph with its gradients."
                )
            self.nodes.append(node)
            for tensor in node.inputs:
                key = _key(tensor)
                self.tensors.setdefault(key, tensor)
                self.uses[key] = self.uses.get(key, 0) + 1
                self.consumers.setdefault(key, []).append(node)
                if tensor.grad_fn is not None:
                    stack.append(tensor.grad_fn)
        self.ids = {key: f"t{number}" for number, key in enumerate(self.tensors)}


def _groups(walk: _Walk, clusters: Clusters | None) -> dict[tuple[str, int], str]:
    """The cluster label of every tensor and op key that has one (see draw_graph)."""
    if clusters is None:
        return {}
    label_of = clusters if callable(clusters) else clusters.get
    labels = {key: label_of(tensor) for key, tensor in walk.tensors.items()}
    explicit = {key: label for key, label in labels.items() if label is not None}
    groups: dict[tuple[str, int], str] = {}
    for key in walk.tensors:
        # follow an unlabelled intermediate down its single consumer until a label appears
        current = key
        while current not in explicit and current[0] == "node" and len(walk.consumers.get(current, ())) == 1:
            current = ("node", id(walk.consumers[current][0]))
        if current in explicit:
            groups[key] = explicit[current]
    return groups  # an op's key is its output's key, so ops join their output's group


def _is_broadcast(node: Any, tensor: Tensor, output: Tensor) -> bool:
    """True when backward must sum this input's gradient over broadcast axes (for the fused
    Linear, x @ W + b, that is the bias: its third input)."""
    if not tensor.requires_grad:
        return False
    if isinstance(node, fused.Linear):
        return tensor is node.inputs[2] and tensor.size != output.size
    return isinstance(node, BROADCASTING_OPS) and tensor.shape != output.shape


# --------------------------------------------------------------------------- labels

def _tensor_label(tensor: Tensor, short_id: str, uses: int, show_data: bool, show_grad: bool) -> str:
    lines = [graphviz.escape(tensor.name) if tensor.name else short_id,
             f"{tensor.shape} {tensor.dtype}"]
    if show_data and tensor.size <= SMALL_ARRAY:
        lines.append(_array_text(tensor.data))
    if show_grad and tensor.grad is not None:
        lines.append(f"|grad| = {np.linalg.norm(tensor.grad):.4g}")
    if uses > 1 and tensor.requires_grad:
        lines.append(f"used {uses} times: grad summed")
    return "\\n".join(lines)


def _array_text(values: np.ndarray) -> str:
    text = np.array2string(values, precision=3, separator=", ", suppress_small=True)
    return "\\n".join(graphviz.escape(line) for line in text.splitlines())


def _tensor_style(tensor: Tensor, is_root: bool, uses: int) -> dict[str, str]:
    if is_root:
        fill = _ROOT_COLOUR
    elif tensor.is_leaf:
        fill = _LEAF_COLOUR if tensor.requires_grad else _CONSTANT_COLOUR
    else:
        fill = "white"
    style = {"shape": "box", "style": "filled", "fillcolor": fill}
    if uses > 1 and tensor.requires_grad:
        style.update(color=_MARK_COLOUR, penwidth="2.5")
    return style
