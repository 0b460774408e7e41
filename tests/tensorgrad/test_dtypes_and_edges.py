"""Issue 14's listed bugs, each pinned: min as its own reduction, pow at zero, 0-d
reductions, reductions of nothing, one dtype rule over every binary op, and error messages
that blame shapes only for shape problems."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorgrad as tg
import tensorgrad.functional as F
from tensorgrad.testing import strategies as tgst

# --------------------------------------------------------------------------- min


@pytest.mark.parametrize("values", [
    np.array([0, -2**31], np.int32), np.array([0, 128, 255], np.uint8), np.array([2**63 - 1, -2**63], np.int64),
    np.array([True, False]), np.array([3.0, -np.inf, 1.0]),
])
def test_min_is_exact_for_every_dtype(values):
    out = tg.Tensor(values).min()
    assert out.dtype == values.dtype and out.item() == values.min()


def test_min_gradient_goes_to_the_minimum_and_ties_share():
    x = tg.Tensor([3.0, 1.0, 1.0, 2.0], requires_grad=True)
    x.min().backward()
    np.testing.assert_array_equal(x.grad, [0, 0.5, 0.5, 0])
    assert type(x.min().grad_fn).__name__ == "Min"


# --------------------------------------------------------------------------- pow at zero


def test_the_slope_of_x_to_the_zero_is_zero_everywhere_also_at_zero():
    x = tg.Tensor([0.0, 1.0, -2.0], requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_zero_to_a_power_has_exponent_gradient_zero():
    b = tg.Tensor([0.0, 0.3, 2.0], requires_grad=True)
    (0.0 ** b).sum().backward()
    np.testing.assert_array_equal(b.grad, [0.0, 0.0, 0.0])


def test_pow_at_zero_and_a_fraction_gives_the_true_infinite_slope_and_no_nan():
    a, b = tg.Tensor(0.0, requires_grad=True), tg.Tensor(0.3, requires_grad=True)
    (a ** b).backward()
    assert a.grad == np.inf and b.grad == 0.0


def test_pow_zero_rules_hold_under_create_graph():
    x = tg.Tensor([0.0, 1.5], requires_grad=True)
    (first,) = tg.grad((x ** 0).sum(), [x], create_graph=True)
    np.testing.assert_array_equal(first.data, [0.0, 0.0])
    (x ** 2).sum().backward(create_graph=True)
    np.testing.assert_array_equal(x.grad, [0.0, 3.0])


def test_pow_gradient_away_from_zero_is_unchanged():
    a, b = tg.Tensor([1.5, 2.0], requires_grad=True), tg.Tensor([0.0, 3.0], requires_grad=True)
    (a ** b).sum().backward()
    np.testing.assert_allclose(a.grad, [0.0, 12.0])
    np.testing.assert_allclose(b.grad, [np.log(1.5), 8 * np.log(2.0)], rtol=1e-6)


# --------------------------------------------------------------------------- 0-d reductions


@pytest.mark.parametrize("reduce, expected", [
    (lambda t: t.sum(0), 0.5), (lambda t: t.sum(-1), 0.5), (lambda t: t.mean(0), 0.5),
    (lambda t: t.max(-1), 0.5), (lambda t: t.min(0), 0.5), (lambda t: t.softmax(), 1.0),
    (lambda t: t.log_softmax(), 0.0), (lambda t: F.softmax(t, 0), 1.0), (lambda t: t.sum((0,)), 0.5),
])
def test_reductions_of_a_0d_tensor_accept_axis_0_and_minus_1(reduce, expected):
    x = tg.Tensor(0.5, requires_grad=True)
    out = reduce(x)
    assert out.shape == () and out.item() == expected
    out.backward()
    assert x.grad.shape == ()


def test_a_0d_tensor_still_rejects_axis_1():
    with pytest.raises(ValueError, match="axis 1 is out of range"):
        tg.Tensor(0.5).sum(1)


# --------------------------------------------------------------------------- reductions of nothing


@pytest.mark.parametrize("reduce, expected", [
    (lambda x, axis: x.sum(axis), 0.0), (lambda x, axis: x.prod(axis), 1.0), (lambda x, axis: x.mean(axis), np.nan),
    (lambda x, axis: x.var(axis), np.nan), (lambda x, axis: x.std(axis, ddof=1), np.nan),
    (lambda x, axis: x.logsumexp(axis), -np.inf),
])
@pytest.mark.parametrize("axis", [1, None])
def test_reductions_over_nothing_give_numpys_values_silently_and_empty_gradients(reduce, expected, axis):
    x = tg.Tensor(np.ones((2, 0), np.float32), requires_grad=True)
    out = reduce(x, axis)  # pytest turns RuntimeWarning into an error: this proves it is silent
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, np.full((2,) if axis else (), expected, np.float32), strict=True)
    out.sum().backward()
    assert x.grad.shape == (2, 0)


@pytest.mark.parametrize("function", [F.softmax, F.softmin, F.log_softmax])
def test_softmax_along_an_empty_axis_is_empty(function):
    x = tg.Tensor(np.ones((2, 0)), requires_grad=True)
    out = function(x, 1)
    assert out.shape == (2, 0)
    out.backward(np.ones((2, 0)))
    assert x.grad.shape == (2, 0)


EMPTY_BATCH = {  # loss: (predictions of an empty batch, their targets)
    "categorical_cross_entropy": (np.full((0, 3), 0.5), np.zeros(0, np.int64)),
    "nll_loss": (np.zeros((0, 3)), np.zeros(0, np.int64)),
    "cross_entropy": (np.zeros((0, 3)), np.zeros((0, 3))),
    "binary_cross_entropy": (np.full((0, 2), 0.5), np.zeros((0, 2))),
    "binary_cross_entropy_with_logits": (np.zeros((0, 2)), np.zeros((0, 2))),
    "mse": (np.zeros((0, 2)), np.zeros((0, 2))), "mae": (np.zeros((0, 2)), np.zeros((0, 2))),
}


@pytest.mark.parametrize("name", EMPTY_BATCH)
@pytest.mark.parametrize("reduction, expected", [("mean", np.nan), ("sum", 0.0), ("none", np.zeros(0))])
def test_the_loss_of_an_empty_batch_is_what_pytorch_gives_silently(name, reduction, expected):
    predictions, targets = EMPTY_BATCH[name]
    x = tg.Tensor(predictions, requires_grad=True)
    loss = getattr(F, name)(x, targets, reduction=reduction)  # RuntimeWarnings are errors here
    np.testing.assert_array_equal(loss.data, expected, strict=True)
    loss.backward(np.ones(loss.shape))
    assert x.grad.shape == predictions.shape


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 1, -1])
def test_extremes_of_nothing_are_refused_naming_the_argument_axis_and_shape(name, axis):
    x = tg.Tensor(np.ones((2, 0)), requires_grad=True)
    message = rf"^{name}: axis={axis} reduces axis 1, of length 0, of an input of shape \(2, 0\): the {name} of no"
    with pytest.raises(ValueError, match=message):
        getattr(x, name)(axis)
    assert getattr(x, name)(0).shape == getattr(np, name)(x.data, axis=0).shape == (0,)  # nothing to refuse


def test_splitting_an_empty_axis_gives_as_many_empty_parts_as_asked():
    x = tg.Tensor(np.ones((2, 0)), requires_grad=True)
    assert [part.shape for part in x.chunk(3, axis=1)] == [(2, 0)] * 3  # PyTorch's chunk
    assert [part.shape for part in x.split(2, axis=1)] == [p.shape for p in np.split(x.data, 2, axis=1)]
    assert [part.shape for part in x.chunk(3, axis=0)] == [(1, 0), (1, 0)]  # fewer parts than asked, as PyTorch


def test_an_inferred_size_of_no_elements_is_refused_as_ambiguous():
    with pytest.raises(ValueError, match=r"^reshape \(inputs of shapes \(3, 0\)\): the size -1 in \(-1, 1, 0\) is ambig"):
        tg.Tensor(np.ones((3, 0))).unflatten(0, (-1, 1))
    assert tg.Tensor(np.ones(0)).reshape(-1, 1).shape == (0, 1)  # the other sizes fix it: nothing to infer


@pytest.mark.parametrize("pick", [lambda x, index: x.gather(1, index),
                                  lambda x, index: F.scatter_add(x, 1, index, np.ones(index.shape))])
def test_picking_from_an_empty_axis_is_refused_naming_the_axis_and_shape(pick):
    x = tg.Tensor(np.ones((2, 0)))
    with pytest.raises(IndexError, match=r"index values 0 to 0 do not fit axis 1 of length 0 \(input of shape \(2, 0\)\)"):
        pick(x, np.zeros((2, 1), np.int64))
    with pytest.raises(ValueError, match=r"index of shape \(3, 0\) is longer than the input of shape \(2, 0\) along axis 0"):
        pick(x, np.zeros((3, 0), np.int64))


# --------------------------------------------------------------------------- indices and truth along an axis

NO_GRAPH = {"argmax": np.argmax, "argmin": np.argmin, "any": np.any, "all": np.all}


@pytest.mark.parametrize("name", NO_GRAPH)
@given(data=st.data())
def test_indices_and_truth_along_an_axis_match_numpy(name, data):
    """Small integers, so ties happen (the first one wins); any and all of nothing are defined."""
    shape = data.draw(tgst.shapes(min_dims=1, min_side=0 if name in ("any", "all") else 1))
    x = data.draw(hnp.arrays(np.int8, shape, elements=st.integers(-2, 2)))
    axis, keepdims = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.booleans())
    out = getattr(tg.Tensor(x), name)(axis, keepdims=keepdims)
    np.testing.assert_array_equal(out.data, NO_GRAPH[name](x, axis=axis, keepdims=keepdims), strict=True)


# --------------------------------------------------------------------------- the dtype rule

CHOICE = np.array([True, False])
BINARY = {  # name: (tensorgrad, NumPy)
    "add": (lambda a, b: a + b, np.add), "sub": (lambda a, b: a - b, np.subtract),  # references in float64
    "mul": (lambda a, b: a * b, np.multiply), "truediv": (lambda a, b: a / b, np.true_divide),
    "pow": (lambda a, b: a ** b, np.power), "mod": (lambda a, b: a % b, np.mod),
    "floordiv": (lambda a, b: a // b, np.floor_divide),
    "maximum": (tg.maximum, np.maximum), "minimum": (tg.minimum, np.minimum),
    "where": (lambda a, b: tg.where(CHOICE, a, b), lambda a, b: np.where(CHOICE, a, b)),
    "logaddexp": (F.logaddexp, np.logaddexp),
}
"""Every binary op of the engine (the registry test below keeps this list complete)."""


def tensor(dtype):
    return tg.Tensor(np.array([2, 3], dtype=dtype))  # >= every right operand: no unsigned wrap-around


# (left, right, result, result of true division): README's table, row by row
RULE = [
    (tensor(np.float32), 2.0, np.float32, np.float32),
    (tensor(np.float32), 2, np.float32, np.float32),
    (2.0, tensor(np.float32), np.float32, np.float32),
    (tensor(np.float16), 2.0, np.float16, np.float16),
    (tensor(np.float32), tensor(np.float64), np.float64, np.float64),
    (tensor(np.float32), np.full(2, 2.0), np.float64, np.float64),
    (tensor(np.float32), np.float64(2.0), np.float64, np.float64),
    (tensor(np.int32), tensor(np.float32), np.float32, np.float32),
    (tensor(np.int64), tensor(np.float32), np.float32, np.float32),
    (tensor(np.int64), tensor(np.float64), np.float64, np.float64),
    (tg.Tensor([1, 2]), 0.5, np.float32, np.float32),
    (tensor(np.int32), 2, np.int32, np.float32),
    (2, tensor(np.int32), np.int32, np.float32),
    (tensor(np.uint8), 2, np.uint8, np.float32),
    (tensor(np.int32), tensor(np.int32), np.int32, np.float32),
    (tensor(np.int32), tensor(np.int64), np.int64, np.float32),
    (tensor(np.uint64), 2, np.uint64, np.float32),
    (tensor(np.uint64), tensor(np.uint8), np.uint64, np.float32),
    (tensor(np.bool_), 2, np.int64, np.float32),
    (tensor(np.bool_), 2.0, np.float32, np.float32),
    (tensor(np.bool_), tensor(np.float32), np.float32, np.float32),
]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("left, right, result, divided", RULE)
def test_one_dtype_rule_for_every_binary_op(name, left, right, result, divided):
    function, reference = BINARY[name]
    out = function(left, right)
    floats_only = name in ("truediv", "logaddexp")  # integer inputs give float32
    assert out.dtype == (divided if floats_only else result)
    reference = reference(*(np.asarray(x.data if isinstance(x, tg.Tensor) else x, np.float64) for x in (left, right)))
    np.testing.assert_allclose(out.data, reference, rtol=1e-3 if out.dtype == np.float16 else 1e-6)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("left, right", [
    (tensor(np.uint64), tensor(np.int64)), (tensor(np.int8), tensor(np.uint64)),
    (tensor(np.uint64), np.array([1, 2])), (tensor(np.uint64), np.int32(1)),
])
def test_uint64_with_a_signed_integer_is_refused_naming_both_dtypes(name, left, right):
    """NumPy gives float64 with no float64 array involved, which breaks the rule; PyTorch
    refuses this promotion too. Division and logaddexp refuse it as well: one rule."""
    function, _ = BINARY[name]
    with pytest.raises(TypeError, match=rf"^{left.dtype} and {right.dtype} have no common integer dtype.*cast one explicitly"):
        function(left, right)


TENSOR_PAIRS = [(left, right, result) for left, right, result, _ in RULE
                if isinstance(left, tg.Tensor) and isinstance(right, tg.Tensor)]


@pytest.mark.parametrize("join", [tg.concatenate, tg.stack])
@pytest.mark.parametrize("left, right, result", TENSOR_PAIRS)
def test_joining_tensors_follows_the_same_rule(join, left, right, result):
    """concatenate and stack cast like a binary op: int64 with float32 is float32 here,
    where NumPy's concatenate would give float64."""
    out = join([left, right])
    assert out.dtype == result
    np.testing.assert_array_equal(out.data.ravel(), np.concatenate([left.data, right.data]).astype(result))


@pytest.mark.parametrize("join", [tg.concatenate, tg.stack])
def test_joining_uint64_with_a_signed_integer_is_refused(join):
    with pytest.raises(TypeError, match=r"^uint64 and int64 have no common integer dtype"):
        join([tensor(np.uint64), tensor(np.int64)])


PRIMITIVE_FUNCTIONS = ["exp", "log", "log1p", "expm1", "sin", "cos", "tan", "arctan", "sinh", "cosh", "erf", "sqrt", "log2"]


COMPOSED_FUNCTIONS = ["sigmoid", "tanh", "softplus", "logsigmoid", "gelu", "silu", "mish", "elu", "softsign",
                      "leaky_relu", "softmax", "softmin", "log_softmax", "logsumexp"]  # each negates or adds: uint8 must not wrap


@pytest.mark.parametrize("name", PRIMITIVE_FUNCTIONS + COMPOSED_FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_])
def test_functions_of_integer_tensors_give_float32(name, dtype):
    x = tensor(dtype)
    out = getattr(x, name)()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, getattr(tg.Tensor(x.data.astype(np.float64)), name)().data, rtol=1e-6)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int64])
def test_steps_of_integer_tensors_keep_their_dtype(name, dtype):
    out = getattr(tensor(dtype), name)()
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.data, getattr(np, name)(tensor(dtype).data))


def test_python_ints_that_do_not_fit_the_tensor_raise_as_in_numpy():
    with pytest.raises(OverflowError):
        tensor(np.uint8) + 300


# --------------------------------------------------------------------------- errors


def test_only_shape_errors_name_the_shapes():
    with pytest.raises(ValueError) as error:
        tensor(np.int32) ** -1
    assert str(error.value) == "pow: Integers to negative integer powers are not allowed."
    with pytest.raises(ValueError, match=r"^add \(inputs of shapes \(3,\) and \(2,\)\): operands could not be broadcast"):
        tg.Tensor(np.ones(3)) + tg.Tensor(np.ones(2))


def test_cross_entropy_of_integer_logits_is_float32():
    logits = tg.Tensor(np.array([[1, 2, 3], [0, 0, 1]], np.int64))
    loss = F.cross_entropy(logits, np.array([0, 2]))
    assert loss.dtype == np.float32
    expected = np.mean(np.log(np.exp([[1, 2, 3], [0, 0, 1]]).sum(axis=1)) - np.array([1, 1]))
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-6)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss", "categorical_cross_entropy"])
def test_class_losses_refuse_predictions_without_classes(name):
    with pytest.raises(ValueError, match=rf"^{name}: predictions must have at least one class \(column\), got shape \(2, 0\)"):
        getattr(F, name)(tg.Tensor(np.zeros((2, 0), np.float32)), np.array([0, 0]))
