"""nn.Model semantics: batching, history, modes, printing, checks, parameters and files."""
import math

import numpy as np
import pytest

import tensorgrad
from nn.activations import Linear, ReLU, Sigmoid, Softmax
from nn.data import spiral_data
from nn.layers import Dense, Dropout
from nn.losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError
from nn.metrics import CategoricalAccuracy, RegressionAccuracy
from nn.model import Model
from nn.module import Module, Sequential
from nn.optimizers import SGD, Adam


class Spy(Module):
    """An identity layer that records what passes through it, and in which mode."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []

    def forward(self, x):
        self.calls.append((np.array(x.data if isinstance(x, tensorgrad.Tensor) else x), self.training,
                           tensorgrad.is_grad_enabled()))
        return x


def classifier(seed=0, hidden=16, dropout=None, spy=None, optimizer=None, l2=0.0):
    model = Model(seed=seed)
    model.add(Dense(2, hidden, weight_regularizer_l2=l2, bias_regularizer_l2=l2, seed=seed))
    model.add(ReLU())
    if dropout is not None:
        model.add(Dropout(dropout, seed=seed))
    if spy is not None:
        model.add(spy)
    model.add(Dense(hidden, 3, seed=seed + 1))
    model.add(Softmax())
    model.set(loss=CategoricalCrossEntropy(), optimizer=optimizer or Adam(learning_rate=0.05),
              accuracy=CategoricalAccuracy())
    return model.finalize()


@pytest.fixture(scope="module")
def spiral():
    return spiral_data(20, 3, seed=0)


# --------------------------------------------------------------------------- building

def test_layers_are_registered_in_order_and_model_is_an_expression(spiral):
    X, _ = spiral
    model = classifier()
    assert [name for name, _ in model.named_parameters()] == ["0.weights", "0.biases", "2.weights", "2.biases"]
    assert len(model.layers) == 4
    expected = X
    for layer in model.layers:
        expected = layer(expected)
    np.testing.assert_array_equal(model(X).data, expected.data)
    assert "(0): Dense" in repr(model)


def test_a_model_is_a_module_inside_other_modules(spiral):
    X, y = spiral
    inner = Sequential(Dense(2, 8, seed=0), ReLU())
    model = Model()
    model.add(inner)
    model.add(Dense(8, 3, seed=1))
    model.add(Softmax())
    model.set(loss=CategoricalCrossEntropy(), optimizer=Adam(), accuracy=CategoricalAccuracy())
    model.finalize()
    history = model.train(X, y, epochs=2, verbose=False)
    assert len(history["loss"]) == 2
    assert [name for name, _ in model.named_parameters()][:2] == ["0.0.weights", "0.0.biases"]
    outer = Sequential(model, Linear())
    np.testing.assert_array_equal(outer(X).data, model(X).data)


def test_set_and_add_check_types():
    model = Model()
    with pytest.raises(TypeError, match="module: expected a Module"):
        model.add(np.eye(2))
    with pytest.raises(TypeError, match=r"loss: expected an nn.Loss"):
        model.set(loss=Softmax())
    with pytest.raises(TypeError, match=r"optimizer: expected an nn.Optimizer"):
        model.set(optimizer=0.01)
    with pytest.raises(TypeError, match=r"accuracy: expected an nn.Accuracy"):
        model.set(accuracy="accuracy")
    with pytest.raises(TypeError, match="seed"):
        Model(seed=1.5)


def test_train_needs_loss_optimizer_accuracy_and_layers(spiral):
    X, y = spiral
    model = Model()
    model.add(Dense(2, 3))
    with pytest.raises(RuntimeError, match="set the model's loss, optimizer, accuracy first"):
        model.train(X, y)
    empty = Model().set(loss=CategoricalCrossEntropy(), optimizer=Adam(), accuracy=CategoricalAccuracy())
    with pytest.raises(ValueError, match="no layers"):
        empty.train(X, y)


def test_finalize_gives_the_optimizer_the_parameters_and_keeps_its_state(spiral):
    X, y = spiral
    model = classifier()
    assert model.optimizer.params == model.parameters()
    assert model.output_activation is model.layers[-1]
    model.train(X, y, epochs=3, verbose=False)
    moments = [array.copy() for array in model.optimizer.buffers[model.optimizer.buffer_names[0]]]
    model.set(accuracy=CategoricalAccuracy())  # any set or add: finalize again before training
    with pytest.raises(RuntimeError, match=r"train: call model.finalize\(\)"):
        model.train(X, y, verbose=False)
    model.finalize()
    assert model.optimizer.iterations == 3
    for kept, now in zip(moments, model.optimizer.buffers[model.optimizer.buffer_names[0]], strict=False):
        np.testing.assert_array_equal(kept, now)


# --------------------------------------------------------------------------- batching

@pytest.mark.parametrize("batch_size", [None, 7, 20, 60, 100])
def test_steps_are_ceil_n_over_batch_with_a_remainder_batch(spiral, batch_size):
    X, y = spiral  # 60 samples
    spy = Spy()
    model = classifier(spy=spy)
    model.train(X, y, epochs=2, batch_size=batch_size, verbose=False)
    steps = 1 if batch_size is None else math.ceil(60 / batch_size)
    assert model.optimizer.iterations == 2 * steps
    sizes = [len(x) for x, _, _ in spy.calls]
    size = 60 if batch_size is None else min(batch_size, 60)
    expected = [size] * (steps - 1) + [60 - size * (steps - 1)]
    assert sizes == expected * 2


def test_one_permutation_per_epoch_and_no_shuffle_in_order(spiral):
    _, y = spiral
    X = np.column_stack([np.arange(60), np.zeros(60)]).astype(np.float32)  # row i holds i
    spy = Spy()
    model = Model(seed=0)
    model.add(spy)
    model.add(Dense(2, 3, seed=0))
    model.add(Softmax())
    model.set(loss=CategoricalCrossEntropy(), optimizer=Adam(), accuracy=CategoricalAccuracy())
    model.finalize()
    model.train(X, y, epochs=2, batch_size=25, verbose=False)
    orders = []
    for first_step in (0, 3):
        seen = np.concatenate([x for x, _, _ in spy.calls[first_step:first_step + 3]])
        order = seen[:, 0].astype(int).tolist()
        assert sorted(order) == list(range(60))  # every sample once per epoch
        orders.append(order)
    assert orders[0] != orders[1] and orders[0] != list(range(60))
    spy.calls.clear()
    model.train(X, y, epochs=1, batch_size=25, shuffle=False, verbose=False)
    np.testing.assert_array_equal(np.concatenate([x for x, _, _ in spy.calls]), X)


def test_seeded_models_train_identically(spiral):
    X, y = spiral
    first = classifier(seed=3).train(X, y, epochs=3, batch_size=16, verbose=False)
    second = classifier(seed=3).train(X, y, epochs=3, batch_size=16, verbose=False)
    assert first == second


# --------------------------------------------------------------------------- history

def test_history_keys_and_figures(spiral):
    X, y = spiral
    model = classifier(l2=1e-3, optimizer=Adam(learning_rate=0.05, decay=0.1))
    history = model.train(X, y, epochs=4, batch_size=32, validation_data=(X, y), verbose=False)
    assert set(history) == {"loss", "data_loss", "regularization_loss", "accuracy", "learning_rate",
                            "val_loss", "val_accuracy"}
    assert all(len(values) == 4 for values in history.values())
    np.testing.assert_allclose(history["loss"], np.add(history["data_loss"], history["regularization_loss"]))
    assert all(value > 0 for value in history["regularization_loss"])
    # 2 steps per epoch; the last step of epoch e ran with iterations = 2e - 1
    np.testing.assert_allclose(history["learning_rate"], [0.05 / (1 + 0.1 * (2 * e - 1)) for e in range(1, 5)])
    final_loss, final_accuracy = model.evaluate(X, y)
    assert history["val_loss"][-1] == pytest.approx(final_loss)
    assert history["val_accuracy"][-1] == final_accuracy
    assert "val_loss" not in model.train(X, y, epochs=1, verbose=False)


def test_epoch_figures_weight_the_remainder_batch(spiral):
    """With a step too small to move the weights, the epoch's accumulated data loss and
    accuracy over unequal batches must equal the whole set's."""
    X, y = spiral
    model = classifier(optimizer=SGD(learning_rate=1e-30))
    loss, accuracy = model.evaluate(X, y)
    history = model.train(X, y, epochs=1, batch_size=25, shuffle=False, verbose=False)  # 25, 25, 10
    assert history["data_loss"][0] == pytest.approx(loss, rel=1e-5)
    assert history["accuracy"][0] == accuracy
    assert history["regularization_loss"] == [0.0]


def test_evaluate_reports_the_mean_data_loss_like_the_loss_object(spiral):
    X, y = spiral
    model = classifier(l2=1e-2)
    model.train(X, y, epochs=5, verbose=False)
    loss, accuracy = model.evaluate(X, y, batch_size=13)
    probabilities = model.predict(X)
    assert loss == pytest.approx(CategoricalCrossEntropy()(probabilities, y).item(), rel=1e-5)
    assert accuracy == np.mean(np.argmax(probabilities, axis=1) == y)


# --------------------------------------------------------------------------- modes

def test_dropout_is_active_only_while_training(spiral):
    _, y = spiral
    X = np.random.default_rng(0).uniform(1, 2, (60, 2)).astype(np.float32)  # no zeros
    spy = Spy()
    model = Model(seed=0)
    model.add(Dropout(0.5, seed=0))
    model.add(spy)
    model.add(Dense(2, 3, seed=0))
    model.add(Softmax())
    model.set(loss=CategoricalCrossEntropy(), optimizer=Adam(), accuracy=CategoricalAccuracy())
    model.finalize()
    model.train(X, y, epochs=2, batch_size=30, validation_data=(X, y), verbose=False)
    training = [x for x, is_training, _ in spy.calls if is_training]
    evaluating = [x for x, is_training, _ in spy.calls if not is_training]
    assert len(training) == 4 and len(evaluating) == 4  # validation uses the same batch size
    seen = np.concatenate(training)
    kept = seen != 0
    assert 0.4 < kept.mean() < 0.6  # about half dropped, the survivors scaled by 1 / (1 - 0.5)
    assert np.isin(seen[kept], 2 * X).all()
    np.testing.assert_array_equal(np.concatenate(evaluating[-2:]), X)  # ...and identity in evaluation
    np.testing.assert_array_equal(model.predict(X), model.predict(X))
    assert model.training is True  # the mode from before train() is restored
    model.eval()
    model.predict(X)
    assert model.training is False and model.layers[0].training is False


def test_evaluate_and_predict_record_no_graph(spiral):
    X, y = spiral
    spy = Spy()
    model = classifier(spy=spy)
    model.train(X, y, epochs=1, verbose=False)
    assert spy.calls[-1][1:] == (True, True)
    model.evaluate(X, y)
    assert spy.calls[-1][1:] == (False, False)
    output = model.predict(X, batch_size=7)
    assert spy.calls[-1][1:] == (False, False)
    assert isinstance(output, np.ndarray) and output.shape == (60, 3) and output.dtype == np.float32
    np.testing.assert_allclose(output, model.predict(X), rtol=1e-6)
    assert tensorgrad.is_grad_enabled()


# --------------------------------------------------------------------------- printing

def test_full_batch_prints_the_book_epoch_lines_every_print_every(spiral, capsys):
    X, y = spiral
    classifier().train(X, y, epochs=10, print_every=4, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch: 4", "epoch: 8", "epoch: 10"]
    assert all("acc: " in line and "(data_loss: " in line and "reg_loss: " in line and "lr: " in line
               for line in lines)


def test_mini_batch_prints_step_lines_epoch_lines_and_validation(spiral, capsys):
    X, y = spiral
    classifier().train(X, y, epochs=2, batch_size=25, print_every=2, validation_data=(X, y), verbose=True)
    captured = capsys.readouterr()
    heads = [line.split(", acc")[0] for line in captured.out.splitlines()]
    # global steps 2, 4 and 6 (the last) are due; epochs 1 and 2 both had one
    assert heads == [
        "epoch: 1, step: 2/3", "epoch: 1", "validation",
        "epoch: 2, step: 1/3", "epoch: 2, step: 3/3", "epoch: 2", "validation",
    ]
    # one tqdm bar per epoch on stderr, of 3 steps each, redrawn with its running figures
    # around every printed line, and cleared when its epoch ends
    assert "epoch 1/2:" in captured.err and "epoch 2/2:" in captured.err
    assert "/3 [" in captured.err and "6/6" not in captured.err
    assert "loss=" in captured.err and "acc=" in captured.err


def test_print_every_none_prints_only_one_summary_per_epoch(spiral, capsys):
    X, y = spiral
    history = classifier().train(X, y, epochs=3, batch_size=25, print_every=None, validation_data=(X, y))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(", acc")[0] for line in lines] == ["epoch: 1", "validation", "epoch: 2", "validation",
                                                          "epoch: 3", "validation"]
    for epoch in range(3):
        assert f"acc: {history['accuracy'][epoch]:.3f}, loss: {history['loss'][epoch]:.4g}" in lines[2 * epoch]
        assert f"acc: {history['val_accuracy'][epoch]:.3f}" in lines[2 * epoch + 1]


def test_verbose_false_prints_nothing(spiral, capsys):
    X, y = spiral
    classifier().train(X, y, epochs=3, batch_size=10, validation_data=(X, y), verbose=False)
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------- input checks

@pytest.mark.parametrize(
    "X, y, error, message",
    [
        (np.array([["a", "b"]] * 60), None, TypeError, "X: expected a float or integer array, got dtype <U1"),
        (np.zeros((60, 2), dtype=object), None, TypeError, "X: expected a float or integer array, got dtype object"),
        (np.full((60, 2), np.nan), None, ValueError, "X: expected finite values"),
        (np.full((60, 2), np.inf), None, ValueError, "X: expected finite values"),
        (np.full((60, 2), 1e300), None, ValueError,
         "X: expected values within the range of the parameters' dtype float32"),
        (np.zeros((60, 3), np.float32), None, ValueError,
         r"X: expected shape \(n, 2\) for the first Dense layer, got \(60, 3\)"),
        (np.zeros((0, 2), np.float32), np.zeros(0, np.int64), ValueError, "X: expected at least one sample"),
        (None, np.zeros(59, np.int64), ValueError, "y: expected 60 targets to match X, got shape \\(59,\\)"),
        (None, np.array(["a"] * 60), TypeError, "y: expected a numeric array"),
    ],
)
def test_bad_inputs_are_named(spiral, X, y, error, message):
    X_good, y_good = spiral
    model = classifier()
    X = X_good if X is None else X
    y = y_good if y is None else y
    with pytest.raises(error, match=message):
        model.train(X, y, verbose=False)
    with pytest.raises(error, match=message):
        model.evaluate(X, y)


def test_bad_settings_are_named(spiral):
    X, y = spiral
    model = classifier()
    with pytest.raises(ValueError, match="epochs: expected a positive integer, got 0"):
        model.train(X, y, epochs=0)
    with pytest.raises(ValueError, match="print_every: expected a positive integer"):
        model.train(X, y, print_every=0)
    with pytest.raises(ValueError, match="batch_size: expected a positive integer or None, got -1"):
        model.train(X, y, batch_size=-1)
    with pytest.raises(TypeError, match="validation_data: expected a pair"):
        model.train(X, y, validation_data=X)
    with pytest.raises(ValueError, match=r"validation_data\[1\]: expected 60 targets"):
        model.train(X, y, validation_data=(X, y[:5]))
    with pytest.raises(ValueError, match=r"X: expected shape \(n, 2\)"):
        model.predict(X[:, :1])
    assert model.optimizer.iterations == 0  # every refusal came before any step


def test_float64_and_integer_inputs_are_converted_to_the_parameters_dtype(spiral):
    X, y = spiral
    model = classifier()
    model.train(X.astype(np.float64), y, epochs=1, verbose=False)
    assert model.predict(X.astype(np.float64)).dtype == np.float32
    assert model.predict(np.ones((2, 2), dtype=np.int64)).dtype == np.float32


# --------------------------------------------------------------------------- parameters and files

def test_get_and_set_parameters_round_trip_and_strictness(spiral):
    X, y = spiral
    trained = classifier(seed=1)
    trained.train(X, y, epochs=5, verbose=False)
    fresh = classifier(seed=2)
    parameters = trained.get_parameters()
    assert [tuple(a.shape for a in layer) for layer in parameters] == [((2, 16), (1, 16)), ((16, 3), (1, 3))]
    fresh.set_parameters(parameters)
    np.testing.assert_array_equal(fresh.predict(X), trained.predict(X))
    parameters[0][0][...] = 7  # get_parameters returns copies
    assert not np.any(trained.layers[0].weights.data == 7)
    before = fresh.state_dict()
    broken = [parameters[0], (parameters[1][0], parameters[1][1].astype(np.float64))]
    with pytest.raises(ValueError, match=r"parameters\[1\]\[1\]: expected shape \(1, 3\) and dtype float32"):
        fresh.set_parameters(broken)
    for name, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, before[name])  # nothing changed


def test_state_dict_round_trip_gives_identical_predictions(spiral):
    X, y = spiral
    trained = classifier(seed=1)
    trained.train(X, y, epochs=5, verbose=False)
    fresh = classifier(seed=2)
    fresh.load_state_dict(trained.state_dict())
    np.testing.assert_array_equal(fresh.predict(X), trained.predict(X))


def test_other_heads_and_regression_accuracy_reinit():
    X = np.linspace(-1, 1, 40, dtype=np.float32).reshape(-1, 1)
    model = Model()
    model.add(Dense(1, 8, seed=0))
    model.add(ReLU())
    model.add(Dense(8, 1, seed=1))
    model.add(Linear())
    model.set(loss=MeanSquaredError(), optimizer=Adam(learning_rate=0.01), accuracy=RegressionAccuracy())
    model.finalize()
    model.train(X, 2 * X, epochs=2, verbose=False)
    assert model.accuracy.precision == pytest.approx(np.std(2 * X) / 250)
    model.train(X, 10 * X, epochs=1, verbose=False)  # a new train call recomputes it
    assert model.accuracy.precision == pytest.approx(np.std(10 * X) / 250)

    binary = Model()
    binary.add(Dense(1, 1, seed=0))
    binary.add(Sigmoid())
    binary.set(loss=BinaryCrossEntropy(), optimizer=Adam(), accuracy=CategoricalAccuracy(binary=True))
    binary.finalize()
    labels = (X > 0).astype(np.int64)
    history = binary.train(X, labels, epochs=2, verbose=False)
    assert 0.0 <= history["accuracy"][-1] <= 1.0
    with pytest.raises(ValueError, match=r"targets must have the predictions' shape \(40, 1\), got \(40,\)"):
        binary.train(X, labels.ravel(), epochs=1, verbose=False)


def test_one_hot_targets_train_like_integer_labels(spiral):
    X, y = spiral
    with_labels = classifier(seed=4).train(X, y, epochs=3, verbose=False)
    with_one_hot = classifier(seed=4).train(X, np.eye(3, dtype=np.float32)[y], epochs=3, verbose=False)
    np.testing.assert_allclose(with_one_hot["loss"], with_labels["loss"], rtol=1e-6)
    assert with_one_hot["accuracy"] == with_labels["accuracy"]


# --------------------------------------------------------------------------- what a model asks of its layers


class Scale(Module):
    """A layer of a user's own: x * scale, with an L2 penalty and a width of its own."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width
        self.scale = tensorgrad.Tensor(np.full((1, width), 2.0, np.float32), requires_grad=True)

    def forward(self, x):
        return x * self.scale  # x is an array or a Tensor; either multiplies a Tensor

    @property
    def input_shape(self):
        return (self.width,)

    @property
    def output_size(self):
        return self.width

    def regularization_penalty(self):
        return 0.5 * (self.scale * self.scale).sum()

    def get_config(self):
        return {"width": self.width}


def scaled_classifier() -> Model:
    model = Model(seed=0)
    model.add(Scale(3))
    model.add(Softmax())
    model.set(loss=CategoricalCrossEntropy(), optimizer=SGD(learning_rate=0.1), accuracy=CategoricalAccuracy())
    return model.finalize()


def test_a_layer_of_your_own_offers_its_penalty_and_sizes():
    model = scaled_classifier()
    X = np.random.default_rng(0).standard_normal((12, 3)).astype(np.float32)
    y = np.arange(12) % 3
    history = model.train(X, y, epochs=1, verbose=False)
    scale = model.layers[0].scale.data
    assert history["regularization_loss"][0] == pytest.approx(0.5 * float((scale ** 2).sum()))
    assert history["loss"][0] == pytest.approx(history["data_loss"][0] + history["regularization_loss"][0])
    with pytest.raises(ValueError, match=r"X: expected shape \(n, 3\) for the first Scale layer, got \(12, 2\)"):
        model.train(X[:, :2], y, verbose=False)
    with pytest.raises(ValueError, match=r"y: expected class labels in \[0, 2\] for the 3 outputs"):
        model.train(X, y + 1, verbose=False)


def test_the_penalty_takes_part_in_the_gradient():
    """One SGD step on a zero data gradient (uniform outputs): only the penalty moves scale."""
    model = Model()
    model.add(Scale(2))
    model.add(Linear())
    model.set(loss=MeanSquaredError(), optimizer=SGD(learning_rate=0.1), accuracy=RegressionAccuracy(precision=1.0))
    model.finalize()
    X = np.zeros((4, 2), np.float32)
    model.train(X, X, epochs=1, verbose=False)
    np.testing.assert_allclose(model.layers[0].scale.data, 2.0 - 0.1 * 2.0)  # d(0.5 s^2)/ds = s
