"""Model: the book's training object (add, set, finalize, train, evaluate, predict, save).

A Model is a Module holding its layers in order, so `model(x)` is a plain expression,
`model.parameters()` and `state_dict()` work as for any module, and any Module can be a
layer. One training step is

    outputs = forward(X_batch)                       (training mode: Dropout active)
    total = data_loss(outputs, y_batch) + regularization_loss(layers)
    total.backward();  optimizer.step()

and the data loss and the regularization loss are reported separately. The epoch figures
are accumulated from the batches already computed (no second forward pass for metrics).
When the last layer is Softmax and the loss categorical cross-entropy, the loss is taken
from the logits with tensorgrad's fused softmax + cross-entropy op, as the book's
`Activation_Softmax_Loss_CategoricalCrossentropy` does: same values, a cheaper and exact
gradient (softmax - onehot).
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np
from tqdm import tqdm

import tensorgrad
from tensorgrad import Tensor, functional

from . import serialization
from .activations import Softmax
from .data import batch_count, batches
from .layers import Dense
from .losses import CategoricalCrossEntropy, Loss
from .metrics import Accuracy
from .module import Module
from .optimizers import Optimizer

HISTORY_KEYS = ("loss", "data_loss", "regularization_loss", "accuracy", "learning_rate")
VALIDATION_KEYS = ("val_loss", "val_accuracy")


class Model(Module):
    """A stack of modules trained as in the book.

    `Model(seed=None)`: `self.rng = np.random.default_rng(seed)` shuffles the training
    set (one permutation per epoch), so a seeded model with seeded layers trains the
    same way every run.
    """

    def __init__(self, seed: int | None = None) -> None:
        super().__init__()
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"seed: expected an int or None, got {seed!r}")
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.epochs_trained = 0  # over all train calls; a checkpoint keeps it
        self.layers: list[Module] = []
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self.accuracy: Accuracy | None = None
        self._prediction_rule: Callable[[np.ndarray], np.ndarray] | None = None
        self._finalized = False
        self._fused_softmax_loss = False
        self._regularized: list[Module] = []

    # ------------------------------------------------------------------ building
    def add(self, module: Module) -> "Model":
        """Append a layer (any Module); its parameters are registered as "<index>.<name>"."""
        if not isinstance(module, Module):
            raise TypeError(f"module: expected a Module (a layer or activation), got {type(module).__name__}")
        self.add_module(str(len(self.layers)), module)
        self.layers.append(module)
        self._finalized = False
        return self

    def set(self, *, loss: Loss | None = None, optimizer: Optimizer | None = None,
            accuracy: Accuracy | None = None) -> "Model":
        """Choose the loss, optimizer and accuracy; an argument left as None keeps the current one."""
        for name, value, kind in (("loss", loss, Loss), ("optimizer", optimizer, Optimizer),
                                  ("accuracy", accuracy, Accuracy)):
            if value is not None and not isinstance(value, kind):
                raise TypeError(f"{name}: expected an nn.{kind.__name__}, got {type(value).__name__}")
        if loss is not None:
            self.loss = loss
        if optimizer is not None:
            self.optimizer = optimizer
        if accuracy is not None:
            self.accuracy = accuracy
        self._finalized = False
        return self

    def finalize(self) -> "Model":
        """Hand the parameters to the optimizer and remember what predictions come from.

        Call it after `add` and `set`, before `train` (as in the book). Predictions come
        from the output activation's rule (Softmax -> class index, Sigmoid -> 0/1,
        Linear -> value), or are the raw outputs when the last layer has none.
        """
        if not self.layers:
            raise ValueError("finalize: the model has no layers; add some with model.add(...)")
        missing = [name for name in ("loss", "optimizer") if getattr(self, name) is None]
        if missing:
            raise ValueError(f"finalize: expected a loss and an optimizer, got no {' and no '.join(missing)}; "
                             f"call model.set({missing[0]}=...) first")
        self._prepare_outputs()
        parameters = self.parameters()
        # a re-finalize (after set(accuracy=...), say) keeps the optimizer's running state
        if list(map(id, self.optimizer.params)) != list(map(id, parameters)):
            self.optimizer.set_parameters(parameters)
        self._finalized = True
        return self

    def _prepare_outputs(self) -> None:
        """What predictions are read from, whether the loss can be fused with the softmax,
        and which layers carry a penalty."""
        activation = self.output_activation
        self._prediction_rule = None if activation is None else activation.predictions
        self._fused_softmax_loss = type(activation) is Softmax and type(self.loss) is CategoricalCrossEntropy
        self._regularized = [m for m in self.modules() if callable(getattr(m, "penalties", None)) and m.penalties()]

    @property
    def output_activation(self) -> Module | None:
        """The last layer when it has a `predictions` rule (Softmax, Sigmoid, Linear, ...), else None."""
        last = self.layers[-1] if self.layers else None
        return last if callable(getattr(last, "predictions", None)) else None

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def get_config(self) -> dict[str, Any]:
        """The constructor argument; the layers are saved separately (see `save`)."""
        return {"seed": self.seed}

    # ------------------------------------------------------------------ training
    def train(self, X: np.ndarray, y: np.ndarray, *, epochs: int = 1, batch_size: int | None = None,
              print_every: int | None = 1, validation_data: tuple[np.ndarray, np.ndarray] | None = None,
              shuffle: bool = True, verbose: bool = True, on_nan: str = "raise") -> dict[str, list[float]]:
        """Train for `epochs` passes over (X, y) in ceil(n / batch_size) steps each.

        (This `train` trains; switch modes with `Module.train(model, mode)` / `model.eval()`.)
        X is converted once to the parameters' dtype (e.g. float64 or int -> float32).
        The order is shuffled once per epoch when there is more than one batch (a single
        full batch gives the same gradient in any order).

        Returns the history: per epoch, `loss` = data_loss + regularization_loss (the
        data loss averaged over the epoch's batches, the penalty at the epoch's end),
        `accuracy` (accumulated over the epoch), `learning_rate` (the last step's), and
        `val_loss`, `val_accuracy` when `validation_data=(X_val, y_val)` is given (it
        is evaluated after every epoch, in batches of `batch_size`).

        With `verbose`, a tqdm bar per epoch shows its running data loss and accuracy, and lines are
        printed every `print_every` steps (counted over the whole run) and after the last
        (`print_every=None`: only the epoch lines, after every epoch):
        "epoch: E, step: s/S, acc, loss (data_loss, reg_loss), lr" for mini-batches, and
        at the end of an epoch that had such a step, the epoch's figures (the book's
        "epoch: E, acc ..." line; with one batch per epoch this is the only line) and
        "validation, acc ..., loss ...". `verbose=False` prints nothing.

        Divergence: the loss of every step is checked before the update. When it is NaN or
        inf, training stops, keeping the weights from before that step, with a
        FloatingPointError naming the epoch and step (`on_nan="raise"`), or with a
        RuntimeWarning and the history of the finished epochs (`on_nan="warn"`).
        """
        self._require("train", "loss", "optimizer", "accuracy")
        if not self._finalized:
            raise RuntimeError("train: call model.finalize() after add(...) and set(...), before training")
        if on_nan not in ("raise", "warn"):
            raise ValueError(f"on_nan: expected 'raise' or 'warn', got {on_nan!r}")
        epochs = _positive_int("epochs", epochs)
        if print_every is not None:
            print_every = _positive_int("print_every", print_every)
        X, y = self._check_data(X, y, "X", "y")
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("validation_data: expected a pair (X_val, y_val)")
            validation = self._check_data(*validation_data, "validation_data[0]", "validation_data[1]")
        steps = batch_count(len(X), batch_size)
        shuffle = shuffle and steps > 1
        self.accuracy.init(y, reinit=True)
        history: dict[str, list[float]] = {key: [] for key in HISTORY_KEYS}
        if validation is not None:
            history.update({key: [] for key in VALIDATION_KEYS})
        total_steps = epochs * steps
        global_step = 0
        previous_mode = self.training
        Module.train(self, True)  # validation switches to evaluation and back
        # One bar, reset at each epoch when an epoch has several steps; with one step per
        # epoch (full batch) it counts epochs instead, so long full-batch runs stay cheap.
        bar = tqdm(total=steps if steps > 1 else epochs, disable=not verbose, unit="step" if steps > 1 else "epoch",
                   desc=f"epoch 1/{epochs}" if steps > 1 else "train", leave=False, dynamic_ncols=True)
        try:
            for epoch in range(1, epochs + 1):
                self.accuracy.new_pass()
                data_loss_sum = 0.0
                seen = 0
                epoch_due = print_every is None
                if steps > 1:
                    bar.reset()
                    bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
                for step, (X_batch, y_batch) in enumerate(batches(X, y, batch_size, shuffle, self.rng), 1):
                    figures = self._train_step(X_batch, y_batch)
                    if figures is None:
                        message = (f"train: the loss became NaN or inf at epoch {epoch}, step {step}/{steps}; "
                                   f"the weights from before this step are kept. Try a lower learning rate "
                                   f"(the current one is {self.optimizer.current_learning_rate:g}).")
                        if on_nan == "raise":
                            raise FloatingPointError(message)
                        warnings.warn(message, RuntimeWarning, stacklevel=2)
                        return history
                    data_loss, regularization_loss, accuracy = figures
                    data_loss_sum += data_loss * len(X_batch)
                    seen += len(X_batch)
                    global_step += 1
                    if not verbose:
                        continue
                    due = print_every is not None and (global_step % print_every == 0 or global_step == total_steps)
                    epoch_due = epoch_due or due
                    if due and steps > 1:
                        bar.write(f"epoch: {epoch}, step: {step}/{steps}, " + _figures(
                            accuracy, data_loss, regularization_loss, self.optimizer.current_learning_rate))
                    bar.set_postfix(loss=f"{data_loss_sum / seen:.3f}",
                                    acc=f"{self.accuracy.calculate_accumulated():.3f}", refresh=False)
                    if steps > 1:
                        bar.update(1)
                if steps == 1:
                    bar.update(1)
                self._record_epoch(history, data_loss_sum / seen, validation, batch_size)
                self.epochs_trained += 1
                if verbose and epoch_due:
                    tqdm.write(self._epoch_summary(epoch, history))
        finally:
            bar.close()
            Module.train(self, previous_mode)
        return history

    def _train_step(self, X_batch: np.ndarray, y_batch: np.ndarray) -> tuple[float, float, float] | None:
        """One forward/backward/update; returns the batch's data loss, penalty and accuracy,
        or None, without updating, when the loss is NaN or inf."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # reported below, once
            outputs, data_loss = self._forward_loss(X_batch, y_batch)
            regularization_loss = self.loss.regularization_loss(self._regularized)
            total = data_loss + regularization_loss if regularization_loss.requires_grad else data_loss
        if not np.isfinite(total.item()):
            return None
        self.optimizer.zero_grad()
        total.backward()
        self.optimizer.step()
        accuracy = self.accuracy.calculate(self._predictions(outputs), y_batch)
        return data_loss.item(), regularization_loss.item(), accuracy

    def _record_epoch(self, history: dict, data_loss: float, validation: Any, batch_size: int | None) -> None:
        with tensorgrad.no_grad():
            regularization_loss = self.loss.regularization_loss(self._regularized).item()
        history["data_loss"].append(data_loss)
        history["regularization_loss"].append(regularization_loss)
        history["loss"].append(data_loss + regularization_loss)
        history["accuracy"].append(self.accuracy.calculate_accumulated())
        history["learning_rate"].append(self.optimizer.current_learning_rate)
        if validation is not None:
            val_loss, val_accuracy = self._evaluate_checked(*validation, batch_size)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_accuracy)

    @staticmethod
    def _epoch_summary(epoch: int, history: dict) -> str:
        line = f"epoch: {epoch}, " + _figures(
            history["accuracy"][-1], history["data_loss"][-1], history["regularization_loss"][-1],
            history["learning_rate"][-1])
        if "val_loss" in history:
            line += f"\nvalidation, acc: {history['val_accuracy'][-1]:.3f}, loss: {history['val_loss'][-1]:.4g}"
        return line

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, X: np.ndarray, y: np.ndarray, *, batch_size: int | None = None) -> tuple[float, float]:
        """(data loss, accuracy) over (X, y) in evaluation mode, recording no graph.

        The loss is the data loss averaged over samples (no regularization penalty), as
        the book's validation figures.
        """
        self._require("evaluate", "loss", "accuracy")
        X, y = self._check_data(X, y, "X", "y")
        batch_count(len(X), batch_size)
        if not self._finalized:
            self._prepare_outputs()
        self.accuracy.init(y)
        return self._evaluate_checked(X, y, batch_size)

    def _evaluate_checked(self, X: np.ndarray, y: np.ndarray, batch_size: int | None) -> tuple[float, float]:
        self.accuracy.new_pass()
        loss_sum = 0.0
        with self._evaluation():
            for X_batch, y_batch in batches(X, y, batch_size):
                outputs, data_loss = self._forward_loss(X_batch, y_batch)
                loss_sum += data_loss.item() * len(X_batch)
                self.accuracy.calculate(self._predictions(outputs), y_batch)
        return loss_sum / len(X), self.accuracy.calculate_accumulated()

    def predict(self, X: np.ndarray, *, batch_size: int | None = None) -> np.ndarray:
        """The model's outputs (e.g. class probabilities) for X, in evaluation mode, no graph."""
        if not self.layers:
            raise ValueError("predict: the model has no layers; add some with model.add(...)")
        X = self._check_inputs(X, "X")
        batch_count(len(X), batch_size)
        with self._evaluation():
            outputs = [_values(self.forward(X_batch)) for X_batch, _ in batches(X, None, batch_size)]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def _forward_loss(self, X_batch: np.ndarray, y_batch: np.ndarray) -> tuple[Tensor, Tensor]:
        """(what predictions are read from, mean data loss). With the fused loss the first
        is the logits: their argmax is the argmax of the softmax probabilities."""
        if self._fused_softmax_loss:
            logits = X_batch
            for layer in self.layers[:-1]:
                logits = layer(logits)
            return logits, functional.cross_entropy(logits, y_batch)
        outputs = self.forward(X_batch)
        return outputs, self.loss(outputs, y_batch)

    def _predictions(self, outputs: Any) -> np.ndarray:
        values = _values(outputs)
        return values if self._prediction_rule is None else self._prediction_rule(values)

    @contextmanager
    def _evaluation(self) -> Iterator[None]:
        """Evaluation mode (Dropout off) and no graph inside; the previous mode after."""
        previous = self.training
        Module.train(self, False)
        try:
            with tensorgrad.no_grad():
                yield
        finally:
            Module.train(self, previous)

    # ------------------------------------------------------------------ checks
    def _require(self, action: str, *names: str) -> None:
        missing = [name for name in names if getattr(self, name) is None]
        if missing:
            raise RuntimeError(f"{action}: set the model's {', '.join(missing)} first: model.set({missing[0]}=...)")
        if not self.layers:
            raise ValueError(f"{action}: the model has no layers; add some with model.add(...)")

    def _check_inputs(self, X: Any, name: str) -> np.ndarray:
        """X as a 2-D-compatible array in the parameters' dtype, or a clear error."""
        X = _values(X)
        if X.dtype.kind not in "fiu":
            raise TypeError(f"{name}: expected a float or integer array, got dtype {X.dtype}")
        if X.ndim == 0 or len(X) == 0:
            raise ValueError(f"{name}: expected at least one sample, got an array of shape {X.shape}")
        if X.dtype.kind == "f" and not _all_finite(X):
            raise ValueError(f"{name}: expected finite values, got NaN or inf")
        parameters = self.parameters()
        if parameters and X.dtype != parameters[0].dtype:
            try:
                with np.errstate(over="raise"):
                    X = X.astype(parameters[0].dtype)
            except FloatingPointError:
                raise ValueError(
                    f"{name}: expected values within the range of the parameters' dtype "
                    f"{parameters[0].dtype}, got a maximum magnitude of {np.abs(X).max():g}"
                ) from None
        first = next((m for m in self.modules() if callable(getattr(m, "check_input", None))), None)
        problem = None if first is None else first.check_input(X.shape)
        if problem is not None:  # the first layer that knows its input's shape (Dense, Conv2D, Flatten...)
            raise ValueError(f"{name}: {problem}, got {X.shape}")
        return X

    def _check_data(self, X: Any, y: Any, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_inputs(X, x_name)
        y = _values(y)
        if y.dtype.kind not in "fiub":
            raise TypeError(f"{y_name}: expected a numeric array of targets, got dtype {y.dtype}")
        if y.ndim == 0 or len(y) != len(X):
            raise ValueError(f"{y_name}: expected {len(X)} targets to match {x_name}, got shape {y.shape}")
        if y.dtype.kind == "f" and not _all_finite(y):
            raise ValueError(f"{y_name}: expected finite values, got NaN or inf")
        if isinstance(self.loss, CategoricalCrossEntropy):
            self._check_class_targets(y, y_name)
        return X, y

    def _check_class_targets(self, y: np.ndarray, name: str) -> None:
        """Class labels must index the outputs and one-hot rows be as wide as them, checked
        for the whole set before the first step (a bad label in a late batch would
        otherwise fail after some updates)."""
        output_layer = next((m for m in reversed(self.modules()) if isinstance(m, Dense)), None)
        if output_layer is None:
            return
        classes = output_layer.n_neurons
        if y.ndim == 1:
            if y.dtype.kind not in "iu":
                raise TypeError(f"{name}: expected integer class labels or one-hot rows, got dtype {y.dtype}")
            low, high = y.min(), y.max()
            if low < 0 or high >= classes:
                raise ValueError(f"{name}: expected class labels in [0, {classes - 1}] for the {classes} outputs, "
                                 f"got values from {low} to {high}")
        elif y.ndim != 2 or y.shape[1] != classes:
            raise ValueError(f"{name}: expected one-hot rows of width {classes} for the {classes} outputs, "
                             f"got shape {y.shape}")

    # ------------------------------------------------------------------ parameters
    def get_parameters(self) -> list[tuple[np.ndarray, ...]]:
        """Per layer with parameters, a tuple of copies of its arrays, e.g. (weights, biases)."""
        return [tuple(p.data.copy() for p in layer.parameters()) for layer in self.layers if layer.parameters()]

    def set_parameters(self, parameters: list[tuple[np.ndarray, ...]]) -> None:
        """Copy `get_parameters()`-shaped arrays in; refuses (changing nothing) on any mismatch."""
        layers = [layer for layer in self.layers if layer.parameters()]
        if len(parameters) != len(layers):
            raise ValueError(
                f"parameters: expected {len(layers)} entries (one per layer with parameters), got {len(parameters)}"
            )
        pairs = []
        for index, (layer, arrays) in enumerate(zip(layers, parameters)):
            targets = layer.parameters()
            if len(arrays) != len(targets):
                raise ValueError(f"parameters[{index}]: expected {len(targets)} arrays, got {len(arrays)}")
            for position, (target, array) in enumerate(zip(targets, arrays)):
                array = np.asarray(array)
                if array.shape != target.shape or array.dtype != target.dtype:
                    raise ValueError(
                        f"parameters[{index}][{position}]: expected shape {target.shape} and dtype "
                        f"{target.dtype}, got {array.shape} and {array.dtype}"
                    )
                pairs.append((target, array))
        for target, array in pairs:
            np.copyto(target.data, array)

    # ------------------------------------------------------------------ files
    # The format and every check on loading live in nn/serialization.py. Writes are
    # atomic; a bad file raises nn.ModelFileError and changes nothing.
    def save(self, path: str | os.PathLike) -> None:
        """Layers, loss, optimizer and accuracy settings, and parameters, in one model file."""
        serialization.save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Model":
        """Rebuild a model written by `save` (or `save_checkpoint`), finalized and ready to
        predict or train on; the whole file is checked before anything is built."""
        return serialization.load_model(cls, path)

    def save_checkpoint(self, path: str | os.PathLike) -> None:
        """What `save` writes plus what resuming needs: the optimizer's state, the number of
        epochs trained and the states of the random generators (shuffling and dropout), so
        that training a loaded checkpoint continues exactly as if it had never stopped."""
        serialization.save_model(self, path, checkpoint=True)

    @classmethod
    def load_checkpoint(cls, path: str | os.PathLike) -> "Model":
        """Rebuild a model written by `save_checkpoint`, with its training state."""
        return serialization.load_model(cls, path, checkpoint=True)

    def save_parameters(self, path: str | os.PathLike) -> None:
        """The parameters alone (`state_dict()`), by dotted name; works for any layers."""
        serialization.save_parameters(self, path)

    def load_parameters(self, path: str | os.PathLike) -> None:
        """Load `save_parameters` output: names, shapes and dtypes must all match; the
        parameters change only once the whole file has been read and checked."""
        serialization.load_parameters(self, path)


# --------------------------------------------------------------------------- helpers

def _values(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _all_finite(values: np.ndarray) -> bool:
    """No NaN or inf, in one pass and without the full-size boolean array np.isfinite(values)
    would make (47 MB for Fashion-MNIST's training set): a sum is finite unless a value is
    NaN or inf, or the sum overflows; only then do min and max (which propagate NaN and
    reach any inf) decide. It runs on every `train` call, over the whole set."""
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.isfinite(values.sum()) or (np.isfinite(values.min()) and np.isfinite(values.max())))


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def _figures(accuracy: float, data_loss: float, regularization_loss: float, learning_rate: float) -> str:
    """The book's progress figures."""
    return (f"acc: {accuracy:.3f}, loss: {data_loss + regularization_loss:.4g} (data_loss: {data_loss:.4g}, "
            f"reg_loss: {regularization_loss:.4g}), lr: {learning_rate:.6g}")
