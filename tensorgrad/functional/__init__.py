"""Composed ops: activations, losses, reductions, movement, creation, convolution and
pooling built from primitives, with no backward code.

Their gradients come from the chain rule alone; tests compare them with the book's
hand-written derivatives (tests/analytic.py) and with finite differences.
"""
from .activations import (
    SELU_ALPHA, SELU_SCALE, elu, gelu, hardtanh, leaky_relu, log_softmax, logsigmoid, mish, relu, relu6,
    selu, sigmoid, silu, softmax, softmin, softplus, softsign, swish, tanh,
)
from .convolution import avg_pool2d, conv2d, max_pool2d, pad
from .core import concatenate, linear, matmul, maximum, mean, minimum, stack, where
from .creation import (
    arange, eye, full, full_like, linspace, one_hot, ones, ones_like, rand, randn, zeros, zeros_like,
)
from .elementwise import exp2, floor_divide, isfinite, isinf, isnan, log10, log2, logaddexp
from .losses import (
    EPSILON, binary_cross_entropy, binary_cross_entropy_with_logits, categorical_cross_entropy, cross_entropy,
    mae, mse, nll_loss,
)
from .movement import (
    broadcast_to, chunk, diagonal, expand, flatten, flip, gather, masked_fill, repeat, repeat_interleave, roll,
    scatter_add, split, squeeze, tile, tril, triu, unflatten, unsqueeze,
)
from .reductions import (
    all, any, argmax, argmin, argsort, logsumexp, normalize, prod, sort, std, topk, var,
)

__all__ = [
    "matmul", "linear", "mean", "maximum", "minimum", "where", "concatenate", "stack",
    "log2", "log10", "exp2", "logaddexp", "floor_divide", "isnan", "isinf", "isfinite",
    "relu", "sigmoid", "tanh", "softmax", "softmin", "log_softmax", "leaky_relu", "elu", "selu", "SELU_ALPHA",
    "SELU_SCALE", "gelu", "silu", "swish", "softplus", "logsigmoid", "softsign", "hardtanh", "relu6", "mish",
    "prod", "var", "std", "logsumexp", "normalize", "argmax", "argmin", "any", "all", "argsort", "sort", "topk",
    "squeeze", "unsqueeze", "expand", "broadcast_to", "flatten", "unflatten", "flip", "roll", "repeat",
    "repeat_interleave", "tile", "split", "chunk", "tril", "triu", "diagonal", "gather", "scatter_add",
    "masked_fill",
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "eye", "arange", "linspace", "rand", "randn",
    "one_hot",
    "categorical_cross_entropy", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "mse", "mae", "EPSILON",
    "conv2d", "max_pool2d", "avg_pool2d", "pad",
]
