"""Train the same spiral classifier with each of the book's optimizers and plot the race.

    python examples/optimizers.py                   # 1000 epochs each, writes into runs/optimizers
    python examples/optimizers.py --epochs 200 --out /tmp/race --seed 1

Dense(2, 64) -> ReLU -> Dense(64, 3) -> Softmax on spiral_data(100, 3), from the same
starting weights, with the book's chapter-10 settings: SGD(learning_rate=1, decay=1e-3,
momentum=0.9), Adagrad(decay=1e-4), RMSprop(learning_rate=0.02, decay=1e-5, rho=0.999)
and Adam(learning_rate=0.05, decay=5e-7). Every optimizer decays its step as
learning_rate / (1 + decay * iterations). It prints each run's progress lines and a
final table, and writes into --out: loss.png (loss per epoch), learning_rate.png (the
decay schedules) and histories.json.
"""
from __future__ import annotations

import os

# Small batches gain nothing from BLAS threads, and on a busy machine spinning threads
# make each step many times slower. Set before NumPy loads; the environment wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from matplotlib.figure import Figure  # noqa: E402  (no pyplot: the Agg canvas, no GUI)

import nn  # noqa: E402
from nn.model import Model  # noqa: E402


def book_optimizers() -> list[nn.Optimizer]:
    return [
        nn.SGD(learning_rate=1.0, decay=1e-3, momentum=0.9),
        nn.Adagrad(decay=1e-4),
        nn.RMSprop(learning_rate=0.02, decay=1e-5, rho=0.999),
        nn.Adam(learning_rate=0.05, decay=5e-7),
    ]


def build_model(optimizer: nn.Optimizer, seed: int) -> Model:
    model = Model(seed=seed)
    model.add(nn.Dense(2, 64, seed=seed))
    model.add(nn.ReLU())
    model.add(nn.Dense(64, 3, seed=seed + 1))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=optimizer, accuracy=nn.CategoricalAccuracy())
    return model.finalize()


def plot_curves(histories: dict[str, dict], key: str, title: str, path: Path, log_scale: bool) -> Path:
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.subplots()
    for name, history in histories.items():
        axes.plot(range(1, len(history[key]) + 1), history[key], label=name)
    if log_scale:
        axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel(key.replace("_", " "))
    axes.set_title(title)
    axes.legend()
    axes.grid(alpha=0.3)
    figure.savefig(path, dpi=100)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000, help="training epochs per optimizer (default 1000)")
    parser.add_argument("--out", default="runs/optimizers", help="output folder (default runs/optimizers)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the starting weights")
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    X, y = nn.spiral_data(samples=100, classes=3, seed=args.seed)
    histories = {}
    for optimizer in book_optimizers():
        print(f"== {optimizer!r}")
        model = build_model(optimizer, args.seed)
        histories[type(optimizer).__name__] = model.train(X, y, epochs=args.epochs,
                                                          print_every=max(1, args.epochs // 5))

    print(f"{'optimizer':<10} {'loss':>8} {'accuracy':>9} {'final lr':>10}")
    for name, history in histories.items():
        print(f"{name:<10} {history['loss'][-1]:>8.4f} {history['accuracy'][-1]:>9.3f} "
              f"{history['learning_rate'][-1]:>10.4g}")

    loss_path = plot_curves(histories, "loss", "loss per epoch", out / "loss.png", log_scale=True)
    rate_path = plot_curves(histories, "learning_rate", "learning rate / (1 + decay * iterations)",
                            out / "learning_rate.png", log_scale=True)
    (out / "histories.json").write_text(json.dumps(histories))
    print(f"wrote the loss curves to {loss_path.resolve()}")
    print(f"wrote the learning-rate curves to {rate_path.resolve()}")
    print(f"wrote the histories to {(out / 'histories.json').resolve()}")


if __name__ == "__main__":
    main()
