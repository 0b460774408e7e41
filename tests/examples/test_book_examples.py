"""The book's Model examples run as a user runs them: a fresh process, a few epochs, an output folder."""
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn.data import sine_data, spiral_data
from nn.model import Model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EPOCHS = 20
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_example(name, *args, cwd):
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_quick(name, tmp_path):
    out = tmp_path / "out"
    stdout = run_example(name, "--epochs", str(EPOCHS), "--out", str(out), "--seed", "1", cwd=tmp_path)
    return stdout, out


def epoch_numbers(stdout):
    return [int(number) for number in re.findall(r"^epoch: (\d+), acc: [\d.]+, loss: ", stdout, re.MULTILINE)]


def read_history(path, epochs=EPOCHS):
    history = json.loads(path.read_text())
    assert {"loss", "data_loss", "regularization_loss", "accuracy", "learning_rate"} <= set(history)
    assert all(len(values) == epochs for values in history.values())
    return history


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5000


def test_spiral_example_trains_reports_and_saves(tmp_path):
    stdout, out = run_quick("spiral.py", tmp_path)
    assert epoch_numbers(stdout) == list(range(2, EPOCHS + 1, 2))  # print_every = epochs // 10
    assert stdout.count("validation, acc: ") == EPOCHS // 2
    assert re.search(r"^test, acc: [\d.]+, loss: [\d.]+$", stdout, re.MULTILINE)
    assert re.search(r"^training set, dropout off, no L2 penalty: acc: [\d.]+, loss: [\d.]+$", stdout, re.MULTILINE)
    assert re.search(r"^\s+arm 2\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+100$", stdout, re.MULTILINE)
    assert "identical predictions: True" in stdout
    for name in ("spiral.tgm", "history.json", "history.png"):
        assert str((out / name).resolve()) in stdout
    history = read_history(out / "history.json")
    assert len(history["val_loss"]) == EPOCHS and all(value > 0 for value in history["regularization_loss"])
    assert_png(out / "history.png")
    model = Model.load(out / "spiral.tgm")
    X_test, y_test = spiral_data(100, 3, seed=2)
    _, accuracy = model.evaluate(X_test, y_test)
    assert f"test, acc: {accuracy:.3f}" in stdout  # the saved model is the trained one


def test_regression_example_fits_and_draws(tmp_path):
    stdout, out = run_quick("regression.py", tmp_path)
    assert epoch_numbers(stdout) == list(range(2, EPOCHS + 1, 2))
    mse = float(re.search(r"^final, mse: ([\d.e+-]+), acc: ", stdout, re.MULTILINE).group(1))
    history = read_history(out / "history.json")
    assert mse < history["data_loss"][0]  # it learned something in a few epochs
    assert_png(out / "regression.png")
    X, y = sine_data(1000)
    loss, _ = Model.load(out / "regression.tgm").evaluate(X, y)
    assert f"final, mse: {loss:.3g}" in stdout


def test_binary_logistic_example_reports_a_confusion_matrix_in_the_default_folder(tmp_path):
    stdout = run_example("binary_logistic.py", "--epochs", str(EPOCHS), cwd=tmp_path)
    out = tmp_path / "runs" / "binary_logistic"  # the default --out, relative to the working folder
    assert epoch_numbers(stdout) == list(range(2, EPOCHS + 1, 2))
    assert stdout.count("validation, acc: ") == EPOCHS // 2
    counts = re.search(r"predicted arm\):\n\[\[\s*(\d+)\s+(\d+)\]\n \[\s*(\d+)\s+(\d+)\]\]", stdout)
    assert counts and sum(int(count) for count in counts.groups()) == 200
    read_history(out / "history.json")
    assert_png(out / "history.png")
    model = Model.load(out / "binary_logistic.tgm")
    assert model.predict(np.zeros((3, 2), np.float32)).shape == (3, 1)


def test_optimizers_example_races_four_optimizers_and_plots(tmp_path):
    stdout, out = run_quick("optimizers.py", tmp_path)
    names = ["SGD", "Adagrad", "RMSprop", "Adam"]
    assert re.findall(r"^== (\w+)\(", stdout, re.MULTILINE) == names
    assert epoch_numbers(stdout) == list(range(4, EPOCHS + 1, 4)) * 4  # print_every = epochs // 5
    rows = [line.split() for line in stdout[stdout.index("optimizer "):].splitlines()[1:5]]
    table = {row[0]: row[1:] for row in rows}
    assert list(table) == names and all(len(row) == 3 for row in table.values())
    histories = json.loads((out / "histories.json").read_text())
    assert list(histories) == names
    for name in names:
        assert len(histories[name]["loss"]) == EPOCHS
        assert float(table[name][0]) == pytest.approx(histories[name]["loss"][-1], abs=1e-4)
    # SGD's schedule: the last step of epoch e ran with iterations = e - 1
    assert histories["SGD"]["learning_rate"][-1] == pytest.approx(1.0 / (1 + 1e-3 * (EPOCHS - 1)))
    for name in ("loss.png", "learning_rate.png"):
        assert str((out / name).resolve()) in stdout
        assert_png(out / name)


def test_examples_reject_zero_epochs(tmp_path):
    result = subprocess.run([sys.executable, str(EXAMPLES / "regression.py"), "--epochs", "0"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--epochs must be at least 1, got 0" in result.stderr
