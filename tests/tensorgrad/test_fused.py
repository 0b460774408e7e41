"""Each fused primitive equals its composed definition, in values and in gradients."""
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
    return out.data, leaf.grad


@given(tgst.shapes().flatmap(tgst.arrays))
def test_fused_relu_equals_composed_relu(x):
    upstream = np.random.default_rng(0).standard_normal(x.shape)
    fused = values_and_gradient(F.relu, x, upstream)
    composed = values_and_gradient(F.relu_composed, x, upstream)
    np.testing.assert_array_equal(fused[0], composed[0])
    np.testing.assert_array_equal(fused[1], composed[1])


def test_fused_relu_has_the_books_zero_derivative_at_zero_and_keeps_float32():
    x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
    for function in (F.relu, F.relu_composed):
        out, grad = values_and_gradient(function, x, np.ones(3, dtype=np.float32))
        assert out.dtype == np.float32 and grad.dtype == np.float32
        np.testing.assert_array_equal(out, [0.0, 0.0, 2.0])
        np.testing.assert_array_equal(grad, [0.0, 0.0, 1.0])


def test_fused_relu_second_derivative_is_zero_like_the_composed_one():
    x = tg.Tensor(np.array([-1.5, 0.5, 2.0]), requires_grad=True)
    for function in (F.relu, F.relu_composed):
        (first,) = tg.grad((function(x) ** 2).sum(), x, create_graph=True)   # 2 relu(x) relu'(x)
        (second,) = tg.grad(first.sum(), x)                                  # 2 relu'(x)^2
        np.testing.assert_array_equal(second.data, [0.0, 2.0, 2.0])


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.booleans(), st.data())
def test_fused_linear_equals_matmul_plus_bias(n, k, m, flat_bias, data):
    x = data.draw(tgst.arrays((n, k)))
    weights = data.draw(tgst.arrays((k, m)))
    biases = data.draw(tgst.arrays((m,) if flat_bias else (1, m)))
    upstream = np.random.default_rng(1).standard_normal((n, m))
    results = []
    for function in (F.linear, F.linear_composed):
        leaves = [tg.Tensor(a.copy(), requires_grad=True) for a in (x, weights, biases)]
        out = function(*leaves)
        out.backward(upstream)
        results.append([out.data] + [leaf.grad for leaf in leaves])
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-12)


def test_fused_linear_keeps_float32_and_explains_bad_shapes():
    x = tg.Tensor(np.ones((2, 3), np.float32))
    weights = tg.Tensor(np.ones((3, 4), np.float32), requires_grad=True)
    biases = tg.Tensor(np.zeros((1, 4), np.float32), requires_grad=True)
    assert F.linear(x, weights, biases).dtype == np.float32
    with pytest.raises(ValueError, match=r"linear: inputs of shapes \(2, 3\) and \(4, 4\) and \(1, 4\)"):
        F.linear(x, tg.Tensor(np.ones((4, 4), np.float32)), biases)


@given(st.integers(1, 6), st.integers(2, 5), st.booleans(), st.data())
def test_fused_cross_entropy_mean_equals_the_mean_of_its_sample_losses(n, classes, one_hot, data):
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
