"""Fit one period of a sine with the book's regression model and draw the fit.

    python examples/regression.py                   # 1000 epochs, writes into runs/regression
    python examples/regression.py --epochs 300 --out /tmp/sine --seed 1

The book's chapter-17 network: Dense(1, 64) -> ReLU -> Dense(64, 64) -> ReLU -> Dense(64, 1)
-> Linear (the identity), mean squared error, Adam(learning_rate=0.005, decay=1e-3), with
RegressionAccuracy (a prediction counts as right within std(y) / 250 of the target).
The layers start from Glorot's scale: from the book's 0.01 * randn this net starts as a
flat line (outputs about 1e-5) and after 1000 epochs is still at MSE 0.03, against 2e-5
from Glorot's start (the book, too, had to start from larger weights here). It prints the book's
progress lines, the final mean squared error and the worst error, and writes into --out:
regression.png (the sine and the model's curve), history.json and regression.tgm.
"""
from __future__ import annotations

import common

common.use_one_blas_thread()  # before NumPy loads: BLAS reads the setting once

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import nn  # noqa: E402
from nn.model import Model  # noqa: E402


def build_model(seed: int) -> Model:
    model = Model(seed=seed)
    model.add(nn.Dense(1, 64, init="glorot", seed=seed))
    model.add(nn.ReLU())
    model.add(nn.Dense(64, 64, init="glorot", seed=seed + 1))
    model.add(nn.ReLU())
    model.add(nn.Dense(64, 1, init="glorot", seed=seed + 2))
    model.add(nn.Linear())
    model.set(loss=nn.MeanSquaredError(), optimizer=nn.Adam(learning_rate=0.005, decay=1e-3),
              accuracy=nn.RegressionAccuracy())
    return model.finalize()


def plot_fit(X: np.ndarray, y: np.ndarray, predictions: np.ndarray, path: Path) -> Path:
    lines = {
        "sin(2 pi x)": (X[:, 0], y[:, 0], {"linewidth": 3, "alpha": 0.5}),
        "model": (X[:, 0], predictions[:, 0], {"linestyle": "--"}),
    }
    return common.save_line_plot(path, "sine regression", lines, xlabel="x")


def main() -> None:
    args = common.parse_run_arguments(__doc__, epochs=1000, out="runs/regression",
                                      seed_help="seed of the layers")
    out = args.out

    X, y = nn.sine_data(1000)
    model = build_model(args.seed)
    history = model.train(X, y, epochs=args.epochs, print_every=max(1, args.epochs // 10))

    predictions = model.predict(X)
    loss, accuracy = model.evaluate(X, y)
    print(f"final, mse: {loss:.3g}, acc: {accuracy:.3f}, worst error: {np.abs(predictions - y).max():.4f}")

    model.save(out / "regression.tgm")
    print(f"wrote the model to {(out / 'regression.tgm').resolve()}")
    (out / "history.json").write_text(json.dumps(history))
    print(f"wrote the history to {(out / 'history.json').resolve()}")
    print(f"wrote the fit to {plot_fit(X, y, predictions, out / 'regression.png').resolve()}")


if __name__ == "__main__":
    main()
