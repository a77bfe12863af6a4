"""map and zip kernels against numpy and against the reference op semantics."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.cuda import device, elementwise
from minitorch.tensor import ops

pytestmark = [pytest.mark.cuda, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

DTYPES = [np.float32, np.float64]
SHAPE = (5, 7)


def test_code_tables_cover_exactly_the_named_ops():
    assert set(elementwise.MAP_CODES) == set(ops.MAP_OPS)
    assert set(elementwise.ZIP_CODES) == set(ops.ZIP_OPS)
    for table in (elementwise.MAP_CODES, elementwise.ZIP_CODES):
        assert sorted(table.values()) == list(range(len(table)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["contiguous", "permuted", "offset"])
@pytest.mark.parametrize("op", sorted(ops.MAP_OPS))
def test_map_matches_numpy(backend, dev, ref, rng, layout, tol, op, dtype, kind):
    x = layout(rng, kind, SHAPE, dtype)
    a, a_strides = dev.put(x)
    out, out_strides = dev.empty(SHAPE, dtype)
    backend.map(op, out, out_strides, SHAPE, a, a_strides)
    with np.errstate(all="ignore"):
        expected = ref.MAP[op](x.astype(np.float64)).astype(dtype)
    np.testing.assert_allclose(dev.get(out, SHAPE), expected, equal_nan=True, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast"])
@pytest.mark.parametrize("op", sorted(ops.ZIP_OPS))
def test_zip_matches_numpy(backend, dev, ref, rng, layout, tol, op, dtype, kind):
    x = layout(rng, kind, SHAPE, dtype)
    y = rng.standard_normal(SHAPE).astype(dtype)
    # Some exact and some near ties, so eq / is_close / max see both outcomes.
    y[0] = x[0]
    y[1] = x[1] + 0.004
    a, a_strides = dev.put(x)
    b, b_strides = dev.put(y)
    out, out_strides = dev.empty(SHAPE, dtype)
    backend.zip(op, out, out_strides, SHAPE, a, a_strides, b, b_strides)
    with np.errstate(all="ignore"):
        expected = ref.ZIP[op](x.astype(np.float64), y.astype(np.float64)).astype(dtype)
    np.testing.assert_allclose(dev.get(out, SHAPE), expected, equal_nan=True, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_map_special_values_follow_reference_ops(backend, dev, ref, tol, dtype):
    x = np.array(ref.SPECIALS, dtype=dtype)
    a, a_strides = dev.put(x)
    for op, fn in ops.MAP_OPS.items():
        out, out_strides = dev.empty(x.shape, dtype)
        backend.map(op, out, out_strides, x.shape, a, a_strides)
        with np.errstate(all="ignore"):
            expected = np.array([ref.scalar_reference(fn, float(v)) for v in x]).astype(dtype)
        np.testing.assert_allclose(dev.get(out, x.shape), expected, equal_nan=True,
                                   err_msg=op, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_zip_special_values_follow_reference_ops(backend, dev, ref, tol, dtype):
    # Every pair of specials: a column broadcast against a row (strides 0).
    col = np.array(ref.SPECIALS, dtype=dtype).reshape(-1, 1)
    row = col.reshape(1, -1)
    shape = (len(ref.SPECIALS), len(ref.SPECIALS))
    a, _ = dev.put(col)
    b, _ = dev.put(row)
    for op, fn in ops.ZIP_OPS.items():
        out, out_strides = dev.empty(shape, dtype)
        backend.zip(op, out, out_strides, shape, a, (1, 0), b, (0, 1))
        with np.errstate(all="ignore"):
            expected = np.array(
                [[ref.scalar_reference(fn, float(u), float(v)) for v in row[0]] for u in col[:, 0]]
            ).astype(dtype)
        np.testing.assert_allclose(dev.get(out, shape), expected, equal_nan=True,
                                   err_msg=op, **tol(dtype))


def test_map_writes_a_strided_output(backend, dev, rng):
    x = rng.standard_normal(SHAPE)
    a, a_strides = dev.put(x)
    out, _ = dev.empty(SHAPE[::-1], np.float64)
    backend.map("neg", out, (1, SHAPE[0]), SHAPE, a, a_strides)  # out is x's transpose
    np.testing.assert_array_equal(dev.get(out, SHAPE[::-1]), -x.T)


def test_grid_stride_loop_covers_more_elements_than_threads(backend, dev, rng, monkeypatch):
    monkeypatch.setattr(device, "limits", lambda: device.LaunchLimits(32, 1, 32))
    x = rng.standard_normal((32, 32))
    a, a_strides = dev.put(x)
    out, out_strides = dev.empty(x.shape, np.float64)
    launch = elementwise.map_launch("abs", out, out_strides, x.shape, a, a_strides)
    assert (launch.blocks, launch.threads) == (1, 32)
    launch.run()
    np.testing.assert_array_equal(dev.get(out, x.shape), np.abs(x))


def test_hardware_launch_sizes(monkeypatch):
    monkeypatch.setattr(device, "simulator_enabled", lambda: False)
    lim = device.limits()
    assert lim.threads == 256
    assert device.blocks_for(10, lim.threads, lim.max_blocks) == 1
    assert device.blocks_for(257, lim.threads, lim.max_blocks) == 2
    assert device.blocks_for(10**9, lim.threads, lim.max_blocks) == lim.max_blocks


def test_zero_dim_and_empty_shapes(backend, dev):
    a, _ = dev.put(np.array([2.0]))
    out, _ = dev.empty((1,), np.float64)
    backend.map("neg", out, (), (), a, ())
    assert dev.get(out, (1,))[0] == -2.0
    backend.zip("add", out, (4, 1), (0, 4), a, (0, 0), a, (0, 0))  # nothing to do
    assert dev.get(out, (1,))[0] == -2.0


def test_unknown_op_lists_known_ones(backend, dev):
    a, _ = dev.put(np.zeros(3))
    with pytest.raises(ValueError, match="unknown op 'nope'.*neg"):
        backend.map("nope", a, (1,), (3,), a, (1,))
    with pytest.raises(ValueError, match="unknown op 'nope'.*add"):
        backend.zip("nope", a, (1,), (3,), a, (1,), a, (1,))


def test_host_arrays_are_refused(backend, dev):
    a, _ = dev.put(np.zeros(3))
    with pytest.raises(TypeError, match="not a device array.*to\\('cuda'\\)"):
        backend.map("neg", a, (1,), (3,), np.zeros(3), (1,))
