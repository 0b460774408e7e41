"""Opening a zip and checking its members before any of their bytes is read, for every
zip nn opens (model files and dataset archives): zipfile would otherwise fail with its
own RuntimeError or NotImplementedError on encrypted members, exotic compression methods
(6 implode, 9 deflate64, 99 AES, ...) or a "version needed to extract" it does not know."""
from __future__ import annotations

import zipfile
import zlib
from typing import BinaryIO

SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_ENCRYPTED_FLAG = 0x1


def check_zip_member(info: zipfile.ZipInfo, error: type[Exception], where: str) -> None:
    """Raise `error` naming `where` and the member unless it is plain, stored or deflated."""
    place = f"{where}: member {info.filename!r}"
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise error(f"{place} is encrypted; expected plain members")
    if info.compress_type not in SUPPORTED_COMPRESSION:
        raise error(
            f"{place} uses compression method {info.compress_type}; expected stored (0) or deflated (8)"
        )


def open_zip(file: BinaryIO, error: type[Exception], where: str, what: str) -> zipfile.ZipFile:
    """`zipfile.ZipFile(file)`, or `error` naming `where` and saying why it is not a
    readable `what` (zipfile checks each member's "version needed" while opening)."""
    try:
        return zipfile.ZipFile(file)
    except NotImplementedError as problem:
        raise error(
            f"{where}: a member needs a newer zip version than zipfile reads ({problem}); "
            f"expected at most {zipfile.MAX_EXTRACT_VERSION / 10:.1f}"
        ) from problem
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as problem:
        raise error(f"{where}: not a readable {what} ({type(problem).__name__}: {problem})") from problem
