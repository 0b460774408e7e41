"""The boilerplate every example script shares, so each script shows only its model and training.

Scripts import it as `import common` (a script's own folder is on sys.path when it runs as
`python examples/x.py`); nothing outside examples/ imports it. It must load before NumPy,
so it imports nothing numerical at the top.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def use_one_blas_thread() -> None:
    """Ask OpenBLAS/OpenMP/MKL for one thread, unless the environment already says otherwise.

    The examples multiply small matrices (a batch of 128 rows or fewer), where BLAS threads
    cost more in start-up and synchronisation than they give; on a busy shared machine their
    spinning made one Fashion-MNIST training step 20x slower (139 ms instead of 6.3 ms,
    measured here). BLAS reads these variables once, when NumPy loads, so this must run
    first; an explicit setting in the environment wins.
    """
    if "numpy" in sys.modules:
        raise RuntimeError("use_one_blas_thread: expected to run before NumPy loads, but numpy is already imported")
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


def parse_run_arguments(
    doc: str, epochs: int, out: str, seed_help: str, epochs_help: str = "training epochs"
) -> argparse.Namespace:
    """Read --epochs, --out and --seed, reject fewer than one epoch, and create the --out folder.

    `doc` is the script's docstring (its first line describes the script in --help); `epochs`
    and `out` are the defaults. Returns the arguments with `out` as an existing Path.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=epochs, help=f"{epochs_help} (default {epochs})")
    parser.add_argument("--out", type=Path, default=out, help=f"output folder (default {out})")
    parser.add_argument("--seed", type=int, default=0, help=seed_help)
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    args.out.mkdir(parents=True, exist_ok=True)
    return args


Line = tuple[Sequence[float], Sequence[float], Mapping[str, Any]]


def save_line_plot(
    path: Path, title: str, lines: Mapping[str, Line], xlabel: str, ylabel: str | None = None,
    log_scale: bool = False,
) -> Path:
    """Draw labelled lines on one pair of axes and save them as a PNG; returns `path`.

    `lines` maps each legend label to (x, y, matplotlib line style keywords). The figure
    goes through matplotlib's Agg canvas, never pyplot: no GUI, no global state.
    """
    from matplotlib.figure import Figure  # here, not at the top: this module loads before NumPy

    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.subplots()
    for label, (x, y, style) in lines.items():
        axes.plot(x, y, label=label, **style)
    if log_scale:
        axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    if ylabel is not None:
        axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend()
    axes.grid(alpha=0.3)
    figure.savefig(path, dpi=100)
    return path
