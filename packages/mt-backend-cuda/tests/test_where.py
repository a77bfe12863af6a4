"""The `where` kernel against numpy: strided, broadcast, and a selection (never arithmetic)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minitorch.backends.cuda import device, elementwise

pytestmark = pytest.mark.cuda

DTYPES = [np.float32, np.float64]
SHAPE = (5, 7)
KINDS = ["contiguous", "permuted", "broadcast", "offset"]


def as_layout(values: np.ndarray, kind: str) -> np.ndarray:
    """A view with the values of `values` (or, for "broadcast", of its first row
    repeated) laid out as `kind`: contiguous, permuted (a transpose of a
    contiguous base), broadcast (dim 0 has stride 0), offset (two rows in)."""
    if kind == "contiguous":
        return np.ascontiguousarray(values)
    if kind == "permuted":
        return np.ascontiguousarray(values.T).T
    if kind == "broadcast":
        return np.broadcast_to(values[:1], values.shape)
    if kind == "offset":
        base = np.full((values.shape[0] + 2, *values.shape[1:]), 999.0, dtype=values.dtype)
        base[2:] = values
        return base[2:]
    raise ValueError(kind)


def run_where(backend, dev, cond, a, b, shape=None):
    shape = shape or np.broadcast_shapes(cond.shape, a.shape, b.shape)
    ops_ = [np.broadcast_to(v, shape) for v in (cond, a, b)]
    (c, c_st), (x, x_st), (y, y_st) = (dev.put(v) for v in ops_)
    out, out_strides = dev.empty(shape, a.dtype)
    backend.where(out, out_strides, shape, c, c_st, x, x_st, y, y_st)
    return dev.get(out, shape)


def condition(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    """About half zeros; the non-zeros of both signs (a negative value is true too)."""
    values = rng.standard_normal(shape)
    return np.where(rng.random(shape) < 0.5, 0.0, values).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
def test_where_matches_numpy_on_every_layout(backend, dev, ref, rng, dtype, kind):
    # Each operand in turn gets the layout, the others stay contiguous.
    cond = condition(rng, SHAPE, dtype)
    a = rng.standard_normal(SHAPE).astype(dtype)
    b = rng.standard_normal(SHAPE).astype(dtype)
    for which in range(3):
        args = [cond, a, b]
        args[which] = as_layout(args[which], kind)
        got = run_where(backend, dev, *args)
        np.testing.assert_array_equal(got, ref.where(*args), err_msg=f"operand {which}")
        assert got.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_broadcasts_each_operand(backend, dev, ref, rng, dtype):
    # cond a column, a a row, b a scalar: strides (1, 0), (0, 1) and (0, 0).
    cond = condition(rng, (SHAPE[0], 1), dtype)
    cond[0, 0], cond[1, 0] = 1.0, 0.0  # both outcomes, whatever the draw
    a = rng.standard_normal((1, SHAPE[1])).astype(dtype)
    b = np.array(-3.5, dtype=dtype)
    got = run_where(backend, dev, cond, a, b)
    np.testing.assert_array_equal(got, ref.where(cond, a, b))


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_value_not_taken_never_reaches_out(backend, dev, dtype):
    inf, nan = math.inf, math.nan
    cond = np.array([1.0, 0.0, 1.0, 0.0, -2.0, 0.0], dtype=dtype)
    a = np.array([1.0, inf, 2.0, nan, 3.0, -inf], dtype=dtype)
    b = np.array([nan, 4.0, -inf, 5.0, inf, 6.0], dtype=dtype)
    got = run_where(backend, dev, cond, a, b)
    np.testing.assert_array_equal(got, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0])
    # ...and the taken one does, unchanged.
    got = run_where(backend, dev, 1.0 - np.abs(np.sign(cond)), a, b)
    np.testing.assert_array_equal(got, [nan, inf, -inf, nan, inf, -inf])


@pytest.mark.parametrize("dtype", DTYPES)
def test_nan_condition_is_true(backend, dev, dtype):
    cond = np.array([math.nan, 0.0, -0.0], dtype=dtype)
    a = np.array([1.0, 2.0, 3.0], dtype=dtype)
    b = np.array([7.0, 8.0, 9.0], dtype=dtype)
    np.testing.assert_array_equal(run_where(backend, dev, cond, a, b), [1.0, 8.0, 9.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_negative_zero_keeps_its_sign(backend, dev, dtype):
    cond = np.array([1.0, 0.0, 1.0, 0.0], dtype=dtype)
    a = np.array([-0.0, 1.0, 0.0, 1.0], dtype=dtype)
    b = np.array([1.0, -0.0, 1.0, 0.0], dtype=dtype)
    got = run_where(backend, dev, cond, a, b)
    np.testing.assert_array_equal(got, [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(np.signbit(got), [True, True, False, False])


def test_where_writes_a_strided_output(backend, dev, rng):
    cond, a, b = condition(rng, SHAPE, np.float64), *rng.standard_normal((2, *SHAPE))
    (c, c_st), (x, x_st), (y, y_st) = dev.put(cond), dev.put(a), dev.put(b)
    # out is the transpose of a contiguous (7, 5) array, inside a larger storage.
    storage, _ = dev.empty((SHAPE[1] + 1, SHAPE[0]), np.float64)
    out = backend.view_at(storage, SHAPE[0])
    backend.where(out, (1, SHAPE[0]), SHAPE, c, c_st, x, x_st, y, y_st)
    full = dev.get(storage, (SHAPE[1] + 1, SHAPE[0]))
    np.testing.assert_array_equal(full[1:], np.where(cond != 0, a, b).T)
    np.testing.assert_array_equal(full[0], 12345.0)  # the element before is untouched


def test_where_in_place_over_an_input(backend, dev, rng):
    # The one aliasing the contract allows: out is an input, with its layout.
    cond, a, b = condition(rng, SHAPE, np.float64), *rng.standard_normal((2, *SHAPE))
    (c, c_st), (x, x_st), (y, y_st) = dev.put(cond), dev.put(a), dev.put(b)
    backend.where(x, x_st, SHAPE, c, c_st, x, x_st, y, y_st)
    np.testing.assert_array_equal(dev.get(x, SHAPE), np.where(cond != 0, a, b))


def test_where_grid_stride_loop_covers_every_element(backend, dev, rng, monkeypatch):
    monkeypatch.setattr(device, "limits", lambda: device.LaunchLimits(32, 1, 32))
    shape = (32, 32)
    cond, a, b = condition(rng, shape, np.float32), *rng.standard_normal((2, *shape))
    a, b = a.astype(np.float32), b.astype(np.float32)
    (c, c_st), (x, x_st), (y, y_st) = dev.put(cond), dev.put(a), dev.put(b.T)
    out, out_strides = dev.empty(shape, np.float32)
    launch = elementwise.where_launch(out, out_strides, shape, c, c_st, x, x_st, y, y_st)
    assert (launch.blocks, launch.threads) == (1, 32)
    launch.run()
    np.testing.assert_array_equal(dev.get(out, shape), np.where(cond != 0, a, b.T))


def test_where_zero_dim_and_empty_shapes(backend, dev):
    one, _ = dev.put(np.array([1.0]))
    a, _ = dev.put(np.array([2.0]))
    b, _ = dev.put(np.array([3.0]))
    out, _ = dev.empty((1,), np.float64)
    backend.where(out, (), (), one, (), a, (), b, ())
    assert dev.get(out, (1,))[0] == 2.0
    backend.where(out, (4, 1), (0, 4), one, (0, 0), b, (0, 0), b, (0, 0))  # nothing to do
    assert dev.get(out, (1,))[0] == 2.0


def test_where_refuses_host_arrays(backend, dev):
    a, _ = dev.put(np.zeros(3))
    with pytest.raises(TypeError, match="cond is a ndarray, not a device array"):
        backend.where(a, (1,), (3,), np.zeros(3), (1,), a, (1,), a, (1,))
