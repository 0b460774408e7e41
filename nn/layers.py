"""The book's layers: Dense (fully connected) and Dropout, plus Flatten for convolutional networks.

Only forward passes are written here; every gradient comes from tensorgrad's ops.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from tensorgrad import Tensor, functional
from tensorgrad.tensor import as_tensor

from .module import Module, check_hyperparameter

INITS = ("book", "he", "glorot")


def positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def check_seed(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {value!r}")
    return value


def _initial_weights(init: str, shape: tuple[int, ...], fan_in: int, fan_out: int,
                     rng: np.random.Generator) -> np.ndarray:
    """The starting weights, float64, drawn from `rng`; fan_in (fan_out) is how many
    inputs feed one output (outputs one input feeds): n_inputs for Dense, C * kh * kw for Conv2D.

    book:   0.01 * N(0, 1)                              (keeps early outputs small)
    he:     sqrt(2 / fan_in) * N(0, 1)                  (keeps ReLU activations' variance)
    glorot: U(-a, a), a = sqrt(6 / (fan_in + fan_out))  (keeps variance both ways, tanh/sigmoid)
    """
    if init == "book":
        return 0.01 * rng.standard_normal(shape)
    if init == "he":
        return np.sqrt(2.0 / fan_in) * rng.standard_normal(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


class Penalized(Module):
    """A layer with `weights` and `biases` and the book's four L1/L2 factors on them.

    `penalties()` is the protocol `Loss.regularization_loss` and `Model` read, so any
    layer that has weights (Dense, Conv2D) is regularized the same way.
    """

    weights: Tensor
    biases: Tensor

    def _set_regularizers(self, weight_l1: float, weight_l2: float, bias_l1: float, bias_l2: float) -> None:
        self.weight_regularizer_l1 = check_hyperparameter("weight_regularizer_l1", weight_l1, at_least=0)
        self.weight_regularizer_l2 = check_hyperparameter("weight_regularizer_l2", weight_l2, at_least=0)
        self.bias_regularizer_l1 = check_hyperparameter("bias_regularizer_l1", bias_l1, at_least=0)
        self.bias_regularizer_l2 = check_hyperparameter("bias_regularizer_l2", bias_l2, at_least=0)

    def penalties(self) -> list[tuple[float, Tensor, str]]:
        """(factor, parameter, "l1" or "l2") for every factor > 0."""
        terms = ((self.weight_regularizer_l1, self.weights, "l1"), (self.weight_regularizer_l2, self.weights, "l2"),
                 (self.bias_regularizer_l1, self.biases, "l1"), (self.bias_regularizer_l2, self.biases, "l2"))
        return [term for term in terms if term[0] > 0]

    def _regularizer_config(self) -> dict[str, float]:
        return {
            "weight_regularizer_l1": self.weight_regularizer_l1,
            "weight_regularizer_l2": self.weight_regularizer_l2,
            "bias_regularizer_l1": self.bias_regularizer_l1,
            "bias_regularizer_l2": self.bias_regularizer_l2,
        }


def float_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type, got {dtype}")
    return dtype


def check_init(init: str) -> str:
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return init


class Dense(Penalized):
    """A fully connected layer: outputs = x @ weights + biases.

    `weights` has shape (n_inputs, n_neurons) so a batch of rows multiplies directly, as
    in the book; `biases` has shape (1, n_neurons) and starts at zero. The regularizer
    factors are read through `penalties()` by `Loss.regularization_loss`, which adds
    l1_w * sum|w| + l2_w * sum w^2 + l1_b * sum|b| + l2_b * sum b^2 to the loss.
    `seed` seeds a generator used only here, at construction, so layers are reproducible
    without touching NumPy's global random state.
    """

    def __init__(
        self,
        n_inputs: int,
        n_neurons: int,
        weight_regularizer_l1: float = 0.0,
        weight_regularizer_l2: float = 0.0,
        bias_regularizer_l1: float = 0.0,
        bias_regularizer_l2: float = 0.0,
        init: str = "book",
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.n_inputs = positive_int("n_inputs", n_inputs)
        self.n_neurons = positive_int("n_neurons", n_neurons)
        self._set_regularizers(weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2)
        self.init = check_init(init)
        self.dtype = float_dtype(dtype)
        self.seed = check_seed(seed)
        rng = np.random.default_rng(seed)
        weights = _initial_weights(init, (self.n_inputs, self.n_neurons), self.n_inputs, self.n_neurons, rng)
        self.weights = Tensor(weights.astype(self.dtype), requires_grad=True)
        self.biases = Tensor(np.zeros((1, self.n_neurons), dtype=self.dtype), requires_grad=True)

    def forward(self, x: Any) -> Tensor:
        return functional.linear(x, self.weights, self.biases)

    def check_input(self, shape: tuple[int, ...]) -> str | None:
        """Why a batch of this shape cannot be the model's input, or None."""
        if len(shape) != 2 or shape[1] != self.n_inputs:
            return f"expected shape (n, {self.n_inputs}) for the first Dense layer"
        return None

    def get_config(self) -> dict[str, Any]:
        return {
            "n_inputs": self.n_inputs,
            "n_neurons": self.n_neurons,
            **self._regularizer_config(),
            "init": self.init,
            "dtype": self.dtype.name,
            "seed": self.seed,
        }


class Dropout(Module):
    """Inverted dropout: in training, zero each input with probability `rate` and scale
    the survivors by 1 / (1 - rate), so the expected output equals the input.

    mask = [u < 1 - rate] / (1 - rate), u ~ Uniform[0, 1);  outputs = x * mask  (training)

    (a Bernoulli(1 - rate) draw, like the book's np.random.binomial, at a fraction of its cost)
    outputs = x                                                  (evaluation)

    `rate` is the fraction DROPPED, as in the book (Dropout(0.1) drops 10%). The
    generator `self.rng` draws the masks; its `bit_generator.state` is what a checkpoint
    stores to resume the same sequence of masks.
    """

    def __init__(self, rate: float, seed: int | None = None) -> None:
        super().__init__()
        self.rate = check_hyperparameter("rate", rate, at_least=0, below=1)
        self.seed = check_seed(seed)
        self.rng = np.random.default_rng(seed)

    def forward(self, x: Any) -> Any:
        if not self.training:
            return x
        x = as_tensor(x)
        keep = 1.0 - self.rate
        mask = (self.rng.random(x.shape) < keep) * np.asarray(1.0 / keep, dtype=x.dtype)
        return x * mask

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate, "seed": self.seed}


class Flatten(Module):
    """(n, ...) -> (n, product of the rest): turns feature maps into rows for a Dense layer
    (a reshape, so its gradient is the reshape back)."""

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if x.ndim < 1:
            raise ValueError(f"Flatten: expected at least 1-D input (n, ...), got shape {x.shape}")
        return x.reshape(x.shape[0], -1)

    def check_input(self, shape: tuple[int, ...]) -> str | None:
        return None  # any batch flattens

    def get_config(self) -> dict[str, Any]:
        return {}
