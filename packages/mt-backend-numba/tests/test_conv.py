"""conv2d forward against a naive numpy loop; both backwards via adjoint identities.

conv2d is linear in x and in w, so for any grad g:
    <conv(x, w), g> == <x, backward_input(g, w)> == <w, backward_weight(x, g)>.
The weight gradient is also checked against an independent einsum.
"""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.numba.plugin import NumbaBackend

BACKEND = NumbaBackend()
DTYPES = [np.float32, np.float64]
# (B, C, H, W), (O, KH, KW), stride, padding
CASES = [
    ((2, 3, 7, 6), (4, 3, 3), (1, 1), (1, 1)),
    ((2, 3, 7, 6), (4, 3, 3), (1, 1), (0, 0)),
    ((2, 2, 9, 8), (3, 3, 3), (2, 2), (1, 1)),
    ((1, 2, 8, 9), (2, 2, 3), (2, 1), (2, 0)),
    ((2, 1, 5, 5), (2, 5, 5), (1, 2), (2, 2)),
    ((3, 2, 6, 7), (2, 1, 1), (1, 1), (0, 0)),
    ((2, 2, 5, 6), (3, 1, 2), (1, 1), (1, 1)),  # padding >= kernel: general backward_input
    ((1, 3, 4, 4), (2, 2, 2), (1, 1), (1, 0)),  # even kernel, asymmetric padding
]


def reference_conv(x: np.ndarray, w: np.ndarray, stride, padding) -> np.ndarray:
    (sh, sw), (ph, pw) = stride, padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    B, _, H, W = xp.shape
    O, _, KH, KW = w.shape
    OH, OW = (H - KH) // sh + 1, (W - KW) // sw + 1
    out = np.zeros((B, O, OH, OW))
    for i in range(OH):
        for j in range(OW):
            patch = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            out[:, :, i, j] = np.einsum("bckl,ockl->bo", patch, w)
    return out


def run_forward(x, w, stride, padding):
    ref = reference_conv(x, w, stride, padding)
    out = np.full(ref.shape, np.nan, dtype=x.dtype)
    BACKEND.conv2d_forward(out.reshape(-1), x.reshape(-1), w.reshape(-1), x.shape, w.shape,
                           stride, padding)
    return out, ref


def tolerance(dtype) -> dict:
    return dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape, w_spec, stride, padding", CASES)
def test_conv2d(x_shape, w_spec, stride, padding, dtype) -> None:
    rng = np.random.default_rng(sum(x_shape))
    O, KH, KW = w_spec
    x = rng.normal(size=x_shape).astype(dtype)
    w = rng.normal(size=(O, x_shape[1], KH, KW)).astype(dtype)
    out, ref = run_forward(x, w, stride, padding)
    np.testing.assert_allclose(out, ref, **tolerance(dtype))

    g = rng.normal(size=out.shape).astype(dtype)
    grad_x = np.full(x.shape, np.nan, dtype=dtype)
    BACKEND.conv2d_backward_input(grad_x.reshape(-1), g.reshape(-1), w.reshape(-1),
                                  x.shape, w.shape, stride, padding)
    grad_w = np.full(w.shape, np.nan, dtype=dtype)
    BACKEND.conv2d_backward_weight(grad_w.reshape(-1), x.reshape(-1), g.reshape(-1),
                                   x.shape, w.shape, stride, padding)
    lhs = float(np.sum(ref * g))
    scale = 1e-3 if dtype == np.float32 else 1e-9
    assert abs(lhs - float(np.sum(x.astype(np.float64) * grad_x))) < scale * (1 + abs(lhs))
    assert abs(lhs - float(np.sum(w.astype(np.float64) * grad_w))) < scale * (1 + abs(lhs))

    # Independent weight gradient: correlate padded input patches with g.
    (sh, sw), (ph, pw) = stride, padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    OH, OW = g.shape[2:]
    want = np.zeros(w.shape)
    for kh in range(KH):
        for kw in range(KW):
            patch = xp[:, :, kh:kh + sh * (OH - 1) + 1:sh, kw:kw + sw * (OW - 1) + 1:sw]
            want[:, :, kh, kw] = np.einsum("bchw,bohw->oc", patch, g)
    np.testing.assert_allclose(grad_w, want, **tolerance(dtype))


@pytest.mark.parametrize("c_in, c_out, kernel, dtype", [
    (1, 4, 3, np.float32), (4, 8, 3, np.float32), (3, 5, 5, np.float64), (2, 7, 5, np.float32),
])
def test_seed_cnn_shapes(c_in: int, c_out: int, kernel: int, dtype) -> None:
    """The seed CNN's layers (batch 64, 3x3 'same' convolutions on 28x28),
    and 5x5 ones whose channel counts leave partial register tiles; both
    gradients against einsum over padded patches."""
    rng = np.random.default_rng(c_in)
    x = rng.normal(size=(64, c_in, 28, 28)).astype(dtype)
    w = rng.normal(size=(c_out, c_in, kernel, kernel)).astype(dtype)
    pad = kernel // 2
    out, ref = run_forward(x, w, (1, 1), (pad, pad))
    np.testing.assert_allclose(out, ref, **tolerance(dtype))

    g = rng.normal(size=out.shape).astype(dtype)
    grad_w = np.full(w.shape, np.nan, dtype=dtype)
    BACKEND.conv2d_backward_weight(grad_w.reshape(-1), x.reshape(-1), g.reshape(-1),
                                   x.shape, w.shape, (1, 1), (pad, pad))
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    want = np.zeros(w.shape)
    for kh in range(kernel):
        for kw in range(kernel):
            want[:, :, kh, kw] = np.einsum("bchw,bohw->oc", xp[:, :, kh:kh + 28, kw:kw + 28], g)
    # float32 sums over 64 * 784 products: the tolerance scales with their size.
    scale = np.abs(want).max()
    np.testing.assert_allclose(grad_w, want, rtol=0, atol=scale * (1e-5 if dtype == np.float32
                                                                   else 1e-12))

    grad_x = np.full(x.shape, np.nan, dtype=dtype)
    BACKEND.conv2d_backward_input(grad_x.reshape(-1), g.reshape(-1), w.reshape(-1),
                                  x.shape, w.shape, (1, 1), (pad, pad))
    gp = np.pad(g.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    want_x = np.zeros(x.shape)
    for kh in range(kernel):
        for kw in range(kernel):
            # x[b, c, i, j] feeds out[b, o, i - kh + pad, j - kw + pad] through w[o, c, kh, kw].
            window = gp[:, :, 2 * pad - kh:2 * pad - kh + 28, 2 * pad - kw:2 * pad - kw + 28]
            want_x += np.einsum("bohw,oc->bchw", window, w[:, :, kh, kw])
    np.testing.assert_allclose(grad_x, want_x, **tolerance(dtype))
