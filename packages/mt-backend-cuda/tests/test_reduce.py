"""sum / max / argmax along one dimension against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.cuda import device, reduce

pytestmark = [pytest.mark.cuda, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

DTYPES = [np.float32, np.float64]
def _reduce(backend, dev, op, x, dim):
    a, a_strides = dev.put(x)
    out_shape = x.shape[:dim] + (1,) + x.shape[dim + 1:]
    out, out_strides = dev.empty(out_shape, x.dtype)
    backend.reduce(op, out, out_strides, out_shape, a, a_strides, x.shape, dim)
    return dev.get(out, out_shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("op", ["sum", "max", "argmax"])
def test_reduce_matches_numpy(backend, dev, ref, rng, tol, op, dim, dtype):
    x = rng.standard_normal((3, 4, 5)).astype(dtype)
    expected = ref.reduce(op, x.astype(np.float64), dim).astype(dtype)
    np.testing.assert_allclose(_reduce(backend, dev, op, x, dim), expected, **tol(dtype))


@pytest.mark.parametrize("kind", ["permuted", "broadcast", "offset"])
@pytest.mark.parametrize("op", ["sum", "max", "argmax"])
def test_reduce_strided_inputs(backend, dev, ref, rng, layout, tol, op, kind):
    x = layout(rng, kind, (4, 6), np.float64)
    for dim in (0, 1):
        expected = ref.reduce(op, x, dim)
        np.testing.assert_allclose(_reduce(backend, dev, op, x, dim), expected, **tol(x.dtype))


@pytest.mark.parametrize("op", ["sum", "max", "argmax"])
def test_reduce_long_dimension_shares_work_across_threads(backend, dev, ref, rng, op):
    # 100 > the simulator's 32 threads, so each thread folds several values
    # before the tree; the largest value sits late to test the index merge.
    x = rng.standard_normal((2, 100)).astype(np.float32)
    x[1, 97] = 50.0
    expected = ref.reduce(op, x.astype(np.float64), 1).astype(np.float32)
    np.testing.assert_allclose(_reduce(backend, dev, op, x, 1), expected, rtol=1e-5, atol=1e-5)


def test_argmax_takes_the_first_maximum_and_nan_wins(backend, dev):
    x = np.array([[1.0, 3.0, 3.0, 2.0],
                  [np.nan, 1.0, np.nan, 5.0],
                  [-np.inf, -np.inf, -np.inf, -np.inf],
                  [0.0, 2.0, np.nan, 2.0]])
    np.testing.assert_array_equal(_reduce(backend, dev, "argmax", x, 1)[:, 0], [1, 0, 0, 2])
    got = _reduce(backend, dev, "max", x, 1)[:, 0]
    np.testing.assert_array_equal(got, [3.0, np.nan, -np.inf, np.nan])


def test_sum_of_an_empty_dimension_is_zero(backend, dev):
    a, _ = dev.put(np.zeros(1))
    out, _ = dev.empty((2, 1), np.float64)
    backend.reduce("sum", out, (1, 1), (2, 1), a, (0, 1), (2, 0), 1)
    np.testing.assert_array_equal(dev.get(out, (2, 1)), [[0.0], [0.0]])


def test_hardware_block_size(backend, dev, rng, monkeypatch):
    # One output with the 256-thread tree the GPU uses.
    monkeypatch.setattr(device, "limits", lambda: device.HARDWARE_LIMITS)
    x = rng.standard_normal((1, 300))
    a, a_strides = dev.put(x)
    out, out_strides = dev.empty((1, 1), np.float64)
    launch = reduce.reduce_launch("sum", out, out_strides, (1, 1), a, a_strides, x.shape, 1)
    assert launch.threads == 256
    launch.run()
    np.testing.assert_allclose(dev.get(out, (1, 1)), x.sum(1, keepdims=True), rtol=1e-12)


def test_bad_requests_raise(backend, dev):
    a, _ = dev.put(np.zeros(4))
    with pytest.raises(ValueError, match="unknown op 'mean'"):
        backend.reduce("mean", a, (1,), (1,), a, (1,), (4,), 0)
    with pytest.raises(ValueError, match="dim 3 is out of range"):
        backend.reduce("sum", a, (1,), (1,), a, (1,), (4,), 3)
