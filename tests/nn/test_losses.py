"""nn losses: values against the book's formulas in NumPy, and the regularization penalty."""
import numpy as np
import pytest

import nn
from tensorgrad import Tensor, no_grad

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((6, 4))
PROBABILITIES = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)
LABELS = RNG.integers(0, 4, 6)
SIGMOID = 1 / (1 + np.exp(-LOGITS))
BINARY = RNG.integers(0, 2, (6, 4)).astype(np.float64)
TARGETS = RNG.standard_normal((6, 4))


@pytest.mark.parametrize(
    "loss, predictions, targets, expected",
    [
        (nn.CategoricalCrossEntropy(), PROBABILITIES, LABELS, -np.log(PROBABILITIES[np.arange(6), LABELS])),
        (nn.CategoricalCrossEntropy(), PROBABILITIES, np.eye(4)[LABELS], -np.log(PROBABILITIES[np.arange(6), LABELS])),
        (nn.BinaryCrossEntropy(), SIGMOID, BINARY,
         -(BINARY * np.log(SIGMOID) + (1 - BINARY) * np.log(1 - SIGMOID)).mean(axis=1)),
        (nn.MeanSquaredError(), LOGITS, TARGETS, ((TARGETS - LOGITS) ** 2).mean(axis=1)),
        (nn.MeanAbsoluteError(), LOGITS, TARGETS, np.abs(TARGETS - LOGITS).mean(axis=1)),
    ],
    ids=["cce-labels", "cce-one-hot", "bce", "mse", "mae"],
)
def test_sample_losses_and_mean(loss, predictions, targets, expected):
    samples = loss.sample_losses(Tensor(predictions), targets)
    assert samples.shape == (6,)
    np.testing.assert_allclose(samples.data, expected, rtol=1e-12)
    mean = loss(Tensor(predictions), targets)
    assert mean.shape == ()
    np.testing.assert_allclose(mean.data, expected.mean(), rtol=1e-12)


def test_cce_clips_like_the_book():
    predictions = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(
        nn.CategoricalCrossEntropy().sample_losses(Tensor(predictions), np.array([1, 1])).data,
        [-np.log(1e-7), -np.log(1 - 1e-7)],
    )


def test_losses_accept_plain_arrays_and_report_bad_targets():
    loss = nn.MeanSquaredError()
    np.testing.assert_allclose(loss(LOGITS, TARGETS).data, ((TARGETS - LOGITS) ** 2).mean())
    with pytest.raises(ValueError, match=r"targets must have the predictions' shape \(6, 4\), got \(6,\)"):
        loss(LOGITS, TARGETS[:, 0])


# --------------------------------------------------------------------------- regularization

def book_penalty(layer):
    """The book's Loss.regularization_loss for one layer, in NumPy."""
    w, b = layer.weights.data, layer.biases.data
    return (layer.weight_regularizer_l1 * np.sum(np.abs(w)) + layer.weight_regularizer_l2 * np.sum(w * w)
            + layer.bias_regularizer_l1 * np.sum(np.abs(b)) + layer.bias_regularizer_l2 * np.sum(b * b))


def regularized_model():
    first = nn.Dense(3, 5, 1e-2, 2e-3, 3e-2, 4e-3, dtype=np.float64, seed=0, init="he")
    second = nn.Dense(5, 2, weight_regularizer_l2=5e-4, dtype=np.float64, seed=1, init="he")
    for layer in (first, second):
        layer.biases.data[...] = np.random.default_rng(2).standard_normal(layer.biases.shape)
    return nn.Sequential(first, nn.ReLU(), nn.Dropout(0.1), second, nn.Softmax())


def test_regularization_loss_sums_every_dense_layer():
    model = regularized_model()
    expected = book_penalty(model[0]) + book_penalty(model[3])
    penalty = nn.CategoricalCrossEntropy().regularization_loss(model)
    assert penalty.shape == ()
    np.testing.assert_allclose(penalty.data, expected, rtol=1e-14)


def test_regularization_loss_accepts_nested_modules_and_lists_counting_each_layer_once():
    model = regularized_model()
    expected = book_penalty(model[0]) + book_penalty(model[3])
    loss = nn.MeanSquaredError()
    wrapped = nn.Sequential(model, nn.Linear())
    np.testing.assert_allclose(loss.regularization_loss(wrapped).data, expected, rtol=1e-14)
    np.testing.assert_allclose(loss.regularization_loss([model[0], model[3], model]).data, expected, rtol=1e-14)
    with pytest.raises(TypeError, match="model_or_layers: expected Modules, got ndarray"):
        loss.regularization_loss([np.zeros(3)])


def test_regularization_loss_is_a_zero_tensor_without_regularizers():
    penalty = nn.BinaryCrossEntropy().regularization_loss(nn.Sequential(nn.Dense(2, 2), nn.Sigmoid()))
    assert isinstance(penalty, Tensor) and penalty.item() == 0.0 and not penalty.requires_grad


def test_regularization_gradient_is_the_books():
    """d/dw of l1*sum|w| + l2*sum w^2 is l1*sign(w) + 2*l2*w (weights are never exactly 0 here)."""
    model = regularized_model()
    nn.CategoricalCrossEntropy().regularization_loss(model).backward()
    first, second = model[0], model[3]
    np.testing.assert_allclose(
        first.weights.grad, 1e-2 * np.sign(first.weights.data) + 2 * 2e-3 * first.weights.data, rtol=1e-14)
    np.testing.assert_allclose(
        first.biases.grad, 3e-2 * np.sign(first.biases.data) + 2 * 4e-3 * first.biases.data, rtol=1e-14)
    np.testing.assert_allclose(second.weights.grad, 2 * 5e-4 * second.weights.data, rtol=1e-14)
    assert second.biases.grad is None  # no bias regularizer: no term built


def test_regularization_under_no_grad_records_nothing():
    with no_grad():
        penalty = nn.CategoricalCrossEntropy().regularization_loss(regularized_model())
    assert not penalty.requires_grad
