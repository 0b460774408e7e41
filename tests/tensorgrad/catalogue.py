"""The catalogue's building blocks, shared by its sections: `Case` (input arrays and
non-differentiable parameters), `Entry` (op, NumPy reference, input domain, smoothness)
and the generic input domains."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorgrad as tg
from tensorgrad.testing import strategies as tgst

MAX_SIDE = 3  # finite differences cost two forward passes per element: keep arrays small
EPSILON = 1e-7  # the book's clipping of probabilities


@dataclass(frozen=True)
class Case:
    arrays: tuple[np.ndarray, ...]
    params: dict[str, Any]


@dataclass(frozen=True)
class Entry:
    name: str
    function: Callable[..., tg.Tensor]
    reference: Callable[..., np.ndarray]
    cases: st.SearchStrategy[Case]
    smooth: bool

    def __repr__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- input domains

def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1) -> st.SearchStrategy[tuple[int, ...]]:
    return tgst.shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=MAX_SIDE)


def pairs(min_dims: int = 0, min_side: int = 1) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    return tgst.broadcastable_shapes(min_dims=min_dims, min_side=min_side, max_side=MAX_SIDE)


def one(domain: Callable = tgst.arrays, min_dims: int = 0, min_side: int = 1) -> st.SearchStrategy[Case]:
    """One input; min_side=0 also draws empty arrays (shapes such as (2, 0))."""
    return shapes(min_dims, min_side=min_side).flatmap(domain).map(lambda x: Case((x,), {}))


def two(first: Callable = tgst.arrays, second: Callable = tgst.arrays, min_side: int = 1) -> st.SearchStrategy[Case]:
    """Two inputs of broadcast-compatible shapes, e.g. (3, 1) and (2, 1, 3)."""
    return pairs(min_side=min_side).flatmap(lambda s: st.tuples(first(s[0]), second(s[1]))).map(lambda xs: Case(xs, {}))


def untied() -> st.SearchStrategy[Case]:
    return pairs().flatmap(lambda s: tgst.untied_pair(*s)).map(lambda xs: Case(xs, {}))


def axes(ndim: int) -> st.SearchStrategy[Any]:
    """None, one axis (possibly negative) or a tuple of axes."""
    single = st.integers(-ndim, ndim - 1) if ndim else st.nothing()
    return st.one_of(st.none(), single, hnp.valid_tuple_axes(ndim))


@st.composite
def reductions(draw: Any, domain: Callable) -> Case:
    x = draw(shapes().flatmap(domain))
    return Case((x,), {"axis": draw(axes(x.ndim)), "keepdims": draw(st.booleans())})


def softmax_reference(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
