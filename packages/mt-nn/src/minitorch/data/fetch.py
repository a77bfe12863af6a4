"""Fetching for the DataLoader: the batch (or sample) behind one key from the sampler.

The same fetchers run in the main process (``num_workers=0``) and in each
worker process, which rebuilds them from the picklable `FetchSpec`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

__all__ = ["FetchSpec", "IterableFetcher", "MapFetcher"]


@dataclass
class FetchSpec:
    """How to fetch: what a worker needs to rebuild the loader's fetching."""

    dataset: Any
    iterable: bool
    auto_collation: bool
    collate_fn: Callable[[Any], Any]
    batch_fetch: bool  # use dataset.get_batch(indices) for int index batches
    drop_last: bool

    def make(self) -> MapFetcher | IterableFetcher:
        return IterableFetcher(self) if self.iterable else MapFetcher(self)


class MapFetcher:
    """Samples of a map-style dataset by key: one ``get_batch`` call per batch
    where the dataset has one and the collate function is the default."""

    def __init__(self, spec: FetchSpec) -> None:
        self.spec = spec

    def fetch(self, key: Any) -> Any:
        dataset, collate_fn = self.spec.dataset, self.spec.collate_fn
        if not self.spec.auto_collation:
            return collate_fn(dataset[key])
        if self.spec.batch_fetch:
            indices = np.asarray(key)
            if indices.dtype.kind in "iu":
                batch = dataset.get_batch(indices)
                return list(batch) if type(batch) is tuple else batch  # tuples collate to lists
        if hasattr(dataset, "__getitems__"):
            return collate_fn(dataset.__getitems__(key))
        return collate_fn([dataset[i] for i in key])


class IterableFetcher:
    """The next samples of an IterableDataset's stream (StopIteration at its end)."""

    def __init__(self, spec: FetchSpec) -> None:
        self.spec = spec
        self.stream = iter(spec.dataset)

    def fetch(self, key: Any) -> Any:
        if not self.spec.auto_collation:
            return self.spec.collate_fn(next(self.stream))
        batch = list(islice(self.stream, len(key)))
        if not batch or (self.spec.drop_last and len(batch) < len(key)):
            raise StopIteration
        return self.spec.collate_fn(batch)
