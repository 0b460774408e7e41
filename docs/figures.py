"""Draw every figure of the learning path (docs/*.md) with the project's own code.

    python docs/figures.py [NAME ...]        # all figures, or only the named ones

Figures are written to docs/figures/. Derivatives are computed by tensorgrad's autograd,
curves come from training nn models, graphs are drawn by `tensorgrad.draw_graph`. The
Fashion-MNIST figures need the data set ($TENSORGRAD_DATA or ../shared/data); without it
they are skipped with a note.
"""
from __future__ import annotations

import os

# Small matrices: BLAS threads cost more than they save (see examples/fashion_mnist.py).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

import nn  # noqa: E402
import tensorgrad as tg  # noqa: E402
from nn.plots import plot_confusion_matrix  # noqa: E402
from tensorgrad.viz import render  # noqa: E402

OUT = REPO / "docs" / "figures"
SHARED_DATA = REPO.parent / "shared" / "data"
SPIRAL_EPOCHS = 1000
OPTIMIZERS = {  # the book's chapter 10 settings for the spiral classifier
    "SGD (momentum 0.9)": lambda: nn.SGD(learning_rate=1.0, decay=1e-3, momentum=0.9),
    "AdaGrad": lambda: nn.Adagrad(learning_rate=1.0, decay=1e-4),
    "RMSprop": lambda: nn.RMSprop(learning_rate=0.02, decay=1e-5, rho=0.999),
    "Adam": lambda: nn.Adam(learning_rate=0.05, decay=5e-7),
}


def save(figure: Figure, name: str) -> None:
    path = OUT / name
    figure.savefig(path, dpi=90)
    print(f"wrote {path.relative_to(REPO)}")


def neuron() -> None:
    """The graph of z = sum(w * x) + b (docs/neurons.md)."""
    x = tg.Tensor([1.0, 2.0, 3.0, 2.5], name="x")
    w = tg.Tensor([0.2, 0.8, -0.5, 1.0], requires_grad=True, name="w")
    b = tg.Tensor(2.0, requires_grad=True, name="b")
    z = (w * x).sum() + b
    z.name = "z"
    render(tg.draw_graph(z, show_data=True), OUT / "neuron.svg")
    print(f"wrote {(OUT / 'neuron.svg').relative_to(REPO)}")


def activations() -> None:
    """ReLU and sigmoid, and their derivatives from backward() on a grid (docs/activations.md)."""
    grid = np.linspace(-5.0, 5.0, 401)
    figure = Figure(figsize=(9, 3.5), layout="constrained")
    for axes, (name, function) in zip(figure.subplots(1, 2), (("ReLU", tg.functional.relu),
                                                               ("sigmoid", tg.functional.sigmoid))):
        x = tg.Tensor(grid, requires_grad=True)
        y = function(x)
        y.sum().backward()  # each y_i depends on x_i only, so x.grad is dy_i/dx_i
        axes.plot(grid, y.data, label=name)
        axes.plot(grid, x.grad, "--", label=f"d {name} / dx (autograd)")
        axes.set_xlabel("x")
        axes.set_title(name)
        axes.grid(alpha=0.3)
        axes.legend()
    save(figure, "activations.png")


def learning_rate_decay() -> None:
    """current_learning_rate = learning_rate / (1 + decay * iterations) over 20 steps (docs/optimizers.md)."""
    figure = Figure(figsize=(6, 3.5), layout="constrained")
    axes = figure.subplots()
    for decay in (0.1, 0.01):
        weight = tg.Tensor([0.0], requires_grad=True)
        optimizer = nn.SGD([weight], learning_rate=1.0, decay=decay)
        rates = []
        for _ in range(20):
            weight.grad = np.ones(1, dtype=np.float32)
            optimizer.step()
            rates.append(optimizer.current_learning_rate)
        axes.plot(range(1, 21), rates, marker="o", label=f"decay = {decay}")
    axes.set_xlabel("step")
    axes.set_ylabel("current learning rate")
    axes.set_title("learning-rate decay, learning_rate = 1")
    axes.grid(alpha=0.3)
    axes.legend()
    save(figure, "learning_rate_decay.png")


def spiral_model(optimizer: nn.Optimizer) -> nn.Model:
    """The book's chapter 10 classifier: Dense(2, 64), ReLU, Dense(64, 3), Softmax."""
    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 64, seed=0))
    model.add(nn.ReLU())
    model.add(nn.Dense(64, 3, seed=1))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=optimizer, accuracy=nn.CategoricalAccuracy())
    return model.finalize()


def optimizers_and_decision_regions() -> None:
    """Loss curves of the four optimizers on spiral data, and the regions the
    Adam-trained classifier assigns to each class (docs/optimizers.md)."""
    X, y = nn.spiral_data(samples=100, classes=3)
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.subplots()
    for label, make in OPTIMIZERS.items():
        model = spiral_model(make())
        history = model.train(X, y, epochs=SPIRAL_EPOCHS, verbose=False)
        axes.plot(history["loss"], label=f"{label}: acc {history['accuracy'][-1]:.2f}")
        print(f"  {label}: final loss {history['loss'][-1]:.3f}, accuracy {history['accuracy'][-1]:.3f}")
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("training loss")
    axes.set_title(f"spiral data, 3 classes, {SPIRAL_EPOCHS} epochs")
    axes.grid(alpha=0.3)
    axes.legend()
    save(figure, "optimizers.png")
    decision_regions(model, X, y)  # the last model trained is Adam's


def decision_regions(model: nn.Model, X: np.ndarray, y: np.ndarray) -> None:
    ticks = np.linspace(-1.1, 1.1, 221, dtype=np.float32)
    grid_x, grid_y = np.meshgrid(ticks, ticks)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    classes = model.predict(points).argmax(axis=1).reshape(grid_x.shape)
    figure = Figure(figsize=(5, 4.5), layout="constrained")
    axes = figure.subplots()
    axes.contourf(grid_x, grid_y, classes, levels=[-0.5, 0.5, 1.5, 2.5], cmap="brg", alpha=0.25)
    axes.scatter(X[:, 0], X[:, 1], c=y, cmap="brg", s=8)
    axes.set_title("decision regions of the spiral classifier (Adam)")
    axes.set_aspect("equal")
    save(figure, "decision_regions.png")


def dropout_masks() -> None:
    """Three masks of nn.Dropout(0.5) on a batch of ones: the survivors are scaled by 2 (docs/dropout.md)."""
    layer = nn.Dropout(0.5, seed=0)
    ones = tg.Tensor(np.ones((8, 24), dtype=np.float32))
    figure = Figure(figsize=(9, 2.4), layout="constrained")
    for step, axes in enumerate(figure.subplots(1, 3), start=1):
        mask = layer(ones).data
        axes.imshow(mask, cmap="Greys", vmin=0, vmax=2)
        axes.set_title(f"step {step}: {int((mask == 0).sum())} of {mask.size} dropped")
        axes.set_xticks([])
        axes.set_yticks([])
    save(figure, "dropout_masks.png")


def fashion_mnist() -> None:
    """Samples of each class (docs/real-dataset.md), and the confusion matrix of a small
    model after 2 epochs (docs/evaluation.md)."""
    folder = Path(os.environ.get("TENSORGRAD_DATA") or SHARED_DATA)
    if not (folder / "fashion_mnist_images.zip").is_file():
        print(f"note: skipped the Fashion-MNIST figures: fashion_mnist_images.zip is not in {folder} "
              "(set $TENSORGRAD_DATA)")
        return
    X_train, y_train, X_test, y_test = nn.load_fashion_mnist(data=folder)
    figure = Figure(figsize=(10, 1.6), layout="constrained")
    for label, axes in enumerate(figure.subplots(1, 10)):
        axes.imshow(X_train[np.flatnonzero(y_train == label)[0]], cmap="gray")
        axes.set_title(nn.FASHION_MNIST_LABELS[label], fontsize=8)
        axes.axis("off")
    save(figure, "fashion_samples.png")

    X, y = nn.shuffle(X_train, y_train, seed=0)
    model = nn.Model(seed=0)
    model.add(nn.Dense(784, 64, init="he", seed=0))
    model.add(nn.ReLU())
    model.add(nn.Dense(64, 10, init="he", seed=1))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(decay=1e-4), accuracy=nn.CategoricalAccuracy())
    model.finalize()
    model.train(nn.scale_and_flatten(X), y, epochs=2, batch_size=128, verbose=False)
    loss, accuracy = model.evaluate(nn.scale_and_flatten(X_test), y_test)
    print(f"  Fashion-MNIST, 2 epochs: test loss {loss:.3f}, accuracy {accuracy:.3f}")
    predicted = model.predict(nn.scale_and_flatten(X_test)).argmax(axis=1)
    matrix = nn.confusion_matrix(y_test, predicted, 10)
    path = plot_confusion_matrix(matrix, nn.FASHION_MNIST_LABELS, OUT / "confusion_matrix.png",
                                 title=f"test set after 2 epochs, accuracy {accuracy:.3f}")
    print(f"wrote {path.relative_to(REPO)}")


def convolution() -> None:
    """The first Conv2D layer's 32 filters and the feature maps they make of one test image,
    from the cnn recipe's network trained for one epoch on 20,000 images (docs/convolution.md)."""
    folder = Path(os.environ.get("TENSORGRAD_DATA") or SHARED_DATA)
    if not (folder / "fashion_mnist_images.zip").is_file():
        print(f"note: skipped the convolution figures: fashion_mnist_images.zip is not in {folder}")
        return
    X_train, y_train, X_test, y_test = nn.load_fashion_mnist(data=folder, channels=True)
    X, y = nn.shuffle(X_train, y_train, seed=0)
    model = nn.Model(seed=0)
    for index, (c_in, c_out) in enumerate(((1, 32), (32, 64))):
        model.add(nn.Conv2D(c_in, c_out, 3, seed=index))
        model.add(nn.ReLU())
        model.add(nn.MaxPool2D(2))
    model.add(nn.Flatten())
    model.add(nn.Dense(64 * 5 * 5, 128, init="he", seed=2))
    model.add(nn.ReLU())
    model.add(nn.Dense(128, 10, init="he", seed=3))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(), accuracy=nn.CategoricalAccuracy())
    model.finalize()
    model.train(nn.scale_images(X[:20_000]), y[:20_000], epochs=1, batch_size=128, verbose=False)
    _, accuracy = model.evaluate(nn.scale_images(X_test), y_test, batch_size=1000)
    print(f"  CNN, 1 epoch on 20,000 images: test accuracy {accuracy:.3f}")

    filters = model.layers[0].weights.data[:, 0]  # (32, 3, 3)
    figure = Figure(figsize=(8, 2.3), layout="constrained")
    limit = np.abs(filters).max()
    for kernel, axes in zip(filters, figure.subplots(2, 16).ravel()):
        axes.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes.axis("off")
    figure.suptitle("the 32 first-layer 3x3 filters (red positive, blue negative)", fontsize=9)
    save(figure, "conv_filters.png")

    image = X_test[np.flatnonzero(y_test == 9)[0]]  # an ankle boot
    model.eval()
    with tg.no_grad():
        maps = model.layers[1](model.layers[0](nn.scale_images(image[None]))).data[0]  # (32, 26, 26)
    figure = Figure(figsize=(8, 4.6), layout="constrained")
    grid = figure.subplots(4, 9)
    grid[0, 0].imshow(image[0], cmap="gray")
    grid[0, 0].set_title("input", fontsize=8)
    for axes, feature_map in zip(grid.ravel()[1:], maps):
        axes.imshow(feature_map, cmap="viridis")
    for axes in grid.ravel():
        axes.axis("off")
    figure.suptitle("one test image and its 32 feature maps after Conv2D + ReLU", fontsize=9)
    save(figure, "conv_feature_maps.png")


FIGURES = {
    "neuron": neuron,
    "activations": activations,
    "learning_rate_decay": learning_rate_decay,
    "optimizers": optimizers_and_decision_regions,
    "dropout": dropout_masks,
    "fashion_mnist": fashion_mnist,
    "convolution": convolution,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"figures to draw (default: all): {', '.join(FIGURES)}")
    names = parser.parse_args().names or list(FIGURES)
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        parser.error(f"NAME: expected one of {', '.join(FIGURES)}, got {', '.join(unknown)}")
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        FIGURES[name]()


if __name__ == "__main__":
    main()
