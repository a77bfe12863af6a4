"""Datasets: indexable collections of samples that can also hand out whole batches.

A Dataset has ``__len__`` and ``__getitem__`` (one sample), as in PyTorch,
plus ``get_batch(indices)``, which returns each field of many samples as
one numpy array. The DataLoader uses ``get_batch``, so a numpy-backed
dataset (TensorDataset, MNIST) builds a batch with one fancy-index per
field and then one tensor per field — never one tensor per sample.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor.creation import generator as mt_generator

from .mnist import load_mnist

__all__ = ["MNIST", "Dataset", "Subset", "TensorDataset", "collate", "random_split"]

Batch = tuple[np.ndarray, ...] | np.ndarray


def _as_array(value: Any) -> np.ndarray:
    return value.numpy() if isinstance(value, Tensor) else np.asarray(value)


def collate(samples: Sequence[Any]) -> Batch:
    """Stack samples into arrays: tuples of fields give a tuple of stacked fields."""
    if not samples:
        raise ValueError("collate: no samples")
    if isinstance(samples[0], (tuple, list)):
        fields = zip(*samples, strict=True)
        return tuple(np.stack([_as_array(v) for v in field]) for field in fields)
    return np.stack([_as_array(s) for s in samples])


class Dataset:
    """Base class: define ``__len__`` and ``__getitem__``; override ``get_batch``
    when a whole batch can be fetched faster than sample by sample."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def get_batch(self, indices: np.ndarray) -> Batch:
        """The samples at ``indices``, each field stacked into one array."""
        return collate([self[int(i)] for i in indices])


def _check_index(index: int, length: int, who: str) -> int:
    if not -length <= index < length:
        raise IndexError(f"{who}: index {index} is out of range for {length} samples")
    return index % length


class TensorDataset(Dataset):
    """Samples are rows of equally long arrays: ``TensorDataset(images, labels)``.

    Args:
        *arrays: Tensors, numpy arrays or nested lists with the same first
            dimension; kept as numpy arrays (the loader makes the tensors).

    ``dataset[i]`` is a tuple of Tensors (one row of each array).
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset: give at least one array")
        self.arrays = tuple(_as_array(a) for a in arrays)
        sizes = [a.shape[0] if a.ndim else None for a in self.arrays]
        if None in sizes or len(set(sizes)) != 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"TensorDataset: arrays need the same first dimension, got {shapes}")

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        i = _check_index(index, len(self), "TensorDataset")
        return tuple(mt.tensor(a[i]) for a in self.arrays)

    def get_batch(self, indices: np.ndarray) -> Batch:
        return tuple(a[indices] for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        inside = (self.indices >= 0) & (self.indices < len(dataset))
        if not inside.all():
            raise IndexError(f"Subset: indices must be in [0, {len(dataset)})")

    def __len__(self) -> int:
        return int(self.indices.size)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[_check_index(index, len(self), "Subset")])]

    def get_batch(self, indices: np.ndarray) -> Batch:
        inner = self.indices[np.asarray(indices, dtype=np.int64)]
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(inner)
        return collate([self.dataset[int(i)] for i in inner])


def _split_sizes(n: int, lengths: Sequence[float]) -> list[int]:
    """Ints are taken as is; fractions summing to 1 become counts, with the
    remainder given one by one to the first splits (as PyTorch does)."""
    if all(isinstance(v, (int, np.integer)) for v in lengths):
        sizes = [int(v) for v in lengths]
        if sum(sizes) != n or min(sizes) < 0:
            raise ValueError(f"random_split: lengths {sizes} must be >= 0 and sum to {n}")
        return sizes
    if not math.isclose(sum(lengths), 1.0) or min(lengths) < 0:
        raise ValueError(f"random_split: fractions {list(lengths)} must be >= 0 and sum to 1")
    sizes = [int(math.floor(n * f)) for f in lengths]
    for i in range(n - sum(sizes)):
        sizes[i % len(sizes)] += 1
    return sizes


def random_split(dataset: Any, lengths: Sequence[float], seed: int | None = None,
                 generator: np.random.Generator | None = None) -> list[Subset]:
    """Split into non-overlapping random Subsets of the given lengths (or fractions).

    Args:
        dataset: anything with ``__len__`` and ``__getitem__``.
        lengths: counts summing to ``len(dataset)``, or fractions summing to 1.
        seed: makes the split reproducible on its own.
        generator: a numpy Generator to draw from instead; without either,
            minitorch's generator (``mt.manual_seed``) is used.
    """
    if seed is not None and generator is not None:
        raise ValueError("random_split: pass seed or generator, not both")
    sizes = _split_sizes(len(dataset), lengths)
    rng = generator or (np.random.default_rng(seed) if seed is not None else mt_generator())
    order = rng.permutation(len(dataset))
    out, start = [], 0
    for size in sizes:
        out.append(Subset(dataset, order[start:start + size]))
        start += size
    return out


# Mean and standard deviation of the training pixels (scaled to [0, 1]).
NORMALIZATION = {"mnist": (0.1307, 0.3081), "embedded": (0.1307, 0.3081),
                 "fashion-mnist": (0.2860, 0.3530)}


class MNIST(Dataset):
    """MNIST or Fashion-MNIST digits as (image, label) samples.

    Images are kept as uint8 and turned into float32 (N, 1, 28, 28) batches
    scaled to [0, 1] (and then normalized, if asked) only when fetched.

    Args:
        split: "train" or "test".
        dataset: "embedded" (4,000/1,000 digits shipped with mt-nn, the
            default), "mnist" or "fashion-mnist".
        data_dir, download: where to find or fetch the IDX files (see
            ``minitorch.data.load_mnist``).
        normalize: False for [0, 1] pixels; True for (x - mean) / std with
            the dataset's usual statistics; or an explicit (mean, std).

    ``dataset[i]`` is ``(image Tensor of shape (1, 28, 28), int label)``.
    """

    def __init__(self, split: str = "train", dataset: str = "embedded",
                 data_dir: str | None = None, download: bool = False,
                 normalize: bool | tuple[float, float] = False) -> None:
        images, labels = load_mnist(split, dataset, data_dir=data_dir, download=download)
        self.images = images  # uint8 (N, 28, 28)
        self.labels = labels  # int64 (N,)
        self.split, self.dataset = split, dataset
        if normalize is True:
            self.mean, self.std = NORMALIZATION[dataset]
        elif normalize is False:
            self.mean, self.std = 0.0, 1.0
        else:
            self.mean, self.std = (float(v) for v in normalize)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def _pixels(self, images: np.ndarray) -> np.ndarray:
        x = images.astype(np.float32)[:, None, :, :] / np.float32(255.0)
        if (self.mean, self.std) != (0.0, 1.0):
            x = (x - np.float32(self.mean)) / np.float32(self.std)
        return x

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        i = _check_index(index, len(self), "MNIST")
        return mt.tensor(self._pixels(self.images[i:i + 1])[0]), int(self.labels[i])

    def get_batch(self, indices: np.ndarray) -> Batch:
        return self._pixels(self.images[indices]), self.labels[indices]

    def __repr__(self) -> str:
        return f"MNIST(split={self.split!r}, dataset={self.dataset!r}, samples={len(self)})"
