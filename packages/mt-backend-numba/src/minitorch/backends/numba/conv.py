"""2-D convolution (cross-correlation, as in PyTorch): forward and both backwards.

All operands are contiguous: x (B, C, H, W), w (O, C, KH, KW),
out / grad_out (B, O, OH, OW) with OH = (H + 2*ph - KH) // sh + 1.

Direct loops rather than im2col: the seed CNN has 1 to 8 channels and 3x3
kernels on 28x28 images, where an im2col matrix would be 9x the input for a
product too thin to reach GEMM speed. Each kernel owns whole output planes,
so parallel iterations never write the same memory:

- forward: one (image, out-channel) plane per iteration; for each input
  channel and tap, add `w * shifted input row` to every output row. The
  innermost loop runs along an output row with unit input stride when
  stride is 1, which LLVM vectorizes.
- backward_input: one (image, in-channel) plane of grad_x per iteration; the
  transpose of forward (scatter each grad_out row into the input row).
- backward_weight: one (out-channel, in-channel) pair per iteration, summing
  over images and positions into a row of float64 partial sums (a vector
  of independent sums vectorizes; a single scalar sum would not).

For a tap (kh, kw) the output columns whose input column lies inside the
image are `ow_lo <= ow < ow_hi` (`_valid_range`); padding is never
materialized.
"""

from __future__ import annotations

import numpy as np

from numba import njit, prange

from .matmul import FMA
from .pointwise import JIT


@njit(**JIT)
def _valid_range(out_size, in_size, k, stride, pad):
    """[lo, hi) of output positions o with 0 <= o*stride + k - pad < in_size."""
    first = pad - k
    lo = 0 if first <= 0 else (first + stride - 1) // stride
    last = in_size - 1 + pad - k
    hi = 0 if last < 0 else min(out_size, last // stride + 1)
    return lo, max(lo, hi)


@njit(parallel=True, fastmath=FMA, **JIT)
def conv2d_forward(out, x, w, B, C, H, W, O, KH, KW, sh, sw, ph, pw):
    """out[b, o] = sum_c,kh,kw w[o, c, kh, kw] * x_padded[b, c, oh*sh + kh, ow*sw + kw]."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    for t in prange(B * O):
        b = t // O
        o = t % O
        plane = out[t * OH * OW:(t + 1) * OH * OW]
        plane[:] = 0
        for c in range(C):
            xp = x[(b * C + c) * H * W:(b * C + c + 1) * H * W]
            for kh in range(KH):
                oh_lo, oh_hi = _valid_range(OH, H, kh, sh, ph)
                for kw in range(KW):
                    wv = w[((o * C + c) * KH + kh) * KW + kw]
                    ow_lo, ow_hi = _valid_range(OW, W, kw, sw, pw)
                    width = ow_hi - ow_lo
                    for oh in range(oh_lo, oh_hi):
                        ih = oh * sh + kh - ph
                        orow = plane[oh * OW + ow_lo:oh * OW + ow_hi]
                        x0 = ih * W + ow_lo * sw + kw - pw
                        if sw == 1:
                            xrow = xp[x0:x0 + width]
                            for j in range(width):
                                orow[j] += wv * xrow[j]
                        else:
                            for j in range(width):
                                orow[j] += wv * xp[x0 + j * sw]


@njit(parallel=True, fastmath=FMA, **JIT)
def conv2d_backward_input(grad_x, grad_out, w, B, C, H, W, O, KH, KW, sh, sw, ph, pw):
    """grad_x = the transpose of conv2d_forward applied to grad_out."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    for t in prange(B * C):
        b = t // C
        c = t % C
        gx = grad_x[t * H * W:(t + 1) * H * W]
        gx[:] = 0
        for o in range(O):
            g = grad_out[(b * O + o) * OH * OW:(b * O + o + 1) * OH * OW]
            for kh in range(KH):
                oh_lo, oh_hi = _valid_range(OH, H, kh, sh, ph)
                for kw in range(KW):
                    wv = w[((o * C + c) * KH + kh) * KW + kw]
                    ow_lo, ow_hi = _valid_range(OW, W, kw, sw, pw)
                    width = ow_hi - ow_lo
                    for oh in range(oh_lo, oh_hi):
                        ih = oh * sh + kh - ph
                        grow = g[oh * OW + ow_lo:oh * OW + ow_hi]
                        x0 = ih * W + ow_lo * sw + kw - pw
                        if sw == 1:
                            xrow = gx[x0:x0 + width]
                            for j in range(width):
                                xrow[j] += wv * grow[j]
                        else:
                            for j in range(width):
                                gx[x0 + j * sw] += wv * grow[j]


@njit(parallel=True, fastmath=FMA, **JIT)
def conv2d_backward_weight(grad_w, x, grad_out, B, C, H, W, O, KH, KW, sh, sw, ph, pw):
    """grad_w[o, c, kh, kw] = sum_b,oh,ow grad_out[b, o, oh, ow] * x_padded[...]."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    for t in prange(O * C):
        o = t // C
        c = t % C
        partial = np.zeros(OW, dtype=np.float64)
        for kh in range(KH):
            oh_lo, oh_hi = _valid_range(OH, H, kh, sh, ph)
            for kw in range(KW):
                ow_lo, ow_hi = _valid_range(OW, W, kw, sw, pw)
                width = ow_hi - ow_lo
                partial[:] = 0
                for b in range(B):
                    xp = x[(b * C + c) * H * W:(b * C + c + 1) * H * W]
                    g = grad_out[(b * O + o) * OH * OW:(b * O + o + 1) * OH * OW]
                    for oh in range(oh_lo, oh_hi):
                        ih = oh * sh + kh - ph
                        grow = g[oh * OW + ow_lo:oh * OW + ow_hi]
                        x0 = ih * W + ow_lo * sw + kw - pw
                        if sw == 1:
                            xrow = xp[x0:x0 + width]
                            for j in range(width):
                                partial[j] += grow[j] * xrow[j]
                        else:
                            for j in range(width):
                                partial[j] += grow[j] * xp[x0 + j * sw]
                grad_w[((o * C + c) * KH + kh) * KW + kw] = partial.sum()
