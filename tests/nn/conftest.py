"""Shared fixtures for the nn tests."""

import os
from pathlib import Path

import pytest

from nn.datasets import ARCHIVE_NAME, DATA_ENV_VAR, load_fashion_mnist

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="session")
def fashion_mnist():
    """The real Fashion-MNIST arrays, loaded once per session through the default cache.

    The archive comes from $TENSORGRAD_DATA or ../shared/data; in CI a missing archive
    is a failure, elsewhere a skip.
    """
    folder = Path(os.environ.get(DATA_ENV_VAR) or SHARED_DATA)
    if not (folder / ARCHIVE_NAME).is_file():
        message = (
            f"{ARCHIVE_NAME} not found in {folder}; set ${DATA_ENV_VAR} to the folder holding it"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return load_fashion_mnist(data=folder)
