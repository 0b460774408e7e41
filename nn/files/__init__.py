"""nn's files: the safe container (`container`, checked `zip_members`, `regular` files
only, `atomic` writes) and, on top of it, model files (`registry`, `model_files`)."""
from .atomic import atomic_write
from .container import (
    FORMAT_NAME, FORMAT_VERSION, HEADER_MEMBER, MAX_ARRAY_BYTES, ModelFileError, OpenContainer, open_container,
    read_container, write_container,
)
from .model_files import load_model, load_parameters, save_model, save_parameters
from .regular import open_regular_file
from .registry import REGISTRY

__all__ = [
    "atomic_write", "open_regular_file",
    "FORMAT_NAME", "FORMAT_VERSION", "HEADER_MEMBER", "MAX_ARRAY_BYTES", "ModelFileError", "OpenContainer",
    "open_container", "read_container", "write_container",
    "REGISTRY", "save_model", "load_model", "save_parameters", "load_parameters",
]
