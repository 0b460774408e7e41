"""tensorgrad.testing.check_op: the checker learners run on their own ops must pass correct
ops and catch wrong values, wrong derivatives and backward rules that only work on arrays."""
import numpy as np
import pytest
from hypothesis import strategies as st

import tensorgrad as tg
from tensorgrad.autograd import Function, call
from tensorgrad.ops import Exp
from tensorgrad.testing import check_op
from tensorgrad.testing import strategies as tgst


class Softplus(Function):
    """z = log(1 + e^x);  dz/dx = 1 / (1 + e^-x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (grad / (1 + call(Exp, -x)),)


class WrongSoftplus(Softplus):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (grad * x,)  # not the derivative


class ArrayOnlySoftplus(Softplus):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (grad / (1 + np.exp(-x)),)  # right, but NumPy cannot take a Tensor


def softplus_reference(x):
    return np.logaddexp(0.0, x)


def test_a_correct_function_and_a_correct_composition_pass():
    report = check_op(Softplus.apply, softplus_reference, name="softplus")
    assert report and not report.failures and len(report.results) == 3
    assert str(report).startswith("check_op(softplus): 25 random inputs per check, float64: all checks passed")
    report.raise_if_failed()
    assert check_op(lambda x: x / (1 + x.abs()), lambda x: x / (1 + np.abs(x)), max_examples=10)


def test_a_wrong_derivative_fails_gradcheck_with_the_input_and_both_values():
    report = check_op(WrongSoftplus.apply, softplus_reference, max_examples=10)
    assert not report
    (failure,) = report.failures
    assert failure.check.startswith("gradcheck")
    assert "autograd gives" in failure.message and "central differences give" in failure.message
    assert len(failure.inputs) == 1 and "input 0: shape" in str(report)
    with pytest.raises(AssertionError, match=r"gradcheck .* FAILED"):
        report.raise_if_failed()


def test_a_backward_that_only_works_on_arrays_fails_second_order_with_a_hint():
    report = check_op(ArrayOnlySoftplus.apply, softplus_reference, max_examples=5)
    (failure,) = report.failures
    assert failure.check.startswith("gradgradcheck") and "second_order=False" in failure.message
    assert check_op(ArrayOnlySoftplus.apply, softplus_reference, max_examples=5, second_order=False)


def test_wrong_values_and_wrong_shapes_fail_the_value_check():
    report = check_op(lambda a, b: a * b + b, lambda a, b: a * b + a, n_inputs=2, max_examples=10)
    assert [failure.check for failure in report.failures] == ["values against the NumPy reference"]
    assert "the reference" in report.failures[0].message and len(report.failures[0].inputs) == 2
    shape = check_op(lambda x: x.sum(), lambda x: x, max_examples=5, second_order=False)
    assert "shape" in shape.failures[0].message


def test_domains_and_custom_strategies():
    assert check_op(lambda x: x.log(), np.log, positive=True, max_examples=10)
    pairs = tgst.broadcastable_shapes(2).flatmap(lambda shapes: tgst.untied_pair(*shapes))
    assert check_op(tg.maximum, np.maximum, inputs=pairs, max_examples=10)
    assert not check_op(lambda x: x.log(), np.log, inputs=st.just((np.array([-1.0, 0.5]),)), max_examples=1)
