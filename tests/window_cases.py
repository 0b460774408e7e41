"""Hypothesis strategies for convolution and pooling: small shapes with every kind of
geometry (1x1 kernels, a kernel as large as the padded input, strides larger than the
kernel, padding), shared by the catalogue and the oracle tests."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from tensorgrad.testing import strategies as tgst


@dataclass(frozen=True)
class Geometry:
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    size: tuple[int, int]  # the input's height and width


@st.composite
def geometries(draw: Any, max_kernel: int = 3, pooling: bool = False) -> Geometry:
    """A kernel, stride and padding (at most half the kernel for pooling, as PyTorch
    requires) and an input size the padded kernel fits in, from exactly to 3 more."""
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = tuple(draw(st.integers(0, k // 2 if pooling else 1)) for k in kernel)
    size = tuple(max(1, k - 2 * p) + draw(st.integers(0, 3)) for k, p in zip(kernel, padding, strict=False))
    return Geometry(kernel, stride, padding, size)  # type: ignore[arg-type]


@st.composite
def convolutions(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, Geometry]:
    """x (N, C, H, W), weight (F, C, kh, kw), bias (F,) and their geometry."""
    geometry = draw(geometries())
    samples, channels, filters = (draw(st.integers(1, 2)) for _ in range(3))
    x = draw(tgst.arrays((samples, channels, *geometry.size)))
    weight = draw(tgst.arrays((filters, channels, *geometry.kernel)))
    bias = draw(tgst.arrays((filters,)))
    return x, weight, bias, geometry


@st.composite
def poolings(draw: Any) -> tuple[np.ndarray, Geometry]:
    """x (N, C, H, W) with no two values close (a max-pool is smooth there) and a geometry."""
    geometry = draw(geometries(pooling=True))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *geometry.size)
    return draw(tgst.distinct_arrays(shape)), geometry
