"""Binary logistic regression on two spiral arms: one sigmoid output, binary cross-entropy.

    python examples/binary_logistic.py              # 2000 epochs, writes into runs/binary_logistic
    python examples/binary_logistic.py --epochs 300 --out /tmp/binary --seed 2

The book's chapter-16 network: Dense(2, 64, L2 5e-4 on weights and biases) -> ReLU ->
Dense(64, 1) -> Sigmoid, binary cross-entropy, Adam(decay=5e-7). The labels are a
column (n, 1): each output is its own yes/no question, and a prediction is 1 where the
probability exceeds 0.5. It prints the book's progress lines with validation figures,
then the test accuracy and confusion matrix, and writes into --out:
binary_logistic.tgm, history.json and history.png.
"""
from __future__ import annotations

import common

common.use_one_blas_thread()  # before NumPy loads: BLAS reads the setting once

import json  # noqa: E402
from typing import Any  # noqa: E402

import nn  # noqa: E402
from nn.model import Model  # noqa: E402
from nn.plots import plot_history  # noqa: E402


def build_model(seed: int) -> Model:
    model = Model(seed=seed)
    model.add(nn.Dense(2, 64, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4, seed=seed))
    model.add(nn.ReLU())
    model.add(nn.Dense(64, 1, seed=seed + 1))
    model.add(nn.Sigmoid())
    model.set(loss=nn.BinaryCrossEntropy(), optimizer=nn.Adam(decay=5e-7),
              accuracy=nn.CategoricalAccuracy(binary=True))
    return model.finalize()


def main() -> None:
    args = common.parse_run_arguments(__doc__, epochs=2000, out="runs/binary_logistic",
                                      seed_help="seed of the data and the layers")
    out = args.out

    X, y = nn.spiral_data(samples=100, classes=2, seed=args.seed)
    X_test, y_test = nn.spiral_data(samples=100, classes=2, seed=args.seed + 1)
    y, y_test = y.reshape(-1, 1), y_test.reshape(-1, 1)  # one column: one sigmoid output
    model = build_model(args.seed)
    history = model.train(X, y, epochs=args.epochs, print_every=max(1, args.epochs // 10),
                          validation_data=(X_test, y_test))

    loss, accuracy = model.evaluate(X_test, y_test)
    print(f"test, acc: {accuracy:.3f}, loss: {loss:.4g}")
    output_activation: Any = model.output_activation  # a layer with a `predictions` rule
    predicted = output_activation.predictions(model.predict(X_test))
    print("confusion matrix (rows: true arm, columns: predicted arm):")
    print(nn.confusion_matrix(y_test[:, 0], predicted[:, 0], 2))

    model.save(out / "binary_logistic.tgm")
    print(f"wrote the model to {(out / 'binary_logistic.tgm').resolve()}")
    (out / "history.json").write_text(json.dumps(history))
    print(f"wrote the history to {(out / 'history.json').resolve()}")
    print(f"wrote the curves to {plot_history(history, out / 'history.png').resolve()}")


if __name__ == "__main__":
    main()
