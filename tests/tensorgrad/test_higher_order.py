"""Derivatives of derivatives: `tensorgrad.grad(..., create_graph=True)` records the
backward pass, so it can be differentiated again."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tensorgrad as tg
import tensorgrad.functional as F
from tensorgrad.testing import strategies as tgst

vectors = st.integers(1, 5).flatmap(lambda n: st.tuples(tgst.arrays((n,)), tgst.arrays((n,)), tgst.arrays((n, n))))


def hessian_vector_product(f, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """H v = d/dx (grad f(x) . v): one recorded backward, then an ordinary one."""
    leaf = tg.Tensor(x.copy(), requires_grad=True)
    (gradient,) = tg.grad(f(leaf), leaf, create_graph=True)
    (product,) = tg.grad((gradient * v).sum(), leaf)
    assert leaf.grad is None  # grad() returns gradients; it never touches .grad
    assert product is not None
    return product.data


@given(vectors)
def test_hessian_vector_product_of_a_cubic_plus_a_quadratic_form(case):
    """f = sum x^3 + x A x:  grad = 3 x^2 + (A + A^T) x,  H = diag(6 x) + A + A^T."""
    x, v, a = case
    expected = 6 * x * v + (a + a.T) @ v
    np.testing.assert_allclose(hessian_vector_product(lambda t: (t ** 3).sum() + t @ a @ t, x, v), expected, rtol=1e-10, atol=1e-12)


@given(vectors)
def test_hessian_vector_product_of_softplus(case):
    """f = sum log(1 + e^x):  grad = sigmoid(x),  H = diag(s (1 - s))."""
    x, v, _ = case
    s = 1 / (1 + np.exp(-x))
    expected = s * (1 - s) * v
    np.testing.assert_allclose(hessian_vector_product(lambda t: (1 + t.exp()).log().sum(), x, v), expected, rtol=1e-10, atol=1e-12)


def test_third_derivative_by_nesting_grad():
    """d^3/dx^3 x^4 = 24 x."""
    x = tg.Tensor(np.array([0.5, -2.0]), requires_grad=True)
    (first,) = tg.grad((x ** 4).sum(), x, create_graph=True)
    (second,) = tg.grad(first.sum(), x, create_graph=True)
    (third,) = tg.grad(second.sum(), x)
    np.testing.assert_allclose(first.data, 4 * x.data ** 3)
    np.testing.assert_allclose(second.data, 12 * x.data ** 2)
    np.testing.assert_allclose(third.data, 24 * x.data)


@pytest.mark.parametrize("function, shapes", [
    (lambda x, w: (x @ w).tanh(), [(3, 2), (2, 4)]),
    (lambda x: F.softmax(x) * F.log_softmax(x), [(2, 3)]),
    (lambda x, y: (x / (1 + y * y)).sigmoid(), [(2, 3), (3,)]),
    (lambda x: F.mse(x.exp(), np.ones((2, 3))), [(2, 3)]),
], ids=["tanh-matmul", "softmax-log_softmax", "sigmoid-div", "mse-exp"])
def test_gradgradcheck_on_smooth_compositions(function, shapes):
    rng = np.random.default_rng(0)
    inputs = [tg.Tensor(rng.uniform(-1, 1, size=shape), requires_grad=True) for shape in shapes]
    assert tg.gradgradcheck(function, *inputs)


def test_gradcheck_fails_where_central_differences_are_not_a_number():
    """A function that turns NaN just beside the point has no derivative there to check."""
    def nan_above_half(x):
        return x + tg.Tensor(np.where(x.data > 0.5, np.nan, 0.0))

    with pytest.raises(tg.testing.GradcheckError, match=r"central differences give np\.float64\(nan\)"):
        tg.gradcheck(nan_above_half, tg.Tensor(np.array([0.5]), requires_grad=True))


def test_gradgradcheck_catches_a_wrong_second_derivative():
    """A rule whose first derivative is right but is not recorded differentiably fails."""
    detached_square = lambda x: x * x.detach()  # noqa: E731  first derivative x, not 2x
    with pytest.raises(tg.testing.GradcheckError, match="input 0"):
        tg.gradgradcheck(lambda x: detached_square(x) + x * x, tg.Tensor(np.array([0.3, -0.7]), requires_grad=True))


def test_backward_with_create_graph_keeps_the_graph():
    """`.grad` is always a plain array; create_graph=True also retains the graph, so the
    same output can be differentiated again (as with retain_graph=True)."""
    x = tg.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    loss = (x ** 3).sum()
    loss.backward(create_graph=True)
    assert isinstance(x.grad, np.ndarray)
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2)
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * 3 * x.data ** 2)


def test_grad_with_allow_unused():
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    unused = tg.Tensor(np.array([3.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"input 1 was not used.*allow_unused=True"):
        tg.grad((x * x).sum(), [x, unused])
    gradient, nothing = tg.grad((x * x).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(gradient.data, 2 * x.data)
    assert nothing is None


def test_grad_with_respect_to_the_upstream_gradient():
    """With create_graph=True a grad_outputs Tensor stays in the graph: J^T v is linear in v."""
    x = tg.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    v = tg.Tensor(np.array([1.0, -1.0]), requires_grad=True)
    (vjp,) = tg.grad(x[np.array([0, 0])] * 2, x, grad_outputs=v, create_graph=True)
    np.testing.assert_array_equal(vjp.data, [0.0, 0.0, 0.0])
    (dv,) = tg.grad(vjp[0], v)
    np.testing.assert_array_equal(dv.data, [2.0, 2.0])
