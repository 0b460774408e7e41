"""The catalogue's structural section: scans and reductions, movement and indexing, and
the losses added with them. Movement ops draw empty arrays too (min_side=0)."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorgrad as tg
import tensorgrad.functional as F
from catalogue import (
    CLASSES, EMPTY_TOO, MAX_SIDE, SAMPLES, Case, Entry, pairs, quiet, reduce, reductions, shapes, softmax_reference,
)
from catalogue_elementwise import along_axis
from tensorgrad.testing import strategies as tgst


def with_zeros(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Signed arrays with some entries exactly 0: where x / x_i shortcuts break."""
    keep = hnp.arrays(bool, shape)
    return st.tuples(tgst.arrays(shape), keep).map(lambda pair: pair[0] * pair[1])


@st.composite
def variances(draw: Any, domain: Any, spare: int, over_empty: bool = True) -> Case:
    """x, axis, ddof and keepdims with more than ddof + spare elements per reduction: every
    side is at least 2 + spare (and ddof <= 1), but one side may be 0 (a variance of nothing
    is NaN). over_empty=False keeps that side out of the reduction: std's sqrt has a NaN
    slope at NaN, so the second derivatives of the std of nothing are NaN."""
    shape = list(draw(shapes(min_dims=1, max_dims=3, min_side=2 + spare)))
    ndim = len(shape)
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1), hnp.valid_tuple_axes(ndim, min_size=1)))
    reduced = range(ndim) if axis is None else np.atleast_1d(axis) % ndim
    sides = [d for d in range(ndim) if over_empty or d not in reduced]
    if sides and draw(st.booleans()):
        shape[draw(st.sampled_from(sides))] = 0
    x = draw(domain(tuple(shape)))
    return Case((x,), {"axis": axis, "ddof": draw(st.sampled_from([0, 1])), "keepdims": draw(st.booleans())})


@st.composite
def sortings(draw: Any) -> Case:
    case = draw(along_axis(tgst.distinct_arrays, **EMPTY_TOO))
    return Case(case.arrays, {**case.params, "descending": draw(st.booleans())})


@st.composite
def top(draw: Any) -> Case:
    case = draw(along_axis(tgst.distinct_arrays, **EMPTY_TOO))
    n = case.arrays[0].shape[case.params["axis"]]
    return Case(case.arrays, {**case.params, "k": draw(st.integers(0, n)), "largest": draw(st.booleans())})


def topk_reference(x: np.ndarray, k: int, axis: int, largest: bool) -> np.ndarray:
    ordered = np.sort(x, axis=axis)
    ordered = np.flip(ordered, axis) if largest else ordered
    return np.take(ordered, np.arange(k), axis=axis)


@st.composite
def squeezes(draw: Any) -> Case:
    x = draw(shapes(**EMPTY_TOO).flatmap(tgst.arrays))
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    return Case((x,), {"axis": draw(st.one_of(st.none(), st.lists(st.sampled_from(ones), unique=True).map(tuple)
                                               if ones else st.none()))})


@st.composite
def unsqueezes(draw: Any) -> Case:
    x = draw(shapes(max_dims=3, min_side=0).flatmap(tgst.arrays))
    return Case((x,), {"axis": draw(st.integers(-x.ndim - 1, x.ndim))})


@st.composite
def expansions(draw: Any) -> Case:
    shape, other = draw(pairs(**EMPTY_TOO))
    return Case((draw(tgst.arrays(shape)),), {"shape": np.broadcast_shapes(shape, other)})


@st.composite
def flattenings(draw: Any) -> Case:
    x = draw(shapes(min_dims=1, **EMPTY_TOO).flatmap(tgst.arrays))
    start = draw(st.integers(0, x.ndim - 1))
    return Case((x,), {"start": start, "end": draw(st.integers(start, x.ndim - 1)) - x.ndim * draw(st.booleans())})


def flatten_reference(x: np.ndarray, start: int, end: int) -> np.ndarray:
    end %= x.ndim
    return x.reshape((*x.shape[:start], math.prod(x.shape[start:end + 1]), *x.shape[end + 1:]))


@st.composite
def unflattenings(draw: Any) -> Case:
    x = draw(shapes(min_dims=1, **EMPTY_TOO).flatmap(tgst.arrays))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    inferred = [(-1, 1), (1, -1, 1)] if x.size else []  # -1 is ambiguous with no elements (test_dtypes_and_edges)
    return Case((x,), {"axis": axis, "sizes": draw(st.sampled_from([(1, n), (n, 1), *inferred]))})


def unflatten_reference(x: np.ndarray, axis: int, sizes: tuple) -> np.ndarray:
    axis %= x.ndim
    return x.reshape(x.shape[:axis] + sizes + x.shape[axis + 1:])


@st.composite
def flips(draw: Any) -> Case:
    x = draw(shapes(min_side=0).flatmap(tgst.arrays))
    return Case((x,), {"axis": draw(st.one_of(st.none(), hnp.valid_tuple_axes(x.ndim)))})


@st.composite
def rolls(draw: Any) -> Case:
    x = draw(shapes(min_side=0).flatmap(tgst.arrays))
    axis = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1))) if x.ndim else None
    return Case((x,), {"shift": draw(st.integers(-4, 4)), "axis": axis})


@st.composite
def repeats(draw: Any) -> Case:
    x = draw(shapes(max_dims=3, min_side=0).flatmap(tgst.arrays))
    axis = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1))) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    counts = st.one_of(st.integers(0, 2), st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return Case((x,), {"repeats": draw(counts), "axis": axis})


@st.composite
def tiles(draw: Any) -> Case:
    x = draw(shapes(max_dims=3, min_side=0).flatmap(tgst.arrays))
    return Case((x,), {"reps": tuple(draw(st.lists(st.integers(1, 2), max_size=3)))})


@st.composite
def splits(draw: Any) -> Case:
    x = draw(shapes(min_dims=1, **EMPTY_TOO).flatmap(tgst.arrays))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    equal = st.sampled_from([d for d in range(1, MAX_SIDE + 1) if n % d == 0])  # any count divides 0
    points = st.lists(st.integers(0, n), max_size=3).map(sorted)
    return Case((x,), {"indices_or_sections": draw(st.one_of(equal, points)), "axis": axis})


def joined(parts: list) -> Any:
    """Several outputs as one, for the catalogue's one-output tests."""
    if isinstance(parts[0], tg.Tensor):
        return tg.concatenate([p.reshape(-1) for p in parts])
    return np.concatenate([p.reshape(-1) for p in parts])


@st.composite
def chunks(draw: Any) -> Case:
    case = draw(along_axis(**EMPTY_TOO))
    return Case(case.arrays, {**case.params, "chunks": draw(st.integers(1, 4))})


def chunk_reference(x: np.ndarray, chunks: int, axis: int) -> np.ndarray:
    n = x.shape[axis]
    size = -(-n // chunks)
    return joined(np.split(x, list(range(size, n, size)) if n else chunks, axis))


@st.composite
def triangles(draw: Any) -> Case:
    x = draw(shapes(min_dims=2, min_side=0).flatmap(tgst.arrays))
    return Case((x,), {"k": draw(st.integers(-2, 2))})


@st.composite
def diagonals(draw: Any) -> Case:
    x = draw(shapes(min_dims=2, **EMPTY_TOO).flatmap(tgst.arrays))
    axis1, axis2 = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2, unique_by=lambda a: a % x.ndim))
    return Case((x,), {"offset": draw(st.integers(-2, 2)), "axis1": axis1, "axis2": axis2})


@st.composite
def gathers(draw: Any) -> Case:
    """An index of x's rank, no longer than x along the other axes, any length along axis
    (0 too; only 0 when that axis is empty, test_dtypes_and_edges)."""
    x = draw(shapes(min_dims=1, **EMPTY_TOO).flatmap(tgst.arrays))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    shape = tuple(draw(st.integers(0, MAX_SIDE if n else 0)) if d == axis % x.ndim else draw(st.integers(0, side))
                  for d, side in enumerate(x.shape))
    index = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, max(n - 1, 0))))
    return Case((x,), {"axis": axis, "index": index})


def gather_reference(x: np.ndarray, axis: int, index: np.ndarray) -> np.ndarray:
    axis %= x.ndim
    crop = tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(index.shape))
    return np.take_along_axis(x[crop], index, axis)


@st.composite
def scatters(draw: Any) -> Case:
    case = draw(gathers())
    index = case.params["index"]
    return Case((*case.arrays, draw(tgst.arrays(index.shape))), case.params)


def scatter_add_reference(x: np.ndarray, source: np.ndarray, axis: int, index: np.ndarray) -> np.ndarray:
    out = x.copy()
    for position in np.ndindex(index.shape):
        target = list(position)
        target[axis % x.ndim] = index[position]
        out[tuple(target)] += source[position]
    return out


@st.composite
def masked(draw: Any) -> Case:
    x = draw(shapes(min_side=0).flatmap(tgst.arrays))
    mask = draw(hnp.arrays(bool, draw(hnp.broadcastable_shapes(x.shape, max_dims=x.ndim, min_side=0))))
    return Case((x,), {"mask": mask, "value": draw(st.sampled_from([0.0, -1.5]))})


@st.composite
def log_likelihoods(draw: Any) -> Case:
    """Labels with -1 ignored, and one kept in a non-empty batch: a mean over no kept
    sample is NaN, and so are its slopes (test_against_reference)."""
    samples, classes = draw(SAMPLES), draw(CLASSES)
    kept = draw(hnp.arrays(np.int64, (min(samples, 1),), elements=st.integers(0, classes - 1)))
    others = draw(hnp.arrays(np.int64, (max(samples - 1, 0),), elements=st.integers(-1, classes - 1)))
    labels = np.array(draw(st.permutations(np.append(others, kept).tolist())), dtype=np.int64)
    return Case((draw(tgst.arrays((samples, classes))),), {
        "targets": labels, "ignore_index": -1, "reduction": draw(st.sampled_from(["mean", "sum", "none"]))})


def nll_reference(log_p: np.ndarray, targets: np.ndarray, ignore_index: int, reduction: str) -> np.ndarray:
    kept = targets != ignore_index
    losses = np.where(kept, -log_p[np.arange(len(targets)), np.where(kept, targets, 0)], 0)
    reducers: dict[str, Callable[[], Any]] = {"mean": lambda: losses.sum() / kept.sum() if kept.any() else np.nan,
                                              "sum": losses.sum, "none": lambda: losses}
    return reducers[reduction]()


@st.composite
def soft_targets(draw: Any) -> Case:
    samples, classes = draw(SAMPLES), draw(CLASSES)
    raw = draw(tgst.positive_arrays((samples, classes)))
    return Case((draw(tgst.arrays((samples, classes))),), {
        "targets": raw / raw.sum(axis=1, keepdims=True), "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0])),
        "reduction": draw(st.sampled_from(["mean", "sum", "none"]))})


def soft_cross_entropy_reference(z: np.ndarray, targets: np.ndarray, label_smoothing: float, reduction: str):
    q = (1 - label_smoothing) * targets + label_smoothing / z.shape[1]
    return reduce(-(q * np.log(softmax_reference(z, 1))).sum(axis=1), reduction)


@st.composite
def ignored_labels(draw: Any) -> Case:
    case = draw(log_likelihoods())
    return Case(case.arrays, {**case.params, "label_smoothing": draw(st.sampled_from([0.0, 0.2]))})


def ignored_cross_entropy_reference(z, targets, ignore_index, reduction, label_smoothing):
    log_p = np.log(softmax_reference(z, 1))
    smoothed = (1 - label_smoothing) * log_p + label_smoothing * log_p.mean(axis=1, keepdims=True)
    return nll_reference(smoothed, targets, ignore_index, reduction)


@st.composite
def logit_targets(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, max_dims=3, **EMPTY_TOO))
    targets = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    weight = draw(st.one_of(st.none(), tgst.positive_arrays(shape[-1:], high=3.0)))
    return Case((draw(tgst.arrays(shape)),), {"targets": targets, "pos_weight": weight,
                                               "reduction": draw(st.sampled_from(["mean", "sum", "none"]))})


def bce_logits_reference(z, targets, pos_weight, reduction):
    p = 1 / (1 + np.exp(-z))
    weight = 1.0 if pos_weight is None else pos_weight
    return reduce(-(weight * targets * np.log(p) + (1 - targets) * np.log(1 - p)).mean(axis=-1), reduction)


STRUCTURE = [
    Entry("cumsum", lambda a, axis: a.cumsum(axis), lambda a, axis: np.cumsum(a, axis), along_axis(**EMPTY_TOO), True),
    Entry("cumprod", lambda a, axis: a.cumprod(axis), lambda a, axis: np.cumprod(a, axis),
          along_axis(**EMPTY_TOO), True),
    Entry("cumprod_with_zeros", lambda a, axis: a.cumprod(axis), lambda a, axis: np.cumprod(a, axis),
          along_axis(with_zeros, **EMPTY_TOO), True),
    Entry("prod", lambda a, **p: a.prod(**p), lambda a, **p: np.prod(a, **p), reductions(tgst.arrays, **EMPTY_TOO), True),
    Entry("prod_with_zeros", lambda a, **p: a.prod(**p), lambda a, **p: np.prod(a, **p),
          reductions(with_zeros, **EMPTY_TOO), True),
    Entry("var", lambda a, **p: a.var(**p), quiet(lambda a, **p: np.var(a, **p)), variances(tgst.arrays, 0), True),
    Entry("std", lambda a, **p: a.std(**p), quiet(lambda a, **p: np.std(a, **p)),
          variances(tgst.distinct_arrays, 1, over_empty=False), True),
    Entry("logsumexp", lambda a, **p: a.logsumexp(**p),
          quiet(lambda a, axis, keepdims: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))),
          reductions(tgst.arrays, **EMPTY_TOO), True),
    Entry("normalize", lambda a, axis: a.normalize(axis),
          lambda a, axis: a / np.sqrt(np.sum(a * a, axis=axis, keepdims=True)), along_axis(**EMPTY_TOO), True),
    Entry("sort", lambda a, **p: a.sort(**p),
          lambda a, axis, descending: np.flip(np.sort(a, axis), axis) if descending else np.sort(a, axis), sortings(), True),
    Entry("topk", lambda a, **p: a.topk(**p)[0], topk_reference, top(), True),
    Entry("squeeze", lambda a, axis: a.squeeze(axis), lambda a, axis: np.squeeze(a, axis), squeezes(), True),
    Entry("unsqueeze", lambda a, axis: a.unsqueeze(axis), lambda a, axis: np.expand_dims(a, axis), unsqueezes(), True),
    Entry("expand", lambda a, shape: a.expand(shape), lambda a, shape: np.broadcast_to(a, shape), expansions(), True),
    Entry("flatten_range", lambda a, **p: a.flatten(**p), flatten_reference, flattenings(), True),
    Entry("unflatten", lambda a, **p: a.unflatten(**p), unflatten_reference, unflattenings(), True),
    Entry("flip", lambda a, axis: a.flip(axis), lambda a, axis: np.flip(a, axis), flips(), True),
    Entry("roll", lambda a, **p: a.roll(**p), lambda a, **p: np.roll(a, **p), rolls(), True),
    Entry("repeat", lambda a, **p: a.repeat(**p), lambda a, **p: np.repeat(a, **p), repeats(), True),
    Entry("tile", lambda a, reps: a.tile(reps), np.tile, tiles(), True),
    Entry("split", lambda a, **p: joined(a.split(**p)), lambda a, **p: joined(np.split(a, **p)), splits(), True),
    Entry("chunk", lambda a, **p: joined(a.chunk(**p)), chunk_reference, chunks(), True),
    Entry("tril", lambda a, k: a.tril(k), lambda a, k: np.tril(a, k), triangles(), True),
    Entry("triu", lambda a, k: a.triu(k), lambda a, k: np.triu(a, k), triangles(), True),
    Entry("diagonal", lambda a, **p: a.diagonal(**p), lambda a, **p: np.diagonal(a, **p), diagonals(), True),
    Entry("gather", lambda a, **p: a.gather(**p), gather_reference, gathers(), True),
    Entry("scatter_add", lambda a, b, **p: F.scatter_add(a, p["axis"], p["index"], b), scatter_add_reference,
          scatters(), True),
    Entry("masked_fill", lambda a, **p: a.masked_fill(**p), lambda a, mask, value: np.where(mask, value, a),
          masked(), True),
    Entry("nll_loss", F.nll_loss, nll_reference, log_likelihoods(), True),
    Entry("cross_entropy_soft", F.cross_entropy, quiet(soft_cross_entropy_reference), soft_targets(), True),
    Entry("cross_entropy_ignore", F.cross_entropy, ignored_cross_entropy_reference, ignored_labels(), True),
    Entry("bce_with_logits", F.binary_cross_entropy_with_logits, quiet(bce_logits_reference), logit_targets(), True),
]
