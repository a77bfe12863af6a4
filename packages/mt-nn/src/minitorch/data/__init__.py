"""minitorch.data: datasets, loaders, and MNIST / Fashion-MNIST readers.

    from minitorch.data import MNIST, DataLoader
    loader = DataLoader(MNIST("train"), batch_size=64, shuffle=True, seed=0)

The IDX readers (`read_idx`, `write_idx`) and `load_mnist` /
`download_mnist` work on numpy arrays and need no tensors.
"""

from .dataset import MNIST, Dataset, Subset, TensorDataset, collate, random_split
from .idx import IDX_TYPE_CODES, IDXError, encode_idx, parse_idx, read_idx, write_idx
from .loader import DataLoader
from .mnist import (
    CHECKSUMS,
    DATASETS,
    FASHION_MNIST_CLASSES,
    MIRRORS,
    DownloadError,
    cache_dir,
    download_mnist,
    load_mnist,
    load_mnist_files,
)

__all__ = [
    "CHECKSUMS", "DATASETS", "FASHION_MNIST_CLASSES", "IDX_TYPE_CODES", "MIRRORS", "MNIST",
    "DataLoader", "Dataset", "DownloadError", "IDXError", "Subset", "TensorDataset",
    "cache_dir", "collate", "download_mnist", "encode_idx", "load_mnist", "load_mnist_files",
    "parse_idx", "random_split", "read_idx", "write_idx",
]
