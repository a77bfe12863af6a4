"""Max and average pooling against naive numpy windows."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.numba.plugin import NumbaBackend

BACKEND = NumbaBackend()
DTYPES = [np.float32, np.float64]
# x shape, kernel, stride, padding
CASES = [
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0)),
    ((2, 3, 7, 9), (3, 3), (1, 1), (1, 1)),
    ((1, 2, 9, 7), (3, 2), (2, 1), (1, 0)),
    ((1, 2, 6, 6), (4, 4), (4, 4), (2, 2)),
    ((8, 8, 28, 28), (4, 4), (4, 4), (0, 0)),  # the seed CNN's pool
]


def windows(x: np.ndarray, kernel, stride, padding, fill: float):
    """Yield (i, j, window view of the padded input, top, left)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)),
                constant_values=fill)
    OH = (xp.shape[2] - kh) // sh + 1
    OW = (xp.shape[3] - kw) // sw + 1
    for i in range(OH):
        for j in range(OW):
            yield i, j, xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw], i * sh - ph, j * sw - pw


def out_shape(x_shape, kernel, stride, padding):
    return x_shape[:2] + tuple((x_shape[2 + d] + 2 * padding[d] - kernel[d]) // stride[d] + 1
                               for d in range(2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape, kernel, stride, padding", CASES)
@pytest.mark.parametrize("special", [False, True])
def test_max_pool(x_shape, kernel, stride, padding, dtype, special) -> None:
    """With `special`, NaN and -inf cells too (some windows all -inf): the
    first NaN wins, and an all -inf window inside the image routes its
    gradient to its first cell (numpy's argmax agrees on both)."""
    rng = np.random.default_rng(0)
    # Rounded values make ties common, so "first maximum" is really tested.
    x = np.round(rng.normal(size=x_shape) * 2).astype(dtype)
    if special:
        x[rng.random(x_shape) < 0.5] = -np.inf
        x[rng.random(x_shape) < 0.03] = np.nan
    shape = out_shape(x_shape, kernel, stride, padding)
    out = np.full(shape, np.nan, dtype=dtype)
    BACKEND.max_pool2d_forward(out.reshape(-1), x.reshape(-1), x_shape, kernel, stride, padding)
    g = rng.normal(size=shape).astype(dtype)
    grad_x = np.full(x_shape, np.nan, dtype=dtype)
    BACKEND.max_pool2d_backward(grad_x.reshape(-1), x.reshape(-1), g.reshape(-1), x_shape,
                                kernel, stride, padding)

    want = np.zeros(shape)
    want_grad = np.zeros(x_shape)
    B, C = x_shape[:2]
    for i, j, win, top, left in windows(x, kernel, stride, padding, -np.inf):
        want[:, :, i, j] = win.max(axis=(2, 3))
        first = win.reshape(B, C, -1).argmax(axis=2)  # numpy's argmax is the first max
        for b in range(B):
            for c in range(C):
                r, s = divmod(int(first[b, c]), kernel[1])
                if 0 <= top + r < x_shape[2] and 0 <= left + s < x_shape[3]:
                    want_grad[b, c, top + r, left + s] += g[b, c, i, j]
    np.testing.assert_array_equal(out, want.astype(dtype))
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(grad_x, want_grad, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape, kernel, stride, padding", CASES)
def test_avg_pool(x_shape, kernel, stride, padding, dtype) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=x_shape).astype(dtype)
    shape = out_shape(x_shape, kernel, stride, padding)
    out = np.full(shape, np.nan, dtype=dtype)
    BACKEND.avg_pool2d_forward(out.reshape(-1), x.reshape(-1), x_shape, kernel, stride, padding)
    want = np.zeros(shape)
    for i, j, win, _, _ in windows(x, kernel, stride, padding, 0.0):
        want[:, :, i, j] = win.sum(axis=(2, 3)) / (kernel[0] * kernel[1])  # count_include_pad
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, want, rtol=tol, atol=tol)

    # Backward is the adjoint of forward: <avg(x), g> == <x, avg_backward(g)>.
    g = rng.normal(size=shape).astype(dtype)
    grad_x = np.full(x_shape, np.nan, dtype=dtype)
    BACKEND.avg_pool2d_backward(grad_x.reshape(-1), g.reshape(-1), x_shape, kernel, stride,
                                padding)
    lhs = float(np.sum(want * g))
    rhs = float(np.sum(x.astype(np.float64) * grad_x))
    assert abs(lhs - rhs) < 1e-4 * (1 + abs(lhs))


def test_max_pool_all_padding_window_is_minus_inf() -> None:
    x = np.ones((1, 1, 2, 2))
    out = np.zeros((1, 1, 2, 2))
    # kernel 1, padding 1, stride 2: window (0, 0) lies wholly in the padding.
    BACKEND.max_pool2d_forward(out.reshape(-1), x.reshape(-1), x.shape, (1, 1), (2, 2), (1, 1))
    assert np.isneginf(out[0, 0, 0, 0])
    assert out[0, 0, 1, 1] == 1.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape, kernel, stride, padding", CASES)
@pytest.mark.parametrize("special", [False, True])
def test_max_pool_indices_match_the_scanning_kernels(x_shape, kernel, stride, padding, dtype,
                                                     special) -> None:
    """The *_indices pair gives the same values as max_pool2d_forward and, by scattering at
    the saved positions, the same gradient as max_pool2d_backward's second scan; each
    position is the first maximum's flat index in its plane, -1 for padding."""
    rng = np.random.default_rng(1)
    x = np.round(rng.normal(size=x_shape) * 2).astype(dtype)
    if special:
        x[rng.random(x_shape) < 0.5] = -np.inf
        x[rng.random(x_shape) < 0.03] = np.nan
    shape = out_shape(x_shape, kernel, stride, padding)
    out, want = np.full(shape, 7.0, dtype=dtype), np.full(shape, 7.0, dtype=dtype)
    indices = np.full(shape, -7, dtype=np.int64)
    BACKEND.max_pool2d_forward_indices(out.reshape(-1), indices.reshape(-1), x.reshape(-1),
                                       x_shape, kernel, stride, padding)
    BACKEND.max_pool2d_forward(want.reshape(-1), x.reshape(-1), x_shape, kernel, stride, padding)
    np.testing.assert_array_equal(out, want)
    H, W = x_shape[2:]
    assert ((indices >= -1) & (indices < H * W)).all()
    planes = x.reshape(x_shape[0], x_shape[1], -1)
    kept = indices >= 0
    picked = np.take_along_axis(planes, np.where(kept, indices, 0).reshape(planes.shape[:2] + (-1,)),
                                axis=2).reshape(shape)
    np.testing.assert_array_equal(picked[kept], out[kept])  # each index points at its max

    g = rng.normal(size=shape).astype(dtype)
    grad_x = np.full(x_shape, np.nan, dtype=dtype)
    want_grad = np.full(x_shape, np.nan, dtype=dtype)
    BACKEND.max_pool2d_backward_indices(grad_x.reshape(-1), g.reshape(-1), indices.reshape(-1),
                                        x_shape, shape)
    BACKEND.max_pool2d_backward(want_grad.reshape(-1), x.reshape(-1), g.reshape(-1), x_shape,
                                kernel, stride, padding)
    np.testing.assert_array_equal(grad_x, want_grad)


def test_max_pool_indices_are_torchs_return_indices() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).normal(size=(2, 3, 7, 9)).astype(np.float32)
    shape = out_shape(x.shape, (3, 3), (2, 2), (1, 1))
    out = np.empty(shape, np.float32)
    indices = np.empty(shape, np.int64)
    BACKEND.max_pool2d_forward_indices(out.reshape(-1), indices.reshape(-1), x.reshape(-1),
                                       x.shape, (3, 3), (2, 2), (1, 1))
    want, want_indices = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1,
                                                        return_indices=True)
    np.testing.assert_array_equal(out, want.numpy())
    np.testing.assert_array_equal(indices, want_indices.numpy())
