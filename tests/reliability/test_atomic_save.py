"""Atomic writes: an exception or a kill at any moment leaves the old file or the new one,
never a damaged file and never a stray temporary."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn.files import atomic
from nn.files import atomic_write, read_container, write_container

REPO = Path(__file__).resolve().parents[2]
OLD = {"weights": np.arange(6, dtype=np.float32).reshape(2, 3)}
NEW = {"weights": -np.arange(6, dtype=np.float32).reshape(2, 3)}


@pytest.fixture(params=["unnamed", "named"])
def temporary_kind(request, monkeypatch):
    """Run each test with Linux's unnamed temporary (O_TMPFILE) and with the portable
    named temporary that other systems use."""
    if request.param == "unnamed" and not hasattr(os, "O_TMPFILE"):
        pytest.skip("unnamed temporaries (O_TMPFILE) exist only on Linux")
    if request.param == "named":
        monkeypatch.setattr(atomic, "_open_unnamed", lambda folder: None)
    return request.param


def _assert_holds(path: Path, arrays: dict) -> None:
    _, loaded = read_container(path)
    assert loaded.keys() == arrays.keys()
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)


def test_replaces_the_file_and_leaves_nothing_else(tmp_path, temporary_kind):
    path = tmp_path / "model.tgm"
    write_container(path, {}, OLD)
    write_container(path, {}, NEW)
    _assert_holds(path, NEW)
    assert os.listdir(tmp_path) == ["model.tgm"]


def test_exception_just_before_replace_keeps_the_old_file(tmp_path, temporary_kind, monkeypatch):
    path = tmp_path / "model.tgm"
    write_container(path, {}, OLD)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("injected just before os.replace")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt, match="injected"):
        write_container(path, {}, NEW)
    monkeypatch.undo()
    _assert_holds(path, OLD)
    assert os.listdir(tmp_path) == ["model.tgm"]


def test_exception_while_writing_keeps_the_old_file(tmp_path, temporary_kind):
    path = tmp_path / "model.tgm"
    write_container(path, {}, OLD)
    with pytest.raises(RuntimeError, match="half way"), atomic_write(path) as file:
        file.write(b"the first half of a new file")
        raise RuntimeError("half way")
    _assert_holds(path, OLD)
    assert os.listdir(tmp_path) == ["model.tgm"]


def test_a_new_file_gets_ordinary_permissions(tmp_path):
    path = tmp_path / "model.tgm"
    write_container(path, {}, OLD)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="only an unnamed temporary (Linux O_TMPFILE) survives a kill without a trace")
def test_kill_while_writing_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "model.tgm"
    write_container(path, {}, OLD)
    writer = (
        "import sys, time\n"
        "from nn.files import atomic_write\n"
        "with atomic_write(sys.argv[1]) as file:\n"
        "    file.write(b'part of a new model file')\n"
        "    file.flush()\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(600)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", writer, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "writing"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
    _assert_holds(path, OLD)
    assert os.listdir(tmp_path) == ["model.tgm"]
