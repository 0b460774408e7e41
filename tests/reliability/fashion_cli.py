"""Running examples/fashion_mnist.py on hostile input: a small model it accepts, and the
command run with a timeout (a hang fails the test instead of stalling the suite)."""
import subprocess
import sys
from pathlib import Path

import nn
from isolated import REPO, TIMEOUT_SECONDS


def small_fashion_model(path: Path) -> Path:
    """A 784-10 softmax classifier saved at `path`: what the CLI's predict and evaluate load."""
    model = nn.Model(seed=0)
    model.add(nn.Dense(28 * 28, 10, seed=1))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(), accuracy=nn.CategoricalAccuracy())
    model.finalize().save(path)
    return path


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "examples" / "fashion_mnist.py"), *arguments],
                          capture_output=True, text=True, cwd=REPO, timeout=TIMEOUT_SECONDS)
