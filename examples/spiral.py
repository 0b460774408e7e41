"""Classify the book's three-arm spiral with a Model: L2 regularization, dropout, a test set.

    python examples/spiral.py                       # 2000 epochs, writes into runs/spiral
    python examples/spiral.py --epochs 200 --out /tmp/spiral --seed 3

The book's chapters 14-15 network, a little narrower so it trains in seconds:
Dense(2, 128, L2 5e-4 on weights and biases) -> ReLU -> Dropout(0.1) -> Dense(128, 3)
-> Softmax, cross-entropy, Adam(learning_rate=0.05, decay=5e-5), full batch. It prints
the book's progress lines (training and validation) as it trains, then the test figures
and a per-class report, and writes into --out: spiral.tgm (the model), history.json
(per-epoch figures) and history.png (loss and accuracy curves).

Validation loss sits below training loss here, and that is not a bug: the training
figures include the L2 penalty, run with dropout on and are averaged over the epoch before
each update; validation is the data loss alone, dropout off. The script prints the
training set's figures with dropout off too, to show it.
"""
from __future__ import annotations

import common

common.use_one_blas_thread()  # before NumPy loads: BLAS reads the setting once

import json  # noqa: E402

import numpy as np  # noqa: E402

import nn  # noqa: E402
from nn.model import Model  # noqa: E402
from nn.plots import plot_history  # noqa: E402


def build_model(seed: int, hidden: int = 128) -> Model:
    model = Model(seed=seed)
    model.add(nn.Dense(2, hidden, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4, seed=seed))
    model.add(nn.ReLU())
    model.add(nn.Dropout(0.1, seed=seed))
    model.add(nn.Dense(hidden, 3, seed=seed + 1))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.05, decay=5e-5),
              accuracy=nn.CategoricalAccuracy())
    return model.finalize()


def main() -> None:
    args = common.parse_run_arguments(__doc__, epochs=2000, out="runs/spiral",
                                      seed_help="seed of the data, the layers and the shuffling")
    out = args.out

    X, y = nn.spiral_data(samples=300, classes=3, seed=args.seed)
    X_test, y_test = nn.spiral_data(samples=100, classes=3, seed=args.seed + 1)
    model = build_model(args.seed)
    print(model)
    history = model.train(X, y, epochs=args.epochs, print_every=max(1, args.epochs // 10),
                          validation_data=(X_test, y_test))

    loss, accuracy = model.evaluate(X_test, y_test)
    print(f"test, acc: {accuracy:.3f}, loss: {loss:.3f}")
    # Why validation loss sits below the training loss: the training figures include the
    # L2 penalty, are measured with Dropout dropping 10% of the hidden units, and are
    # averaged before each step's update. The same training set with dropout off:
    train_loss, train_accuracy = model.evaluate(X, y)
    print(f"training set, dropout off, no L2 penalty: acc: {train_accuracy:.3f}, loss: {train_loss:.3f}")
    predicted = np.argmax(model.predict(X_test), axis=1)
    print(nn.format_report(nn.classification_report(y_test, predicted, 3, labels=["arm 0", "arm 1", "arm 2"])))

    model_path = out / "spiral.tgm"
    model.save(model_path)
    reloaded = Model.load(model_path)
    same = np.array_equal(reloaded.predict(X_test), model.predict(X_test))
    print(f"wrote the model to {model_path.resolve()} (reloaded, identical predictions: {same})")
    history_path = out / "history.json"
    history_path.write_text(json.dumps(history))
    print(f"wrote the history to {history_path.resolve()}")
    note = ("training loss = data loss + L2 penalty, with 10% dropout, before each update; "
            "validation: data loss only, dropout off, so it can sit below the training curve")
    print(f"wrote the curves to {plot_history(history, out / 'history.png', note=note).resolve()}")


if __name__ == "__main__":
    main()
