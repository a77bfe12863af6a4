"""DistributedSampler: each rank reads its own shard of the dataset, as PyTorch's does.

    sampler = DistributedSampler(train, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=64 // world, sampler=sampler)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)        # a new order each epoch, the same on every rank
        for x, y in loader: ...

Every rank draws the same permutation (from `seed + epoch`), makes its length
a multiple of the world size (repeating indices from its start, or with
``drop_last`` dropping the tail), and takes every world-size-th index from
its rank on: the shards are disjoint, equally long and together cover the
dataset.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import minitorch.tensor as mt

from . import process_group as pg

__all__ = ["DistributedSampler"]


class DistributedSampler:
    """Indices of one rank's shard of `dataset`.

    Args:
        dataset: anything with ``__len__``.
        num_replicas: the world size (default: the process group's).
        rank: this rank (default: the process group's).
        shuffle: a new random order every epoch (with `set_epoch`).
        seed: the order's seed; must be the same on every rank.
        drop_last: drop the tail so every shard has ``len // num_replicas``
            indices instead of padding to ``ceil(len / num_replicas)``.
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = pg._require("DistributedSampler").size
        if rank is None:
            rank = pg._require("DistributedSampler").rank
        if num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be at least 1, got {num_replicas}")
        if not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: invalid rank {rank}, rank should be in the "
                             f"interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = n // num_replicas
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Use `epoch`'s order next (the same on every rank for the same seed)."""
        self.epoch = epoch

    def _order(self) -> list[int]:
        n = len(self.dataset)
        if not self.shuffle:
            return list(range(n))
        g = mt.Generator()
        g.manual_seed(self.seed + self.epoch)
        return mt.randperm(n, generator=g).tolist()

    def __iter__(self) -> Iterator[int]:
        order = self._order()
        if self.drop_last:
            order = order[:self.total_size]
        else:
            missing = self.total_size - len(order)
            while missing > 0:  # repeat from the start (more than once for tiny datasets)
                order += order[:missing]
                missing = self.total_size - len(order)
        shard = order[self.rank:self.total_size:self.num_replicas]
        assert len(shard) == self.num_samples
        return iter(shard)

    def __len__(self) -> int:
        return self.num_samples

    def __repr__(self) -> str:
        return (f"DistributedSampler(rank={self.rank}/{self.num_replicas}, "
                f"num_samples={self.num_samples}, shuffle={self.shuffle}, seed={self.seed})")
