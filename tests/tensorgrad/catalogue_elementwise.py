"""The catalogue's elementwise section: trigonometry, logarithms, special functions,
steps (zero gradient) and activations. Empty arrays are drawn too (EMPTY_TOO)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorgrad.functional as F
from catalogue import EMPTY_TOO, Case, Entry, one, pairs, shapes, softmax_reference, two
from tensorgrad.testing import strategies as tgst

erf_reference = np.vectorize(math.erf, otypes=[np.float64])


def bounded(high: float) -> Any:
    """Signed arrays with 0.1 <= |x| <= high (tan's poles, arcsin's domain)."""
    return lambda shape: tgst.arrays(shape, high=high)


def off_grid(shape: tuple[int, ...], scale: float = 1.0) -> st.SearchStrategy[np.ndarray]:
    """Odd multiples of 0.05 * scale in [-2 scale, 2 scale]: never an integer or a half for
    scale 1, so floor, round & co. are flat around every point (and never at clip bounds)."""
    odd = st.integers(-20, 19).map(lambda k: (2 * k + 1) * 0.05 * scale)
    return hnp.arrays(np.float64, shape, elements=odd)


@st.composite
def remainders(draw: Any) -> Case:
    """a odd and b nonzero even multiples of 0.05: a / b = odd / even is never an integer,
    so a mod b never jumps near the point."""
    shape_a, shape_b = draw(pairs(min_side=0))
    even = st.integers(1, 20).flatmap(lambda k: st.sampled_from([-k, k])).map(lambda k: 2 * k * 0.05)
    return Case((draw(off_grid(shape_a)), draw(hnp.arrays(np.float64, shape_b, elements=even))), {})


@st.composite
def along_axis(draw: Any, domain: Any = tgst.arrays, min_side: int = 1) -> Case:
    x = draw(shapes(min_dims=1, min_side=min_side).flatmap(domain))
    return Case((x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))})


def softplus_reference(x: np.ndarray) -> np.ndarray:
    return np.log1p(np.exp(x))


def elu_reference(x: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(x))


ELEMENTWISE = [
    Entry("mod", lambda a, b: a % b, np.mod, remainders(), True),
    Entry("log1p", lambda a: a.log1p(), np.log1p, one(bounded(0.9), **EMPTY_TOO), True),
    Entry("expm1", lambda a: a.expm1(), np.expm1, one(**EMPTY_TOO), True),
    Entry("sin", lambda a: a.sin(), np.sin, one(**EMPTY_TOO), True),
    Entry("cos", lambda a: a.cos(), np.cos, one(**EMPTY_TOO), True),
    Entry("tan", lambda a: a.tan(), np.tan, one(bounded(1.2), **EMPTY_TOO), True),
    Entry("arcsin", lambda a: a.arcsin(), np.arcsin, one(bounded(0.9), **EMPTY_TOO), True),
    Entry("arccos", lambda a: a.arccos(), np.arccos, one(bounded(0.9), **EMPTY_TOO), True),
    Entry("arctan", lambda a: a.arctan(), np.arctan, one(**EMPTY_TOO), True),
    Entry("sinh", lambda a: a.sinh(), np.sinh, one(**EMPTY_TOO), True),
    Entry("cosh", lambda a: a.cosh(), np.cosh, one(**EMPTY_TOO), True),
    Entry("erf", lambda a: a.erf(), erf_reference, one(**EMPTY_TOO), True),
    Entry("sign", lambda a: a.sign(), np.sign, one(**EMPTY_TOO), True),
    Entry("floor", lambda a: a.floor(), np.floor, one(off_grid, **EMPTY_TOO), True),
    Entry("ceil", lambda a: a.ceil(), np.ceil, one(off_grid, **EMPTY_TOO), True),
    Entry("round", lambda a: a.round(), np.round, one(off_grid, **EMPTY_TOO), True),
    Entry("trunc", lambda a: a.trunc(), np.trunc, one(off_grid, **EMPTY_TOO), True),
    Entry("log2", lambda a: a.log2(), np.log2, one(tgst.positive_arrays, **EMPTY_TOO), True),
    Entry("log10", lambda a: a.log10(), np.log10, one(tgst.positive_arrays, **EMPTY_TOO), True),
    Entry("exp2", lambda a: a.exp2(), np.exp2, one(**EMPTY_TOO), True),
    Entry("logaddexp", F.logaddexp, np.logaddexp, two(**EMPTY_TOO), True),
    Entry("leaky_relu", lambda a: F.leaky_relu(a, 0.1), lambda a: np.where(a > 0, a, 0.1 * a), one(**EMPTY_TOO), False),
    Entry("elu", lambda a: F.elu(a, 1.5), lambda a: elu_reference(a, 1.5), one(**EMPTY_TOO), False),
    Entry("selu", F.selu, lambda a: F.SELU_SCALE * elu_reference(a, F.SELU_ALPHA), one(**EMPTY_TOO), False),
    Entry("gelu", F.gelu, lambda a: 0.5 * a * (1 + erf_reference(a / math.sqrt(2))), one(**EMPTY_TOO), True),
    Entry("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"),
          lambda a: 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3))), one(**EMPTY_TOO), True),
    Entry("silu", F.silu, lambda a: a / (1 + np.exp(-a)), one(**EMPTY_TOO), True),
    Entry("softplus", F.softplus, softplus_reference, one(**EMPTY_TOO), True),
    Entry("logsigmoid", F.logsigmoid, lambda a: -softplus_reference(-a), one(**EMPTY_TOO), True),
    Entry("softsign", F.softsign, lambda a: a / (1 + np.abs(a)), one(**EMPTY_TOO), True),
    Entry("hardtanh", F.hardtanh, lambda a: np.clip(a, -1, 1), one(off_grid, **EMPTY_TOO), False),
    Entry("relu6", F.relu6, lambda a: np.clip(a, 0, 6), one(lambda shape: off_grid(shape, 4.0), **EMPTY_TOO), False),
    Entry("mish", F.mish, lambda a: a * np.tanh(softplus_reference(a)), one(**EMPTY_TOO), True),
    Entry("softmin", lambda a, axis: F.softmin(a, axis), lambda a, axis: softmax_reference(-a, axis),
          along_axis(**EMPTY_TOO), True),
]
