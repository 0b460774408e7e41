"""One catalogue of ops drives every value and gradient test.

Each entry names an op, its tensorgrad function, a NumPy reference, a hypothesis
strategy for inputs inside the op's smooth domain, and whether the op is smooth
(twice differentiable with no kinks, so gradgradcheck applies). A strategy draws a
`Case`: the float64 input arrays and the op's non-differentiable parameters (axis,
index, exponent, targets...), passed to both functions as keywords.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import analytic
import tensorgrad as tg
import tensorgrad.functional as F
import window_cases
from tensorgrad.testing import strategies as tgst
from catalogue import (
    CLASSES, EMPTY_TOO, EPSILON, MAX_SIDE, SAMPLES, Case, Entry, one, quiet, reduce, reductions, shapes,
    softmax_reference, two, untied,
)
from catalogue_elementwise import ELEMENTWISE
from catalogue_structure import STRUCTURE

@st.composite
def reshapes(draw: Any) -> Case:
    x = draw(shapes().flatmap(tgst.arrays))
    targets = [(x.size,), (-1,), x.shape[::-1], (1, *x.shape), (*x.shape, 1)]
    return Case((x,), {"shape": draw(st.sampled_from(targets))})


@st.composite
def transposes(draw: Any) -> Case:
    x = draw(shapes().flatmap(tgst.arrays))
    return Case((x,), {"axes": tuple(draw(st.permutations(range(x.ndim))))})


@st.composite
def indexings(draw: Any) -> Case:
    """Basic indices (slices, ints, None, ...) and integer arrays, which repeat indices."""
    x = draw(shapes(min_dims=1).flatmap(tgst.arrays))
    basic = hnp.basic_indices(x.shape, allow_newaxis=True)
    advanced = hnp.integer_array_indices(x.shape, result_shape=hnp.array_shapes(max_dims=2, max_side=5))
    return Case((x,), {"index": draw(st.one_of(basic, advanced))})


@st.composite
def concatenations(draw: Any) -> Case:
    shape = list(draw(shapes(min_dims=1)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    sides = draw(st.lists(st.integers(1, MAX_SIDE), min_size=1, max_size=3))
    arrays = tuple(draw(tgst.arrays(tuple([*shape[:axis % len(shape)], n, *shape[axis % len(shape) + 1:]])))
                   for n in sides)
    return Case(arrays, {"axis": axis})


@st.composite
def stackings(draw: Any) -> Case:
    shape = draw(shapes(max_dims=3))
    count = draw(st.integers(1, 3))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return Case(tuple(draw(tgst.arrays(shape)) for _ in range(count)), {"axis": axis})


@st.composite
def matmuls(draw: Any) -> Case:
    """1-D and 2-D operands, and batches whose leading dimensions broadcast."""
    batch_a, batch_b = draw(tgst.broadcastable_shapes(max_dims=2, max_side=MAX_SIDE))
    n, k, m = (draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    shape_a = (k,) if draw(st.booleans()) else (*batch_a, n, k)
    shape_b = (k,) if draw(st.booleans()) else (*batch_b, k, m)
    return Case((draw(tgst.arrays(shape_a)), draw(tgst.arrays(shape_b))), {})


@st.composite
def linears(draw: Any) -> Case:
    """A dense layer's x (n, in), W (in, out) and a bias of shape (out,) or (1, out)."""
    n, k, m = (draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    bias_shape = (m,) if draw(st.booleans()) else (1, m)
    return Case((draw(tgst.arrays((n, k))), draw(tgst.arrays((k, m))), draw(tgst.arrays(bias_shape))), {})


@st.composite
def wheres(draw: Any) -> Case:
    shape_a, shape_b, shape_condition = draw(tgst.broadcastable_shapes(3, max_side=MAX_SIDE))
    condition = draw(hnp.arrays(bool, shape_condition))
    return Case((draw(tgst.arrays(shape_a)), draw(tgst.arrays(shape_b))), {"condition": condition})


@st.composite
def clips(draw: Any) -> Case:
    """Inputs on odd multiples of 0.05, bounds on even ones: never at a bound."""
    x, _ = draw(shapes().flatmap(lambda s: tgst.untied_pair(s, ())))
    return Case((x,), {"lo": draw(st.sampled_from([None, -1.0, -0.5, 0.0])),
                       "hi": draw(st.sampled_from([None, 0.5, 1.0]))})


@st.composite
def scalar_powers(draw: Any) -> Case:
    x = draw(shapes().flatmap(tgst.positive_arrays))
    return Case((x,), {"exponent": draw(st.sampled_from([2, 3, -1, 0.5, -1.5, 2.5]))})


@st.composite
def softmax_inputs(draw: Any) -> Case:
    x = draw(shapes(min_dims=1, **EMPTY_TOO).flatmap(tgst.arrays))
    return Case((x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))})


reductions_kind = st.sampled_from(["mean", "sum", "none"])


@st.composite
def probabilities(draw: Any, one_hot: bool) -> Case:
    """Rows of positive numbers normalized to sum 1: inside (1e-7, 1 - 1e-7), as softmax gives."""
    samples, classes = draw(SAMPLES), draw(CLASSES)
    raw = draw(tgst.positive_arrays((samples, classes)))
    labels = draw(hnp.arrays(np.int64, (samples,), elements=st.integers(0, classes - 1)))
    targets = np.eye(classes)[labels] if one_hot else labels
    return Case((raw / raw.sum(axis=1, keepdims=True),), {"targets": targets, "reduction": draw(reductions_kind)})


@st.composite
def labelled_logits(draw: Any, one_hot: bool) -> Case:
    samples, classes = draw(SAMPLES), draw(CLASSES)
    labels = draw(hnp.arrays(np.int64, (samples,), elements=st.integers(0, classes - 1)))
    targets = np.eye(classes)[labels] if one_hot else labels
    return Case((draw(tgst.arrays((samples, classes))),), {"targets": targets, "reduction": draw(reductions_kind)})


@st.composite
def binary_predictions(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, max_dims=3, **EMPTY_TOO))
    predictions = draw(tgst.positive_arrays(shape, low=0.05, high=0.95))
    targets = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    return Case((predictions,), {"targets": targets, "reduction": draw(reductions_kind)})


@st.composite
def regressions(draw: Any, untie: bool) -> Case:
    shape = draw(shapes(min_dims=1, max_dims=3, **EMPTY_TOO))
    if untie:  # |y - p| >= 0.05: mae is smooth there
        predictions, targets = draw(tgst.untied_pair(shape, shape))
    else:
        predictions, targets = draw(tgst.arrays(shape)), draw(tgst.arrays(shape))
    return Case((predictions,), {"targets": targets, "reduction": draw(reductions_kind)})


def conv2d_cases() -> st.SearchStrategy[Case]:
    return window_cases.convolutions().map(lambda drawn: Case(drawn[:3], {
        "stride": drawn[3].stride, "padding": drawn[3].padding}))


def pool_cases() -> st.SearchStrategy[Case]:
    return window_cases.poolings().map(lambda drawn: Case((drawn[0],), {
        "kernel_size": drawn[1].kernel, "stride": drawn[1].stride, "padding": drawn[1].padding}))


@st.composite
def paddings(draw: Any) -> Case:
    """Any rank; reflect needs each width below its axis' length, replicate a non-empty axis
    (tests/tensorgrad/test_window_errors.py checks both refusals); constant pads empty arrays too."""
    mode = draw(st.sampled_from(["constant", "reflect", "replicate"]))
    x = draw(shapes(min_dims=1, min_side=0 if mode == "constant" else 1).flatmap(tgst.arrays))
    limit = (lambda n: n - 1) if mode == "reflect" else (lambda n: 2)
    width = tuple((draw(st.integers(0, limit(n))), draw(st.integers(0, limit(n)))) for n in x.shape)
    return Case((x,), {"width": width, "mode": mode, "value": draw(st.sampled_from([0.0, -1.5]))})


# --------------------------------------------------------------------------- NumPy references

def cce_reference(p: np.ndarray, targets: np.ndarray, reduction: str) -> np.ndarray:
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    confidences = clipped[np.arange(len(p)), targets] if targets.ndim == 1 else np.sum(clipped * targets, axis=1)
    return reduce(-np.log(confidences), reduction)


def bce_reference(p: np.ndarray, targets: np.ndarray, reduction: str) -> np.ndarray:
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    losses = -(targets * np.log(clipped) + (1 - targets) * np.log(1 - clipped))
    return reduce(np.mean(losses, axis=-1), reduction)


def pad_reference(x: np.ndarray, width: tuple, mode: str, value: float) -> np.ndarray:
    if mode == "constant":
        return np.pad(x, width, mode="constant", constant_values=value)
    modes: dict[str, Literal["reflect", "edge"]] = {"reflect": "reflect", "replicate": "edge"}
    return np.pad(x, width, mode=modes[mode])


def windows_reference(forward: Callable) -> Callable:
    """tests/analytic.py's direct loops, called with PyTorch-style int-or-pair arguments."""
    def reference(x: np.ndarray, kernel_size: Any, stride: Any, padding: Any) -> np.ndarray:
        return forward(x, kernel_size, stride, padding)
    return reference


# --------------------------------------------------------------------------- the catalogue

CATALOGUE = [
    Entry("add", lambda a, b: a + b, np.add, two(), True),
    Entry("sub", lambda a, b: a - b, np.subtract, two(), True),
    Entry("mul", lambda a, b: a * b, np.multiply, two(), True),
    Entry("div", lambda a, b: a / b, np.divide, two(), True),
    Entry("neg", lambda a: -a, np.negative, one(), True),
    Entry("pow_scalar", lambda a, exponent: a ** exponent, lambda a, exponent: np.power(a, exponent), scalar_powers(), True),
    Entry("pow_tensor", lambda a, b: a ** b, np.power, two(tgst.positive_arrays), True),
    Entry("square_signed", lambda a: a ** 2, np.square, one(), True),
    Entry("rpow", lambda a: 2.0 ** a, lambda a: np.power(2.0, a), one(), True),
    Entry("exp", lambda a: a.exp(), np.exp, one(), True),
    Entry("log", lambda a: a.log(), np.log, one(tgst.positive_arrays), True),
    Entry("sqrt", lambda a: a.sqrt(), np.sqrt, one(tgst.positive_arrays), True),
    Entry("abs", lambda a: a.abs(), np.abs, one(), False),
    Entry("clip", lambda a, lo, hi: a.clip(lo, hi), lambda a, lo, hi: np.clip(a, lo, hi), clips(), False),
    Entry("maximum", tg.maximum, np.maximum, untied(), False),
    Entry("minimum", tg.minimum, np.minimum, untied(), False),
    Entry("where", lambda a, b, condition: tg.where(condition, a, b),
          lambda a, b, condition: np.where(condition, a, b), wheres(), True),
    Entry("sum", lambda a, **p: a.sum(**p), lambda a, **p: np.sum(a, **p), reductions(tgst.arrays, **EMPTY_TOO), True),
    Entry("mean", lambda a, **p: a.mean(**p), quiet(lambda a, **p: np.mean(a, **p)),
          reductions(tgst.arrays, **EMPTY_TOO), True),
    Entry("max", lambda a, **p: a.max(**p), lambda a, **p: np.max(a, **p),
          reductions(tgst.distinct_arrays, **EMPTY_TOO, over_empty=False), False),
    Entry("min", lambda a, **p: a.min(**p), lambda a, **p: np.min(a, **p),
          reductions(tgst.distinct_arrays, **EMPTY_TOO, over_empty=False), False),
    Entry("reshape", lambda a, shape: a.reshape(shape), lambda a, shape: np.reshape(a, shape), reshapes(), True),
    Entry("transpose", lambda a, axes: a.transpose(*axes), lambda a, axes: np.transpose(a, axes), transposes(), True),
    Entry("T", lambda a: a.T, np.transpose, one(), True),
    Entry("flatten", lambda a: a.flatten(), np.ravel, one(), True),
    Entry("getitem", lambda a, index: a[index], lambda a, index: a[index], indexings(), True),
    Entry("concatenate", lambda *xs, axis: tg.concatenate(xs, axis),
          lambda *xs, axis: np.concatenate(xs, axis), concatenations(), True),
    Entry("stack", lambda *xs, axis: tg.stack(xs, axis), lambda *xs, axis: np.stack(xs, axis), stackings(), True),
    Entry("matmul", lambda a, b: a @ b, np.matmul, matmuls(), True),
    Entry("relu", F.relu, lambda a: np.maximum(a, 0), one(), False),
    Entry("linear", F.linear, lambda x, w, b: x @ w + b, linears(), True),
    Entry("sigmoid", F.sigmoid, lambda a: 1 / (1 + np.exp(-a)), one(), True),
    Entry("tanh", F.tanh, np.tanh, one(), True),
    Entry("softmax", lambda a, axis: F.softmax(a, axis), softmax_reference, softmax_inputs(), True),
    Entry("log_softmax", lambda a, axis: F.log_softmax(a, axis),
          lambda a, axis: np.log(softmax_reference(a, axis)), softmax_inputs(), True),
    Entry("cce_labels", F.categorical_cross_entropy, quiet(cce_reference), probabilities(one_hot=False), False),
    Entry("cce_one_hot", F.categorical_cross_entropy, quiet(cce_reference), probabilities(one_hot=True), False),
    Entry("cross_entropy_labels", F.cross_entropy,
          quiet(lambda z, **p: cce_reference(softmax_reference(z, 1), **p)), labelled_logits(one_hot=False), True),
    Entry("cross_entropy_one_hot", F.cross_entropy,
          quiet(lambda z, **p: cce_reference(softmax_reference(z, 1), **p)), labelled_logits(one_hot=True), True),
    Entry("binary_cross_entropy", F.binary_cross_entropy, quiet(bce_reference), binary_predictions(), False),
    Entry("mse", F.mse, quiet(lambda p, targets, reduction: reduce(np.mean((targets - p) ** 2, axis=-1), reduction)),
          regressions(untie=False), True),
    Entry("pad", F.pad, pad_reference, paddings(), True),
    Entry("conv2d", F.conv2d, lambda x, w, b, stride, padding: analytic.conv2d_forward(x, w, b, stride, padding),
          conv2d_cases(), True),
    Entry("max_pool2d", F.max_pool2d, windows_reference(analytic.max_pool2d_forward), pool_cases(), False),
    Entry("avg_pool2d", F.avg_pool2d, windows_reference(analytic.avg_pool2d_forward), pool_cases(), True),
    Entry("mae", F.mae, quiet(lambda p, targets, reduction: reduce(np.mean(np.abs(targets - p), axis=-1), reduction)),
          regressions(untie=True), False),
    *ELEMENTWISE,
    *STRUCTURE,
]


def leaves(case: Case) -> list[tg.Tensor]:
    return [tg.Tensor(x.copy(), requires_grad=True) for x in case.arrays]


# --------------------------------------------------------------------------- tests

@pytest.mark.parametrize("entry", CATALOGUE, ids=repr)
@given(data=st.data())
def test_value_matches_numpy(entry: Entry, data: st.DataObject) -> None:
    case = data.draw(entry.cases)
    expected = entry.reference(*case.arrays, **case.params)
    out = entry.function(*leaves(case), **case.params)
    assert out.shape == np.shape(expected)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("entry", CATALOGUE, ids=repr)
@given(data=st.data())
def test_gradient_matches_finite_differences(entry: Entry, data: st.DataObject) -> None:
    case = data.draw(entry.cases)
    assert tg.gradcheck(lambda *xs: entry.function(*xs, **case.params), *leaves(case))


@pytest.mark.parametrize("entry", [e for e in CATALOGUE if e.smooth], ids=repr)
@settings(max_examples=10)
@given(data=st.data())
def test_second_gradient_matches_finite_differences(entry: Entry, data: st.DataObject) -> None:
    case = data.draw(entry.cases)
    assert tg.gradgradcheck(lambda *xs: entry.function(*xs, **case.params), *leaves(case))


@pytest.mark.parametrize("entry", CATALOGUE, ids=repr)
@settings(max_examples=10)
@given(data=st.data())
def test_recorded_backward_matches_finite_differences(entry: Entry, data: st.DataObject) -> None:
    """v -> J^T v, recorded with create_graph=True, is a function of the upstream gradient v
    whose own gradient runs the backward rules of the backward rules (e.g. ScatterAdd)."""
    case = data.draw(entry.cases)

    def vector_jacobian_product(upstream: tg.Tensor) -> tg.Tensor:
        inputs = leaves(case)
        out = entry.function(*inputs, **case.params)
        grads = tg.grad(out, inputs, grad_outputs=upstream, create_graph=True, allow_unused=True)
        return tg.concatenate([g.reshape(-1) for g in grads if g is not None])

    shape = np.shape(entry.reference(*case.arrays, **case.params))
    upstream = tg.Tensor(data.draw(tgst.arrays(shape)), requires_grad=True)
    assert tg.gradcheck(vector_jacobian_product, upstream)


def node_types(outputs: list[tg.Tensor | None]) -> set[type]:
    """Every op class in the graphs behind `outputs` (walked with an explicit stack)."""
    found, stack, seen = set(), [t.grad_fn for t in outputs if t is not None and t.grad_fn], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.add(type(node))
        stack.extend(t.grad_fn for t in node.inputs if t.grad_fn is not None)
    return found


def test_catalogue_exercises_every_primitive() -> None:
    """The forward graphs and the recorded backward graphs (what gradgradcheck tests) of
    the catalogue together contain every primitive: a new op
    without an entry fails here. Each entry draws its own two cases: one draw of the whole
    catalogue at once would exceed hypothesis' data budget."""
    exercised: set[type] = set()

    def exercise(entry: Entry, case: Case) -> None:
        inputs = leaves(case)
        out = entry.function(*inputs, **case.params)
        upstream = tg.Tensor(np.ones(out.shape), requires_grad=True)
        first = tg.grad(out, inputs, grad_outputs=upstream, create_graph=True, allow_unused=True)
        exercised.update(node_types([out, *first]))

    for entry in CATALOGUE:
        run = functools.partial(exercise, entry)
        given(case=entry.cases)(settings(max_examples=2, database=None, phases=[Phase.generate])(
            lambda case: run(case=case)))()  # noqa: B023 -- called at once, in this iteration
    missing = sorted(op.__name__ for op in set(tg.ops.PRIMITIVES) - exercised)
    assert not missing, f"primitives with no catalogue entry: {missing}"


# --------------------------------------------------------------------------- the domains themselves

@given(tgst.shapes().flatmap(lambda shape: st.tuples(tgst.arrays(shape), tgst.positive_arrays(shape))))
def test_arrays_stay_inside_their_domain(pair):
    signed, positive = pair
    assert signed.dtype == positive.dtype == np.float64 and signed.ndim <= 4
    assert np.all((np.abs(signed) >= 0.1) & (np.abs(signed) <= 2))
    assert np.all((positive >= 0.1) & (positive <= 2))


@given(tgst.shapes().flatmap(tgst.distinct_arrays))
def test_distinct_arrays_have_no_near_ties(x):
    gaps = np.diff(np.sort(x, axis=None))
    assert np.all(gaps >= 4.0 / x.size - 1e-12) and np.all(np.abs(x) <= 2)


@given(tgst.broadcastable_shapes().flatmap(lambda shapes: tgst.untied_pair(*shapes)))
def test_untied_pairs_broadcast_and_never_tie(pair):
    a, b = pair
    assert np.min(np.abs(a - b), initial=1.0) >= 0.05 - 1e-12


def test_arrays_reject_a_bad_range():
    with pytest.raises(ValueError, match=r"low=2.*high=1"):
        tgst.arrays((2,), low=2.0, high=1.0)
