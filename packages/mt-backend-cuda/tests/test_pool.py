"""max / avg pooling forward and backward against numpy."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.cuda

CASES = [
    # x shape, kernel, stride, padding
    ((2, 3, 8, 8), (4, 4), (4, 4), (0, 0)),  # the seed's 4x4 max-pool
    ((1, 2, 7, 6), (3, 3), (2, 2), (1, 1)),  # overlapping windows
    ((1, 1, 5, 7), (2, 3), (1, 2), (1, 0)),  # rectangular
]


def _pool(backend, dev, kind, x, g, kernel, stride, padding):
    dtype = x.dtype
    xs, _ = dev.put(x)
    gs, _ = dev.put(g)
    out, _ = dev.empty(g.shape, dtype)
    gx, _ = dev.empty(x.shape, dtype)
    if kind == "max":
        backend.max_pool2d_forward(out, xs, x.shape, kernel, stride, padding)
        backend.max_pool2d_backward(gx, xs, gs, x.shape, kernel, stride, padding)
    else:
        backend.avg_pool2d_forward(out, xs, x.shape, kernel, stride, padding)
        backend.avg_pool2d_backward(gx, gs, x.shape, kernel, stride, padding)
    return dev.get(out, g.shape), dev.get(gx, x.shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("x_shape, kernel, stride, padding", CASES)
def test_pool_forward_and_backward(backend, dev, ref, rng, tol, x_shape, kernel, stride,
                                   padding, kind, dtype):
    # Values on a coarse grid so max windows contain ties.
    x = np.round(rng.standard_normal(x_shape) * 2).astype(dtype)
    out_shape = (*x_shape[:2], *ref.output_hw(x_shape, kernel, stride, padding))
    g = rng.standard_normal(out_shape).astype(dtype)
    pool = ref.max_pool2d if kind == "max" else ref.avg_pool2d
    expected_out, expected_gx = pool(x.astype(np.float64), g.astype(np.float64), kernel, stride,
                                     padding)
    out, gx = _pool(backend, dev, kind, x, g, kernel, stride, padding)
    np.testing.assert_allclose(out, expected_out, **tol(dtype))
    np.testing.assert_allclose(gx, expected_gx, **tol(dtype))


def test_max_pool_nan_and_all_minus_inf_windows(backend, dev):
    x = np.array([[[[1.0, np.nan, 2.0, np.nan],
                    [-np.inf, -np.inf, 0.0, 3.0]]]])
    g = np.array([[[[10.0, 20.0]]]])
    out, gx = _pool(backend, dev, "max", x, g, (2, 2), (2, 2), (0, 0))
    np.testing.assert_array_equal(out, [[[[np.nan, np.nan]]]])
    np.testing.assert_array_equal(gx, [[[[0.0, 10.0, 0.0, 20.0], [0.0, 0.0, 0.0, 0.0]]]])
    # A window whose in-bounds cells are all -inf routes to its first one:
    # of the 3x3 windows over the padded 2x2 input, four start at (0, 0).
    x = np.full((1, 1, 2, 2), -np.inf)
    out, gx = _pool(backend, dev, "max", x, np.ones((1, 1, 3, 3)), (2, 2), (1, 1), (1, 1))
    np.testing.assert_array_equal(out, np.full((1, 1, 3, 3), -np.inf))
    np.testing.assert_array_equal(gx, [[[[4.0, 2.0], [2.0, 1.0]]]])


def test_pool_rejects_bad_geometry(backend, dev):
    a, _ = dev.put(np.zeros(4))
    with pytest.raises(ValueError, match="larger than the padded input"):
        backend.max_pool2d_forward(a, a, (1, 1, 2, 2), (3, 3), (1, 1), (0, 0))
    with pytest.raises(ValueError, match="bad kernel"):
        backend.avg_pool2d_forward(a, a, (1, 1, 2, 2), (1, 1), (0, 1), (0, 0))
