"""Batched matrix multiply, our own code: no BLAS, numpy is only the storage.

shape = (batch, n, k, m): out[z] (n, m) = a[z] (n, k) @ b[z] (k, m); every
operand is given by a flat storage and 3 strides (batch, row, column), and a
batch stride of 0 broadcasts that operand.

Large products use the classic blocked scheme (Goto / BLIS):

    for each block of mc rows of C, in parallel (one task each):
        for each (jc, pc) block of B:  pack B[pc:pc+kc, jc:jc+nc] into
                                       column panels NR wide
            pack A[ic:ic+mc, pc:pc+kc] into row panels MR tall (L2 resident)
            for each B panel, for each A panel:
                micro-kernel: an MR x NR tile of C += panel_A @ panel_B

Packing reads the operands through their strides, so transposed and
broadcast operands cost one strided copy and then run at full speed, and
panel edges are zero-padded so the micro-kernel never branches. The
micro-kernel keeps its MR x NR accumulator in a stack buffer
(`_register_tile`); with constant MR and NR, LLVM unrolls the tile loops
and promotes the whole buffer to vector registers (with 512-bit vectors,
see `_prefer_wide_vectors`). MR x NR = 6 x 64 was the fastest float32 shape
we measured on this AVX-512 machine (24 zmm accumulators + 4 for B), and
3 x 64 for float64 (`TILE_ROWS`); NR =
32 or 48 is *much slower* because LLVM then fully unrolls the column loop
before it vectorizes. On a CPU with only AVX2 (16 ymm registers) this
tile spills; it stays correct but is far from peak. The k loop uses fused multiply-add (fastmath "contract" only,
see README: results differ from unfused ones in the last bits).

Tiny products (under 32k multiply-adds) and products with fewer than 4
rows or a k under 4 skip packing: `matmul_rows_tasks` computes one output
row at a time, vectorized along the row. Everything else is packed, even
with few columns: a 6 x 64 tile that is mostly zero padding still beats a
row loop of 10 columns, which LLVM cannot vectorize well.
"""

from __future__ import annotations

import numpy as np

from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic, overload
from numba.np.arrayobj import make_array, populate_array

from .pointwise import JIT

NR = 64
# Rows of the register tile per itemsize: 6 x 64 float32 = 24 zmm
# accumulators; float64 needs twice the registers per row, and 3 x 64 was
# the fastest float64 shape we measured (6 x 64 spills).
TILE_ROWS: dict[int, int] = {4: 6, 8: 3}
MR = max(TILE_ROWS.values())  # the stack tile is sized for the largest
# Only the contraction of a*b+c into one FMA instruction; no reassociation.
FMA = {"contract"}


@intrinsic
def _register_tile(typingctx, like):
    """A 1-D array of MR * NR elements of `like`'s dtype, on the stack.

    numba's np.empty goes to the heap, which LLVM cannot keep in registers;
    an alloca of constant size can be (after unrolling, SROA splits it).
    """
    array_type = types.Array(like.dtype, 1, "C")

    def codegen(context, builder, signature, args):
        element = context.get_data_type(like.dtype)
        data = cgutils.alloca_once(builder, element, size=MR * NR)
        array = make_array(array_type)(context, builder)
        itemsize = context.get_constant(types.intp, context.get_abi_sizeof(element))
        populate_array(
            array, data=data, shape=[context.get_constant(types.intp, MR * NR)],
            strides=[itemsize], itemsize=itemsize, meminfo=None,
        )
        return array._getvalue()

    return array_type(like), codegen


def tile_rows(array) -> int:
    """Rows of the register tile for `array`'s dtype (a compile-time constant)."""
    return TILE_ROWS[array.itemsize]


@overload(tile_rows)
def _tile_rows_constant(array):
    # Resolved while numba types the caller: the loops over tile rows then
    # have a constant trip count, which the micro-kernel needs to unroll.
    rows = TILE_ROWS[array.dtype.bitwidth // 8]
    return lambda array: rows


@intrinsic
def _prefer_wide_vectors(typingctx):
    """Let LLVM vectorize the calling function with 512-bit registers.

    LLVM's tuning for recent Intel cores prefers 256-bit vectors, which
    halves the micro-kernel's peak on an AVX-512 machine; the function
    attribute "prefer-vector-width"="512" (what clang's -mprefer-vector-width
    sets) lifts that for this one function. llvmlite only accepts a fixed
    list of attribute names, so the string attribute is added to the set
    directly; if that ever stops working, the kernel just stays 256-bit.
    On CPUs without AVX-512 the attribute has no effect.
    """

    def codegen(context, builder, signature, args):
        try:
            set.add(builder.function.attributes, '"prefer-vector-width"="512"')
        except Exception:  # noqa: BLE001 - an optimization hint, never an error
            pass
        return context.get_dummy_value()

    return types.none(), codegen


@njit(fastmath=FMA, **JIT)
def _micro(kc, ap, bp, out, o0, os0, os1, rows, cols, accumulate):
    """out tile (rows x cols at o0) (+)= ap (kc x mr, packed) @ bp (kc x NR)."""
    _prefer_wide_vectors()
    mr = tile_rows(ap)
    acc = _register_tile(ap)
    for t in range(mr * NR):
        acc[t] = 0
    for p in range(kc):
        for i in range(mr):
            av = ap[p * mr + i]
            for j in range(NR):
                acc[i * NR + j] += av * bp[p * NR + j]
    if os1 == 1 and cols == NR:
        # Full-width tile of a row-major out: vector stores along each row.
        for i in range(rows):
            dst = out[o0 + i * os0:o0 + i * os0 + NR]
            src = acc[i * NR:(i + 1) * NR]
            if accumulate:
                for j in range(NR):
                    dst[j] += src[j]
            else:
                for j in range(NR):
                    dst[j] = src[j]
        return
    for i in range(rows):
        row = o0 + i * os0
        if accumulate:
            for j in range(cols):
                out[row + j * os1] += acc[i * NR + j]
        else:
            for j in range(cols):
                out[row + j * os1] = acc[i * NR + j]


@njit(**JIT)
def _pack_a(a, a0, s_row, s_col, rows, kc, ap):
    """ap[panel, p, i] = a[a0 + (panel*mr + i)*s_row + p*s_col], zero past `rows`."""
    mr = tile_rows(ap)
    panels = (rows + mr - 1) // mr
    for q in range(panels):
        dst = ap[q * kc * mr:(q + 1) * kc * mr]
        if s_row == 1 and (q + 1) * mr <= rows:
            # A stored transposed (the weight gradient's G^T): each k step
            # reads mr neighbours; the row-wise loop below would read every
            # element at a stride of a whole column.
            for p in range(kc):
                src = a0 + q * mr + p * s_col
                for i in range(mr):
                    dst[p * mr + i] = a[src + i]
            continue
        for i in range(mr):
            r = q * mr + i
            if r < rows:
                src = a0 + r * s_row
                for p in range(kc):
                    dst[p * mr + i] = a[src + p * s_col]
            else:
                for p in range(kc):
                    dst[p * mr + i] = 0


@njit(**JIT)
def _pack_b_panel(b, b0, s_row, s_col, kc, cols, dst):
    """dst[p, j] = b[b0 + p*s_row + j*s_col] for one NR-wide panel, zero past `cols`."""
    if s_col == 1 and cols == NR:
        for p in range(kc):
            src = b[b0 + p * s_row:b0 + p * s_row + NR]
            row = dst[p * NR:(p + 1) * NR]
            for j in range(NR):
                row[j] = src[j]
        return
    for p in range(kc):
        for j in range(NR):
            dst[p * NR + j] = b[b0 + p * s_row + j * s_col] if j < cols else 0


@njit(fastmath=FMA, **JIT)
def _gemm_block(out, out_strides, a, a_strides, b, b_strides, z, i0, rows, j_lo, j_hi, k,
                kc_max, nc_max):
    """Rows i0 .. i0+rows, columns j_lo .. j_hi of out[z]: the jc / pc / jr / ir
    loops of the module doc."""
    mr = tile_rows(out)
    panels_a = (rows + mr - 1) // mr
    ap = np.empty(panels_a * mr * kc_max, dtype=out.dtype)
    bp = np.empty(kc_max * ((min(nc_max, j_hi - j_lo) + NR - 1) // NR) * NR, dtype=out.dtype)
    za = z * a_strides[0] + i0 * a_strides[1]
    zb = z * b_strides[0]
    zo = z * out_strides[0] + i0 * out_strides[1]
    for jc in range(j_lo, j_hi, nc_max):
        nc = min(nc_max, j_hi - jc)
        panels_b = (nc + NR - 1) // NR
        for pc in range(0, k, kc_max):
            kc = min(kc_max, k - pc)
            for q in range(panels_b):
                _pack_b_panel(b, zb + pc * b_strides[1] + (jc + q * NR) * b_strides[2],
                              b_strides[1], b_strides[2], kc, min(NR, nc - q * NR),
                              bp[q * kc * NR:(q + 1) * kc * NR])
            _pack_a(a, za + pc * a_strides[2], a_strides[1], a_strides[2], rows, kc,
                    ap[:panels_a * mr * kc])
            for q in range(panels_b):
                bpanel = bp[q * kc * NR:(q + 1) * kc * NR]
                j0 = jc + q * NR
                for r in range(panels_a):
                    _micro(kc, ap[r * kc * mr:(r + 1) * kc * mr], bpanel, out,
                           zo + r * mr * out_strides[1] + j0 * out_strides[2],
                           out_strides[1], out_strides[2],
                           min(mr, rows - r * mr), min(NR, j_hi - j0), pc > 0)


@njit(parallel=True, **JIT)
def matmul_blocked(out, out_strides, a, a_strides, b, b_strides, batch, n, k, m,
                   mc, mb, kc_max, nc_max):
    """Blocked, packed GEMM (see module docstring), one task per (matrix, block
    of mc rows, block of mb columns). Each task packs the parts of A and B it
    needs itself: a little duplicated copying buys a single parallel region
    with no barrier inside, which matters on a machine where another process
    can preempt one of our threads (every barrier would then wait a whole
    time slice). Splitting the columns instead of the rows (mb < m) is what
    keeps every core busy on a product with few rows, such as a batch of 64
    through a linear layer: each task then copies only its own columns of
    the large B."""
    ic_blocks = (n + mc - 1) // mc
    jc_blocks = (m + mb - 1) // mb
    for t in prange(batch * ic_blocks * jc_blocks):
        z = t // (ic_blocks * jc_blocks)
        i0 = (t // jc_blocks % ic_blocks) * mc
        j0 = (t % jc_blocks) * mb
        _gemm_block(out, out_strides, a, a_strides, b, b_strides, z, i0, min(mc, n - i0),
                    j0, min(j0 + mb, m), k, kc_max, nc_max)


@njit(fastmath=FMA, **JIT)
def matmul_rows_tasks(out, out_strides, a, a_strides, b, b_strides, n, k, m, t0, t1):
    """Output rows t0 .. t1 (row t = batch t // n, row t % n), no packing."""
    acc = np.empty(m, dtype=out.dtype)
    for t in range(t0, t1):
        z = t // n
        i = t % n
        acc[:] = 0
        arow = z * a_strides[0] + i * a_strides[1]
        for p in range(k):
            av = a[arow + p * a_strides[2]]
            b0 = z * b_strides[0] + p * b_strides[1]
            if b_strides[2] == 1:
                brow = b[b0:b0 + m]
                for j in range(m):
                    acc[j] += av * brow[j]
            else:
                for j in range(m):
                    acc[j] += av * b[b0 + j * b_strides[2]]
        o0 = z * out_strides[0] + i * out_strides[1]
        for j in range(m):
            out[o0 + j * out_strides[2]] = acc[j]


@njit(parallel=True, **JIT)
def matmul_rows_parallel(out, out_strides, a, a_strides, b, b_strides, batch, n, k, m,
                         per_unit):
    """matmul_rows_tasks over all batch * n rows, `per_unit` rows per iteration."""
    rows = batch * n
    units = (rows + per_unit - 1) // per_unit
    for u in prange(units):
        t0 = u * per_unit
        matmul_rows_tasks(out, out_strides, a, a_strides, b, b_strides, n, k, m,
                          t0, min(t0 + per_unit, rows))
