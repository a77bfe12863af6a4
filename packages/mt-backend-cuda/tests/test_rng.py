"""Dropout masks drawn on the device: statistics, replay under manual_seed, no copies."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.backends.cuda import rng as device_rng
from minitorch.tensor.dtype import float32, float64

pytestmark = pytest.mark.cuda


def _mask(backend, size, p, dtype=float64, seed=0):
    storage = backend.dropout_mask(size, p, dtype, np.random.default_rng(seed))
    return backend.to_numpy(storage)


@pytest.mark.parametrize("p", [0.25, 0.5, 0.9])
def test_mask_holds_zero_or_the_scale_at_the_right_rate(backend, p):
    mask = _mask(backend, 4000, p)
    scale = 1.0 / (1.0 - p)
    assert set(np.unique(mask)) <= {0.0, scale}
    dropped = np.mean(mask == 0.0)
    # 4000 draws: the rate is within 4 standard deviations of p
    assert abs(dropped - p) < 4 * np.sqrt(p * (1 - p) / 4000)


def test_neighbouring_elements_are_not_correlated(backend):
    keep = _mask(backend, 4000, 0.5) > 0
    agree = np.mean(keep[1:] == keep[:-1])
    assert abs(agree - 0.5) < 0.05


def test_the_key_comes_from_the_generator(backend):
    same = _mask(backend, 64, 0.5, seed=3), _mask(backend, 64, 0.5, seed=3)
    np.testing.assert_array_equal(*same)
    assert not np.array_equal(_mask(backend, 64, 0.5, seed=3), _mask(backend, 64, 0.5, seed=4))


def test_float32_mask_and_no_copy(backend):
    backend.reset_counters()
    storage = backend.dropout_mask(33, 0.25, float32, np.random.default_rng(0))
    counts = backend.counters()
    assert (counts["launches"], counts["host_to_device"]) == (1, 0)
    assert backend.to_numpy(storage).dtype == np.float32


def test_manual_seed_replays_dropout_on_cuda(backend):
    x = mt.ones(5, 7, backend="cuda")
    mt.manual_seed(11)
    first = F.dropout(x, 0.5).numpy()
    mt.manual_seed(11)
    np.testing.assert_array_equal(F.dropout(x, 0.5).numpy(), first)
    assert set(np.unique(first)) <= {0.0, 2.0}


def test_mix32_matches_a_host_computation():
    def mix32(x):  # lowbias32 in Python integers
        x ^= x >> 16
        x = (x * 0x7FEB352D) & 0xFFFFFFFF
        x ^= x >> 15
        x = (x * 0x846CA68B) & 0xFFFFFFFF
        return x ^ (x >> 16)

    for x in (0, 1, 0xFFFFFFFF, 0x12345678):
        assert device_rng.mix32(x) == mix32(x)
        assert device_rng.mul32(x, 0x846CA68B) == (x * 0x846CA68B) & 0xFFFFFFFF


def test_bad_arguments_are_refused(backend):
    out = backend.empty(4, float32)
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\)"):
        device_rng.dropout_mask_launch(out, 4, 1.0, (0, 0))
    ints = backend.from_numpy(np.zeros(4, np.int64))
    with pytest.raises(TypeError, match="float32 or float64"):
        device_rng.dropout_mask_launch(ints, 4, 0.5, (0, 0))


def test_host_backends_keep_numpys_stream():
    # The default Backend.dropout_mask is the draw F.dropout always made.
    from minitorch.tensor.registry import get_backend

    python = get_backend("python")
    got = python.to_numpy(python.dropout_mask(50, 0.3, float32, np.random.default_rng(5)))
    want = ((np.random.default_rng(5).random(50) >= 0.3) / 0.7).astype(np.float32)
    np.testing.assert_array_equal(got, want)
    mt.manual_seed(2)
    x = mt.ones(4, 6, backend="python")
    drawn = F.dropout(x, 0.5).numpy()
    mt.manual_seed(2)
    keep = mt.creation.generator().random((4, 6)) >= 0.5
    np.testing.assert_array_equal(drawn, keep / 0.5)
