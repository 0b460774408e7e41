"""Solutions to the exercises of docs/neurons.md."""
import numpy as np

import tensorgrad as tg


def exercise_1():
    """A layer of three neurons with plain Python loops, then with one matrix product."""
    inputs = [1.0, 2.0, 3.0, 2.5]
    weights = [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
    biases = [2.0, 3.0, 0.5]
    outputs = []
    for neuron_weights, bias in zip(weights, biases):
        output = 0.0
        for x, w in zip(inputs, neuron_weights):
            output += x * w
        outputs.append(output + bias)
    # stored as (inputs, neurons), the weights multiply a row of inputs with no transpose
    W = tg.Tensor(np.array(weights).T)
    engine = tg.Tensor(inputs) @ W + tg.Tensor(biases)
    assert np.allclose(outputs, [4.8, 1.21, 2.385]) and np.allclose(engine.data, outputs)
    return outputs


def exercise_2():
    """With a batch of three samples, b.grad is 3: b was broadcast to every row."""
    X = tg.Tensor([[1.0, 2.0, 3.0, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]])
    w = tg.Tensor([0.2, 0.8, -0.5, 1.0], requires_grad=True)
    b = tg.Tensor(2.0, requires_grad=True)
    (X @ w + b).sum().backward()
    assert b.grad == 3.0
    assert np.allclose(w.grad, X.data.sum(axis=0))   # dz_i/dw = x_i, summed over samples
    return b.grad


if __name__ == "__main__":
    for exercise in (exercise_1, exercise_2):
        print(exercise.__name__, exercise())
