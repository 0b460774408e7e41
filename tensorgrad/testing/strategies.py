"""Hypothesis strategies for property-testing ops: shapes, and inputs kept away from kinks.

Finite differences measure a derivative only where the function is smooth within
`eps` of the point. So these strategies never produce an input near a kink: relu and
abs at 0, log and sqrt near 0, ties in max/min/maximum. Values stay in [-2, 2], where
float64 central differences with eps = 1e-6 are accurate to about 1e-9.

    from hypothesis import given
    from tensorgrad.testing import strategies as tgst

    @given(tgst.shapes().flatmap(tgst.arrays))
    def test_my_op(x): ...
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

Shape = tuple[int, ...]

__all__ = ["arrays", "broadcastable_shapes", "distinct_arrays", "positive_arrays", "shapes", "untied_pair"]


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy[Shape]:
    """Shapes of 0-4 dims with small sides: 0-d and size-1 axes are where bugs hide
    (scalars, keepdims, broadcasting), and small sides keep finite differences cheap."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """`num_shapes` shapes that broadcast together (dims may differ, sides may be 1), to
    test that gradients are summed back to each input's own shape."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    ).map(lambda broadcast: broadcast.input_shapes)


def arrays(shape: Shape, low: float = 0.1, high: float = 2.0, signed: bool = True) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays with |x| in [low, high] and a random sign.

    |x| >= 0.1 keeps relu, abs and division far from 0; |x| <= 2 keeps exp, pow and
    products well conditioned, so a failing check means a wrong rule, not rounding.
    """
    if not 0 <= low < high:
        raise ValueError(f"arrays: need 0 <= low < high, got low={low}, high={high}")
    magnitudes = hnp.arrays(np.float64, shape, elements=st.floats(low, high))
    if not signed:
        return magnitudes
    signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(magnitudes, signs).map(lambda pair: pair[0] * pair[1])


def positive_arrays(shape: Shape, low: float = 0.1, high: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays in [low, high]: the domain of log, sqrt and the base of a ** b."""
    return arrays(shape, low, high, signed=False)


def distinct_arrays(shape: Shape, spread: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays whose elements are all different, at least 2 * spread / size apart.

    max/min pass the gradient to the largest element only; with a tie the derivative
    does not exist, so reductions are tested on a shuffled evenly spaced grid.
    """
    size = int(np.prod(shape))
    step = 2 * spread / max(size, 1)
    grid = (np.arange(size) - (size - 1) / 2) * step
    return st.permutations(list(range(size))).map(lambda order: grid[np.array(order, dtype=int)].reshape(shape))


def untied_pair(shape_a: Shape, shape_b: Shape) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Two float64 arrays that never tie anywhere, even after broadcasting.

    `a` takes odd and `b` even multiples of 0.05 in [-2, 2], so |a - b| >= 0.05 for every
    pair of elements: maximum(a, b), minimum(a, b) and |a - b| are smooth there.
    """
    odd = st.integers(-20, 19).map(lambda k: (2 * k + 1) * 0.05)
    even = st.integers(-20, 20).map(lambda k: 2 * k * 0.05)
    return st.tuples(hnp.arrays(np.float64, shape_a, elements=odd), hnp.arrays(np.float64, shape_b, elements=even))
