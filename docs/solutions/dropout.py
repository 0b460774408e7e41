"""Solutions to the exercises of docs/dropout.md."""
import numpy as np

import nn
import tensorgrad as tg


def exercise_1():
    """Inverted dropout keeps the expected value: survivors are divided by 1 - rate, so the
    mean output over many draws is the input."""
    layer = nn.Dropout(0.3, seed=0)
    x = tg.Tensor(np.full((1000, 100), 2.0, dtype=np.float32))
    output = layer(x).data
    kept = output != 0
    assert np.allclose(output[kept], 2.0 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.01 and abs(output.mean() - 2.0) < 0.02
    return float(output.mean())


def exercise_2():
    """In evaluation mode Dropout is the identity, and its gradient is the kept mask / (1 - rate)."""
    layer = nn.Dropout(0.5, seed=1)
    x = tg.Tensor(np.ones((4, 6)), requires_grad=True)
    out = layer(x)
    out.sum().backward()
    assert np.array_equal(x.grad, out.data)   # d out / d x = mask / 0.5 = out, since x = 1
    layer.eval()
    assert np.array_equal(layer(x).data, x.data)
    return x.grad


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
