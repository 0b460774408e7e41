"""Fashion-MNIST end to end: train a classifier, evaluate it, judge your own photos, draw its graph.

    python examples/fashion_mnist.py train                    # the default recipe, 10 epochs
    python examples/fashion_mnist.py train --recipe book      # exactly the book's chapter 19
    python examples/fashion_mnist.py train --recipe cnn       # a small CNN, beyond the book
    python examples/fashion_mnist.py evaluate runs/fashion_mnist/model.tgm
    python examples/fashion_mnist.py predict runs/fashion_mnist/model.tgm shoe.jpg --top 3
    python examples/fashion_mnist.py graph runs/fashion_mnist/model.tgm

`train` writes into --out (default runs/fashion_mnist): model.tgm, history.json,
curves.png, report.json, confusion.png, graph.svg and a few test images in samples/.

As in the book, the test split doubles as validation data: the per-epoch "validation"
figures are test figures, watched while choosing a recipe, so they are a slightly
optimistic estimate of accuracy on new images.
"""

from __future__ import annotations

import common

common.use_one_blas_thread()  # before NumPy loads: BLAS reads the setting once

import argparse
import itertools
import json
import os
import re
import sys
import time
import zipfile
from pathlib import Path

import cv2
import numpy as np

import nn
import tensorgrad
from nn.datasets import ARCHIVE_NAME, DATA_ENV_VAR, DatasetError
from nn.images import ImageFileError, read_image
from nn.files import ModelFileError
from tensorgrad.viz import draw_graph, render

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "runs" / "fashion_mnist"
LABELS = nn.FASHION_MNIST_LABELS
SAMPLE_COUNT = 5
GRAPH_BATCH = 2

OPTIMIZERS: dict[str, type[nn.Optimizer]] = {
    "sgd": nn.SGD, "adagrad": nn.Adagrad, "rmsprop": nn.RMSprop, "adam": nn.Adam}

RECIPES = {
    # Chapter 19 as printed: 0.01 * randn weights, Adam(decay=1e-3), data shuffled once.
    "book": {
        "hidden": [128, 128], "init": "book", "optimizer": "adam", "learning_rate": 0.001,
        "decay": 1e-3, "dropout": 0.0, "epochs": 10, "batch_size": 128, "shuffle_every_epoch": False,
    },
    # The book's network with three changes: He init (the signal keeps its size through
    # the ReLU layers, where 0.01 * randn shrinks it at every layer), twice the learning rate
    # (the book's decay still cools it to 1/5.7 by the last epoch), a fresh order each epoch.
    "default": {
        "hidden": [128, 128], "init": "he", "optimizer": "adam", "learning_rate": 0.002,
        "decay": 1e-3, "dropout": 0.0, "epochs": 10, "batch_size": 128, "shuffle_every_epoch": True,
    },
    # Beyond the book: two Conv2D(3x3, padding 1)-ReLU-MaxPool2D(2) blocks of 32 and 64
    # channels (28 -> 14 -> 7), then Dense(3136, 128)-ReLU-Dropout(0.25) and Dense(10)-Softmax.
    # Measured (README): padding 0 (the network of benchmarks/cnn.py) levels off near 0.90,
    # padding 1 still gains at epoch 10 (0.9149 there), so 12 epochs: 0.917-0.920 over seeds 0-2.
    "cnn": {
        "channels": [32, 64], "padding": 1, "hidden": [128], "init": "he", "optimizer": "adam",
        "learning_rate": 0.002, "decay": 1e-3, "dropout": 0.25, "epochs": 12, "batch_size": 128,
        "shuffle_every_epoch": True,
    },
}
IMAGE_SIDE = 28


class CommandError(Exception):
    """A failure to report in one line and exit with status 1 (no traceback)."""


# ---------------------------------------------------------------- data


def data_source(option: str | None) -> Path | None:
    """Where the archive is: --data; else None when $TENSORGRAD_DATA is set (the loader
    reads it); else ../shared/data when it holds the archive; else None (cache or download)."""
    if option is not None:
        return Path(option)
    if os.environ.get(DATA_ENV_VAR):
        return None
    return SHARED_DATA if (SHARED_DATA / ARCHIVE_NAME).is_file() else None


def load_data(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """uint8 images and labels as the loader returns them (sorted by label)."""
    counts = None
    if args.images_per_label is not None:
        counts = dict(zip(("train", "test"), args.images_per_label, strict=False))
    try:
        return nn.load_fashion_mnist(data_source(args.data), args.cache_dir, counts)
    except (DatasetError, OSError) as error:
        raise CommandError(str(error)) from error


# ---------------------------------------------------------------- model


def build_model(settings: dict, seed: int) -> nn.Model:
    """Conv2D-ReLU-MaxPool2D blocks for each of `channels` (the cnn recipe), then
    Dense-ReLU(-Dropout) blocks for each hidden size, then Dense(10)-Softmax, with CCE and accuracy."""
    model = nn.Model(seed=seed)
    channels = settings.get("channels", [])
    conv_seeds = np.random.SeedSequence([seed, 1]).generate_state(max(len(channels), 1)).tolist()
    side, in_channels = IMAGE_SIDE, 1
    for index, out_channels in enumerate(channels):
        padding = settings.get("padding", 0)
        model.add(nn.Conv2D(in_channels, out_channels, 3, padding=padding, init=settings["init"],
                            seed=conv_seeds[index]))
        model.add(nn.ReLU())
        model.add(nn.MaxPool2D(2))
        side, in_channels = (side + 2 * padding - 2) // 2, out_channels
    if channels:
        model.add(nn.Flatten())
    sizes = [in_channels * side * side, *settings["hidden"], len(LABELS)]
    layer_seeds = np.random.SeedSequence(seed).generate_state(2 * len(sizes)).tolist()
    for index, (n_inputs, n_neurons) in enumerate(itertools.pairwise(sizes)):
        model.add(nn.Dense(n_inputs, n_neurons, init=settings["init"], seed=layer_seeds[2 * index]))
        if index == len(sizes) - 2:
            break
        model.add(nn.ReLU())
        if settings["dropout"] > 0:
            model.add(nn.Dropout(settings["dropout"], seed=layer_seeds[2 * index + 1]))
    model.add(nn.Softmax())
    optimizer_class = OPTIMIZERS[settings["optimizer"]]
    learning_rate = {} if settings["learning_rate"] is None else {"learning_rate": settings["learning_rate"]}
    model.set(
        loss=nn.CategoricalCrossEntropy(),
        optimizer=optimizer_class(decay=settings["decay"], **learning_rate),
        accuracy=nn.CategoricalAccuracy(),
    )
    return model.finalize()


def load_model(path: str) -> nn.Model:
    try:
        model = nn.Model.load(path)
    except FileNotFoundError as error:
        raise CommandError(f"model file {path!r} not found; train one first: fashion_mnist.py train") from error
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, ModelFileError) as error:
        raise CommandError(f"cannot load the model file {path!r}: {error}") from error
    dense = [layer for layer in model.layers if isinstance(layer, nn.Dense)]
    first = model.layers[0]
    takes_images = first.input_shape in ((1, None, None), (IMAGE_SIDE * IMAGE_SIDE,))
    if type(model.output_activation) is not nn.Softmax or not dense or not takes_images \
            or dense[-1].n_neurons != len(LABELS):
        raise CommandError(f"{path!r} is not a Fashion-MNIST classifier (784 inputs or 1x28x28 images, "
                           "10 Softmax outputs)")
    return model


def model_inputs(model: nn.Model, images: np.ndarray) -> np.ndarray:
    """uint8 images (n, 28, 28) as the model takes them: (n, 1, 28, 28) for a convolutional
    network, rows of 784 for a dense one, scaled to [-1, 1] either way."""
    if isinstance(model.layers[0], nn.Conv2D):
        return nn.scale_images(images)[:, None]
    return nn.scale_and_flatten(images)


def settings_from(args: argparse.Namespace) -> dict:
    """The recipe, with every option given on the command line taking precedence."""
    settings = dict(RECIPES[args.recipe])
    if args.optimizer is not None and args.optimizer != settings["optimizer"]:
        settings["learning_rate"] = None  # the recipe's rate was chosen for its own optimizer
    for key in ("channels", "padding"):
        if getattr(args, key) is not None and key not in settings:
            raise CommandError(f"--{key} needs a convolutional recipe (cnn), not {args.recipe!r}")
    for key in ("channels", "padding", "hidden", "init", "optimizer", "learning_rate", "decay", "dropout", "epochs",
                "batch_size"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    return settings


# ---------------------------------------------------------------- artefacts


def write_json(path: Path, content: dict) -> Path:
    path.write_text(json.dumps(content, indent=2) + "\n")
    return path


def write_report(model: nn.Model, X_test: np.ndarray, y_test: np.ndarray, out: Path) -> None:
    """Test loss and accuracy, the per-class table (printed), report.json and confusion.png."""
    from nn.plots import plot_confusion_matrix  # matplotlib takes seconds to load: only when drawing
    loss, accuracy = model.evaluate(X_test, y_test, batch_size=1000)
    predicted = model.predict(X_test, batch_size=1000).argmax(axis=1)
    matrix = nn.confusion_matrix(y_test, predicted, len(LABELS))
    report = nn.classification_report(y_test, predicted, len(LABELS), labels=LABELS)
    print(f"test: loss {loss:.4f}, accuracy {accuracy:.4f} ({int(np.trace(matrix))}/{len(y_test)})")
    print(nn.format_report(report))
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "report.json", {
        "loss": loss, "accuracy": accuracy, "labels": list(LABELS),
        "confusion_matrix": matrix.tolist(), "classes": report["classes"], "macro_avg": report["macro_avg"],
    })
    title = f"Fashion-MNIST test set, accuracy {accuracy:.4f}"
    plot_confusion_matrix(matrix, LABELS, out / "confusion.png", title=title)


def draw_model_graph(model: nn.Model, X: np.ndarray, path: Path) -> Path:
    """The forward graph of one small batch: one box per layer, parameters and outputs named after it."""
    model.eval()
    groups: dict[int, str] = {}
    x = tensorgrad.Tensor(X, name=f"input ({len(X)} images)")
    for index, layer in enumerate(model.layers):
        for name, parameter in layer.named_parameters():
            parameter.name = f"{index}.{name}"
        output = layer(x)
        if output is x:  # Dropout in evaluation mode hands its input through
            continue
        output.name = f"{index}.{type(layer).__name__.lower()}"
        for tensor in tensors_between(x, output):
            groups[id(tensor)] = f"{index}: {type(layer).__name__}"
        x = output
    return render(draw_graph(x, clusters=lambda tensor: groups.get(id(tensor))), path, format="svg")


def tensors_between(start: tensorgrad.Tensor, end: tensorgrad.Tensor) -> list[tensorgrad.Tensor]:
    """Every tensor that computing `end` from `start` made or used (parameters, constants), without `start`."""
    found, seen, stack = [], {id(start)}, [end]
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        found.append(tensor)
        if tensor.grad_fn is not None:
            stack.extend(tensor.grad_fn.inputs)
    return found


def write_samples(X_test: np.ndarray, y_test: np.ndarray, folder: Path, seed: int) -> list[Path]:
    """A few test images as PNG files (named after their true class) to try `predict` on."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = np.random.default_rng(seed).choice(len(X_test), SAMPLE_COUNT, replace=False)
    paths = []
    for number, index in enumerate(sorted(chosen), start=1):
        slug = re.sub(r"[^a-z]+", "_", LABELS[y_test[index]].lower()).strip("_")
        path = folder / f"{number}_{slug}.png"
        if not cv2.imwrite(str(path), X_test[index]):
            raise CommandError(f"could not write {path}")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- commands


def train(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    out = Path(args.out)
    changed = "" if settings == RECIPES[args.recipe] else ", changed by your options"
    print(f"recipe: {args.recipe}{changed}; settings: {json.dumps(settings)}; seed: {args.seed}")
    X_train, y_train, test_images, y_test = load_data(args)
    X_train, y_train = nn.shuffle(X_train, y_train, args.seed)  # the loader sorts by label
    model = build_model(settings, args.seed)
    X_train, X_test = model_inputs(model, X_train), model_inputs(model, test_images)
    print(f"data: {len(X_train)} training and {len(X_test)} test images; "
          "validation data = the test split, as in the book")
    print(model)
    started = time.perf_counter()
    history = model.train(
        X_train, y_train, epochs=settings["epochs"], batch_size=settings["batch_size"],
        print_every=None, validation_data=(X_test, y_test), shuffle=settings["shuffle_every_epoch"],
    )
    seconds = time.perf_counter() - started
    print(f"trained {settings['epochs']} epochs in {seconds:.1f} s")

    out.mkdir(parents=True, exist_ok=True)
    artefacts = {"model": out / "model.tgm"}
    model.save(artefacts["model"])
    artefacts["history"] = write_json(out / "history.json", {
        "recipe": args.recipe, "settings": settings, "seed": args.seed,
        "training_seconds": seconds, "history": history,
    })
    from nn.plots import plot_history  # matplotlib takes seconds to load: only when drawing

    artefacts["curves"] = plot_history(history, out / "curves.png")
    write_report(model, X_test, y_test, out)
    artefacts["report"], artefacts["confusion matrix"] = out / "report.json", out / "confusion.png"
    try:
        artefacts["graph"] = draw_model_graph(model, X_test[:GRAPH_BATCH], out / "graph.svg")
    except RuntimeError as error:  # no `dot` program: everything else is still worth having
        print(f"warning: graph.svg not drawn: {error}", file=sys.stderr)
    samples = write_samples(test_images, y_test, out / "samples", args.seed)
    artefacts["sample images"] = out / "samples"
    print("\nartefacts:")
    for name, path in artefacts.items():
        print(f"  {name + ':':<18} {path}")
    print(f"try: python examples/fashion_mnist.py predict {artefacts['model']} {samples[0]} --top 3")
    return 0


def evaluate(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    _, _, X_test, y_test = load_data(args)
    out = Path(args.model).parent if args.out is None else Path(args.out)
    write_report(model, model_inputs(model, X_test), y_test, out)
    print(f"wrote {out / 'report.json'} and {out / 'confusion.png'}")
    return 0


def predict(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    images, paths, failures = [], [], 0
    for path in args.images:
        try:
            images.append(read_image(path))
            paths.append(path)
        except ImageFileError as error:
            print(f"error: {error}", file=sys.stderr)
            failures += 1
    if images:
        probabilities = model.predict(model_inputs(model, np.stack(images)))
        for path, row in zip(paths, probabilities, strict=False):
            best = np.argsort(row)[::-1][: args.top]
            print(f"{path}: " + ", ".join(f"{LABELS[k]} {row[k]:.1%}" for k in best))
    if failures:
        print(f"{failures} of {len(args.images)} images could not be read", file=sys.stderr)
    return 1 if failures else 0


def graph(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    out = Path(args.model).with_name("graph.svg") if args.out is None else Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    images = np.random.default_rng(0).integers(0, 256, (GRAPH_BATCH, IMAGE_SIDE, IMAGE_SIDE), dtype=np.uint8)
    inputs = model_inputs(model, images).astype(model.parameters()[0].dtype)
    try:
        path = draw_model_graph(model, inputs, out)
    except RuntimeError as error:
        raise CommandError(str(error)) from error
    print(f"wrote {path} (the forward graph of {GRAPH_BATCH} random images, one box per layer)")
    return 0


# ---------------------------------------------------------------- arguments


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def dropout_rate(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {text}")
    return value


def top_k(text: str) -> int:
    value = positive_int(text)
    if value > len(LABELS):
        raise argparse.ArgumentTypeError(f"expected 1..{len(LABELS)} (there are {len(LABELS)} classes), got {text}")
    return value


def parser() -> argparse.ArgumentParser:
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", help=f"{ARCHIVE_NAME}, its extracted folder, or a folder holding it "
                      f"(default: ${DATA_ENV_VAR}, else {SHARED_DATA} if present, else the cache or a download)")
    data.add_argument("--cache-dir", help="where the decoded arrays are cached (default: ~/.cache/tensorgrad)")
    data.add_argument("--images-per-label", type=positive_int, nargs=2, metavar=("TRAIN", "TEST"),
                      help="expected images per label in each split, for small archives (default: 6000 1000)")

    main = argparse.ArgumentParser(prog="fashion_mnist.py", description=__doc__.split("\n")[0])
    commands = main.add_subparsers(dest="command", required=True)

    training = commands.add_parser("train", parents=[data], help="train a classifier and write every artefact")
    training.add_argument("--recipe", choices=sorted(RECIPES), default="default",
                          help="book: exactly the book's chapter 19; default: He init, gentler decay (default); "
                          "cnn: a small convolutional network (beyond the book)")
    training.add_argument("--epochs", type=positive_int)
    training.add_argument("--batch-size", type=positive_int)
    training.add_argument("--hidden", type=positive_int, nargs="+", metavar="SIZE",
                          help="hidden layer sizes, e.g. --hidden 128 128")
    training.add_argument("--channels", type=positive_int, nargs="+", metavar="COUNT",
                          help="the cnn recipe's Conv2D channels, one 3x3 conv + 2x2 max-pool block each")
    training.add_argument("--padding", type=int, choices=(0, 1),
                          help="the cnn recipe's Conv2D padding: 0 (valid) or 1 (same size)")
    training.add_argument("--init", choices=("book", "he", "glorot"), help="weight initialisation")
    training.add_argument("--optimizer", choices=sorted(OPTIMIZERS))
    training.add_argument("--learning-rate", type=non_negative_float)
    training.add_argument("--decay", type=non_negative_float)
    training.add_argument("--dropout", type=dropout_rate, help="fraction dropped after each hidden layer")
    training.add_argument("--seed", type=int, default=0, help="shuffling, initialisation and dropout (default 0)")
    training.add_argument("--out", default=str(DEFAULT_OUT), help=f"output folder (default {DEFAULT_OUT})")
    training.set_defaults(run=train)

    evaluating = commands.add_parser("evaluate", parents=[data], help="test loss, accuracy and per-class report")
    evaluating.add_argument("model", help="a model.tgm written by train")
    evaluating.add_argument("--out", help="where report.json and confusion.png go (default: the model's folder)")
    evaluating.set_defaults(run=evaluate)

    predicting = commands.add_parser("predict", help="classify image files (PNG, JPEG, ...; any size, gray or colour)")
    predicting.add_argument("model", help="a model.tgm written by train")
    predicting.add_argument("images", nargs="+", metavar="IMAGE")
    predicting.add_argument("--top", type=top_k, default=1, help="show the K most likely classes (default 1)")
    predicting.set_defaults(run=predict)

    drawing = commands.add_parser("graph", help="draw the model's forward graph as SVG")
    drawing.add_argument("model", help="a model.tgm written by train")
    drawing.add_argument("--out", help="the SVG file (default: graph.svg beside the model)")
    drawing.set_defaults(run=graph)
    return main


def main(argv: list[str] | None = None) -> int:
    command_line = parser()
    args = command_line.parse_args(argv)
    try:
        return args.run(args)
    except (CommandError, OSError) as error:  # OSError: e.g. an output folder we may not write to
        print(f"{command_line.prog}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
