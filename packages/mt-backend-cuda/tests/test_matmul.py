"""Register-blocked batched matmul against numpy."""

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
@pytest.mark.parametrize("n, k, m", [(17, 18, 19), (3, 1, 5), (9, 13, 7)])
def test_matmul_crosses_tile_edges(backend, dev, rng, dtype, n, k, m):
    # Odd sizes leave partial tiles, partial k slices and partial register
    # blocks on every side (the simulator's tile is 4 x 8 with a k step of 16).
    x = rng.standard_normal((2, n, k)).astype(dtype)
    y = rng.standard_normal((2, k, m)).astype(dtype)
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
    tiles = matmul.tiling()
    assert launch.threads == (tiles.tx, tiles.ty)
    # columns of tiles on x, rows of tiles on y
    assert launch.blocks[:2] == (-(-17 // tiles.cols), -(-33 // tiles.rows))
    assert launch.kernel is matmul.kernel_for(np.float32)
    with pytest.raises(ValueError, match="3 entries"):
        matmul.matmul_launch(a, (0, 0), a, (0, 0, 0), a, (0, 0, 0), (1, 1, 1, 1))
    with pytest.raises(TypeError, match="float32 or float64"):
        matmul.kernel_for(np.int64)


def test_grid_never_exceeds_the_y_and_z_limits():
    tiles = matmul.HARDWARE_TILING
    # 2**24 rows: 262,144 row tiles of 64, far past the 65,535 grid.y allows.
    cols, rows, batches = matmul.matmul_grid(70000, 2**24, 10, tiles)
    assert (cols, rows, batches) == (1, matmul.MAX_GRID_Y, matmul.MAX_GRID_Z)
    # columns go on x, which allows 2**31 - 1 blocks
    assert matmul.matmul_grid(1, 1, 2**26, tiles) == (2**26 // tiles.cols, 1, 1)


def test_rows_beyond_the_grid_are_covered_by_the_grid_stride_loop(backend, dev, rng,
                                                                  monkeypatch):
    # A grid.y cap of 2 blocks stands in for 65,535: 5 row tiles need the loop.
    monkeypatch.setattr(matmul, "MAX_GRID_Y", 2)
    n = 5 * matmul.tiling().rows - 3
    x = rng.standard_normal((1, n, 3))
    y = rng.standard_normal((1, 3, 2))
    launch_rows = matmul.matmul_grid(1, n, 2, matmul.tiling())[1]
    assert launch_rows == 2
    np.testing.assert_allclose(_matmul(backend, dev, x, y), x @ y, **TOL[np.float64])


def test_mixed_dtypes_are_refused(backend, dev):
    a, _ = dev.put(np.zeros(4, dtype=np.float32))
    b, _ = dev.put(np.zeros(4, dtype=np.float64))
    with pytest.raises(TypeError, match="cuda matmul: b is float64 but out is float32"):
        matmul.matmul_launch(a, (4, 2, 1), a, (4, 2, 1), b, (4, 2, 1), (1, 2, 2, 2))
