"""softmax and log_softmax along one dimension of a contiguous tensor.

A "row" is the set of elements that differ only in the index along `dim`:
with shape (..outer.., n, ..inner..) row r starts at
(r // inner) * n * inner + r % inner and steps by `inner`. One block per row
(grid-stride over rows): a block-wide max, a block-wide sum of exp(x - max),
then every thread writes its share. Subtracting the max keeps exp from
overflowing; log_softmax is (x - max) - log(sum), never log(softmax), so it
stays finite where softmax underflows to 0. The arithmetic is in the
tensor's dtype (one kernel per float dtype).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float32, float64

from . import device
from .blockreduce import block_max, block_sum, nan_max

# Compile-time size of the shared scratch (numba freezes module globals).
SCRATCH = device.MAX_REDUCE_THREADS


def _make_softmax_kernel(f):
    """The kernels below, computing in numba float type `f` (float32 tensors in float32)."""

    @cuda.jit
    def softmax_kernel(out, x, rows, n, inner, log):
        values = cuda.shared.array(SCRATCH, f)
        tid = cuda.threadIdx.x
        nthreads = cuda.blockDim.x
        for r in range(cuda.blockIdx.x, rows, cuda.gridDim.x):
            base = (r // inner) * n * inner + r % inner
            m = f(-math.inf)
            for j in range(tid, n, nthreads):
                m = nan_max(m, f(x[base + j * inner]))
            values[tid] = m
            m = block_max(values, tid, nthreads)
            s = f(0.0)
            for j in range(tid, n, nthreads):
                s += f(math.exp(f(x[base + j * inner]) - m))
            values[tid] = s
            s = block_sum(values, tid, nthreads)
            if log:
                # s >= 1 (the max contributes exp(0)) unless the row holds NaN or
                # +-inf, where s is NaN; the test keeps math.log off the simulator's
                # error path.
                log_s = f(math.log(s)) if s > 0 else f(math.nan)
                for j in range(tid, n, nthreads):
                    out[base + j * inner] = (f(x[base + j * inner]) - m) - log_s
            else:
                for j in range(tid, n, nthreads):
                    out[base + j * inner] = f(math.exp(f(x[base + j * inner]) - m)) / s

    return {
        "softmax_kernel": softmax_kernel,
    }


_BY_DTYPE = {np.dtype(np.float64): _make_softmax_kernel(float64),
             np.dtype(np.float32): _make_softmax_kernel(float32)}
softmax_kernel = _BY_DTYPE[np.dtype(np.float64)]["softmax_kernel"]


def _kernel(name: str, storage):
    """The kernel `name` made for `storage`'s float dtype."""
    kernels = _BY_DTYPE.get(np.dtype(storage.dtype))
    if kernels is None:
        raise TypeError(f"cuda {name}: expected float32 or float64, got {storage.dtype}")
    return kernels[name]


def softmax_launch(out, x, shape, dim: int, log: bool) -> device.Launch | None:
    """The launch for `Backend.softmax` (log=False) or `Backend.log_softmax`."""
    shape = device.as_ints(shape) or (1,)
    if not 0 <= dim < len(shape):
        raise ValueError(f"cuda softmax: dim {dim} is out of range for shape {shape}")
    n = shape[dim]
    inner = 1
    for s in shape[dim + 1:]:
        inner *= s
    rows = inner
    for s in shape[:dim]:
        rows *= s
    if rows == 0 or n == 0:
        return None
    lim = device.limits()
    threads = device.reduce_threads_for(n, min(lim.reduce_threads, device.MAX_REDUCE_THREADS))
    device.on_device(out=out, x=x)
    args = (out, x, rows, n, inner, bool(log))
    return device.Launch(_kernel("softmax_kernel", x), min(rows, lim.max_blocks), threads, args)
