"""Solutions to the exercises of docs/optimization.md."""
import numpy as np

import nn
import tensorgrad as tg


def small_net():
    return nn.Sequential(nn.Dense(2, 3, seed=0), nn.ReLU(), nn.Dense(3, 3, seed=1), nn.Softmax())


def loss_of(model, X, y):
    with tg.no_grad():
        return nn.CategoricalCrossEntropy()(model(X), y).item()


def exercise_1():
    """The book's very first attempt: fresh random weights every time, keep the best set.
    Perturb-and-keep from the same budget ends lower, because it builds on what worked."""
    X, y = nn.vertical_data(samples=100, classes=3, seed=0)
    rng = np.random.default_rng(0)
    model = small_net()
    best = np.inf
    for _ in range(300):                        # fully random search
        for p in model.parameters():
            p.data = (0.05 * rng.standard_normal(p.shape)).astype(p.dtype)
        best = min(best, loss_of(model, X, y))
    kept = [p.data.copy() for p in model.parameters()]
    current = loss_of(model, X, y)
    for _ in range(300):                        # perturb and keep
        for p, k in zip(model.parameters(), kept):
            p.data = k + (0.05 * rng.standard_normal(p.shape)).astype(p.dtype)
        loss = loss_of(model, X, y)
        if loss < current:
            current, kept = loss, [p.data.copy() for p in model.parameters()]
    assert current < best
    return round(best, 3), round(current, 3)


def exercise_2():
    """Parameters of Dense(2, 64) + Dense(64, 3): (2*64 + 64) + (64*3 + 3) = 387."""
    model = nn.Sequential(nn.Dense(2, 64), nn.ReLU(), nn.Dense(64, 3))
    count = sum(p.size for p in model.parameters())
    assert count == 2 * 64 + 64 + 64 * 3 + 3 == 387
    return count


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
