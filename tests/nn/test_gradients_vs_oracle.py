"""Every parameter gradient of small float64 models equals the book's hand-written backward pass.

The models are built from nn modules and differentiated by tensorgrad; the oracle runs
the book's forward and backward formulas in plain NumPy on the same weights and the same
Dropout mask (reproduced from the layer's seed), including all four L1/L2 terms.
"""
import numpy as np
import pytest

import nn
from tensorgrad import Tensor

N, N_INPUTS, N_HIDDEN, N_OUTPUTS = 16, 4, 7, 3
DROPOUT_RATE, DROPOUT_SEED = 0.3, 5
REGULARIZERS = {
    "weight_regularizer_l1": 3e-3, "weight_regularizer_l2": 2e-2,
    "bias_regularizer_l1": 5e-3, "bias_regularizer_l2": 4e-2,
}


def build_model(output_activation):
    model = nn.Sequential(
        nn.Dense(N_INPUTS, N_HIDDEN, **REGULARIZERS, init="he", dtype=np.float64, seed=1),
        nn.ReLU(),
        nn.Dropout(DROPOUT_RATE, seed=DROPOUT_SEED),
        nn.Dense(N_HIDDEN, N_OUTPUTS, **REGULARIZERS, init="he", dtype=np.float64, seed=2),
        output_activation,
    )
    rng = np.random.default_rng(3)
    for layer in (model[0], model[3]):  # non-zero biases, so every regularizer term matters
        layer.biases.data[...] = 0.5 * rng.standard_normal(layer.biases.shape)
    return model


# --------------------------------------------------------------------------- the book, in NumPy

def book_dense_backward(layer, inputs, dvalues):
    """Dense backward with the regularizers' derivatives (d|w|/dw = 1 at w >= 0, -1 below)."""
    w, b = layer.weights.data, layer.biases.data
    dweights = inputs.T @ dvalues
    dbiases = np.sum(dvalues, axis=0, keepdims=True)
    for grad, values, l1, l2 in (
        (dweights, w, layer.weight_regularizer_l1, layer.weight_regularizer_l2),
        (dbiases, b, layer.bias_regularizer_l1, layer.bias_regularizer_l2),
    ):
        sign = np.ones_like(values)
        sign[values < 0] = -1
        grad += l1 * sign + 2 * l2 * values
    return dweights, dbiases, dvalues @ w.T


def book_output_gradient(loss_name, outputs, targets):
    """d(mean loss)/d(pre-activation outputs of the last Dense), as the book computes it."""
    samples, n_outputs = outputs.shape
    if loss_name == "cce":  # softmax + cross-entropy shortcut
        dinputs = outputs.copy()
        dinputs[np.arange(samples), targets] -= 1
        return dinputs / samples
    if loss_name == "bce":  # BCE backward, then sigmoid backward
        clipped = np.clip(outputs, 1e-7, 1 - 1e-7)
        dvalues = -(targets / clipped - (1 - targets) / (1 - clipped)) / n_outputs / samples
        return dvalues * (1 - outputs) * outputs
    if loss_name == "mse":  # linear activation: identity backward
        return -2 * (targets - outputs) / n_outputs / samples
    # mae: d|y - p|/dp = -sign(y - p)
    return -np.sign(targets - outputs) / n_outputs / samples


def book_gradients(model, loss_name, X, targets):
    """Forward and backward through Dense-ReLU-Dropout-Dense-activation, book style."""
    first, second = model[0], model[3]
    mask = np.random.default_rng(DROPOUT_SEED).binomial(1, 1 - DROPOUT_RATE, (N, N_HIDDEN)) / (1 - DROPOUT_RATE)
    hidden = X @ first.weights.data + first.biases.data
    relu = np.maximum(0, hidden)
    dropped = relu * mask
    logits = dropped @ second.weights.data + second.biases.data
    if loss_name == "cce":
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        outputs = exp / exp.sum(axis=1, keepdims=True)
    elif loss_name == "bce":
        outputs = 1 / (1 + np.exp(-logits))
    else:
        outputs = logits
    dlogits = book_output_gradient(loss_name, outputs, targets)
    dweights_2, dbiases_2, ddropped = book_dense_backward(second, dropped, dlogits)
    drelu = ddropped * mask
    dhidden = drelu.copy()
    dhidden[hidden <= 0] = 0
    dweights_1, dbiases_1, _ = book_dense_backward(first, X, dhidden)
    return {"0.weights": dweights_1, "0.biases": dbiases_1, "3.weights": dweights_2, "3.biases": dbiases_2}


# --------------------------------------------------------------------------- the tests

rng = np.random.default_rng(0)
X = rng.standard_normal((N, N_INPUTS))
CASES = {
    "cce": (nn.Softmax, nn.CategoricalCrossEntropy, rng.integers(0, N_OUTPUTS, N)),
    "bce": (nn.Sigmoid, nn.BinaryCrossEntropy, rng.integers(0, 2, (N, N_OUTPUTS)).astype(np.float64)),
    "mse": (nn.Linear, nn.MeanSquaredError, rng.standard_normal((N, N_OUTPUTS))),
    "mae": (nn.Linear, nn.MeanAbsoluteError, rng.standard_normal((N, N_OUTPUTS))),
}


@pytest.mark.parametrize("loss_name", list(CASES))
def test_every_parameter_gradient_equals_the_books(loss_name):
    activation, loss_class, targets = CASES[loss_name]
    model = build_model(activation())
    loss_function = loss_class()
    data_loss = loss_function(model(Tensor(X)), targets)
    regularization_loss = loss_function.regularization_loss(model)
    (data_loss + regularization_loss).backward()

    expected = book_gradients(model, loss_name, X, targets)
    named = dict(model.named_parameters())
    assert list(named) == list(expected)
    for name, parameter in named.items():
        assert parameter.grad.dtype == np.float64
        np.testing.assert_allclose(parameter.grad, expected[name], rtol=0, atol=1e-10, err_msg=name)
    assert np.abs(named["0.weights"].grad).max() > 1e-3  # a real gradient, not two zeros agreeing


def test_the_oracle_notices_a_wrong_dropout_mask():
    """The comparison is sharp: reseeding Dropout changes the gradients beyond tolerance."""
    activation, loss_class, targets = CASES["cce"]
    model = build_model(activation())
    model[2].rng = np.random.default_rng(DROPOUT_SEED + 1)
    loss_function = loss_class()
    (loss_function(model(Tensor(X)), targets) + loss_function.regularization_loss(model)).backward()
    expected = book_gradients(model, "cce", X, targets)
    assert np.abs(model[0].weights.grad - expected["0.weights"]).max() > 1e-6
