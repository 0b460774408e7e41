"""Per-op overhead: forward + backward time of long chains of ops on 1-element tensors.

    python benchmarks/op_overhead.py [--rounds 9] [--length 40000] [--long-length 1000000]

With one element the arithmetic costs nothing, so the time is the framework's own work
per op: building the node, recording the graph, ordering it and running each backward
rule. Two chains: `y = y * c` repeated, and a mixed cycle y -> y + c -> y * c -> exp ->
log -> y - c -> y / c (six different ops, identity up to rounding). When PyTorch is
importable, the same chains run through it in the same process, one thread, for a
side-by-side figure. Rounds are interleaved (each engine once per round, in turn), each
time figure is the median over --rounds rounds, and the ratio is paired: the median over
rounds of (tensorgrad's total / PyTorch's total in the same round), so a burst of load
from a neighbour on a shared machine lands on both sides of a quotient. The long chain
(a million ops, which must not hit a recursion limit) is timed once per engine. The
script prints a Markdown table for `make bench`.

Python's cycle collector is part of what a user pays: tensorgrad keeps every node and
intermediate tensor of the graph as a Python object, and full collections walk them all.
`--gc-off` disables the collector to show the engine's own cost. Objects that exist before
timing starts (NumPy's and PyTorch's import-time objects, about 140,000 for PyTorch) are
frozen with `gc.freeze()`, so neither engine pays for rescanning the other's imports.
"""
from __future__ import annotations

import argparse
import gc
import operator
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's tensorgrad, as in mlp.py

import tensorgrad as tg  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional: only for the comparison
    torch = None

C = 1.0  # values stay at 1, so a million multiplications never overflow


def mul_chain(y, c, length: int):
    for _ in range(length):
        y = y * c
    return y


def exp(y, c):
    return y.exp()


def log(y, c):
    return y.log()


MIXED_STEPS = (operator.add, operator.mul, exp, log, operator.sub, operator.truediv)


def mixed_chain(y, c, length: int):
    """The six steps in turn, `length` ops in total."""
    for i in range(length):
        y = MIXED_STEPS[i % 6](y, c)
    return y


CHAINS: dict[str, Callable] = {"y * c": mul_chain, "mixed +, *, exp, log, -, /": mixed_chain}


def tensorgrad_leaves():
    return tg.Tensor(np.ones(1, dtype=np.float32), requires_grad=True), tg.Tensor(np.full(1, C, dtype=np.float32))


def torch_leaves():
    return torch.ones(1, requires_grad=True), torch.full((1,), C)


def tensorgrad_backward(y) -> None:
    y.backward()


def torch_backward(y) -> None:
    y.backward(torch.ones_like(y))


def time_chain(chain: Callable, leaves: Callable, backward: Callable, length: int) -> tuple[float, float]:
    """Seconds for the forward pass and for the backward pass of one chain."""
    x, c = leaves()
    start = time.perf_counter()
    y = chain(x, c, length)
    middle = time.perf_counter()
    backward(y)
    end = time.perf_counter()
    if x.grad is None:
        raise RuntimeError("benchmark: backward produced no gradient for the chain's input")
    return middle - start, end - middle


def interleaved_per_op(chain: Callable, found: dict[str, tuple[Callable, Callable]], length: int,
                       rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Microseconds per op (forward, backward) of every engine in every round; within a round
    the engines take turns, starting with a different one each round (after one short
    warm-up chain each)."""
    for leaves, backward in found.values():
        time_chain(chain, leaves, backward, min(length, 600))
    per_op: dict[str, list[tuple[float, float]]] = {engine: [] for engine in found}
    names = list(found)
    for r in range(rounds):
        for engine in names[r % len(names):] + names[:r % len(names)]:
            leaves, backward = found[engine]
            forward, backward_time = time_chain(chain, leaves, backward, length)
            per_op[engine].append((1e6 * forward / length, 1e6 * backward_time / length))
    return per_op


def engines() -> dict[str, tuple[Callable, Callable]]:
    found = {"tensorgrad": (tensorgrad_leaves, tensorgrad_backward)}
    if torch is not None:
        torch.set_num_threads(1)
        found[f"PyTorch {torch.__version__}"] = (torch_leaves, torch_backward)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="rounds per figure; the median is reported")
    parser.add_argument("--length", type=int, default=40_000, help="ops per chain")
    parser.add_argument("--long-length", type=int, default=1_000_000, help="ops in the long chain (0 skips it)")
    parser.add_argument("--gc-off", action="store_true", help="disable Python's cycle collector while timing")
    args = parser.parse_args()
    for name in ("rounds", "length"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")

    found = engines()
    gc.collect()
    gc.freeze()
    if args.gc_off:
        gc.disable()
    print(f"## Per-op overhead: chains of {args.length:,} ops on 1-element float32 tensors, "
          f"median of {args.rounds} rounds, cycle collector {'off' if args.gc_off else 'on'}\n")
    print("| chain | engine | forward µs/op | backward µs/op | total µs/op |")
    print("|---|---|---:|---:|---:|")
    for chain_name, chain in CHAINS.items():
        per_op = interleaved_per_op(chain, found, args.length, args.rounds)
        for engine, times in per_op.items():
            forward = statistics.median(t[0] for t in times)
            backward_time = statistics.median(t[1] for t in times)
            total = statistics.median(t[0] + t[1] for t in times)
            print(f"| {chain_name} | {engine} | {forward:.2f} | {backward_time:.2f} | {total:.2f} |")
        if len(per_op) == 2:
            ours, theirs = per_op.values()
            ratio = statistics.median((a[0] + a[1]) / (b[0] + b[1]) for a, b in zip(ours, theirs))
            print(f"| {chain_name} | **ratio tensorgrad / PyTorch (paired median)** | | | **{ratio:.2f}x** |")
    if torch is None:
        print("\n(PyTorch is not installed: no comparison.)")

    if args.long_length:
        print(f"\n## One chain of {args.long_length:,} ops (y * c), timed once\n")
        print("| engine | forward s | backward s |")
        print("|---|---:|---:|")
        for engine, (leaves, backward) in found.items():
            forward, backward_time = time_chain(mul_chain, leaves, backward, args.long_length)
            print(f"| {engine} | {forward:.2f} | {backward_time:.2f} |")


if __name__ == "__main__":
    main()
