"""Each op's value and gradient against a NumPy reference written here, at fixed edge
inputs the random catalogue never draws: zeros (signed), infinities, NaN, ties, halves
for rounding, and integer extremes.

Values: NumPy's own function, or the formula. Gradients: the derivative's formula in
NumPy, with the limits the engine promises written out (e.g. the slope of x ** 0 at 0).
NumPy warns about inf - inf and friends; those warnings are NumPy's, so the references
and the ops both run with warnings silenced, and only the numbers are compared.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.functional as F

INF, NAN = np.inf, np.nan
EDGES = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-30, 30.0, -30.0, INF, -INF, NAN])
FINITE = EDGES[np.isfinite(EDGES)]
UNIT = np.array([0.0, -0.0, 0.5, -0.5, 1e-30, NAN])  # inside arcsin's and arccos's domain (the ends have inf slope)
erf = np.vectorize(math.erf, otypes=[np.float64])


def sigmoid(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def normal_pdf(x: np.ndarray) -> np.ndarray:
    return np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


@dataclass(frozen=True)
class Reference:
    name: str
    function: Callable[[tg.Tensor], tg.Tensor]
    value: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]  # the elementwise derivative
    inputs: tuple[float, ...] | np.ndarray = tuple(EDGES)

    def __repr__(self) -> str:
        return self.name


ZERO = np.zeros_like
ELEMENTWISE = [
    Reference("sin", lambda x: x.sin(), np.sin, np.cos),
    Reference("cos", lambda x: x.cos(), np.cos, lambda x: -np.sin(x)),
    Reference("tan", lambda x: x.tan(), np.tan, lambda x: 1 + np.tan(x) ** 2),
    Reference("arcsin", lambda x: x.arcsin(), np.arcsin, lambda x: 1 / np.sqrt(1 - x * x), tuple(UNIT)),
    Reference("arccos", lambda x: x.arccos(), np.arccos, lambda x: -1 / np.sqrt(1 - x * x), tuple(UNIT)),
    Reference("arctan", lambda x: x.arctan(), np.arctan, lambda x: 1 / (1 + x * x)),
    Reference("sinh", lambda x: x.sinh(), np.sinh, np.cosh),
    Reference("cosh", lambda x: x.cosh(), np.cosh, np.sinh),
    Reference("log1p", lambda x: x.log1p(), np.log1p, lambda x: 1 / (1 + x), np.array([-1.0, 0.0, -0.0, 1e-30, 1.0, INF])),
    Reference("expm1", lambda x: x.expm1(), np.expm1, np.exp),
    Reference("erf", lambda x: x.erf(), erf, lambda x: 2 / math.sqrt(math.pi) * np.exp(-x * x)),
    Reference("log2", lambda x: x.log2(), np.log2, lambda x: 1 / (x * math.log(2)), np.array([0.0, 1.0, 8.0, INF])),
    Reference("log10", lambda x: x.log10(), np.log10, lambda x: 1 / (x * math.log(10)), np.array([0.0, 1.0, 100.0, INF])),
    Reference("exp2", lambda x: x.exp2(), np.exp2, lambda x: np.exp2(x) * math.log(2)),
    Reference("sign", lambda x: x.sign(), np.sign, ZERO),
    Reference("floor", lambda x: x.floor(), np.floor, ZERO),
    Reference("ceil", lambda x: x.ceil(), np.ceil, ZERO),
    Reference("round_half_to_even", lambda x: x.round(), np.round, ZERO,
              np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.49999999999999994, INF, NAN])),
    Reference("trunc", lambda x: x.trunc(), np.trunc, ZERO),
    Reference("abs", lambda x: x.abs(), np.abs, np.sign),
    Reference("relu", F.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0, tuple(FINITE)),
    Reference("leaky_relu", lambda x: F.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x),
              lambda x: np.where(x > 0, 1.0, 0.1), tuple(FINITE)),
    Reference("elu", F.elu, lambda x: np.where(x > 0, x, np.expm1(x)), lambda x: np.where(x > 0, 1, np.exp(x))),
    Reference("selu", F.selu, lambda x: F.SELU_SCALE * np.where(x > 0, x, F.SELU_ALPHA * np.expm1(x)),
              lambda x: F.SELU_SCALE * np.where(x > 0, 1, F.SELU_ALPHA * np.exp(x))),
    Reference("sigmoid", F.sigmoid, sigmoid, lambda x: sigmoid(x) * sigmoid(-x)),  # 1 - sigmoid(x) would cancel
    Reference("tanh", F.tanh, np.tanh, lambda x: 1 / np.cosh(x) ** 2),  # 1 - tanh^2 would cancel
    Reference("softplus", F.softplus, softplus, sigmoid),
    Reference("logsigmoid", F.logsigmoid, lambda x: -softplus(-x), lambda x: sigmoid(-x)),
    Reference("silu", F.silu, lambda x: x * sigmoid(x), lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))), tuple(FINITE)),
    Reference("gelu", F.gelu, lambda x: x * (1 + erf(x / math.sqrt(2))) / 2,
              lambda x: (1 + erf(x / math.sqrt(2))) / 2 + x * normal_pdf(x), tuple(FINITE)),
    Reference("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2, tuple(FINITE)),
    Reference("hardtanh", F.hardtanh, lambda x: np.clip(x, -1, 1), lambda x: ((x >= -1) & (x <= 1)) * 1.0),
    Reference("relu6", F.relu6, lambda x: np.clip(x, 0, 6), lambda x: ((x > 0) & (x <= 6)) * 1.0,
              np.array([0.0, -1.0, 3.0, 6.0, 7.0, INF, -INF])),
    Reference("mish", F.mish, lambda x: x * np.tanh(softplus(x)),
              lambda x: np.tanh(softplus(x)) + x * (1 - np.tanh(softplus(x)) ** 2) * sigmoid(x), tuple(FINITE)),
    Reference("x_to_the_0", lambda x: x ** 0, lambda x: x ** 0, ZERO),
    Reference("x_squared", lambda x: x ** 2, np.square, lambda x: 2 * x),
    Reference("sqrt", lambda x: x.sqrt(), np.sqrt, lambda x: 0.5 / np.sqrt(x), np.array([0.0, 1e-30, 4.0, INF])),
]


def quietly(function: Callable[..., Any], *args: Any) -> Any:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return function(*args)


@pytest.mark.parametrize("reference", ELEMENTWISE, ids=repr)
def test_elementwise_value_and_slope_at_the_edges(reference):
    inputs = np.array(reference.inputs)
    x = tg.Tensor(inputs.copy(), requires_grad=True)
    out = quietly(reference.function, x)
    np.testing.assert_allclose(out.data, quietly(reference.value, inputs), rtol=1e-12, atol=1e-300, equal_nan=True)
    quietly(out.backward, np.ones_like(inputs))
    np.testing.assert_allclose(x.grad, quietly(reference.slope, inputs), rtol=1e-9, atol=1e-300, equal_nan=True)


# --------------------------------------------------------------------------- two inputs

@pytest.mark.parametrize("a, b, value, slope_a, slope_b", [
    (0.0, 0.0, 1.0, 0.0, 0.0),  # 0 ** 0 = 1, flat in both directions
    (0.0, 0.3, 0.0, INF, 0.0),  # the true infinite slope, and no NaN for the exponent
    (0.0, 2.0, 0.0, 0.0, 0.0),
    (2.0, 0.0, 1.0, 0.0, math.log(2)),
    (-2.0, 2.0, 4.0, -4.0, NAN),  # ln of a negative base: NumPy's NaN
])
def test_pow_at_its_edges(a, b, value, slope_a, slope_b):
    x, y = tg.Tensor(a, requires_grad=True), tg.Tensor(b, requires_grad=True)
    out = quietly(lambda: x ** y)
    quietly(out.backward)
    np.testing.assert_allclose([out.item(), x.grad, y.grad], [value, slope_a, slope_b], equal_nan=True)


@pytest.mark.parametrize("a, b", [(INF, INF), (-INF, -INF), (0.0, 0.0), (1e308, 1e308), (-INF, 1.0), (NAN, 1.0),
                                  (800.0, -800.0)])
def test_logaddexp_at_its_edges(a, b):
    x, y = tg.Tensor(np.float64(a), requires_grad=True), tg.Tensor(np.float64(b), requires_grad=True)
    out = quietly(F.logaddexp, x, y)
    np.testing.assert_allclose(out.item(), quietly(np.logaddexp, a, b), rtol=1e-15, equal_nan=True)
    if np.isfinite(out.item()):
        out.backward()
        np.testing.assert_allclose([x.grad, y.grad], [sigmoid(np.float64(a - b)), sigmoid(np.float64(b - a))],
                                   rtol=1e-12)


def test_maximum_and_minimum_give_a_tie_to_the_second_input():
    for function in (tg.maximum, tg.minimum):
        x, y = tg.Tensor([1.0, 2.0], requires_grad=True), tg.Tensor([1.0, 0.0], requires_grad=True)
        function(x, y).sum().backward()
        expected = [0.0, 1.0] if function is tg.maximum else [0.0, 0.0]
        np.testing.assert_array_equal(x.grad, expected)
        np.testing.assert_array_equal(y.grad, 1 - np.array(expected))


@pytest.mark.parametrize("a, b", [(-7.0, 2.0), (7.0, -2.0), (-7.5, 2.0), (7.0, 2.0), (-0.0, 3.0), (5.0, INF)])
def test_mod_and_floor_divide_follow_numpy_for_negatives(a, b):
    x, y = tg.Tensor(a, requires_grad=True), tg.Tensor(b, requires_grad=True)
    remainder = x % y
    np.testing.assert_array_equal(remainder.data, np.mod(a, b))
    np.testing.assert_array_equal((x // y).data, np.floor_divide(a, b))
    assert (x // y).grad_fn is None
    remainder.backward()
    np.testing.assert_array_equal([x.grad, y.grad], [1.0, -np.floor_divide(a, b)])


def test_integer_floor_division_and_remainder_of_negatives():
    a = tg.Tensor(np.array([-7, 7, -2**31], np.int32))
    np.testing.assert_array_equal((a // 2).data, np.array([-4, 3, -2**30]))
    np.testing.assert_array_equal((a % 2).data, [1, 1, 0])
    assert (a // 2).dtype == (a % 2).dtype == np.int32


# --------------------------------------------------------------------------- reductions

def gradient_of(function: Callable[[tg.Tensor], tg.Tensor], values: Any) -> tuple[np.ndarray, np.ndarray]:
    x = tg.Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    out = function(x)
    out.backward(np.ones(out.shape))
    assert x.grad is not None
    return out.data, x.grad


@pytest.mark.parametrize("values, value, grad", [
    ([2.0, 3.0, 4.0], 24.0, [12.0, 8.0, 6.0]),
    ([2.0, 0.0, 3.0], 0.0, [0.0, 6.0, 0.0]),  # the slope at the zero is the product of the others
    ([0.0, 0.0, 3.0], 0.0, [0.0, 0.0, 0.0]),
    ([-0.0], -0.0, [1.0]),
    ([], 1.0, []),
])
def test_prod_at_zeros(values, value, grad):
    out, slope = gradient_of(lambda x: x.prod(), values)
    np.testing.assert_array_equal(out, value)
    np.testing.assert_array_equal(slope, grad)


def test_cumprod_and_cumsum_at_zeros():
    values, slope = gradient_of(lambda x: x.cumprod(), [2.0, 0.0, 3.0])
    np.testing.assert_array_equal(values, [2.0, 0.0, 0.0])
    np.testing.assert_array_equal(slope, [1.0, 2 + 2 * 3, 0.0])  # d/da_i of a0 + a0 a1 + a0 a1 a2
    values, slope = gradient_of(lambda x: x.cumsum(), [1.0, INF, 2.0])
    np.testing.assert_array_equal(values, [1.0, INF, INF])
    np.testing.assert_array_equal(slope, [3.0, 2.0, 1.0])


@pytest.mark.parametrize("reduce, expected_grad", [
    (lambda x: x.max(), [0.0, 0.5, 0.5]), (lambda x: x.min(), [1.0, 0.0, 0.0]),
    (lambda x: x.sort(), [1.0, 1.0, 1.0]), (lambda x: x.topk(1)[0], [0.0, 1.0, 0.0]),
    (lambda x: x.sort(descending=True)[:1], [0.0, 1.0, 0.0]),
])
def test_ties_in_max_min_sort_and_topk(reduce, expected_grad):
    _, slope = gradient_of(reduce, [1.0, 3.0, 3.0])
    np.testing.assert_array_equal(slope, expected_grad)


def test_sort_and_topk_are_stable_and_argmax_picks_the_first_tie():
    x = tg.Tensor([3.0, 1.0, 3.0, 1.0])
    np.testing.assert_array_equal(x.argsort().data, np.argsort(x.data, kind="stable"))
    np.testing.assert_array_equal(x.topk(2)[1].data, [0, 2])  # ties in their order, as argmax
    np.testing.assert_array_equal(x.argsort(descending=True).data, [0, 2, 1, 3])
    assert x.argmax().item() == 0 and x.argmin().item() == 1
    assert tg.Tensor([1.0, NAN, 2.0, NAN]).argmax().item() == 1  # NumPy: NaN is the maximum
    assert x.argmax().grad_fn is None and tg.Tensor([1.0], requires_grad=True).argmax().grad_fn is None


@pytest.mark.parametrize("values", [[-INF, -INF], [INF, 1.0], [1e308, 1e308], [NAN, 1.0], [-1000.0, -1000.0]])
def test_logsumexp_at_its_edges(values):
    x = np.array(values)
    with np.errstate(all="ignore"):
        expected = np.max(x) + np.log(np.sum(np.exp(x - np.max(x)))) if np.isfinite(np.max(x)) else np.max(x)
    assert tg.Tensor(x).logsumexp().item() == pytest.approx(expected, nan_ok=True, rel=1e-15)


def test_var_and_std_of_constants_and_ddof():
    x = tg.Tensor([2.0, 2.0, 2.0], requires_grad=True)
    assert x.var().item() == 0 and x.var(ddof=1).item() == 0
    x.var().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    assert math.isnan(tg.Tensor([1.0]).var(ddof=1).item())  # n - ddof = 0: NaN, and silent
    values = np.array([1.0, 4.0, -2.0, 8.0])
    assert tg.Tensor(values).std(ddof=1).item() == pytest.approx(np.std(values, ddof=1), rel=1e-15)


def test_normalize_a_zero_vector_gives_zeros_and_a_finite_gradient():
    out, slope = gradient_of(lambda x: x.normalize(), [0.0, 0.0])
    np.testing.assert_array_equal(out, [0.0, 0.0])
    assert np.all(np.isfinite(slope))


@pytest.mark.parametrize("values", [
    np.array([0, -2**31, 2**31 - 1], np.int32), np.array([0, 255, 128], np.uint8),
    np.array([-2**63, 2**63 - 1], np.int64), np.array([True, False, True]),
])
def test_integer_extremes_in_reductions_and_sorting(values):
    x = tg.Tensor(values)
    assert x.max().item() == values.max() and x.min().item() == values.min()
    assert x.max().dtype == x.min().dtype == values.dtype
    assert x.argmax().item() == np.argmax(values) and x.argmin().item() == np.argmin(values)
    np.testing.assert_array_equal(x.sort().data, np.sort(values))
    np.testing.assert_array_equal(x.cumsum().data, np.cumsum(values))
    assert x.any().item() == values.any() and x.all().item() == values.all()


def test_isnan_isinf_isfinite_and_one_hot_have_no_graph():
    x = tg.Tensor(np.array([0.0, NAN, INF, -INF]), requires_grad=True)
    for function, reference in ((F.isnan, np.isnan), (F.isinf, np.isinf), (F.isfinite, np.isfinite)):
        out = function(x)
        np.testing.assert_array_equal(out.data, reference(x.data))
        assert out.grad_fn is None and out.dtype == bool
    np.testing.assert_array_equal(F.one_hot(np.array([2, 0]), 3).data, [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="labels must lie in"):
        F.one_hot(np.array([3]), 3)


# --------------------------------------------------------------------------- losses

def test_cross_entropy_ignores_labels_and_smooths_as_pytorch_defines():
    logits = tg.Tensor(np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]]), requires_grad=True)
    log_p = np.log(np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True))
    loss = F.cross_entropy(logits, np.array([0, -100]), ignore_index=-100, label_smoothing=0.3)
    assert loss.item() == pytest.approx(-(0.7 * log_p[0, 0] + 0.3 * log_p[0].mean()), rel=1e-12)
    loss.backward()
    np.testing.assert_array_equal(logits.grad[1], [0.0, 0.0, 0.0])
    everything_ignored = F.cross_entropy(logits, np.array([-100, -100]), ignore_index=-100)
    assert math.isnan(everything_ignored.item())


def test_binary_cross_entropy_with_logits_is_finite_at_extreme_logits():
    logits = tg.Tensor(np.array([[1000.0, -1000.0, 0.0]]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(logits, np.array([[0.0, 1.0, 1.0]]), pos_weight=np.array([1.0, 2.0, 3.0]))
    assert loss.item() == pytest.approx((1000 + 2 * 1000 + 3 * math.log(2)) / 3)
    loss.backward()
    np.testing.assert_allclose(logits.grad, [[1 / 3, -2 / 3, 3 * -0.5 / 3]])


# --------------------------------------------------------------------------- refusals

def test_setitem_is_refused_with_a_way_out():
    x = tg.Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"cannot be changed in place.*masked_fill"):
        x[0] = 5.0


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.squeeze(0), ValueError, r"squeeze: axis 0 has length 2, not 1"),
    (lambda x: x.split(4, axis=1), ValueError, r"split: 4 equal sections do not divide an axis of length 3"),
    (lambda x: x.topk(4), ValueError, r"topk: k must lie in \[0, 3\], got 4"),
    (lambda x: x.gather(1, np.array([[0.5]])), TypeError, r"gather: index must hold integers"),
    (lambda x: x.gather(1, np.array([0])), ValueError, r"index must have the tensor's 2 dimensions"),
    (lambda x: x.flatten(1, 0), ValueError, r"flatten: start \(1\) must not come after end \(0\)"),
    (lambda x: x.diagonal(axis1=1, axis2=-1), ValueError, r"diagonal: axis1 and axis2 must differ"),
    (lambda x: x.gelu(approximate="fast"), ValueError, r"gelu: approximate must be 'none' or 'tanh'"),
    (lambda x: F.cross_entropy(x, np.array([0, 1]), label_smoothing=2), ValueError, r"label_smoothing must lie"),
])
def test_wrong_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call(tg.Tensor(np.ones((2, 3))))
