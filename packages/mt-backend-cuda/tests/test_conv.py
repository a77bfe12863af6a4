"""conv2d forward / backward_input / backward_weight against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

pytestmark = pytest.mark.cuda

CASES = [
    # x shape, w shape, stride, padding
    ((2, 3, 6, 7), (4, 3, 3, 3), (1, 1), (1, 1)),  # the seed's "same" 3x3
    ((2, 2, 7, 6), (3, 2, 2, 3), (2, 1), (0, 2)),  # strided, asymmetric
    ((1, 1, 5, 5), (2, 1, 5, 5), (1, 1), (0, 0)),  # kernel covers the input
]


def _out_hw(x_shape, w_shape, stride, padding):
    return tuple((x_shape[2 + i] + 2 * padding[i] - w_shape[2 + i]) // stride[i] + 1
                 for i in range(2))


def _patches(x, w_shape, stride, padding):
    """xp[b, c, oh*sh + kh, ow*sw + kw] as an array (B, C, OH, OW, KH, KW)."""
    (ph, pw), (sh, sw) = padding, stride
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = _out_hw(x.shape, w_shape, stride, padding)
    win = sliding_window_view(xp, w_shape[2:], axis=(2, 3))[:, :, ::sh, ::sw]
    return win[:, :, :oh, :ow]


def conv_ref(x, w, stride, padding):
    return np.einsum("bchwij,ocij->bohw", _patches(x, w.shape, stride, padding), w)


def conv_backward_ref(x, w, g, stride, padding):
    """(grad_x, grad_w) of sum(g * conv(x, w))."""
    (ph, pw), (sh, sw) = padding, stride
    _, _, KH, KW = w.shape
    OH, OW = g.shape[2:]
    gxp = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw))
    for kh in range(KH):
        for kw in range(KW):
            rows = slice(kh, kh + sh * (OH - 1) + 1, sh)
            cols = slice(kw, kw + sw * (OW - 1) + 1, sw)
            gxp[:, :, rows, cols] += np.einsum("bohw,oc->bchw", g, w[:, :, kh, kw])
    grad_x = gxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
    grad_w = np.einsum("bohw,bchwij->ocij", g, _patches(x, w.shape, stride, padding))
    return grad_x, grad_w


def _run(dev, method, out_shape, dtype, *arrays, args):
    out, _ = dev.empty(out_shape, dtype)
    storages = [dev.put(np.ascontiguousarray(a))[0] for a in arrays]
    method(out, *storages, *args)
    return dev.get(out, out_shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, stride, padding", CASES)
def test_conv2d_forward_and_backward(backend, dev, rng, tol, x_shape, w_shape, stride,
                                     padding, dtype):
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    OH, OW = _out_hw(x_shape, w_shape, stride, padding)
    g = rng.standard_normal((x_shape[0], w_shape[0], OH, OW)).astype(dtype)
    args = (x_shape, w_shape, stride, padding)
    f64 = [a.astype(np.float64) for a in (x, w, g)]
    expected_gx, expected_gw = conv_backward_ref(*f64, stride, padding)

    out = _run(dev, backend.conv2d_forward, g.shape, dtype, x, w, args=args)
    np.testing.assert_allclose(out, conv_ref(f64[0], f64[1], stride, padding), **tol(dtype))
    gx = _run(dev, backend.conv2d_backward_input, x.shape, dtype, g, w, args=args)
    np.testing.assert_allclose(gx, expected_gx, **tol(dtype))
    gw = _run(dev, backend.conv2d_backward_weight, w.shape, dtype, x, g, args=args)
    np.testing.assert_allclose(gw, expected_gw, **tol(dtype))


def test_conv2d_rejects_mismatched_shapes(backend, dev):
    a, _ = dev.put(np.zeros(4))
    with pytest.raises(ValueError, match="3 channels.*expects 2"):
        backend.conv2d_forward(a, a, a, (1, 3, 4, 4), (1, 2, 3, 3), (1, 1), (0, 0))
    with pytest.raises(ValueError, match="larger than the padded input"):
        backend.conv2d_forward(a, a, a, (1, 1, 2, 2), (1, 1, 3, 3), (1, 1), (0, 0))
