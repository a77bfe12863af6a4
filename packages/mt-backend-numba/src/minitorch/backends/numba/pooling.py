"""2-D max and average pooling over contiguous (B, C, H, W) inputs.

One (image, channel) plane per parallel iteration, so the backward passes
can scatter into their own plane of grad_x without races. Output size is
OH = (H + 2*ph - KH) // sh + 1 (same for W).

Max pooling pads with -inf: a window position outside the image holds -inf.
The gradient of a window goes to its *first* maximum in row-major order
(strict `>` while scanning), the reference's rule; a window whose first
maximum is a padded position sends its gradient nowhere. NaN wins like in
the reductions. Average pooling divides by KH*KW whatever the overlap with
the padding (PyTorch's count_include_pad=True).
"""

from __future__ import annotations

import math

import numpy as np

from numba import njit, prange

from .pointwise import JIT


@njit(**JIT)
def _window_argmax(xp, H, W, top, left, KH, KW):
    """(value, flat position or -1 for padding) of the first max of a window.

    Only the in-image cells are scanned (no bounds test per cell). A padded
    cell (-inf) can only be the first maximum when every in-image value is
    -inf and the window's first cell, (top, left), is padding.
    """
    r0 = max(top, 0)
    r1 = min(top + KH, H)
    c0 = max(left, 0)
    c1 = min(left + KW, W)
    if r0 >= r1 or c0 >= c1:
        return -math.inf, -1
    best = xp[r0 * W + c0]
    where = r0 * W + c0
    for ih in range(r0, r1):
        for iw in range(c0, c1):
            v = xp[ih * W + iw]
            # Bitwise, not short-circuit: a select instead of a branch that
            # random data would mispredict half the time. (Windows are a few
            # cells wide: plain indexing beats slicing a view per row here.)
            take = (v > best) | ((v != v) & (best == best))
            best = v if take else best
            where = ih * W + iw if take else where
    if best == -math.inf and (top < 0 or left < 0):
        where = -1
    return best, where


@njit(**JIT)
def _inside_argmax(xp, W, top, left, KH, KW):
    """(value, flat position) of the first max of a window inside the image.

    Each row's first max is found on its own chain, and the rows are merged
    in order with the same rule (take the later one only if it is greater,
    or NaN over a number), which gives the same cell as one row-major scan:
    the row chains are independent, so the window waits on KW + KH steps
    instead of KH * KW. `~(v <= best) & (best == best)` is that rule in two
    comparisons.
    """
    best = xp[top * W + left]
    where = top * W + left
    for kh in range(KH):
        r0 = (top + kh) * W + left
        row = xp[r0:r0 + KW]
        row_best = row[0]
        row_where = 0
        for kw in range(1, KW):
            v = row[kw]
            take = ~(v <= row_best) & (row_best == row_best)
            row_best = v if take else row_best
            row_where = kw if take else row_where
        take = ~(row_best <= best) & (best == best)
        best = row_best if take else best
        where = r0 + row_where if take else where
    return best, where


@njit(**JIT)
def _inside_max(xp, W, top, left, KH, KW):
    """The value of `_inside_argmax` alone: numba keeps the position's
    selects when the caller drops them, which made the forward 2x slower."""
    best = xp[top * W + left]
    for kh in range(KH):
        row = xp[(top + kh) * W + left:(top + kh) * W + left + KW]
        row_best = row[0]
        for kw in range(1, KW):
            v = row[kw]
            row_best = v if ~(v <= row_best) & (row_best == row_best) else row_best
        best = row_best if ~(row_best <= best) & (best == best) else best
    return best


@njit(parallel=True, **JIT)
def max_pool2d_forward(out, x, B, C, H, W, KH, KW, sh, sw, ph, pw):
    """out[b, c, oh, ow] = max of the (KH, KW) window at (oh*sh - ph, ow*sw - pw)."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    for t in prange(B * C):
        xp = x[t * H * W:(t + 1) * H * W]
        for oh in range(OH):
            top = oh * sh - ph
            for ow in range(OW):
                left = ow * sw - pw
                if top >= 0 and left >= 0 and top + KH <= H and left + KW <= W:
                    best = _inside_max(xp, W, top, left, KH, KW)
                else:
                    best, _ = _window_argmax(xp, H, W, top, left, KH, KW)
                out[(t * OH + oh) * OW + ow] = best


@njit(parallel=True, **JIT)
def max_pool2d_backward(grad_x, x, grad_out, B, C, H, W, KH, KW, sh, sw, ph, pw):
    """grad_x: each window's gradient added at its first maximum."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    for t in prange(B * C):
        xp = x[t * H * W:(t + 1) * H * W]
        gx = grad_x[t * H * W:(t + 1) * H * W]
        # All of the plane's argmaxes first, then the scatter: stores into gx
        # between the scans (numba cannot tell gx from x apart) made every
        # later load wait on the address of a store, which hangs on the whole
        # compare-and-select chain of its window: 2.5x the forward's time.
        where = np.empty(OH * OW, dtype=np.int64)
        for oh in range(OH):
            top = oh * sh - ph
            for ow in range(OW):
                left = ow * sw - pw
                if top >= 0 and left >= 0 and top + KH <= H and left + KW <= W:
                    _, where[oh * OW + ow] = _inside_argmax(xp, W, top, left, KH, KW)
                else:
                    _, where[oh * OW + ow] = _window_argmax(xp, H, W, top, left, KH, KW)
        g = grad_out[t * OH * OW:(t + 1) * OH * OW]
        gx[:] = 0
        for i in range(OH * OW):
            if where[i] >= 0:
                gx[where[i]] += g[i]


@njit(parallel=True, **JIT)
def max_pool2d_forward_indices(out, indices, x, B, C, H, W, KH, KW, sh, sw, ph, pw):
    """`max_pool2d_forward`, also writing each window's first maximum's position in
    its plane (-1: padding) for `max_pool2d_backward_indices`."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    for t in prange(B * C):
        xp = x[t * H * W:(t + 1) * H * W]
        for oh in range(OH):
            top = oh * sh - ph
            for ow in range(OW):
                left = ow * sw - pw
                if top >= 0 and left >= 0 and top + KH <= H and left + KW <= W:
                    best, where = _inside_argmax(xp, W, top, left, KH, KW)
                else:
                    best, where = _window_argmax(xp, H, W, top, left, KH, KW)
                out[(t * OH + oh) * OW + ow] = best
                indices[(t * OH + oh) * OW + ow] = where


@njit(parallel=True, **JIT)
def max_pool2d_backward_indices(grad_x, grad_out, indices, planes, HW, OHW):
    """grad_x = 0, then grad_out added at the saved positions, plane by plane."""
    for t in prange(planes):
        gx = grad_x[t * HW:(t + 1) * HW]
        gx[:] = 0
        g = grad_out[t * OHW:(t + 1) * OHW]
        where = indices[t * OHW:(t + 1) * OHW]
        for i in range(OHW):
            if where[i] >= 0:
                gx[where[i]] += g[i]


@njit(parallel=True, **JIT)
def avg_pool2d_forward(out, x, B, C, H, W, KH, KW, sh, sw, ph, pw):
    """out = (sum of the window's in-image values) / (KH * KW)."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    scale = 1.0 / (KH * KW)
    for t in prange(B * C):
        xp = x[t * H * W:(t + 1) * H * W]
        for oh in range(OH):
            top = oh * sh - ph
            for ow in range(OW):
                left = ow * sw - pw
                acc = 0.0
                for ih in range(max(top, 0), min(top + KH, H)):
                    for iw in range(max(left, 0), min(left + KW, W)):
                        acc += xp[ih * W + iw]
                out[(t * OH + oh) * OW + ow] = acc * scale


@njit(parallel=True, **JIT)
def avg_pool2d_backward(grad_x, grad_out, B, C, H, W, KH, KW, sh, sw, ph, pw):
    """grad_x: each window's gradient / (KH * KW) added to its in-image cells."""
    OH = (H + 2 * ph - KH) // sh + 1
    OW = (W + 2 * pw - KW) // sw + 1
    scale = 1.0 / (KH * KW)
    for t in prange(B * C):
        gx = grad_x[t * H * W:(t + 1) * H * W]
        gx[:] = 0
        for oh in range(OH):
            top = oh * sh - ph
            for ow in range(OW):
                left = ow * sw - pw
                g = grad_out[(t * OH + oh) * OW + ow] * scale
                for ih in range(max(top, 0), min(top + KH, H)):
                    for iw in range(max(left, 0), min(left + KW, W)):
                        gx[ih * W + iw] += g
