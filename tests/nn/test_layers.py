"""nn.Dense, nn.Dropout and the activations: values, initializations, statistics, checks."""
import numpy as np
import pytest

import nn
from tensorgrad import Tensor


def rng_array(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# --------------------------------------------------------------------------- Dense

def test_dense_shapes_dtype_and_zero_biases():
    layer = nn.Dense(4, 7)
    assert layer.weights.shape == (4, 7) and layer.biases.shape == (1, 7)
    assert layer.weights.dtype == np.float32 and layer.biases.dtype == np.float32
    assert layer.weights.requires_grad and layer.biases.requires_grad
    assert not np.any(layer.biases.data)
    assert nn.Dense(4, 7, dtype=np.float64).weights.dtype == np.float64


def test_dense_forward_is_x_at_weights_plus_biases():
    layer = nn.Dense(3, 2, dtype=np.float64, seed=0)
    layer.biases.data[...] = [[0.5, -1.0]]
    x = rng_array(5, 3)
    np.testing.assert_allclose(layer(x).data, x @ layer.weights.data + layer.biases.data, rtol=1e-15)


def test_dense_seed_reproduces_weights_without_touching_global_state():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first, second = nn.Dense(5, 6, seed=42), nn.Dense(5, 6, seed=42)
    np.testing.assert_array_equal(first.weights.data, second.weights.data)
    assert not np.array_equal(first.weights.data, nn.Dense(5, 6, seed=43).weights.data)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize(
    "init, expected_std",
    [("book", 0.01), ("he", np.sqrt(2 / 400)), ("glorot", np.sqrt(6 / 600) / np.sqrt(3))],
)
def test_dense_initializations_have_their_spread(init, expected_std):
    weights = nn.Dense(400, 200, init=init, dtype=np.float64, seed=0).weights.data
    assert abs(weights.mean()) < 0.05 * expected_std
    assert weights.std() == pytest.approx(expected_std, rel=0.02)


def test_glorot_is_uniform_within_its_limit():
    weights = nn.Dense(400, 200, init="glorot", dtype=np.float64, seed=0).weights.data
    limit = np.sqrt(6 / 600)
    assert weights.max() <= limit and weights.min() >= -limit
    assert weights.max() > 0.99 * limit and weights.min() < -0.99 * limit


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_inputs": 0}, ValueError, "n_inputs: expected a positive integer, got 0"),
        ({"n_neurons": 2.5}, ValueError, "n_neurons: expected a positive integer, got 2.5"),
        ({"weight_regularizer_l1": -1e-3}, ValueError, "weight_regularizer_l1: expected a finite number >= 0, got -0.001"),
        ({"bias_regularizer_l2": float("nan")}, ValueError, "bias_regularizer_l2: expected a finite number >= 0, got nan"),
        ({"weight_regularizer_l2": "5e-4"}, TypeError, "weight_regularizer_l2: expected a finite number >= 0, got '5e-4' \\(str\\)"),
        ({"init": "xavier"}, ValueError, r"init: expected one of \('book', 'he', 'glorot'\), got 'xavier'"),
        ({"dtype": np.int32}, ValueError, "dtype: expected a floating-point type, got int32"),
        ({"seed": -1}, ValueError, "seed: expected None or an integer from 0 to 2\\*\\*128 - 1, got -1"),
        ({"seed": 1.5}, TypeError, "seed: expected None or an integer from 0 to 2\\*\\*128 - 1, got 1.5"),
    ],
)
def test_dense_rejects_bad_arguments(kwargs, error, message):
    arguments = {"n_inputs": 2, "n_neurons": 3, **kwargs}
    with pytest.raises(error, match=message):
        nn.Dense(**arguments)


def test_dense_regularizer_factors_are_attributes():
    layer = nn.Dense(2, 3, 1e-1, 2e-2, 3e-3, 4e-4)
    assert (layer.weight_regularizer_l1, layer.weight_regularizer_l2,
            layer.bias_regularizer_l1, layer.bias_regularizer_l2) == (1e-1, 2e-2, 3e-3, 4e-4)


# --------------------------------------------------------------------------- Dropout

def test_dropout_zeroes_about_rate_and_preserves_the_mean():
    x = Tensor(np.ones((500, 400)))
    outputs = nn.Dropout(0.3, seed=0)(x).data
    assert np.mean(outputs == 0) == pytest.approx(0.3, abs=0.005)  # 200,000 draws: std 0.001
    assert outputs.mean() == pytest.approx(1.0, abs=0.01)
    np.testing.assert_allclose(np.unique(outputs), [0.0, 1 / 0.7])


def test_dropout_mask_is_the_contract_formula():
    """mask = (rng.random(shape) < 1 - rate) / (1 - rate) with the layer's own generator."""
    x = rng_array(6, 5)
    outputs = nn.Dropout(0.2, seed=11)(x).data
    mask = (np.random.default_rng(11).random((6, 5)) < 0.8) / 0.8
    np.testing.assert_array_equal(outputs, x * mask)


def test_dropout_in_eval_mode_returns_the_input_itself():
    x = Tensor(rng_array(4, 3), requires_grad=True)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x


def test_dropout_gradient_flows_through_kept_units_only():
    x = Tensor(rng_array(50, 20), requires_grad=True)
    nn.Dropout(0.4, seed=1)(x).sum().backward()
    mask = (np.random.default_rng(1).random((50, 20)) < 0.6) / 0.6
    np.testing.assert_array_equal(x.grad, mask)


def test_dropout_keeps_float32():
    assert nn.Dropout(0.1)(np.ones((3, 3), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_dropout_rate_outside_zero_one_is_refused(rate):
    with pytest.raises(ValueError, match=f"rate: expected a finite number >= 0 and < 1, got {rate}"):
        nn.Dropout(rate)


# --------------------------------------------------------------------------- activations

X = rng_array(8, 5, seed=3)


@pytest.mark.parametrize(
    "activation, expected",
    [
        (nn.ReLU(), np.maximum(X, 0)),
        (nn.Softmax(), np.exp(X) / np.exp(X).sum(axis=1, keepdims=True)),
        (nn.Sigmoid(), 1 / (1 + np.exp(-X))),
        (nn.Tanh(), np.tanh(X)),
        (nn.Linear(), X),
    ],
    ids=lambda value: type(value).__name__,
)
def test_activation_values(activation, expected):
    np.testing.assert_allclose(activation(X).data, expected, rtol=1e-12, atol=1e-15)


def test_activation_predictions_follow_the_book():
    outputs = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]])
    np.testing.assert_array_equal(nn.Softmax().predictions(outputs), [1, 0])
    np.testing.assert_array_equal(nn.Sigmoid().predictions(outputs), [[0, 1, 0], [1, 0, 0]])
    for identity in (nn.Linear(), nn.Tanh(), nn.ReLU()):
        np.testing.assert_array_equal(identity.predictions(outputs), outputs)
    np.testing.assert_array_equal(nn.Softmax().predictions(Tensor(outputs)), [1, 0])


def test_linear_is_the_identity_not_a_dense_layer():
    assert nn.Linear().parameters() == []
    assert "identity" in nn.Linear.__doc__ and "nn.Linear" in nn.Linear.__doc__
