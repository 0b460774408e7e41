"""nn.images: any image file becomes a 28x28 dark-background picture like Fashion-MNIST's."""

import cv2
import numpy as np
import pytest

from nn.images import ImageFileError, prepare_image, read_image


def garment(size: int = 28) -> np.ndarray:
    """A light blob (a 'garment') centred on a black background, Fashion-MNIST style."""
    image = np.zeros((size, size), np.uint8)
    cv2.ellipse(image, (size // 2, size // 2), (size // 4, size // 3), 0, 0, 360, 200, -1)
    return image


def as_photo(image: np.ndarray, size: int) -> np.ndarray:
    """Dark-on-light colour version of `image`, enlarged: what a phone photo looks like."""
    light = cv2.resize(255 - image, (size, size), interpolation=cv2.INTER_CUBIC)
    return cv2.cvtColor(light, cv2.COLOR_GRAY2BGR)


def test_a_fashion_mnist_image_passes_unchanged():
    image = garment()
    assert np.array_equal(prepare_image(image), image)


@pytest.mark.parametrize("extension", [".png", ".jpg", ".bmp"])
def test_a_large_light_colour_photo_comes_back_dark_and_28x28(tmp_path, extension):
    original = garment()
    path = tmp_path / f"photo{extension}"
    assert cv2.imwrite(str(path), as_photo(original, 300))
    image = read_image(path)
    assert image.shape == (28, 28) and image.dtype == np.uint8
    assert image[0].max() <= 5  # background dark again
    assert np.abs(image.astype(int) - original).mean() < 6


def test_inversion_follows_the_border_not_the_overall_brightness():
    # A dark garment that fills most of a white frame: mostly dark overall, light border.
    image = np.full((100, 100), 255, np.uint8)
    image[5:95, 5:95] = 40
    prepared = prepare_image(image)
    assert prepared[0, 0] == 0 and prepared[14, 14] > 150


def test_grey_backdrop_becomes_black():
    image = np.full((56, 56), 90, np.uint8)
    image[14:42, 14:42] = 230
    prepared = prepare_image(image)
    assert prepared[0, 0] == 0 and prepared[14, 14] == 230 - 90


def test_a_wide_image_keeps_its_aspect_ratio():
    image = np.zeros((50, 100), np.uint8)
    image[:, 25:75] = 255  # a square in the middle of a wide frame
    prepared = prepare_image(image)
    rows, columns = np.nonzero(prepared > 127)
    assert rows.max() - rows.min() == pytest.approx(columns.max() - columns.min(), abs=1)
    assert rows.min() >= 6  # padded above and below with background


def test_transparent_pixels_count_as_background(tmp_path):
    bgra = np.zeros((40, 40, 4), np.uint8)  # black and fully transparent
    bgra[10:30, 10:30] = (0, 0, 0, 255)  # an opaque black square
    path = tmp_path / "cutout.png"
    assert cv2.imwrite(str(path), bgra)
    image = read_image(path)
    assert image[0, 0] == 0 and image[14, 14] == 255


def test_sixteen_bit_images_are_scaled_to_eight_bits():
    image = garment().astype(np.uint16) * 257
    assert np.array_equal(prepare_image(image), garment())


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "empty"), (b"this is not an image", "not an image"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "")],
)
def test_unreadable_files_raise_naming_the_file(tmp_path, content, reason):
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    with pytest.raises(ImageFileError, match=f"broken.png.*{reason}"):
        read_image(path)


def test_a_missing_file_raises_naming_it(tmp_path):
    with pytest.raises(ImageFileError, match=r"nothing.png: cannot read"):
        read_image(tmp_path / "nothing.png")


def test_a_folder_is_not_an_image(tmp_path):
    with pytest.raises(ImageFileError, match="is a directory, not a regular file; expected an image file"):
        read_image(tmp_path)


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros((4, 4), np.float32), "uint8 or uint16"),
        (np.zeros((4, 4, 2), np.uint8), r"got shape \(4, 4, 2\)"),
        (np.zeros((0, 4), np.uint8), r"got shape \(0, 4\)"),
        (np.zeros(4, np.uint8), r"got shape \(4,\)"),
    ],
)
def test_bad_arrays_are_refused_with_the_reason(array, message):
    with pytest.raises(ImageFileError, match=message):
        prepare_image(array)


def test_path_must_be_a_path():
    with pytest.raises(TypeError, match=r"path: expected a path \(str or os.PathLike\), got int"):
        read_image(3)
