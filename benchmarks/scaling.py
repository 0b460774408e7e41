"""How the time of one training step grows with the batch size and with the depth.

    python benchmarks/scaling.py [--rounds 5]

Same contenders as benchmarks/mlp.py (the hand-written NumPy reference with the book's
SGD, tensorgrad's expression loop with nn.SGD, PyTorch when importable), same thread
setting, random data. Two sweeps:

- batch size 1, 4, ..., 4096 on the 784-128-128-10 model: per step, time = fixed cost
  (Python, one graph of a dozen nodes) + cost per sample; time per sample falls to a
  floor once the arithmetic dominates, and the ratio to NumPy tends to 1.
- depth 2, 4, ..., 64 dense layers of width 128 (784 inputs, 10 classes, He init so the
  signal neither vanishes into denormals nor explodes), batch 128: time per layer stays
  flat when cost is linear in the number of layers (the backward walk is linear).

Each time is the median of interleaved rounds (wall clock); the last column is paired, as
in mlp.py: the median over rounds of tensorgrad's time / NumPy's in the same round.
Prints Markdown tables.
"""
from __future__ import annotations

from mlp import THREADS, ExpressionMLP, ReferenceMLP, TorchMLP, initial_parameters, interleaved, torch  # noqa: I001

import argparse
import gc
from typing import Sequence

import numpy as np

BATCH_SIZES = (1, 4, 16, 64, 256, 1024, 4096)
DEPTHS = (2, 4, 8, 16, 32, 64)
SAMPLES_PER_RUN = 2048  # per round and contender, at least two steps
DEPTH_STEPS = 20
DEPTH_BATCH = 128
WIDTH = 128


def step_times(sizes: Sequence[int], init: str, batch: int, steps: int,
               rounds: int) -> tuple[dict[str, float], float]:
    """Median wall seconds per step of each contender on `steps` random batches, and the
    paired ratio tensorgrad / NumPy."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (batch * steps, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch * steps)
    parameters = initial_parameters(sizes, init=init)
    found = {"NumPy": ReferenceMLP(parameters, "sgd"), "tensorgrad": ExpressionMLP(parameters)}
    if torch is not None:
        found["PyTorch"] = TorchMLP(parameters, "sgd")
    runs = {name: (lambda trainer=trainer: trainer.train_epoch(X, y, batch)) for name, trainer in found.items()}
    timings = interleaved(runs, rounds)
    return {name: timings.median(name) / steps for name in runs}, timings.ratio("tensorgrad", "NumPy")


def print_table(title: str, unit: str, rows: dict[int, tuple[dict[str, float], float]], column: str) -> None:
    names = list(next(iter(rows.values()))[0])
    print(f"\n### {title}\n")
    print(f"| {column} | " + " | ".join(f"{name} ms/step" for name in names) + " | "
          + " | ".join(f"{name} µs/{unit}" for name in names) + " | tensorgrad / NumPy (paired) |")
    print("|---:|" + "---:|" * (2 * len(names) + 1))
    for size, (times, ratio) in rows.items():
        per_step = " | ".join(f"{1e3 * t:.3f}" for t in times.values())
        per_unit = " | ".join(f"{1e6 * t / size:.2f}" for t in times.values())
        print(f"| {size} | {per_step} | {per_unit} | {ratio:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per figure")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    if torch is not None:
        torch.set_num_threads(THREADS)
    gc.freeze()  # as in mlp.py: PyTorch's import-time objects stay out of every contender's collections
    print(f"## Scaling: SGD training steps, random data, float32; BLAS and PyTorch threads: {THREADS}")

    by_batch = {batch: step_times((784, 128, 128, 10), "book", batch, max(2, SAMPLES_PER_RUN // batch), args.rounds)
                for batch in BATCH_SIZES}
    print_table("Batch size (784-128-128-10)", "sample", by_batch, "batch")

    by_depth = {depth: step_times((784,) + (WIDTH,) * (depth - 1) + (10,), "he", DEPTH_BATCH, DEPTH_STEPS, args.rounds)
                for depth in DEPTHS}
    print_table(f"Depth (dense layers of width {WIDTH}, batch {DEPTH_BATCH})", "layer", by_depth, "dense layers")


if __name__ == "__main__":
    main()
