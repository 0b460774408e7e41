"""Pictures of a training run: loss and accuracy curves, and a labelled confusion matrix.

Figures are built with `matplotlib.figure.Figure` and saved through the Agg canvas, never
through `pyplot`: no global state, no GUI backend, so this works on a headless server and
inside tests, and leaves the caller's matplotlib settings alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def plot_history(
    history: Mapping[str, Sequence[float]], path: str | os.PathLike, note: str | None = None
) -> Path:
    """Save loss and accuracy per epoch, training next to validation, as one PNG.

    `history` is what `Model.train` returns: lists `loss` and `accuracy`, and `val_loss`,
    `val_accuracy` when validation data was given. Diverging curves (training improving,
    validation not) are the picture of over-fitting. Epochs are marked with dots only up
    to 30 epochs; longer runs are plain lines (2000 dots make a solid blob). `note` is
    printed under the plots, e.g. why validation loss may sit below training loss.
    """
    for key in ("loss", "accuracy"):
        if key not in history or len(history[key]) == 0:
            raise ValueError(f"history: expected a non-empty list under {key!r}, got keys {sorted(history)}")
    epochs = np.arange(1, len(history["loss"]) + 1)
    marker = "o" if len(epochs) <= 30 else None
    figure = Figure(figsize=(10, 4.4 if note else 4), layout="constrained")
    for axes, key in zip(figure.subplots(1, 2), ("loss", "accuracy"), strict=False):
        axes.plot(epochs, history[key], marker=marker, label="training")
        if history.get(f"val_{key}"):
            axes.plot(epochs, history[f"val_{key}"], marker=marker, label="validation")
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(key)
        axes.set_title(f"{key} per epoch")
        axes.grid(alpha=0.3)
        axes.legend()
    if note:
        figure.supxlabel(note, fontsize=8)
    return _save(figure, path)


def plot_confusion_matrix(
    matrix: np.ndarray, labels: Sequence[str], path: str | os.PathLike, title: str = "confusion matrix"
) -> Path:
    """Save a confusion matrix (rows: true class, columns: predicted) with class names and counts.

    Colours show each row's counts divided by the row total (the recall of that class on
    the diagonal), so classes of any size share one colour scale.
    """
    matrix = np.asarray(matrix)
    n_classes = len(labels)
    if matrix.shape != (n_classes, n_classes):
        raise ValueError(
            f"matrix: expected shape ({n_classes}, {n_classes}) to match {n_classes} labels, got {matrix.shape}"
        )
    row_totals = matrix.sum(axis=1, keepdims=True)
    fractions = np.divide(matrix, row_totals, out=np.zeros(matrix.shape), where=row_totals != 0)
    figure = Figure(figsize=(1.0 + 0.75 * n_classes, 0.6 + 0.7 * n_classes), layout="constrained")
    axes = figure.subplots()
    image = axes.imshow(fractions, cmap="Blues", vmin=0.0, vmax=1.0)
    figure.colorbar(image, ax=axes, label="fraction of the true class")
    ticks = np.arange(n_classes)
    axes.set_xticks(ticks, labels, rotation=45, ha="right")
    axes.set_yticks(ticks, labels)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    axes.set_title(title)
    for row in range(n_classes):
        for column in range(n_classes):
            colour = "white" if fractions[row, column] > 0.5 else "black"
            axes.text(column, row, str(matrix[row, column]), ha="center", va="center", color=colour, fontsize=8)
    return _save(figure, path)


def _save(figure: Figure, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    return path
