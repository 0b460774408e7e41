"""Fashion-MNIST: the public API (`fashion_mnist`), what the archive looks like
(`layout`), reading it safely (`archive`) and the cache of decoded arrays (`cache`)."""
from .cache import CACHE_NAME
from .fashion_mnist import (
    ARCHIVE_NAME, DATA_ENV_VAR, FASHION_MNIST_URL, default_cache_dir, download_fashion_mnist, load_fashion_mnist,
)
from .layout import FASHION_MNIST_COUNTS, FASHION_MNIST_LABELS, IMAGE_SHAPE, DatasetError

__all__ = [
    "load_fashion_mnist", "download_fashion_mnist", "default_cache_dir", "DatasetError",
    "FASHION_MNIST_LABELS", "FASHION_MNIST_COUNTS", "IMAGE_SHAPE",
    "ARCHIVE_NAME", "CACHE_NAME", "DATA_ENV_VAR", "FASHION_MNIST_URL",
]
