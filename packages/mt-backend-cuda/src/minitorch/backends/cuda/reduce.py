"""Reduction along one dimension: sum, max, argmax.

One block per output element (grid-stride over outputs when there are more
than the block cap): the block's threads stride along the reduced dimension,
each folding its values into a private partial, then a shared-memory tree
(`blockreduce`) combines the partials. This suits the common shapes of a
framework (reducing a row of a batch, a channel of an image); a reduction of
one huge vector uses a single block, which is correct but leaves most of a
GPU idle.

max and argmax share one path: both track (value, first index), NaN wins,
exactly as the reference backend's loop does. argmax writes int64.

Dtypes: float32 / float64 inputs run `reduce_kernel` made for their dtype,
whose partials have that dtype (float32 sums in float32, as PyTorch's CUDA
reductions do; the tree keeps the rounding error near log2(n) ulps);
int32 / int64 (and bool) inputs run `reduce_int_kernel`, whose partials are
int64, so integer sums are exact (mt-tensor widens bool and
int32 to int64 before a sum, as PyTorch does).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float32, float64, int64

from minitorch.tensor import ops

from . import device
from .blockreduce import (
    argmax_beats,
    block_argmax,
    block_argmax_int,
    block_sum,
    int_argmax_beats,
)

# Compile-time size of the shared scratch (numba freezes module globals).
SCRATCH = device.MAX_REDUCE_THREADS

# Codes are positions in ops.REDUCE_OPS, frozen into the compiled kernel like
# SCRATCH; why that table only grows at the end is explained with the map and
# zip codes in elementwise.py.
REDUCE_CODES: dict[str, int] = ops.op_codes(ops.REDUCE_OPS)
SUM = REDUCE_CODES["sum"]
MAX = REDUCE_CODES["max"]
ARGMAX = REDUCE_CODES["argmax"]


def _make_reduce_kernel(f):
    """The kernels below, computing in numba float type `f` (float32 tensors in float32)."""

    @cuda.jit
    def reduce_kernel(code, out, out_strides, out_shape, a, a_strides, dim, length, out_size):
        """out[idx] = op(a[idx with dim = 0 .. length-1]) for every idx of out_shape."""
        values = cuda.shared.array(SCRATCH, f)
        indices = cuda.shared.array(SCRATCH, int64)
        tid = cuda.threadIdx.x
        nthreads = cuda.blockDim.x
        step = a_strides[dim]
        # The loop bound is the same for every thread of a block, so all of them
        # reach the barriers inside the tree reductions together.
        for ordinal in range(cuda.blockIdx.x, out_size, cuda.gridDim.x):
            rest = ordinal
            out_pos = 0
            base = 0
            for d in range(len(out_shape) - 1, -1, -1):
                i = rest % out_shape[d]
                rest //= out_shape[d]
                out_pos += i * out_strides[d]
                base += i * a_strides[d]
            if code == SUM:
                acc = f(0.0)
                for j in range(tid, length, nthreads):
                    acc += f(a[base + j * step])
                values[tid] = acc
                total = block_sum(values, tid, nthreads)
                if tid == 0:
                    out[out_pos] = total
            elif code == MAX or code == ARGMAX:
                best = f(-math.inf)
                best_j = -1
                for j in range(tid, length, nthreads):
                    v = f(a[base + j * step])
                    if argmax_beats(v, j, best, best_j):
                        best = v
                        best_j = j
                values[tid] = best
                indices[tid] = best_j
                best, best_j = block_argmax(values, indices, tid, nthreads)
                if tid == 0:
                    if code == MAX:
                        out[out_pos] = best
                    else:
                        out[out_pos] = best_j  # int64 out; exact in a float one too
            elif tid == 0:
                # Unknown code: reduce_launch refuses unknown names, and a kernel
                # cannot raise (see apply_map in elementwise.py); NaN marks it.
                out[out_pos] = math.nan

    return {
        "reduce_kernel": reduce_kernel,
    }


_BY_DTYPE = {np.dtype(np.float64): _make_reduce_kernel(float64),
             np.dtype(np.float32): _make_reduce_kernel(float32)}
reduce_kernel = _BY_DTYPE[np.dtype(np.float64)]["reduce_kernel"]


def _kernel(name: str, storage):
    """The kernel `name` made for `storage`'s float dtype."""
    kernels = _BY_DTYPE.get(np.dtype(storage.dtype))
    if kernels is None:
        raise TypeError(f"cuda {name}: expected float32 or float64, got {storage.dtype}")
    return kernels[name]


@cuda.jit
def reduce_int_kernel(code, out, out_strides, out_shape, a, a_strides, dim, length,
                      out_size):
    """`reduce_kernel` for int32 / int64 / bool inputs, in exact int64.

    The partials live in int64 scratch, so a sum of int64 values beyond 2**53
    stays exact (float64 scratch would round it); no NaN exists, so max and
    argmax are plain comparisons, the first maximum winning.
    """
    values = cuda.shared.array(SCRATCH, int64)
    indices = cuda.shared.array(SCRATCH, int64)
    tid = cuda.threadIdx.x
    nthreads = cuda.blockDim.x
    step = a_strides[dim]
    for ordinal in range(cuda.blockIdx.x, out_size, cuda.gridDim.x):
        rest = ordinal
        out_pos = 0
        base = 0
        for d in range(len(out_shape) - 1, -1, -1):
            i = rest % out_shape[d]
            rest //= out_shape[d]
            out_pos += i * out_strides[d]
            base += i * a_strides[d]
        if code == SUM:
            acc = int64(0)
            for j in range(tid, length, nthreads):
                acc += int64(a[base + j * step])
            values[tid] = acc
            total = block_sum(values, tid, nthreads)
            if tid == 0:
                out[out_pos] = total
        elif code == MAX or code == ARGMAX:
            best = int64(0)
            best_j = -1
            for j in range(tid, length, nthreads):
                v = int64(a[base + j * step])
                if int_argmax_beats(v, j, best, best_j):
                    best = v
                    best_j = j
            values[tid] = best
            indices[tid] = best_j
            best, best_j = block_argmax_int(values, indices, tid, nthreads)
            if tid == 0:
                if code == MAX:
                    out[out_pos] = best
                else:
                    out[out_pos] = best_j
        elif tid == 0:
            out[out_pos] = 0  # unknown code (refused on the host): no NaN to mark it


def reduce_launch(op: str, out, out_strides, out_shape, a, a_strides, a_shape,
                  dim: int) -> device.Launch | None:
    """The launch for `Backend.reduce`, or None when there is nothing to do."""
    code = REDUCE_CODES.get(op)
    if code is None:
        raise ops.unknown_op("cuda reduce", op, ops.REDUCE_OPS)
    ndim = len(a_shape)
    if not 0 <= dim < max(ndim, 1):
        raise ValueError(f"cuda reduce: dim {dim} is out of range for shape {tuple(a_shape)}")
    if ndim == 0:
        out_shape, out_strides, a_shape, a_strides = (1,), (0,), (1,), (0,)
    out_shape, out_strides = device.as_ints(out_shape), device.as_ints(out_strides)
    a_shape, a_strides = device.as_ints(a_shape), device.as_ints(a_strides)
    length = a_shape[dim]
    out_size = 1
    for s in out_shape:
        out_size *= s
    if out_size == 0:
        return None
    if length == 0 and code != SUM:
        raise ValueError(f"cuda reduce: {op} over an empty dimension {dim} of shape {a_shape}")
    lim = device.limits()
    threads = device.reduce_threads_for(length, min(lim.reduce_threads, device.MAX_REDUCE_THREADS))
    blocks = min(out_size, lim.max_blocks)
    device.on_device(out=out, a=a)
    kernel = _kernel("reduce_kernel", a) if a.dtype.kind == "f" else reduce_int_kernel
    args = (code, out, out_strides, out_shape, a, a_strides, int(dim), int(length),
            int(out_size))
    return device.Launch(kernel, blocks, threads, args)
