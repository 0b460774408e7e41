"""Turn any image file into a Fashion-MNIST-like picture, so a trained model can judge your photos.

Fashion-MNIST images are 28x28 uint8 grayscale: a light garment on a black background.
A photo is usually colour, large, not square, and dark-on-light. `prepare_image` closes
the gap in five steps:

1. grayscale (an alpha channel is first composited onto white: transparent = background);
2. invert when the background is light: the mean of the border pixels is above 127.5;
3. subtract the background level (the median border pixel), so the background is 0 as in
   training, whatever grey the photo's backdrop was;
4. shrink so the longer side is 28 with `cv2.INTER_AREA`, which averages the pixels each
   output pixel covers (the right filter for shrinking; bilinear would skip most of them
   and alias);
5. pad the shorter side with background to 28x28, so the garment keeps its aspect ratio.
   (Shrinking first means no full-size square is ever built: a 30000x1 strip would ask
   for a 3.4 GiB float32 square.)

A file is untrusted: only a regular file is read, at most `MAX_FILE_BYTES` of it, and its
width and height are read from its header (with Pillow, which decodes nothing there)
and bounded by `MAX_PIXELS` before OpenCV decodes a single pixel, so a small file that
claims to be huge costs nothing.

The result is scaled exactly like the training data with `nn.data.scale_and_flatten`.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .checks import check_path
from .files import open_regular_file

IMAGE_SIZE = 28
LIGHT_BACKGROUND = 127.5  # a border brighter than mid-grey means dark-on-light: invert
MAX_PIXELS = 50_000_000  # a 48-megapixel photo passes: measured peaks 390 MB (JPEG), 1.1 GB (RGBA PNG)
MAX_FILE_BYTES = 256 << 20


class ImageFileError(ValueError):
    """A file that cannot be used as an image; the message names the file and the reason."""


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read any file OpenCV can decode (PNG, JPEG, BMP, TIFF, ...) as a 28x28 uint8 image.

    Raises `ImageFileError` naming the file when it is missing, empty, or not an image.
    """
    path = check_path("path", path)
    encoded = _read_bytes(path)
    if not encoded:
        raise ImageFileError(f"{path}: the file is empty")
    width, height = _declared_size(path, encoded)
    if width * height > MAX_PIXELS:
        raise ImageFileError(
            f"{path}: the image is too large: expected at most {MAX_PIXELS} pixels, got {width}x{height} "
            f"= {width * height}"
        )
    buffer = np.frombuffer(encoded, np.uint8)
    log_level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # our error says it better
    try:
        image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
        if image is not None and not _has_alpha(image):
            # Decode again the way photos want it: EXIF orientation applied, 8-bit gray.
            image = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
    except cv2.error as error:
        raise ImageFileError(f"{path}: OpenCV cannot decode it ({error})") from error
    finally:
        cv2.utils.logging.setLogLevel(log_level)
    if image is None:
        raise ImageFileError(f"{path}: not an image format OpenCV can read")
    return prepare_image(image)


def prepare_image(image: np.ndarray) -> np.ndarray:
    """Grayscale, light-background inversion, background removal, shrinking, padding to 28x28.

    `image` is what OpenCV decodes: (h, w) gray or (h, w, 3|4) BGR/BGRA, uint8 or uint16.
    Returns uint8 (28, 28) with a dark background, like a Fashion-MNIST image.
    """
    gray = _to_gray(image)  # a new array: the steps below work in place, a photo can be 200 MB of floats
    if _border(gray).mean() > LIGHT_BACKGROUND:
        np.subtract(255, gray, out=gray)
    gray -= np.median(_border(gray))
    np.clip(gray, 0, 255, out=gray)
    height, width = gray.shape
    scale = IMAGE_SIZE / max(height, width)
    new_width, new_height = max(1, round(width * scale)), max(1, round(height * scale))
    small = cv2.resize(gray, (new_width, new_height), interpolation=cv2.INTER_AREA)
    top, left = (IMAGE_SIZE - new_height) // 2, (IMAGE_SIZE - new_width) // 2
    square = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32)  # the background is 0 after step 3
    square[top : top + new_height, left : left + new_width] = small
    return np.rint(square).astype(np.uint8)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, if it is a regular file of at most MAX_FILE_BYTES."""
    try:
        with open_regular_file(path, ImageFileError, "an image file") as file:
            declared = os.fstat(file.fileno()).st_size  # read() allocates what it is asked for
            encoded = file.read(min(declared, MAX_FILE_BYTES) + 1)
    except (FileNotFoundError, NotADirectoryError) as error:
        raise ImageFileError(f"{path}: cannot read the file ({error.strerror or error})") from error
    if len(encoded) > MAX_FILE_BYTES:
        raise ImageFileError(f"{path}: the file holds more than {MAX_FILE_BYTES} bytes; expected an image file")
    return encoded


def _declared_size(path: Path, encoded: bytes) -> tuple[int, int]:
    """(width, height) as the file's header declares them, read without decoding pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # bounded by the caller
            with Image.open(io.BytesIO(encoded)) as picture:
                return picture.size
    except Image.DecompressionBombError as error:
        raise ImageFileError(
            f"{path}: the image is too large: expected at most {MAX_PIXELS} pixels ({error})"
        ) from error
    except Exception as error:  # Pillow's header parsers raise many types on hostile bytes
        raise ImageFileError(
            f"{path}: not an image format nn can read (its size cannot be read from its header: {error})"
        ) from error


def _has_alpha(image: np.ndarray) -> bool:
    return image.ndim == 3 and image.shape[2] == 4


def _to_gray(image: np.ndarray) -> np.ndarray:
    """A new float32 gray array in [0, 255]; alpha composited onto white:
    out = colour * a + 255 * (1 - a)."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.dtype not in (np.uint8, np.uint16):
        raise ImageFileError(f"image: expected uint8 or uint16 pixels, got {image.dtype}")
    channels = {2: 1, 3: image.shape[-1]}.get(image.ndim)
    if channels not in (1, 3, 4) or image.shape[0] == 0 or image.shape[1] == 0:
        raise ImageFileError(
            f"image: expected a non-empty (h, w), (h, w, 3) or (h, w, 4) array, got shape {image.shape}"
        )
    # Gray first, then compositing, both linear: gray(colour * a + 255 (1 - a)) equals
    # gray(colour) * a + 255 (1 - a), computed on one channel instead of three.
    colour = image if channels == 1 else image[:, :, :3].astype(np.float32)
    gray = colour.astype(np.float32) if channels == 1 else cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    del colour
    scale = np.iinfo(image.dtype).max
    gray *= 255 / scale
    if channels == 4:
        alpha = image[:, :, 3].astype(np.float32)
        alpha /= scale
        gray *= alpha
        np.subtract(1, alpha, out=alpha)
        alpha *= 255
        gray += alpha
    return gray


def _border(gray: np.ndarray) -> np.ndarray:
    """The outermost ring of pixels: where a centred photo shows its background."""
    if min(gray.shape) <= 2:
        return gray.ravel()
    return np.concatenate([gray[0], gray[-1], gray[1:-1, 0], gray[1:-1, -1]])
