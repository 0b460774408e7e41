"""Convolutional layers (beyond the book): Conv2D, MaxPool2D and AvgPool2D.

Forward passes only, over tensorgrad.functional's conv2d and pooling, which are
themselves compositions of primitives: no gradient is written here or there.
Layouts follow PyTorch: inputs (n, channels, height, width), weights
(out_channels, in_channels, kh, kw), biases (out_channels,).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from tensorgrad import Tensor, functional

from .checks import check_choice, check_integer, check_seed
from .layers import INITS, Penalized, _initial_weights, float_dtype
from .module import Module

MAX_KERNEL_SIDE = 1024  # a kernel side or stride past this is refused (a model file cannot ask for more)
MAX_CHANNELS = 1 << 16


def _side_pair(name: str, value: Any, least: int = 1) -> tuple[int, int]:
    """An int or a pair of ints in [least, MAX_KERNEL_SIDE], as a pair (JSON lists too)."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(side, numbers.Integral) and not isinstance(side, bool)
                                 and least <= side <= MAX_KERNEL_SIDE for side in pair):  # type: ignore[operator]  # the numbers ABCs declare no comparisons
        raise ValueError(f"{name}: expected an int in [{least}, {MAX_KERNEL_SIDE}] or a pair of them, "
                         f"got {value!r:.80}")
    return (int(pair[0]), int(pair[1]))


def _channels(name: str, value: Any) -> int:
    return check_integer(name, value, maximum=MAX_CHANNELS)


def _as_config(pair: tuple[int, int]) -> int | list[int]:
    return pair[0] if pair[0] == pair[1] else list(pair)


class Conv2D(Penalized):
    """outputs = conv2d(x, weights, biases, stride, padding): every output channel is a
    kernel slid over the input, a dot product per position plus that channel's bias.

    He initialisation by default (fan_in = in_channels * kh * kw): a convolution feeds
    ReLUs. The L1/L2 factors act as in Dense, through the same `regularization_penalty()`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        weight_regularizer_l1: float = 0.0,
        weight_regularizer_l2: float = 0.0,
        bias_regularizer_l1: float = 0.0,
        bias_regularizer_l2: float = 0.0,
        init: str = "he",
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        shapes = self.parameter_shapes(in_channels=in_channels, out_channels=out_channels,
                                       kernel_size=kernel_size, dtype=dtype)
        (self.out_channels, self.in_channels, *kernel), self.dtype = shapes["weights"]
        self.kernel_size = (kernel[0], kernel[1])
        self.stride = _side_pair("stride", stride)
        self.padding = _side_pair("padding", padding, least=0)
        self._set_regularizers(weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2)
        self.init = check_choice("init", init, INITS)
        self.seed = check_seed("seed", seed)
        kh, kw = self.kernel_size
        shape = (self.out_channels, self.in_channels, kh, kw)
        weights = _initial_weights(init, shape, self.in_channels * kh * kw, self.out_channels * kh * kw,
                                   np.random.default_rng(seed))
        self.weights = Tensor(weights.astype(self.dtype), requires_grad=True)
        self.biases = Tensor(np.zeros(self.out_channels, dtype=self.dtype), requires_grad=True)

    def forward(self, x: Any) -> Tensor:
        return functional.conv2d(x, self.weights, self.biases, stride=self.stride, padding=self.padding)

    @classmethod
    def parameter_shapes(cls, *, in_channels: Any, out_channels: Any, kernel_size: Any,  # type: ignore[override]  # a layer's own config keys, required
                         dtype: Any = np.float32,
                         **hyperparameters: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """weights (out_channels, in_channels, kh, kw) and biases (out_channels,), of `dtype`:
        what building the layer allocates, known before anything is (model files ask)."""
        kh, kw = _side_pair("kernel_size", kernel_size)
        dtype = float_dtype(dtype)
        out_channels = _channels("out_channels", out_channels)
        shape = (out_channels, _channels("in_channels", in_channels), kh, kw)
        return {"weights": (shape, dtype), "biases": ((out_channels,), dtype)}

    @property
    def input_shape(self) -> tuple[int, None, None]:
        return (self.in_channels, None, None)

    def get_config(self) -> dict[str, Any]:
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": _as_config(self.kernel_size),
            "stride": _as_config(self.stride),
            "padding": _as_config(self.padding),
            **self._regularizer_config(),
            "init": self.init,
            "dtype": self.dtype.name,
            "seed": self.seed,
        }


class _Pool2D(Module):
    """A pooling window of kernel_size, moved by stride (the kernel size by default)."""

    function: Any

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None) -> None:
        super().__init__()
        self.kernel_size = _side_pair("kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else _side_pair("stride", stride)

    def forward(self, x: Any) -> Tensor:
        return type(self).function(x, self.kernel_size, self.stride)

    @property
    def input_shape(self) -> tuple[None, None, None]:
        return (None, None, None)

    def get_config(self) -> dict[str, Any]:
        return {"kernel_size": _as_config(self.kernel_size), "stride": _as_config(self.stride)}


class MaxPool2D(_Pool2D):
    """The maximum of each window: keeps the strongest response, halves the map at 2x2.
    Its gradient goes to each window's maximum only."""

    function = staticmethod(functional.max_pool2d)


class AvgPool2D(_Pool2D):
    """The mean of each window; its gradient is shared equally by the window."""

    function = staticmethod(functional.avg_pool2d)
