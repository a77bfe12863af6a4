"""The 1-D runs have no silent default branch, and where_run only selects."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.numba import elementwise, runs
from minitorch.tensor import ops

I64 = np.int64


@pytest.mark.parametrize("n", [0, 5])
def test_map_run_unknown_code_raises(n: int) -> None:
    x = np.ones(n)
    with pytest.raises(ValueError, match="unknown op code"):
        runs.map_run(len(ops.MAP_OPS), np.empty(n), x)


@pytest.mark.parametrize("n", [0, 5])
def test_zip_run_unknown_code_raises(n: int) -> None:
    x = np.ones(n)
    with pytest.raises(ValueError, match="unknown op code"):
        runs.zip_run(len(ops.ZIP_OPS), np.empty(n), x, x)


@pytest.mark.parametrize("scalar_first", [False, True])
def test_zip_run_scalar_unknown_code_raises(scalar_first: bool) -> None:
    x = np.ones(5)
    with pytest.raises(ValueError, match="unknown op code"):
        runs.zip_run_scalar(len(ops.ZIP_OPS), np.empty(5), x, 2.0, scalar_first)


def test_unknown_code_inside_the_thread_pool_is_still_loud() -> None:
    """Inside prange numba wraps the ValueError in a SystemError: loud all the same."""
    n = 8
    x = np.ones(n)
    out = np.full(n, 7.0)
    one = np.array([1], dtype=I64)
    shape = np.array([n], dtype=I64)
    with pytest.raises((ValueError, SystemError)):
        elementwise.map_parallel(len(ops.MAP_OPS), out, one, shape, x, one, 1, 1, n)
    with pytest.raises((ValueError, SystemError)):
        elementwise.zip_parallel(len(ops.ZIP_OPS), out, one, shape, x, one, x, one, 1, 1, n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_runs_select_bits(dtype) -> None:
    uint = np.uint32 if dtype == np.float32 else np.uint64
    c = np.array([1, 0, np.nan, -0.0, 0], dtype=dtype)
    x = np.array([-0.0, np.nan, np.inf, 1, 2], dtype=dtype)
    y = np.array([np.inf, -0.0, np.nan, -np.inf, -0.0], dtype=dtype)
    o = np.empty_like(x)
    runs.where_run(o, c, x, y)
    np.testing.assert_array_equal(o.view(uint), np.where(c != 0, x, y).view(uint))
    s = dtype(-0.0)
    runs.where_run_scalar(o, c, y, s, True)
    np.testing.assert_array_equal(o.view(uint), np.where(c != 0, s, y).view(uint))
    runs.where_run_scalar(o, c, x, s, False)
    np.testing.assert_array_equal(o.view(uint), np.where(c != 0, x, s).view(uint))
    t = dtype(np.nan)
    runs.where_run_scalars(o, c, s, t)
    np.testing.assert_array_equal(o.view(uint), np.where(c != 0, s, t).view(uint))
