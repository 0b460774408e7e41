"""tensorgrad.explain: the printed walk-through agrees with backward() and leaves the graph alone."""
import ast
import re

import numpy as np
import pytest

import tensorgrad as tg


def small_network():
    """loss = sum(relu(x @ W + b) * (x @ W + b)): a fan-out, a broadcast and a matmul."""
    x = tg.Tensor([[1.0, 2.0], [-0.5, 0.25]], requires_grad=True, name="x")
    W = tg.Tensor([[0.5, -1.0, 0.3], [2.0, 0.25, -0.7]], requires_grad=True, name="W")
    b = tg.Tensor([0.1, -0.2, 0.05], requires_grad=True, name="b")
    z = x @ W + b
    loss = (z.relu() * z).sum()
    loss.name = "loss"
    return loss, (x, W, b)


def printed_leaf_gradients(text):
    section = text.split("leaf gradients (what backward() adds to .grad):\n")[1]
    found = {}
    for line in section.splitlines():
        name, values = line.strip().split(" = ")
        found[name] = np.array(ast.literal_eval(values), dtype=np.float64)
    return found


def printed_ops(text):
    return re.findall(r"^\[(\d+)\] (\w+)  \(its output z is ", text, flags=re.MULTILINE)


def test_printed_leaf_gradients_equal_those_of_backward(capsys):
    loss, leaves = small_network()
    text = tg.explain(loss)
    assert capsys.readouterr().out == text + "\n"
    printed = printed_leaf_gradients(text)
    loss.backward()
    assert sorted(printed) == ["W", "b", "x"]
    for leaf in leaves:
        assert np.abs(leaf.grad).max() > 0.1
        np.testing.assert_allclose(printed[leaf.name], leaf.grad, rtol=1e-3, atol=1e-6, err_msg=leaf.name)


def test_ops_are_listed_in_backward_order_consumers_first():
    x = tg.Tensor([0.5, -1.5], requires_grad=True, name="x")
    loss = (x.exp() * 3.0).sum()
    ops = printed_ops(tg.explain(loss))
    assert ops == [("1", "Sum"), ("2", "Mul"), ("3", "Exp")]


def test_every_op_shows_its_rule_arriving_and_sent_gradients():
    x = tg.Tensor([0.5, -1.5], requires_grad=True, name="x")
    loss = (x * x).sum()  # x used twice by one op: both contributions reach x
    text = tg.explain(loss)
    assert "rule     z = a * b;  dz/da = b, dz/db = a" in text
    assert "arrives  dL/dz = [1, 1]" in text
    assert "sends    dL/da = [0.5, -1.5] to x" in text
    assert printed_leaf_gradients(text)["x"].tolist() == [1.0, -3.0]


def test_broadcast_and_fan_out_are_pointed_out():
    text = tg.explain(small_network()[0])
    assert "to b  (summed over broadcast axes)" in text
    assert "(sum of 2 uses of z)" in text


def test_the_graph_is_neither_freed_nor_changed_and_no_grad_is_written():
    loss, leaves = small_network()
    first = tg.explain(loss)
    assert all(leaf.grad is None for leaf in leaves)
    assert tg.explain(loss) == first  # walkable again
    tg.draw_graph(loss)  # draw_graph raises on a freed graph
    loss.backward()
    expected = [leaf.grad.copy() for leaf in leaves]
    loss2, leaves2 = small_network()
    loss2.backward()
    for got, want in zip(expected, (leaf.grad for leaf in leaves2), strict=False):
        np.testing.assert_array_equal(got, want)


def test_large_graphs_are_refused_with_the_limit_in_the_message():
    x = tg.Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(60):
        y = y * 1.01
    with pytest.raises(ValueError, match="max_nodes is 50 but the graph has more than 50 ops"):
        tg.explain(y.sum())
    text = tg.explain(y.sum(), max_nodes=61)
    assert printed_ops(text)[0] == ("1", "Sum") and printed_ops(text)[-1] == ("61", "Mul")


def test_large_arrays_are_summarised():
    x = tg.Tensor(np.ones((5, 5)), requires_grad=True, name="x")
    text = tg.explain((2 * x).sum())
    assert "x = <(5, 5) array, mean 2, |.| = 10>" in text


@pytest.mark.parametrize("make, message", [
    (lambda: tg.Tensor([1.0], requires_grad=True), "not computed by a recorded op"),
    (lambda: tg.Tensor([1.0, 2.0], requires_grad=True) * 2, r"single element .* got shape \(2,\)"),
])
def test_bad_outputs_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        tg.explain(make())


def test_after_a_plain_backward_it_shows_the_structure_and_the_gradients_that_exist():
    x = tg.Tensor([1.0, -2.0], requires_grad=True, name="x")
    hidden = x * 3.0
    hidden.retain_grad()
    loss = (hidden * hidden).sum()
    loss.backward()
    text = tg.explain(loss)
    assert "freed by backward()" in text and "retain_graph=True" in text
    assert printed_ops(text) == [("1", "Sum"), ("2", "Mul"), ("3", "Mul")]
    assert "(value freed)" in text
    assert "has      dL/dz = [6, -12]  (retained)" in text
    assert "leaf gradients (in .grad now):\n    x = [18, -36]" in text
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_with_retain_graph_it_shows_everything_as_before():
    loss, _leaves = small_network()
    loss.backward(retain_graph=True)
    text = tg.explain(loss)
    assert "freed" not in text and "arrives  dL/dz" in text


def test_inputs_are_lettered_by_the_ops_own_argument_names_and_rules_print_whole():
    weights = tg.Tensor(np.ones((2, 2)), requires_grad=True, name="W")
    z = tg.Tensor(np.ones((1, 2)), name="x") @ weights
    text = tg.explain(tg.functional.log_softmax(z).sum())
    assert "    a        x (1, 2) constant" in text and "    b        W (2, 2) leaf" in text
    assert "sends    dL/db = " in text
    assert "rule     z = log(sum of e^a over axis);  dz/da = e^(a - z) = softmax(a) along the axis" in text
