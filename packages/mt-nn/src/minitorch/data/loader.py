"""DataLoader: iterate a dataset in (shuffled) mini-batches of tensors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor.creation import generator as mt_generator

from .dataset import collate

__all__ = ["DataLoader"]


class DataLoader:
    """Batches of a dataset, as tuples of stacked tensors.

    Each batch is built with one ``dataset.get_batch(indices)`` call (one
    numpy fancy-index per field for numpy-backed datasets) and then one
    tensor per field. Float fields take `dtype`; integer labels become int64
    tensors and bools bool, as PyTorch's default collate makes them.

    Args:
        dataset: a Dataset, or anything with ``__len__`` and ``__getitem__``.
        batch_size: samples per batch.
        shuffle: a new random order every epoch.
        drop_last: skip the last batch if it is smaller than ``batch_size``.
        generator: numpy Generator for shuffling.
        seed: seed a private generator (epoch k's order then depends only on
            the seed and k). Without ``generator`` or ``seed``, minitorch's
            generator is used, so ``mt.manual_seed`` and checkpoints cover it.
        backend, dtype: where and as what the batch tensors are made.

    Example::

        loader = DataLoader(MNIST("train"), batch_size=64, shuffle=True, seed=0)
        for images, labels in loader:      # (64, 1, 28, 28), (64,)
            ...
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: np.random.Generator | None = None,
                 seed: int | None = None, backend: Any = None, dtype: Any = None) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass generator or seed, not both")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.backend = backend
        self.dtype = dtype
        self.generator = generator if generator is not None else (
            np.random.default_rng(seed) if seed is not None else None)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = mt_generator(self.generator) if isinstance(self.generator, mt.Generator) or (
            self.generator is None) else self.generator
        return rng.permutation(n)

    def _fetch(self, indices: np.ndarray) -> Any:
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(indices)
        return collate([self.dataset[int(i)] for i in indices])

    def _tensor(self, array: np.ndarray) -> Tensor:
        # Floats take the loader's dtype; integer labels stay int64 and bools bool,
        # as PyTorch's default collate makes them.
        array = np.asarray(array)
        if array.dtype.kind in "iu":
            return mt.tensor(array, dtype=mt.int64, backend=self.backend)
        if array.dtype.kind == "b":
            return mt.tensor(array, dtype=mt.bool_, backend=self.backend)
        return mt.tensor(array, dtype=self.dtype, backend=self.backend)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        for start in range(0, len(order), self.batch_size):
            indices = order[start:start + self.batch_size]
            if self.drop_last and len(indices) < self.batch_size:
                return
            batch = self._fetch(indices)
            if isinstance(batch, tuple):
                yield tuple(self._tensor(field) for field in batch)
            else:
                yield self._tensor(batch)
