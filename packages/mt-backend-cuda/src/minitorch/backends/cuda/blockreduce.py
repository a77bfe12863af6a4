"""Block-wide tree reductions over shared memory, shared by several kernels.

Each thread first folds its own slice of the data into one partial value,
writes it to `values[tid]`, and then every thread of the block calls one of
these: log2(blockDim) rounds, each halving the number of live partials, with
a barrier between rounds. The block size must be a power of two (see
`device.reduce_threads_for`). For float tensors the scratch arrays have
the tensor's dtype (each kernel is made per float dtype); integer tensors
use int64 scratch and the `_int` variants (exact, no NaN).
"""

from __future__ import annotations

import math

from numba import cuda


@cuda.jit(device=True)
def nan_max(a, b):
    """max(a, b) that propagates NaN, like the `max` zip op."""
    if a >= b or math.isnan(a):
        return a
    return b


@cuda.jit(device=True)
def argmax_beats(value, index, best, best_index):
    """Whether (value, index) replaces (best, best_index) as the running argmax.

    The first maximum wins; NaN counts as larger than any number (as in the
    reference backend and numpy); index -1 marks "no value yet".
    """
    if index < 0:
        return False
    if best_index < 0:
        return True
    if math.isnan(value):
        return (not math.isnan(best)) or index < best_index
    if math.isnan(best):
        return False
    return value > best or (value == best and index < best_index)


@cuda.jit(device=True)
def int_argmax_beats(value, index, best, best_index):
    """`argmax_beats` for integers (no NaN): the first maximum wins."""
    if index < 0:
        return False
    if best_index < 0:
        return True
    return value > best or (value == best and index < best_index)


@cuda.jit(device=True)
def block_sum(values, tid, nthreads):
    """Sum of values[:nthreads], returned to every thread of the block."""
    cuda.syncthreads()
    stride = nthreads // 2
    while stride > 0:
        if tid < stride:
            values[tid] += values[tid + stride]
        cuda.syncthreads()
        stride //= 2
    total = values[0]
    # Nobody may overwrite values[0] until every thread has read it.
    cuda.syncthreads()
    return total


@cuda.jit(device=True)
def block_max(values, tid, nthreads):
    """NaN-propagating max of values[:nthreads], returned to every thread."""
    cuda.syncthreads()
    stride = nthreads // 2
    while stride > 0:
        if tid < stride:
            values[tid] = nan_max(values[tid], values[tid + stride])
        cuda.syncthreads()
        stride //= 2
    best = values[0]
    cuda.syncthreads()
    return best


@cuda.jit(device=True)
def block_argmax(values, indices, tid, nthreads):
    """(max, first index of the max) over the block's partials, to every thread."""
    cuda.syncthreads()
    stride = nthreads // 2
    while stride > 0:
        if tid < stride:
            other = tid + stride
            if argmax_beats(values[other], indices[other], values[tid], indices[tid]):
                values[tid] = values[other]
                indices[tid] = indices[other]
        cuda.syncthreads()
        stride //= 2
    best = values[0]
    best_index = indices[0]
    cuda.syncthreads()
    return best, best_index


@cuda.jit(device=True)
def block_argmax_int(values, indices, tid, nthreads):
    """`block_argmax` over integer partials (int64 scratch, no NaN)."""
    cuda.syncthreads()
    stride = nthreads // 2
    while stride > 0:
        if tid < stride:
            other = tid + stride
            if int_argmax_beats(values[other], indices[other], values[tid], indices[tid]):
                values[tid] = values[other]
                indices[tid] = indices[other]
        cuda.syncthreads()
        stride //= 2
    best = values[0]
    best_index = indices[0]
    cuda.syncthreads()
    return best, best_index
