"""Device memory and traffic: a caching pool of blocks, and the counters that prove it.

Why a pool: numba gives every `cuda.device_array` its own `cuMemAlloc`, and
frees them in batches that synchronize the device. A training step makes a
hundred or so short-lived tensors of the same sizes every step, so the pool
keeps each freed block and hands it out again: after the first step a step
asks the driver for nothing.

How a block comes back: a storage handed out is a fresh view of a pooled
block, watched by `weakref.finalize`; when the last reference to it goes,
the block returns to the free list of its (dtype, capacity). Views made by
`CudaBackend.view_at` keep their parent storage alive (`_parent`), so a block
is never recycled while any view of it can still be read. On a GPU every
kernel and copy of this backend runs on numba's default stream, in order, so
a block reused by the next launch is only written after the last launch that
read it (the rule PyTorch's caching allocator relies on for one stream).

Why here and not numba-cuda's External Memory Management plugin
(`numba.cuda.set_memory_manager`): the plugin is process-wide, must be set
before the first CUDA context exists (the backend cannot promise that once
another library has touched numba), and the simulator, where the tests run,
has no memory manager to replace. One pool at the backend's own allocation
layer runs, and is tested, the same way on both.

Counters (`counters()`, `reset_counters()`): kernel launches, host -> device
and device -> host copies, and driver allocations, counted where the backend
makes them. `minitorch.profiler` can read them (see the package README,
"Launches, transfers and memory").
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from typing import Any

import numpy as np

# Capacities are rounded up to a multiple of this many elements, so a tensor
# a few elements smaller than a freed one still fits it.
GRANULE = 64

COUNTER_NAMES = ("launches", "host_to_device", "device_to_host", "allocations")

_counts = dict.fromkeys(COUNTER_NAMES, 0)
_lock = threading.Lock()


def count(name: str, n: int = 1) -> None:
    """Add `n` to the counter `name` (one of COUNTER_NAMES)."""
    _counts[name] += n


def counters() -> dict[str, int]:
    """A snapshot of the counters, plus the pool's bytes in use and cached."""
    return {**_counts, "bytes_in_use": POOL.bytes_in_use, "bytes_cached": POOL.bytes_cached}


def reset_counters() -> None:
    """Set every counter to 0 (the pool keeps its blocks)."""
    for name in COUNTER_NAMES:
        _counts[name] = 0


def capacity_for(size: int) -> int:
    """The pooled capacity that holds `size` elements (at least one granule)."""
    return max(GRANULE, -(-int(size) // GRANULE) * GRANULE)


class DevicePool:
    """Free device blocks by (dtype, capacity); see the module docstring."""

    def __init__(self) -> None:
        self._free: dict[tuple[str, int], list[Any]] = defaultdict(list)
        self.bytes_in_use = 0
        self.bytes_cached = 0

    def take(self, cuda: Any, size: int, dtype: Any) -> Any:
        """A device array of `size` elements of `dtype`, contents unspecified."""
        dtype = np.dtype(dtype)
        key = (dtype.str, capacity_for(size))
        with _lock:
            free = self._free[key]
            block = free.pop() if free else None
            if block is not None:
                self.bytes_cached -= block.nbytes
        if block is None:
            block = cuda.device_array(key[1], dtype=dtype)
            count("allocations")
        with _lock:
            self.bytes_in_use += block.nbytes
        storage = block[0:int(size)]
        # Not at exit: the blocks are freed with the process anyway.
        weakref.finalize(storage, self._give_back, key, block).atexit = False
        return storage

    def _give_back(self, key: tuple[str, int], block: Any) -> None:
        with _lock:
            self._free[key].append(block)
            self.bytes_in_use -= block.nbytes
            self.bytes_cached += block.nbytes

    def empty_cache(self) -> None:
        """Drop every free block (numba then frees it); blocks in use stay."""
        with _lock:
            self._free.clear()
            self.bytes_cached = 0


POOL = DevicePool()
