"""The book's activation functions as modules, each with its rule for turning outputs
into predictions (class index, 0/1 label or value).

Forward passes only: the gradients come from tensorgrad.functional's compositions.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tensorgrad import Tensor, functional
from tensorgrad.tensor import as_tensor

from .module import Module


def _values(outputs: Any) -> np.ndarray:
    return outputs.data if isinstance(outputs, Tensor) else np.asarray(outputs)


class Activation(Module):
    """Base class: an elementwise (or row-wise) function with a `predictions` rule.

    By default the predictions are the outputs themselves (regression-style outputs).
    """

    def predictions(self, outputs: np.ndarray) -> np.ndarray:
        return _values(outputs)


class ReLU(Activation):
    """max(0, x): passes positive inputs, zeroes the rest (derivative 0 at x = 0, as in the book)."""

    def forward(self, x: Any) -> Tensor:
        return functional.relu(as_tensor(x))


class Softmax(Activation):
    """e^x_j / sum_k e^x_k along each row: a probability distribution over classes."""

    def forward(self, x: Any) -> Tensor:
        return functional.softmax(as_tensor(x), axis=-1)

    def predictions(self, outputs: np.ndarray) -> np.ndarray:
        """The most probable class of each row."""
        return np.argmax(_values(outputs), axis=1)


class Sigmoid(Activation):
    """1 / (1 + e^-x): an independent probability per output (binary logistic regression)."""

    def forward(self, x: Any) -> Tensor:
        return functional.sigmoid(as_tensor(x))

    def predictions(self, outputs: np.ndarray) -> np.ndarray:
        """1 where the probability exceeds 0.5, else 0."""
        return (_values(outputs) > 0.5) * 1


class Tanh(Activation):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), in (-1, 1); predictions are the outputs."""

    def forward(self, x: Any) -> Tensor:
        return functional.tanh(as_tensor(x))


class Linear(Activation):
    """The book's *linear activation*: the identity, f(x) = x, used as the output of a
    regression model.

    NOT PyTorch's `nn.Linear` (a fully connected layer): that one is `nn.Dense` here.
    """

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x)
