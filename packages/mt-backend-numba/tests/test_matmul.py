"""Batched matmul against numpy (computed in float64), across both kernel paths."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.numba import matmul
from minitorch.backends.numba.plugin import NumbaBackend

BACKEND = NumbaBackend()
DTYPES = [np.float32, np.float64]


def element_strides(x: np.ndarray) -> tuple[int, ...]:
    return tuple(s // x.itemsize for s in x.strides)


def as_operand(x: np.ndarray, transposed: bool = False) -> tuple[np.ndarray, tuple]:
    """(storage, 3 strides) of a (batch, r, c) array, optionally stored transposed."""
    if transposed:
        base = np.ascontiguousarray(x.transpose(0, 2, 1))
        return base.reshape(-1), element_strides(base.transpose(0, 2, 1))
    x = np.ascontiguousarray(x)
    return x.reshape(-1), element_strides(x)


def check(batch: int, n: int, k: int, m: int, dtype, *, ta=False, tb=False,
          broadcast_a=False, broadcast_b=False) -> None:
    rng = np.random.default_rng(n * 1000 + k * 10 + m)
    a = rng.normal(size=(1 if broadcast_a else batch, n, k)).astype(dtype)
    b = rng.normal(size=(1 if broadcast_b else batch, k, m)).astype(dtype)
    a_storage, a_strides = as_operand(a, ta)
    b_storage, b_strides = as_operand(b, tb)
    if broadcast_a:
        a_strides = (0,) + a_strides[1:]
    if broadcast_b:
        b_strides = (0,) + b_strides[1:]
    out = np.full((batch, n, m), np.nan, dtype=dtype)
    BACKEND.matmul(out.reshape(-1), element_strides(out), a_storage, a_strides,
                   b_storage, b_strides, (batch, n, k, m))
    want = a.astype(np.float64) @ b.astype(np.float64)
    tol = 2e-5 * np.sqrt(k) if dtype == np.float32 else 1e-12 * np.sqrt(k)
    np.testing.assert_allclose(out, np.broadcast_to(want, out.shape), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [(1, 1, 1), (7, 7, 7), (1, 33, 65), (33, 1, 7), (65, 33, 17)])
def test_small_odd_sizes(size, dtype) -> None:
    check(2, *size, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [(30, 30, 60), (65, 33, 129), (97, 300, 61), (130, 70, 200),
                                  (64, 128, 10)])
def test_packed_sizes(size, dtype) -> None:
    """(30, 30, 60) runs the packed kernel on the calling thread, the others
    in parallel; (64, 128, 10) is mostly padding in its 64-wide tile."""
    check(1, *size, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta, tb", [(True, False), (False, True), (True, True)])
def test_transposed_operands(ta, tb, dtype) -> None:
    check(2, 5, 9, 11, dtype, ta=ta, tb=tb)  # rows path
    check(1, 70, 65, 90, dtype, ta=ta, tb=tb)  # blocked path


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("which", ["a", "b"])
def test_batch_broadcast(which, dtype) -> None:
    check(3, 6, 8, 5, dtype, broadcast_a=which == "a", broadcast_b=which == "b")
    check(3, 64, 50, 60, dtype, broadcast_a=which == "a", broadcast_b=which == "b")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta, tb", [(False, False), (True, False), (False, True)])
def test_few_rows_many_columns(ta, tb, dtype) -> None:
    """A linear layer's shapes, shrunk to odd sizes: few rows, so the tasks
    split the columns; G^T-like transposed A (full and partial row panels)
    and W^T-like transposed B."""
    check(1, 64, 97, 3 * matmul.NR + 5, dtype, ta=ta, tb=tb)
    check(1, 13, 200, 2 * matmul.NR + 1, dtype, ta=ta, tb=tb)  # last task: 1 column
    check(2, 20, 40, 300, dtype, ta=ta, tb=tb)
    check(3, 64, 97, 10, dtype, ta=ta, tb=tb)  # narrow: computed as out^T = b^T a^T


def test_narrow_products_swap_operands() -> None:
    from minitorch.backends.numba import plugin

    assert plugin._swap_operands(64, 10, 4)  # (64, 256) @ (256, 10): 10 of 64 columns
    assert not plugin._swap_operands(10, 256, 4)
    assert not plugin._swap_operands(512, 512, 8)


def test_block_plan_splits_the_cheaper_side(monkeypatch) -> None:
    from minitorch.backends.numba import plugin

    monkeypatch.setattr(plugin.numba, "get_num_threads", lambda: 2)
    kc, nc, mc, mb = plugin._gemm_blocks(1, 64, 784, 512, 4)
    assert (mc, mb) == (66, 4 * matmul.NR)  # one row block, columns in two
    assert kc == 262  # 784 in three equal blocks
    kc, nc, mc, mb = plugin._gemm_blocks(1, 1024, 64, 512, 4)
    assert (mc, mb) == (516, 512)  # two row blocks already (mc: whole tiles)
    kc, nc, mc, mb = plugin._gemm_blocks(1, 512, 64, 64, 4)
    assert (mc, mb) == (258, 64)  # more rows than columns: split the rows
    kc, nc, mc, mb = plugin._gemm_blocks(2, 64, 64, 512, 4)
    assert mb == 512  # one task per matrix


def test_strided_output() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(1, 40, 30))
    b = rng.normal(size=(1, 30, 70))
    out = np.zeros((1, 70, 40)).transpose(0, 2, 1)
    BACKEND.matmul(out.base.reshape(-1), element_strides(out), a.reshape(-1),
                   element_strides(a), b.reshape(-1), element_strides(b), (1, 40, 30, 70))
    np.testing.assert_allclose(out, a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("column_blocks", [1, 3])
def test_every_block_edge(column_blocks, dtype) -> None:
    """Tiny block sizes force every edge: partial MR/NR panels, several kc
    blocks (accumulating into out), several nc blocks and, with 3 column
    blocks, tasks that each own NR columns (the last one partial)."""
    rng = np.random.default_rng(1)
    n, k, m = 37, 45, 2 * matmul.NR + 9
    a = rng.normal(size=(2, n, k)).astype(dtype)
    b = rng.normal(size=(2, k, m)).astype(dtype)
    out = np.full((2, n, m), np.nan, dtype=dtype)
    matmul.matmul_blocked(out.reshape(-1), element_strides(out), a.reshape(-1),
                          element_strides(a), b.reshape(-1), element_strides(b),
                          2, n, k, m, 8, m if column_blocks == 1 else matmul.NR, 16,
                          matmul.NR)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, rtol=tol, atol=tol)


def test_empty_product_is_a_no_op_and_k0_gives_zeros() -> None:
    out = np.full(6, np.nan)
    BACKEND.matmul(out, (6, 3, 1), np.zeros(0), (0, 0, 1), np.zeros(0), (0, 1, 1),
                   (1, 2, 0, 3))
    np.testing.assert_array_equal(out, np.zeros(6))
