"""Fashion-MNIST loading: tiny archives built here check every path, refusal and the cache."""

import http.client
import io
import json
import os
import stat
import urllib.request
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

import nn
from nn import datasets
from nn.datasets import (
    ARCHIVE_NAME,
    CACHE_NAME,
    DATA_ENV_VAR,
    FASHION_MNIST_LABELS,
    DatasetError,
    load_fashion_mnist,
    scale_and_flatten,
    shuffle,
)

TINY = {"train": 2, "test": 1}  # images per label in the archives built here
REAL_CACHE = datasets.default_cache_dir()  # taken before any test changes HOME


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No test reads the caller's TENSORGRAD_DATA, writes to the real home, or reaches the network."""
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(
        datasets, "FASHION_MNIST_URL", (tmp_path / "no-server" / ARCHIVE_NAME).as_uri()
    )


# ---------------------------------------------------------------- building tiny archives


def png(image):
    ok, buffer = cv2.imencode(".png", image)
    assert ok
    return buffer.tobytes()


def tiny_images(seed=0):
    """Random images named as in the real archive: {member name: image}."""
    rng = np.random.default_rng(seed)
    return {
        f"{split}/{label}/{index:04d}.png": rng.integers(0, 256, (28, 28), dtype=np.uint8)
        for split, per_label in TINY.items()
        for label in range(10)
        for index in range(per_label)
    }


def expected_arrays(images):
    """What the loader must return: each split ordered by label, then name."""
    arrays = []
    for split in ("train", "test"):
        names = sorted(
            (name for name in images if name.startswith(split)),
            key=lambda n: (int(n.split("/")[1]), n),
        )
        arrays += [
            np.stack([images[name] for name in names]),
            np.array([int(n.split("/")[1]) for n in names], np.uint8),
        ]
    return arrays


def write_zip(path, members, symlinks=()):
    """Write {name: bytes} (images are PNG-encoded) plus symlink members, with the LICENSE of the real one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LICENSE", b"MIT")
        archive.writestr("train/", b"")
        for name, content in members.items():
            archive.writestr(name, png(content) if isinstance(content, np.ndarray) else content)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def write_folder(root, images):
    for name, image in images.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(png(image))
    (root / "LICENSE").write_bytes(b"MIT")
    return root


def assert_arrays_equal(actual, expected):
    assert len(actual) == 4
    for got, want in zip(actual, expected):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


def files_under(folder):
    return sorted(
        p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if not p.is_dir()
    )


def load(data, cache_dir, **kwargs):
    return load_fashion_mnist(data=data, cache_dir=cache_dir, expected_counts=TINY, **kwargs)


@pytest.fixture
def archive(tmp_path):
    images = tiny_images()
    return write_zip(tmp_path / "source" / ARCHIVE_NAME, images), images


@pytest.fixture
def decode_calls(monkeypatch):
    """Record every PNG decode, to prove a refusal happened before decoding or the cache was used."""
    calls = []
    real_decode = datasets._decode_png

    def counting_decode(name, data):
        calls.append(name)
        return real_decode(name, data)

    monkeypatch.setattr(datasets, "_decode_png", counting_decode)
    return calls


# ---------------------------------------------------------------- loading


def test_zip_archive_round_trips_every_pixel(archive, tmp_path):
    path, images = archive
    arrays = load(path, tmp_path / "cache")
    assert [a.shape for a in arrays] == [(20, 28, 28), (20,), (10, 28, 28), (10,)]
    assert_arrays_equal(arrays, expected_arrays(images))


def test_channels_gives_the_layout_conv2d_takes(archive, tmp_path):
    path, images = archive
    X_train, y_train, X_test, y_test = load(path, tmp_path / "cache", channels=True)
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


# ---------------------------------------------------------------- the cache


def test_cache_is_written_to_cache_dir_not_next_to_the_archive(archive, tmp_path):
    path, _ = archive
    load(path, tmp_path / "cache")
    assert files_under(path.parent) == [ARCHIVE_NAME]
    assert files_under(tmp_path / "cache") == [CACHE_NAME]


def test_default_cache_dir_is_under_home(archive, tmp_path):
    path, _ = archive
    load(path, None)
    assert (tmp_path / "home" / ".cache" / "tensorgrad" / CACHE_NAME).is_file()


def test_second_load_uses_the_cache(archive, tmp_path, monkeypatch):
    path, images = archive
    load(path, tmp_path / "cache")

    def fail(name, data):
        raise AssertionError(f"decoded {name} although the cache is valid")

    monkeypatch.setattr(datasets, "_decode_png", fail)
    assert_arrays_equal(load(path, tmp_path / "cache"), expected_arrays(images))


def test_cache_is_rebuilt_when_the_source_is_touched(archive, tmp_path, decode_calls):
    path, _ = archive
    load(path, tmp_path / "cache")
    decode_calls.clear()
    newer = path.stat().st_mtime_ns + 10**9
    os.utime(path, ns=(newer, newer))
    load(path, tmp_path / "cache")
    assert len(decode_calls) == 30


def test_cache_is_rebuilt_when_the_content_changes_but_mtime_does_not(archive, tmp_path):
    path, _ = archive
    load(path, tmp_path / "cache")
    mtime = path.stat().st_mtime_ns
    new_images = tiny_images(seed=2)
    write_zip(path, new_images)
    os.utime(path, ns=(mtime, mtime))
    assert_arrays_equal(load(path, tmp_path / "cache"), expected_arrays(new_images))


def test_cache_is_rebuilt_when_switching_from_zip_to_folder(archive, tmp_path):
    path, _ = archive
    load(path, tmp_path / "cache")
    folder_images = tiny_images(seed=3)
    root = write_folder(tmp_path / "extracted", folder_images)
    assert_arrays_equal(load(root, tmp_path / "cache"), expected_arrays(folder_images))


def test_corrupt_cache_is_rebuilt(archive, tmp_path):
    path, images = archive
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_NAME).write_bytes(b"not an npz")
    with pytest.warns(UserWarning, match="rebuilding"):
        arrays = load(path, cache)
    assert_arrays_equal(arrays, expected_arrays(images))
    with np.load(cache / CACHE_NAME, allow_pickle=False) as saved:
        np.testing.assert_array_equal(saved["X_train"], arrays[0])


UNPICKLED = []


def record_unpickling():
    UNPICKLED.append(True)
    return 0


class PickleBomb:
    def __reduce__(self):
        return record_unpickling, ()


def test_cache_is_never_unpickled(archive, tmp_path):
    path, images = archive
    cache = tmp_path / "cache" / CACHE_NAME
    load(path, cache.parent)
    with np.load(cache, allow_pickle=False) as saved:
        metadata = saved["metadata"]
        json.loads(str(metadata))  # a valid record, so only the object array is wrong
        kept = {key: saved[key] for key in ("y_train", "X_test", "y_test")}
    np.savez(cache, X_train=np.array([PickleBomb()], dtype=object), metadata=metadata, **kept)
    with pytest.warns(UserWarning, match="rebuilding"):
        arrays = load(path, cache.parent)
    assert UNPICKLED == []
    assert_arrays_equal(arrays, expected_arrays(images))


def test_cache_alone_is_used_when_no_source_is_named(archive, tmp_path):
    path, images = archive
    load(path, tmp_path / "cache")
    path.unlink()
    assert_arrays_equal(load(None, tmp_path / "cache"), expected_arrays(images))


def test_unwritable_cache_warns_and_still_loads(archive, tmp_path):
    path, images = archive
    not_a_folder = tmp_path / "file"
    not_a_folder.write_bytes(b"")
    with pytest.warns(UserWarning, match="could not write the cache"):
        arrays = load(path, not_a_folder)
    assert_arrays_equal(arrays, expected_arrays(images))


# ---------------------------------------------------------------- refusals


def refused(tmp_path, data, match):
    """Loading must raise DatasetError and leave the cache folder and the home untouched."""
    with pytest.raises(DatasetError, match=match):
        load(data, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("../evil.png", "leaves the data folder"),
        ("train/../../x.png", "leaves the data folder"),
        ("/etc/evil.png", "absolute"),
        ("train\\0\\evil.png", "non-POSIX"),
        ("train/10/0000.png", "label folder must be 0..9, got '10'"),
        ("train/x/0000.png", "label folder must be 0..9, got 'x'"),
        ("train/0/extra/0000.png", "unexpected member"),
        ("README.md", "unexpected member 'README.md'"),
    ],
)
def test_bad_member_names_are_refused_before_decoding(tmp_path, name, match, decode_calls):
    members = {**tiny_images(), name: np.zeros((28, 28), np.uint8)}
    refused(tmp_path, write_zip(tmp_path / ARCHIVE_NAME, members), match)
    assert decode_calls == []
    assert files_under(tmp_path) == [ARCHIVE_NAME]


def test_symlink_member_is_refused(tmp_path, decode_calls):
    path = write_zip(
        tmp_path / ARCHIVE_NAME, tiny_images(), symlinks=[("train/0/0009.png", "/etc/passwd")]
    )
    refused(tmp_path, path, "'train/0/0009.png': symbolic link")
    assert decode_calls == []


def test_too_many_members_are_refused(tmp_path, monkeypatch, decode_calls):
    monkeypatch.setattr(datasets, "MAX_MEMBERS", 10)
    refused(tmp_path, write_zip(tmp_path / ARCHIVE_NAME, tiny_images()), "more than the cap of 10")
    assert decode_calls == []


def test_oversized_archive_is_refused(tmp_path, monkeypatch, decode_calls):
    monkeypatch.setattr(datasets, "MAX_TOTAL_BYTES", 1000)
    refused(
        tmp_path,
        write_zip(tmp_path / ARCHIVE_NAME, tiny_images()),
        "bytes uncompressed, more than the cap of 1000",
    )
    assert decode_calls == []


def test_member_larger_than_its_header_says_is_refused(tmp_path):
    path = tmp_path / ARCHIVE_NAME
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, image in tiny_images().items():
            archive.writestr(name, png(image))
    content = bytearray(path.read_bytes())
    central = content.index(b"PK\x01\x02")
    content[central + 24 : central + 28] = (10).to_bytes(
        4, "little"
    )  # first member's uncompressed size
    path.write_bytes(bytes(content))
    refused(tmp_path, path, "member 'train/0/0000.png' .* is corrupt")


def test_corrupt_png_is_reported_by_member_name(tmp_path):
    image_bytes = png(np.zeros((28, 28), np.uint8))
    members = {**tiny_images(), "train/3/0001.png": image_bytes[:33] + bytes(len(image_bytes) - 33)}
    refused(
        tmp_path,
        write_zip(tmp_path / ARCHIVE_NAME, members),
        "'train/3/0001.png': OpenCV cannot decode",
    )


def test_non_png_member_is_reported_by_member_name(tmp_path):
    members = {**tiny_images(), "test/5/0000.png": b"GIF89a not a png at all"}
    refused(tmp_path, write_zip(tmp_path / ARCHIVE_NAME, members), "'test/5/0000.png' is not a PNG")


def test_wrong_image_size_is_refused(tmp_path):
    members = {**tiny_images(), "train/4/0000.png": np.zeros((27, 28), np.uint8)}
    refused(
        tmp_path,
        write_zip(tmp_path / ARCHIVE_NAME, members),
        "'train/4/0000.png': image must be 28x28, got 27x28",
    )


def test_wrong_counts_are_refused_before_decoding(tmp_path, decode_calls):
    members = tiny_images()
    del members["train/7/0001.png"]
    refused(
        tmp_path,
        write_zip(tmp_path / ARCHIVE_NAME, members),
        r"train must hold 2 images for each label 0..9, got \[2, 2, 2, 2, 2, 2, 2, 1, 2, 2\]",
    )
    assert decode_calls == []


def test_real_counts_are_the_default(archive, tmp_path):
    path, _ = archive
    with pytest.raises(DatasetError, match="train must hold 6000 images for each label"):
        load_fashion_mnist(data=path, cache_dir=tmp_path / "cache")


def test_truncated_zip_is_refused(archive, tmp_path):
    path, _ = archive
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    refused(tmp_path, truncated, "not a readable zip archive")


def test_non_zip_file_is_refused(tmp_path):
    path = tmp_path / ARCHIVE_NAME
    path.write_text("<html>not found</html>")
    refused(tmp_path, path, "not a readable zip archive")


def test_folder_symlink_leading_outside_is_refused(tmp_path, decode_calls):
    root = write_folder(tmp_path / "extracted", tiny_images())
    outside = tmp_path / "outside.png"
    outside.write_bytes(png(np.zeros((28, 28), np.uint8)))
    (root / "train/0/0001.png").unlink()
    (root / "train/0/0001.png").symlink_to(outside)
    refused(tmp_path, root, "'train/0/0001.png'.*symbolic link leading outside")
    assert decode_calls == []


def test_folder_with_symlinked_label_folder_outside_is_refused(tmp_path):
    root = write_folder(tmp_path / "extracted", tiny_images())
    (root / "test/2").rename(tmp_path / "elsewhere")
    (root / "test/2").symlink_to(tmp_path / "elsewhere")
    refused(tmp_path, root, "'test/2'.*symbolic link leading outside")


def test_folder_with_unexpected_file_is_refused(tmp_path):
    root = write_folder(tmp_path / "extracted", tiny_images())
    (root / "train/0/notes.txt").write_text("hi")
    refused(tmp_path, root, "unexpected member 'train/0/notes.txt'")


def test_folder_limits_apply_too(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_MEMBERS", 10)
    refused(
        tmp_path, write_folder(tmp_path / "extracted", tiny_images()), "more than the cap of 10"
    )


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"data": 3}, TypeError, "data must be a path.*got int"),
        ({"cache_dir": 3.0}, TypeError, "cache_dir must be a path.*got float"),
        (
            {"expected_counts": {"train": 2}},
            ValueError,
            r"expected_counts must map exactly \['train', 'test'\].*got \['train'\]",
        ),
        ({"expected_counts": [2, 1]}, ValueError, "expected_counts must map.*got list"),
        (
            {"expected_counts": {"train": 0, "test": 1}},
            ValueError,
            r"expected_counts\['train'\] must be a positive int, got 0",
        ),
        (
            {"expected_counts": {"train": 2, "test": 1.5}},
            ValueError,
            r"expected_counts\['test'\] must be a positive int, got 1.5",
        ),
    ],
)
def test_bad_arguments_name_themselves(tmp_path, kwargs, error, match):
    arguments = {"data": tmp_path, "cache_dir": tmp_path / "cache", **kwargs}
    with pytest.raises(error, match=match):
        load_fashion_mnist(**arguments)


def test_missing_data_path_is_named(tmp_path):
    with pytest.raises(DatasetError, match="data=.*missing.zip' does not exist"):
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
    monkeypatch.setattr(datasets, "FASHION_MNIST_URL", path.as_uri())
    cache = tmp_path / "cache"
    assert_arrays_equal(load(None, cache), expected_arrays(images))
    assert files_under(cache) == [CACHE_NAME, ARCHIVE_NAME]
    assert (cache / ARCHIVE_NAME).read_bytes() == path.read_bytes()


def test_downloaded_archive_is_reused_without_network(archive, tmp_path, monkeypatch):
    path, images = archive
    cache = tmp_path / "cache"
    datasets.download_fashion_mnist(cache, url=path.as_uri())
    (cache / CACHE_NAME).unlink(missing_ok=True)
    serve(monkeypatch, None)  # any download attempt would fail
    assert_arrays_equal(load(None, cache), expected_arrays(images))


def test_download_appears_only_when_complete(archive, tmp_path, monkeypatch):
    path, _ = archive
    cache = tmp_path / "cache"
    seen = []
    serve(
        monkeypatch,
        FakeResponse(path.read_bytes(), on_read=lambda: seen.append(files_under(cache))),
    )
    datasets.download_fashion_mnist(cache)
    assert len(seen) > 2
    assert all(
        len(listing) == 1 and listing[0].endswith(".part") and ARCHIVE_NAME not in listing
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
    monkeypatch.setattr(datasets, "MAX_TOTAL_BYTES", 2000)
    serve(monkeypatch, FakeResponse(path.read_bytes()))
    with pytest.raises(DatasetError, match="more than 2000 bytes"):
        datasets.download_fashion_mnist(tmp_path / "cache")
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


# ---------------------------------------------------------------- helpers


def test_labels_are_the_ten_fashion_mnist_classes():
    assert FASHION_MNIST_LABELS == (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    )


def test_shuffle_keeps_pairs_together_and_repeats_with_the_seed():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    X_shuffled, y_shuffled = shuffle(X, y, seed=7)
    np.testing.assert_array_equal(X_shuffled[:, 0], 2 * y_shuffled)
    assert sorted(y_shuffled.tolist()) == list(range(50))
    assert not np.array_equal(y_shuffled, y)
    np.testing.assert_array_equal(shuffle(X, y, seed=7)[1], y_shuffled)
    assert not np.array_equal(shuffle(X, y, seed=8)[1], y_shuffled)


def test_shuffle_returns_copies():
    X = np.arange(10)
    y = np.arange(10)
    X_shuffled, y_shuffled = shuffle(X, y, seed=0)
    X_shuffled[:] = -1
    y_shuffled[:] = -1
    np.testing.assert_array_equal(X, np.arange(10))
    np.testing.assert_array_equal(y, np.arange(10))


@pytest.mark.parametrize(
    ("X", "y", "seed", "error", "match"),
    [
        (np.zeros(5), np.zeros(4), 0, ValueError, "same length, got 5 and 4"),
        (np.float64(1.0), np.zeros(1), 0, ValueError, r"sample axis, got shapes \(\) and \(1,\)"),
        (np.zeros(3), np.zeros(3), 1.5, TypeError, "seed must be an int, got float"),
        (np.zeros(3), np.zeros(3), None, TypeError, "seed must be an int, got NoneType"),
    ],
)
def test_shuffle_rejects_bad_arguments(X, y, seed, error, match):
    with pytest.raises(error, match=match):
        shuffle(X, y, seed)


def test_scale_and_flatten_matches_the_book():
    X = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    X[0, 0, 0], X[0, 0, 1] = 0, 255
    scaled = scale_and_flatten(X)
    assert scaled.dtype == np.float32
    assert scaled.shape == (5, 784)
    np.testing.assert_array_equal(
        scaled, (X.reshape(X.shape[0], -1).astype(np.float32) - 127.5) / 127.5
    )
    assert scaled[0, 0] == -1.0 and scaled[0, 1] == 1.0


@pytest.mark.parametrize("X", [np.zeros((2, 28, 28), np.float32), np.zeros(28, np.uint8)])
def test_scale_and_flatten_rejects_non_image_input(X):
    with pytest.raises(ValueError, match=f"uint8 images of shape.*got dtype {X.dtype} and shape"):
        scale_and_flatten(X)


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
        for key, array in zip(("X_train", "y_train", "X_test", "y_test"), fashion_mnist):
            np.testing.assert_array_equal(saved[key], array)
