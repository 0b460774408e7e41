"""Reading archives and extracted folders as untrusted input: every refusal, before decoding."""
import zipfile

import numpy as np
import pytest

from builders import files_under, png, refused, tiny_images, write_folder, write_zip
from nn.datasets import ARCHIVE_NAME, DatasetError, load_fashion_mnist
from nn.datasets import archive as archive_module


# ---------------------------------------------------------------- refusals


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
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 10)
    refused(tmp_path, write_zip(tmp_path / ARCHIVE_NAME, tiny_images()), "more than the cap of 10")
    assert decode_calls == []


def test_oversized_archive_is_refused(tmp_path, monkeypatch, decode_calls):
    monkeypatch.setattr(archive_module, "MAX_TOTAL_BYTES", 1000)
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
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 10)
    refused(
        tmp_path, write_folder(tmp_path / "extracted", tiny_images()), "more than the cap of 10"
    )


