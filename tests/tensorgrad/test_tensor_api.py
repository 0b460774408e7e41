"""The Tensor API a learner touches: dtypes, operators, comparisons, indexing, data and
grad attributes, conversions, and errors that say what went wrong."""
from __future__ import annotations

import re

import numpy as np
import pytest

import tensorgrad as tg


# --------------------------------------------------------------------------- dtypes

@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], [[1, 2.5]]])
def test_python_floats_and_lists_become_float32(data):
    assert tg.Tensor(data).dtype == np.float32


def test_ndarrays_keep_their_dtype_and_are_not_copied():
    array = np.ones(3)
    t = tg.Tensor(array)
    assert t.dtype == np.float64 and np.shares_memory(t.data, array)
    assert tg.Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32


def test_integers_are_data_but_never_require_grad():
    labels = tg.Tensor([0, 2, 1])
    assert labels.dtype.kind == "i"
    with pytest.raises(TypeError, match=r"requires_grad.*floating-point.*int"):
        tg.Tensor([0, 1], requires_grad=True)
    with pytest.raises(TypeError, match="requires_grad"):
        labels.requires_grad = True


def test_mixing_float32_and_float64_follows_numpy():
    x32 = tg.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    x64 = tg.Tensor(np.ones(2, dtype=np.float64), requires_grad=True)
    out = x32 * x64
    assert out.dtype == (np.ones(2, np.float32) * np.ones(2, np.float64)).dtype == np.float64
    out.sum().backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64  # each leaf keeps its dtype


@pytest.mark.parametrize("operation", [
    lambda x: 2 * x, lambda x: x + 1, lambda x: x / 3.5, lambda x: x ** 2, lambda x: 1 - x, lambda x: 2.0 ** x,
])
def test_python_scalars_do_not_upcast_float32(operation):
    assert operation(tg.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)).dtype == np.float32


# --------------------------------------------------------------------------- operators

@pytest.mark.parametrize("operation, derivative", [
    (lambda x, k: x + k, lambda x, k: np.ones_like(x)),
    (lambda x, k: k + x, lambda x, k: np.ones_like(x)),
    (lambda x, k: x - k, lambda x, k: np.ones_like(x)),
    (lambda x, k: k - x, lambda x, k: -np.ones_like(x)),
    (lambda x, k: x * k, lambda x, k: k * np.ones_like(x)),
    (lambda x, k: k * x, lambda x, k: k * np.ones_like(x)),
    (lambda x, k: x / k, lambda x, k: 1 / k * np.ones_like(x)),
    (lambda x, k: k / x, lambda x, k: -k / x**2),
    (lambda x, k: x ** k, lambda x, k: k * x ** (k - 1)),
    (lambda x, k: k ** x, lambda x, k: k ** x * np.log(k)),
], ids=["x+k", "k+x", "x-k", "k-x", "x*k", "k*x", "x/k", "k/x", "x**k", "k**x"])
@pytest.mark.parametrize("constant", [2.0, np.array([2.0, 3.0, 4.0])], ids=["scalar", "ndarray"])
def test_operators_mix_with_scalars_and_ndarrays_on_either_side(operation, derivative, constant):
    values = np.array([0.5, 1.0, 2.0])
    x = tg.Tensor(values.copy(), requires_grad=True)
    out = operation(x, constant)
    assert isinstance(out, tg.Tensor)
    np.testing.assert_allclose(out.data, operation(values, constant))
    out.sum().backward()
    np.testing.assert_allclose(x.grad, derivative(values, constant))


def test_matmul_with_an_ndarray_on_either_side():
    w = tg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    left, right = np.ones((4, 2)), np.ones((3, 5))
    np.testing.assert_array_equal((left @ w).data, left @ w.data)
    np.testing.assert_array_equal((w @ right).data, w.data @ right)


def test_comparisons_return_bool_tensors_without_graph():
    x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [(x < 2, [1, 0, 0]), (x <= 2, [1, 1, 0]), (x > 2, [0, 0, 1]),
                             (x >= 2, [0, 1, 1]), (x == 2, [0, 1, 0]), (x != 2, [1, 0, 1]),
                             (x > np.array([0.0, 5.0, 0.0]), [1, 0, 1])]:
        assert result.dtype == bool and not result.requires_grad and result.grad_fn is None
        np.testing.assert_array_equal(result.data, np.array(expected, dtype=bool))


def test_indexing_with_repeated_indices_adds_gradients():
    """p[arange(n), y] picks each sample's confidence; a row picked twice gets two gradients."""
    p = tg.Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    rows, labels = np.array([0, 1, 2, 0]), np.array([1, 0, 1, 1])
    picked = p[rows, labels]
    np.testing.assert_array_equal(picked.data, [1.0, 2.0, 5.0, 1.0])
    picked.backward(np.array([1.0, 10.0, 100.0, 1000.0]))
    np.testing.assert_array_equal(p.grad, [[0.0, 1001.0], [10.0, 0.0], [0.0, 100.0]])


def test_indexing_with_a_tensor_of_labels():
    p = tg.Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    labels = tg.Tensor([1, 0, 1])
    np.testing.assert_array_equal(p[np.arange(3), labels].data, [1.0, 2.0, 5.0])


# --------------------------------------------------------------------------- attributes

def test_data_can_be_updated_in_place_or_replaced_by_the_same_shape():
    w = tg.Tensor(np.ones(3), requires_grad=True)
    w.data -= 0.5
    np.testing.assert_array_equal(w.data, [0.5, 0.5, 0.5])
    w.data = np.zeros(3)
    np.testing.assert_array_equal(w.data, [0.0, 0.0, 0.0])
    assert w.requires_grad and w.is_leaf
    with pytest.raises(ValueError, match=re.escape("data: expected an array of shape (3,), got (2,)")):
        w.data = np.zeros(2)


def test_grad_setter_checks_the_shape_and_none_clears():
    w = tg.Tensor(np.ones((2, 3)), requires_grad=True)
    w.grad = np.full((2, 3), 0.5)
    np.testing.assert_array_equal(w.grad, 0.5)
    with pytest.raises(ValueError, match=re.escape("grad: expected shape (2, 3), got (3, 2)")):
        w.grad = np.ones((3, 2))
    w.grad = None
    assert w.grad is None


def test_item_numpy_and_detach():
    x = tg.Tensor(np.array([[2.5]]), requires_grad=True)
    assert x.item() == 2.5 and isinstance(x.item(), float)
    assert x.numpy() is x.data
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None
    z = x.detach()
    assert np.shares_memory(z.data, x.data)
    with pytest.raises(ValueError, match=re.escape("item: needs a single-element tensor, got shape (2,)")):
        tg.Tensor([1.0, 2.0]).item()


def test_shape_attributes_and_repr():
    x = tg.Tensor(np.zeros((2, 3)), requires_grad=True, name="weights")
    assert (x.shape, x.ndim, x.size, len(x), x.T.shape) == ((2, 3), 2, 6, 2, (3, 2))
    assert "name='weights'" in repr(x) and "requires_grad=True" in repr(x)
    assert "grad_fn=Mul" in repr(x * 2)


# --------------------------------------------------------------------------- errors that teach

def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        tg.Tensor(np.ones((2, 3))) @ tg.Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"matmul.*\(3,\).*\(2,\)"):
        tg.Tensor(np.ones(3)) @ tg.Tensor(np.ones(2))


@pytest.mark.parametrize("name, operation", [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b), ("maximum", tg.maximum),
])
def test_broadcast_mismatch_names_the_op_and_both_shapes(name, operation):
    with pytest.raises(ValueError, match=rf"{name}.*\(2, 3\).*\(4,\)"):
        operation(tg.Tensor(np.ones((2, 3)), requires_grad=True), tg.Tensor(np.ones(4)))


def test_reshape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4, ?2\)"):
        tg.Tensor(np.ones((2, 3))).reshape(4, 2)


@pytest.mark.parametrize("operation", [
    lambda x: x.sum(axis=2), lambda x: x.mean(axis=-3), lambda x: x.max(axis=(0, 5)),
    lambda x: x.softmax(axis=2), lambda x: x.transpose(0, 2),
])
def test_axis_out_of_range(operation):
    with pytest.raises(ValueError, match=r"axis -?\d+ is out of (range|bounds).*(2 dimensions|dimension 2)"):
        operation(tg.Tensor(np.ones((2, 3))))


def test_where_needs_a_bool_condition():
    with pytest.raises(TypeError, match="where: condition must have dtype bool, got float64"):
        tg.where(np.ones(2), tg.Tensor([1.0, 2.0]), 0.0)
