"""examples/fashion_mnist.py through its command line, on a tiny archive with the real layout.

Every command runs in its own process, as a user runs it: exit codes, printed output,
the artefacts written, and the error paths (missing model, unreadable image, bad options).
"""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from missing import missing

import nn
from nn.datasets import FASHION_MNIST_LABELS

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "fashion_mnist.py"
TRAIN_PER_LABEL, TEST_PER_LABEL = 20, 5
EPOCHS = 2


def run(*args, check_status: int | None = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)
    if check_status is not None:
        assert result.returncode == check_status, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def striped_image(label: int, rng: np.random.Generator) -> np.ndarray:
    """Noise plus a bright bar whose height depends on the label, so a model can learn it."""
    image = (rng.random((28, 28)) * 60).astype(np.uint8)
    image[2 * label : 2 * label + 8, 4:24] += 150
    return image


@pytest.fixture(scope="module")
def tiny_archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "fashion_mnist_images.zip"
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LICENSE", "test data")
        for split, count in (("train", TRAIN_PER_LABEL), ("test", TEST_PER_LABEL)):
            for label in range(len(FASHION_MNIST_LABELS)):
                for number in range(count):
                    png = cv2.imencode(".png", striped_image(label, rng))[1].tobytes()
                    archive.writestr(f"{split}/{label}/{number:04d}.png", png)
    return path


@pytest.fixture(scope="module")
def data_options(tiny_archive) -> list:
    cache = tiny_archive.parent / "cache"  # never the user's cache: that holds the real data
    return ["--data", tiny_archive, "--cache-dir", cache, "--images-per-label", TRAIN_PER_LABEL, TEST_PER_LABEL]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data_options):
    """One training run shared by the tests: the book recipe with options overriding it."""
    out = tmp_path_factory.mktemp("run")
    result = run(
        "train", *data_options, "--recipe", "book", "--epochs", EPOCHS, "--hidden", 32, 16,
        "--dropout", 0.1, "--optimizer", "sgd", "--learning-rate", 0.5, "--seed", 3, "--out", out,
    )
    return out, result


def test_train_prints_the_recipe_the_epochs_and_where_everything_went(trained):
    out, result = trained
    assert "recipe: book, changed by your options" in result.stdout
    assert "validation data = the test split" in result.stdout
    assert len(re.findall(r"^validation, acc: [0-9.]+, loss: [0-9.]+$", result.stdout, re.M)) == EPOCHS
    assert re.search(r"^epoch: 2, acc: .* lr: ", result.stdout, re.M)
    for name in ("model.tgm", "history.json", "curves.png", "report.json", "confusion.png", "samples"):
        assert f"{out / name}" in result.stdout


def test_train_writes_history_with_the_settings_used(trained):
    out, _ = trained
    saved = json.loads((out / "history.json").read_text())
    assert saved["recipe"] == "book" and saved["seed"] == 3
    settings = saved["settings"]
    assert settings["hidden"] == [32, 16] and settings["init"] == "book" and settings["dropout"] == 0.1
    assert settings["optimizer"] == "sgd" and settings["learning_rate"] == 0.5 and settings["decay"] == 1e-3
    for key in ("loss", "accuracy", "learning_rate", "val_loss", "val_accuracy"):
        assert len(saved["history"][key]) == EPOCHS


def test_train_writes_pictures_report_and_samples(trained):
    out, result = trained
    for picture in ("curves.png", "confusion.png"):
        image = cv2.imread(str(out / picture))
        assert image is not None and min(image.shape[:2]) > 200
    report = json.loads((out / "report.json").read_text())
    matrix = np.array(report["confusion_matrix"])
    assert matrix.shape == (10, 10) and (matrix.sum(axis=1) == TEST_PER_LABEL).all()
    assert report["accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum())
    assert list(report["classes"]) == list(FASHION_MNIST_LABELS)
    assert "Ankle boot" in result.stdout and "macro avg" in result.stdout  # the printed table
    samples = sorted((out / "samples").glob("*.png"))
    assert len(samples) == 5
    assert all(cv2.imread(str(path), cv2.IMREAD_UNCHANGED).shape == (28, 28) for path in samples)


def test_train_without_dot_is_only_a_warning_and_with_dot_draws_the_graph(trained):
    out, result = trained
    if shutil.which("dot") is None:
        assert "warning: graph.svg not drawn" in result.stderr
        missing("Graphviz's dot program is missing")
    svg = (out / "graph.svg").read_text()
    assert "0: Dense" in svg and "0.weights" in svg and "input (2 images)" in svg


def test_evaluate_in_a_new_process_reproduces_the_training_report(trained, data_options, tmp_path):
    out, _ = trained
    result = run("evaluate", out / "model.tgm", *data_options, "--out", tmp_path)
    assert "test: loss" in result.stdout and "macro avg" in result.stdout
    assert json.loads((tmp_path / "report.json").read_text()) == json.loads((out / "report.json").read_text())
    assert (tmp_path / "confusion.png").is_file()


def test_predict_prints_class_and_confidence_per_file(trained):
    out, _ = trained
    samples = sorted((out / "samples").glob("*.png"))
    top1 = run("predict", out / "model.tgm", *samples).stdout.splitlines()
    top3 = run("predict", out / "model.tgm", *samples, "--top", 3).stdout.splitlines()
    names = "|".join(re.escape(name) for name in FASHION_MNIST_LABELS)
    assert len(top1) == len(top3) == len(samples)
    for path, first, three in zip(samples, top1, top3, strict=False):
        assert re.fullmatch(rf"{re.escape(str(path))}: ({names}) \d+\.\d%", first)
        guesses = re.findall(rf"({names}) (\d+\.\d)%", three)
        assert len(guesses) == 3 and three.startswith(first)
        confidences = [float(value) for _, value in guesses]
        assert confidences == sorted(confidences, reverse=True)


def test_predict_reports_each_bad_file_and_still_predicts_the_others(trained, tmp_path):
    out, _ = trained
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    good = sorted((out / "samples").glob("*.png"))[0]
    result = run("predict", out / "model.tgm", broken, good, tmp_path / "missing.png", check_status=1)
    assert f"{good}: " in result.stdout and len(result.stdout.splitlines()) == 1
    assert f"error: {broken}: not an image" in result.stderr
    assert f"error: {tmp_path / 'missing.png'}: cannot read the file" in result.stderr
    assert "2 of 3 images could not be read" in result.stderr


def test_graph_command_writes_an_svg(trained, tmp_path):
    if shutil.which("dot") is None:
        missing("Graphviz's dot program is missing")
    out, _ = trained
    result = run("graph", out / "model.tgm", "--out", tmp_path / "g.svg")
    assert str(tmp_path / "g.svg") in result.stdout
    assert "3: Dense" in (tmp_path / "g.svg").read_text()


@pytest.mark.parametrize("command", ["evaluate", "predict", "graph"])
def test_a_missing_model_file_is_one_clear_line(command, tmp_path, data_options):
    extra = {"evaluate": data_options, "predict": [tmp_path / "x.png"], "graph": []}[command]
    result = run(command, tmp_path / "nothing.tgm", *extra, check_status=1)
    assert f"model file '{tmp_path / 'nothing.tgm'}' not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_output_folder_that_cannot_be_made_is_one_clear_line(trained, tmp_path):
    out, _ = trained
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = run("graph", out / "model.tgm", "--out", blocker / "g.svg", check_status=1)
    assert str(blocker) in result.stderr and "Traceback" not in result.stderr


def test_a_damaged_model_file_is_one_clear_line(tmp_path):
    damaged = tmp_path / "model.tgm"
    damaged.write_bytes(b"PK\x03\x04 definitely not a model")
    result = run("predict", damaged, tmp_path / "x.png", check_status=1)
    assert f"cannot load the model file '{damaged}'" in result.stderr and "Traceback" not in result.stderr


def test_a_model_for_another_problem_is_refused(tmp_path):
    other = nn.Model()
    other.add(nn.Dense(2, 3))
    other.add(nn.Softmax())
    other.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(), accuracy=nn.CategoricalAccuracy())
    other.save(tmp_path / "spiral.tgm")
    result = run("graph", tmp_path / "spiral.tgm", check_status=1)
    assert "is not a Fashion-MNIST classifier (784 inputs or 1x28x28 images, 10 Softmax outputs)" in result.stderr


@pytest.fixture(scope="module")
def trained_cnn(tmp_path_factory, data_options):
    """The cnn recipe, narrowed (--channels 4 8 --hidden 16) so one epoch on the tiny archive takes a second."""
    out = tmp_path_factory.mktemp("cnn")
    result = run("train", *data_options, "--recipe", "cnn", "--epochs", 1, "--channels", 4, 8, "--hidden", 16,
                 "--out", out)
    return out, result


def test_cnn_recipe_trains_evaluates_predicts_and_draws(trained_cnn, data_options, tmp_path):
    out, result = trained_cnn
    assert "recipe: cnn, changed by your options" in result.stdout
    assert re.search(r"trained 1 epochs in \d+\.\d s", result.stdout)
    assert "(0): Conv2D(in_channels=1, out_channels=4, kernel_size=3" in result.stdout
    model = nn.Model.load(out / "model.tgm")
    assert [type(layer).__name__ for layer in model.layers][:7] == [
        "Conv2D", "ReLU", "MaxPool2D", "Conv2D", "ReLU", "MaxPool2D", "Flatten"]
    run("evaluate", out / "model.tgm", *data_options, "--out", tmp_path)
    assert json.loads((tmp_path / "report.json").read_text()) == json.loads((out / "report.json").read_text())
    samples = sorted((out / "samples").glob("*.png"))
    lines = run("predict", out / "model.tgm", *samples, "--top", 2).stdout.splitlines()
    assert len(lines) == len(samples) and all(re.search(r"\d+\.\d%, \w", line) for line in lines)
    graph = run("graph", out / "model.tgm", "--out", tmp_path / "graph.svg")
    assert "wrote" in graph.stdout and (tmp_path / "graph.svg").is_file()


def test_channels_needs_the_cnn_recipe(data_options, tmp_path):
    result = run("train", *data_options, "--channels", 4, "--out", tmp_path, check_status=1)
    assert "--channels needs a convolutional recipe (cnn), not 'default'" in result.stderr


def test_missing_data_is_one_clear_line(tmp_path):
    result = run("train", "--data", tmp_path / "nowhere.zip", "--out", tmp_path, check_status=1)
    assert "nowhere.zip" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "arguments, message",
    [
        ([], "the following arguments are required: command"),
        (["predict", "m.tgm", "x.png", "--top", "0"], "argument --top: expected a positive integer, got 0"),
        (["predict", "m.tgm", "x.png", "--top", "11"], "argument --top: expected 1..10"),
        (["predict", "m.tgm"], "the following arguments are required: IMAGE"),
        (["train", "--epochs", "0"], "argument --epochs: expected a positive integer, got 0"),
        (["train", "--dropout", "1"], r"argument --dropout: expected a fraction in \[0, 1\), got 1"),
        (["train", "--decay", "-1"], "argument --decay: expected a finite number >= 0, got -1"),
        (["train", "--recipe", "keras"], "argument --recipe: invalid choice: 'keras'"),
        (["train", "--optimizer", "lion"], "argument --optimizer: invalid choice: 'lion'"),
    ],
)
def test_bad_arguments_exit_2_naming_the_argument(arguments, message):
    result = run(*arguments, check_status=2)
    assert re.search(message, result.stderr)
