"""Datasets: indexable collections of samples that can also hand out whole batches.

A Dataset has ``__len__`` and ``__getitem__`` (one sample), as in PyTorch,
plus ``get_batch(indices)``, which returns each field of many samples as
one numpy array. The DataLoader uses ``get_batch``, so a numpy-backed
dataset (TensorDataset, MNIST) builds a batch with one fancy-index per
field and then one tensor per field — never one tensor per sample.

An IterableDataset instead defines ``__iter__`` (a stream of samples);
``Dataset + Dataset`` is a ConcatDataset, ``IterableDataset + IterableDataset``
a ChainDataset.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from .collate import collate
from .mnist import load_mnist
from .sampler import numpy_rng

__all__ = ["MNIST", "ChainDataset", "ConcatDataset", "Dataset", "IterableDataset",
           "StackDataset", "Subset", "TensorDataset", "collate", "random_split"]

Batch = tuple[np.ndarray, ...] | np.ndarray


def _as_array(value: Any) -> np.ndarray:
    return value.numpy() if isinstance(value, Tensor) else np.asarray(value)


def _fetch_batch(dataset: Any, indices: np.ndarray) -> Any:
    """``dataset.get_batch(indices)`` when it has one, else its samples collated."""
    if hasattr(dataset, "get_batch"):
        return dataset.get_batch(indices)
    return collate([dataset[int(i)] for i in indices])


class Dataset:
    """Base class: define ``__len__`` and ``__getitem__``; override ``get_batch``
    when a whole batch can be fetched faster than sample by sample."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def get_batch(self, indices: np.ndarray) -> Batch:
        """The samples at ``indices``, collated (each field stacked into one array)."""
        return collate([self[int(i)] for i in indices])

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: define ``__iter__``.

    With ``num_workers > 0`` every worker iterates its own copy, so each
    sample comes once per worker unless ``__iter__`` splits the work by
    ``minitorch.data.get_worker_info()`` (``id``, ``num_workers``), as in
    PyTorch.
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __len__(self) -> int:
        # TypeError, as len() of an object without __len__ gives (list() relies on it).
        raise TypeError(f"{type(self).__name__} is an IterableDataset without a __len__")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate it, "
                        "it has no __getitem__")

    def __add__(self, other: Any) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


def _check_index(index: int, length: int, who: str) -> int:
    if not -length <= index < length:
        raise IndexError(f"{who}: index {index} is out of range for {length} samples")
    return index % length


def _is_int(index: Any) -> bool:
    return isinstance(index, (int, np.integer)) and not isinstance(index, bool)


class TensorDataset(Dataset):
    """Samples are rows of equally long arrays: ``TensorDataset(images, labels)``.

    Args:
        *tensors: Tensors, numpy arrays or nested lists with the same first
            dimension; kept as numpy arrays (the loader makes the tensors).

    ``dataset[i]`` is a tuple of Tensors (one row of each array);
    ``dataset[2:5]``, ``dataset[[0, 3]]`` or a bool mask give a tuple of
    Tensors of those rows, as indexing the tensors would.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one array")
        self.arrays = tuple(_as_array(a) for a in tensors)
        sizes = [a.shape[0] if a.ndim else None for a in self.arrays]
        if None in sizes or len(set(sizes)) != 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"TensorDataset: Size mismatch between tensors: they need the same "
                             f"first dimension, got {shapes}")

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The stored arrays as Tensors (made afresh on each access)."""
        return tuple(mt.tensor(a) for a in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        if _is_int(index):
            index = _check_index(int(index), len(self), "TensorDataset")
        elif isinstance(index, Tensor):
            index = index.numpy()
        elif not isinstance(index, slice):
            index = np.asarray(index)
            if index.dtype.kind not in "iub":
                raise IndexError(f"TensorDataset: index with an int, a slice, or ints / bools; "
                                 f"got {index.dtype}")
        return tuple(mt.tensor(a[index]) for a in self.arrays)

    def get_batch(self, indices: np.ndarray) -> Batch:
        return tuple(a[indices] for a in self.arrays)


class StackDataset(Dataset):
    """Samples of several equally long datasets side by side.

    ``StackDataset(images, labels)[i]`` is ``(images[i], labels[i])``;
    ``StackDataset(image=images, label=labels)[i]`` is a dict.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("StackDataset: give datasets as positional or as keyword "
                             "arguments, not both")
        if not args and not kwargs:
            raise ValueError("StackDataset: give at least one dataset")
        self.datasets: tuple | dict = args or kwargs
        parts = args or tuple(kwargs.values())
        lengths = {len(d) for d in parts}
        if len(lengths) != 1:
            raise ValueError(f"StackDataset: Size mismatch between datasets: lengths "
                             f"{[len(d) for d in parts]}")
        self._length = lengths.pop()

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {key: d[index] for key, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def get_batch(self, indices: np.ndarray) -> Any:
        if isinstance(self.datasets, dict):
            return {key: _fetch_batch(d, indices) for key, d in self.datasets.items()}
        return [_fetch_batch(d, indices) for d in self.datasets]


def _merge_parts(parts: list[Any], inverse: np.ndarray) -> Any:
    """Concatenate equally structured batches, then reorder rows by `inverse`."""
    first = parts[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(parts)[inverse]
    if isinstance(first, dict):
        return {key: _merge_parts([p[key] for p in parts], inverse) for key in first}
    if isinstance(first, (list, tuple)) and first and all(isinstance(v, (str, bytes))
                                                          for v in first):
        rows = [v for p in parts for v in p]
        return [rows[i] for i in inverse]
    if isinstance(first, (list, tuple)):
        return type(first)(_merge_parts(list(fields), inverse) for fields in zip(*parts))
    raise TypeError(f"ConcatDataset.get_batch: cannot merge batches of {type(first).__name__}")


class ConcatDataset(Dataset):
    """Several map-style datasets one after another.

    ``cumulative_sizes[k]`` is the number of samples in the first k + 1
    datasets. Negative indices count from the end. A batch spanning several
    datasets is fetched with one ``get_batch`` per dataset.
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset "
                                "(use ChainDataset)")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def _locate(self, index: int) -> tuple[int, int]:
        if index < 0:
            if -index > len(self):
                raise ValueError(f"ConcatDataset: absolute value of index should not exceed "
                                 f"dataset length ({index} for {len(self)} samples)")
            index += len(self)
        part = bisect.bisect_right(self.cumulative_sizes, index)
        if part == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {index} is out of range for "
                             f"{len(self)} samples")
        return part, index - (self.cumulative_sizes[part - 1] if part else 0)

    def __getitem__(self, index: int) -> Any:
        part, inner = self._locate(int(index))
        return self.datasets[part][inner]

    def get_batch(self, indices: np.ndarray) -> Any:
        indices = np.asarray(indices, dtype=np.int64)
        n = len(self)
        if indices.size and (indices.min() < -n or indices.max() >= n):
            raise IndexError(f"ConcatDataset: indices must be in [-{n}, {n})")
        indices = indices % n
        parts = np.searchsorted(self.cumulative_sizes, indices, side="right")
        starts = np.concatenate([[0], self.cumulative_sizes[:-1]])
        order = np.argsort(parts, kind="stable")
        fetched = [_fetch_batch(self.datasets[k], indices[parts == k] - starts[k])
                   for k in np.unique(parts).tolist()]
        return fetched[0] if len(fetched) == 1 else _merge_parts(fetched, np.argsort(order))


class ChainDataset(IterableDataset):
    """Several IterableDatasets one after another."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got "
                                f"{type(d).__name__}")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        inside = (self.indices >= -n) & (self.indices < n)
        if not inside.all():
            bad = int(self.indices[~inside][0])
            raise IndexError(f"Subset: index {bad} is out of range for a dataset of {n} samples")

    def __len__(self) -> int:
        return int(self.indices.size)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[int(self.indices[i]) for i in index]]
        return self.dataset[int(self.indices[_check_index(int(index), len(self), "Subset")])]

    def get_batch(self, indices: np.ndarray) -> Batch:
        inner = self.indices[np.asarray(indices, dtype=np.int64)]
        if inner.size and inner.min() < 0:  # the parent's get_batch need not count from the end
            inner = inner % len(self.dataset)
        return _fetch_batch(self.dataset, inner)


def _split_sizes(n: int, lengths: Sequence[float]) -> list[int]:
    """Fractions summing to 1 become floor(n * f) each, the remainder handed out
    one by one from the first split on (as PyTorch does); counts stay as they are."""
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, f in enumerate(lengths):
            if not 0 <= f <= 1:
                raise ValueError(f"random_split: Fraction at index {i} is not between 0 and 1 "
                                 f"(got {f})")
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if sum(lengths) != n or min(lengths) < 0 or not all(_is_int(v) for v in lengths):
        raise ValueError(f"random_split: Sum of input lengths does not equal the length of the "
                         f"input dataset! Got lengths {list(lengths)} for {n} samples; give "
                         f"non-negative counts summing to {n} or fractions summing to 1")
    return [int(v) for v in lengths]


def random_split(dataset: Any, lengths: Sequence[float], generator: Any = None, *,
                 seed: int | None = None) -> list[Subset]:
    """Split into non-overlapping random Subsets of the given lengths (or fractions).

    Args:
        dataset: anything with ``__len__`` and ``__getitem__``.
        lengths: counts summing to ``len(dataset)``, or fractions summing to 1
            (``[0.8, 0.2]``).
        generator: a ``minitorch.Generator`` or numpy Generator to draw the
            permutation from; minitorch's default generator (``mt.manual_seed``)
            when None.
        seed: instead of ``generator``, makes the split reproducible on its own.
    """
    if seed is not None and generator is not None:
        raise ValueError("random_split: pass seed or generator, not both")
    sizes = _split_sizes(len(dataset), lengths)
    rng = np.random.default_rng(seed) if seed is not None else numpy_rng(generator)
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
