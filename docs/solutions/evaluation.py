"""Solutions to the exercises of docs/evaluation.md."""
import numpy as np

import nn


def exercise_1():
    """Precision and recall by hand from a confusion matrix (rows: true, columns: predicted)."""
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 2, 0, 2, 1])
    matrix = nn.confusion_matrix(y_true, y_pred, 3)
    precision = np.diag(matrix) / matrix.sum(axis=0)      # of those predicted k, how many were k
    recall = np.diag(matrix) / matrix.sum(axis=1)         # of the true k, how many were found
    report = nn.classification_report(y_true, y_pred, 3)
    for k in range(3):
        row = report["classes"][str(k)]             # classes are named "0", "1", ... without labels=
        assert np.isclose(row["precision"], precision[k]) and np.isclose(row["recall"], recall[k])
    return precision, recall


def exercise_2():
    """Each row of the confusion matrix sums to that class's support; the diagonal's share is the accuracy."""
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    matrix = nn.confusion_matrix(y_true, y_pred, 4)
    assert np.array_equal(matrix.sum(axis=1), np.bincount(y_true, minlength=4))
    assert np.isclose(np.trace(matrix) / 200, np.mean(y_true == y_pred))
    return matrix


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
