"""nn.metrics: the book's accuracy classes, the confusion matrix and the per-class report."""
import numpy as np
import pytest

from nn.metrics import (
    CategoricalAccuracy,
    RegressionAccuracy,
    classification_report,
    confusion_matrix,
    format_report,
)


# --------------------------------------------------------------------------- accuracy

def test_categorical_accuracy_with_labels_and_one_hot():
    predictions = np.array([0, 2, 1, 1])
    labels = np.array([0, 1, 1, 1])
    assert CategoricalAccuracy().calculate(predictions, labels) == 0.75
    one_hot = np.eye(3)[labels]
    assert CategoricalAccuracy().calculate(predictions, one_hot) == 0.75


def test_binary_accuracy_compares_every_output():
    predictions = np.array([[1], [0], [1], [1]])
    y = np.array([[1], [1], [1], [0]])
    assert CategoricalAccuracy(binary=True).calculate(predictions, y) == 0.5


def test_accuracy_refuses_to_broadcast_mismatched_shapes():
    """(n, 1) against (n,) would silently compare n*n pairs."""
    with pytest.raises(ValueError, match=r"y: expected targets of the predictions' shape \(4, 1\), got \(4,\)"):
        CategoricalAccuracy(binary=True).compare(np.zeros((4, 1)), np.zeros(4))


def test_accumulated_accuracy_weights_batches_by_size():
    accuracy = CategoricalAccuracy()
    assert accuracy.calculate(np.array([1, 1, 1, 1]), np.array([1, 1, 1, 1])) == 1.0
    assert accuracy.calculate(np.array([0]), np.array([1])) == 0.0
    assert accuracy.calculate_accumulated() == pytest.approx(4 / 5)  # not (1 + 0) / 2
    accuracy.new_pass()
    with pytest.raises(RuntimeError, match="new_pass"):
        accuracy.calculate_accumulated()
    accuracy.calculate(np.array([0, 1]), np.array([1, 1]))
    assert accuracy.calculate_accumulated() == 0.5


def test_regression_accuracy_precision_is_std_over_250_once_per_init():
    y = np.array([[0.0], [1.0], [2.0], [3.0]])
    accuracy = RegressionAccuracy()
    accuracy.init(y)
    assert accuracy.precision == pytest.approx(np.std(y) / 250)
    accuracy.init(10 * y)  # no reinit: kept
    assert accuracy.precision == pytest.approx(np.std(y) / 250)
    accuracy.init(10 * y, reinit=True)
    assert accuracy.precision == pytest.approx(np.std(10 * y) / 250)
    step = accuracy.precision
    predictions = y + np.array([[0.0], [0.5 * step], [1.5 * step], [-0.5 * step]])
    assert accuracy.calculate(predictions, y) == 0.75


def test_regression_accuracy_given_precision_wins():
    accuracy = RegressionAccuracy(precision=0.1)
    accuracy.init(np.array([0.0, 100.0]), reinit=True)
    assert accuracy.precision == 0.1
    assert accuracy.get_config() == {"precision": 0.1}
    assert RegressionAccuracy().get_config() == {"precision": None}


def test_regression_accuracy_needs_init():
    with pytest.raises(RuntimeError, match="init"):
        RegressionAccuracy().compare(np.zeros(3), np.zeros(3))


@pytest.mark.parametrize("bad, error", [(0.0, ValueError), (-1.0, ValueError), (float("nan"), ValueError),
                                        ("0.1", TypeError)])
def test_regression_accuracy_rejects_bad_precision(bad, error):
    with pytest.raises(error, match="precision: expected a finite number > 0"):
        RegressionAccuracy(precision=bad)


def test_accuracy_rejects_non_numeric_and_rebuilds_from_config():
    with pytest.raises(TypeError, match="y: expected a numeric array"):
        CategoricalAccuracy().compare(np.array([1, 0]), np.array(["a", "b"]))
    with pytest.raises(TypeError, match="binary"):
        CategoricalAccuracy(binary="yes")
    rebuilt = CategoricalAccuracy(**CategoricalAccuracy(binary=True).get_config())
    assert rebuilt.binary is True and repr(rebuilt) == "CategoricalAccuracy(binary=True)"


# --------------------------------------------------------------------------- confusion matrix

def test_confusion_matrix_matches_counting_pairs():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 200)
    y_pred = rng.integers(0, 4, 200)
    expected = np.zeros((4, 4), dtype=int)
    for t, p in zip(y_true, y_pred, strict=False):
        expected[t, p] += 1
    counts = confusion_matrix(y_true, y_pred, 4)
    np.testing.assert_array_equal(counts, expected)
    assert counts.dtype.kind == "i" and counts.sum() == 200


def test_confusion_matrix_rows_are_true_classes():
    counts = confusion_matrix(np.array([0, 0, 1]), np.array([1, 1, 1]), 3)
    np.testing.assert_array_equal(counts, [[0, 2, 0], [0, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize(
    "y_true, y_pred, n_classes, message",
    [
        (np.array([0, 3]), np.array([0, 1]), 3, r"y_true: labels must lie in \[0, 2\]"),
        (np.array([0, 1]), np.array([0, -1]), 3, r"y_pred: labels must lie in \[0, 2\]"),
        (np.array([0, 1]), np.array([0]), 3, "y_pred: expected 2 labels"),
        (np.array([0.0, 1.0]), np.array([0, 1]), 3, "y_true: expected a 1-D array of integer"),
        (np.array([0, 1]), np.array([0, 1]), 0, "n_classes"),
    ],
)
def test_confusion_matrix_rejects_bad_input(y_true, y_pred, n_classes, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(y_true, y_pred, n_classes)


# --------------------------------------------------------------------------- report

def test_classification_report_figures_by_hand():
    # class 0: 2 true, both found, 1 false positive; class 1: 2 true, 1 found; class 2: never seen
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 1])
    report = classification_report(y_true, y_pred, 3, labels=["cat", "dog", "cow"])
    cat, dog, cow = (report["classes"][name] for name in ("cat", "dog", "cow"))
    assert cat == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2})
    assert dog == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2})
    assert cow == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert report["accuracy"] == 0.75
    assert report["macro_avg"] == pytest.approx(
        {"precision": (2 / 3 + 1) / 3, "recall": 1.5 / 3, "f1": (0.8 + 2 / 3) / 3, "support": 4}
    )


def test_classification_report_default_labels_and_bad_labels():
    report = classification_report(np.array([0, 1]), np.array([0, 1]), 2)
    assert list(report["classes"]) == ["0", "1"] and report["accuracy"] == 1.0
    with pytest.raises(ValueError, match="labels: expected 2 distinct names"):
        classification_report(np.array([0, 1]), np.array([0, 1]), 2, labels=["a", "a"])


def test_format_report_is_a_table_with_every_class():
    report = classification_report(np.array([0, 1, 1]), np.array([0, 1, 0]), 2, labels=["Sneaker", "Bag"])
    lines = format_report(report).splitlines()
    assert lines[0].split() == ["precision", "recall", "f1", "support"]
    assert lines[1].split() == ["Sneaker", "0.5000", "1.0000", "0.6667", "1"]
    assert lines[2].split() == ["Bag", "1.0000", "0.5000", "0.6667", "2"]
    assert lines[4].split() == ["accuracy", "0.6667", "3"]
    assert lines[5].split()[:2] == ["macro", "avg"]
    assert len({len(line) for line in lines if line}) == 1  # columns aligned
