"""The tensorgrad engine in one page: gradients, gradcheck, a tiny network, its graph.

    python examples/engine_tour.py [--out FOLDER]

(`make demo` runs the Fashion-MNIST example instead; this one needs no data set.)

1. an expression and its gradients, next to the derivatives worked out by hand;
2. gradcheck: autograd against finite differences;
3. a tiny network, written with plain tensor ops, learning sin(x) by gradient descent;
4. the network's graph drawn to FOLDER/engine_tour.svg (default: the current folder;
   FOLDER is created when missing), top to bottom so the long chain stays narrow.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tensorgrad as tg
from tensorgrad import functional as F
from tensorgrad.viz import render


def section(title: str) -> None:
    print(f"\n== {title}")


def expression_and_gradients() -> None:
    """f = sum(a * b + e^a), so df/da = b + e^a and df/db = a."""
    section("1. an expression and its backward pass")
    a = tg.Tensor([2.0, -1.0], requires_grad=True, name="a")
    b = tg.Tensor([0.5, 3.0], requires_grad=True, name="b")
    f = (a * b + a.exp()).sum()
    f.backward()
    print(f"f = sum(a * b + exp(a)) = {f.item():.4f}")
    print(f"df/da = {a.grad}   by hand, b + exp(a) = {b.data + np.exp(a.data)}")
    print(f"df/db = {b.grad}   by hand, a          = {a.data}")


def finite_difference_check(rng: np.random.Generator) -> None:
    section("2. gradcheck: autograd against central differences (float64)")
    x = tg.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = tg.Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    tg.gradcheck(lambda x, w: (x @ w).tanh().softmax(), x, w)  # raises GradcheckError on a mismatch
    print("gradcheck of softmax(tanh(x @ w)) with respect to x and w: passed")


def network_loss(params: dict[str, tg.Tensor], X: tg.Tensor, y: np.ndarray) -> tg.Tensor:
    """Mean squared error of tanh(X @ W1 + b1) @ W2 + b2."""
    hidden = (X @ params["W1"] + params["b1"]).tanh()
    return F.mse(hidden @ params["W2"] + params["b2"], y)


def train_tiny_network(rng: np.random.Generator, steps: int = 400, learning_rate: float = 0.1) -> tg.Tensor:
    """Full-batch gradient descent, w <- w - lr * dL/dw, on 64 points of sin(x).

    Returns the trained network's loss with its graph and gradients (the structure stays
    after backward, so it can be drawn).
    """
    section(f"3. a 1-16-1 tanh network learns sin(x): {steps} steps of gradient descent")
    X = tg.Tensor(np.linspace(-3, 3, 64, dtype=np.float32).reshape(-1, 1), name="X")
    y = np.sin(X.data)
    shapes = {"W1": (1, 16), "b1": (1, 16), "W2": (16, 1), "b2": (1, 1)}
    params = {name: tg.Tensor((0.5 * rng.standard_normal(shape)).astype(np.float32), requires_grad=True, name=name)
              for name, shape in shapes.items()}
    start = time.perf_counter()
    for step in range(steps):
        loss = network_loss(params, X, y)
        for p in params.values():
            p.grad = None
        loss.backward()
        for p in params.values():
            assert p.grad is not None  # backward() gave every parameter a gradient
            p.data -= learning_rate * p.grad
        if step % 50 == 0:
            print(f"step {step:4d}   loss {loss.item():.5f}")
    loss = network_loss(params, X, y)
    loss.name = "loss"
    loss.backward()
    print(f"step {steps:4d}   loss {loss.item():.5f}   ({time.perf_counter() - start:.2f} s)")
    return loss


def draw(loss: tg.Tensor, folder: Path) -> None:
    section("4. the network's graph")
    try:
        # top to bottom: the chain has ~30 nodes, left to right it is ~6,600 px wide
        path = render(tg.draw_graph(loss, rankdir="TB"), folder / "engine_tour.svg")
    except RuntimeError as error:  # Graphviz's `dot` is missing: say how to get it
        print(f"not drawn: {error}")
        return
    print(f"drew the graph (blue: parameters with |grad|, red edges: broadcast gradients summed) to {path.resolve()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."),
                        help="folder for engine_tour.svg, created when missing (default: current folder)")
    args = parser.parse_args()
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out must be a folder, got the file {str(args.out)!r}")
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    expression_and_gradients()
    finite_difference_check(rng)
    loss = train_tiny_network(rng)
    draw(loss, args.out)


if __name__ == "__main__":
    main()
