"""Storage positions of one element for several strided operands at once.

Every elementwise and indexing kernel walks the row-major ordinals of an
iteration `shape` and needs, for each ordinal, where that element sits in
each operand (its strides; a broadcast operand has stride 0). These device
functions peel the index off from the last dimension once and accumulate
every operand's position on the way; numba-cuda inlines them into the
kernels that call them.
"""

from __future__ import annotations

from numba import cuda


@cuda.jit(device=True, inline=True)
def positions1(ordinal, shape, s0):
    rest = ordinal
    p0 = 0
    for d in range(len(shape) - 1, -1, -1):
        i = rest % shape[d]
        rest //= shape[d]
        p0 += i * s0[d]
    return p0


@cuda.jit(device=True, inline=True)
def positions2(ordinal, shape, s0, s1):
    rest = ordinal
    p0 = 0
    p1 = 0
    for d in range(len(shape) - 1, -1, -1):
        i = rest % shape[d]
        rest //= shape[d]
        p0 += i * s0[d]
        p1 += i * s1[d]
    return p0, p1


@cuda.jit(device=True, inline=True)
def positions3(ordinal, shape, s0, s1, s2):
    rest = ordinal
    p0 = 0
    p1 = 0
    p2 = 0
    for d in range(len(shape) - 1, -1, -1):
        i = rest % shape[d]
        rest //= shape[d]
        p0 += i * s0[d]
        p1 += i * s1[d]
        p2 += i * s2[d]
    return p0, p1, p2


@cuda.jit(device=True, inline=True)
def positions4(ordinal, shape, s0, s1, s2, s3):
    rest = ordinal
    p0 = 0
    p1 = 0
    p2 = 0
    p3 = 0
    for d in range(len(shape) - 1, -1, -1):
        i = rest % shape[d]
        rest //= shape[d]
        p0 += i * s0[d]
        p1 += i * s1[d]
        p2 += i * s2[d]
        p3 += i * s3[d]
    return p0, p1, p2, p3
