"""Composed ops: activations and losses built from primitives, with no backward code.

Their gradients come from the chain rule alone; tests compare them with the book's
hand-written derivatives (tests/analytic.py).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import ops
from .fused import Linear, Relu, SoftmaxCrossEntropy
from .tensor import Tensor, _normalize_axis, _raw, as_tensor

EPSILON = 1e-7
"""The book clips probabilities to [1e-7, 1 - 1e-7] so that log never sees 0 or 1."""


# --------------------------------------------------------------------------- tensor helpers

def matmul(a: Any, b: Any) -> Tensor:
    """a @ b. A 1-D operand is treated as a row (left) or a column (right), as in NumPy."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must be at least 1-D, got shapes {a.shape} and {b.shape}")
    inner = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner:  # checked here so the message shows the user's shapes, not reshaped ones
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: the last dimension "
                         f"of the first ({a.shape[-1]}) must equal the contracted one of the second ({inner})")
    if a.ndim == 1 and b.ndim == 1:
        return matmul(a.reshape(1, -1), b.reshape(-1, 1)).reshape(())
    if a.ndim == 1:
        out = matmul(a.reshape(1, -1), b)
        return out.reshape(out.shape[:-2] + out.shape[-1:])
    if b.ndim == 1:
        return matmul(a, b.reshape(-1, 1)).reshape(a.shape[:-1])
    return ops.MatMul.apply(a, b)


def linear(x: Any, weights: Tensor, biases: Tensor) -> Tensor:
    """x @ weights + biases, as the fused primitive `fused.Linear` when x is 2-D (same values
    and gradients as `linear_composed`, tested); other shapes take the composed path."""
    x = as_tensor(x)
    if x.ndim == 2 and weights.ndim == 2 and biases.ndim in (1, 2):
        return Linear.apply(x, weights, biases)
    return linear_composed(x, weights, biases)


def linear_composed(x: Any, weights: Tensor, biases: Tensor) -> Tensor:
    """The dense layer's affine map from primitives: a matmul and a broadcast add."""
    return matmul(x, weights) + biases


def mean(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """sum / count: the gradient 1/count falls out of the chain rule."""
    axes = _normalize_axis(axis, x.ndim)
    count = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
    if count == 0:
        raise ValueError(f"mean: the tensor of shape {x.shape} has no elements along axis {axis}")
    return x.sum(axes, keepdims) * (1.0 / count)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max; at ties the gradient is shared equally."""
    return ops.Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min; at ties the gradient is shared equally."""
    return ops.Minimum.apply(a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """a where condition holds, else b. The condition is a constant (a bool array or Tensor)."""
    condition = np.asarray(_raw(condition))
    if condition.dtype != bool:
        raise TypeError(f"where: condition must have dtype bool, got {condition.dtype}")
    return ops.Where.apply(a, b, cond=condition)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    if len(tensors) == 0:
        raise ValueError("concatenate: needs at least one tensor")
    tensors = [as_tensor(t) for t in tensors]
    (axis,) = _normalize_axis(axis, tensors[0].ndim)
    return ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis: a reshape then a concatenate."""
    if len(tensors) == 0:
        raise ValueError("stack: needs at least one tensor")
    tensors = [as_tensor(t) for t in tensors]
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise ValueError(f"stack: all tensors need shape {shape}; tensor {i} has {t.shape}")
    (axis,) = _normalize_axis(axis, len(shape) + 1)
    expanded = shape[:axis] + (1,) + shape[axis:]
    return concatenate([t.reshape(expanded) for t in tensors], axis)


# --------------------------------------------------------------------------- activations

def relu(x: Tensor) -> Tensor:
    """max(0, x), as the fused primitive `fused.Relu`: same values and gradients as
    `relu_composed` (tested), in one NumPy pass instead of two."""
    return Relu.apply(x)


def relu_composed(x: Tensor) -> Tensor:
    """max(0, x) from primitives; its derivative is 1 for x > 0 and 0 otherwise (0 at x = 0,
    as in the book)."""
    return ops.Where.apply(x, 0, cond=x.data > 0)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), computed so that exp never overflows.

    With e = exp(-|x|) (always <= 1): sigmoid = 1/(1+e) for x >= 0 and e/(1+e) for x < 0.
    -|x| is written as a `where`, so the derivative at x = 0 is the true one, 1/4.
    """
    non_negative = x.data >= 0
    e = where(non_negative, -x, x).exp()
    denominator = 1 + e
    return where(non_negative, 1 / denominator, e / denominator)


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = 2 * sigmoid(2x) - 1, stable for the same reason as sigmoid."""
    return 2 * sigmoid(2 * x) - 1


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """e^x / sum(e^x), after subtracting the max (a constant) so exp never overflows.

    Softmax does not change when a constant is subtracted, so the shift needs no gradient.
    """
    shifted = x - np.max(x.data, axis=axis, keepdims=True)
    e = shifted.exp()
    return e / e.sum(axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - log(sum(e^x)), shifted by the max: finite even for inputs of +-1e4."""
    shifted = x - np.max(x.data, axis=axis, keepdims=True)
    return shifted - shifted.exp().sum(axis, keepdims=True).log()


# --------------------------------------------------------------------------- losses

def _reduce(sample_losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return sample_losses.mean()
    if reduction == "sum":
        return sample_losses.sum()
    if reduction == "none":
        return sample_losses
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _targets_like(predictions: Tensor, targets: Any, name: str) -> np.ndarray:
    """Float targets of the predictions' shape, in the predictions' dtype."""
    values = np.asarray(_raw(targets))
    if values.dtype.kind not in "fiub":
        raise TypeError(f"{name}: targets must be numeric, got dtype {values.dtype}")
    if values.shape != predictions.shape:
        raise ValueError(f"{name}: targets must have the predictions' shape {predictions.shape}, got {values.shape}")
    return values.astype(predictions.dtype, copy=False)


def _class_targets(predictions: Tensor, targets: Any, name: str) -> np.ndarray:
    """Checked integer labels (n,) in range, or one-hot rows of the predictions' shape."""
    if predictions.ndim != 2:
        raise ValueError(f"{name}: predictions must be 2-D (samples, classes), got shape {predictions.shape}")
    n, classes = predictions.shape
    labels = np.asarray(_raw(targets))
    if labels.ndim != 1:
        return _targets_like(predictions, labels, name)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name}: targets: class labels must be integers, got dtype {labels.dtype}")
    if labels.shape[0] != n:
        raise ValueError(f"{name}: targets: expected {n} labels, one per row of predictions, got {labels.shape[0]}")
    # one reduction: seen as unsigned, a negative label is huge, so max() catches both ends
    if n and labels.view(labels.dtype.str.replace("i", "u")).max() >= classes:
        raise ValueError(
            f"{name}: targets: labels must lie in [0, {classes - 1}], got values from {labels.min()} to {labels.max()}"
        )
    return labels


def categorical_cross_entropy(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """-log(p[true class]) per sample, with p clipped to [1e-7, 1 - 1e-7] as in the book.

    `targets` are integer class labels of shape (n,) or one-hot rows of shape (n, classes).
    """
    labels = _class_targets(predictions, targets, "categorical_cross_entropy")
    clipped = predictions.clip(EPSILON, 1 - EPSILON)
    if labels.ndim == 1:
        confidences = clipped[np.arange(len(labels)), labels]
    else:
        confidences = (clipped * labels).sum(axis=1)
    return _reduce(-confidences.log(), reduction)


def cross_entropy(logits: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """categorical_cross_entropy(softmax(logits), targets), fused into one primitive.

    Same values; the gradient is the book's shortcut softmax - onehot, which stays exact
    where the composed loss clips a tiny probability (see fused.SoftmaxCrossEntropy).
    """
    labels = _class_targets(logits, targets, "cross_entropy")
    if reduction == "mean":
        return SoftmaxCrossEntropy.apply(logits, targets=labels, mean=True)
    return _reduce(SoftmaxCrossEntropy.apply(logits, targets=labels), reduction)


def binary_cross_entropy(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), averaged over outputs per sample; p clipped as in the book."""
    y = _targets_like(predictions, targets, "binary_cross_entropy")
    clipped = predictions.clip(EPSILON, 1 - EPSILON)
    losses = -(y * clipped.log() + (1 - y) * (1 - clipped).log())
    return _reduce(losses.mean(axis=-1), reduction)


def mse(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error per sample: mean((y - p)^2) over the outputs."""
    y = _targets_like(predictions, targets, "mse")
    return _reduce(((y - predictions) ** 2).mean(axis=-1), reduction)


def mae(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error per sample: mean(|y - p|) over the outputs."""
    y = _targets_like(predictions, targets, "mae")
    return _reduce((y - predictions).abs().mean(axis=-1), reduction)
