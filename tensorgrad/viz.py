"""Pictures of the graph: tensors as boxes, ops as ellipses, data flowing along the edges.

`draw_graph(loss)` walks back from `loss` through each op's producers (iteratively, so
deep graphs are fine) and returns a `graphviz.Digraph`; `render(graph, "g.svg")` turns it
into a file with Graphviz's `dot` program.

Draw before or after `backward()`. A plain backward frees the values ops saved (the
activations) but keeps the structure, so the picture shows every op and shape, the
gradients that exist (leaves, and tensors that called `retain_grad()`), and says which
values were freed; `backward(retain_graph=True)` keeps everything.

Legend
  box                a tensor: its name (a parameter of an nn Module shows its dotted path,
                     e.g. 0.weights; others a short id t0, t1, ...), shape and dtype, and
                     |grad| = sqrt(sum grad^2) when it has a gradient
  data | grad        with show_data, a small tensor that has a gradient shows both side by side
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
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable, Mapping

import graphviz
import numpy as np

from . import ops
from .autograd import Function, output_of, producers
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

    for key, box in walk.boxes.items():
        label, style = _tensor_label(box, walk.ids[key], walk.uses[key], show_data, show_grad)
        style.update(_tensor_style(box, key == walk.root_key, walk.uses[key]))
        statements.setdefault(group_of.get(key), []).append((walk.ids[key], label, style))
    edges = []
    for number, node in enumerate(walk.nodes):
        node_id, output = f"op{number}", walk.boxes[("node", id(node))]
        inputs = [walk.boxes[key] for key in walk.inputs_of[id(node)]]
        broadcast = [_is_broadcast(node, box, output) for box in inputs]
        style = {"shape": "ellipse"}
        label = node.name
        if any(broadcast):
            style.update(style="filled", fillcolor=_BROADCAST_FILL)
            label += "\\nbroadcast: grad summed"
        statements.setdefault(group_of.get(("node", id(node))), []).append((node_id, label, style))
        for key, stretched in zip(walk.inputs_of[id(node)], broadcast, strict=False):
            mark = {"color": _BROADCAST_COLOUR, "penwidth": "2", "label": "Σ"} if stretched else {}
            edges.append((walk.ids[key], node_id, mark))
        edges.append((node_id, walk.ids[("node", id(node))], {}))

    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica"}
    if walk.freed:
        graph_attr.update(label="values freed by backward(); the structure and the gradients remain",
                          labelloc="b", fontsize="10")
    graph = graphviz.Digraph(name="tensorgrad", graph_attr=graph_attr,
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

@dataclass
class _Box:
    """What a tensor box shows. `tensor` is None for a result whose Tensor the graph no
    longer holds (freed by backward and not retained): then only its shape and dtype are known."""

    tensor: Tensor | None
    shape: tuple
    dtype: np.dtype
    requires_grad: bool
    is_leaf: bool


def _leaf_box(tensor: Tensor) -> _Box:
    return _Box(tensor, tensor.shape, tensor.dtype, tensor.requires_grad, True)


def _result_box(node: Function, tensor: Tensor | None) -> _Box:
    shape, dtype, retained = output_of(node)
    return _Box(tensor if tensor is not None else retained, shape, dtype, True, False)


class _Walk:
    """Every op and tensor behind `root`, found with an explicit stack (no recursion).

    A result is known by its op (one op, one output), a leaf by itself: those are the keys.
    """

    def __init__(self, root: Tensor) -> None:
        node = root.grad_fn
        self.root_key = ("leaf", id(root)) if node is None else ("node", id(node))
        self.boxes: dict[tuple[str, int], _Box] = {
            self.root_key: _leaf_box(root) if node is None else _result_box(node, root)}
        self.uses: dict[tuple[str, int], int] = {self.root_key: 0}
        self.consumers: dict[tuple[str, int], list] = {}
        self.inputs_of: dict[int, list[tuple[str, int]]] = {}
        self.nodes: list[Function] = []
        self.freed = False
        seen: set[int] = set()
        stack = [node] if node is not None else []
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            self.nodes.append(node)
            self.freed = self.freed or node.freed
            keys = self.inputs_of[id(node)] = []
            for producer, tensor in producers(node):
                key = ("leaf", id(tensor)) if producer is None else ("node", id(producer))
                if key not in self.boxes:
                    self.boxes[key] = _leaf_box(tensor) if producer is None else _result_box(producer, tensor)
                keys.append(key)
                self.uses[key] = self.uses.get(key, 0) + 1
                self.consumers.setdefault(key, []).append(node)
                if producer is not None:
                    stack.append(producer)
        self.ids = {key: f"t{number}" for number, key in enumerate(self.boxes)}


def _groups(walk: _Walk, clusters: Clusters | None) -> dict[tuple[str, int], str]:
    """The cluster label of every tensor and op key that has one (see draw_graph)."""
    if clusters is None:
        return {}
    label_of = clusters if callable(clusters) else clusters.get
    labels = {key: label_of(box.tensor) for key, box in walk.boxes.items() if box.tensor is not None}
    explicit = {key: label for key, label in labels.items() if label is not None}
    groups: dict[tuple[str, int], str] = {}
    for key in walk.boxes:
        # follow an unlabelled intermediate down its single consumer until a label appears
        current = key
        while current not in explicit and current[0] == "node" and len(walk.consumers.get(current, ())) == 1:
            current = ("node", id(walk.consumers[current][0]))
        if current in explicit:
            groups[key] = explicit[current]
    return groups  # an op's key is its output's key, so ops join their output's group


def _is_broadcast(node: Function, box: _Box, output: _Box) -> bool:
    """True when backward must sum this input's gradient over broadcast axes."""
    return box.requires_grad and isinstance(node, BROADCASTING_OPS) and box.shape != output.shape


# --------------------------------------------------------------------------- labels

def _tensor_label(box: _Box, short_id: str, uses: int, show_data: bool, show_grad: bool) -> tuple[str, dict]:
    """The box's text and shape: a record (data | grad side by side) when both are shown."""
    tensor = box.tensor
    name = tensor.name if tensor is not None and tensor.name else short_id
    heading = [graphviz.escape(name), f"{box.shape} {box.dtype}"]
    grad = tensor.grad if tensor is not None and show_grad else None
    notes = [f"used {uses} times: grad summed"] if uses > 1 and box.requires_grad else []
    small = int(np.prod(box.shape)) <= SMALL_ARRAY
    if show_data and tensor is None:
        notes.insert(0, "values freed by backward()")
    if show_data and tensor is not None and small and grad is not None:
        fields = ["\\n".join(heading + notes), "data\\n" + _array_text(tensor.data, record=True),
                  "grad\\n" + _array_text(grad, record=True)]
        return "{" + " | ".join(_record_escape(field) for field in fields) + "}", {"shape": "record"}
    lines = heading
    if show_data and tensor is not None and small:
        lines.append(_array_text(tensor.data))
    if grad is not None:
        lines.append(f"|grad| = {np.linalg.norm(grad):.4g}")
    return "\\n".join(lines + notes), {"shape": "box"}


def _array_text(values: np.ndarray, record: bool = False) -> str:
    text = np.array2string(np.asarray(values), precision=3, separator=", ", suppress_small=True)
    return "\\n".join(line if record else graphviz.escape(line) for line in text.splitlines())


def _record_escape(field: str) -> str:
    """A record label gives {, }, |, < and > a meaning of their own: escape them in text."""
    for character in "{}|<>":
        field = field.replace(character, "\\" + character)
    return field


def _tensor_style(box: _Box, is_root: bool, uses: int) -> dict[str, str]:
    if is_root:
        fill = _ROOT_COLOUR
    elif box.is_leaf:
        fill = _LEAF_COLOUR if box.requires_grad else _CONSTANT_COLOUR
    else:
        fill = "white"
    style = {"style": "filled", "fillcolor": fill}
    if uses > 1 and box.requires_grad:
        style.update(color=_MARK_COLOUR, penwidth="2.5")
    return style
