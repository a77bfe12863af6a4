"""softmax and log_softmax along one dimension of a contiguous tensor.

The tensor is viewed as (outer, D, inner) with D the softmax dimension.
Both are computed stably: subtract the maximum of each line before exp, so
exp never overflows, and log_softmax is `x - max - log(sum(exp(x - max)))`
rather than the log of a softmax that may have underflowed to 0.

- inner == 1 (the last dimension, the common case): a line is contiguous;
  one line per task.
- inner > 1: a task owns a block of up to `BLOCK` inner columns of one outer
  index and sweeps the D rows with per-column running max and sum, so every
  read is contiguous.
Sums accumulate in float64.
"""

from __future__ import annotations

import math

import numpy as np

from numba import njit, prange

from .pointwise import JIT

BLOCK = 64


@njit(**JIT)
def _softmax_line(o, x, log):
    n = x.shape[0]
    m = -math.inf
    for j in range(n):
        if x[j] > m or x[j] != x[j]:
            m = x[j]
    s = 0.0
    for j in range(n):
        s += math.exp(x[j] - m)
    if log:
        shift = m + math.log(s)
        for j in range(n):
            o[j] = x[j] - shift
    else:
        scale = 1.0 / s
        for j in range(n):
            o[j] = math.exp(x[j] - m) * scale


@njit(**JIT)
def _softmax_block(out, x, base, D, inner, width, log):
    """Columns base .. base+width of a (D, inner) slab starting at `base`."""
    m = np.full(width, -math.inf)
    s = np.zeros(width)
    for r in range(D):
        row = x[base + r * inner:base + r * inner + width]
        for c in range(width):
            if row[c] > m[c] or row[c] != row[c]:
                m[c] = row[c]
    for r in range(D):
        row = x[base + r * inner:base + r * inner + width]
        for c in range(width):
            s[c] += math.exp(row[c] - m[c])
    for r in range(D):
        row = x[base + r * inner:base + r * inner + width]
        dst = out[base + r * inner:base + r * inner + width]
        if log:
            for c in range(width):
                dst[c] = row[c] - (m[c] + math.log(s[c]))
        else:
            for c in range(width):
                dst[c] = math.exp(row[c] - m[c]) / s[c]


@njit(**JIT)
def _softmax_task(out, x, t, D, inner, blocks, log):
    """Task t: a whole line (inner == 1) or one block of inner columns."""
    if inner == 1:
        _softmax_line(out[t * D:(t + 1) * D], x[t * D:(t + 1) * D], log)
        return
    i = t // blocks
    c0 = (t % blocks) * BLOCK
    _softmax_block(out, x, i * D * inner + c0, D, inner, min(BLOCK, inner - c0), log)


@njit(parallel=True, **JIT)
def softmax_kernel(out, x, outer, D, inner, log):
    """softmax (or log_softmax when `log`) over D for an (outer, D, inner) tensor."""
    blocks = 1 if inner == 1 else (inner + BLOCK - 1) // BLOCK
    for t in prange(outer * blocks):
        _softmax_task(out, x, t, D, inner, blocks, log)


@njit(**JIT)
def softmax_serial(out, x, outer, D, inner, log):
    """`softmax_kernel` on the calling thread: for small tensors, where starting the
    thread pool costs more than the work (a (64, 10) loss: ~80 us against ~3 us)."""
    blocks = 1 if inner == 1 else (inner + BLOCK - 1) // BLOCK
    for t in range(outer * blocks):
        _softmax_task(out, x, t, D, inner, blocks, log)
