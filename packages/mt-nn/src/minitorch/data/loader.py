"""DataLoader: iterate a dataset in (shuffled) mini-batches of tensors, as PyTorch's."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any

import minitorch.tensor as mt

from .collate import collate, convert, default_collate, default_convert, to_tensors
from .dataset import IterableDataset
from .fetch import FetchSpec
from .sampler import (
    BatchSampler,
    InfiniteConstantSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    numpy_rng,
)
from .worker import MultiProcessIterator

__all__ = ["DataLoader"]

_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


def _stream_batches(dataset: Any, batch_size: int | None, drop_last: bool) -> int:
    """Batches of an IterableDataset, from the len() it reports (a TypeError without one)."""
    n = len(dataset)
    if batch_size is None:
        return n
    return n // batch_size if drop_last else -(-n // batch_size)


def _finish_batch(data: Any, backend: Any, dtype: Any, make_tensors: bool) -> Any:
    return to_tensors(data, backend, dtype) if make_tensors else data


def _check_worker_options(num_workers: Any, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool) -> int | None:
    """PyTorch's checks of the multiprocessing options; the prefetch factor to use."""
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(f"num_workers option should be non-negative; use num_workers=0 to "
                         f"disable multiprocessing (got {num_workers!r})")
    if timeout < 0:
        raise ValueError(f"timeout option should be non-negative, got {timeout}")
    if timeout > 0 and num_workers == 0:
        raise ValueError("timeout option needs num_workers > 0 (it bounds the wait for a "
                         "worker's batch)")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing: "
                         "let num_workers > 0, otherwise set prefetch_factor to None")
    if num_workers > 0 and prefetch_factor is None:
        prefetch_factor = 2
    if prefetch_factor is not None and (not isinstance(prefetch_factor, int)
                                        or prefetch_factor < 1):
        raise ValueError(f"prefetch_factor option should be a positive int, "
                         f"got {prefetch_factor!r}")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    return prefetch_factor


def _samplers(dataset: Any, iterable: bool, batch_size: int | None, shuffle: bool | None,
              sampler: Any, batch_sampler: Any, drop_last: bool,
              generator: Any) -> tuple[int | None, bool, Any, Any]:
    """PyTorch's rules for batch_size / shuffle / sampler / batch_sampler / drop_last:
    the checked values and the samplers they give."""
    if iterable:
        for name, value in (("shuffle", shuffle), ("sampler", sampler),
                            ("batch_sampler", batch_sampler)):
            if value is not None and value is not False:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"{name} option, but got {name}={value!r}")
    shuffle = bool(shuffle)
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                             "shuffle, sampler, and drop_last")
        batch_size, drop_last = None, False
    elif batch_size is None and drop_last:
        raise ValueError("batch_size=None option disables auto-batching and is mutually "
                         "exclusive with drop_last")
    if sampler is None:
        if iterable:
            sampler = InfiniteConstantSampler()
        elif shuffle:
            sampler = RandomSampler(dataset, generator=generator)
        else:
            sampler = SequentialSampler(dataset)
    if batch_size is not None and batch_sampler is None:
        batch_sampler = BatchSampler(sampler, batch_size, drop_last)
    return batch_size, drop_last, sampler, batch_sampler


class DataLoader:
    """Batches of a dataset, with PyTorch's ``torch.utils.data.DataLoader`` arguments.

    With the default collate function each batch is built with one
    ``dataset.get_batch(indices)`` call (one numpy fancy-index per field for
    numpy-backed datasets) and then one tensor per field. Batches have
    PyTorch's structure: samples that are tuples give a *list* of batched
    fields, dicts a dict. Integer fields become int64 tensors (int32 stays
    int32), bools bool, floats keep their dtype (Python floats float64) unless
    `dtype` is given.

    Args:
        dataset: a Dataset (or anything with ``__len__`` and ``__getitem__``),
            or an IterableDataset.
        batch_size: samples per batch; None turns batching off (each sample
            is passed through ``default_convert``).
        shuffle: a new random order every epoch (a RandomSampler).
        sampler: the order of the keys (exclusive with ``shuffle``).
        batch_sampler: yields whole lists of keys (exclusive with
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers: 0 loads in the main process; n > 0 starts n worker
            processes (see `minitorch.data.worker`). Workers send numpy
            batches back; the tensors are made in the main process, on
            `backend` with `dtype`.
        collate_fn: merges a list of samples into a batch (default:
            `default_collate`; a custom one gets samples, never ``get_batch``).
        pin_memory: accepted and ignored: batches are ordinary host memory
            (CPU backends), and the CUDA backend copies a batch to the device
            when it is moved with ``.to("cuda")``; there is no page-locked
            staging buffer to pin into.
        drop_last: skip the last batch if it is smaller than ``batch_size``.
        timeout: seconds to wait for a batch from the workers (0: forever).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker
            after its generators are seeded.
        multiprocessing_context: a start method ("fork", "spawn",
            "forkserver") or a context; the platform's default when None.
            With "spawn" the dataset and functions must be picklable.
        generator: a ``minitorch.Generator`` or numpy Generator for shuffling
            and for the workers' base seed; minitorch's default generator
            (``mt.manual_seed`` replays it) when None.
        prefetch_factor: batches in flight per worker (2 when workers are used).
        persistent_workers: keep the workers alive across epochs.
        pin_memory_device: accepted and ignored (see ``pin_memory``).
        in_order: yield batches in the sampler's order (False: as they arrive).
        seed: minitorch's extra: shuffle with a private generator seeded so
            (epoch k's order then depends only on the seed and k).
        backend, dtype: minitorch's extras: where and as what (for floats) the
            batch tensors are made.

    Example::

        loader = DataLoader(MNIST("train"), batch_size=64, shuffle=True, seed=0)
        for images, labels in loader:      # (64, 1, 28, 28), (64,)
            ...
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: str | BaseContext | None = None,
                 generator: Any = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True, seed: int | None = None, backend: Any = None,
                 dtype: Any = None) -> None:
        prefetch_factor = _check_worker_options(num_workers, timeout, prefetch_factor,
                                                persistent_workers)
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass generator or seed, not both")
        if seed is not None:
            generator = mt.Generator().manual_seed(seed)
        numpy_rng(generator)  # a wrong kind of generator fails here
        iterable = isinstance(dataset, IterableDataset)
        batch_size, drop_last, sampler, batch_sampler = _samplers(
            dataset, iterable, batch_size, shuffle, sampler, batch_sampler, drop_last, generator)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = self._check_context(multiprocessing_context)
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.backend, self.dtype = backend, dtype
        auto = batch_sampler is not None
        default = default_collate if auto else default_convert
        self._default_collation = collate_fn is None or collate_fn is default
        self.collate_fn = default if collate_fn is None else collate_fn
        self._iterable = iterable
        self._iterator: MultiProcessIterator | None = None
        self._initialized = True

    def _check_context(self, context: Any) -> BaseContext | None:
        if context is None:
            return None
        if self.num_workers == 0:
            raise ValueError(f"multiprocessing_context can only be used with multi-process "
                             f"loading (num_workers > 0), but got num_workers={self.num_workers}")
        if isinstance(context, str):
            methods = multiprocessing.get_all_start_methods()
            if context not in methods:
                raise ValueError(f"multiprocessing_context option should specify a valid start "
                                 f"method in {methods!r}, but got "
                                 f"multiprocessing_context={context!r}")
            return multiprocessing.get_context(context)
        if not isinstance(context, BaseContext):
            raise TypeError(f"multiprocessing_context option should be a valid context object or "
                            f"a string specifying the start method, but got "
                            f"multiprocessing_context={context!r}")
        return context

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_initialized", False) and name in _FROZEN:
            raise ValueError(f"{name} attribute should not be set after DataLoader is "
                             f"initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def _context(self) -> BaseContext:
        return self.multiprocessing_context or multiprocessing.get_context()

    def _fetch_spec(self) -> FetchSpec:
        collate_fn: Callable[[Any], Any]
        if self._default_collation:
            collate_fn = collate if self._auto_collation else convert
        else:
            collate_fn = self.collate_fn
        batch_fetch = (self._default_collation and self._auto_collation and not self._iterable
                       and hasattr(self.dataset, "get_batch"))
        return FetchSpec(self.dataset, self._iterable, self._auto_collation, collate_fn,
                         batch_fetch, self.drop_last)

    def _finisher(self) -> Callable[[Any], Any]:
        return partial(_finish_batch, backend=self.backend, dtype=self.dtype,
                       make_tensors=self._default_collation)

    def _length_fn(self) -> Callable[[], int]:
        """len(self) without holding on to self (iterators keep it)."""
        if not self._iterable:
            return partial(len, self._index_sampler)
        return partial(_stream_batches, self.dataset, self.batch_size, self.drop_last)

    def __len__(self) -> int:
        return self._length_fn()()

    def _base_seed(self) -> int:
        # Drawn for every epoch's iterator, with or without workers, so that the
        # generator advances alike and num_workers never changes the shuffling.
        return int(numpy_rng(self.generator).integers(0, 2**63 - 1))

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers == 0:
            return _SingleProcessIterator(self, self._base_seed())
        if not self.persistent_workers:
            return MultiProcessIterator(self, self._base_seed())
        if self._iterator is None or not self._iterator.alive:
            self._iterator = MultiProcessIterator(self, self._base_seed())
        else:
            self._iterator.restart(self)
        return self._iterator


class _SingleProcessIterator:
    """One epoch of batches loaded in the main process."""

    def __init__(self, loader: DataLoader, base_seed: int) -> None:
        self._fetcher = loader._fetch_spec().make()
        self._finish = loader._finisher()
        self._keys = iter(loader._index_sampler)
        self._length = loader._length_fn()
        self.base_seed = base_seed

    def __iter__(self) -> _SingleProcessIterator:
        return self

    def __len__(self) -> int:
        return self._length()

    def __next__(self) -> Any:
        key = next(self._keys)
        return self._finish(self._fetcher.fetch(key))
