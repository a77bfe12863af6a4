"""Tiled batched matmul against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.cuda import matmul

pytestmark = pytest.mark.cuda

# float32 accumulates in float32 inside the tiles, so allow k-fold rounding.
TOL = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}


def _matmul(backend, dev, x, y, x_batch_stride=None):
    """x (batch, n, k) @ y (batch, k, m) through the backend."""
    batch, n, k = x.shape
    m = y.shape[2]
    a, a_strides = dev.put(x)
    b, b_strides = dev.put(y)
    if x_batch_stride is not None:
        a_strides = (x_batch_stride, *a_strides[1:])
    out, out_strides = dev.empty((batch, n, m), x.dtype)
    backend.matmul(out, out_strides, a, a_strides, b, b_strides, (batch, n, k, m))
    return dev.get(out, (batch, n, m))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_crosses_tile_edges(backend, dev, rng, dtype):
    # 17 / 18 / 19 leave partial tiles on every side of a 16-wide tile.
    x = rng.standard_normal((2, 17, 18)).astype(dtype)
    y = rng.standard_normal((2, 18, 19)).astype(dtype)
    np.testing.assert_allclose(_matmul(backend, dev, x, y), x @ y, **TOL[dtype])


def test_matmul_of_transposed_operands(backend, dev, rng):
    x = rng.standard_normal((1, 9, 20)).transpose(0, 2, 1)  # (1, 20, 9), strides (.., 1, 20)
    y = rng.standard_normal((1, 5, 9)).transpose(0, 2, 1)  # (1, 9, 5)
    np.testing.assert_allclose(_matmul(backend, dev, x, y), x @ y, **TOL[np.float64])


def test_matmul_broadcasts_a_batch_stride_of_zero(backend, dev, rng):
    w = rng.standard_normal((1, 4, 6))
    y = rng.standard_normal((3, 6, 5))
    got = _matmul(backend, dev, np.broadcast_to(w, (3, 4, 6)), y, x_batch_stride=0)
    np.testing.assert_allclose(got, w @ y, **TOL[np.float64])


def test_matrix_vector_and_inner_product_shapes(backend, dev, rng):
    x = rng.standard_normal((1, 1, 7))
    y = rng.standard_normal((1, 7, 1))
    np.testing.assert_allclose(_matmul(backend, dev, x, y), x @ y, **TOL[np.float64])


def test_k_of_zero_gives_zeros(backend, dev):
    a, _ = dev.put(np.zeros(1))
    out, out_strides = dev.empty((1, 2, 3), np.float64)
    backend.matmul(out, out_strides, a, (0, 0, 0), a, (0, 0, 0), (1, 2, 0, 3))
    np.testing.assert_array_equal(dev.get(out, (1, 2, 3)), np.zeros((1, 2, 3)))


def test_launch_grid(backend, dev):
    a, _ = dev.put(np.zeros(1, dtype=np.float32))
    launch = matmul.matmul_launch(a, (0, 0, 0), a, (0, 0, 0), a, (0, 0, 0), (5, 33, 4, 17))
    assert launch.threads == (matmul.TILE, matmul.TILE)
    assert launch.blocks[:2] == (2, 3)  # ceil(m / 16), ceil(n / 16)
    assert launch.kernel is matmul.matmul_kernel_f32
    with pytest.raises(ValueError, match="3 entries"):
        matmul.matmul_launch(a, (0, 0), a, (0, 0, 0), a, (0, 0, 0), (1, 1, 1, 1))
