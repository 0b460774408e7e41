"""Solutions to the exercises of docs/saving-and-loading.md."""
import tempfile
from pathlib import Path

import numpy as np

import nn


def build():
    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 8))
    model.add(nn.ReLU())
    model.add(nn.Dense(8, 3))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.05),
              accuracy=nn.CategoricalAccuracy())
    return model.finalize()


def exercise_1():
    """Save only the parameters, load them into a freshly built model: same predictions.
    A temporary folder keeps the working folder clean."""
    X, y = nn.spiral_data(samples=20, classes=3, seed=0)
    model = build()
    model.train(X, y, epochs=20, verbose=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spiral.params"
        model.save_parameters(path)
        fresh = build()
        fresh.load_parameters(path)
    assert np.array_equal(fresh.predict(X), model.predict(X))
    return sorted(fresh.state_dict())


def exercise_2():
    """Loading refuses parameters of the wrong shape and names them; the model is unchanged."""
    X, _ = nn.spiral_data(samples=5, classes=3, seed=0)
    wider = nn.Model()
    wider.add(nn.Dense(2, 16))
    wider.add(nn.ReLU())
    wider.add(nn.Dense(16, 3))
    wider.add(nn.Softmax())
    model = build()
    before = model.predict(X)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wider.params"
        wider.save_parameters(path)
        try:
            model.load_parameters(path)
        except ValueError as error:
            message = str(error)
        else:
            raise AssertionError("parameters of another shape must be refused")
    assert "0.weights" in message and np.array_equal(model.predict(X), before)
    return message.splitlines()[0][:100]


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
