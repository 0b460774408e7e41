"""Composed ops: activations, losses, convolution and pooling built from primitives, with no backward code.

Their gradients come from the chain rule alone; tests compare them with the book's
hand-written derivatives (tests/analytic.py).
"""
from .activations import log_softmax, relu, sigmoid, softmax, tanh
from .convolution import avg_pool2d, conv2d, max_pool2d, pad
from .core import concatenate, linear, matmul, maximum, mean, minimum, stack, where
from .losses import (
    EPSILON, binary_cross_entropy, categorical_cross_entropy, cross_entropy, mae, mse,
)

__all__ = [
    "matmul", "linear", "mean", "maximum", "minimum", "where", "concatenate", "stack",
    "relu", "sigmoid", "tanh", "softmax", "log_softmax",
    "conv2d", "max_pool2d", "avg_pool2d", "pad",
    "categorical_cross_entropy", "cross_entropy", "binary_cross_entropy", "mse", "mae", "EPSILON",
]
