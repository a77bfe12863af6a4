"""Stride-1 convolutions as register-tiled products over zero-padded planes.

The general kernels in `conv.py` loop over output rows; on the seed CNN's
28-wide rows a vectorized loop of 16 or 32 lanes barely runs and most work
falls into scalar remainders. With stride 1 there is a better layout: copy
each input plane once into a zero-padded (Hp, Wp) plane. Then every tap
(kh, kw) of channel c is one shift of the flattened planes of an image,

    out[o, q] = sum over k = (c, kh, kw) of w[o, k] * padded[shift[k] + q],
    shift[k] = c * Hp * Wp + kh * Wp + kw,

with q on the padded row pitch Wp (columns OW .. Wp-1 of each row are
computed and thrown away, 7% at 28x28 with padding 1). That is a matrix
product whose B operand is never built: a column k of B is the padded
planes read from `shift[k]`. Like the GEMM's micro-kernel, each register
tile keeps OB output channels by a block of positions in vector registers
(`_register_tile`), so every load of the input feeds OB fused
multiply-adds instead of one load and one store per multiply-add.

- forward: `_shifted_products` over padded x, weights packed as
  (channel group, k, OB). With fewer than OB output channels, a tile would
  be mostly zero rows: `_correlate_narrow` adds one tap at a time instead.
- backward_input: the same kernel on grad_out padded by K-1-p, with the
  kernel flipped and its in/out channels swapped (valid when padding <=
  kernel - 1).
- backward_weight: grad_w[o, k] = sum over images and q of g[o, q] *
  padded[shift[k] + q], with g re-laid on the padded pitch Wp (zeros in the
  thrown-away columns). A tile of OB channels by KB columns k keeps one
  vector of partial sums per pair; each image's partial sums are added to
  float64 totals, which keeps float32 error near that of a float64 sum
  while the hot loop stays float32.
"""

from __future__ import annotations

import numpy as np

from numba import njit, prange
from numba.extending import overload

from .matmul import FMA, _prefer_wide_vectors, _register_tile
from .pointwise import JIT

OB = 4  # output channels per register tile
KB = 4  # columns k per backward_weight tile
# One 512-bit vector of the storage dtype.
LANES: dict[int, int] = {4: 16, 8: 8}


def lanes(array) -> int:
    """Elements of `array`'s dtype in one 512-bit vector (a compile-time constant)."""
    return LANES[array.itemsize]


@overload(lanes)
def _lanes_constant(array):
    count = LANES[array.dtype.bitwidth // 8]
    return lambda array: count


@njit(parallel=True, **JIT)
def _pad_planes(src, planes, H, W, top, left, Wp, pitch, slack):
    """Each (H, W) plane of src at row top, column left of a zeroed plane of
    `pitch` elements and row pitch Wp; `slack` zeros after the last plane let
    a tile read past the end."""
    dst = np.empty(planes * pitch + slack, dtype=src.dtype)
    dst[planes * pitch:] = 0
    for p in prange(planes):
        plane = dst[p * pitch:(p + 1) * pitch]
        plane[:] = 0
        for i in range(H):
            row = plane[(top + i) * Wp + left:]
            line = src[(p * H + i) * W:(p * H + i + 1) * W]
            for j in range(W):
                row[j] = line[j]
    return dst


@njit(**JIT)
def _tap_shifts(channels, pitch, KH, KW, Wp):
    """shift[k] of the module doc for k = (c, kh, kw) in row-major order."""
    shifts = np.empty(channels * KH * KW, dtype=np.int64)
    for c in range(channels):
        for kh in range(KH):
            for kw in range(KW):
                shifts[(c * KH + kh) * KW + kw] = c * pitch + kh * Wp + kw
    return shifts


@njit(**JIT)
def _pack_weights(w, O, C, KH, KW, transpose):
    """wp[group, k, ob] = w[group*OB + ob, c, kh, kw] for k = (c, kh, kw), zero
    past O; with `transpose`, the backward_input form: channels swapped
    (k = (o, kh, kw), groups over C) and the kernel flipped."""
    outs, ins = (C, O) if transpose else (O, C)
    groups = (outs + OB - 1) // OB
    K = ins * KH * KW
    wp = np.zeros(groups * K * OB, dtype=w.dtype)
    for u in range(outs):
        g, ob = u // OB, u % OB
        for v in range(ins):
            for kh in range(KH):
                for kw in range(KW):
                    if transpose:
                        value = w[((v * C + u) * KH + KH - 1 - kh) * KW + KW - 1 - kw]
                    else:
                        value = w[((u * C + v) * KH + kh) * KW + kw]
                    wp[(g * K + (v * KH + kh) * KW + kw) * OB + ob] = value
    return wp


@njit(fastmath=FMA, **JIT)
def _shifted_products(src, s0, shifts, wp, w0, buf, b0, row):
    """buf[b0 + ob*row + j] = sum_k wp[w0 + k*OB + ob] * src[s0 + shifts[k] + j]
    for ob < OB and j < 4 vectors of lanes (one register tile)."""
    _prefer_wide_vectors()
    qb = 4 * lanes(src)
    acc = _register_tile(src)
    for t in range(OB * qb):
        acc[t] = 0
    for k in range(shifts.shape[0]):
        s = s0 + shifts[k]
        column = src[s:s + qb]  # a slice: indexes known >= 0, no wraparound test
        for ob in range(OB):
            wv = wp[w0 + k * OB + ob]
            for j in range(qb):
                acc[ob * qb + j] += wv * column[j]
    for ob in range(OB):
        for j in range(qb):
            buf[b0 + ob * row + j] = acc[ob * qb + j]


@njit(fastmath=FMA, **JIT)
def _shifted_sum(acc, src, s0, shifts, wp, w0):
    """acc[q] += sum_k wp[w0 + k*OB] * src[s0 + shifts[k] + q]: one tap at a time."""
    _prefer_wide_vectors()
    n = acc.shape[0]
    for k in range(shifts.shape[0]):
        wv = wp[w0 + k * OB]
        column = src[s0 + shifts[k]:s0 + shifts[k] + n]
        for q in range(n):
            acc[q] += wv * column[q]


@njit(parallel=True, **JIT)
def _correlate_narrow(out, src, wp, shifts, B, planes, pitch, O, Wp, OH, OW):
    """`_correlate` for fewer than OB output channels (a register tile would be
    mostly zero rows: a 1-channel input's gradient), one task per (image,
    channel), one tap at a time over the whole plane."""
    n = (OH - 1) * Wp + OW
    for t in prange(B * O):
        b = t // O
        o = t % O
        acc = np.zeros(n, dtype=out.dtype)
        _shifted_sum(acc, src, b * planes * pitch, shifts, wp, o)
        for oh in range(OH):
            dst = out[(t * OH + oh) * OW:(t * OH + oh + 1) * OW]
            line = acc[oh * Wp:oh * Wp + OW]
            for j in range(OW):
                dst[j] = line[j]


@njit(parallel=True, **JIT)
def _correlate(out, src, wp, shifts, B, planes, pitch, O, Wp, OH, OW):
    """out (B, O, OH, OW) = the product of the module doc over src's images
    (`planes` planes of `pitch` elements each), one task per (image, group of
    OB channels)."""
    qb = 4 * lanes(out)
    n = (OH - 1) * Wp + OW
    blocks = (n + qb - 1) // qb
    row = blocks * qb
    groups = (O + OB - 1) // OB
    K = shifts.shape[0]
    for t in prange(B * groups):
        b = t // groups
        g = t % groups
        buf = np.empty(OB * row, dtype=out.dtype)
        for i in range(blocks):
            _shifted_products(src, b * planes * pitch + i * qb, shifts, wp, g * K * OB,
                              buf, i * qb, row)
        for ob in range(min(OB, O - g * OB)):
            for oh in range(OH):
                dst = out[((b * O + g * OB + ob) * OH + oh) * OW:]
                line = buf[ob * row + oh * Wp:]
                for j in range(OW):
                    dst[j] = line[j]


@njit(**JIT)
def conv2d_forward_s1(out, x, w, B, C, H, W, O, KH, KW, ph, pw):
    """conv2d_forward for stride (1, 1)."""
    Hp = H + 2 * ph
    Wp = W + 2 * pw
    OH = Hp - KH + 1
    OW = Wp - KW + 1
    qb = 4 * lanes(out)
    slack = qb + KH * Wp + KW
    xp = _pad_planes(x, B * C, H, W, ph, pw, Wp, Hp * Wp, slack)
    shifts = _tap_shifts(C, Hp * Wp, KH, KW, Wp)
    wp = _pack_weights(w, O, C, KH, KW, False)
    if O < OB:
        _correlate_narrow(out, xp, wp, shifts, B, C, Hp * Wp, O, Wp, OH, OW)
    else:
        _correlate(out, xp, wp, shifts, B, C, Hp * Wp, O, Wp, OH, OW)


@njit(**JIT)
def conv2d_backward_input_s1(grad_x, grad_out, w, B, C, H, W, O, KH, KW, ph, pw):
    """conv2d_backward_input for stride (1, 1) and padding <= kernel - 1."""
    OH = H + 2 * ph - KH + 1
    OW = W + 2 * pw - KW + 1
    top = KH - 1 - ph
    left = KW - 1 - pw
    Hg = OH + 2 * top
    Wg = OW + 2 * left
    qb = 4 * lanes(grad_x)
    slack = qb + KH * Wg + KW
    gp = _pad_planes(grad_out, B * O, OH, OW, top, left, Wg, Hg * Wg, slack)
    shifts = _tap_shifts(O, Hg * Wg, KH, KW, Wg)
    wp = _pack_weights(w, O, C, KH, KW, True)
    if C < OB:
        _correlate_narrow(grad_x, gp, wp, shifts, B, O, Hg * Wg, C, Wg, H, W)
    else:
        _correlate(grad_x, gp, wp, shifts, B, O, Hg * Wg, C, Wg, H, W)


@njit(fastmath=FMA, **JIT)
def _weight_tile(g_planes, g_row, g_rows, xp, xpitch, shifts, k0, k_cols, B, O, wide):
    """wide[ob*KB + kb] = sum over the B images and all positions q of
    g_planes[b*O + g_row + ob, q] * xp[b*xpitch + shifts[k0 + kb] + q]; rows
    past g_rows and columns past k_cols repeat the last valid one (their sums
    are never stored).

    Written out for OB = KB = 4 with one view per row and column: indexing
    one flat array at a computed offset would test every index for
    wraparound, and LLVM then does not vectorize the lanes at all (40x
    slower, measured)."""
    _prefer_wide_vectors()
    L = lanes(xp)
    acc = _register_tile(xp)
    n = g_planes.shape[1]
    for t in range(OB * KB):
        wide[t] = 0.0
    for b in range(B):
        for t in range(OB * KB * L):
            acc[t] = 0
        xb = b * xpitch
        s0 = xb + shifts[k0]
        s1 = xb + shifts[k0 + min(1, k_cols - 1)]
        s2 = xb + shifts[k0 + min(2, k_cols - 1)]
        s3 = xb + shifts[k0 + min(3, k_cols - 1)]
        x0, x1, x2, x3 = xp[s0:s0 + n], xp[s1:s1 + n], xp[s2:s2 + n], xp[s3:s3 + n]
        r = b * O + g_row
        g0 = g_planes[r]
        g1 = g_planes[r + min(1, g_rows - 1)]
        g2 = g_planes[r + min(2, g_rows - 1)]
        g3 = g_planes[r + min(3, g_rows - 1)]
        for step in range(n // L):  # not range(0, n, L): that one does not vectorize
            q = step * L
            for lane in range(L):
                i = q + lane
                a0, a1, a2, a3 = g0[i], g1[i], g2[i], g3[i]
                c0, c1, c2, c3 = x0[i], x1[i], x2[i], x3[i]
                acc[0 * L + lane] += a0 * c0
                acc[1 * L + lane] += a0 * c1
                acc[2 * L + lane] += a0 * c2
                acc[3 * L + lane] += a0 * c3
                acc[4 * L + lane] += a1 * c0
                acc[5 * L + lane] += a1 * c1
                acc[6 * L + lane] += a1 * c2
                acc[7 * L + lane] += a1 * c3
                acc[8 * L + lane] += a2 * c0
                acc[9 * L + lane] += a2 * c1
                acc[10 * L + lane] += a2 * c2
                acc[11 * L + lane] += a2 * c3
                acc[12 * L + lane] += a3 * c0
                acc[13 * L + lane] += a3 * c1
                acc[14 * L + lane] += a3 * c2
                acc[15 * L + lane] += a3 * c3
        for t in range(OB * KB):
            total = 0.0
            for lane in range(L):
                total += acc[t * L + lane]
            wide[t] += total


@njit(parallel=True, **JIT)
def conv2d_backward_weight_s1(grad_w, x, grad_out, B, C, H, W, O, KH, KW, ph, pw):
    """conv2d_backward_weight for stride (1, 1): one task per tile of OB
    output channels by KB columns k = (c, kh, kw)."""
    Hp = H + 2 * ph
    Wp = W + 2 * pw
    OH = Hp - KH + 1
    OW = Wp - KW + 1
    L = lanes(grad_w)
    # g on the padded pitch, each plane rounded up to whole vectors (zeros).
    gpitch = (OH * Wp + L - 1) // L * L
    gp = _pad_planes(grad_out, B * O, OH, OW, 0, 0, Wp, gpitch, 0).reshape((B * O, gpitch))
    xp = _pad_planes(x, B * C, H, W, ph, pw, Wp, Hp * Wp, gpitch + KH * Wp + KW)
    shifts = _tap_shifts(C, Hp * Wp, KH, KW, Wp)
    K = shifts.shape[0]
    o_groups = (O + OB - 1) // OB
    k_groups = (K + KB - 1) // KB
    for t in prange(o_groups * k_groups):
        og = t // k_groups
        kg = t % k_groups
        wide = np.empty(OB * KB, dtype=np.float64)
        rows = min(OB, O - og * OB)
        cols = min(KB, K - kg * KB)
        _weight_tile(gp, og * OB, rows, xp, C * Hp * Wp, shifts, kg * KB, cols, B, O, wide)
        for ob in range(rows):
            for kb in range(cols):
                grad_w[(og * OB + ob) * K + kg * KB + kb] = wide[ob * KB + kb]
