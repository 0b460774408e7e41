"""The composed ops the book's networks train with: relu, linear and cross-entropy from logits."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tensorgrad as tg
from tensorgrad import functional as F
from tensorgrad.testing import strategies as tgst


def values_and_gradient(function, x: np.ndarray, upstream: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    leaf = tg.Tensor(x.copy(), requires_grad=True)
    out = function(leaf)
    out.backward(upstream)
    assert leaf.grad is not None
    return out.data, leaf.grad


def test_relu_has_the_books_zero_derivative_at_zero_and_keeps_float32():
    x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
    for function in (F.relu, lambda t: t.relu()):
        out, grad = values_and_gradient(function, x, np.ones(3, dtype=np.float32))
        assert out.dtype == np.float32 and grad.dtype == np.float32
        np.testing.assert_array_equal(out, [0.0, 0.0, 2.0])
        np.testing.assert_array_equal(grad, [0.0, 0.0, 1.0])


def test_relu_second_derivative_is_zero():
    x = tg.Tensor(np.array([-1.5, 0.5, 2.0]), requires_grad=True)
    for function in (F.relu, lambda t: t.relu()):
        (first,) = tg.grad((function(x) ** 2).sum(), x, create_graph=True)   # 2 relu(x) relu'(x)
        (second,) = tg.grad(first.sum(), x)                                  # 2 relu'(x)^2
        np.testing.assert_array_equal(second.data, [0.0, 2.0, 2.0])


def test_linear_keeps_float32_and_explains_bad_shapes():
    x = tg.Tensor(np.ones((2, 3), np.float32))
    weights = tg.Tensor(np.ones((3, 4), np.float32), requires_grad=True)
    biases = tg.Tensor(np.zeros((1, 4), np.float32), requires_grad=True)
    assert F.linear(x, weights, biases).dtype == np.float32
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 4\) are not aligned"):
        F.linear(x, tg.Tensor(np.ones((4, 4), np.float32)), biases)


@given(st.integers(1, 6), st.integers(2, 5), st.booleans(), st.data())
def test_cross_entropy_mean_equals_the_mean_of_its_sample_losses(n, classes, one_hot, data):
    logits = data.draw(tgst.arrays((n, classes)))
    labels = np.arange(n) % classes
    targets = np.eye(classes)[labels] if one_hot else labels
    results = []
    for reduce in (lambda z: F.cross_entropy(z, targets), lambda z: F.cross_entropy(z, targets, reduction="none").mean()):
        leaf = tg.Tensor(logits.copy(), requires_grad=True)
        loss = reduce(leaf)
        loss.backward()
        assert loss.shape == () and loss.dtype == leaf.dtype
        results.append((loss.item(), leaf.grad))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-15)


@given(st.integers(1, 6), st.integers(2, 5), st.booleans(), st.data())
def test_cross_entropy_gradient_is_the_books_shortcut_out_of_the_chain_rule(n, classes, one_hot, data):
    """(softmax(z) - onehot(y)) / n, the book's combined class, with no rule typed in."""
    logits = data.draw(tgst.arrays((n, classes)))
    labels = np.arange(n) % classes
    leaf = tg.Tensor(logits.copy(), requires_grad=True)
    F.cross_entropy(leaf, np.eye(classes)[labels] if one_hot else labels).backward()
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(leaf.grad, (probabilities - np.eye(classes)[labels]) / n, rtol=1e-10, atol=1e-14)


def test_cross_entropy_keeps_pushing_a_vanishing_true_class():
    """Where the clipped loss on probabilities has a zero gradient, the logits path does not."""
    leaf = tg.Tensor(np.array([[40.0, 0.0]]), requires_grad=True)
    F.cross_entropy(leaf, np.array([1])).backward()
    np.testing.assert_allclose(leaf.grad, [[1.0, -1.0]], atol=1e-12)
