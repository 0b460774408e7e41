"""Suite-wide settings and the fixtures for what the machine must provide.

Hypothesis: "default" draws random examples, few of them (the suite must stay fast on a
busy laptop); "ci" the same count, derandomized, so a CI run repeats exactly. No deadline
in either: timing depends on the machine, and a test must never fail for being slow.

The real Fashion-MNIST archive and Graphviz's `dot` are required under CI=true (their
absence fails the test); elsewhere their absence skips the tests that need them.
"""
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from missing import missing
from nn.datasets import ARCHIVE_NAME, DATA_ENV_VAR

settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def fashion_mnist_folder() -> Path:
    """The folder holding the real archive: $TENSORGRAD_DATA, else ../shared/data."""
    folder = Path(os.environ.get(DATA_ENV_VAR) or SHARED_DATA)
    if not (folder / ARCHIVE_NAME).is_file():
        missing(f"{ARCHIVE_NAME} not found in {folder}; set ${DATA_ENV_VAR} to the folder holding it")
    return folder


@pytest.fixture(scope="session")
def dot_binary() -> str:
    """The path of Graphviz's `dot` (make setup installs it where apt-get exists)."""
    path = shutil.which("dot")
    return path if path is not None else missing("Graphviz 'dot' is missing; CI must have it (make setup installs it)")
