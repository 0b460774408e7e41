"""Every parameter gradient of small float64 models equals the book's hand-written backward pass.

The models are built from nn modules and differentiated by tensorgrad; the oracle
(tests/analytic.py) runs the book's backward formulas in plain NumPy on the same weights
and the same Dropout mask (reproduced from the layer's seed), including all four L1/L2 terms.
"""
import analytic
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


# --------------------------------------------------------------------------- the oracle

def oracle_dense_backward(layer, inputs, dvalues):
    """The book's Dense backward plus its regularizers' derivatives."""
    dweights, dbiases, dinputs = analytic.dense_backward(dvalues, inputs, layer.weights.data)
    w, b = layer.weights.data, layer.biases.data
    dweights += analytic.l1_penalty_backward(w, layer.weight_regularizer_l1)
    dweights += analytic.l2_penalty_backward(w, layer.weight_regularizer_l2)
    dbiases += analytic.l1_penalty_backward(b, layer.bias_regularizer_l1)
    dbiases += analytic.l2_penalty_backward(b, layer.bias_regularizer_l2)
    return dweights, dbiases, dinputs


def oracle_logits_gradient(loss_name, logits, targets):
    """d(mean loss)/d(logits) through the output activation, the book's way."""
    if loss_name == "cce":
        return analytic.softmax_categorical_cross_entropy_backward(analytic.softmax(logits), targets)
    if loss_name == "bce":
        outputs = analytic.sigmoid(logits)
        return analytic.sigmoid_backward(analytic.binary_cross_entropy_backward(outputs, targets), outputs)
    loss_backward = {
        "mse": analytic.mean_squared_error_backward, "mae": analytic.mean_absolute_error_backward,
    }[loss_name]
    return analytic.linear_backward(loss_backward(logits, targets))


def oracle_gradients(model, loss_name, X, targets):
    """Forward and backward through Dense-ReLU-Dropout-Dense-activation, book style."""
    first, second = model[0], model[3]
    mask = (np.random.default_rng(DROPOUT_SEED).random((N, N_HIDDEN)) < 1 - DROPOUT_RATE) / (1 - DROPOUT_RATE)
    hidden = X @ first.weights.data + first.biases.data
    dropped = np.maximum(0, hidden) * mask
    logits = dropped @ second.weights.data + second.biases.data
    dlogits = oracle_logits_gradient(loss_name, logits, targets)
    dweights_2, dbiases_2, ddropped = oracle_dense_backward(second, dropped, dlogits)
    dhidden = analytic.relu_backward(analytic.dropout_backward(ddropped, mask), hidden)
    dweights_1, dbiases_1, _ = oracle_dense_backward(first, X, dhidden)
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
def test_every_parameter_gradient_equals_the_oracle(loss_name):
    activation, loss_class, targets = CASES[loss_name]
    model = build_model(activation())
    loss_function = loss_class()
    data_loss = loss_function(model(Tensor(X)), targets)
    regularization_loss = loss_function.regularization_loss(model)
    (data_loss + regularization_loss).backward()

    expected = oracle_gradients(model, loss_name, X, targets)
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
    expected = oracle_gradients(model, "cce", X, targets)
    assert np.abs(model[0].weights.grad - expected["0.weights"]).max() > 1e-6
