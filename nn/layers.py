"""The book's layers: Dense (fully connected) and Dropout, plus Flatten for convolutional networks.

Only forward passes are written here; every gradient comes from tensorgrad's ops.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tensorgrad import Tensor, functional
from tensorgrad.tensor import as_tensor

from .checks import check_choice, check_integer, check_number, check_seed
from .module import Module

INITS = ("book", "he", "glorot")


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


def float_dtype(dtype: Any) -> np.dtype:
    """`dtype` as a floating-point np.dtype, or a ValueError naming it."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise ValueError(f"dtype: expected a floating-point type, got {dtype!r:.80}") from error
    if dtype.kind != "f":
        raise ValueError(f"dtype: expected a floating-point type, got {dtype}")
    return dtype


class Penalized(Module):
    """A layer with `weights`, `biases` and the book's four L1/L2 factors on them (Dense,
    Conv2D): its `regularization_penalty()` is what the loss adds."""

    weights: Tensor
    biases: Tensor

    def _set_regularizers(self, weight_l1: float, weight_l2: float, bias_l1: float, bias_l2: float) -> None:
        self.weight_regularizer_l1 = check_number("weight_regularizer_l1", weight_l1, at_least=0)
        self.weight_regularizer_l2 = check_number("weight_regularizer_l2", weight_l2, at_least=0)
        self.bias_regularizer_l1 = check_number("bias_regularizer_l1", bias_l1, at_least=0)
        self.bias_regularizer_l2 = check_number("bias_regularizer_l2", bias_l2, at_least=0)

    def regularization_penalty(self) -> Tensor | None:
        """l1_w * sum|w| + l2_w * sum w^2 + l1_b * sum|b| + l2_b * sum b^2, building only the
        terms whose factor is > 0 (None when there are none, so no graph is recorded).
        d|w|/dw at w = 0 is 0 here (tensorgrad's subgradient); the book uses +1 there."""
        total = None
        for factor, parameter, penalty in (
            (self.weight_regularizer_l1, self.weights, _l1),
            (self.weight_regularizer_l2, self.weights, _l2),
            (self.bias_regularizer_l1, self.biases, _l1),
            (self.bias_regularizer_l2, self.biases, _l2),
        ):
            if factor > 0:
                term = factor * penalty(parameter)
                total = term if total is None else total + term
        return total

    def _regularizer_config(self) -> dict[str, float]:
        return {
            "weight_regularizer_l1": self.weight_regularizer_l1,
            "weight_regularizer_l2": self.weight_regularizer_l2,
            "bias_regularizer_l1": self.bias_regularizer_l1,
            "bias_regularizer_l2": self.bias_regularizer_l2,
        }


class Dense(Penalized):
    """A fully connected layer: outputs = x @ weights + biases.

    `weights` has shape (n_inputs, n_neurons) so a batch of rows multiplies directly, as
    in the book; `biases` has shape (1, n_neurons) and starts at zero. The regularizer
    factors make `regularization_penalty()`, which `Loss.regularization_loss` adds to the
    loss: l1_w * sum|w| + l2_w * sum w^2 + l1_b * sum|b| + l2_b * sum b^2.
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
        shapes = self.parameter_shapes(n_inputs=n_inputs, n_neurons=n_neurons, dtype=dtype)
        (self.n_inputs, self.n_neurons), self.dtype = shapes["weights"]
        self._set_regularizers(weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2)
        self.init = check_choice("init", init, INITS)
        self.seed = check_seed("seed", seed)
        rng = np.random.default_rng(seed)
        weights = _initial_weights(init, (self.n_inputs, self.n_neurons), self.n_inputs, self.n_neurons, rng)
        self.weights = Tensor(weights.astype(self.dtype), requires_grad=True)
        self.biases = Tensor(np.zeros((1, self.n_neurons), dtype=self.dtype), requires_grad=True)

    @classmethod
    def parameter_shapes(cls, *, n_inputs: Any, n_neurons: Any, dtype: Any = np.float32,  # type: ignore[override]  # a layer's own config keys, required
                         **hyperparameters: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """weights (n_inputs, n_neurons) and biases (1, n_neurons), both of `dtype`."""
        n_inputs = check_integer("n_inputs", n_inputs)
        n_neurons = check_integer("n_neurons", n_neurons)
        dtype = float_dtype(dtype)
        return {"weights": ((n_inputs, n_neurons), dtype), "biases": ((1, n_neurons), dtype)}

    def forward(self, x: Any) -> Tensor:
        return functional.linear(x, self.weights, self.biases)

    @property
    def input_shape(self) -> tuple[int]:
        return (self.n_inputs,)

    @property
    def output_size(self) -> int:
        return self.n_neurons

    def get_config(self) -> dict[str, Any]:
        return {
            "n_inputs": self.n_inputs,
            "n_neurons": self.n_neurons,
            **self._regularizer_config(),
            "init": self.init,
            "dtype": self.dtype.name,
            "seed": self.seed,
        }


def _l1(parameter: Tensor) -> Tensor:
    return parameter.abs().sum()


def _l2(parameter: Tensor) -> Tensor:
    return (parameter * parameter).sum()


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
        self.rate = check_number("rate", rate, at_least=0, below=1)
        self.seed = check_seed("seed", seed)
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

    @property
    def input_shape(self) -> tuple:
        return (...,)  # any sample flattens
