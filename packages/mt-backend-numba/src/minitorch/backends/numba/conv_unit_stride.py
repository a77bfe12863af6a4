"""Stride-1 convolutions as long flat loops over zero-padded planes.

The general kernels in `conv.py` loop over output rows; on the seed CNN's
28-wide rows a vectorized loop of 16 or 32 lanes barely runs and most work
falls into scalar remainders. With stride 1 there is a better layout: copy
each input plane once into a zero-padded (Hp, Wp) plane. Then every tap
(kh, kw) is one shift of the flattened plane,

    acc[q] += w[kh, kw] * padded[q + kh * Wp + kw]    for q < L,

with acc laid out on the padded row pitch Wp (columns OW .. Wp-1 of each
row are computed and thrown away, (Wp - OW) / Wp of the work, 7% at 28x28
with padding 1). L is a few hundred elements, which vectorizes well, and
no bounds test remains inside the loop.

- forward: correlate padded x with w.
- backward_input: a "full" correlation of grad_out, padded by K-1-p, with
  the kernel flipped (valid when padding <= kernel - 1).
- backward_weight: grad_out is re-laid on the padded pitch Wp, then each tap
  is a dot product of it with a shifted padded x plane, summed over blocks
  of images into a vector of partial sums, the blocks lane by lane into a
  float64 vector, and that vector in 8 interleaved float64 chains.
"""

from __future__ import annotations

import numpy as np

from numba import njit, prange

from .matmul import FMA, _prefer_wide_vectors
from .pointwise import JIT


@njit(**JIT)
def _pad_plane(dst, src, H, W, top, left, Wp):
    """dst (zeroed first) gets the (H, W) plane src at row top, column left."""
    dst[:] = 0
    for i in range(H):
        row = dst[(top + i) * Wp + left:(top + i) * Wp + left + W]
        line = src[i * W:(i + 1) * W]
        for j in range(W):
            row[j] = line[j]


@njit(parallel=True, **JIT)
def _pad_all(src, planes, H, W, top, Hp, left, Wp):
    """Every (H, W) plane of src inside a zeroed (Hp, Wp) plane."""
    dst = np.empty(planes * Hp * Wp, dtype=src.dtype)
    for p in prange(planes):
        _pad_plane(dst[p * Hp * Wp:(p + 1) * Hp * Wp], src[p * H * W:(p + 1) * H * W],
                   H, W, top, left, Wp)
    return dst


@njit(fastmath=FMA, **JIT)
def _correlate_plane(acc, src, Wp, KH, KW, w, flip):
    """acc[q] += sum over taps of w[tap] * src[q + kh*Wp + kw] (w flipped if `flip`)."""
    _prefer_wide_vectors()
    n = acc.shape[0]
    for kh in range(KH):
        for kw in range(KW):
            wv = w[(KH - 1 - kh) * KW + (KW - 1 - kw)] if flip else w[kh * KW + kw]
            shifted = src[kh * Wp + kw:kh * Wp + kw + n]
            for q in range(n):
                acc[q] += wv * shifted[q]


@njit(parallel=True, **JIT)
def conv2d_forward_s1(out, x, w, B, C, H, W, O, KH, KW, ph, pw):
    """conv2d_forward for stride (1, 1)."""
    Hp = H + 2 * ph
    Wp = W + 2 * pw
    OH = Hp - KH + 1
    OW = Wp - KW + 1
    n = (OH - 1) * Wp + OW
    xp = _pad_all(x, B * C, H, W, ph, Hp, pw, Wp)
    taps = KH * KW
    for t in prange(B * O):
        b = t // O
        o = t % O
        acc = np.zeros(n, dtype=out.dtype)
        for c in range(C):
            plane = xp[(b * C + c) * Hp * Wp:(b * C + c + 1) * Hp * Wp]
            _correlate_plane(acc, plane, Wp, KH, KW,
                             w[(o * C + c) * taps:(o * C + c + 1) * taps], False)
        for oh in range(OH):
            dst = out[(t * OH + oh) * OW:(t * OH + oh + 1) * OW]
            src = acc[oh * Wp:oh * Wp + OW]
            for j in range(OW):
                dst[j] = src[j]


@njit(parallel=True, **JIT)
def conv2d_backward_input_s1(grad_x, grad_out, w, B, C, H, W, O, KH, KW, ph, pw):
    """conv2d_backward_input for stride (1, 1) and padding <= kernel - 1."""
    OH = H + 2 * ph - KH + 1
    OW = W + 2 * pw - KW + 1
    top = KH - 1 - ph
    left = KW - 1 - pw
    Hg = OH + 2 * top
    Wg = OW + 2 * left
    n = (H - 1) * Wg + W
    gp = _pad_all(grad_out, B * O, OH, OW, top, Hg, left, Wg)
    taps = KH * KW
    for t in prange(B * C):
        b = t // C
        c = t % C
        acc = np.zeros(n, dtype=grad_x.dtype)
        for o in range(O):
            plane = gp[(b * O + o) * Hg * Wg:(b * O + o + 1) * Hg * Wg]
            _correlate_plane(acc, plane, Wg, KH, KW,
                             w[(o * C + c) * taps:(o * C + c + 1) * taps], True)
        for ih in range(H):
            dst = grad_x[(t * H + ih) * W:(t * H + ih + 1) * W]
            src = acc[ih * Wg:ih * Wg + W]
            for j in range(W):
                dst[j] = src[j]


@njit(fastmath=FMA, **JIT)
def _accumulate_products(partial, g, shifted):
    """partial[q] += g[q] * shifted[q]: independent lanes, so it vectorizes."""
    _prefer_wide_vectors()
    for q in range(partial.shape[0]):
        partial[q] += g[q] * shifted[q]


@njit(**JIT)
def _sum8(values):
    """Sum in 8 interleaved float64 chains: a strict left-to-right sum waits one
    add latency per element (no reassociation is allowed), which cost more
    than the products themselves."""
    lanes = np.zeros(8, dtype=np.float64)
    n8 = values.shape[0] // 8 * 8
    for q in range(0, n8, 8):
        for lane in range(8):
            lanes[lane] += values[q + lane]
    total = 0.0
    for q in range(n8, values.shape[0]):
        total += values[q]
    for lane in range(8):
        total += lanes[lane]
    return total


@njit(parallel=True, **JIT)
def conv2d_backward_weight_s1(grad_w, x, grad_out, B, C, H, W, O, KH, KW, ph, pw):
    """conv2d_backward_weight for stride (1, 1)."""
    Hp = H + 2 * ph
    Wp = W + 2 * pw
    OH = Hp - KH + 1
    OW = Wp - KW + 1
    n = (OH - 1) * Wp + OW
    xp = _pad_all(x, B * C, H, W, ph, Hp, pw, Wp)
    # grad_out on the padded pitch: row oh of plane (b, o) starts at oh * Wp.
    gp = _pad_all(grad_out, B * O, OH, OW, 0, OH, 0, Wp)
    # A lane of `partial` sums one position over a block of images in the
    # storage dtype; blocks are then added in float64, which keeps float32
    # error near that of a float64 sum while the hot loop stays float32.
    # Image by image, all taps at once: the image's two planes stay in L1
    # while the KH*KW partial vectors (30 KB at 3x3 on 28x28) are updated.
    images_per_block = 16
    taps = KH * KW
    for t in prange(O * C):
        o = t // C
        c = t % C
        partial = np.empty((taps, n), dtype=grad_w.dtype)
        wide = np.zeros((taps, n), dtype=np.float64)
        for b0 in range(0, B, images_per_block):
            partial[:] = 0
            for b in range(b0, min(b0 + images_per_block, B)):
                g = gp[(b * O + o) * OH * Wp:]
                plane = (b * C + c) * Hp * Wp
                for kh in range(KH):
                    for kw in range(KW):
                        xs = plane + kh * Wp + kw
                        _accumulate_products(partial[kh * KW + kw], g, xp[xs:xs + n])
            # Lane by lane (vectorized); one scalar sum per tap, not per block.
            for tap in range(taps):
                row = wide[tap]
                part = partial[tap]
                for q in range(n):
                    row[q] += part[q]
        for tap in range(taps):
            grad_w[(o * C + c) * taps + tap] = _sum8(wide[tap])
