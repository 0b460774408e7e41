"""Run a call that might hang (a FIFO, /dev/zero, a link loop) in a fresh interpreter with
a timeout, and report how it ended: a regression fails the test instead of hanging the suite."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 120  # generous: the machine is shared; a hang never ends


def outcome(code: str, **paths: Path) -> str:
    """"ErrorType: message" of the exception `code` raises (or "returned: <repr>" of the
    value it leaves in `result`); `paths` become variables of the script."""
    script = "\n".join([
        "import warnings",
        "from pathlib import Path",
        *(f"{name} = Path({str(path)!r})" for name, path in paths.items()),
        "try:",
        textwrap.indent(textwrap.dedent(code).strip(), "    "),
        "    print('returned:', repr(result))",
        "except BaseException as error:",
        "    print(f'{type(error).__name__}: {error}')",
    ])
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO,
                                  env=environment, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return f"HANG: still running after {TIMEOUT_SECONDS} s"
    return (finished.stdout.strip().splitlines() or [f"no output; stderr: {finished.stderr[-2000:]}"])[-1]
