"""max / avg pooling forward and backward against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

pytestmark = pytest.mark.cuda

CASES = [
    # x shape, kernel, stride, padding
    ((2, 3, 8, 8), (4, 4), (4, 4), (0, 0)),  # the seed's 4x4 max-pool
    ((1, 2, 7, 6), (3, 3), (2, 2), (1, 1)),  # overlapping windows
    ((1, 1, 5, 7), (2, 3), (1, 2), (1, 0)),  # rectangular
]


def _windows(x, kernel, stride, padding, fill):
    (ph, pw), (sh, sw) = padding, stride
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    oh = (x.shape[2] + 2 * ph - kernel[0]) // sh + 1
    ow = (x.shape[3] + 2 * pw - kernel[1]) // sw + 1
    return xp, sliding_window_view(xp, kernel, axis=(2, 3))[:, :, ::sh, ::sw][:, :, :oh, :ow]


def max_pool_ref(x, g, kernel, stride, padding):
    """(out, grad_x): the gradient goes to the first maximum of each window."""
    xp, win = _windows(x, kernel, stride, padding, -np.inf)
    B, C, OH, OW = win.shape[:4]
    flat = win.reshape(B, C, OH, OW, -1)
    first = flat.argmax(axis=-1)  # numpy: first maximum, first NaN
    gxp = np.zeros_like(xp)
    for b, c, i, j in np.ndindex(B, C, OH, OW):
        kh, kw = divmod(first[b, c, i, j], kernel[1])
        gxp[b, c, i * stride[0] + kh, j * stride[1] + kw] += g[b, c, i, j]
    ph, pw = padding
    return flat.max(axis=-1), gxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


def avg_pool_ref(x, g, kernel, stride, padding):
    xp, win = _windows(x, kernel, stride, padding, 0.0)
    area = kernel[0] * kernel[1]
    gxp = np.zeros_like(xp)
    OH, OW = win.shape[2:4]
    for i in range(OH):
        for j in range(OW):
            rows = slice(i * stride[0], i * stride[0] + kernel[0])
            cols = slice(j * stride[1], j * stride[1] + kernel[1])
            gxp[:, :, rows, cols] += g[:, :, i:i + 1, j:j + 1] / area
    ph, pw = padding
    return win.mean(axis=(-2, -1)), gxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


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
def test_pool_forward_and_backward(backend, dev, rng, tol, x_shape, kernel, stride, padding,
                                   kind, dtype):
    # Values on a coarse grid so max windows contain ties.
    x = np.round(rng.standard_normal(x_shape) * 2).astype(dtype)
    _, win = _windows(x, kernel, stride, padding, 0.0)
    g = rng.standard_normal(win.shape[:4]).astype(dtype)
    ref = max_pool_ref if kind == "max" else avg_pool_ref
    expected_out, expected_gx = ref(x.astype(np.float64), g.astype(np.float64), kernel, stride,
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
