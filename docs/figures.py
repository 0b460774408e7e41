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
    X, y = nn.spiral_data(samples=100, classes=3, seed=0)
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


CLASS_COLOURS = ("tab:blue", "tab:orange", "tab:green")  # one per spiral arm, regions and points alike


def decision_regions(model: nn.Model, X: np.ndarray, y: np.ndarray) -> None:
    """Each grid point tinted with the class the model predicts there, in the colour of
    that class's training points, with a legend naming the classes."""
    from matplotlib.colors import ListedColormap

    ticks = np.linspace(-1.1, 1.1, 221, dtype=np.float32)
    grid_x, grid_y = np.meshgrid(ticks, ticks)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    classes = model.predict(points).argmax(axis=1).reshape(grid_x.shape)
    figure = Figure(figsize=(5.5, 4.8), layout="constrained")
    axes = figure.subplots()
    colours = ListedColormap(CLASS_COLOURS)
    axes.contourf(grid_x, grid_y, classes, levels=[-0.5, 0.5, 1.5, 2.5], cmap=colours, alpha=0.25)
    for label, colour in enumerate(CLASS_COLOURS):
        chosen = y == label
        axes.scatter(X[chosen, 0], X[chosen, 1], color=colour, s=10, edgecolors="black", linewidths=0.3,
                     label=f"class {label} (tint: predicted {label})")
    accuracy = np.mean(model.predict(X).argmax(axis=1) == y)
    axes.set_title(f"decision regions of the spiral classifier (Adam), training accuracy {accuracy:.2f}",
                   fontsize=9)
    axes.set_aspect("equal")
    axes.legend(loc="upper right", fontsize=7, framealpha=0.9)
    save(figure, "decision_regions.png")


def datasets() -> None:
    """The book's two synthetic data sets as scatter plots (docs/dense-layers.md)."""
    figure = Figure(figsize=(9, 4), layout="constrained")
    for axes, (title, make) in zip(figure.subplots(1, 2), (("spiral_data(100, 3)", nn.spiral_data),
                                                           ("vertical_data(100, 3)", nn.vertical_data))):
        X, y = make(samples=100, classes=3, seed=0)
        for label, colour in enumerate(CLASS_COLOURS):
            axes.scatter(X[y == label, 0], X[y == label, 1], color=colour, s=10, label=f"class {label}")
        axes.set_title(title)
        axes.set_aspect("equal")
        axes.legend(fontsize=8)
    save(figure, "datasets.png")


def relu_sine() -> None:
    """Step, linear and ReLU activations, and eight hand-set ReLU neurons fitting a sine
    (docs/activations.md); the fit is the page's listing."""
    grid = np.linspace(-2, 2, 401)
    figure = Figure(figsize=(11, 3.4), layout="constrained")
    shapes, fit = figure.subplots(1, 2, width_ratios=[1, 1.3])
    shapes.plot(grid, (grid > 0) * 1.0, label="step: 1 if x > 0 else 0")
    shapes.plot(grid, grid, label="linear: x")
    shapes.plot(grid, np.maximum(0, grid), "--", label="ReLU: max(0, x)")
    shapes.set_title("activation functions")
    shapes.grid(alpha=0.3)
    shapes.legend(fontsize=8)
    network, knots = hand_tuned_sine_network()
    x = np.linspace(0, 1, 200).reshape(-1, 1)
    fit.plot(x, np.sin(2 * np.pi * x), label="sin(2 pi x)")
    fit.plot(x, network(x).data, "--", label=f"{len(knots)} ReLU neurons, weights set by hand")
    fit.plot(knots, np.sin(2 * np.pi * knots), "k.", label="where a neuron switches on")
    fit.set_title("why ReLU can fit a sine: a sum of bent lines")
    fit.grid(alpha=0.3)
    fit.legend(fontsize=8)
    save(figure, "relu_sine.png")


def hand_tuned_sine_network() -> tuple[nn.Sequential, np.ndarray]:
    """Dense(1, 8) -> ReLU -> Dense(8, 1) whose weights interpolate sin(2 pi x) at 8 knots:
    neuron k is relu(x - t_k), and its output weight is the change of slope at t_k."""
    knots = np.linspace(0, 1, 9)[:-1]
    values = np.sin(2 * np.pi * np.append(knots, 1.0))
    slopes = np.diff(values) / np.diff(np.append(knots, 1.0))
    first, second = nn.Dense(1, 8, dtype=np.float64), nn.Dense(8, 1, dtype=np.float64)
    first.weights.data = np.ones((1, 8))
    first.biases.data = -knots.reshape(1, -1)
    second.weights.data = np.diff(np.append(0.0, slopes)).reshape(-1, 1)
    second.biases.data = np.array([[values[0]]])
    return nn.Sequential(first, nn.ReLU(), second), knots


def random_search() -> None:
    """The book's first attempt (fresh random weights each time, keep the best) against
    perturb-and-keep, on vertical and spiral data (docs/optimization.md)."""
    figure = Figure(figsize=(10, 3.6), layout="constrained")
    for axes, (name, make) in zip(figure.subplots(1, 2), (("vertical", nn.vertical_data), ("spiral", nn.spiral_data))):
        X, y = make(samples=100, classes=3, seed=0)
        for strategy in ("fully random", "perturb and keep"):
            losses = search_losses(X, y, strategy)
            axes.plot(losses, label=f"{strategy}: best {losses[-1]:.3f}")
        axes.set_title(f"{name} data: best loss so far")
        axes.set_xlabel("iteration")
        axes.set_ylabel("loss")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    save(figure, "random_search.png")


def search_losses(X: np.ndarray, y: np.ndarray, strategy: str, iterations: int = 1000) -> list[float]:
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Dense(2, 3, seed=0), nn.ReLU(), nn.Dense(3, 3, seed=1), nn.Softmax())
    loss_function = nn.CategoricalCrossEntropy()
    parameters = model.parameters()
    best = [p.data.copy() for p in parameters]
    history = []
    with tg.no_grad():
        best_loss = loss_function(model(X), y).item()
        for _ in range(iterations):
            for p, kept in zip(parameters, best):
                step = (0.05 * rng.standard_normal(kept.shape)).astype(kept.dtype)
                p.data = step if strategy == "fully random" else kept + step
            loss = loss_function(model(X), y).item()
            if loss < best_loss:
                best_loss, best = loss, [p.data.copy() for p in parameters]
            history.append(best_loss)
    return history


def tangents_and_differences() -> None:
    """Tangent lines of f(x) = 2x^2 with slopes from autograd, and the error of forward
    and central differences against the step h (docs/derivatives.md)."""
    figure = Figure(figsize=(10, 3.8), layout="constrained")
    curve, errors = figure.subplots(1, 2)
    grid = np.linspace(-0.5, 2.5, 200)
    curve.plot(grid, 2 * grid ** 2, label="f(x) = 2x²")
    for point in (0.5, 1.0, 2.0):
        x = tg.Tensor(point, requires_grad=True, dtype=np.float64)
        y = 2 * x ** 2
        y.backward()
        near = np.linspace(point - 0.6, point + 0.6, 20)
        curve.plot(near, x.grad * (near - point) + y.item(), "--", label=f"tangent at {point}: slope {float(x.grad):g}")
    curve.set_ylim(-1, 13)
    curve.grid(alpha=0.3)
    curve.legend(fontsize=8)
    curve.set_title("the derivative is the slope of the tangent")
    steps = np.logspace(-12, -1, 45)
    f = np.exp  # derivative at 1 is e
    forward = np.abs((f(1 + steps) - f(1)) / steps - np.e)
    central = np.abs((f(1 + steps) - f(1 - steps)) / (2 * steps) - np.e)
    errors.loglog(steps, forward, label="forward: (f(x+h) - f(x)) / h")
    errors.loglog(steps, central, label="central: (f(x+h) - f(x-h)) / 2h")
    errors.set_xlabel("h")
    errors.set_ylabel("error of the slope of e^x at x = 1")
    errors.set_title("error ~ h (forward), ~ h² (central), then rounding")
    errors.grid(alpha=0.3, which="both")
    errors.legend(fontsize=8)
    save(figure, "tangents.png")


def learning_rates_and_momentum() -> None:
    """SGD on the spiral classifier with a learning rate too low, workable and too high;
    then plain SGD against SGD with momentum (docs/optimizers.md)."""
    X, y = nn.spiral_data(samples=100, classes=3, seed=0)
    figure = Figure(figsize=(10, 3.8), layout="constrained")
    rates, momentum = figure.subplots(1, 2)
    for learning_rate, label in ((0.02, "too low"), (3.0, "workable"), (30.0, "too high")):
        history = spiral_model(nn.SGD(learning_rate=learning_rate)).train(X, y, epochs=SPIRAL_EPOCHS, verbose=False)
        rates.plot(history["loss"], label=f"learning_rate {learning_rate:g} ({label}): {history['loss'][-1]:.2f}")
    for beta in (0.0, 0.9):  # the book's chapter 10 settings: learning rate 1, decay 1e-3
        history = spiral_model(nn.SGD(learning_rate=1.0, decay=1e-3, momentum=beta)).train(
            X, y, epochs=SPIRAL_EPOCHS, verbose=False)
        momentum.plot(history["loss"], label=f"momentum {beta:g}: loss {history['loss'][-1]:.2f}, "
                                             f"acc {history['accuracy'][-1]:.2f}")
    for axes, title in ((rates, "plain SGD, three learning rates"), (momentum, "SGD, learning_rate 1, decay 1e-3")):
        axes.set_yscale("log")
        axes.set_xlabel("epoch")
        axes.set_ylabel("training loss")
        axes.set_title(title)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    save(figure, "learning_rates.png")


def overfitting() -> None:
    """Training against test loss for a wide network on 300 spiral points: without
    regularization, with L2, with dropout (docs/regularization.md)."""
    X, y = nn.spiral_data(samples=100, classes=3, seed=0)
    X_test, y_test = nn.spiral_data(samples=100, classes=3, seed=1)
    figure = Figure(figsize=(12, 3.6), layout="constrained")
    for axes, (title, l2, rate) in zip(figure.subplots(1, 3, sharey=True), (
            ("no regularization", 0.0, 0.0), ("L2 5e-4 on weights and biases", 5e-4, 0.0), ("Dropout(0.1)", 0.0, 0.1))):
        model = nn.Model(seed=0)
        model.add(nn.Dense(2, 256, weight_regularizer_l2=l2, bias_regularizer_l2=l2, seed=0))
        model.add(nn.ReLU())
        if rate:
            model.add(nn.Dropout(rate, seed=0))
        model.add(nn.Dense(256, 3, seed=1))
        model.add(nn.Softmax())
        model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.02, decay=5e-7),
                  accuracy=nn.CategoricalAccuracy())
        model.finalize()
        history = model.train(X, y, epochs=2000, verbose=False, validation_data=(X_test, y_test))
        axes.plot(history["data_loss"], label=f"training data loss: {history['data_loss'][-1]:.2f}")
        axes.plot(history["val_loss"], label=f"test loss: {history['val_loss'][-1]:.2f}")
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
        print(f"  {title}: training {history['data_loss'][-1]:.3f}, test {history['val_loss'][-1]:.3f}, "
              f"test accuracy {history['val_accuracy'][-1]:.3f}")
    figure.axes[0].set_ylabel("loss")
    save(figure, "overfitting.png")


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
    "datasets": datasets,
    "relu_sine": relu_sine,
    "random_search": random_search,
    "tangents": tangents_and_differences,
    "activations": activations,
    "learning_rate_decay": learning_rate_decay,
    "optimizers": optimizers_and_decision_regions,
    "learning_rates": learning_rates_and_momentum,
    "overfitting": overfitting,
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
