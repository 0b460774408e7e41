"""The training loop behind `Model.train(X, y, ...)` and its progress reporting.

One training step is

    outputs, data_loss = model.data_loss(X_batch, y_batch)   (training mode: Dropout active)
    total = data_loss + model.regularization_loss()
    total.backward();  optimizer.step()

and the data loss and the regularization loss are reported separately. The epoch figures
are accumulated from the batches already computed (no second forward pass for metrics).
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from tqdm import tqdm

import tensorgrad

from .checks import check_choice, check_integer
from .data import batch_count, batches

HISTORY_KEYS = ("loss", "data_loss", "regularization_loss", "accuracy", "learning_rate")
VALIDATION_KEYS = ("val_loss", "val_accuracy")


def train(model: Any, X: Any, y: Any, *, epochs: int = 1, batch_size: int | None = None,
          print_every: int | None = 1, validation_data: tuple[Any, Any] | None = None,
          shuffle: bool = True, verbose: bool = True, on_nan: str = "raise") -> dict[str, list[float]]:
    """Train a finalized `model` as `Model.train` documents; return the history."""
    model.check_ready("train", "loss", "optimizer", "accuracy")
    if not model.finalized:
        raise RuntimeError("train: call model.finalize() after add(...) and set(...), before training")
    check_choice("on_nan", on_nan, ("raise", "warn"))
    epochs = check_integer("epochs", epochs)
    print_every = check_integer("print_every", print_every, allow_none=True)
    X, y = model.check_data(X, y, "X", "y")
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data: expected a pair (X_val, y_val)")
        validation = model.check_data(*validation_data, "validation_data[0]", "validation_data[1]")
    steps = batch_count(len(X), batch_size)
    model.accuracy.init(y, reinit=True)
    keys = HISTORY_KEYS + (VALIDATION_KEYS if validation is not None else ())
    history: dict[str, list[float]] = {key: [] for key in keys}
    progress = _Progress(model, epochs, steps, print_every, verbose)
    previous_mode = model.training
    model.train_mode(True)  # validation switches to evaluation and back
    try:
        for epoch in range(1, epochs + 1):
            progress.start_epoch(epoch)
            order = batches(X, y, batch_size, shuffle and steps > 1, model.rng)  # one batch: any order is the same
            data_loss = _run_epoch(model, order, progress, on_nan)
            if data_loss is None:
                return history
            _record_epoch(model, history, data_loss, validation, batch_size)
            model.epochs_trained += 1
            progress.end_epoch(history)
    finally:
        progress.close()
        model.train_mode(previous_mode)
    return history


def _run_epoch(model: Any, order: Any, progress: _Progress, on_nan: str) -> float | None:
    """One pass over the batches; the epoch's mean data loss, or None after a NaN/inf loss
    with on_nan="warn" (with "raise" a FloatingPointError names the epoch and step)."""
    model.accuracy.new_pass()
    data_loss_sum = 0.0
    seen = 0
    for step, (X_batch, y_batch) in enumerate(order, 1):
        figures = _train_step(model, X_batch, y_batch)
        if figures is None:
            message = (f"train: the loss became NaN or inf at epoch {progress.epoch}, step {step}/{progress.steps}; "
                       f"the weights from before this step are kept. Try a lower learning rate "
                       f"(the current one is {model.optimizer.current_learning_rate:g}).")
            if on_nan == "raise":
                raise FloatingPointError(message)
            warnings.warn(message, RuntimeWarning, stacklevel=4)
            return None
        data_loss, regularization_loss, accuracy = figures
        data_loss_sum += data_loss * len(X_batch)
        seen += len(X_batch)
        progress.step_done(step, data_loss, regularization_loss, accuracy, data_loss_sum / seen)
    return data_loss_sum / seen


def _train_step(model: Any, X_batch: np.ndarray, y_batch: np.ndarray) -> tuple[float, float, float] | None:
    """One forward/backward/update; returns the batch's data loss, penalty and accuracy,
    or None, without updating, when the loss is NaN or inf."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # reported below, once
        outputs, data_loss = model.data_loss(X_batch, y_batch)
        penalty = model.regularization_loss() if model.has_penalty else None
        total = data_loss if penalty is None else data_loss + penalty
    data_value = data_loss.item()
    penalty_value = 0.0 if penalty is None else penalty.item()
    if not math.isfinite(data_value + penalty_value):
        return None
    model.optimizer.zero_grad()
    total.backward()
    model.optimizer.step()
    accuracy = model.accuracy.calculate(model.predictions_from(outputs), y_batch)
    return data_value, penalty_value, accuracy


def _record_epoch(model: Any, history: dict, data_loss: float, validation: Any, batch_size: int | None) -> None:
    with tensorgrad.no_grad():
        regularization_loss = model.regularization_loss().item()
    history["data_loss"].append(data_loss)
    history["regularization_loss"].append(regularization_loss)
    history["loss"].append(data_loss + regularization_loss)
    history["accuracy"].append(model.accuracy.calculate_accumulated())
    history["learning_rate"].append(model.optimizer.current_learning_rate)
    if validation is not None:
        val_loss, val_accuracy = model.evaluate_checked(*validation, batch_size)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)


class _Progress:
    """What `verbose` shows: a tqdm bar with the running data loss and accuracy, the book's
    step lines every `print_every` steps (counted over the whole run) and after the last,
    and the epoch's lines after an epoch that had such a step (after every epoch when
    `print_every` is None). One bar, reset at each epoch when an epoch has several steps;
    with one step per epoch (full batch) it counts epochs instead, so long full-batch
    runs stay cheap."""

    def __init__(self, model: Any, epochs: int, steps: int, print_every: int | None, verbose: bool) -> None:
        self.model = model
        self.epochs = epochs
        self.steps = steps
        self.print_every = print_every
        self.verbose = verbose
        self.epoch = 0
        self.global_step = 0
        self.epoch_due = False
        self.bar = tqdm(total=steps if steps > 1 else epochs, disable=not verbose,
                        unit="step" if steps > 1 else "epoch", desc=f"epoch 1/{epochs}" if steps > 1 else "train",
                        leave=False, dynamic_ncols=True)

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.epoch_due = self.print_every is None
        if self.steps > 1:
            self.bar.reset()
            self.bar.set_description(f"epoch {epoch}/{self.epochs}", refresh=False)

    def step_done(self, step: int, data_loss: float, regularization_loss: float, accuracy: float,
                  running_loss: float) -> None:
        self.global_step += 1
        if not self.verbose:
            return
        due = self.print_every is not None and (
            self.global_step % self.print_every == 0 or self.global_step == self.epochs * self.steps)
        self.epoch_due = self.epoch_due or due
        if due and self.steps > 1:
            self.bar.write(f"epoch: {self.epoch}, step: {step}/{self.steps}, " + _figures(
                accuracy, data_loss, regularization_loss, self.model.optimizer.current_learning_rate))
        self.bar.set_postfix(loss=f"{running_loss:.3f}", acc=f"{self.model.accuracy.calculate_accumulated():.3f}",
                             refresh=False)
        if self.steps > 1:
            self.bar.update(1)

    def end_epoch(self, history: dict) -> None:
        if self.steps == 1:
            self.bar.update(1)
        if self.verbose and self.epoch_due:
            tqdm.write(_epoch_summary(self.epoch, history))

    def close(self) -> None:
        self.bar.close()


def _epoch_summary(epoch: int, history: dict) -> str:
    line = f"epoch: {epoch}, " + _figures(
        history["accuracy"][-1], history["data_loss"][-1], history["regularization_loss"][-1],
        history["learning_rate"][-1])
    if "val_loss" in history:
        line += f"\nvalidation, acc: {history['val_accuracy'][-1]:.3f}, loss: {history['val_loss'][-1]:.4g}"
    return line


def _figures(accuracy: float, data_loss: float, regularization_loss: float, learning_rate: float) -> str:
    """The book's progress figures."""
    return (f"acc: {accuracy:.3f}, loss: {data_loss + regularization_loss:.4g} (data_loss: {data_loss:.4g}, "
            f"reg_loss: {regularization_loss:.4g}), lr: {learning_rate:.6g}")
