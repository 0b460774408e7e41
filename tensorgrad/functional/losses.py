"""The book's losses composed from primitives (tests compare their gradients with the
book's hand-written derivatives in tests/analytic.py).

Each loss reduces its per-sample losses with reduction='mean' (the default), 'sum' or
'none'. An empty batch is accepted and gives what PyTorch gives: a mean of NaN (the mean
of nothing, silently), a sum of 0, and an empty tensor for 'none'. The losses that
average over a sample's outputs (binary_cross_entropy, binary_cross_entropy_with_logits,
mse, mae) give NaN for a sample with no outputs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import Tensor, _raw
from .activations import log_softmax, softplus
from .core import average, floating, where

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


def _class_targets(predictions: Tensor, targets: Any, name: str, ignore_index: int | None = None
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """Checked integer labels (n,) in range, or probability rows of the predictions' shape;
    and, with `ignore_index`, the mask of labels to keep (ignored ones are replaced by 0)."""
    if predictions.ndim != 2:
        raise ValueError(f"{name}: predictions must be 2-D (samples, classes), got shape {predictions.shape}")
    n, classes = predictions.shape
    if classes == 0:
        raise ValueError(f"{name}: predictions must have at least one class (column), got shape {predictions.shape}")
    labels = np.asarray(_raw(targets))
    if labels.ndim != 1:
        return _targets_like(predictions, labels, name), None
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name}: targets: class labels must be integers, got dtype {labels.dtype}")
    if labels.shape[0] != n:
        raise ValueError(f"{name}: targets: expected {n} labels, one per row of predictions, got {labels.shape[0]}")
    kept = None if ignore_index is None else labels != ignore_index
    checked = labels if kept is None else labels[kept]
    # one reduction: seen as unsigned, a negative label is huge, so max() catches both ends
    if checked.size and checked.view(checked.dtype.str.replace("i", "u")).max() >= classes:
        raise ValueError(
            f"{name}: targets: labels must lie in [0, {classes - 1}], "
            f"got values from {checked.min()} to {checked.max()}"
        )
    return (labels if kept is None else np.where(kept, labels, 0)), kept


def _reduce_kept(sample_losses: Tensor, kept: np.ndarray | None, reduction: str) -> Tensor:
    """As `_reduce`, over the kept samples only: ignored ones give 0 and do not count in
    the mean (as PyTorch's ignore_index; a mean over no sample is NaN)."""
    if kept is None:
        return _reduce(sample_losses, reduction)
    sample_losses = where(kept, sample_losses, 0)
    if reduction == "mean":
        return average(sample_losses.sum(), int(kept.sum()))
    return _reduce(sample_losses, reduction)


def categorical_cross_entropy(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """-log(p[true class]) per sample, with p clipped to [1e-7, 1 - 1e-7] as in the book.

    `targets` are integer class labels of shape (n,) or one-hot rows of shape (n, classes).

    `reduction` is 'mean', 'sum' or 'none'; an empty batch's mean is NaN, as in PyTorch (functional.losses).
    """
    labels, _ = _class_targets(predictions, targets, "categorical_cross_entropy")
    clipped = predictions.clip(EPSILON, 1 - EPSILON)
    confidences = clipped[np.arange(len(labels)), labels] if labels.ndim == 1 else (clipped * labels).sum(axis=1)
    return _reduce(-confidences.log(), reduction)


def nll_loss(log_probabilities: Tensor, targets: Any, reduction: str = "mean", ignore_index: int | None = None
             ) -> Tensor:
    """The negative log-likelihood -log_probabilities[i, y_i] per sample (the input is
    already a log-probability, e.g. from log_softmax). Samples labelled `ignore_index`
    give 0 and do not count in the mean.

    `reduction` is 'mean', 'sum' or 'none'; an empty batch's mean is NaN, as in PyTorch (functional.losses).
    """
    labels, kept = _class_targets(log_probabilities, targets, "nll_loss", ignore_index)
    if labels.ndim != 1:
        raise ValueError(f"nll_loss: targets must be class labels of shape (n,), got shape {labels.shape}")
    return _reduce_kept(-log_probabilities[np.arange(len(labels)), labels], kept, reduction)


def cross_entropy(logits: Tensor, targets: Any, reduction: str = "mean", label_smoothing: float = 0.0,
                  ignore_index: int | None = None) -> Tensor:
    """Cross-entropy of softmax(logits), from the logits: -sum_c q_c log_softmax(z)_c, which for
    a label y is logsumexp(z) - z_y.

    `targets` are class labels (n,) (q is one-hot) or rows of class probabilities (soft
    targets, e.g. one-hot rows). `label_smoothing` = e mixes q with the uniform
    distribution: (1 - e) q + e / classes (as PyTorch). Labels equal to `ignore_index`
    give 0 and do not count in the mean.

    The book's combined softmax + cross-entropy class, composed: the chain rule through
    LogSumExp (whose rule is softmax) gives the book's shortcut softmax(z) - onehot(y)
    (divided by n for the mean), exactly, where the clipped loss of probabilities has a zero
    gradient for a tiny probability. Values are not clipped: a confident right answer
    costs about 0, not 1e-7.

    `reduction` is 'mean', 'sum' or 'none'; an empty batch's mean is NaN, as in PyTorch (functional.losses).
    """
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must lie in [0, 1], got {label_smoothing}")
    logits = floating(logits)  # integer logits give float32 (the dtype rule), as logsumexp does
    labels, kept = _class_targets(logits, targets, "cross_entropy", ignore_index)
    if labels.ndim == 1 and not label_smoothing:  # the common case, four small nodes: mean(logsumexp(z) - z_y)
        log_sum = ops.LogSumExp.apply(logits, axis=(1,), keepdims=False)
        return _reduce_kept(log_sum - logits[np.arange(len(labels)), labels], kept, reduction)
    log_probabilities = log_softmax(logits, axis=1)
    if labels.ndim == 1:
        picked = log_probabilities[np.arange(len(labels)), labels]
    else:
        picked = (log_probabilities * labels).sum(axis=1)
    if label_smoothing:
        picked = picked * (1 - label_smoothing) + log_probabilities.mean(axis=1) * label_smoothing
    return _reduce_kept(-picked, kept, reduction)


def binary_cross_entropy(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), averaged over outputs per sample; p clipped as in the book.

    `reduction` is 'mean', 'sum' or 'none'; an empty batch's mean is NaN, as in PyTorch (functional.losses).
    """
    y = _targets_like(predictions, targets, "binary_cross_entropy")
    clipped = predictions.clip(EPSILON, 1 - EPSILON)
    losses = -(y * clipped.log() + (1 - y) * (1 - clipped).log())
    return _reduce(losses.mean(axis=-1), reduction)


def binary_cross_entropy_with_logits(logits: Tensor, targets: Any, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """binary_cross_entropy(sigmoid(z), y) without forming sigmoid, so never clipped:
    -(w y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))) = w y softplus(-z) + (1 - y) softplus(z),
    with w = pos_weight (per output, broadcast; 1 when None) weighing the positives.
    Averaged over outputs per sample, as binary_cross_entropy.

    `reduction` is 'mean', 'sum' or 'none'; an empty batch's mean is NaN, as in PyTorch (functional.losses).
    """
    y = _targets_like(logits, targets, "binary_cross_entropy_with_logits")
    positive = y if pos_weight is None else y * np.asarray(_raw(pos_weight), dtype=logits.dtype)
    losses = positive * softplus(-logits) + (1 - y) * softplus(logits)
    return _reduce(losses.mean(axis=-1), reduction)


def mse(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error per sample: mean((y - p)^2) over the outputs.

    `reduction` is 'mean', 'sum' or 'none'; an empty batch's mean is NaN, as in PyTorch (functional.losses).
    """
    y = _targets_like(predictions, targets, "mse")
    return _reduce(((y - predictions) ** 2).mean(axis=-1), reduction)


def mae(predictions: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error per sample: mean(|y - p|) over the outputs.

    `reduction` is 'mean', 'sum' or 'none'; an empty batch's mean is NaN, as in PyTorch (functional.losses).
    """
    y = _targets_like(predictions, targets, "mae")
    return _reduce((y - predictions).abs().mean(axis=-1), reduction)
