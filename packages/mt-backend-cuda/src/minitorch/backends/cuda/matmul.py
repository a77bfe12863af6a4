"""Batched matrix multiply with shared-memory tiles.

A block of TILE x TILE threads computes one TILE x TILE tile of one output
matrix. It walks the shared dimension k in steps of TILE: the block loads a
TILE x TILE tile of `a` and of `b` into shared memory (one element per
thread, neighbouring threads reading neighbouring columns so the loads
coalesce when the innermost stride is 1), waits, and each thread adds TILE
products to its own output element. Every input element is then read from
global memory n/TILE (or m/TILE) times instead of n (or m) times.

Unlike the elementwise kernels, the accumulator has the tensor's own dtype:
the inner loop is arithmetic-bound, and float32 accumulation is what cuBLAS
and PyTorch do. Shared-memory arrays need a compile-time dtype, so there is
one kernel per dtype, made by `_make_matmul_kernel`.

Batches go along the grid's z axis (grid-stride beyond 65535); a batch
stride of 0 broadcasts one operand across the batch.
"""

from __future__ import annotations

import numpy as np
from numba import cuda, float32, float64

from . import device

TILE = 16
MAX_GRID_Z = 65535


def _make_matmul_kernel(dtype):
    """A tiled matmul kernel whose tiles and accumulator have numba type `dtype`."""

    @cuda.jit
    def matmul_kernel(out, out_strides, a, a_strides, b, b_strides, batch, n, k, m):
        a_tile = cuda.shared.array((TILE, TILE), dtype)
        b_tile = cuda.shared.array((TILE, TILE), dtype)
        tx = cuda.threadIdx.x  # column within the tile
        ty = cuda.threadIdx.y  # row within the tile
        row = cuda.blockIdx.y * TILE + ty
        col = cuda.blockIdx.x * TILE + tx
        for p in range(cuda.blockIdx.z, batch, cuda.gridDim.z):
            a_base = p * a_strides[0] + row * a_strides[1]
            b_base = p * b_strides[0] + col * b_strides[2]
            acc = dtype(0.0)
            for start in range(0, k, TILE):
                # Out-of-range cells load as 0 so the product loop needs no test.
                t = start + tx
                if row < n and t < k:
                    a_tile[ty, tx] = a[a_base + t * a_strides[2]]
                else:
                    a_tile[ty, tx] = 0.0
                t = start + ty
                if t < k and col < m:
                    b_tile[ty, tx] = b[b_base + t * b_strides[1]]
                else:
                    b_tile[ty, tx] = 0.0
                cuda.syncthreads()
                for q in range(TILE):
                    acc += a_tile[ty, q] * b_tile[q, tx]
                # The next iteration overwrites the tiles others may still read.
                cuda.syncthreads()
            if row < n and col < m:
                out[p * out_strides[0] + row * out_strides[1] + col * out_strides[2]] = acc

    return matmul_kernel


# Created at import (cheap) and compiled by numba on the first call of each.
matmul_kernel_f32 = _make_matmul_kernel(float32)
matmul_kernel_f64 = _make_matmul_kernel(float64)
_KERNELS = {np.dtype(np.float32): matmul_kernel_f32, np.dtype(np.float64): matmul_kernel_f64}


def _grid_z(batch: int) -> int:
    # The simulator runs blocks one after another: fewer z blocks looping over
    # the batch simulate faster and still exercise the grid-stride path.
    return min(batch, 2 if device.simulator_enabled() else MAX_GRID_Z)


def matmul_launch(out, out_strides, a, a_strides, b, b_strides,
                  shape: tuple[int, int, int, int]) -> device.Launch | None:
    """The launch for `Backend.matmul`, or None when the output is empty."""
    batch, n, k, m = device.as_ints(shape)
    for name, strides in (("out", out_strides), ("a", a_strides), ("b", b_strides)):
        if len(strides) != 3:
            raise ValueError(f"cuda matmul: {name}_strides must have 3 entries, got {strides}")
    if batch == 0 or n == 0 or m == 0:
        return None
    device.on_device(out=out, a=a, b=b)
    kernel = _KERNELS.get(np.dtype(out.dtype))
    if kernel is None:
        raise TypeError(f"cuda matmul: unsupported dtype {out.dtype}; use float32 or float64")
    blocks = (-(-m // TILE), -(-n // TILE), _grid_z(batch))
    args = (out, device.as_ints(out_strides), a, device.as_ints(a_strides), b,
            device.as_ints(b_strides), batch, n, k, m)
    return device.Launch(kernel, blocks, (TILE, TILE), args)
