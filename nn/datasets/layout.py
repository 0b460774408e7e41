"""What the Fashion-MNIST archive looks like: its labels, counts and member names, and
the checks that arrays (decoded or cached) match it."""
from __future__ import annotations

import numpy as np

FASHION_MNIST_LABELS = (
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
FASHION_MNIST_COUNTS = {"train": 6000, "test": 1000}  # images per label in each split
IMAGE_SHAPE = (28, 28)
SPLITS = ("train", "test")
LICENSE_NAME = "LICENSE"
FOLDERS = {*SPLITS, *(f"{split}/{label}" for split in SPLITS for label in range(len(FASHION_MNIST_LABELS)))}
"""The only folders the layout has: train/, test/ and one per label inside each."""


class DatasetError(RuntimeError):
    """The data set cannot be found, downloaded, or trusted; the message says why and what to do."""


def check_folder_name(name: str) -> None:
    """A folder of the archive (``train``, ``test/3``, ...), or a DatasetError: anything
    else means the archive is not what it claims to be."""
    _check_safe(name)
    if name not in FOLDERS:
        raise DatasetError(
            f"unexpected folder {name + '/'!r}: expected only train/, test/ and train/<0-9>/, test/<0-9>/"
        )


def split_and_label(name: str) -> tuple[str, int] | None:
    """Classify a file of the archive by its name: (split, label) for an image, None for
    the licence; a DatasetError for anything else."""
    _check_safe(name)
    if name == LICENSE_NAME:
        return None
    parts = name.split("/")
    if len(parts) != 3 or parts[0] not in SPLITS or not parts[2].endswith(".png"):
        raise DatasetError(
            f"unexpected member {name!r}: expected train/<label>/<nnnn>.png or test/<label>/<nnnn>.png"
        )
    label = parts[1]
    if not label.isdecimal() or str(int(label)) != label or not 0 <= int(label) < len(FASHION_MNIST_LABELS):
        raise DatasetError(
            f"member {name!r}: label folder must be 0..{len(FASHION_MNIST_LABELS) - 1}, got {label!r}"
        )
    return parts[0], int(label)


def _check_safe(name: str) -> None:
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise DatasetError(f"refusing member {name!r}: absolute or non-POSIX path")
    if ".." in name.split("/"):
        raise DatasetError(f"refusing member {name!r}: path leaves the data folder")


def check_counts(split: str, labels: np.ndarray, counts: dict[str, int], where: str) -> None:
    """Exactly `counts[split]` images for each label 0..9."""
    if labels.size and labels.max() >= len(FASHION_MNIST_LABELS):
        raise DatasetError(f"{where}: {split} labels must be in 0..9, got {labels.max()}")
    per_label = np.bincount(labels, minlength=len(FASHION_MNIST_LABELS)).tolist()
    if per_label != [counts[split]] * len(FASHION_MNIST_LABELS):
        raise DatasetError(
            f"{where}: {split} must hold {counts[split]} images for each label 0..9, got {per_label}"
        )


def check_arrays(arrays: tuple[np.ndarray, ...], counts: dict[str, int], where: str) -> None:
    """Check arrays that were not just decoded: a cache may be stale or tampered with."""
    X_train, y_train, X_test, y_test = arrays
    for split, images, labels in [("train", X_train, y_train), ("test", X_test, y_test)]:
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            raise DatasetError(
                f"{where}: {split} images must be uint8 (n, 28, 28), got {images.dtype} {images.shape}"
            )
        if labels.dtype != np.uint8 or labels.shape != (len(images),):
            raise DatasetError(
                f"{where}: {split} labels must be uint8 ({len(images)},), got {labels.dtype} {labels.shape}"
            )
        check_counts(split, labels, counts, where)
