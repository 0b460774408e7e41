"""The cache of decoded arrays: used when valid, rebuilt (with a warning) when stale,
corrupt or hostile, written atomically."""
import io
import os
import zipfile

import numpy as np
import pytest

from builders import assert_arrays_equal, expected_arrays, files_under, load, tiny_images, write_folder, write_zip
from nn.datasets import ARCHIVE_NAME, CACHE_NAME
from nn.datasets import archive as archive_module


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

    monkeypatch.setattr(archive_module, "decode_png", fail)
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


UNPICKLED: list[bool] = []


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
    with zipfile.ZipFile(cache) as saved:
        members = {name: saved.read(name) for name in saved.namelist()}
    bomb = io.BytesIO()
    np.save(bomb, np.array([PickleBomb()], dtype=object), allow_pickle=True)
    members["X_train.npy"] = bomb.getvalue()  # the header stays valid: only the array is wrong
    with zipfile.ZipFile(cache, "w") as hostile:
        for name, data in members.items():
            hostile.writestr(name, data)
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


