"""After a plain backward the graph keeps its structure and frees its saved values (as in
PyTorch); retain_grad keeps an intermediate's gradient; create_graph sees saved outputs."""
import gc
import weakref

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import Function, producers


def graph_nodes(root):
    """Every node behind root, through the edges a freed graph keeps."""
    found, stack = {}, [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and id(node) not in found:
            found[id(node)] = node
            stack.extend(producer for producer, _ in producers(node))
    return list(found.values())


def small_loss(x):
    """A loss whose intermediate Tensors are dropped on return, as in a training step."""
    weights = tg.Tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True, name="W")
    hidden = (x @ weights).relu()
    loss = (hidden * hidden).sum()
    leaves = {id(tensor.data) for node in graph_nodes(loss) for producer, tensor in producers(node) if producer is None}
    saved = [weakref.ref(value) for node in graph_nodes(loss) for value in node.saved_tensors
             if isinstance(value, np.ndarray) and value.base is None and id(value) not in leaves]
    return loss, weights, saved


def test_a_plain_backward_frees_the_saved_arrays_and_keeps_the_structure():
    x = tg.Tensor(np.arange(6.0).reshape(2, 3) - 2.5, name="x")
    loss, _weights, saved = small_loss(x)
    before = [(type(node), node.sequence) for node in graph_nodes(loss)]
    gc.collect()
    assert saved and all(ref() is not None for ref in saved)
    loss.backward()
    gc.collect()
    assert [ref() for ref in saved] == [None] * len(saved)
    assert [(type(node), node.sequence) for node in graph_nodes(loss)] == before
    assert all(node.freed and node.output is None for node in graph_nodes(loss))
    shapes = {node.name: node.output_shape for node in graph_nodes(loss)}
    assert shapes == {"Sum": (), "Mul": (2, 4), "Maximum": (2, 4), "MatMul": (2, 4)}
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_retain_graph_keeps_the_saved_arrays():
    x = tg.Tensor(np.ones((2, 3)))
    loss, _, saved = small_loss(x)
    loss.backward(retain_graph=True)
    gc.collect()
    assert all(ref() is not None for ref in saved)
    loss.backward()  # a second pass is allowed


def test_retain_grad_keeps_an_intermediate_gradient_equal_to_the_hand_computed_one():
    x = tg.Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    hidden = 3.0 * x + 1.0          # [4, -5, 2.5]
    hidden.retain_grad()
    loss = (hidden ** 2).sum()      # dL/dhidden = 2 * hidden
    assert hidden.retains_grad and not (x * 1.0).retains_grad
    loss.backward()
    np.testing.assert_allclose(hidden.grad, [8.0, -10.0, 5.0])
    np.testing.assert_allclose(x.grad, 3.0 * hidden.grad)
    loss.retain_grad()  # the root, after the fact, gets nothing more; a leaf keeps its own
    x.retain_grad()
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.Tensor([1.0]).retain_grad()


def test_retained_gradients_accumulate_like_leaves_and_reach_the_picture():
    x = tg.Tensor(np.array([2.0]), requires_grad=True, name="x")
    y = x * x
    y.retain_grad()
    y.name = "y"
    (y * 3.0).sum().backward(retain_graph=True)
    np.testing.assert_allclose(y.grad, [3.0])
    loss = (y * 1.0).sum()
    loss.backward()
    np.testing.assert_allclose(y.grad, [4.0])
    source = tg.draw_graph(loss).source
    assert "|grad| = 4" in source and "|grad| = 16" in source


def test_after_backward_a_retained_tensor_lives_only_as_long_as_the_user_holds_it():
    x = tg.Tensor(np.array([2.0]), requires_grad=True)
    hidden = x * 2.0
    hidden.retain_grad()
    reference = weakref.ref(hidden)
    loss = (hidden * 1.0).sum()
    loss.backward()
    np.testing.assert_allclose(hidden.grad, [1.0])
    del hidden
    gc.collect()
    assert reference() is None
    assert "values freed by backward()" in tg.draw_graph(loss, show_data=True).source


class Square(Function):
    """z = a^2;  dz/da = 2a = 2z / a  (a user's op that saves its output twice)"""

    @staticmethod
    def forward(ctx, a):
        out = a * a
        ctx.save_for_backward(a, out, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out, again = ctx.saved_tensors
        return (grad * (out + again) / a,)


def test_a_user_op_that_saves_its_output_twice_works_under_create_graph():
    x = tg.Tensor(np.array([1.5, -2.0]), requires_grad=True)
    (first,) = tg.grad(Square.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.data, 2 * x.data)
    (second,) = tg.grad(first.sum(), x)
    np.testing.assert_allclose(second.data, [2.0, 2.0])


def test_apply_names_a_constant_that_was_not_wrapped():
    with pytest.raises(TypeError, match=r"Square.apply: inputs must be Tensors, got float.*as_tensor"):
        Square.apply(2.0)
