"""conv2d forward / backward_input / backward_weight against numpy."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.cuda

CASES = [
    # x shape, w shape, stride, padding
    ((2, 3, 6, 7), (4, 3, 3, 3), (1, 1), (1, 1)),  # the seed's "same" 3x3
    ((2, 2, 7, 6), (3, 2, 2, 3), (2, 1), (0, 2)),  # strided, asymmetric
    ((1, 1, 5, 5), (2, 1, 5, 5), (1, 1), (0, 0)),  # kernel covers the input
]


def _run(dev, method, out_shape, dtype, *arrays, args):
    out, _ = dev.empty(out_shape, dtype)
    storages = [dev.put(np.ascontiguousarray(a))[0] for a in arrays]
    method(out, *storages, *args)
    return dev.get(out, out_shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, stride, padding", CASES)
def test_conv2d_forward_and_backward(backend, dev, ref, rng, tol, x_shape, w_shape, stride,
                                     padding, dtype):
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    out_shape = (x_shape[0], w_shape[0], *ref.output_hw(x_shape, w_shape[2:], stride, padding))
    g = rng.standard_normal(out_shape).astype(dtype)
    args = (x_shape, w_shape, stride, padding)
    x64, w64, g64 = (a.astype(np.float64) for a in (x, w, g))
    expected_gx, expected_gw = ref.conv2d_backward(x64, w64, g64, stride, padding)

    out = _run(dev, backend.conv2d_forward, out_shape, dtype, x, w, args=args)
    np.testing.assert_allclose(out, ref.conv2d(x64, w64, stride, padding), **tol(dtype))
    gx = _run(dev, backend.conv2d_backward_input, x_shape, dtype, g, w, args=args)
    np.testing.assert_allclose(gx, expected_gx, **tol(dtype))
    gw = _run(dev, backend.conv2d_backward_weight, w_shape, dtype, x, g, args=args)
    np.testing.assert_allclose(gw, expected_gw, **tol(dtype))


def test_conv2d_rejects_mismatched_shapes(backend, dev):
    a, _ = dev.put(np.zeros(4))
    with pytest.raises(ValueError, match="3 channels.*expects 2"):
        backend.conv2d_forward(a, a, a, (1, 3, 4, 4), (1, 2, 3, 3), (1, 1), (0, 0))
    with pytest.raises(ValueError, match="larger than the padded input"):
        backend.conv2d_forward(a, a, a, (1, 1, 2, 2), (1, 1, 3, 3), (1, 1), (0, 0))
