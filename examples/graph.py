"""Draw the graph of a two-layer network's loss, gradient norms included, as an SVG file.

    python examples/graph.py                  # writes ./graph.svg
    python examples/graph.py --out pictures/  # writes pictures/graph.svg
    python examples/graph.py --out net.svg

The forward pass is X @ W1 + b1 -> ReLU -> @ W2 + b2 -> softmax -> cross-entropy with
integer labels. backward() runs first: it gives the parameters the gradients whose norms
the picture shows, and keeps the graph's structure drawable (only the saved values go). Each layer is boxed
as a cluster (see `clusters` in tensorgrad.draw_graph).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tensorgrad as tg
from tensorgrad import functional as F
from tensorgrad.viz import render


def parameter(rng: np.random.Generator, shape: tuple[int, ...], name: str) -> tg.Tensor:
    return tg.Tensor(0.5 * rng.standard_normal(shape).astype(np.float32), requires_grad=True, name=name)


def two_layer_loss(seed: int = 0) -> tuple[tg.Tensor, dict[tg.Tensor, str]]:
    """The loss of a 3 -> 5 -> 3 network on four samples, and a {tensor: layer} map."""
    rng = np.random.default_rng(seed)
    X = tg.Tensor(rng.standard_normal((4, 3)).astype(np.float32), name="X")
    labels = np.array([0, 2, 1, 2])
    W1, b1 = parameter(rng, (3, 5), "W1"), parameter(rng, (1, 5), "b1")
    W2, b2 = parameter(rng, (5, 3), "W2"), parameter(rng, (1, 3), "b2")
    hidden = X @ W1 + b1
    hidden.name = "hidden"
    activated = hidden.relu()
    activated.name = "relu"
    scores = activated @ W2 + b2
    scores.name = "scores"
    # softmax as Tensor.softmax composes it, spelled out so each step can join the box
    shifted = scores - scores.max(axis=-1, keepdims=True).detach()   # the max only keeps exp() finite
    exponentials = shifted.exp()
    probabilities = exponentials / exponentials.sum(axis=-1, keepdims=True)
    probabilities.name = "probabilities"
    loss = F.categorical_cross_entropy(probabilities, labels)
    loss.name = "loss"
    layers = {W1: "Dense 1", b1: "Dense 1", hidden: "Dense 1", activated: "ReLU",
              W2: "Dense 2", b2: "Dense 2", scores: "Dense 2",
              shifted: "Softmax", exponentials: "Softmax", probabilities: "Softmax"}
    return loss, layers


def output_path(out: str) -> Path:
    """`--out` names a file, or an existing folder that receives graph.svg."""
    path = Path(out)
    return path / "graph.svg" if path.is_dir() else path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="graph.svg", help="SVG file, or a folder for graph.svg (default: ./graph.svg)")
    args = parser.parse_args()
    loss, layers = two_layer_loss()
    loss.backward()
    print(f"loss = {loss.item():.4f}")
    path = render(tg.draw_graph(loss, clusters=layers), output_path(args.out))
    print(f"wrote the graph to {path.resolve()}")


if __name__ == "__main__":
    main()
