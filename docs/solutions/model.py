"""Solutions to the exercises of docs/model.md."""
import numpy as np

import nn
import tensorgrad as tg


def build(seed=0):
    model = nn.Model(seed=seed)
    model.add(nn.Dense(2, 16, dtype=np.float64, seed=0))
    model.add(nn.ReLU())
    model.add(nn.Dense(16, 3, dtype=np.float64, seed=1))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.SGD(learning_rate=0.5),
              accuracy=nn.CategoricalAccuracy())
    return model.finalize()


def exercise_1():
    """Model.train with one batch per epoch is the hand-written loop: forward, loss from the
    logits, backward, one optimizer step."""
    X, y = nn.spiral_data(samples=30, classes=3, seed=0)
    X = X.astype(np.float64)
    trained = build()
    trained.train(X, y, epochs=5, verbose=False)
    by_hand = build()
    layers = nn.Sequential(*by_hand.layers[:3])           # without the Softmax: logits
    optimizer = nn.SGD(by_hand.parameters(), learning_rate=0.5)
    for _ in range(5):
        optimizer.zero_grad()
        tg.functional.cross_entropy(layers(X), y).backward()
        optimizer.step()
    for a, b in zip(trained.parameters(), by_hand.parameters()):
        assert np.allclose(a.data, b.data, rtol=0, atol=1e-12)
    return trained.epochs_trained


def exercise_2():
    """get_parameters / set_parameters copy the book's (weights, biases) pairs out and in."""
    source, target = build(), build()
    for p in target.parameters():
        p.data = np.zeros_like(p.data)
    target.set_parameters(source.get_parameters())
    X = np.random.default_rng(0).standard_normal((4, 2))
    assert np.array_equal(target.predict(X), source.predict(X))
    return [tuple(array.shape for array in pair) for pair in source.get_parameters()]


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
