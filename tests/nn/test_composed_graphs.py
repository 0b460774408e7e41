"""What nn trains with is composed: every node of a training step's graph is a primitive,
parameters show their module paths, and the graph can be looked at after backward."""
import tracemalloc

import numpy as np
import pytest

import nn
import tensorgrad as tg
from tensorgrad.autograd import producers

PAIRS = [
    ("softmax + categorical cross-entropy", nn.Softmax, nn.CategoricalCrossEntropy, lambda n: np.arange(n) % 3, 3),
    ("sigmoid + binary cross-entropy", nn.Sigmoid, nn.BinaryCrossEntropy,
     lambda n: (np.arange(2 * n).reshape(n, 2) % 2).astype(np.float32), 2),
    ("linear + mean squared error", nn.Linear, nn.MeanSquaredError,
     lambda n: np.linspace(-1, 1, n, dtype=np.float32).reshape(n, 1), 1),
    ("linear + mean absolute error", nn.Linear, nn.MeanAbsoluteError,
     lambda n: np.linspace(-1, 1, n, dtype=np.float32).reshape(n, 1), 1),
]


def node_types(root):
    found, seen, stack = set(), set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        found.add(type(node))
        stack.extend(producer for producer, _ in producers(node))
    return found


def book_model(activation, loss, outputs):
    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 8, weight_regularizer_l2=5e-4, bias_regularizer_l1=1e-4, seed=0))
    model.add(nn.ReLU())
    model.add(nn.Dropout(0.1, seed=0))
    model.add(nn.Dense(8, outputs, seed=1))
    model.add(activation())
    model.set(loss=loss(), optimizer=nn.Adam(learning_rate=0.01),
              accuracy=nn.CategoricalAccuracy() if outputs == 3 else nn.RegressionAccuracy())
    return model.finalize()


@pytest.mark.parametrize("name, activation, loss, targets, outputs", PAIRS, ids=[pair[0] for pair in PAIRS])
def test_the_books_output_and_loss_pairs_train_on_primitives_only(monkeypatch, name, activation, loss, targets,
                                                                    outputs):
    recorded = []
    backward = tg.Tensor.backward

    def recording_backward(self, *args, **kwargs):
        recorded.append(self)
        return backward(self, *args, **kwargs)

    monkeypatch.setattr(tg.Tensor, "backward", recording_backward)
    X, _ = nn.spiral_data(20, 3, seed=0)
    model = book_model(activation, loss, outputs)
    model.train(X, targets(len(X)), epochs=2, batch_size=16, verbose=False)
    assert len(recorded) == 2 * 4
    for total in recorded:
        types = node_types(total)
        assert types <= set(tg.ops.PRIMITIVES), f"{name}: not primitives: {types - set(tg.ops.PRIMITIVES)}"
        assert tg.ops.MatMul in types and tg.ops.Maximum in types
    if activation is nn.Softmax:  # the loss is taken from the logits, through LogSumExp
        assert tg.ops.LogSumExp in node_types(recorded[-1])


def test_explain_and_draw_graph_of_a_network_name_parameters_by_module_path():
    model = book_model(nn.Softmax, nn.CategoricalCrossEntropy, 3)
    X = np.array([[0.5, -1.0], [1.5, 0.25]], dtype=np.float32)
    loss = tg.functional.cross_entropy(model.layers[3](model.layers[1](model.layers[0](X))), np.array([0, 2]))
    loss.backward()
    text = tg.explain(loss)
    for name in ("0.weights", "0.biases", "3.weights", "3.biases"):
        assert f"    {name} = " in text.split("leaf gradients")[1]
    assert "to 3.weights" not in text  # a freed graph sends nothing: it shows what exists
    source = tg.draw_graph(loss).source
    assert '"0.weights\\n(2, 8) float32\\n|grad| = ' in source
    named = nn.Dense(2, 2)
    named.weights.name = "W_mine"
    container = nn.Model()
    container.add(named)
    assert named.weights.name == "W_mine" and named.biases.name == "0.biases"


def test_a_thousand_training_steps_do_not_grow_memory():
    X, y = nn.spiral_data(8, 3, seed=0)
    model = book_model(nn.Softmax, nn.CategoricalCrossEntropy, 3)
    model.train(X, y, epochs=50, batch_size=8, verbose=False)  # warm caches and buffers
    tracemalloc.start()
    try:
        model.train(X, y, epochs=100, batch_size=8, verbose=False)
        after_300 = tracemalloc.get_traced_memory()[0]
        model.train(X, y, epochs=334, batch_size=8, verbose=False)
        after_1300 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_1300 - after_300 < 64 * 1024, f"grew by {after_1300 - after_300} bytes over 1,000 steps"
