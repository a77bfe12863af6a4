"""softmax / log_softmax along every dimension against a stable numpy formula."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.numba.plugin import NumbaBackend

BACKEND = NumbaBackend()
DTYPES = [np.float32, np.float64]


def reference(x: np.ndarray, dim: int, log: bool) -> np.ndarray:
    x = x.astype(np.float64)
    shifted = x - x.max(axis=dim, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    return shifted - lse if log else np.exp(shifted - lse)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_softmax(dim: int, log: bool, dtype) -> None:
    # inner size 70 > the kernel's 64-column block, so block edges are hit.
    x = (np.random.default_rng(dim + 5).normal(size=(3, 4, 70)) * 5).astype(dtype)
    out = np.full(x.shape, np.nan, dtype=dtype)
    kernel = BACKEND.log_softmax if log else BACKEND.softmax
    kernel(out.reshape(-1), x.reshape(-1), x.shape, dim)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, reference(x, dim, log), rtol=tol, atol=tol)


@pytest.mark.parametrize("log", [False, True])
def test_large_logits_are_stable(log: bool) -> None:
    x = np.array([[1000.0, 999.0, -1000.0], [-1e4, -1e4, -1e4]])
    out = np.empty_like(x)
    (BACKEND.log_softmax if log else BACKEND.softmax)(out.reshape(-1), x.reshape(-1), x.shape, 1)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, reference(x, 1, log), rtol=1e-12, atol=1e-300)


def test_batch_parallel_rows() -> None:
    x = np.random.default_rng(0).normal(size=(2048, 10)).astype(np.float32)
    out = np.empty_like(x)
    BACKEND.softmax(out.reshape(-1), x.reshape(-1), x.shape, 1)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape", [(3, 4, 70), (9, 1), (600, 130)])  # the last is over the cut-off
def test_parallel_and_serial_kernels_agree(shape: tuple[int, ...], log: bool) -> None:
    """Small tensors take `softmax_serial`, large ones `softmax_kernel`: both are checked
    on the same tensors, whichever the plugin would pick."""
    from minitorch.backends.numba import softmax

    x = np.random.default_rng(3).normal(size=shape).astype(np.float32) * 4
    for dim in range(len(shape)):
        outer = int(np.prod(shape[:dim]))
        inner = int(np.prod(shape[dim + 1:]))
        for kernel in (softmax.softmax_kernel, softmax.softmax_serial):
            out = np.full(x.size, np.nan, dtype=np.float32)
            kernel(out, x.reshape(-1), outer, shape[dim], inner, log)
            np.testing.assert_allclose(out.reshape(shape), reference(x, dim, log), rtol=1e-5,
                                       atol=1e-6)
