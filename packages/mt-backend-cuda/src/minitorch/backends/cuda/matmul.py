"""Batched matrix multiply: register-blocked tiles staged through shared memory.

A block of TY x TX threads computes one BM x BN tile of one output matrix
(BM = TY * RM rows, BN = TX * RN columns): each thread owns RM x RN outputs,
accumulated in registers. The block walks the shared dimension k in steps
of BK: all its threads load a BK x BM slice of `a` and a BK x BN slice of `b`
into shared memory, wait, and then for each of the BK values of k every
thread reads RM values of `a` and RN values of `b` from shared memory into
registers and does RM * RN multiply-adds with them. That is RM + RN shared
loads per RM * RN FMAs (8 per 16 with the GPU's 4 x 4; the old one-output-
per-thread tile needed 2 per FMA), and each global element is read n / BM
(or m / BN) times.

A thread's outputs are strided by TY rows and TX columns, not packed
together: neighbouring threads then read neighbouring `b` columns from
shared memory (no bank conflicts) and write neighbouring output columns
(coalesced stores), while all threads of a row read the same `a` value
(a broadcast).

Any strides work (loads compute each element's position; a batch stride of
0 broadcasts an operand); the slices are loaded with the innermost index
fastest across threads, so row-major operands load coalesced.

The grid: columns of tiles on x (up to 2**31 - 1 blocks), rows of tiles on
y capped at MAX_GRID_Y = 65535 with a grid-stride loop over the rest, and
batches on z, capped at 65535 the same way (`matmul_grid`). So no shape
overflows a grid dimension, however many rows it has.

The accumulator has the tensor's own dtype, like cuBLAS and PyTorch: one
kernel per dtype (shared-memory arrays need a compile-time dtype). Under the
simulator, every thread is a Python thread that meets every barrier, so a
smaller block (SIMULATOR_TILING) keeps it fast; results do not depend on
the tiling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import cuda, float32, float64

from . import device

MAX_GRID_Y = 65535
MAX_GRID_Z = 65535


@dataclass(frozen=True)
class Tiling:
    """Threads per block (ty, tx), outputs per thread (rm, rn) and the k step bk."""

    ty: int
    tx: int
    rm: int
    rn: int
    bk: int

    @property
    def rows(self) -> int:  # BM: output rows one block computes
        return self.ty * self.rm

    @property
    def cols(self) -> int:  # BN: output columns one block computes
        return self.tx * self.rn


# 256 threads, 64 x 64 outputs per block: 16 KiB of shared memory in float64.
HARDWARE_TILING = Tiling(ty=16, tx=16, rm=4, rn=4, bk=16)
SIMULATOR_TILING = Tiling(ty=2, tx=4, rm=2, rn=2, bk=16)


def _make_matmul_kernel(dtype, tiling: Tiling):
    """A register-blocked matmul kernel for numba type `dtype` and `tiling`."""
    TY, TX, RM, RN, BK = tiling.ty, tiling.tx, tiling.rm, tiling.rn, tiling.bk
    BM, BN = tiling.rows, tiling.cols
    NTHREADS = TY * TX

    @cuda.jit
    def matmul_kernel(out, out_strides, a, a_strides, b, b_strides, batch, n, k, m):
        a_tile = cuda.shared.array((BK, BM), dtype)  # a_tile[kk, r] = a[row0 + r, k0 + kk]
        b_tile = cuda.shared.array((BK, BN), dtype)  # b_tile[kk, c] = b[k0 + kk, col0 + c]
        acc = cuda.local.array((RM, RN), dtype)
        a_regs = cuda.local.array(RM, dtype)
        b_regs = cuda.local.array(RN, dtype)
        ty = cuda.threadIdx.y
        tx = cuda.threadIdx.x
        tid = ty * TX + tx
        col0 = cuda.blockIdx.x * BN
        for p in range(cuda.blockIdx.z, batch, cuda.gridDim.z):
            a_batch = p * a_strides[0]
            b_batch = p * b_strides[0]
            for row0 in range(cuda.blockIdx.y * BM, n, cuda.gridDim.y * BM):
                for i in range(RM):
                    for j in range(RN):
                        acc[i, j] = 0
                for k0 in range(0, k, BK):
                    # Out-of-range cells load as 0, so the product loop needs no test.
                    for e in range(tid, BM * BK, NTHREADS):
                        r = e // BK
                        kk = e - r * BK
                        if row0 + r < n and k0 + kk < k:
                            a_tile[kk, r] = a[a_batch + (row0 + r) * a_strides[1]
                                              + (k0 + kk) * a_strides[2]]
                        else:
                            a_tile[kk, r] = 0
                    for e in range(tid, BK * BN, NTHREADS):
                        kk = e // BN
                        c = e - kk * BN
                        if k0 + kk < k and col0 + c < m:
                            b_tile[kk, c] = b[b_batch + (k0 + kk) * b_strides[1]
                                              + (col0 + c) * b_strides[2]]
                        else:
                            b_tile[kk, c] = 0
                    cuda.syncthreads()
                    for kk in range(BK):
                        for i in range(RM):
                            a_regs[i] = a_tile[kk, ty + i * TY]
                        for j in range(RN):
                            b_regs[j] = b_tile[kk, tx + j * TX]
                        for i in range(RM):
                            for j in range(RN):
                                acc[i, j] += a_regs[i] * b_regs[j]
                    # The next slice overwrites the tiles others may still read.
                    cuda.syncthreads()
                for i in range(RM):
                    row = row0 + ty + i * TY
                    if row < n:
                        for j in range(RN):
                            col = col0 + tx + j * TX
                            if col < m:
                                out[p * out_strides[0] + row * out_strides[1]
                                    + col * out_strides[2]] = acc[i, j]

    return matmul_kernel


# Created at import (cheap) and compiled by numba on the first call of each.
_KERNELS = {
    (tiling, np.dtype(np_type)): _make_matmul_kernel(nb_type, tiling)
    for tiling in (HARDWARE_TILING, SIMULATOR_TILING)
    for np_type, nb_type in ((np.float32, float32), (np.float64, float64))
}


def tiling() -> Tiling:
    """The tiling launches use on the device this process drives."""
    return SIMULATOR_TILING if device.simulator_enabled() else HARDWARE_TILING


def kernel_for(dtype, tiles: Tiling | None = None):
    """The kernel for `dtype` (float32 or float64) and `tiles` (default: `tiling()`)."""
    kernel = _KERNELS.get((tiles or tiling(), np.dtype(dtype)))
    if kernel is None:
        raise TypeError(f"cuda matmul: unsupported dtype {dtype}; use float32 or float64")
    return kernel


def matmul_grid(batch: int, n: int, m: int, tiles: Tiling,
                max_z: int = MAX_GRID_Z) -> tuple[int, int, int]:
    """Blocks (x, y, z): tile columns on x, tile rows on y and batches on z, y and z
    capped at 65535 (the kernel loops over the rest)."""
    cols = -(-m // tiles.cols)
    rows = -(-n // tiles.rows)
    return cols, min(rows, MAX_GRID_Y), min(batch, max_z)


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
    for name, storage in (("a", a), ("b", b)):
        if storage.dtype != out.dtype:
            raise TypeError(f"cuda matmul: {name} is {storage.dtype} but out is {out.dtype}; "
                            "mt-tensor converts operands to one dtype first")
    tiles = tiling()
    kernel = kernel_for(out.dtype, tiles)
    # The simulator runs blocks one after another: few z blocks looping over
    # the batch simulate faster and still exercise the grid-stride path.
    blocks = matmul_grid(batch, n, m, tiles, max_z=2 if device.simulator_enabled() else MAX_GRID_Z)
    args = (out, device.as_ints(out_strides), a, device.as_ints(a_strides), b,
            device.as_ints(b_strides), batch, n, k, m)
    return device.Launch(kernel, blocks, (tiles.tx, tiles.ty), args)  # x first, as CUDA
