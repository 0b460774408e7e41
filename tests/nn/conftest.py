"""Shared fixtures for the nn tests."""

import pytest

from nn.datasets import load_fashion_mnist


@pytest.fixture(scope="session")
def fashion_mnist(fashion_mnist_folder):
    """The real Fashion-MNIST arrays, loaded once per session through the default cache."""
    return load_fashion_mnist(data=fashion_mnist_folder)
