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

import common

common.use_one_blas_thread()  # before NumPy loads: BLAS reads the setting once

import json  # noqa: E402
from pathlib import Path  # noqa: E402

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
    lines: dict[str, tuple[range, list, dict]] = {
        name: (range(1, len(history[key]) + 1), history[key], {}) for name, history in histories.items()}
    return common.save_line_plot(path, title, lines, xlabel="epoch", ylabel=key.replace("_", " "),
                                 log_scale=log_scale)


def main() -> None:
    args = common.parse_run_arguments(__doc__, epochs=1000, out="runs/optimizers",
                                      seed_help="seed of the data and the starting weights",
                                      epochs_help="training epochs per optimizer")
    out = args.out

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
