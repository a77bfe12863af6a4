"""2-D convolution (cross-correlation, as in PyTorch): forward and both gradients.

All operands are contiguous: x (B, C, H, W), w (O, C, KH, KW), out / grad_out
(B, O, OH, OW). Geometry travels as one tuple argument

    geom = (B, C, H, W, O, KH, KW, OH, OW, stride_h, stride_w, pad_h, pad_w)

so each kernel has a single specialisation per dtype.

- forward: one thread per output element (a direct convolution; products
  summed in the tensor's dtype: each kernel is made per float dtype).
- backward_input: one thread per input element, gathering every (o, kh, kw)
  whose window covers it. Gathering rather than scattering from grad_out
  means no two threads write the same element: no atomics, deterministic
  sums, and every element of grad_x is written.
- backward_weight: a weight has few elements (36 in the seed's first layer)
  but each sums over B * OH * OW products, so one block per weight element
  shares that sum out across its threads and finishes with a tree reduction.
"""

from __future__ import annotations

import numpy as np
from numba import cuda, float32, float64

from . import device
from .blockreduce import block_sum

# Compile-time size of the shared scratch (numba freezes module globals).
SCRATCH = device.MAX_REDUCE_THREADS


def _make_conv_kernels(f):
    """The kernels below, computing in numba float type `f` (float32 tensors in float32)."""

    @cuda.jit
    def conv2d_forward_kernel(out, x, w, geom):
        B, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw = geom
        size = B * O * OH * OW
        for pos in range(cuda.grid(1), size, cuda.gridsize(1)):
            ow = pos % OW
            oh = (pos // OW) % OH
            o = (pos // (OW * OH)) % O
            b = pos // (OW * OH * O)
            acc = f(0.0)
            for c in range(C):
                x_base = (b * C + c) * H
                w_base = (o * C + c) * KH
                for kh in range(KH):
                    h = oh * sh - ph + kh
                    if h < 0 or h >= H:
                        continue
                    for kw in range(KW):
                        col = ow * sw - pw + kw
                        if 0 <= col < W:
                            acc += f(x[(x_base + h) * W + col]) * w[(w_base + kh) * KW + kw]
            out[pos] = acc

    @cuda.jit
    def conv2d_backward_input_kernel(grad_x, grad_out, w, geom):
        B, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw = geom
        size = B * C * H * W
        for pos in range(cuda.grid(1), size, cuda.gridsize(1)):
            col = pos % W
            h = (pos // W) % H
            c = (pos // (W * H)) % C
            b = pos // (W * H * C)
            acc = f(0.0)
            for o in range(O):
                g_base = (b * O + o) * OH
                w_base = (o * C + c) * KH
                for kh in range(KH):
                    # Output row oh reads input row oh * sh - ph + kh == h.
                    t = h + ph - kh
                    if t < 0 or t % sh != 0 or t // sh >= OH:
                        continue
                    oh = t // sh
                    for kw in range(KW):
                        u = col + pw - kw
                        if u >= 0 and u % sw == 0 and u // sw < OW:
                            acc += (f(grad_out[(g_base + oh) * OW + u // sw])
                                    * w[(w_base + kh) * KW + kw])
            grad_x[pos] = acc

    @cuda.jit
    def conv2d_backward_weight_kernel(grad_w, x, grad_out, geom):
        B, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw = geom
        values = cuda.shared.array(SCRATCH, f)
        tid = cuda.threadIdx.x
        nthreads = cuda.blockDim.x
        n_weights = O * C * KH * KW
        terms = B * OH * OW
        for wpos in range(cuda.blockIdx.x, n_weights, cuda.gridDim.x):
            kw = wpos % KW
            kh = (wpos // KW) % KH
            c = (wpos // (KW * KH)) % C
            o = wpos // (KW * KH * C)
            acc = f(0.0)
            for t in range(tid, terms, nthreads):
                ow = t % OW
                oh = (t // OW) % OH
                b = t // (OW * OH)
                h = oh * sh - ph + kh
                col = ow * sw - pw + kw
                if 0 <= h < H and 0 <= col < W:
                    acc += (f(x[((b * C + c) * H + h) * W + col])
                            * grad_out[((b * O + o) * OH + oh) * OW + ow])
            values[tid] = acc
            total = block_sum(values, tid, nthreads)
            if tid == 0:
                grad_w[wpos] = total

    return {
        "conv2d_forward_kernel": conv2d_forward_kernel,
        "conv2d_backward_input_kernel": conv2d_backward_input_kernel,
        "conv2d_backward_weight_kernel": conv2d_backward_weight_kernel,
    }


_BY_DTYPE = {np.dtype(np.float64): _make_conv_kernels(float64),
             np.dtype(np.float32): _make_conv_kernels(float32)}
conv2d_forward_kernel = _BY_DTYPE[np.dtype(np.float64)]["conv2d_forward_kernel"]
conv2d_backward_input_kernel = _BY_DTYPE[np.dtype(np.float64)]["conv2d_backward_input_kernel"]
conv2d_backward_weight_kernel = _BY_DTYPE[np.dtype(np.float64)]["conv2d_backward_weight_kernel"]


def _kernel(name: str, storage):
    """The kernel `name` made for `storage`'s float dtype."""
    kernels = _BY_DTYPE.get(np.dtype(storage.dtype))
    if kernels is None:
        raise TypeError(f"cuda {name}: expected float32 or float64, got {storage.dtype}")
    return kernels[name]


def conv2d_geometry(x_shape, w_shape, stride, padding) -> tuple[int, ...]:
    """The kernels' `geom` tuple, checking that the shapes agree."""
    B, C, H, W = device.as_ints(x_shape)
    O, C2, KH, KW = device.as_ints(w_shape)
    sh, sw = device.as_ints(stride)
    ph, pw = device.as_ints(padding)
    if C != C2:
        raise ValueError(
            f"cuda conv2d: input has {C} channels but the weight {tuple(w_shape)} expects {C2}"
        )
    if sh < 1 or sw < 1 or ph < 0 or pw < 0:
        raise ValueError(f"cuda conv2d: bad stride {stride} or padding {padding}")
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    if OH < 1 or OW < 1:
        raise ValueError(
            f"cuda conv2d: kernel {KH}x{KW} is larger than the padded input "
            f"{H + 2 * ph}x{W + 2 * pw}"
        )
    return (B, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw)


def conv2d_forward_launch(out, x, w, x_shape, w_shape, stride, padding) -> device.Launch | None:
    geom = conv2d_geometry(x_shape, w_shape, stride, padding)
    device.on_device(out=out, x=x, w=w)
    B, O, OH, OW = geom[0], geom[4], geom[7], geom[8]
    return device.per_element(_kernel("conv2d_forward_kernel", x), B * O * OH * OW, (out, x, w, geom))


def conv2d_backward_input_launch(grad_x, grad_out, w, x_shape, w_shape, stride,
                                 padding) -> device.Launch | None:
    geom = conv2d_geometry(x_shape, w_shape, stride, padding)
    device.on_device(grad_x=grad_x, grad_out=grad_out, w=w)
    B, C, H, W = geom[:4]
    return device.per_element(
        _kernel("conv2d_backward_input_kernel", grad_out), B * C * H * W, (grad_x, grad_out, w, geom)
    )


def conv2d_backward_weight_launch(grad_w, x, grad_out, x_shape, w_shape, stride,
                                  padding) -> device.Launch | None:
    geom = conv2d_geometry(x_shape, w_shape, stride, padding)
    device.on_device(grad_w=grad_w, x=x, grad_out=grad_out)
    B, C, _, _, O, KH, KW, OH, OW = geom[:9]
    n_weights = O * C * KH * KW
    if n_weights == 0:
        return None
    lim = device.limits()
    threads = device.reduce_threads_for(B * OH * OW, min(lim.reduce_threads, SCRATCH))
    return device.Launch(_kernel("conv2d_backward_weight_kernel", x), min(n_weights, lim.max_blocks), threads,
                         (grad_w, x, grad_out, geom))
