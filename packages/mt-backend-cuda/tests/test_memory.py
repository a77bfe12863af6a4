"""The caching pool and the launch / transfer / allocation counters."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from minitorch.backends.cuda import memory
from minitorch.tensor.dtype import float32, float64, int64

pytestmark = pytest.mark.cuda


def test_a_freed_block_is_handed_out_again_without_a_driver_allocation(backend):
    backend.empty_cache()  # blocks other tests freed must not serve the second size
    first = backend.empty(100, float32)
    del first
    gc.collect()
    backend.reset_counters()
    again = backend.empty(100, float32)
    other_size = backend.empty(100 + memory.GRANULE, float32)
    counts = backend.counters()
    assert counts["allocations"] == 1  # only the size no freed block fits
    assert counts["launches"] == 0  # empty fills nothing
    assert again.shape == (100,) and other_size.shape == (100 + memory.GRANULE,)


def test_a_block_is_not_recycled_while_a_view_of_it_lives(backend):
    storage = backend.from_numpy(np.arange(10, dtype=np.float64))
    view = backend.view_at(storage, 4)
    del storage
    gc.collect()
    reused = backend.empty(10, float64)  # would be the same block if it had come back
    backend.write(reused, 4, -1.0)
    np.testing.assert_array_equal(backend.to_numpy(view), np.arange(4, 10, dtype=np.float64))


def test_counters_count_launches_copies_and_reads(backend):
    backend.reset_counters()
    storage = backend.from_numpy(np.array([1.0, 2.0, 3.0]))  # a copy to the device
    backend.zeros(5, int64)  # a fill launch
    backend.write(storage, 0, 7.0)  # a one-element fill launch, no copy
    assert backend.read(storage, 0) == 7.0  # a copy to the host
    np.testing.assert_array_equal(backend.to_numpy(storage), [7.0, 2.0, 3.0])
    counts = backend.counters()
    assert {k: counts[k] for k in memory.COUNTER_NAMES} == {
        "launches": 2, "host_to_device": 1, "device_to_host": 2,
        "allocations": counts["allocations"]}
    backend.reset_counters()
    assert all(backend.counters()[k] == 0 for k in memory.COUNTER_NAMES)


@pytest.mark.parametrize("values", [np.zeros(7), np.full(3, -0.0), np.full(4, 2.5, np.float32),
                                    np.full(5, True), np.full(2, -3, np.int64), np.ones(1)])
def test_one_repeated_value_is_filled_on_the_device(backend, values):
    backend.reset_counters()
    storage = backend.from_numpy(values)
    assert backend.counters()["host_to_device"] == 0
    back = backend.to_numpy(storage)
    assert back.dtype == values.dtype
    np.testing.assert_array_equal(back.view(np.uint8), values.view(np.uint8))  # bits: -0.0


def test_mixed_zero_signs_are_copied_not_filled(backend):
    values = np.array([0.0, -0.0, 0.0])
    backend.reset_counters()
    back = backend.to_numpy(backend.from_numpy(values))
    assert backend.counters()["host_to_device"] == 1
    np.testing.assert_array_equal(np.signbit(back), [False, True, False])


def test_empty_cache_drops_the_free_blocks(backend):
    backend.empty(3, float32)
    gc.collect()
    assert backend.counters()["bytes_cached"] > 0
    backend.empty_cache()
    assert backend.counters()["bytes_cached"] == 0
