"""draw_graph: the DOT source says what the picture shows; render makes real SVG/PNG files."""
import re
import shutil
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.viz import render


def parse(graph):
    """DOT source -> ({node id: attribute text}, [(tail, head, attribute text)])."""
    nodes, edges = {}, []
    for line in graph.source.splitlines():
        edge = re.match(r"\s*(\w+) -> (\w+)(?: \[(.*)\])?$", line)
        node = re.match(r"\s*(\w+) \[(.*)\]$", line)
        if edge:
            edges.append((edge[1], edge[2], edge[3] or ""))
        elif node and node[1] not in ("graph", "node", "edge"):
            nodes[node[1]] = node[2]
    return nodes, edges


def node_id(nodes, text):
    """The one node whose attributes contain `text`."""
    found = [key for key, attributes in nodes.items() if text in attributes]
    assert len(found) == 1, f"{text!r} in {found}"
    return found[0]


def op_id(nodes, name):
    """The one op ellipse labelled `name` (possibly followed by a note)."""
    found = [key for key, a in nodes.items() if re.match(rf'label="?{name}(\\n|"| )', a) and "ellipse" in a]
    assert len(found) == 1, f"{name!r} in {found}"
    return found[0]


def boxes(nodes):
    return {key: a for key, a in nodes.items() if "shape=box" in a}


def ellipses(nodes):
    return {key: a for key, a in nodes.items() if "shape=ellipse" in a}


@pytest.fixture
def expression():
    """loss = sum(a * b + a): b is broadcast over a's rows, a is used twice."""
    a = tg.Tensor(np.arange(6, dtype=np.float64).reshape(2, 3), requires_grad=True, name="a")
    b = tg.Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, name="b")
    loss = (a * b + a).sum()
    loss.name = "loss"
    return a, b, loss


def test_counts_and_data_flow_direction(expression):
    _a, _b, loss = expression
    nodes, edges = parse(tg.draw_graph(loss))
    assert len(boxes(nodes)) == 5  # a, b, a*b, a*b+a, loss
    assert sorted(re.search(r"label=\"?(\w+)", x)[1] for x in ellipses(nodes).values()) == ["Add", "Mul", "Sum"]
    assert len(edges) == 8  # Mul: 2 in + 1 out, Add: 2 + 1, Sum: 1 + 1
    mul, total = op_id(nodes, "Mul"), op_id(nodes, "Sum")
    heads_of = {tail: [h for t, h, _ in edges if t == tail] for tail in nodes}
    assert mul in heads_of[node_id(nodes, '"a\\n')] and mul in heads_of[node_id(nodes, '"b\\n')]
    assert heads_of[total] == [node_id(nodes, '"loss\\n')]
    assert heads_of[node_id(nodes, '"loss\\n')] == []


def test_labels_show_name_or_short_id_shape_and_dtype(expression):
    _a, _b, loss = expression
    nodes, _ = parse(tg.draw_graph(loss))
    assert "(2, 3) float64" in nodes[node_id(nodes, '"a\\n')]
    assert "(3,) float64" in nodes[node_id(nodes, '"b\\n')]
    assert "() float64" in nodes[node_id(nodes, '"loss\\n')]
    unnamed = [x for x in boxes(nodes).values() if re.search(r'label="t\d+\\n\(2, 3\) float64', x)]
    assert len(unnamed) == 2


def test_grad_norm_appears_after_backward_with_retain_graph(expression):
    a, b, loss = expression
    assert "|grad|" not in tg.draw_graph(loss).source
    loss.backward(retain_graph=True)
    nodes, _ = parse(tg.draw_graph(loss))
    assert f"|grad| = {np.linalg.norm(a.grad):.4g}" in nodes[node_id(nodes, '"a\\n')]
    assert f"|grad| = {np.linalg.norm(b.grad):.4g}" in nodes[node_id(nodes, '"b\\n')]
    assert "|grad|" not in tg.draw_graph(loss, show_grad=False).source


def test_after_a_plain_backward_the_picture_shows_the_structure_and_the_gradients(expression):
    a, b, loss = expression
    before = parse(tg.draw_graph(loss))
    product = a * b
    product.retain_grad()
    loss = (product + a).sum()
    loss.backward()
    nodes, edges = parse(tg.draw_graph(loss, show_data=True))
    assert len(nodes) == len(before[0]) and len(edges) == len(before[1])
    assert f"|grad| = {np.linalg.norm(b.grad):.4g}" in tg.draw_graph(loss).source
    assert "values freed by backward()" in tg.draw_graph(loss, show_data=True).source
    record = [x for x in nodes.values() if "shape=record" in x and "(2, 3) float64" in x and '"{t' in x]
    assert len(record) == 1 and "data\\n" in record[0] and "grad\\n[[1., 1., 1.]" in record[0]
    assert "values freed" not in parse(tg.draw_graph(loss))[0][node_id(nodes, '"{b')]


def test_broadcast_input_is_marked_on_its_edge_and_op(expression):
    _a, _b, loss = expression
    nodes, edges = parse(tg.draw_graph(loss))
    mul, add = op_id(nodes, "Mul"), op_id(nodes, "Add")
    b_id, a_id = node_id(nodes, '"b\\n'), node_id(nodes, '"a\\n')
    marked = [(tail, head) for tail, head, attributes in edges if "color=red" in attributes]
    assert marked == [(b_id, mul)]
    assert "broadcast" in nodes[mul] and "broadcast" not in nodes[add]
    assert (a_id, add) in [(t, h) for t, h, _ in edges]


def test_constants_broadcast_without_a_mark():
    x = tg.Tensor(np.ones((2, 2)), requires_grad=True)
    nodes, edges = parse(tg.draw_graph(2.0 * x + np.ones(2)))
    assert not any("color=red" in attributes for _, _, attributes in edges)
    assert not any("broadcast" in attributes for attributes in nodes.values())


def test_fan_out_counts_every_input_slot(expression):
    _a, _b, loss = expression
    nodes, _ = parse(tg.draw_graph(loss))
    assert "used 2 times" in nodes[node_id(nodes, '"a\\n')] and "color=darkorange" in nodes[node_id(nodes, '"a\\n')]
    assert "used" not in nodes[node_id(nodes, '"b\\n')]
    x = tg.Tensor([1.0, 2.0], requires_grad=True, name="x")
    nodes, edges = parse(tg.draw_graph(x * x * x))
    assert "used 3 times" in nodes[node_id(nodes, '"x\\n')]
    assert len(edges) == 6


def test_show_data_prints_small_arrays_only():
    small = tg.Tensor(np.array([0.5, -1.25]), requires_grad=True, name="small")
    large = tg.Tensor(np.zeros(100), name="large")
    source = tg.draw_graph((small * 2.0).sum() + large.sum(), show_data=True).source
    assert "[ 0.5 , -1.25]" in source
    assert "[0., 0.," not in source
    assert "[ 0.5" not in tg.draw_graph(small * 2.0).source


def test_clusters_group_a_layer_from_its_parameters_and_output():
    x = tg.Tensor(np.ones((4, 3)), name="x")
    weights = tg.Tensor(np.ones((3, 2)), requires_grad=True, name="weights")
    biases = tg.Tensor(np.zeros((1, 2)), requires_grad=True, name="biases")
    out = x @ weights + biases
    loss = out.relu().sum()
    layer = {weights: "Dense 1", biases: "Dense 1", out: "Dense 1"}
    for clusters in (layer, layer.get):
        source = tg.draw_graph(loss, clusters=clusters).source
        cluster = re.search(r"subgraph cluster_\d+ \{(.*?)\n\t\}", source, re.S)[1]
        assert "label=\"Dense 1\"" in cluster
        for inside in ("label=MatMul", "Add", '"weights\\n', '"biases\\n', "(4, 2) float64"):
            assert inside in cluster
        for outside in ('"x\\n', "Where", "label=Sum"):
            assert outside not in cluster
    assert source.count("subgraph") == 1


def test_deep_chain_is_walked_without_recursion():
    x = tg.Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    nodes, edges = parse(tg.draw_graph(y))
    assert len(ellipses(nodes)) == 3000 and len(edges) == 3 * 3000


def test_bad_arguments_are_named():
    x = tg.Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="root must be a Tensor, got ndarray"):
        tg.draw_graph(np.ones(2))
    with pytest.raises(ValueError, match=r"rankdir must be one of .* got 'XY'"):
        tg.draw_graph(x * 2, rankdir="XY")
    with pytest.raises(TypeError, match="clusters must be a mapping or a callable, got str"):
        tg.draw_graph(x * 2, clusters="layer")
    with pytest.raises(ValueError, match=r"format must be one of .* got 'gif'"):
        render(tg.draw_graph(x * 2), "g.gif", format="gif")
    assert "rankdir=TB" in tg.draw_graph(x * 2, rankdir="TB").source


def test_missing_dot_says_how_to_install_it(monkeypatch, tmp_path, expression):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None
    with pytest.raises(RuntimeError) as error:
        render(tg.draw_graph(expression[2]), tmp_path / "g.svg")
    for hint in ("'dot'", "apt-get install graphviz", "brew install graphviz", "graphviz.org"):
        assert hint in str(error.value)
    assert not (tmp_path / "g.svg").exists()


def test_render_writes_valid_svg_and_png(tmp_path, expression, dot_binary):
    _a, _b, loss = expression
    loss.backward(retain_graph=True)
    graph = tg.draw_graph(loss, show_data=True)
    svg = render(graph, tmp_path / "graph.svg")
    root = ElementTree.parse(svg).getroot()
    assert root.tag.endswith("svg")
    texts = [element.text for element in root.iter() if element.tag.endswith("text")]
    assert "Mul" in texts and "a" in texts and "used 2 times: grad summed" in texts
    png = render(graph, tmp_path / "graph.png", format="png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_dense_layer_marks_only_its_bias_as_broadcast():
    x = tg.Tensor(np.ones((4, 3)))
    weights = tg.Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    for biases in (tg.Tensor(np.zeros((1, 2)), requires_grad=True), tg.Tensor(np.zeros(2), requires_grad=True)):
        source = tg.draw_graph(tg.functional.linear(x, weights, biases).sum()).source
        assert "label=\"Add\\nbroadcast: grad summed\"" in source
        assert source.count("broadcast: grad summed") == 1
    one_row = tg.functional.linear(tg.Tensor(np.ones((1, 3))), weights, tg.Tensor(np.zeros((1, 2)), requires_grad=True))
    assert "broadcast: grad summed" not in tg.draw_graph(one_row.sum()).source
