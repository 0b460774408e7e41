"""Every bad argument to Model.train/evaluate/predict, the losses and the accuracies is
refused up front with an error naming the argument, the expected and the actual value,
and the model is left exactly as it was (no step taken)."""
import numpy as np
import pytest

import nn

X, LABELS = nn.spiral_data(20, 3, seed=0)  # 60 samples, 2 features, labels 0..2
ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]


def classifier() -> nn.Model:
    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 8, seed=1))
    model.add(nn.ReLU())
    model.add(nn.Dense(8, 3, seed=2))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(), accuracy=nn.CategoricalAccuracy())
    return model.finalize()


def with_value(array: np.ndarray, value, dtype=None) -> np.ndarray:
    changed = array.astype(dtype or array.dtype)
    changed.flat[7] = value
    return changed


def train(X=X, y=LABELS, **options):
    return lambda model: model.train(X, y, verbose=False, **options)


def evaluate(X=X, y=LABELS, **options):
    return lambda model: model.evaluate(X, y, **options)


def predict(X=X, **options):
    return lambda model: model.predict(X, **options)


CASES = {
    # features
    "train X with 3 features": (train(X=np.zeros((60, 3), np.float32)), ValueError, r"X: expected shape \(n, 2\) for the first Dense layer, got \(60, 3\)"),
    "train X 1-D": (train(X=X[:, 0]), ValueError, r"X: expected shape \(n, 2\)"),
    "evaluate X with 1 feature": (evaluate(X=X[:, :1]), ValueError, r"X: expected shape \(n, 2\)"),
    "predict X with 3 features": (predict(X=np.zeros((4, 3))), ValueError, r"X: expected shape \(n, 2\)"),
    # lengths and emptiness
    "train y shorter than X": (train(y=LABELS[:-1]), ValueError, r"y: expected 60 targets to match X, got shape \(59,\)"),
    "evaluate y longer than X": (evaluate(y=np.append(LABELS, 0)), ValueError, r"y: expected 60 targets"),
    "train empty X and y": (train(X=X[:0], y=LABELS[:0]), ValueError, "X: expected at least one sample"),
    "predict empty X": (predict(X=X[:0]), ValueError, "X: expected at least one sample"),
    # labels and one-hot targets
    "train label 3 for 3 outputs": (train(y=with_value(LABELS, 3)), ValueError, r"y: expected class labels in \[0, 2\] for the 3 outputs, got values from 0 to 3"),
    "train label -1": (train(y=with_value(LABELS, -1)), ValueError, r"y: expected class labels in \[0, 2\] for the 3 outputs, got values from -1 to 2"),
    "evaluate label 9": (evaluate(y=with_value(LABELS, 9)), ValueError, r"y: expected class labels in \[0, 2\]"),
    "validation label 5": (train(validation_data=(X, with_value(LABELS, 5))), ValueError, r"validation_data\[1\]: expected class labels in \[0, 2\]"),
    "train float labels": (train(y=LABELS.astype(np.float32)), TypeError, "y: expected integer class labels or one-hot rows, got dtype float32"),
    "train one-hot of width 4": (train(y=np.eye(4, dtype=np.float32)[LABELS]), ValueError, r"y: expected one-hot rows of width 3 for the 3 outputs, got shape \(60, 4\)"),
    "evaluate one-hot of width 2": (evaluate(y=ONE_HOT[:, :2]), ValueError, r"y: expected one-hot rows of width 3"),
    # NaN and inf
    "train NaN in X": (train(X=with_value(X, np.nan)), ValueError, "X: expected finite values"),
    "train inf in X": (train(X=with_value(X, np.inf)), ValueError, "X: expected finite values"),
    "predict -inf in X": (predict(X=with_value(X, -np.inf)), ValueError, "X: expected finite values"),
    "train NaN in one-hot y": (train(y=with_value(ONE_HOT, np.nan)), ValueError, "y: expected finite values"),
    "evaluate inf in one-hot y": (evaluate(y=with_value(ONE_HOT, np.inf)), ValueError, "y: expected finite values"),
    # dtypes
    "train object X": (train(X=X.astype(object)), TypeError, "X: expected a float or integer array, got dtype object"),
    "train string X": (train(X=X.astype(str)), TypeError, "X: expected a float or integer array, got dtype <U"),
    "predict string X": (predict(X=X.astype(str)), TypeError, "X: expected a float or integer array"),
    "train object y": (train(y=LABELS.astype(object)), TypeError, "y: expected a numeric array of targets, got dtype object"),
    "evaluate string y": (evaluate(y=LABELS.astype(str)), TypeError, "y: expected a numeric array of targets"),
    # ragged nested lists
    "train ragged X": (train(X=[[0.1, 0.2], [0.3]] * 30), ValueError, "X: expected a rectangular array of numbers, got rows of different lengths"),
    "predict ragged X": (predict(X=[[0.1, 0.2], [0.3]]), ValueError, "X: expected a rectangular array of numbers"),
    "train ragged one-hot y": (train(y=[[1, 0, 0], [0, 1]] * 30), ValueError, "y: expected a rectangular array of numbers"),
    "validation ragged X": (train(validation_data=([[0.1, 0.2], [0.3]], LABELS[:2])), ValueError, r"validation_data\[0\]: expected a rectangular array"),
    # batch_size and epochs
    "train batch_size 0": (train(batch_size=0), ValueError, "batch_size: expected a positive integer or None, got 0"),
    "train batch_size -8": (train(batch_size=-8), ValueError, "batch_size: expected a positive integer or None, got -8"),
    "train batch_size 2.5": (train(batch_size=2.5), ValueError, "batch_size: expected a positive integer or None, got 2.5"),
    "train batch_size '8'": (train(batch_size="8"), ValueError, "batch_size: expected a positive integer or None, got '8'"),
    "train batch_size True": (train(batch_size=True), ValueError, "batch_size: expected a positive integer or None, got True"),
    "evaluate batch_size 0": (evaluate(batch_size=0), ValueError, "batch_size: expected a positive integer"),
    "predict batch_size -1": (predict(batch_size=-1), ValueError, "batch_size: expected a positive integer"),
    "train epochs 0": (train(epochs=0), ValueError, "epochs: expected a positive integer, got 0"),
    "train epochs -3": (train(epochs=-3), ValueError, "epochs: expected a positive integer, got -3"),
    "train epochs 1.5": (train(epochs=1.5), ValueError, "epochs: expected a positive integer, got 1.5"),
}


@pytest.mark.parametrize("call, error, message", CASES.values(), ids=CASES.keys())
def test_bad_argument_is_refused_and_the_model_is_untouched(call, error, message):
    model = classifier()
    before = model.state_dict()
    with pytest.raises(error, match=message):
        call(model)
    assert model.optimizer.iterations == 0
    after = model.state_dict()
    for name, array in before.items():
        np.testing.assert_array_equal(after[name], array)


def unset_model() -> nn.Model:
    model = nn.Model()
    model.add(nn.Dense(2, 3))
    model.add(nn.Softmax())
    return model


def unfinalized_model() -> nn.Model:
    return unset_model().set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(), accuracy=nn.CategoricalAccuracy())


def empty_model() -> nn.Model:
    return nn.Model().set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(), accuracy=nn.CategoricalAccuracy())


PROBABILITIES = np.full((60, 3), 1 / 3, dtype=np.float32)

SETUP_CASES = {
    "train without loss, optimizer, accuracy": (lambda: unset_model().train(X, LABELS), RuntimeError, "train: set the model's loss, optimizer, accuracy first"),
    "evaluate without loss": (lambda: unset_model().evaluate(X, LABELS), RuntimeError, "evaluate: set the model's loss, accuracy first"),
    "train with no layers": (lambda: empty_model().train(X, LABELS), ValueError, "train: the model has no layers"),
    "predict with no layers": (lambda: nn.Model().predict(X), ValueError, "predict: the model has no layers"),
    "finalize with no layers": (lambda: nn.Model().finalize(), ValueError, "finalize: the model has no layers"),
    "train before finalize": (lambda: unfinalized_model().train(X, LABELS), RuntimeError, r"train: call model.finalize\(\) after add\(...\) and set\(...\), before training"),
    "train after add without finalize": (lambda: classifier().add(nn.Linear()).train(X, LABELS), RuntimeError, r"train: call model.finalize\(\)"),
    "finalize without loss": (lambda: unset_model().set(optimizer=nn.Adam()).finalize(), ValueError, r"finalize: expected a loss and an optimizer, got no loss; call model.set\(loss=...\) first"),
    "finalize without optimizer": (lambda: unset_model().set(loss=nn.CategoricalCrossEntropy()).finalize(), ValueError, r"finalize: expected a loss and an optimizer, got no optimizer; call model.set\(optimizer=...\) first"),
    "finalize without loss and optimizer": (lambda: unset_model().finalize(), ValueError, "finalize: expected a loss and an optimizer, got no loss and no optimizer"),
    "Model seed -1": (lambda: nn.Model(seed=-1), ValueError, r"seed: expected None or an integer from 0 to 2\*\*128 - 1, got -1"),
    "Model seed 1.5": (lambda: nn.Model(seed=1.5), TypeError,  # type: ignore[arg-type]  # deliberately wrong
                        "seed: expected None or an integer"),
    "train() without data": (lambda: classifier().train(), TypeError, r"Model.train\(X, y, epochs=..., ...\) trains the model on data.*call model.train_mode\(\); model.eval\(\) switches"),
    "train(True), PyTorch's mode switch": (lambda: classifier().train(True), TypeError, r"call model.train_mode\(\)"),
    "loss with label 3": (lambda: nn.CategoricalCrossEntropy()(PROBABILITIES, with_value(LABELS, 3)), ValueError, r"labels must lie in \[0, 2\], got values from 0 to 3"),
    "loss with one-hot of width 4": (lambda: nn.CategoricalCrossEntropy()(PROBABILITIES, np.eye(4)[LABELS]), ValueError, r"targets must have the predictions' shape \(60, 3\), got \(60, 4\)"),
    "loss with string targets": (lambda: nn.MeanSquaredError()(PROBABILITIES, PROBABILITIES.astype(str)), TypeError, "targets must be numeric, got dtype <U"),
    "accuracy with y of another shape": (lambda: nn.CategoricalAccuracy().calculate(LABELS, LABELS[:-1]), ValueError, r"y: expected targets of the predictions' shape \(60,\), got \(59,\)"),
    "accuracy with string y": (lambda: nn.CategoricalAccuracy().calculate(LABELS, LABELS.astype(str)), TypeError, "y: expected a numeric array, got dtype <U"),
}


@pytest.mark.parametrize("call, error, message", SETUP_CASES.values(), ids=SETUP_CASES.keys())
def test_bad_setup_or_loss_or_accuracy_argument_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
