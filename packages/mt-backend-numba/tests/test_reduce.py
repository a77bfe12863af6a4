"""sum / max / argmax along each dimension, every layout, both dtypes; numpy is the oracle."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.numba.plugin import NumbaBackend

BACKEND = NumbaBackend()
DTYPES = [np.float32, np.float64]
SHAPE = (4, 5, 6)


def element_strides(x: np.ndarray) -> tuple[int, ...]:
    return tuple(s // x.itemsize for s in x.strides)


def operand(values: np.ndarray, layout: str) -> tuple[np.ndarray, np.ndarray, tuple]:
    """(logical view, storage, strides) of `values` in one layout."""
    if layout == "contiguous":
        storage = values.copy().reshape(-1)
        return values, storage, element_strides(values)
    if layout == "permuted":
        base = np.ascontiguousarray(values.transpose(1, 2, 0))
        view = base.transpose(2, 0, 1)
        return view, base.reshape(-1), element_strides(view)
    if layout == "broadcast":
        small = np.ascontiguousarray(values[:, :, :1])
        strides = element_strides(small)[:2] + (0,)
        return np.broadcast_to(small, values.shape), small.reshape(-1), strides
    if layout == "offset":
        buffer = np.concatenate([np.full(5, np.nan, values.dtype), values.reshape(-1)])
        return values, BACKEND.view_at(buffer, 5), element_strides(values)
    raise ValueError(layout)


def expected(op: str, x: np.ndarray, dim: int) -> np.ndarray:
    if op == "sum":
        return x.astype(np.float64).sum(axis=dim, keepdims=True).astype(x.dtype)
    if op == "max":
        return x.max(axis=dim, keepdims=True)
    return np.expand_dims(x.argmax(axis=dim), dim).astype(x.dtype)


def run(op: str, storage, strides, shape, dim, dtype, out_layout="contiguous"):
    out_shape = tuple(1 if d == dim else s for d, s in enumerate(shape))
    out = np.full(out_shape, np.nan, dtype=dtype)
    if out_layout == "permuted":
        out = np.full(out_shape[::-1], np.nan, dtype=dtype).T
    target = out.base.reshape(-1) if out.base is not None else out.reshape(-1)
    BACKEND.reduce(op, target, element_strides(out), out_shape, storage, strides, shape, dim)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["contiguous", "permuted", "broadcast", "offset"])
@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("op", ["sum", "max", "argmax"])
def test_reduce(op: str, dim: int, layout: str, dtype) -> None:
    values = np.random.default_rng(dim).normal(size=SHAPE).astype(dtype)
    view, storage, strides = operand(values, layout)
    out = run(op, storage, strides, SHAPE, dim, dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expected(op, np.asarray(view), dim), rtol=tol, atol=tol)


@pytest.mark.parametrize("op", ["sum", "max", "argmax"])
def test_reduce_into_strided_out(op: str) -> None:
    values = np.random.default_rng(0).normal(size=SHAPE)
    out = run(op, values.reshape(-1), element_strides(values), SHAPE, 1, np.float64, "permuted")
    np.testing.assert_allclose(out, expected(op, values, 1), rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("op", ["sum", "max", "argmax"])
def test_reduce_parallel_sizes(op: str, dim: int, dtype) -> None:
    values = np.random.default_rng(1).normal(size=(300, 1100)).astype(dtype)
    out = run(op, values.reshape(-1), element_strides(values), values.shape, dim, dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expected(op, values, dim), rtol=tol, atol=tol)


@pytest.mark.parametrize("dim", [0, 1])
def test_nan_wins_and_ties_take_first(dim: int) -> None:
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, np.nan, 5.0, np.nan], [2.0, 1.0, 5.0, 7.0]])
    if dim == 0:
        x = np.ascontiguousarray(x.T)
    mx = run("max", x.reshape(-1), element_strides(x), x.shape, 1 - dim, np.float64)
    am = run("argmax", x.reshape(-1), element_strides(x), x.shape, 1 - dim, np.float64)
    # numpy agrees: NaN is the max and its first position is the argmax.
    np.testing.assert_array_equal(mx, expected("max", x, 1 - dim))
    np.testing.assert_array_equal(am, expected("argmax", x, 1 - dim))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1])
def test_nan_wins_on_the_parallel_path(dim: int, dtype) -> None:
    """300 x 300 is past the serial cut-off; dim 0 takes the column kernel, dim 1 the lines."""
    rng = np.random.default_rng(12)
    x = rng.normal(size=(300, 300)).astype(dtype)
    x[rng.random(x.shape) < 0.01] = np.nan
    for op in ("max", "argmax"):
        out = run(op, x.reshape(-1), element_strides(x), x.shape, dim, dtype)
        np.testing.assert_array_equal(out, expected(op, x, dim))
    assert np.isnan(expected("max", x, dim)).any() and not np.isnan(expected("max", x, dim)).all()


def test_sum_accumulates_in_float64() -> None:
    x = np.full(1 << 16, 0.1, dtype=np.float32)
    x[0] = 1e4
    out = run("sum", x, (1,), x.shape, 0, np.float32)
    assert out[0] == np.float32(x.astype(np.float64).sum())


def test_unknown_reduce_op() -> None:
    x = np.zeros(3)
    with pytest.raises(ValueError, match="unknown op 'mean'.*sum, max, argmax"):
        BACKEND.reduce("mean", x, (1,), (1,), x, (1,), (3,), 0)
