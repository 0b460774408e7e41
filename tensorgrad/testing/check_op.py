"""check_op: test your own op the way tensorgrad tests its own.

    import numpy as np
    import tensorgrad as tg
    from tensorgrad.testing import check_op

    def softsign(x):
        return x / (1 + x.abs())

    report = check_op(softsign, lambda x: x / (1 + np.abs(x)))
    print(report)                # one line per check; a failure shows its input and the worst element
    report.raise_if_failed()     # or `assert report`

Three checks, each over random inputs drawn by hypothesis (`tensorgrad.testing.strategies`:
shapes of 0-4 dims, float64 values with |x| in [0.1, 2], away from kinks):

1. values: `op` on Tensors against `reference` on the same ndarrays (shape and values);
2. gradcheck: autograd against central differences;
3. gradgradcheck: the recorded backward pass against central differences of the first
   gradient (skip with `second_order=False` when your backward only works on ndarrays).

A failing check is shrunk by hypothesis to a small input, which the report shows. Needs the
`test` extra (hypothesis). The runs are derandomized, so the same op gives the same report;
no example database is kept (hypothesis may still cache in ./.hypothesis).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast
from collections.abc import Callable

import numpy as np

from ..tensor import Tensor
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["CheckResult", "OpReport", "check_op"]

SECOND_ORDER_HINT = (
    "second derivatives run your backward on Tensors (create_graph=True): write it with Tensor "
    "operations (or tensorgrad.autograd.call(Op, x) for an op with no operator), or pass "
    "second_order=False"
)


@dataclass
class CheckResult:
    """One check's outcome: which check, passed or not, and for a failure the (shrunk)
    input it failed on and the error's message."""

    check: str
    passed: bool
    message: str = ""
    inputs: tuple[np.ndarray, ...] = ()

    def lines(self) -> list[str]:
        status = "passed" if self.passed else "FAILED"
        lines = [f"  {self.check:<46} {status}"]
        if not self.passed:
            for index, array in enumerate(self.inputs):
                values = np.array2string(np.asarray(array), precision=4, threshold=12, separator=", ")
                lines.append(f"      input {index}: shape {np.shape(array)}, values {values}")
            lines += [f"      {line}" for line in self.message.splitlines()]
        return lines


@dataclass
class OpReport:
    """What `check_op` found. True when every check passed; `str(report)` is readable."""

    name: str
    examples: int
    results: list[CheckResult] = field(default_factory=list)

    def __bool__(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        return [result for result in self.results if not result.passed]

    def __str__(self) -> str:
        verdict = "all checks passed" if self else f"{len(self.failures)} of {len(self.results)} checks FAILED"
        lines = [f"check_op({self.name}): {self.examples} random inputs per check, float64: {verdict}"]
        for result in self.results:
            lines += result.lines()
        return "\n".join(lines)

    def raise_if_failed(self) -> None:
        """Raise AssertionError carrying the whole report when any check failed."""
        if not self:
            raise AssertionError(str(self))


def default_inputs(n_inputs: int = 1, positive: bool = False) -> Any:
    """A hypothesis strategy for `n_inputs` float64 arrays of broadcastable shapes (0-4
    dims, sides 1-4), |x| in [0.1, 2] (or x in [0.1, 2] with `positive`, for log, sqrt)."""
    from hypothesis import strategies as st

    from . import strategies

    values = strategies.positive_arrays if positive else strategies.arrays
    if n_inputs == 1:
        return strategies.shapes().flatmap(values).map(lambda array: (array,))
    return strategies.broadcastable_shapes(n_inputs).flatmap(
        lambda shapes: st.tuples(*(values(shape) for shape in shapes))
    )


def check_op(
    op: Callable[..., Tensor],
    reference: Callable[..., Any],
    *,
    n_inputs: int = 1,
    positive: bool = False,
    inputs: Any = None,
    max_examples: int = 25,
    second_order: bool = True,
    value_atol: float = 1e-10,
    value_rtol: float = 1e-7,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    name: str | None = None,
) -> OpReport:
    """Check `op` (Tensors -> Tensor) against `reference` (ndarrays -> ndarray, e.g. written
    with NumPy) and against finite differences, over random inputs; returns an OpReport.

    `n_inputs` arrays of broadcastable shapes are drawn (`positive=True` keeps them in
    [0.1, 2]); or pass `inputs`, a hypothesis strategy of tuples of ndarrays, for another
    domain. `value_atol`/`value_rtol` bound the value check, `atol`/`rtol` the gradient
    checks (as in `gradcheck`).
    """
    try:
        from hypothesis import HealthCheck, Verbosity, given, settings
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("check_op needs hypothesis: pip install -e '.[test]'") from error

    strategy = inputs if inputs is not None else default_inputs(n_inputs, positive)
    report = OpReport(cast(str, name or getattr(op, "__name__", repr(op))), max_examples)
    run_settings = settings(
        max_examples=max_examples, deadline=None, database=None, derandomize=True,
        verbosity=Verbosity.quiet, report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )

    def values(*arrays: np.ndarray) -> None:
        got = op(*(Tensor(array) for array in arrays))
        if not isinstance(got, Tensor):
            raise TypeError(f"op must return a Tensor, got {type(got).__name__}")
        expected = np.asarray(reference(*arrays))
        if got.shape != expected.shape:
            raise AssertionError(f"op gives shape {got.shape}, the reference {expected.shape}")
        error = np.abs(got.data - expected) - (value_atol + value_rtol * np.abs(expected))
        if error.size and not np.all(error <= 0):
            worst = np.unravel_index(np.argmax(np.where(np.isnan(error), np.inf, error)), error.shape)
            element = tuple(int(i) for i in worst)
            raise AssertionError(f"element {element}: op gives {got.data[worst]!r}, the reference "
                                 f"{expected[worst]!r} (atol={value_atol}, rtol={value_rtol})")

    def first(*arrays: np.ndarray) -> None:
        gradcheck(op, *(Tensor(array, requires_grad=True) for array in arrays), atol=atol, rtol=rtol)

    def second(*arrays: np.ndarray) -> None:
        gradgradcheck(op, *(Tensor(array, requires_grad=True) for array in arrays), atol=atol, rtol=rtol)

    checks: list[tuple[str, Callable[..., None]]] = [
        ("values against the NumPy reference", values),
        ("gradcheck (autograd vs central differences)", first),
    ]
    if second_order:
        checks.append(("gradgradcheck (second derivatives)", second))
    for title, check in checks:
        report.results.append(_run(title, check, strategy, run_settings, given))
    return report


def _run(title: str, check: Callable[..., None], strategy: Any, run_settings: Any, given: Any) -> CheckResult:
    """Run one check over the strategy; on failure keep the last (shrunk) input and the message."""
    last: list[tuple[np.ndarray, ...]] = [()]

    @run_settings
    @given(strategy)
    def property_(arrays: tuple[np.ndarray, ...]) -> None:
        last[0] = tuple(array.copy() for array in arrays)
        check(*arrays)

    try:
        property_()
    except GradcheckError as error:
        return CheckResult(title, False, str(error), last[0])
    except AssertionError as error:  # a check's own verdict
        return CheckResult(title, False, str(error), last[0])
    except Exception as error:  # the op itself raised: report it as this check's failure
        message = f"raised {type(error).__name__}: {error}"
        if "second" in title:
            message += f"\n{SECOND_ORDER_HINT}"
        return CheckResult(title, False, message, last[0])
    return CheckResult(title, True)
