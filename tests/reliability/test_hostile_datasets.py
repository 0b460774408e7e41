"""Hostile dataset archives, extracted folders and caches: every one is refused with a
DatasetError (or, for a cache, rebuilt with a warning), never a RuntimeError,
NotImplementedError, RecursionError, MemoryError or a hang."""
import io
import json
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

import nn
from fashion_cli import run_cli, small_fashion_model
from isolated import outcome
from nn.datasets import ARCHIVE_NAME, CACHE_NAME, DatasetError

COUNTS = {"train": 1, "test": 1}
PNG = cv2.imencode(".png", np.zeros((28, 28), np.uint8))[1].tobytes()
IMAGES = [f"{split}/{label}/0000.png" for split in ("train", "test") for label in range(10)]


def write_archive(path: Path, extra_folders=()) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for folder in extra_folders:
            archive.writestr(folder, b"")
        for name in IMAGES:
            archive.writestr(name, PNG)
    return path


def write_folder(root: Path) -> Path:
    for name in IMAGES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(PNG)
    return root


def load(data: Path, cache: Path):
    return nn.load_fashion_mnist(data=data, cache_dir=cache, expected_counts=COUNTS)


def patch_central_directory(path: Path, member: str, offset: int, value: int) -> Path:
    """Overwrite a 2-byte field of `member`'s central-directory record (what zipfile's
    infolist reads): 6 = version needed to extract, 8 = flags, 10 = compression method."""
    data = bytearray(path.read_bytes())
    record = data.index(b"PK\x01\x02")
    while data[record + 46:record + 46 + len(member)] != member.encode():
        record = data.index(b"PK\x01\x02", record + 4)
    struct.pack_into("<H", data, record + offset, value)
    path.write_bytes(bytes(data))
    return path


MEMBER = "train/3/0000.png"
HOSTILE_MEMBERS = {
    "encrypted": (8, 0x1, f"member {MEMBER!r} is encrypted; expected plain members"),
    "implode-6": (10, 6, f"member {MEMBER!r} uses compression method 6; expected stored (0) or deflated (8)"),
    "deflate64-9": (10, 9, f"member {MEMBER!r} uses compression method 9; expected stored (0) or deflated (8)"),
    "aes-99": (10, 99, f"member {MEMBER!r} uses compression method 99; expected stored (0) or deflated (8)"),
    "version-9.9": (6, 99, "a member needs a newer zip version than zipfile reads (zip file version 9.9); "
                           "expected at most 6.3"),
}


@pytest.mark.parametrize("kind", HOSTILE_MEMBERS)
def test_members_zipfile_cannot_read_are_dataset_errors(tmp_path, kind):
    offset, value, message = HOSTILE_MEMBERS[kind]
    path = patch_central_directory(write_archive(tmp_path / ARCHIVE_NAME), MEMBER, offset, value)
    with pytest.raises(DatasetError) as caught:
        load(path, tmp_path / "cache")
    assert str(caught.value) == f"{path}: {message}"


@pytest.mark.parametrize("kind", HOSTILE_MEMBERS)
def test_model_files_refuse_the_same_members(tmp_path, kind):
    offset, value, message = HOSTILE_MEMBERS[kind]
    path = tmp_path / "model.tgm"
    nn.files.write_container(path, {}, {"weights": np.zeros(3, np.float32)})
    patch_central_directory(path, "weights.npy", offset, value)
    with pytest.raises(nn.ModelFileError) as caught:
        nn.files.read_container(path)
    assert str(caught.value) == f"{path}: {message.replace(repr(MEMBER), repr('weights.npy'))}"


def test_the_cli_reports_an_unreadable_archive_without_a_traceback(tmp_path):
    model = small_fashion_model(tmp_path / "model.tgm")
    archive = patch_central_directory(write_archive(tmp_path / ARCHIVE_NAME), MEMBER, 10, 9)
    finished = run_cli("evaluate", str(model), "--data", str(archive), "--cache-dir", str(tmp_path / "cache"),
                       "--images-per-label", "1", "1")
    assert finished.returncode == 1
    assert "uses compression method 9; expected stored (0) or deflated (8)" in finished.stderr
    assert "Traceback" not in finished.stderr


@pytest.mark.parametrize("folder", ["train/11/", "junk/", "train/0/sub/", "test/x/"])
def test_zip_folders_outside_the_layout_are_refused(tmp_path, folder):
    path = write_archive(tmp_path / ARCHIVE_NAME, extra_folders=[folder])
    with pytest.raises(DatasetError, match=f"unexpected folder {folder!r}: expected only train/, test/"):
        load(path, tmp_path / "cache")


@pytest.mark.parametrize("folder", ["train/11", "junk", "train/0/sub", "test/x"])
def test_extracted_folders_outside_the_layout_are_refused(tmp_path, folder):
    root = write_folder(tmp_path / "extracted")
    (root / folder).mkdir(parents=True)
    with pytest.raises(DatasetError, match=f"unexpected folder {folder + '/'!r}: expected only train/, test/"):
        load(root, tmp_path / "cache")


# ---------------------------------------------------------------- extracted folders with bad links


def bad_link(kind: str, root: Path) -> tuple[str, str]:
    """Make a bad link in `root`; return its name and what the refusal says."""
    if kind == "png-linked-to-itself":
        (root / "train/0/0000.png").unlink()
        (root / "train/0/0000.png").symlink_to("0000.png")
        return "train/0/0000.png", "symbolic link that cannot be followed"
    if kind == "dangling-png":
        (root / "train/0/0000.png").unlink()
        (root / "train/0/0000.png").symlink_to("gone.png")
        return "train/0/0000.png", "dangling symbolic link"
    target = {"folder-link-to-root": root, "folder-link-to-parent": root / "train"}[kind]
    (root / "train/0/loop").symlink_to(target, target_is_directory=True)
    return "train/0/loop", "symbolic link to a folder"


@pytest.mark.parametrize("kind", ["png-linked-to-itself", "dangling-png", "folder-link-to-root", "folder-link-to-parent"])
def test_bad_links_in_an_extracted_folder_are_dataset_errors(tmp_path, kind):
    root = write_folder(tmp_path / "extracted")
    name, reason = bad_link(kind, root)
    code = "import nn\nresult = nn.load_fashion_mnist(data=root, cache_dir=cache, expected_counts={'train': 1, 'test': 1})"
    result = outcome(code, root=root, cache=tmp_path / "cache")
    assert result.startswith(f"DatasetError: refusing {name!r} in {root}: {reason}"), result


# ---------------------------------------------------------------- caches


def valid_cache(tmp_path: Path) -> tuple[Path, Path]:
    """A tiny archive and the valid cache its first load writes."""
    source = write_archive(tmp_path / ARCHIVE_NAME)
    load(source, tmp_path / "cache")
    return source, tmp_path / "cache" / CACHE_NAME


def replace_members(path: Path, replacements: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    contents.update(replacements)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def npy_header_only(shape: tuple) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "|u1", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


@pytest.mark.parametrize(
    "replacements, reason",
    [
        ({"header.json": b"[1, 2]"}, "expected a JSON object, got list"),
        ({"header.json": b"null"}, "expected a JSON object, got NoneType"),
        ({"header.json": b"[" * 100_000 + b"]" * 100_000}, "is not valid UTF-8 JSON"),
        ({"X_train.npy": npy_header_only((10**9, 28, 28))}, r"expected shape \(10, 28, 28\), got \(1000000000, 28, 28\)"),
    ],
    ids=["list", "null", "nested-100000-deep", "npy-claims-730-GiB"],
)
def test_a_hostile_cache_is_rebuilt_without_allocating(tmp_path, replacements, reason):
    source, cache = valid_cache(tmp_path)
    replace_members(cache, replacements)
    tracemalloc.start()
    try:
        with pytest.warns(UserWarning, match=f"rebuilding the unreadable or invalid cache.*{reason}"):
            X_train, y_train, _, _ = load(source, cache.parent)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X_train.shape == (10, 28, 28) and y_train.tolist() == list(range(10))
    assert peak < 50 * 2**20, f"peak {peak} bytes"
    assert nn.files.read_container(cache)[0]["kind"] == "fashion-mnist-cache"  # rebuilt


def test_the_cache_header_must_say_it_is_a_cache(tmp_path):
    source, cache = valid_cache(tmp_path)
    header = json.loads(zipfile.ZipFile(cache).read("header.json"))
    header["kind"] = "model"
    replace_members(cache, {"header.json": json.dumps(header).encode()})
    with pytest.warns(UserWarning, match="not a Fashion-MNIST cache"):
        load(source, cache.parent)


def test_the_cache_is_written_with_fsync(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(nn.files.atomic.os, "fsync", lambda descriptor: synced.append(descriptor) or real_fsync(descriptor))
    load(write_archive(tmp_path / ARCHIVE_NAME), tmp_path / "cache")
    assert len(synced) >= 2  # the file, then its folder
