"""What backward promises beyond correct numbers: determinism, no mutation, no aliasing,
accumulation, grad mode, deep graphs, freed graphs, memory, extreme inputs, anomalies."""
from __future__ import annotations

import gc
import inspect
import warnings
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorgrad as tg
import tensorgrad.functional as F
from tensorgrad.autograd import Function
from tensorgrad.testing import strategies as tgst
from test_catalogue import CATALOGUE, Entry, leaves

catalogue = pytest.mark.parametrize("entry", CATALOGUE, ids=repr)
structural = settings(max_examples=10)  # properties of the machinery, not of the numbers: fewer examples


def forward_backward(entry: Entry, case, upstream: np.ndarray) -> list[tg.Tensor]:
    inputs = leaves(case)
    entry.function(*inputs, **case.params).backward(upstream)
    return inputs


def output_shape(entry: Entry, case) -> tuple[int, ...]:
    return np.shape(entry.reference(*case.arrays, **case.params))


# --------------------------------------------------------------------------- per-op properties

@catalogue
@structural
@given(data=st.data())
def test_backward_is_deterministic_pure_and_unaliased(entry, data):
    """Two fresh graphs give identical gradients; neither the inputs nor the upstream
    gradient are written to; no leaf's gradient shares memory with another array."""
    case = data.draw(entry.cases)
    upstream = data.draw(tgst.arrays(output_shape(entry, case)))
    upstream_before = upstream.copy()
    first, second = forward_backward(entry, case, upstream), forward_backward(entry, case, upstream)
    np.testing.assert_array_equal(upstream, upstream_before)
    for x, y, original in zip(first, second, case.arrays, strict=False):
        np.testing.assert_array_equal(x.grad, y.grad)
        np.testing.assert_array_equal(x.data, original)
        assert not np.shares_memory(x.grad, upstream) and not np.shares_memory(x.grad, x.data)
    for i, a in enumerate(first):
        for b in first[i + 1:]:
            assert not np.shares_memory(a.grad, b.grad)


@catalogue
@structural
@given(data=st.data())
def test_zero_upstream_gradient_gives_zero_gradients(entry, data):
    case = data.draw(entry.cases)
    for x in forward_backward(entry, case, np.zeros(output_shape(entry, case))):
        assert x.grad is not None and not np.any(x.grad)


@pytest.mark.parametrize("expression", [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a + a,
    lambda a, b: a.reshape(-1),
    lambda a, b: a.T,
    lambda a, b: a.transpose(1, 0) + b.reshape(3, 2),
    lambda a, b: a[0:1],
    lambda a, b: a[:, 1] + b[:, 2],
    lambda a, b: a * 1,
], ids=["a+b", "a-b", "a+a", "reshape", "T", "transpose+reshape", "slice", "slices", "a*1"])
def test_gradients_of_leaves_are_fresh_arrays(expression):
    """A rule may pass `grad` through unchanged (add, reshape, ...). The leaf must still get
    its own array: otherwise `a.grad += ...` would silently change `b.grad` or the caller's array."""
    a = tg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = tg.Tensor(np.ones((2, 3)), requires_grad=True)
    out = expression(a, b)
    upstream = np.ones(out.shape)
    out.backward(upstream)
    grads = [g for g in (a.grad, b.grad) if g is not None]
    arrays = [a.data, b.data, upstream, out.data]
    for i, grad in enumerate(grads):
        assert not any(np.shares_memory(grad, other) for other in arrays + grads[i + 1:])
    a.grad += 1  # a leaf's gradient is writable
    np.testing.assert_array_equal(upstream, 1)


# --------------------------------------------------------------------------- accumulation

def test_fan_out_accumulates():
    x = tg.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    (x + 2 * x + x.exp()).sum().backward()  # x used three times
    np.testing.assert_allclose(x.grad, 3 + np.exp(x.data), rtol=1e-15)


class _Logged(Function):
    """Identity op that logs its backward calls: the order the walk visits nodes."""

    log: ClassVar[list[str]] = []

    @staticmethod
    def forward(ctx, a, label):
        ctx.label = label
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        _Logged.log.append(ctx.label)
        return (grad,)


def test_backward_runs_a_node_only_after_every_node_that_used_its_output():
    """A diamond and a long detour: `a` feeds `d` directly and through a chain of three,
    so its gradient is complete only after the whole detour has run."""
    _Logged.log.clear()
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    a = _Logged.apply(x, label="a")
    detour = _Logged.apply(_Logged.apply(_Logged.apply(a * 2, label="b1"), label="b2"), label="b3")
    d = _Logged.apply(a + detour, label="d")
    d.sum().backward()
    log = _Logged.log
    assert log[0] == "d" and log[-1] == "a"
    assert log.index("b3") < log.index("b2") < log.index("b1") < log.index("a")
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])  # d = a + 2a


def test_gradients_accumulate_across_backward_calls_until_zero_grad():
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, 3 * 2 * x.data)
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


# --------------------------------------------------------------------------- grad mode

def test_no_grad_records_nothing_as_context_manager_and_decorator():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    assert tg.is_grad_enabled()
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        y = x * 2
        with tg.enable_grad():
            assert tg.is_grad_enabled()
            recorded = x * 2
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert recorded.requires_grad and recorded.grad_fn is not None

    @tg.no_grad()
    def predict(t):
        assert not tg.is_grad_enabled()
        return (t * 3).exp()

    z = predict(x)
    assert not z.requires_grad and z.grad_fn is None
    assert tg.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError), tg.no_grad():
        1 / 0  # noqa: B018 -- the expression is the point: it raises
    assert tg.is_grad_enabled()


# --------------------------------------------------------------------------- graph lifetime

def test_a_million_op_chain_backpropagates_without_recursion():
    """One multiply, then 999,999 negations (the cheapest op): d/dx = 3 * (-1)^999999 = -3,
    so a single skipped or repeated node flips the sign."""
    x = tg.Tensor(np.array(1.0), requires_grad=True)
    y = x * 3
    for _ in range(999_999):
        y = -y
    y.backward()
    assert x.grad == -3


def test_second_backward_through_a_freed_graph_raises_and_retain_graph_allows_it():
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(x.grad, 2 * 2 * x.data)
    with pytest.raises(RuntimeError, match=r"second time.*retain_graph=True"):
        loss.backward()


def test_non_scalar_output_needs_an_explicit_gradient():
    y = tg.Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*grad="):
        y.backward()
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        y.backward(np.ones(3))


def test_backward_on_a_tensor_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.Tensor([1.0]).sum().backward()


def live_graph_objects() -> int:
    gc.collect()
    return sum(isinstance(o, (tg.Tensor, Function)) for o in gc.get_objects())


def test_graph_memory_is_released_after_backward():
    """1,000 training steps after a warm-up leave no Tensor and no graph node behind."""
    rng = np.random.default_rng(0)
    inputs, targets = rng.normal(size=(16, 4)), rng.normal(size=(16, 2))
    w1 = tg.Tensor(rng.normal(size=(4, 8)) * 0.1, requires_grad=True)
    w2 = tg.Tensor(rng.normal(size=(8, 2)) * 0.1, requires_grad=True)

    def step():
        loss = F.mse((inputs @ w1).relu() @ w2, targets) + 1e-3 * (w1 * w1).sum()
        loss.backward()
        with tg.no_grad():
            for w in (w1, w2):
                w.data -= 0.01 * w.grad
                w.zero_grad()

    for _ in range(20):
        step()
    before = live_graph_objects()
    for _ in range(1000):
        step()
    assert live_graph_objects() == before


# --------------------------------------------------------------------------- extreme inputs

@pytest.mark.parametrize("function, x, expected, expected_grad", [
    (F.softmax, [1000.0, 0.0, -1000.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
    (F.log_softmax, [1e4, 0.0, -1e4], [0.0, -1e4, -2e4], [1 - 6.0, 2.0, 3.0]),
    (F.log_softmax, [-1e4, 0.0, 1e4], [-2e4, -1e4, 0.0], [1.0, 2.0, 3 - 6.0]),
    (F.sigmoid, [1000.0, -1000.0, 0.0], [1.0, 0.0, 0.5], [0.0, 0.0, 0.75]),
    (F.tanh, [1000.0, -1000.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, 3.0]),
], ids=["softmax", "log_softmax+", "log_softmax-", "sigmoid", "tanh"])
def test_extreme_inputs_are_finite_exact_and_silent(function, x, expected, expected_grad):
    """Upstream gradient (1, 2, 3): e.g. log_softmax's gradient is g - softmax * sum(g)."""
    leaf = tg.Tensor(np.array(x), requires_grad=True)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        out = function(leaf)
        out.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(leaf.grad, expected_grad, rtol=1e-12, atol=1e-300)


def test_cross_entropy_of_extreme_logits_is_finite_and_silent():
    """Label 2 has probability e^-2000: through log_softmax the loss is the exact 2000 (not
    clipped to the book's -log 1e-7), and the gradient softmax - onehot stays exact."""
    logits = tg.Tensor(np.array([[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]]), requires_grad=True)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        loss = F.cross_entropy(logits, np.array([0, 2]), reduction="sum")
        loss.backward()
    np.testing.assert_allclose(loss.data, 2000.0, rtol=1e-12)
    np.testing.assert_array_equal(logits.grad, [[0.0, 0.0, 0.0], [1.0, 0.0, -1.0]])


# --------------------------------------------------------------------------- anomalies

def test_detect_anomaly_names_the_first_bad_op_and_the_line_that_made_it():
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    scale = tg.Tensor(np.array([np.inf, 1.0]))
    with tg.detect_anomaly(), np.errstate(all="raise"):
        line = inspect.currentframe().f_lineno + 1
        scaled = x * scale  # d/dx = scale holds inf: the first non-finite gradient
        loss = (scaled + 1).sum()
        with pytest.raises(FloatingPointError) as error:
            loss.backward()
    message = str(error.value)
    assert "Mul" in message and "NaN or inf" in message
    assert f"{__file__}:{line}" in message


def test_without_detect_anomaly_inf_gradients_pass_silently():
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * np.array([np.inf, 1.0])).sum().backward()
    assert np.isinf(x.grad[0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@given(data=st.data())
def test_where_selects_the_same_bits_as_numpy(dtype, data):
    """Where's branch-free select (ops/elementwise.py) equals np.where bit for bit: NaN, inf,
    -0.0 and broadcasting included."""
    shape_a, shape_b, shape_condition = data.draw(tgst.broadcastable_shapes(3, max_side=3))
    special = st.sampled_from([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, -2.25])
    a = np.asarray(data.draw(st.lists(special, min_size=int(np.prod(shape_a)), max_size=int(np.prod(shape_a)))),
                   dtype=dtype).reshape(shape_a)
    b = np.asarray(data.draw(st.lists(special, min_size=int(np.prod(shape_b)), max_size=int(np.prod(shape_b)))),
                   dtype=dtype).reshape(shape_b)
    condition = np.asarray(data.draw(st.lists(st.booleans(), min_size=int(np.prod(shape_condition)),
                                              max_size=int(np.prod(shape_condition))))).reshape(shape_condition)
    got = tg.where(condition, tg.Tensor(a), tg.Tensor(b)).data
    expected = np.where(condition, a, b)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(expected).tobytes()
