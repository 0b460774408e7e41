"""`all_finite`, the whole-set check every `train` call runs, against np.isfinite: any NaN
or inf anywhere is found, and finite values whose row sums overflow are still finite."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nn.inputs import all_finite

FLOATS = st.sampled_from([np.float16, np.float32, np.float64])
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), dtype=FLOATS, shape=SHAPES)
def test_all_finite_agrees_with_isfinite(data, dtype, shape):
    array = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-10, 10, width=16)))
    if array.size:
        position = data.draw(st.integers(0, array.size - 1))
        array.flat[position] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf, 1.0]))
    view = array.T if data.draw(st.booleans()) else array  # a non-contiguous layout too
    assert all_finite(view) == bool(np.isfinite(view).all())


def test_rows_whose_sums_overflow_are_still_finite():
    for dtype in (np.float16, np.float32, np.float64):
        largest = np.finfo(dtype).max
        assert all_finite(np.full((3, 784), largest, dtype))
        assert all_finite(np.array([[largest, -largest, largest]], dtype))
        spoiled = np.full((3, 784), largest, dtype)
        spoiled[2, 5] = np.inf
        assert not all_finite(spoiled)
