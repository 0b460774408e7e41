"""load_fashion_mnist and download_fashion_mnist: where the data comes from, arguments,
downloads, and the real archive."""
import http.client
import io
import os
import urllib.request

import numpy as np
import pytest

import nn

from builders import assert_arrays_equal, expected_arrays, files_under, load, tiny_images, write_folder, write_zip
from nn.datasets import (
    ARCHIVE_NAME, CACHE_NAME, DATA_ENV_VAR, DatasetError, default_cache_dir, download_fashion_mnist, load_fashion_mnist,
)
from nn.datasets import archive as archive_module
from nn.files import atomic
from nn.datasets import fashion_mnist as fashion_mnist_module
from nn.data import scale_and_flatten

REAL_CACHE = default_cache_dir()  # taken before any test changes HOME


# ---------------------------------------------------------------- loading


def test_zip_archive_round_trips_every_pixel(archive, tmp_path):
    path, images = archive
    arrays = load(path, tmp_path / "cache")
    assert [a.shape for a in arrays] == [(20, 28, 28), (20,), (10, 28, 28), (10,)]
    assert_arrays_equal(arrays, expected_arrays(images))


def test_channels_gives_the_layout_conv2d_takes(archive, tmp_path):
    path, images = archive
    X_train, _y_train, X_test, y_test = load(path, tmp_path / "cache", channels=True)
    assert X_train.shape == (20, 1, 28, 28) and X_test.shape == (10, 1, 28, 28)
    expected = expected_arrays(images)
    np.testing.assert_array_equal(X_train[:, 0], expected[0])
    np.testing.assert_array_equal(y_test, expected[3])
    scaled = nn.scale_images(X_test)
    assert scaled.shape == (10, 1, 28, 28) and scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled.reshape(10, -1), nn.scale_and_flatten(X_test))


def test_extracted_folder_gives_the_same_arrays(tmp_path):
    images = tiny_images()
    root = write_folder(tmp_path / "extracted", images)
    assert_arrays_equal(load(root, tmp_path / "cache"), expected_arrays(images))


def test_folder_holding_the_archive_is_accepted(archive, tmp_path):
    path, images = archive
    assert_arrays_equal(load(path.parent, tmp_path / "cache"), expected_arrays(images))


def test_env_var_names_the_folder_holding_the_archive(archive, tmp_path, monkeypatch):
    path, images = archive
    monkeypatch.setenv(DATA_ENV_VAR, str(path.parent))
    assert_arrays_equal(load(None, tmp_path / "cache"), expected_arrays(images))


def test_data_argument_wins_over_env_var(archive, tmp_path, monkeypatch):
    env_path, _ = archive
    monkeypatch.setenv(DATA_ENV_VAR, str(env_path.parent))
    other_images = tiny_images(seed=1)
    other = write_zip(tmp_path / "other" / ARCHIVE_NAME, other_images)
    assert_arrays_equal(load(other, tmp_path / "cache"), expected_arrays(other_images))


def test_env_var_without_archive_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    with pytest.raises(DatasetError, match=f"{DATA_ENV_VAR}.*does not hold {ARCHIVE_NAME}"):
        load(None, tmp_path / "cache")


def test_symlink_inside_an_extracted_folder_is_followed(tmp_path):
    images = tiny_images()
    root = write_folder(tmp_path / "extracted", images)
    (root / "train/0/0001.png").unlink()
    (root / "train/0/0001.png").symlink_to("../1/0000.png")
    images["train/0/0001.png"] = images["train/1/0000.png"]
    assert_arrays_equal(load(root, tmp_path / "cache"), expected_arrays(images))


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"data": 3}, TypeError, r"data: expected a path \(str or os.PathLike\), got int"),
        ({"cache_dir": 3.0}, TypeError, r"cache_dir: expected a path \(str or os.PathLike\), got float"),
        (
            {"expected_counts": {"train": 2}},
            ValueError,
            r"expected_counts: expected a mapping of exactly \['train', 'test'\].*got \['train'\]",
        ),
        ({"expected_counts": [2, 1]}, ValueError, "expected_counts: expected a mapping.*got list"),
        (
            {"expected_counts": {"train": 0, "test": 1}},
            ValueError,
            r"expected_counts\['train'\]: expected a positive integer, got 0",
        ),
        (
            {"expected_counts": {"train": 2, "test": 1.5}},
            ValueError,
            r"expected_counts\['test'\]: expected a positive integer, got 1.5",
        ),
    ],
)
def test_bad_arguments_name_themselves(tmp_path, kwargs, error, match):
    arguments = {"data": tmp_path, "cache_dir": tmp_path / "cache", **kwargs}
    with pytest.raises(error, match=match):
        load_fashion_mnist(**arguments)


def test_missing_data_path_is_named(tmp_path):
    with pytest.raises(DatasetError, match=r"data=.*missing.zip' does not exist"):
        load(tmp_path / "missing.zip", tmp_path / "cache")


def test_folder_without_data_is_named(tmp_path):
    with pytest.raises(DatasetError, match=f"without train/ and test/ and without {ARCHIVE_NAME}"):
        load(tmp_path, tmp_path / "cache")


# ---------------------------------------------------------------- download


class FakeResponse:
    """An HTTP body served in small pieces; can fail part-way or check the cache while streaming."""

    def __init__(self, body, length=None, fail_after=None, failure=None, on_read=None):
        self.stream = io.BytesIO(body)
        self.headers = {"Content-Length": str(len(body) if length is None else length)}
        self.fail_after = fail_after
        self.failure = failure
        self.on_read = on_read

    def read(self, size):
        if self.on_read:
            self.on_read()
        if self.fail_after is not None and self.stream.tell() >= self.fail_after:
            raise self.failure
        return self.stream.read(min(size, 1000))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def serve(monkeypatch, response):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: response)


def test_download_from_a_local_url(archive, tmp_path, monkeypatch):
    path, images = archive
    monkeypatch.setattr(fashion_mnist_module, "FASHION_MNIST_URL", path.as_uri())
    cache = tmp_path / "cache"
    assert_arrays_equal(load(None, cache), expected_arrays(images))
    assert files_under(cache) == [CACHE_NAME, ARCHIVE_NAME]
    assert (cache / ARCHIVE_NAME).read_bytes() == path.read_bytes()


def test_downloaded_archive_is_reused_without_network(archive, tmp_path, monkeypatch):
    path, images = archive
    cache = tmp_path / "cache"
    download_fashion_mnist(cache, url=path.as_uri())
    (cache / CACHE_NAME).unlink(missing_ok=True)
    serve(monkeypatch, None)  # any download attempt would fail
    assert_arrays_equal(load(None, cache), expected_arrays(images))


@pytest.mark.parametrize("temporary", ["unnamed", "named"])
def test_download_appears_only_when_complete(archive, tmp_path, monkeypatch, temporary):
    """Linux writes the download to an unnamed file; elsewhere it is a named ".partial"
    temporary. Either way the archive's own name appears only once it is complete."""
    if temporary == "named":
        monkeypatch.setattr(atomic, "_open_unnamed", lambda folder: None)
    elif not hasattr(os, "O_TMPFILE"):
        pytest.skip("unnamed temporaries (O_TMPFILE) exist only on Linux")
    path, _ = archive
    cache = tmp_path / "cache"
    seen = []
    serve(
        monkeypatch,
        FakeResponse(path.read_bytes(), on_read=lambda: seen.append(files_under(cache))),
    )
    download_fashion_mnist(cache)
    assert len(seen) > 2
    expected_count = 1 if temporary == "named" else 0
    assert all(
        len(listing) == expected_count and all(name.endswith(".partial") for name in listing)
        for listing in seen
    )
    assert files_under(cache) == [ARCHIVE_NAME]


@pytest.mark.parametrize(
    ("failure", "match"),
    [
        (ConnectionResetError("connection reset by peer"), "connection reset"),
        (http.client.IncompleteRead(b"", 10), "IncompleteRead"),
        (TimeoutError("timed out"), "timed out"),
    ],
)
def test_interrupted_download_leaves_nothing(archive, tmp_path, monkeypatch, failure, match):
    path, _ = archive
    serve(monkeypatch, FakeResponse(path.read_bytes(), fail_after=3000, failure=failure))
    with pytest.raises(DatasetError, match=match):
        load(None, tmp_path / "cache")
    assert files_under(tmp_path / "cache") == []


def test_short_download_leaves_nothing(archive, tmp_path, monkeypatch):
    path, _ = archive
    body = path.read_bytes()
    serve(monkeypatch, FakeResponse(body, length=len(body) + 100))
    with pytest.raises(DatasetError, match=f"stopped after {len(body)} of {len(body) + 100} bytes"):
        load(None, tmp_path / "cache")
    assert files_under(tmp_path / "cache") == []


def test_download_that_is_not_a_zip_leaves_nothing(tmp_path, monkeypatch):
    serve(monkeypatch, FakeResponse(b"<html>captive portal</html>"))
    with pytest.raises(DatasetError, match="did not serve a zip archive"):
        load(None, tmp_path / "cache")
    assert files_under(tmp_path / "cache") == []


def test_oversized_download_is_refused(archive, tmp_path, monkeypatch):
    path, _ = archive
    monkeypatch.setattr(archive_module, "MAX_TOTAL_BYTES", 2000)
    serve(monkeypatch, FakeResponse(path.read_bytes()))
    with pytest.raises(DatasetError, match="more than 2000 bytes"):
        download_fashion_mnist(tmp_path / "cache")
    assert files_under(tmp_path / "cache") == []


def test_no_network_says_where_to_put_the_archive(tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError) as caught:
        load(None, cache)
    message = str(caught.value)
    assert "could not download" in message
    assert str(cache / ARCHIVE_NAME) in message
    assert f"${DATA_ENV_VAR}" in message
    assert "data=" in message
    assert files_under(cache) == []


# ---------------------------------------------------------------- the real archive


def test_real_fashion_mnist(fashion_mnist):
    X_train, y_train, X_test, y_test = fashion_mnist
    assert X_train.shape == (60_000, 28, 28) and X_test.shape == (10_000, 28, 28)
    assert {array.dtype for array in fashion_mnist} == {np.dtype(np.uint8)}
    assert np.bincount(y_train).tolist() == [6_000] * 10
    assert np.bincount(y_test).tolist() == [1_000] * 10
    assert X_train.max() == 255 and X_train.min() == 0
    assert -1.0 <= scale_and_flatten(X_test).min() < scale_and_flatten(X_test).max() <= 1.0


def test_real_fashion_mnist_is_cached_in_the_default_cache(fashion_mnist):
    with np.load(REAL_CACHE / CACHE_NAME, allow_pickle=False) as saved:
        for key, array in zip(("X_train", "y_train", "X_test", "y_test"), fashion_mnist, strict=False):
            np.testing.assert_array_equal(saved[key], array)
