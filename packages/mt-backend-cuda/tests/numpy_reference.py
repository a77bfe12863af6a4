"""numpy definitions of every cuda kernel, in float64: what the kernels must match.

Shared by the simulator tests (through the `ref` fixture in conftest.py) and
by bench/gpu_check.py, which loads this file by path to check the kernels on
a real GPU at larger sizes. Plain numpy, no minitorch: an independent second
opinion next to the scalar definitions in `minitorch.tensor.ops`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


MAP: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "id": lambda x: x,
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,
    "relu": lambda x: np.where((x > 0) | np.isnan(x), x, 0.0),  # nan stays nan
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "inv": lambda x: 1 / x,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "sin": np.sin,
    "cos": np.cos,
}

ZIP: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "pow": np.power,
    "max": np.maximum,
    "lt": lambda a, b: (a < b) * 1.0,
    "gt": lambda a, b: (a > b) * 1.0,
    "eq": lambda a, b: (a == b) * 1.0,
    "is_close": lambda a, b: (np.abs(a - b) < 1e-2) * 1.0,
    "relu_back": lambda x, g: np.where(x > 0, g, 0.0),
    "log_back": lambda x, g: g / x,
    "inv_back": lambda x, g: -g / (x * x),
    "sigmoid_back": lambda s, g: g * s * (1 - s),
    "tanh_back": lambda t, g: g * (1 - t * t),
    "le": lambda a, b: (a <= b) * 1.0,
    "ge": lambda a, b: (a >= b) * 1.0,
    "ne": lambda a, b: (a != b) * 1.0,
    # floor of the IEEE quotient, as ops._floordiv (np.floor_divide rounds
    # differently when a / b rounds onto an integer).
    "floordiv": lambda a, b: np.floor(a / b),
    "mod": np.remainder,  # fmod, moved to the divisor's sign: ops._mod
}
# MAP and ZIP hold the float ops; the bool-only ones (not, and, or, xor) are
# checked against the reference backend in test_dtypes_indexing.py.

# Inputs where the ops' special cases live: signed zeros, overflow, inf, nan.
SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 80.0, -80.0, 800.0, -800.0, 1e-30,
            math.inf, -math.inf, math.nan]


def scalar_reference(fn: Callable[..., float], *args: float) -> float:
    """A `minitorch.tensor.ops` function at one point; nan where it raises
    (ops.pow on a negative base with a nan exponent)."""
    try:
        return fn(*args)
    except ValueError:
        return math.nan


def where(cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a where cond != 0 (nan counts as true), else b; a selection, in a's dtype."""
    return np.where(cond != 0, a, b)


def reduce(op: str, x: np.ndarray, dim: int) -> np.ndarray:
    """sum / max / argmax (first maximum, as a float) along dim, kept as size 1."""
    if op == "sum":
        return x.sum(axis=dim, keepdims=True)
    if op == "max":
        return x.max(axis=dim, keepdims=True)
    return np.expand_dims(x.argmax(axis=dim), dim).astype(np.float64)


def _windows(x: np.ndarray, kernel, stride, padding, fill: float):
    """(padded x, windows of shape (B, C, OH, OW, KH, KW))."""
    (ph, pw), (sh, sw) = padding, stride
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    oh = (x.shape[2] + 2 * ph - kernel[0]) // sh + 1
    ow = (x.shape[3] + 2 * pw - kernel[1]) // sw + 1
    win = sliding_window_view(xp, tuple(kernel), axis=(2, 3))[:, :, ::sh, ::sw]
    return xp, win[:, :, :oh, :ow]


def _scatter_windows(xp_shape, g, kernel, stride, value_at) -> np.ndarray:
    """Sum value_at(kh, kw) over every window offset into a padded-shape array:
    the adjoint of taking windows."""
    out = np.zeros(xp_shape)
    OH, OW = g.shape[2:]
    for kh in range(kernel[0]):
        for kw in range(kernel[1]):
            rows = slice(kh, kh + stride[0] * (OH - 1) + 1, stride[0])
            cols = slice(kw, kw + stride[1] * (OW - 1) + 1, stride[1])
            out[:, :, rows, cols] += value_at(kh, kw)
    return out


def _crop(xp: np.ndarray, x_shape, padding) -> np.ndarray:
    ph, pw = padding
    return xp[:, :, ph:ph + x_shape[2], pw:pw + x_shape[3]]


def conv2d(x, w, stride, padding) -> np.ndarray:
    _, win = _windows(x, w.shape[2:], stride, padding, 0.0)
    return np.einsum("bchwij,ocij->bohw", win, w)


def conv2d_backward(x, w, g, stride, padding) -> tuple[np.ndarray, np.ndarray]:
    """(grad_x, grad_w) of sum(g * conv2d(x, w))."""
    xp, win = _windows(x, w.shape[2:], stride, padding, 0.0)
    gxp = _scatter_windows(xp.shape, g, w.shape[2:], stride,
                           lambda kh, kw: np.einsum("bohw,oc->bchw", g, w[:, :, kh, kw]))
    return _crop(gxp, x.shape, padding), np.einsum("bohw,bchwij->ocij", g, win)


def max_pool2d(x, g, kernel, stride, padding) -> tuple[np.ndarray, np.ndarray]:
    """(out, grad_x); the gradient goes to the first maximum of each window.
    Padding is -inf; inputs must not make a window all -inf (then numpy's
    first maximum could be a padded cell)."""
    xp, win = _windows(x, kernel, stride, padding, -np.inf)
    B, C, OH, OW = win.shape[:4]
    flat = win.reshape(B, C, OH, OW, -1)
    first = flat.argmax(axis=-1)  # numpy: the first maximum, or the first nan
    b, c, i, j = np.indices((B, C, OH, OW))
    gxp = np.zeros(xp.shape)
    np.add.at(gxp, (b, c, i * stride[0] + first // kernel[1], j * stride[1] + first % kernel[1]),
              g)
    return flat.max(axis=-1), _crop(gxp, x.shape, padding)


def avg_pool2d(x, g, kernel, stride, padding) -> tuple[np.ndarray, np.ndarray]:
    """(out, grad_x); padded zeros count in the average (count_include_pad)."""
    xp, win = _windows(x, kernel, stride, padding, 0.0)
    area = kernel[0] * kernel[1]
    gxp = _scatter_windows(xp.shape, g, kernel, stride, lambda kh, kw: g / area)
    return win.mean(axis=(-2, -1)), _crop(gxp, x.shape, padding)


def output_hw(x_shape, kernel, stride, padding) -> tuple[int, int]:
    """(OH, OW) of a convolution or pooling window sliding over x (B, C, H, W)."""
    return ((x_shape[2] + 2 * padding[0] - kernel[0]) // stride[0] + 1,
            (x_shape[3] + 2 * padding[1] - kernel[1]) // stride[1] + 1)


def log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    m = x.max(axis=dim, keepdims=True)
    return (x - m) - np.log(np.exp(x - m).sum(axis=dim, keepdims=True))
