"""The book's own class names and call sequence, running on nn and the engine.

A learner who has typed the classes of "Neural Networks from Scratch" can keep that style:

    dense1 = Layer_Dense(2, 64)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(64, 3)
    loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
    optimizer = Optimizer_Adam(learning_rate=0.05, decay=5e-7)

    dense1.forward(X)                           # sets dense1.output
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    loss = loss_activation.forward(dense2.output, y)

    loss_activation.backward(loss_activation.output, y)   # sets .dinputs
    dense2.backward(loss_activation.dinputs)               # sets .dinputs, .dweights, .dbiases
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)

    optimizer.pre_update_params()
    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
    optimizer.post_update_params()

Each class is a thin adapter over its nn counterpart (`Layer_Dense` wraps `nn.Dense`, and
so on; docs/from-the-book.md has the table). Arrays go in and come out as in the book
(float64 NumPy arrays), but no derivative is typed in here: `forward` records the nn
module's graph on a leaf Tensor holding the inputs, and `backward(dvalues)` asks the
engine for the vector-Jacobian product of that graph with `dvalues`
(`tensorgrad.grad(output, [inputs, *parameters], grad_outputs=dvalues)`). The book's
hand-written formulas live in tests/analytic.py, where they check this file.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import tensorgrad
from tensorgrad import Tensor, functional

from .activations import Linear, ReLU, Sigmoid, Softmax
from .layers import Dense, Dropout
from .losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
)
from .optimizers import SGD, Adagrad, Adam, RMSprop

__all__ = [
    "Activation_Linear",
    "Activation_ReLU",
    "Activation_Sigmoid",
    "Activation_Softmax",
    "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Layer_Dense",
    "Layer_Dropout",
    "Loss_BinaryCrossentropy",
    "Loss_CategoricalCrossentropy",
    "Loss_MeanAbsoluteError",
    "Loss_MeanSquaredError",
    "Optimizer_Adagrad",
    "Optimizer_Adam",
    "Optimizer_RMSprop",
    "Optimizer_SGD",
]


def _array(values: Any) -> np.ndarray:
    """The book works in float64 NumPy arrays; so do these adapters."""
    return np.asarray(values.data if isinstance(values, Tensor) else values, dtype=np.float64)


class _EngineBackward:
    """Shared base: record a graph in forward, differentiate it with the engine in backward.

    A subclass's `_graph(inputs, y_true)` builds, from the leaf Tensor `inputs`, the
    Tensor whose gradient the book's backward returns (the layer's output, or a loss);
    `_parameters()` lists the parameters that also get a gradient, named by
    `_parameter_names` (("weights", "biases") gives `dweights` and `dbiases`). A layer may
    set `_penalty`, a scalar Tensor (its regularization term) differentiated together
    with the output.

    `_record_in_backward` says what backward differentiates: None, the graph `forward`
    recorded, seeded with `dvalues` (layers, activations); "dvalues", a graph recorded
    at the predictions `dvalues` (losses, whose book signature is backward(dvalues,
    y_true)); "inputs", a graph recorded again at forward's inputs with the labels given
    to backward (the combined softmax and loss).
    """

    _parameter_names: tuple[str, ...] = ()
    _record_in_backward: str | None = None
    _result: Tensor | None = None
    _penalty: Tensor | None = None
    _y_true: Any = None

    def _graph(self, inputs: Tensor, y_true: Any) -> Tensor:
        raise NotImplementedError

    def _parameters(self) -> list[Tensor]:
        return []

    def _record(self, inputs: Any, y_true: Any = None) -> Tensor:
        """Run the nn module on a fresh leaf holding `inputs`, keeping the graph for backward."""
        self.inputs = _array(inputs)
        self._leaf = Tensor(self.inputs, requires_grad=True)
        self._y_true = y_true
        self._penalty = None
        self._result = self._graph(self._leaf, y_true)
        return self._result

    def backward(self, dvalues: Any, y_true: Any = None) -> None:
        """The book's backward, computed by the engine: no derivative is written here.

        The body only asks tensorgrad for a vector-Jacobian product. For a layer or an
        activation, `dvalues` is dL/d(output) from the next layer, and the graph recorded
        by `forward` is differentiated with it as the seed:
        `tensorgrad.grad(output, [inputs, *parameters], grad_outputs=dvalues)` (plus the
        layer's penalty, seeded with 1). For a loss the book's signature is
        `backward(dvalues, y_true)` with `dvalues` the predictions: the mean loss is
        recorded there and differentiated with seed 1. Sets `dinputs` and, for a layer with
        parameters, `dweights` and `dbiases`.
        """
        labels = self._y_true if y_true is None else y_true
        if self._record_in_backward == "dvalues":
            self._record(dvalues, labels)
        elif self._record_in_backward == "inputs":
            self._record(self.inputs, labels)
        if self._result is None:
            raise RuntimeError(f"{type(self).__name__}.backward: call forward() first, as in the book")
        outputs, seeds = [self._result], [None if self._record_in_backward else _array(dvalues)]
        if self._penalty is not None:
            outputs.append(self._penalty)
            seeds.append(None)
        gradients = tensorgrad.grad(outputs, [self._leaf, *self._parameters()], grad_outputs=seeds,
                                    allow_unused=True)
        self._result = self._penalty = None  # the graph is spent; the next forward records a new one
        self.dinputs = _gradient_array(gradients[0], self.inputs)
        for name, parameter, gradient in zip(self._parameter_names, self._parameters(), gradients[1:], strict=False):
            setattr(self, "d" + name, _gradient_array(gradient, parameter.data))


def _gradient_array(gradient: Tensor | None, like: np.ndarray) -> np.ndarray:
    """An unused input (e.g. a constant layer) gets a zero gradient, as the book's formulas give."""
    return np.zeros_like(like) if gradient is None else gradient.data


# --------------------------------------------------------------------------- layers

class Layer_Dense(_EngineBackward):
    """The book's dense layer over `nn.Dense` (float64). `weights` (n_inputs, n_neurons)
    start at 0.01 * np.random.randn, drawn from NumPy's global generator as in the book
    (so `np.random.seed(0)` repeats them); `biases` (1, n_neurons) at zero.

    forward(inputs) sets `output = inputs @ weights + biases`; backward(dvalues) sets
    `dweights`, `dbiases` (with the L1/L2 penalty's gradient added, as the book does) and
    `dinputs`.
    """

    _parameter_names = ("weights", "biases")

    def __init__(self, n_inputs: int, n_neurons: int, weight_regularizer_l1: float = 0.0,
                 weight_regularizer_l2: float = 0.0, bias_regularizer_l1: float = 0.0,
                 bias_regularizer_l2: float = 0.0) -> None:
        self.layer = Dense(n_inputs, n_neurons, weight_regularizer_l1, weight_regularizer_l2,
                           bias_regularizer_l1, bias_regularizer_l2, dtype=np.float64)
        self.layer.weights.data = 0.01 * np.random.randn(n_inputs, n_neurons)

    # the book reads and writes these as arrays; they are the nn layer's own storage
    @property
    def weights(self) -> np.ndarray:
        return self.layer.weights.data

    @weights.setter
    def weights(self, value: Any) -> None:
        self.layer.weights.data = _array(value).reshape(self.layer.weights.shape).copy()

    @property
    def biases(self) -> np.ndarray:
        return self.layer.biases.data

    @biases.setter
    def biases(self, value: Any) -> None:
        self.layer.biases.data = _array(value).reshape(self.layer.biases.shape).copy()

    def __getattr__(self, name: str) -> Any:
        if name.endswith(("_regularizer_l1", "_regularizer_l2")):
            return getattr(self.__dict__["layer"], name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def forward(self, inputs: Any, training: bool = True) -> None:
        self.output = self._record(inputs).data

    def _graph(self, inputs: Tensor, y_true: Any) -> Tensor:
        penalty = Loss().regularization_loss(self.layer)
        # differentiated with the output, the penalty adds its gradient to dweights and
        # dbiases, where the book's backward adds a hand-written one
        self._penalty = penalty if penalty.requires_grad else None
        return self.layer(inputs)

    def _parameters(self) -> list[Tensor]:
        return [self.layer.weights, self.layer.biases]

    def parameter_gradients(self) -> list[tuple[Tensor, np.ndarray]]:
        """(parameter, gradient) pairs for Optimizer.update_params: the book's dweights, dbiases."""
        return [(self.layer.weights, self.dweights), (self.layer.biases, self.dbiases)]


class Layer_Dropout(_EngineBackward):
    """The book's dropout over `nn.Dropout`: `rate` is the fraction dropped. forward(inputs,
    training=True) drops and rescales (inverted dropout); training=False passes through."""

    def __init__(self, rate: float, seed: int | None = None) -> None:
        self.rate = rate
        self.layer = Dropout(rate, seed=seed)

    def forward(self, inputs: Any, training: bool = True) -> None:
        self.layer.train_mode(training)
        self.output = self._record(inputs).data

    def _graph(self, inputs: Tensor, y_true: Any) -> Tensor:
        return self.layer(inputs)


# --------------------------------------------------------------------------- activations

class _Activation(_EngineBackward):
    module: Any

    def forward(self, inputs: Any, training: bool = True) -> None:
        self.output = self._record(inputs).data

    def _graph(self, inputs: Tensor, y_true: Any) -> Tensor:
        return self.module(inputs)

    def predictions(self, outputs: Any) -> np.ndarray:
        return self.module.predictions(outputs)


class Activation_ReLU(_Activation):
    """max(0, x), over `nn.ReLU`."""

    def __init__(self) -> None:
        self.module = ReLU()


class Activation_Softmax(_Activation):
    """Row-wise softmax, over `nn.Softmax`; backward applies the softmax Jacobian (by the engine)."""

    def __init__(self) -> None:
        self.module = Softmax()


class Activation_Sigmoid(_Activation):
    """1 / (1 + e^-x), over `nn.Sigmoid`."""

    def __init__(self) -> None:
        self.module = Sigmoid()


class Activation_Linear(_Activation):
    """The identity, over `nn.Linear` (the book's linear activation, not PyTorch's nn.Linear)."""

    def __init__(self) -> None:
        self.module = Linear()


# --------------------------------------------------------------------------- losses

class _Loss(_EngineBackward):
    """The book's Loss: calculate(output, y) is the mean of forward(output, y), the sample
    losses; backward(dvalues, y_true) sets dinputs = d(mean loss)/d(predictions)."""

    _record_in_backward = "dvalues"
    module: Loss

    def forward(self, y_pred: Any, y_true: Any) -> np.ndarray:
        """One loss per sample, as the book's forward returns."""
        return self.module.sample_losses(Tensor(_array(y_pred)), y_true).data

    def calculate(self, output: Any, y: Any) -> float:
        """The mean data loss."""
        return float(np.mean(self.forward(output, y)))

    def regularization_loss(self, layer: Layer_Dense) -> float:
        """The book's L1/L2 penalty of one layer."""
        return float(self.module.regularization_loss(layer.layer).item())

    def _graph(self, inputs: Tensor, y_true: Any) -> Tensor:
        return self.module(inputs, y_true)


class Loss_CategoricalCrossentropy(_Loss):
    """-log(p[true class]), predictions clipped to [1e-7, 1 - 1e-7]; over `nn.CategoricalCrossEntropy`."""

    def __init__(self) -> None:
        self.module = CategoricalCrossEntropy()


class Loss_BinaryCrossentropy(_Loss):
    """Over `nn.BinaryCrossEntropy`."""

    def __init__(self) -> None:
        self.module = BinaryCrossEntropy()


class Loss_MeanSquaredError(_Loss):
    """Over `nn.MeanSquaredError`."""

    def __init__(self) -> None:
        self.module = MeanSquaredError()


class Loss_MeanAbsoluteError(_Loss):
    """Over `nn.MeanAbsoluteError` (the engine's gradient carries the minus sign the
    book's printed MAE backward drops; see tests/analytic.py)."""

    def __init__(self) -> None:
        self.module = MeanAbsoluteError()


class Activation_Softmax_Loss_CategoricalCrossentropy(_EngineBackward):
    """Softmax and cross-entropy together, from the logits, as `nn.Model` computes them
    (`tensorgrad.functional.cross_entropy`). forward(inputs, y_true) sets `output` (the
    probabilities) and returns the mean loss; backward(dvalues, y_true) sets `dinputs`,
    the gradient with respect to the logits, which the engine's chain rule through
    log-softmax gives as (softmax - one_hot) / samples: the book's shortcut, not typed in.
    """

    _record_in_backward = "inputs"

    def __init__(self) -> None:
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    def forward(self, inputs: Any, y_true: Any) -> float:
        loss = self._record(inputs, y_true)
        self.output = Softmax()(Tensor(self.inputs)).data
        return float(loss.item())

    def _graph(self, inputs: Tensor, y_true: Any) -> Tensor:
        return functional.cross_entropy(inputs, y_true)


# --------------------------------------------------------------------------- optimizers

class Optimizer_SGD(SGD):
    """The book's SGD, with its positional order (learning_rate=1., decay=0., momentum=0.)."""

    def __init__(self, learning_rate: float = 1.0, decay: float = 0.0, momentum: float = 0.0) -> None:
        super().__init__(learning_rate=learning_rate, decay=decay, momentum=momentum)


class Optimizer_Adagrad(Adagrad):
    """The book's AdaGrad (learning_rate=1., decay=0., epsilon=1e-7)."""

    def __init__(self, learning_rate: float = 1.0, decay: float = 0.0, epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate=learning_rate, decay=decay, epsilon=epsilon)


class Optimizer_RMSprop(RMSprop):
    """The book's RMSprop (learning_rate=0.001, decay=0., epsilon=1e-7, rho=0.9)."""

    def __init__(self, learning_rate: float = 0.001, decay: float = 0.0, epsilon: float = 1e-7,
                 rho: float = 0.9) -> None:
        super().__init__(learning_rate=learning_rate, decay=decay, epsilon=epsilon, rho=rho)


class Optimizer_Adam(Adam):
    """The book's Adam (learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999)."""

    def __init__(self, learning_rate: float = 0.001, decay: float = 0.0, epsilon: float = 1e-7,
                 beta_1: float = 0.9, beta_2: float = 0.999) -> None:
        super().__init__(learning_rate=learning_rate, decay=decay, epsilon=epsilon, beta_1=beta_1, beta_2=beta_2)
