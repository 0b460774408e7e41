"""Image bombs: a tiny file that claims a huge size is refused from its header before any
pixel is decoded, a long thin strip is shrunk before it is padded (no full-size square),
and the CLI reports such a file on its own line and goes on with the others."""
import struct
import tracemalloc
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

import nn
from fashion_cli import run_cli, small_fashion_model
from isolated import outcome
from nn.images import MAX_PIXELS


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header for `width` x `height` gray pixels and almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose start-of-frame marker is patched to claim `width` x `height`."""
    data = bytearray(cv2.imencode(".jpg", np.full((8, 8), 128, np.uint8))[1].tobytes())
    frame = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, frame + 5, height, width)
    return bytes(data)


def test_an_image_over_the_pixel_cap_is_refused_naming_its_size(tmp_path):
    path = tmp_path / "large.png"
    path.write_bytes(png_claiming(10_000, 6_000))
    with pytest.raises(nn.ImageFileError) as caught:
        nn.read_image(path)
    assert str(caught.value) == f"{path}: the image is too large: expected at most {MAX_PIXELS} pixels, got 10000x6000 = 60000000"


@pytest.mark.parametrize("make", [png_claiming, jpeg_claiming], ids=["png", "jpeg"])
def test_a_small_file_claiming_a_huge_image_is_refused_before_decoding(tmp_path, make):
    path = tmp_path / "bomb.img"
    path.write_bytes(make(30_000, 30_000))
    assert path.stat().st_size < 1000
    code = """
    import resource
    import nn
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        nn.read_image(target)
        message = "no error"
    except nn.ImageFileError as error:
        message = str(error)
    result = (message, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) // 1024)
    """
    result = outcome(code, target=path)
    expected = f"{path}: the image is too large: expected at most {MAX_PIXELS} pixels ("
    assert result.startswith(f"returned: ({expected!r}"[:-1]) and "900000000 pixels" in result, result
    growth_megabytes = int(result.rsplit(", ", 1)[1].rstrip(")"))
    assert growth_megabytes < 50  # the peak memory grew by almost nothing, not by 2.6 GB


@pytest.mark.parametrize("width", [30_000, 100_000])
def test_a_long_thin_strip_is_shrunk_before_it_is_padded(tmp_path, width):
    strip = np.full((1, width), 255, np.uint8)
    strip[0, width // 3: 2 * width // 3] = 0  # a dark middle third on a light strip
    path = tmp_path / "strip.png"
    assert cv2.imwrite(str(path), strip)
    assert path.stat().st_size < 1000
    tracemalloc.start()
    try:
        image = nn.read_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert image.shape == (28, 28)
    assert image[:13].max() == 0 and image[14:].max() == 0  # one row of 28 in the middle
    assert image[13, 10:18].min() > 200  # the garment: the dark third, inverted
    assert peak < 20 * width * 4, f"peak {peak} bytes"  # a padded square would be width**2 * 4 bytes


def test_the_cli_reports_an_image_bomb_on_its_own_line_and_classifies_the_others(tmp_path):
    model = small_fashion_model(tmp_path / "model.tgm")
    bomb = tmp_path / "bomb.jpg"
    bomb.write_bytes(jpeg_claiming(30_000, 30_000))
    good = tmp_path / "good.png"
    assert cv2.imwrite(str(good), np.zeros((28, 28), np.uint8))
    finished = run_cli("predict", str(model), str(bomb), str(good))
    assert finished.returncode == 1
    assert finished.stderr.splitlines()[0].startswith(
        f"error: {bomb}: the image is too large: expected at most {MAX_PIXELS} pixels (")
    assert finished.stdout.startswith(f"{good}: ")


def test_a_file_whose_size_cannot_be_read_is_refused(tmp_path):
    path = tmp_path / "header.png"
    path.write_bytes(png_claiming(10, 10)[:20])  # cut inside the header
    with pytest.raises(nn.ImageFileError, match=r"header.png: not an image format nn can read"):
        nn.read_image(path)


def test_a_file_larger_than_the_cap_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(nn.images, "MAX_FILE_BYTES", 100)
    path = Path(tmp_path / "big.png")
    assert cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 256, (40, 40), np.uint8))
    with pytest.raises(nn.ImageFileError, match=r"big.png: the file holds more than 100 bytes"):
        nn.read_image(path)
