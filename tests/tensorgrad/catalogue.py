"""The catalogue's building blocks, shared by its sections: `Case` (input arrays and
non-differentiable parameters), `Entry` (op, NumPy reference, input domain, smoothness)
and the generic input domains."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st

import tensorgrad as tg
from tensorgrad.testing import strategies as tgst

MAX_SIDE = 3  # finite differences cost two forward passes per element: keep arrays small
EPSILON = 1e-7  # the book's clipping of probabilities
EMPTY_TOO = {"min_side": 0}  # a strategy's sides start at 0: empty arrays such as (2, 0) too
SAMPLES = st.integers(0, 4)  # a loss's batch sizes, the empty batch too
CLASSES = st.integers(2, 4)


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


def axes(shape: tuple[int, ...], over_empty: bool = True) -> st.SearchStrategy[Any]:
    """None, one axis (possibly negative) or a tuple of axes. over_empty=False leaves out
    the axes of length 0, and None for an empty array: a max of no elements is undefined."""
    ndim = len(shape)
    allowed = [a for a in range(-ndim, ndim) if over_empty or shape[a]]
    whole = st.none() if over_empty or 0 not in shape else st.nothing()
    single = st.sampled_from(allowed) if allowed else st.nothing()
    return st.one_of(whole, single, st.lists(single, unique_by=lambda a: a % ndim).map(tuple))


@st.composite
def reductions(draw: Any, domain: Callable, min_side: int = 1, over_empty: bool = True) -> Case:
    x = draw(shapes(min_side=min_side).flatmap(domain))
    return Case((x,), {"axis": draw(axes(x.shape, over_empty)), "keepdims": draw(st.booleans())})


def quiet(reference: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """A NumPy reference without NumPy's warnings for reductions of nothing ("Mean of empty
    slice", log(0)): tensorgrad gives the same NaN or -inf silently, as PyTorch does."""
    def silenced(*args: Any, **params: Any) -> np.ndarray:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return reference(*args, **params)
    return silenced


def reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    """A loss reference's reduction over samples (the mean of an empty batch is NaN)."""
    reducers: dict[str, Callable[..., np.ndarray]] = {"mean": np.mean, "sum": np.sum, "none": np.asarray}
    return reducers[reduction](losses)


def softmax_reference(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))  # an empty axis has no max
    return e / np.sum(e, axis=axis, keepdims=True)
