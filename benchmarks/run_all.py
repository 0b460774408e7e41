"""Run every benchmark script and write benchmarks/RESULTS.md: the machine, the date, the tables.

    python benchmarks/run_all.py [--threads 1] [--out benchmarks/RESULTS.md]

Each script runs in its own process (a fresh heap and a fresh BLAS thread pool) with the
BLAS thread variables set to --threads; its printed Markdown is echoed and collected.
Timings depend on the load of the machine, so the load average before and after is
recorded with them. A failing script is reported in the file and makes the exit status 1.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    ("op_overhead.py", ()),
    ("op_overhead.py", ("--gc-off", "--long-length", "0")),  # the engine's own cost, without the collector
    ("mlp.py", ("--full",)),
    ("cnn.py", ()),
    ("scaling.py", ()),
)
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def cpu_model() -> str:
    """The CPU's marketing name (Linux /proc/cpuinfo), else what platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_description() -> str:
    """NumPy's BLAS: from threadpoolctl when importable (it sees the loaded library and its
    threads), else from NumPy's build configuration."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', 'unknown')} {blas.get('version', '')} (from numpy.show_config)".strip()
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return "; ".join(f"{pool['internal_api']} {pool['version']}, {pool['num_threads']} threads" for pool in pools)


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_section(threads: int) -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return "\n".join([
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"- Python {platform.python_version()}, NumPy {np.__version__}, BLAS: {blas_description()}",
        f"- BLAS threads (and PyTorch threads) in the benchmarks: {threads}",
        f"- PyTorch: {package_version('torch')}",
        f"- load average (1, 5, 15 min) at the start: {load}",
    ])


def run_script(name: str, arguments: tuple[str, ...], environment: dict[str, str]) -> tuple[str, int]:
    """Run one script, echoing its output; returns (stdout, exit status)."""
    print(f"\n>>> {name} {' '.join(arguments)}", flush=True)
    process = subprocess.Popen([sys.executable, str(HERE / name), *arguments], stdout=subprocess.PIPE,
                               text=True, env=environment, cwd=HERE.parent)
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return "".join(lines), process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads for every script")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="where to write the results")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    environment = {**os.environ, **{variable: str(args.threads) for variable in THREAD_VARIABLES}}

    header = machine_section(args.threads)
    sections = []
    failed = []
    for name, arguments in SCRIPTS:
        output, status = run_script(name, arguments, environment)
        if status:
            failed.append(name)
            output += f"\n**{name} failed with exit status {status}** (its error is on the console).\n"
        sections.append(f"<!-- {name} {json.dumps(list(arguments))} -->\n\n{output.strip()}\n")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    text = ("# Benchmark results\n\nWritten by `make bench` (benchmarks/run_all.py). Medians of interleaved "
            "rounds; on a loaded machine wall times wander, CPU times (process_time) less so.\n\n"
            f"{header}\n- load average at the end: {load}\n\n" + "\n".join(sections))
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.out}")
    if failed:
        sys.exit(f"run_all: {', '.join(failed)} failed")


if __name__ == "__main__":
    main()
