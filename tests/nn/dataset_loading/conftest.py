"""Fixtures of the dataset tests: offline, with a tiny archive, counting PNG decodes."""
import pytest

from builders import tiny_images, write_zip
from nn.datasets import ARCHIVE_NAME, DATA_ENV_VAR
from nn.datasets import archive as archive_module
from nn.datasets import fashion_mnist as fashion_mnist_module


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No test reads the caller's TENSORGRAD_DATA, writes to the real home, or reaches the network."""
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(
        fashion_mnist_module, "FASHION_MNIST_URL", (tmp_path / "no-server" / ARCHIVE_NAME).as_uri()
    )


@pytest.fixture
def archive(tmp_path):
    images = tiny_images()
    return write_zip(tmp_path / "source" / ARCHIVE_NAME, images), images


@pytest.fixture
def decode_calls(monkeypatch):
    """Record every PNG decode, to prove a refusal happened before decoding or the cache was used."""
    calls = []
    real_decode = archive_module.decode_png

    def counting_decode(name, data):
        calls.append(name)
        return real_decode(name, data)

    monkeypatch.setattr(archive_module, "decode_png", counting_decode)
    return calls


