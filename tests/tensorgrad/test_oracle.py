"""Autograd against the book's hand-written derivatives (tests/analytic.py), in float64.

The composed ops have no backward code: their gradients come from the chain rule over
primitives. Agreement to 1e-10 with the book's formulas, derived by hand, is the proof.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import analytic
import tensorgrad as tg
import tensorgrad.functional as F
import window_cases
from tensorgrad.testing import strategies as tgst

TOLERANCE = dict(rtol=1e-10, atol=1e-10)
batches = st.tuples(st.integers(1, 4), st.integers(2, 4))  # (samples, classes or outputs)


def gradient_of(function, x: np.ndarray, upstream: np.ndarray | None = None) -> np.ndarray:
    """d(function(x))/dx by autograd, seeded with `upstream` (or 1 for a scalar)."""
    leaf = tg.Tensor(x.copy(), requires_grad=True)
    function(leaf).backward(upstream)
    assert leaf.grad is not None
    return leaf.grad


@st.composite
def labelled_probabilities(draw, one_hot: bool):
    samples, classes = draw(batches)
    raw = draw(tgst.positive_arrays((samples, classes)))
    labels = draw(hnp.arrays(np.int64, (samples,), elements=st.integers(0, classes - 1)))
    return raw / raw.sum(axis=1, keepdims=True), (np.eye(classes)[labels] if one_hot else labels)


@given(batches.flatmap(lambda shape: st.tuples(tgst.arrays(shape), tgst.arrays(shape))))
def test_relu(pair):
    x, upstream = pair
    np.testing.assert_allclose(gradient_of(F.relu, x, upstream), analytic.relu_backward(upstream, x), **TOLERANCE)


@given(batches.flatmap(lambda shape: st.tuples(tgst.arrays(shape), tgst.arrays(shape))))
def test_softmax_with_random_upstream_gradient(pair):
    x, upstream = pair
    expected = analytic.softmax_backward(upstream, analytic.softmax(x))
    np.testing.assert_allclose(gradient_of(F.softmax, x, upstream), expected, **TOLERANCE)


@given(st.booleans().flatmap(lambda one_hot: labelled_probabilities(one_hot)))
def test_categorical_cross_entropy_with_labels_and_one_hot(case):
    predictions, targets = case
    autograd = gradient_of(lambda p: F.categorical_cross_entropy(p, targets), predictions)
    expected = analytic.categorical_cross_entropy_backward(predictions, targets)
    np.testing.assert_allclose(autograd, expected, **TOLERANCE)


@given(st.booleans().flatmap(lambda one_hot: labelled_probabilities(one_hot)), st.data())
def test_softmax_then_cross_entropy_equals_the_shortcut(case, data):
    """Chained through softmax's Jacobian, -y/y_hat/N collapses to (y_hat - y)/N."""
    _, targets = case
    logits = data.draw(tgst.arrays((len(targets), case[0].shape[1])))
    autograd = gradient_of(lambda x: F.categorical_cross_entropy(F.softmax(x), targets), logits)
    expected = analytic.softmax_categorical_cross_entropy_backward(analytic.softmax(logits), targets)
    np.testing.assert_allclose(autograd, expected, **TOLERANCE)


@given(st.booleans().flatmap(lambda one_hot: labelled_probabilities(one_hot)), st.data())
def test_cross_entropy_from_logits_equals_the_loss_of_probabilities_and_the_shortcut(case, data):
    """functional.cross_entropy is one primitive; it must agree with softmax then CCE."""
    _, targets = case
    logits = data.draw(tgst.arrays((len(targets), case[0].shape[1])))
    composed = tg.Tensor(logits.copy(), requires_grad=True)
    from_logits = tg.Tensor(logits.copy(), requires_grad=True)
    composed_loss = F.categorical_cross_entropy(F.softmax(composed), targets)
    logits_loss = F.cross_entropy(from_logits, targets)
    composed_loss.backward()
    logits_loss.backward()
    np.testing.assert_allclose(logits_loss.data, composed_loss.data, **TOLERANCE)
    np.testing.assert_allclose(from_logits.grad, composed.grad, **TOLERANCE)
    expected = analytic.softmax_categorical_cross_entropy_backward(analytic.softmax(logits), targets)
    np.testing.assert_allclose(from_logits.grad, expected, **TOLERANCE)


@given(batches.flatmap(lambda shape: st.tuples(tgst.arrays(shape), tgst.arrays(shape))))
def test_sigmoid(pair):
    x, upstream = pair
    expected = analytic.sigmoid_backward(upstream, analytic.sigmoid(x))
    np.testing.assert_allclose(gradient_of(F.sigmoid, x, upstream), expected, **TOLERANCE)


@given(batches.flatmap(lambda shape: st.tuples(
    tgst.positive_arrays(shape, low=0.05, high=0.95), hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))))
def test_binary_cross_entropy(case):
    predictions, targets = case
    autograd = gradient_of(lambda p: F.binary_cross_entropy(p, targets), predictions)
    expected = analytic.binary_cross_entropy_backward(predictions, targets)
    np.testing.assert_allclose(autograd, expected, **TOLERANCE)


@given(batches.flatmap(lambda shape: st.tuples(tgst.arrays(shape), tgst.arrays(shape))))
def test_mean_squared_error(case):
    predictions, targets = case
    autograd = gradient_of(lambda p: F.mse(p, targets), predictions)
    expected = analytic.mean_squared_error_backward(predictions, targets)
    np.testing.assert_allclose(autograd, expected, **TOLERANCE)


@given(batches.flatmap(lambda shape: tgst.untied_pair(shape, shape)))
def test_mean_absolute_error(case):
    predictions, targets = case
    autograd = gradient_of(lambda p: F.mae(p, targets), predictions)
    expected = analytic.mean_absolute_error_backward(predictions, targets)
    np.testing.assert_allclose(autograd, expected, **TOLERANCE)


@given(st.data())
def test_dense_layer_with_linear_activation_and_mse(data):
    """The book's regression head: X W + b, identity activation, MSE; every gradient by hand."""
    samples, n_inputs, n_neurons = (data.draw(st.integers(1, 4)) for _ in range(3))
    inputs, weights, biases, targets = (data.draw(tgst.arrays(shape)) for shape in
                                        [(samples, n_inputs), (n_inputs, n_neurons), (1, n_neurons), (samples, n_neurons)])
    x, w, b = (tg.Tensor(a.copy(), requires_grad=True) for a in (inputs, weights, biases))
    output = x @ w + b
    F.mse(output, targets).backward()

    dvalues = analytic.mean_squared_error_backward(inputs @ weights + biases, targets)
    dweights, dbiases, dinputs = analytic.dense_backward(analytic.linear_backward(dvalues), inputs, weights)
    for autograd, expected in [(w.grad, dweights), (b.grad, dbiases), (x.grad, dinputs)]:
        np.testing.assert_allclose(autograd, expected, **TOLERANCE)


@given(batches.flatmap(lambda shape: st.tuples(
    tgst.arrays(shape), tgst.arrays(shape), hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 2.0])))))
def test_dropout_mask(case):
    x, upstream, mask = case
    np.testing.assert_allclose(gradient_of(lambda t: t * mask, x, upstream), analytic.dropout_backward(upstream, mask), **TOLERANCE)


@given(st.integers(1, 4).flatmap(lambda n: tgst.arrays((n, 3))), st.floats(1e-4, 1.0), st.floats(1e-4, 1.0))
def test_l1_and_l2_penalties(weights, l1, l2):
    """Weights stay away from 0, where the book's dL1 (= 1) and |w|'s subgradient (= 0) differ."""
    autograd = gradient_of(lambda w: l1 * w.abs().sum() + l2 * (w * w).sum(), weights)
    expected = analytic.l1_penalty_backward(weights, l1) + analytic.l2_penalty_backward(weights, l2)
    np.testing.assert_allclose(autograd, expected, **TOLERANCE)


def test_the_oracle_optimizers_take_the_books_first_steps():
    """Sanity of the oracle itself on numbers worked by hand."""
    grads = {"w": np.array([0.5, -2.0])}
    sgd = analytic.SGD(learning_rate=0.1, decay=0.5, momentum=0.9)
    params = {"w": np.array([1.0, 1.0])}
    sgd.step(params, grads)  # iterations 0: lr 0.1, update -0.1 g
    sgd.step(params, grads)  # lr 0.1 / 1.5, update 0.9 (-0.1 g) - (0.1 / 1.5) g
    np.testing.assert_allclose(params["w"], 1.0 - 0.1 * grads["w"] + 0.9 * -0.1 * grads["w"] - 0.1 / 1.5 * grads["w"])

    adam = analytic.Adam(learning_rate=0.01)
    params = {"w": np.array([1.0, 1.0])}
    adam.step(params, grads)  # bias correction makes the first step lr * g / (|g| + eps)
    np.testing.assert_allclose(params["w"], 1.0 - 0.01 * grads["w"] / (np.abs(grads["w"]) + 1e-7))

    for optimizer in (analytic.Adagrad(learning_rate=0.1), analytic.RMSprop(learning_rate=0.1, rho=0.0)):
        params = {"w": np.array([1.0, 1.0])}
        optimizer.step(params, grads)  # cache = g^2 either way: the step is lr * sign(g), nearly
        np.testing.assert_allclose(params["w"], 1.0 - 0.1 * grads["w"] / (np.abs(grads["w"]) + 1e-7))


# --------------------------------------------------------------------------- convolution and pooling

EDGE_GEOMETRIES = [  # (kernel, stride, padding, input size): the corners of the geometry
    window_cases.Geometry((1, 1), (1, 1), (0, 0), (3, 4)),  # a 1x1 kernel
    window_cases.Geometry((3, 2), (1, 1), (1, 0), (1, 2)),  # the kernel equals the padded input
    window_cases.Geometry((2, 2), (3, 4), (0, 1), (7, 6)),  # strides larger than the kernel
    window_cases.Geometry((3, 3), (2, 2), (1, 1), (5, 5)),
]


def conv_gradients(x, weight, bias, geometry, upstream):
    leaves = [tg.Tensor(a.copy(), requires_grad=True) for a in (x, weight, bias)]
    out = F.conv2d(*leaves, stride=geometry.stride, padding=geometry.padding)
    out.backward(upstream)
    return out.data, [leaf.grad for leaf in leaves]


def check_conv(x, weight, bias, geometry, rng):
    expected = analytic.conv2d_forward(x, weight, bias, geometry.stride, geometry.padding)
    upstream = rng.standard_normal(expected.shape)
    value, grads = conv_gradients(x, weight, bias, geometry, upstream)
    np.testing.assert_allclose(value, expected, **TOLERANCE)
    oracle = analytic.conv2d_backward(upstream, x, weight, geometry.stride, geometry.padding)
    for name, got, want in zip(("dX", "dW", "db"), grads, oracle, strict=False):
        np.testing.assert_allclose(got, want, **TOLERANCE, err_msg=name)


@given(window_cases.convolutions(), st.integers(0, 2**32 - 1))
def test_conv2d(drawn, seed):
    check_conv(*drawn, np.random.default_rng(seed))


@pytest.mark.parametrize("geometry", EDGE_GEOMETRIES, ids=repr)
def test_conv2d_edge_geometries(geometry):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, *geometry.size))
    check_conv(x, rng.standard_normal((4, 3, *geometry.kernel)), rng.standard_normal(4), geometry, rng)


def check_pool(function, forward, backward, x, geometry, rng):
    arguments = (geometry.kernel, geometry.stride, geometry.padding)
    expected = forward(x, *arguments)
    upstream = rng.standard_normal(expected.shape)
    leaf = tg.Tensor(x.copy(), requires_grad=True)
    out = function(leaf, *arguments)
    out.backward(upstream)
    np.testing.assert_allclose(out.data, expected, **TOLERANCE)
    np.testing.assert_allclose(leaf.grad, backward(upstream, x, *arguments), **TOLERANCE)


POOLS = {
    "max": (F.max_pool2d, analytic.max_pool2d_forward, analytic.max_pool2d_backward),
    "avg": (F.avg_pool2d, analytic.avg_pool2d_forward, analytic.avg_pool2d_backward),
}


@pytest.mark.parametrize("kind", POOLS)
@given(drawn=window_cases.poolings(), seed=st.integers(0, 2**32 - 1))
def test_pooling(kind, drawn, seed):
    check_pool(*POOLS[kind], *drawn, np.random.default_rng(seed))


@pytest.mark.parametrize("kind", POOLS)
@pytest.mark.parametrize("geometry", [g for g in EDGE_GEOMETRIES if all(2 * p <= k for p, k in zip(g.padding, g.kernel, strict=False))],
                         ids=repr)
def test_pooling_edge_geometries(kind, geometry):
    rng = np.random.default_rng(1)
    x = rng.permutation(2 * 3 * int(np.prod(geometry.size))).reshape(2, 3, *geometry.size) / 10.0  # no ties
    check_pool(*POOLS[kind], x, geometry, rng)
