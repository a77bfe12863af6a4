"""2-D max and average pooling, forward and backward.

Operands are contiguous: x / grad_x (B, C, H, W), out / grad_out
(B, C, OH, OW), OH = (H + 2 * pad_h - KH) // stride_h + 1. Geometry travels as

    geom = (B, C, H, W, KH, KW, OH, OW, stride_h, stride_w, pad_h, pad_w)

Forward kernels run one thread per output element. Backward kernels run one
thread per *input* element and gather from every window that covers it, so
overlapping windows (stride < kernel) need no atomics and every element of
grad_x is written, including those no window reaches.

Max pooling: padding counts as -inf, so a window's maximum is the maximum of
its in-bounds cells. The gradient goes to the first maximum in row-major
window order (NaN counts as the maximum, first NaN wins); a window whose
in-bounds cells are all -inf routes it to its first in-bounds cell.
Average pooling divides by KH * KW, padded cells included (PyTorch's
count_include_pad=True).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float32, float64

from . import device


def _make_pool_kernels(f):
    """The kernels below, computing in numba float type `f` (float32 tensors in float32)."""

    @cuda.jit(device=True)
    def window_argmax(x, plane, H, W, h0, w0, KH, KW):
        """(max, row, col) of the window at (h0, w0) of one (H, W) plane of x;
        row = -1 when the window has no in-bounds cell."""
        best = f(-math.inf)
        best_h = -1
        best_w = -1
        for kh in range(KH):
            h = h0 + kh
            if h < 0 or h >= H:
                continue
            for kw in range(KW):
                col = w0 + kw
                if col < 0 or col >= W:
                    continue
                v = f(x[plane + h * W + col])
                if best_h < 0 or v > best or (math.isnan(v) and not math.isnan(best)):
                    best = v
                    best_h = h
                    best_w = col
        return best, best_h, best_w

    @cuda.jit
    def max_pool2d_forward_kernel(out, x, geom):
        B, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw = geom
        for pos in range(cuda.grid(1), B * C * OH * OW, cuda.gridsize(1)):
            ow = pos % OW
            oh = (pos // OW) % OH
            plane = (pos // (OW * OH)) * H * W
            best, _, _ = window_argmax(x, plane, H, W, oh * sh - ph, ow * sw - pw, KH, KW)
            out[pos] = best

    @cuda.jit(device=True)
    def covering_range(i, pad, stride, kernel, n_out):
        """Output positions o in [first, last] whose window o*stride-pad .. +kernel-1
        covers input position i."""
        t = i + pad
        first = 0 if t - kernel + 1 <= 0 else (t - kernel + 1 + stride - 1) // stride
        last = min(t // stride, n_out - 1)
        return first, last

    @cuda.jit
    def max_pool2d_backward_kernel(grad_x, x, grad_out, geom):
        B, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw = geom
        for pos in range(cuda.grid(1), B * C * H * W, cuda.gridsize(1)):
            col = pos % W
            h = (pos // W) % H
            bc = pos // (W * H)
            plane = bc * H * W
            oh_first, oh_last = covering_range(h, ph, sh, KH, OH)
            ow_first, ow_last = covering_range(col, pw, sw, KW, OW)
            acc = f(0.0)
            for oh in range(oh_first, oh_last + 1):
                for ow in range(ow_first, ow_last + 1):
                    _, bh, bw = window_argmax(x, plane, H, W, oh * sh - ph, ow * sw - pw, KH, KW)
                    if bh == h and bw == col:
                        acc += f(grad_out[(bc * OH + oh) * OW + ow])
            grad_x[pos] = acc

    @cuda.jit
    def avg_pool2d_forward_kernel(out, x, geom):
        B, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw = geom
        for pos in range(cuda.grid(1), B * C * OH * OW, cuda.gridsize(1)):
            ow = pos % OW
            oh = (pos // OW) % OH
            plane = (pos // (OW * OH)) * H * W
            acc = f(0.0)
            for kh in range(KH):
                h = oh * sh - ph + kh
                if h < 0 or h >= H:
                    continue
                for kw in range(KW):
                    col = ow * sw - pw + kw
                    if 0 <= col < W:
                        acc += f(x[plane + h * W + col])
            out[pos] = acc / f(KH * KW)

    @cuda.jit
    def avg_pool2d_backward_kernel(grad_x, grad_out, geom):
        B, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw = geom
        for pos in range(cuda.grid(1), B * C * H * W, cuda.gridsize(1)):
            col = pos % W
            h = (pos // W) % H
            bc = pos // (W * H)
            oh_first, oh_last = covering_range(h, ph, sh, KH, OH)
            ow_first, ow_last = covering_range(col, pw, sw, KW, OW)
            acc = f(0.0)
            for oh in range(oh_first, oh_last + 1):
                for ow in range(ow_first, ow_last + 1):
                    acc += f(grad_out[(bc * OH + oh) * OW + ow])
            grad_x[pos] = acc / f(KH * KW)

    return {
        "max_pool2d_forward_kernel": max_pool2d_forward_kernel,
        "max_pool2d_backward_kernel": max_pool2d_backward_kernel,
        "avg_pool2d_forward_kernel": avg_pool2d_forward_kernel,
        "avg_pool2d_backward_kernel": avg_pool2d_backward_kernel,
    }


_BY_DTYPE = {np.dtype(np.float64): _make_pool_kernels(float64),
             np.dtype(np.float32): _make_pool_kernels(float32)}
max_pool2d_forward_kernel = _BY_DTYPE[np.dtype(np.float64)]["max_pool2d_forward_kernel"]
max_pool2d_backward_kernel = _BY_DTYPE[np.dtype(np.float64)]["max_pool2d_backward_kernel"]
avg_pool2d_forward_kernel = _BY_DTYPE[np.dtype(np.float64)]["avg_pool2d_forward_kernel"]
avg_pool2d_backward_kernel = _BY_DTYPE[np.dtype(np.float64)]["avg_pool2d_backward_kernel"]


def _kernel(name: str, storage):
    """The kernel `name` made for `storage`'s float dtype."""
    kernels = _BY_DTYPE.get(np.dtype(storage.dtype))
    if kernels is None:
        raise TypeError(f"cuda {name}: expected float32 or float64, got {storage.dtype}")
    return kernels[name]


def pool2d_geometry(x_shape, kernel, stride, padding) -> tuple[int, ...]:
    """The kernels' `geom` tuple, checking the window fits the padded input."""
    B, C, H, W = device.as_ints(x_shape)
    KH, KW = device.as_ints(kernel)
    sh, sw = device.as_ints(stride)
    ph, pw = device.as_ints(padding)
    if KH < 1 or KW < 1 or sh < 1 or sw < 1 or ph < 0 or pw < 0:
        raise ValueError(f"cuda pool2d: bad kernel {kernel}, stride {stride} or padding {padding}")
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    if OH < 1 or OW < 1:
        raise ValueError(
            f"cuda pool2d: kernel {KH}x{KW} is larger than the padded input "
            f"{H + 2 * ph}x{W + 2 * pw}"
        )
    return (B, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw)


def _out_size(geom) -> int:
    return geom[0] * geom[1] * geom[6] * geom[7]


def _in_size(geom) -> int:
    return geom[0] * geom[1] * geom[2] * geom[3]


def max_pool2d_forward_launch(out, x, x_shape, kernel, stride, padding) -> device.Launch | None:
    geom = pool2d_geometry(x_shape, kernel, stride, padding)
    device.on_device(out=out, x=x)
    return device.per_element(_kernel("max_pool2d_forward_kernel", x), _out_size(geom), (out, x, geom))


def max_pool2d_backward_launch(grad_x, x, grad_out, x_shape, kernel, stride,
                               padding) -> device.Launch | None:
    geom = pool2d_geometry(x_shape, kernel, stride, padding)
    device.on_device(grad_x=grad_x, x=x, grad_out=grad_out)
    return device.per_element(
        _kernel("max_pool2d_backward_kernel", x), _in_size(geom), (grad_x, x, grad_out, geom)
    )


def avg_pool2d_forward_launch(out, x, x_shape, kernel, stride, padding) -> device.Launch | None:
    geom = pool2d_geometry(x_shape, kernel, stride, padding)
    device.on_device(out=out, x=x)
    return device.per_element(_kernel("avg_pool2d_forward_kernel", x), _out_size(geom), (out, x, geom))


def avg_pool2d_backward_launch(grad_x, grad_out, x_shape, kernel, stride,
                               padding) -> device.Launch | None:
    geom = pool2d_geometry(x_shape, kernel, stride, padding)
    device.on_device(grad_x=grad_x, grad_out=grad_out)
    return device.per_element(_kernel("avg_pool2d_backward_kernel", grad_out), _in_size(geom), (grad_x, grad_out, geom))
