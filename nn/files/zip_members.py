"""What a zip member must be before any of its bytes is read, for every zip nn opens
(model files and dataset archives): zipfile would otherwise fail late, with its own
RuntimeError or NotImplementedError, on encrypted members, exotic compression methods
(6 implode, 9 deflate64, 99 AES, ...) or a "version needed to extract" it does not know."""
from __future__ import annotations

import zipfile

SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_ENCRYPTED_FLAG = 0x1


def check_zip_member(info: zipfile.ZipInfo, error: type[Exception], where: str) -> None:
    """Raise `error` naming `where` and the member unless it is plain, stored or deflated,
    and readable by this Python's zipfile."""
    place = f"{where}: member {info.filename!r}"
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise error(f"{place} is encrypted; expected plain members")
    if info.compress_type not in SUPPORTED_COMPRESSION:
        raise error(
            f"{place} uses compression method {info.compress_type}; expected stored (0) or deflated (8)"
        )
    if info.extract_version > zipfile.MAX_EXTRACT_VERSION:
        raise error(
            f"{place} needs zip version {info.extract_version / 10:.1f} to extract; expected at most "
            f"{zipfile.MAX_EXTRACT_VERSION / 10:.1f}"
        )
