"""Accuracy as the book measures it, plus a confusion matrix and a per-class report.

An `Accuracy` compares predictions (what the output activation's `predictions()` returns)
with targets. Besides the per-batch figure it accumulates the count of correct
comparisons over a pass, so an epoch's accuracy is  sum(correct) / sum(compared),
not a mean of batch means (which would over-weight a short last batch).
"""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from .checks import check_integer, check_number


def _as_numeric(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name}: expected a numeric array, got dtype {array.dtype}")
    return array


class Accuracy:
    """Base class: subclasses define `compare`; this class does the averaging and accumulating."""

    def __init__(self) -> None:
        self.accumulated_sum = 0
        self.accumulated_count = 0

    def init(self, y: np.ndarray, reinit: bool = False) -> None:
        """Prepare for a training run on targets `y` (nothing to do unless a subclass needs it)."""

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        """A bool array: True where a prediction counts as correct."""
        raise NotImplementedError

    def calculate(self, predictions: np.ndarray, y: np.ndarray) -> float:
        """The fraction correct in this batch; also adds the batch to the running totals."""
        comparisons = self.compare(predictions, y)
        correct = int(np.count_nonzero(comparisons))
        self.accumulated_sum += correct
        self.accumulated_count += comparisons.size
        return correct / comparisons.size if comparisons.size else 0.0

    def new_pass(self) -> None:
        """Start a new epoch (or evaluation): forget the running totals."""
        self.accumulated_sum = 0
        self.accumulated_count = 0

    def calculate_accumulated(self) -> float:
        """sum(correct) / sum(compared) since the last `new_pass`."""
        if self.accumulated_count == 0:
            raise RuntimeError("calculate_accumulated: no predictions were compared since new_pass()")
        return self.accumulated_sum / self.accumulated_count

    def get_config(self) -> dict:
        """Constructor arguments, JSON-able: `type(a)(**a.get_config())` rebuilds it."""
        return {}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


def _same_shape(predictions: np.ndarray, y: np.ndarray) -> None:
    """Elementwise comparison must not broadcast: (n, 1) against (n,) would compare n*n pairs."""
    if predictions.shape != y.shape:
        raise ValueError(
            f"y: expected targets of the predictions' shape {predictions.shape}, got {y.shape}"
        )


class CategoricalAccuracy(Accuracy):
    """Correct when the predicted class equals the target class.

    `y` may hold integer labels (n,) or one-hot rows (n, classes) (then argmax is taken).
    With `binary=True` (sigmoid outputs of shape (n, outputs)), every output is compared
    elementwise with its 0/1 target and `y` keeps its shape.
    """

    def __init__(self, binary: bool = False) -> None:
        super().__init__()
        if not isinstance(binary, (bool, np.bool_)):
            raise TypeError(f"binary: expected a bool, got {binary!r}")
        self.binary = bool(binary)

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        predictions = _as_numeric(predictions, "predictions")
        y = _as_numeric(y, "y")
        if not self.binary and y.ndim == 2:
            y = np.argmax(y, axis=1)
        _same_shape(predictions, y)
        return predictions == y

    def get_config(self) -> dict:
        return {"binary": self.binary}


class RegressionAccuracy(Accuracy):
    """Correct when |prediction - y| < precision.

    The book's precision is std(y) / 250, computed by `init` from the training targets,
    once per `Model.train` call (which passes reinit=True). A `precision` given to the
    constructor is used as is, always.
    """

    def __init__(self, precision: float | None = None) -> None:
        super().__init__()
        self.given_precision = None if precision is None else check_number("precision", precision, above=0)
        self.precision = self.given_precision

    def init(self, y: np.ndarray, reinit: bool = False) -> None:
        if self.given_precision is None and (self.precision is None or reinit):
            y = _as_numeric(y, "y")
            if y.size == 0:
                raise ValueError("y: cannot compute the precision std(y) / 250 of an empty array")
            self.precision = float(np.std(y)) / 250

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.precision is None:
            raise RuntimeError("RegressionAccuracy: call init(y) first (Model.train does) or pass precision=")
        predictions = _as_numeric(predictions, "predictions")
        y = _as_numeric(y, "y")
        _same_shape(predictions, y)
        return np.absolute(predictions - y) < self.precision

    def get_config(self) -> dict:
        return {"precision": self.given_precision}


# --------------------------------------------------------------------------- per-class figures

def _labels(values: Any, name: str, n: int | None = None) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(
            f"{name}: expected a 1-D array of integer class labels, got dtype {array.dtype} and shape {array.shape}"
        )
    if n is not None and len(array) != n:
        raise ValueError(f"{name}: expected {n} labels to match y_true, got {len(array)}")
    return array


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """counts[i, j] = number of samples of true class i predicted as class j.

    Rows are true classes, columns predicted ones; the diagonal holds the correct ones.
    Computed with one bincount over the pair index  i * n_classes + j.
    """
    check_integer("n_classes", n_classes)
    y_true = _labels(y_true, "y_true")
    y_pred = _labels(y_pred, "y_pred", len(y_true))
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ValueError(
                f"{name}: labels must lie in [0, {n_classes - 1}], got values from {values.min()} to {values.max()}"
            )
    pairs = y_true.astype(np.int64) * n_classes + y_pred
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (a class never predicted or never present)."""
    out = np.zeros(numerator.shape, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def classification_report(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int, labels: Sequence[str] | None = None
) -> dict:
    """Per-class precision, recall, F1 and support, plus accuracy and macro averages.

    precision_c = TP / (TP + FP) (of the samples predicted c, the fraction truly c),
    recall_c = TP / (TP + FN) (of the samples truly c, the fraction found),
    F1_c = 2 precision recall / (precision + recall); a ratio with a zero denominator is 0.
    The macro average is the unweighted mean over classes, so rare classes count fully.

    Returns {"classes": {label: {"precision", "recall", "f1", "support"}}, "accuracy": float,
    "macro_avg": {"precision", "recall", "f1", "support"}}; labels default to "0", "1", ...
    """
    counts = confusion_matrix(y_true, y_pred, n_classes)
    if labels is None:
        labels = [str(i) for i in range(n_classes)]
    elif len(labels) != n_classes or len(set(map(str, labels))) != n_classes:
        raise ValueError(f"labels: expected {n_classes} distinct names, got {list(labels)!r}")
    true_positives = np.diag(counts)
    support = counts.sum(axis=1)
    precision = _ratio(true_positives, counts.sum(axis=0))
    recall = _ratio(true_positives, support)
    f1 = _ratio(2 * precision * recall, precision + recall)
    total = int(support.sum())
    return {
        "classes": {
            str(label): {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "accuracy": float(true_positives.sum() / total) if total else 0.0,
        "macro_avg": {
            "precision": float(precision.mean()),
            "recall": float(recall.mean()),
            "f1": float(f1.mean()),
            "support": total,
        },
    }


def format_report(report: dict) -> str:
    """The report as a printed table: one row per class, then accuracy and the macro average."""
    width = max(len("macro avg"), *(len(name) for name in report["classes"]))

    def row(name: str, cells: Sequence[str]) -> str:
        return f"{name:>{width}}  " + " ".join(f"{cell:>10}" for cell in cells)

    def figures(values: dict) -> list[str]:
        return [f"{values[key]:.4f}" for key in ("precision", "recall", "f1")] + [str(values["support"])]

    lines = [row("", ["precision", "recall", "f1", "support"])]
    lines += [row(name, figures(values)) for name, values in report["classes"].items()]
    lines.append("")
    lines.append(row("accuracy", ["", "", f"{report['accuracy']:.4f}", str(report["macro_avg"]["support"])]))
    lines.append(row("macro avg", figures(report["macro_avg"])))
    return "\n".join(lines)
