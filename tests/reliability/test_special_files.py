"""Paths that are not regular files: a FIFO would hang a reader forever and /dev/zero would
fill memory, so every reader refuses them (after following links) with the library's own
error before opening. Each call runs in a subprocess with a timeout (`isolated.outcome`)."""
import os
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

import nn
from fashion_cli import run_cli, small_fashion_model
from isolated import outcome

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")

READERS = {
    "Model.load": ("import nn\nresult = nn.Model.load(target)", "ModelFileError", "a model file"),
    "Model.load_checkpoint": ("import nn\nresult = nn.Model.load_checkpoint(target)", "ModelFileError", "a model file"),
    "load_parameters": ("import nn\nmodel = nn.Model()\nmodel.add(nn.Dense(2, 2))\n"
                        "result = model.load_parameters(target)", "ModelFileError", "a model file"),
    "read_image": ("import nn\nresult = nn.read_image(target)", "ImageFileError", "an image file"),
    "load_fashion_mnist": ("import nn\nresult = nn.load_fashion_mnist(data=target, cache_dir=target.parent / 'cache')",
                           "DatasetError", "a zip archive"),
}
SPECIAL = {
    "fifo": "is a FIFO (named pipe), not a regular file",
    "link-to-fifo": "is a FIFO (named pipe), not a regular file",
    "link-to-dev-zero": "is a character device, not a regular file",
    "link-to-dev-urandom": "is a character device, not a regular file",
}


def special_file(kind: str, folder: Path) -> Path:
    target = folder / "special.bin"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "link-to-fifo":
        os.mkfifo(folder / "pipe")
        target.symlink_to(folder / "pipe")
    else:
        target.symlink_to("/dev/" + kind.removeprefix("link-to-dev-"))
    return target


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("reader", READERS)
def test_special_files_are_refused_without_hanging(tmp_path, reader, kind):
    code, error, what = READERS[reader]
    target = special_file(kind, tmp_path)
    assert outcome(code, target=target) == f"{error}: {target}: {SPECIAL[kind]}; expected {what}"


@pytest.mark.parametrize("kind", ["directory", "link-to-directory", "link-loop", "link-to-itself"])
def test_a_model_path_that_is_a_folder_or_a_loop_is_a_model_file_error(tmp_path, kind):
    target = tmp_path / "model.tgm"
    if kind == "directory":
        target.mkdir()
    elif kind == "link-to-directory":
        (tmp_path / "folder").mkdir()
        target.symlink_to(tmp_path / "folder")
    elif kind == "link-loop":
        target.symlink_to(tmp_path / "other.tgm")
        (tmp_path / "other.tgm").symlink_to(target)
    else:
        target.symlink_to(target)
    expected = ("is a directory, not a regular file; expected a model file" if "directory" in kind
                else "cannot open it as a model file (Too many levels of symbolic links)")
    assert outcome("import nn\nresult = nn.Model.load(target)", target=target) == f"ModelFileError: {target}: {expected}"


def tiny_archive(path: Path) -> Path:
    """One image per label and split: enough for `expected_counts={"train": 1, "test": 1}`."""
    ok, encoded = cv2.imencode(".png", np.zeros((28, 28), np.uint8))
    assert ok
    with zipfile.ZipFile(path, "w") as archive:
        for split in ("train", "test"):
            for label in range(10):
                archive.writestr(f"{split}/{label}/0000.png", encoded.tobytes())
    return path


def test_a_fifo_in_place_of_the_cache_is_rebuilt_without_hanging(tmp_path):
    source = tiny_archive(tmp_path / nn.datasets.ARCHIVE_NAME)
    cache = tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(cache / nn.datasets.CACHE_NAME)
    code = """
    import nn
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X_train, *_ = nn.load_fashion_mnist(data=source, cache_dir=cache, expected_counts={"train": 1, "test": 1})
    result = (X_train.shape, [str(warning.message) for warning in caught])
    """
    result = outcome(code, source=source, cache=cache)
    assert result.startswith("returned: ((10, 28, 28), ['rebuilding the unreadable or invalid cache"), result
    assert "is a FIFO (named pipe), not a regular file" in result
    assert (cache / nn.datasets.CACHE_NAME).is_file()  # the FIFO was replaced by a real cache


def test_the_cli_reports_a_fifo_image_on_its_own_line_and_classifies_the_others(tmp_path):
    model = small_fashion_model(tmp_path / "model.tgm")
    good = tmp_path / "good.png"
    assert cv2.imwrite(str(good), np.zeros((28, 28), np.uint8))
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    finished = run_cli("predict", str(model), str(fifo), str(good))
    assert finished.returncode == 1
    assert f"error: {fifo}: is a FIFO (named pipe), not a regular file; expected an image file\n" in finished.stderr
    assert finished.stdout.startswith(f"{good}: ")
    assert "Traceback" not in finished.stderr


def test_the_cli_reports_a_fifo_model_without_a_traceback(tmp_path):
    fifo = tmp_path / "model.tgm"
    os.mkfifo(fifo)
    finished = run_cli("evaluate", str(fifo))
    assert finished.returncode == 1
    assert "is a FIFO (named pipe), not a regular file; expected a model file" in finished.stderr
    assert "Traceback" not in finished.stderr
