"""Model: the book's training object (add, set, finalize, train, evaluate, predict, save).

A Model is a Module holding its layers in order, so `model(x)` is a plain expression,
`model.parameters()` and `state_dict()` work as for any module, and any Module can be a
layer. The training loop lives in `nn.training`, the checks of the data in `nn.inputs`,
the file format in `nn.files`. Layers are asked, never type-checked: a layer's
`input_shape`/`output_size` give the shape a sample of X must have and the number of classes, and its
`regularization_penalty()` what the loss adds (so a user's own layer takes part too).
When the last layer is Softmax and the loss categorical cross-entropy, the loss is taken
from the logits through a composed log_softmax, as the book's
`Activation_Softmax_Loss_CategoricalCrossentropy` does: the chain rule through LogSumExp
gives the book's gradient (softmax - onehot) / n, exact even where a probability would
be clipped, and no rule is typed in.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any
from collections.abc import Callable, Iterator

import numpy as np

import tensorgrad
from tensorgrad import Tensor, functional

from . import training
from .activations import Softmax
from .checks import check_seed
from .data import batch_count, batches
from .files import model_files
from .inputs import check_inputs, check_targets, values
from .losses import CategoricalCrossEntropy, Loss
from .metrics import Accuracy
from .module import Module
from .optimizers import Optimizer

class Model(Module):
    """A stack of modules trained as in the book.

    `Model(seed=None)`: `self.rng = np.random.default_rng(seed)` shuffles the training
    set (one permutation per epoch), so a seeded model with seeded layers trains the
    same way every run.
    """

    def __init__(self, seed: int | None = None) -> None:
        super().__init__()
        self.seed = check_seed("seed", seed)
        self.rng = np.random.default_rng(seed)
        self.epochs_trained = 0  # over all train calls; a checkpoint keeps it
        self.layers: list[Module] = []
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self.accuracy: Accuracy | None = None
        self._prediction_rule: Callable[[np.ndarray], np.ndarray] | None = None
        self._finalized = False
        self._loss_from_logits = False
        self._penalized: list[Module] = []

    # ------------------------------------------------------------------ building
    def add(self, module: Module) -> Model:
        """Append a layer (any Module); its parameters are registered as "<index>.<name>"."""
        if not isinstance(module, Module):
            raise TypeError(f"module: expected a Module (a layer or activation), got {type(module).__name__}")
        self.add_module(str(len(self.layers)), module)
        self.layers.append(module)
        self._finalized = False
        return self

    def set(self, *, loss: Loss | None = None, optimizer: Optimizer | None = None,
            accuracy: Accuracy | None = None) -> Model:
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

    def finalize(self) -> Model:
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
        assert self.optimizer is not None  # `missing` above refused a model without one
        # a re-finalize (after set(accuracy=...), say) keeps the optimizer's running state
        if list(map(id, self.optimizer.params)) != list(map(id, parameters)):
            self.optimizer.set_parameters(parameters)
        self._finalized = True
        return self

    def _prepare_outputs(self) -> None:
        """What predictions are read from, whether the loss is taken from the logits,
        and which layers carry a penalty (asked once: building a step's loss asks only them)."""
        activation = self.output_activation
        # output_activation returns only a layer whose `predictions` is callable
        self._prediction_rule = None if activation is None else activation.predictions  # type: ignore[attr-defined]
        self._loss_from_logits = type(activation) is Softmax and type(self.loss) is CategoricalCrossEntropy
        with tensorgrad.no_grad():
            self._penalized = [m for m in self.modules() if m.regularization_penalty() is not None]

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
    def train(self, X: Any = None, y: Any = None, *, epochs: int = 1, batch_size: int | None = None,
              print_every: int | None = 1, validation_data: tuple[Any, Any] | None = None,
              shuffle: bool = True, verbose: bool = True, on_nan: str = "raise") -> dict[str, list[float]]:
        """Train for `epochs` passes over (X, y) in ceil(n / batch_size) steps each (the
        book's method; the loop is `nn.training.train`). To switch modes instead, as
        PyTorch's `module.train()` does, call `model.train_mode()` / `model.eval()`.

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
        if X is None or y is None or isinstance(X, bool):
            raise TypeError(
                "Model.train(X, y, epochs=..., ...) trains the model on data, as in the book, and needs X and y. "
                "To switch the model to training mode (what PyTorch's module.train() does), call "
                "model.train_mode(); model.eval() switches to evaluation mode."
            )
        return training.train(self, X, y, epochs=epochs, batch_size=batch_size, print_every=print_every,
                              validation_data=validation_data, shuffle=shuffle, verbose=verbose, on_nan=on_nan)

    @property
    def finalized(self) -> bool:
        """Whether `finalize()` ran since the last `add` or `set`."""
        return self._finalized

    @property
    def has_penalty(self) -> bool:
        """Whether a layer has an L1 or L2 penalty (found by `finalize()`)."""
        return bool(self._penalized)

    def regularization_loss(self) -> Tensor:
        """The penalty of every layer that offers one (a zero Tensor when none does)."""
        assert self.loss is not None, "regularization_loss: the model has no loss; call model.set(loss=...) first"
        return self.loss.regularization_loss(self._penalized)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, X: np.ndarray, y: np.ndarray, *, batch_size: int | None = None) -> tuple[float, float]:
        """(data loss, accuracy) over (X, y) in evaluation mode, recording no graph.

        The loss is the data loss averaged over samples (no regularization penalty), as
        the book's validation figures.
        """
        self.check_ready("evaluate", "loss", "accuracy")
        X, y = self.check_data(X, y, "X", "y")
        batch_count(len(X), batch_size)
        if not self._finalized:
            self._prepare_outputs()
        assert self.accuracy is not None  # check_ready above
        self.accuracy.init(y)
        return self.evaluate_checked(X, y, batch_size)

    def evaluate_checked(self, X: np.ndarray, y: np.ndarray, batch_size: int | None) -> tuple[float, float]:
        """`evaluate` on data already checked (the training loop's validation)."""
        assert self.accuracy is not None  # the callers checked the model is ready
        self.accuracy.new_pass()
        loss_sum = 0.0
        with self._evaluation():
            for X_batch, y_batch in batches(X, y, batch_size):
                assert y_batch is not None  # batches gives targets when it is given some
                outputs, data_loss = self.data_loss(X_batch, y_batch)
                loss_sum += data_loss.item() * len(X_batch)
                self.accuracy.calculate(self.predictions_from(outputs), y_batch)
        return loss_sum / len(X), self.accuracy.calculate_accumulated()

    def predict(self, X: np.ndarray, *, batch_size: int | None = None) -> np.ndarray:
        """The model's outputs (e.g. class probabilities) for X, in evaluation mode, no graph."""
        if not self.layers:
            raise ValueError("predict: the model has no layers; add some with model.add(...)")
        X = self._check_inputs(X, "X")
        batch_count(len(X), batch_size)
        with self._evaluation():
            outputs = [values(self.forward(X_batch), "outputs") for X_batch, _ in batches(X, None, batch_size)]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def data_loss(self, X_batch: np.ndarray, y_batch: np.ndarray) -> tuple[Tensor, Tensor]:
        """(what predictions are read from, mean data loss). With the loss from the logits
        the first is the logits: their argmax is the argmax of the softmax probabilities."""
        if self._loss_from_logits:
            logits: Any = X_batch
            for layer in self.layers[:-1]:
                logits = layer(logits)
            return logits, functional.cross_entropy(logits, y_batch)
        outputs = self.forward(X_batch)
        assert self.loss is not None  # the callers checked the model is ready
        return outputs, self.loss(outputs, y_batch)

    def predictions_from(self, outputs: Any) -> np.ndarray:
        """What the accuracy compares: the output activation's rule applied to `outputs`."""
        array = values(outputs, "outputs")
        return array if self._prediction_rule is None else self._prediction_rule(array)

    @contextmanager
    def _evaluation(self) -> Iterator[None]:
        """Evaluation mode (Dropout off) and no graph inside; the previous mode after."""
        previous = self.training
        self.train_mode(False)
        try:
            with tensorgrad.no_grad():
                yield
        finally:
            self.train_mode(previous)

    # ------------------------------------------------------------------ checks
    def check_ready(self, action: str, *names: str) -> None:
        """`action` needs the settings `names` (e.g. "loss") and at least one layer."""
        missing = [name for name in names if getattr(self, name) is None]
        if missing:
            raise RuntimeError(f"{action}: set the model's {', '.join(missing)} first: model.set({missing[0]}=...)")
        if not self.layers:
            raise ValueError(f"{action}: the model has no layers; add some with model.add(...)")

    def _check_inputs(self, X: Any, name: str) -> np.ndarray:
        parameters = self.parameters()
        first = next((m for m in self.modules() if m.input_shape is not None), None)
        return check_inputs(X, name, parameters[0].dtype if parameters else None,
                            None if first is None else first.input_shape, f"first {type(first).__name__} layer")

    def check_data(self, X: Any, y: Any, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) checked for the whole set: X against the first layer's input size, y as
        class targets for the last layer's output size when the loss is categorical."""
        X = self._check_inputs(X, x_name)
        last = next((m for m in reversed(self.modules()) if m.output_size is not None), None)
        classes = last.output_size if last is not None and isinstance(self.loss, CategoricalCrossEntropy) else None
        return X, check_targets(y, y_name, len(X), x_name, classes)

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
        for index, (layer, arrays) in enumerate(zip(layers, parameters, strict=False)):
            targets = layer.parameters()
            if len(arrays) != len(targets):
                raise ValueError(f"parameters[{index}]: expected {len(targets)} arrays, got {len(arrays)}")
            for position, (target, array) in enumerate(zip(targets, arrays, strict=False)):
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
    # The format and every check on loading live in nn/files/. Writes are
    # atomic; a bad file raises nn.ModelFileError and changes nothing.
    def save(self, path: str | os.PathLike) -> None:
        """Layers, loss, optimizer and accuracy settings, and parameters, in one model file."""
        model_files.save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Model:
        """Rebuild a model written by `save` (or `save_checkpoint`), finalized and ready to
        predict or train on; the whole file is checked before anything is built."""
        return model_files.load_model(cls, path)

    def save_checkpoint(self, path: str | os.PathLike) -> None:
        """What `save` writes plus what resuming needs: the optimizer's state, the number of
        epochs trained and the states of the random generators (shuffling and dropout), so
        that training a loaded checkpoint continues exactly as if it had never stopped."""
        model_files.save_model(self, path, checkpoint=True)

    @classmethod
    def load_checkpoint(cls, path: str | os.PathLike) -> Model:
        """Rebuild a model written by `save_checkpoint`, with its training state."""
        return model_files.load_model(cls, path, checkpoint=True)

    def save_parameters(self, path: str | os.PathLike) -> None:
        """The parameters alone (`state_dict()`), by dotted name; works for any layers."""
        model_files.save_parameters(self, path)

    def load_parameters(self, path: str | os.PathLike) -> None:
        """Load `save_parameters` output: names, shapes and dtypes must all match; the
        parameters change only once the whole file has been read and checked."""
        model_files.load_parameters(self, path)
