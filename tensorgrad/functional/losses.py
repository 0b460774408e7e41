"""The book's losses composed from primitives (tests compare their gradients with the
book's hand-written derivatives in tests/analytic.py)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _raw
from .activations import log_softmax

EPSILON = 1e-7
"""The book clips probabilities to [1e-7, 1 - 1e-7] so that log never sees 0 or 1."""


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
    """Cross-entropy of softmax(logits), taken through log_softmax: -log_softmax(z)[y].

    The book's combined softmax + cross-entropy class, composed: the chain rule through
    LogSumExp gives the book's shortcut softmax(z) - onehot(y) (divided by n for the mean),
    exactly, where the clipped composed loss has a zero gradient for a tiny probability.
    Values are not clipped: a confident right answer gives a loss near 0, not 1e-7.
    """
    labels = _class_targets(logits, targets, "cross_entropy")
    log_probabilities = log_softmax(logits, axis=1)
    if labels.ndim == 1:
        picked = log_probabilities[np.arange(len(labels)), labels]
    else:
        picked = (log_probabilities * labels).sum(axis=1)
    return _reduce(-picked, reduction)


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
