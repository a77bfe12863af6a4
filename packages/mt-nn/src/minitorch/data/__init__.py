"""minitorch.data: datasets, samplers, loaders, and MNIST / Fashion-MNIST readers.

    from minitorch.data import MNIST, DataLoader
    loader = DataLoader(MNIST("train"), batch_size=64, shuffle=True, seed=0)

The pieces follow ``torch.utils.data``: Dataset / IterableDataset and their
combinations, samplers, `default_collate`, and a DataLoader with worker
processes (`get_worker_info` inside them). The IDX readers (`read_idx`,
`write_idx`) and `load_mnist` / `download_mnist` work on numpy arrays and need
no tensors.
"""

from .collate import default_collate, default_convert
from .dataset import (
    MNIST,
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    collate,
    random_split,
)
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
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .worker import WorkerInfo, get_worker_info

__all__ = [
    "CHECKSUMS", "DATASETS", "FASHION_MNIST_CLASSES", "IDX_TYPE_CODES", "MIRRORS", "MNIST",
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DownloadError",
    "IDXError", "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler",
    "StackDataset", "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler",
    "WorkerInfo", "cache_dir", "collate", "default_collate", "default_convert", "download_mnist",
    "encode_idx", "get_worker_info", "load_mnist", "load_mnist_files", "parse_idx",
    "random_split", "read_idx", "write_idx",
]
