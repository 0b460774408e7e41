"""nn.book: the book's class names and call sequence, with every gradient from the engine.

A chapter-style training script written exactly in the book's style must end with the same
float64 weights as the same network trained with nn (Model), bit for bit, and as the book's
hand-written backward in tests/analytic.py, within 1e-12 (1e-10 for AdaGrad and RMSprop,
see OPTIMIZERS).
"""
import re
from pathlib import Path

import analytic
import numpy as np
import pytest

import nn
from nn import book

# nn.Adam computes the book's update in an equivalent order (one pass fewer), so it and
# the oracle differ by rounding, which training amplifies: 3e-14 after 30 epochs here,
# 3e-12 after 60.
EPOCHS = 30
TOLERANCE = 1e-12

# AdaGrad and RMSprop's steps are g / (sqrt(cache) + 1e-7): for a gradient near zero, a
# rounding difference of 1e-18 between the engine's composed cross-entropy and the book's
# (p - y) / n moves the weight by up to learning_rate / 1e-7 times as much, so their oracle
# comparison allows 1e-10; SGD and Adam meet 1e-12. (The book's classes and nn, which run
# the same engine, agree bit for bit with every optimizer.)
OPTIMIZERS = {  # book class, nn class, tests/analytic.py class, hyper-parameters (the book's chapter 10), tolerance
    "sgd-momentum": (book.Optimizer_SGD, nn.SGD, analytic.SGD, {"learning_rate": 1.0, "decay": 1e-3, "momentum": 0.9},
                     TOLERANCE),
    "adagrad": (book.Optimizer_Adagrad, nn.Adagrad, analytic.Adagrad, {"learning_rate": 1.0, "decay": 1e-4}, 1e-10),
    "rmsprop": (book.Optimizer_RMSprop, nn.RMSprop, analytic.RMSprop,
                {"learning_rate": 0.02, "decay": 1e-5, "rho": 0.999}, 1e-10),
    "adam": (book.Optimizer_Adam, nn.Adam, analytic.Adam, {"learning_rate": 0.05, "decay": 5e-7}, TOLERANCE),
}


def spiral():
    X, y = nn.spiral_data(samples=60, classes=3, seed=0)
    return X.astype(np.float64), y


def book_chapter_script(optimizer_class, hyper, X, y, epochs=EPOCHS):
    """The book's chapter 10 loop, typed as in the book (only the imports differ)."""
    np.random.seed(0)
    dense1 = book.Layer_Dense(2, 64)
    activation1 = book.Activation_ReLU()
    dense2 = book.Layer_Dense(64, 3)
    loss_activation = book.Activation_Softmax_Loss_CategoricalCrossentropy()
    optimizer = optimizer_class(**hyper)
    initial = [dense1.weights.copy(), dense1.biases.copy(), dense2.weights.copy(), dense2.biases.copy()]
    losses = []
    for _epoch in range(epochs):
        dense1.forward(X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        loss = loss_activation.forward(dense2.output, y)
        predictions = np.argmax(loss_activation.output, axis=1)
        accuracy = np.mean(predictions == y)
        losses.append(loss)

        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)

        optimizer.pre_update_params()
        optimizer.update_params(dense1)
        optimizer.update_params(dense2)
        optimizer.post_update_params()
    assert 0 <= accuracy <= 1
    final = [dense1.weights, dense1.biases, dense2.weights, dense2.biases]
    return initial, final, losses, optimizer


def nn_model(optimizer_class, hyper, initial, X, y, epochs=EPOCHS):
    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 64, dtype=np.float64))
    model.add(nn.ReLU())
    model.add(nn.Dense(64, 3, dtype=np.float64))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=optimizer_class(**hyper),
              accuracy=nn.CategoricalAccuracy())
    model.finalize()
    for parameter, start in zip(model.parameters(), initial, strict=False):
        parameter.data = start.copy()
    history = model.train(X, y, epochs=epochs, verbose=False)
    return [p.data for p in model.parameters()], history["data_loss"]


def hand_written(optimizer_class, hyper, initial, X, y, epochs=EPOCHS):
    """The book's own backward (tests/analytic.py), no tensorgrad at all."""
    params = {name: array.copy() for name, array in zip(("W1", "b1", "W2", "b2"), initial, strict=False)}
    optimizer = optimizer_class(**hyper)
    for _ in range(epochs):
        hidden = X @ params["W1"] + params["b1"]
        activated = np.maximum(0, hidden)
        probabilities = analytic.softmax(activated @ params["W2"] + params["b2"])
        dlogits = analytic.softmax_categorical_cross_entropy_backward(probabilities, y)
        dW2, db2, dactivated = analytic.dense_backward(dlogits, activated, params["W2"])
        dhidden = analytic.relu_backward(dactivated, hidden)
        dW1, db1, _ = analytic.dense_backward(dhidden, X, params["W1"])
        optimizer.step(params, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2})
    return list(params.values())


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_book_style_script_trains_the_same_weights_as_nn_and_as_the_books_formulas(name):
    book_optimizer, nn_optimizer, oracle_optimizer, hyper, tolerance = OPTIMIZERS[name]
    X, y = spiral()
    initial, final, losses, optimizer = book_chapter_script(book_optimizer, hyper, X, y)
    assert optimizer.iterations == EPOCHS
    assert all(w.dtype == np.float64 for w in final)
    assert not np.allclose(final[0], initial[0])  # it trained
    nn_weights, nn_losses = nn_model(nn_optimizer, hyper, initial, X, y)
    oracle_weights = hand_written(oracle_optimizer, hyper, initial, X, y)
    for ours, theirs, oracle in zip(final, nn_weights, oracle_weights, strict=False):
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_allclose(ours, oracle, rtol=0, atol=tolerance)
    np.testing.assert_array_equal(losses, nn_losses)


def test_the_weights_start_as_in_the_book_from_numpys_global_generator():
    np.random.seed(0)
    layer = book.Layer_Dense(2, 3)
    np.random.seed(0)
    np.testing.assert_array_equal(layer.weights, 0.01 * np.random.randn(2, 3))
    np.testing.assert_array_equal(layer.biases, np.zeros((1, 3)))


@pytest.fixture
def batch():
    rng = np.random.default_rng(3)
    return rng.standard_normal((5, 4)), rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])


def test_each_backward_equals_the_books_formula(batch):
    inputs, dvalues, labels = batch
    dense = book.Layer_Dense(4, 3)
    dense.forward(inputs)
    np.testing.assert_allclose(dense.output, inputs @ dense.weights + dense.biases, atol=TOLERANCE)
    dense.backward(dvalues)
    for ours, formula in zip((dense.dweights, dense.dbiases, dense.dinputs),
                             analytic.dense_backward(dvalues, inputs, dense.weights), strict=False):
        np.testing.assert_allclose(ours, formula, rtol=0, atol=TOLERANCE)

    relu = book.Activation_ReLU()
    relu.forward(inputs)
    relu.backward(dvalues[:, :1] * inputs)
    np.testing.assert_allclose(relu.dinputs, analytic.relu_backward(dvalues[:, :1] * inputs, inputs), atol=TOLERANCE)

    softmax = book.Activation_Softmax()
    softmax.forward(dvalues)
    softmax.backward(inputs[:, :3])
    np.testing.assert_allclose(softmax.dinputs, analytic.softmax_backward(inputs[:, :3], softmax.output),
                               rtol=0, atol=TOLERANCE)

    loss = book.Loss_CategoricalCrossentropy()
    value = loss.calculate(softmax.output, labels)
    assert value == pytest.approx(-np.mean(np.log(softmax.output[np.arange(5), labels])), abs=TOLERANCE)
    loss.backward(softmax.output, labels)
    np.testing.assert_allclose(loss.dinputs, analytic.categorical_cross_entropy_backward(softmax.output, labels),
                               rtol=0, atol=TOLERANCE)

    combined = book.Activation_Softmax_Loss_CategoricalCrossentropy()
    assert combined.forward(dvalues, labels) == pytest.approx(value, abs=TOLERANCE)
    combined.backward(combined.output, labels)
    np.testing.assert_allclose(
        combined.dinputs, analytic.softmax_categorical_cross_entropy_backward(combined.output, labels),
        rtol=0, atol=TOLERANCE)


def test_regularized_dense_adds_the_penalty_gradient_as_the_book_does(batch):
    inputs, dvalues, _ = batch
    dense = book.Layer_Dense(4, 3, weight_regularizer_l2=5e-4, bias_regularizer_l2=1e-3)
    dense.biases = np.array([[0.5, -0.25, 1.0]])
    dense.forward(inputs)
    dense.backward(dvalues)
    dweights, dbiases, dinputs = analytic.dense_backward(dvalues, inputs, dense.weights)
    np.testing.assert_allclose(dense.dweights, dweights + analytic.l2_penalty_backward(dense.weights, 5e-4),
                               rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(dense.dbiases, dbiases + analytic.l2_penalty_backward(dense.biases, 1e-3),
                               rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(dense.dinputs, dinputs, rtol=0, atol=TOLERANCE)
    loss = book.Loss_CategoricalCrossentropy()
    expected = 5e-4 * np.sum(dense.weights ** 2) + 1e-3 * np.sum(dense.biases ** 2)
    assert loss.regularization_loss(dense) == pytest.approx(expected, rel=1e-12)
    assert dense.weight_regularizer_l2 == 5e-4


def test_regression_and_binary_losses_and_activations_follow_the_formulas(batch):
    inputs, _, _ = batch
    targets = (inputs[:, :2] > 0) * 1.0
    sigmoid = book.Activation_Sigmoid()
    sigmoid.forward(inputs[:, :2])
    bce = book.Loss_BinaryCrossentropy()
    bce.calculate(sigmoid.output, targets)
    bce.backward(sigmoid.output, targets)
    np.testing.assert_allclose(bce.dinputs, analytic.binary_cross_entropy_backward(sigmoid.output, targets),
                               rtol=1e-10, atol=TOLERANCE)
    sigmoid.backward(bce.dinputs)
    np.testing.assert_allclose(sigmoid.dinputs, analytic.sigmoid_backward(bce.dinputs, sigmoid.output),
                               rtol=1e-10, atol=TOLERANCE)
    for loss, formula in ((book.Loss_MeanSquaredError(), analytic.mean_squared_error_backward),
                          (book.Loss_MeanAbsoluteError(), analytic.mean_absolute_error_backward)):
        loss.backward(inputs[:, :2], targets)
        np.testing.assert_allclose(loss.dinputs, formula(inputs[:, :2], targets), rtol=0, atol=TOLERANCE)
    linear = book.Activation_Linear()
    linear.forward(inputs)
    linear.backward(inputs)
    np.testing.assert_array_equal(linear.dinputs, analytic.linear_backward(inputs))


def test_dropout_backward_uses_the_forward_mask():
    layer = book.Layer_Dropout(0.5, seed=0)
    ones = np.ones((6, 8))
    layer.forward(ones)
    layer.backward(ones)
    np.testing.assert_array_equal(layer.dinputs, analytic.dropout_backward(ones, layer.output))
    layer.forward(ones, training=False)
    np.testing.assert_array_equal(layer.output, ones)


def test_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="forward"):
        book.Activation_ReLU().backward(np.ones((2, 2)))


def test_no_backward_in_nn_is_written_by_hand():
    """nn's only `def backward(` is nn.book's shared adapter, whose body asks the engine."""
    found = [(path.name, number) for path in sorted(Path(nn.__file__).parent.glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.match(r"\s*def backward\(", line)]
    assert len(found) == 1 and found[0][0] == "book.py", found
    source = Path(book.__file__).read_text(encoding="utf-8")
    body = source.split("    def backward(", 1)[1].split("\n\n\n", 1)[0]
    assert "tensorgrad.grad(" in body
    assert not re.search(r"np\.(sum|dot|exp|log|maximum|where|sign|eye)\b|\.T\b|@", body), \
        "the adapters' backward must only call the engine"


def test_chapter_15_style_with_l2_and_dropout_trains_the_same_weights_as_nn():
    """The book's chapters 14-15 loop: L2 on both layers, dropout between them, the
    penalty's gradient added inside backward; nn.Model with the same seeds (so the same
    dropout masks). The book adds the penalty's gradient to the data gradient in a
    different order than Model's one backward of data + penalty, so they agree to
    rounding (about 1e-15), not bit for bit."""
    X, y = spiral()
    np.random.seed(1)
    dense1 = book.Layer_Dense(2, 32, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4)
    activation1 = book.Activation_ReLU()
    dropout1 = book.Layer_Dropout(0.1, seed=3)
    dense2 = book.Layer_Dense(32, 3)
    loss_activation = book.Activation_Softmax_Loss_CategoricalCrossentropy()
    optimizer = book.Optimizer_Adam(learning_rate=0.05, decay=5e-5)
    initial = [dense1.weights.copy(), dense1.biases.copy(), dense2.weights.copy(), dense2.biases.copy()]
    for _epoch in range(EPOCHS):
        dense1.forward(X)
        activation1.forward(dense1.output)
        dropout1.forward(activation1.output)
        dense2.forward(dropout1.output)
        data_loss = loss_activation.forward(dense2.output, y)
        regularization_loss = (loss_activation.loss.regularization_loss(dense1)
                               + loss_activation.loss.regularization_loss(dense2))
        assert regularization_loss > 0 and np.isfinite(data_loss)
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        dropout1.backward(dense2.dinputs)
        activation1.backward(dropout1.dinputs)
        dense1.backward(activation1.dinputs)
        optimizer.pre_update_params()
        optimizer.update_params(dense1)
        optimizer.update_params(dense2)
        optimizer.post_update_params()

    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 32, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4, dtype=np.float64))
    model.add(nn.ReLU())
    model.add(nn.Dropout(0.1, seed=3))
    model.add(nn.Dense(32, 3, dtype=np.float64))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.05, decay=5e-5),
              accuracy=nn.CategoricalAccuracy())
    model.finalize()
    for parameter, start in zip(model.parameters(), initial, strict=False):
        parameter.data = start.copy()
    model.train(X, y, epochs=EPOCHS, verbose=False)
    for ours, theirs in zip([dense1.weights, dense1.biases, dense2.weights, dense2.biases], model.parameters(), strict=False):
        np.testing.assert_allclose(ours, theirs.data, rtol=0, atol=TOLERANCE)
    assert not np.allclose(dense1.weights, initial[0])
