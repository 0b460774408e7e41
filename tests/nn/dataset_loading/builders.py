"""Tiny Fashion-MNIST-shaped archives and folders built in a temporary folder, and the
assertions the dataset tests share."""
from pathlib import Path
import stat
import zipfile

import cv2
import numpy as np
import pytest

from nn.datasets import DatasetError, load_fashion_mnist

TINY = {"train": 2, "test": 1}  # images per label in the archives built here


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
    for got, want in zip(actual, expected, strict=False):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


def files_under(folder):
    return sorted(
        p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if not p.is_dir()
    )


def load(data, cache_dir, **kwargs):
    return load_fashion_mnist(data=data, cache_dir=cache_dir, expected_counts=TINY, **kwargs)


def refused(tmp_path, data, match):
    """Loading must raise DatasetError and leave the cache folder and the home untouched."""
    with pytest.raises(DatasetError, match=match):
        load(data, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
    assert not (tmp_path / "home").exists()
