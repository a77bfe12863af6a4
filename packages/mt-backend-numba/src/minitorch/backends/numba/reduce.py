"""Reductions along one dimension: sum, max, argmax.

Two layouts, chosen by `plugin.NumbaBackend.reduce`:

- `reduce_lines_*`: any strides. Each output position walks its own line of
  `a` along the reduced dimension. Parallel over output positions. Good when
  the reduced dimension is the innermost one (stride 1).
- `reduce_columns_*`: `a` is (outer, R, inner) with a contiguous inner block
  and `out` is (outer, inner) with a contiguous inner block. A task owns a
  slice of the inner block and sweeps the R rows top to bottom, so each load
  streams through memory and the update vectorizes. This is the layout of
  `x.sum(0)` on a contiguous matrix, which the line walk would read
  column-wise.

Semantics follow the reference backend: float sums accumulate in float64
(like Python floats) and are stored in the tensor's dtype; integer (and
bool) sums accumulate exactly in int64; max and argmax let a NaN win (the
first NaN, for argmax); argmax is the first index of the maximum, written
into the int64 output mt-tensor allocates (any numeric output works). Max
of an integer storage stays an integer (never routed through float64). An
empty reduced dimension gives 0 for sum and argmax and -inf for a float max
(0 for an integer one); mt-tensor refuses empty max / argmax anyway.

Dtypes (`ops`' "which dtypes each op is called with"): sum on int64,
float32, float64; max on int32, int64, float32, float64; argmax on those,
out int64. The same kernels serve all of them: the accumulator type is
chosen from the storage's numba type at compile time (`_acc_*` below, via
`numba.extending.overload`), so a float storage compiles to the float code
it always had.
"""

from __future__ import annotations

import math

import numpy as np

from minitorch.tensor import ops
from numba import njit, prange, types
from numba.extending import overload

from .pointwise import JIT, OVERLOAD_JIT

# Codes are positions in ops.REDUCE_OPS, frozen into the compiled (and disk
# cached) kernels like the map/zip codes; see pointwise.py for why the
# table is append-only.
REDUCE_CODES: dict[str, int] = ops.op_codes(ops.REDUCE_OPS)
SUM = REDUCE_CODES["sum"]
MAX = REDUCE_CODES["max"]
ARGMAX = REDUCE_CODES["argmax"]


# -- accumulator types by storage dtype (compile time) ---------------------------


def _acc_zero(a):
    """0 of the accumulator type of storage `a`: float64 for floats, else int64."""
    raise NotImplementedError


def _acc(a, v):
    """`v` as the accumulator type of storage `a`."""
    raise NotImplementedError


def _acc_zeros(a, width):
    """np.zeros(width) of the accumulator type of storage `a`."""
    raise NotImplementedError


def _empty_result(a, code):
    """What reducing an empty dimension gives: -inf for a float max, else 0."""
    raise NotImplementedError


def _is_float(a) -> bool:
    return isinstance(a.dtype, types.Float)


@overload(_acc_zero, jit_options=OVERLOAD_JIT)
def _acc_zero_impl(a):
    if _is_float(a):
        return lambda a: 0.0
    return lambda a: np.int64(0)


@overload(_acc, jit_options=OVERLOAD_JIT)
def _acc_impl(a, v):
    if _is_float(a):
        return lambda a, v: np.float64(v)
    return lambda a, v: np.int64(v)


@overload(_acc_zeros, jit_options=OVERLOAD_JIT)
def _acc_zeros_impl(a, width):
    if _is_float(a):
        return lambda a, width: np.zeros(width, dtype=np.float64)
    return lambda a, width: np.zeros(width, dtype=np.int64)


@overload(_empty_result, jit_options=OVERLOAD_JIT)
def _empty_result_impl(a, code):
    if _is_float(a):
        return lambda a, code: -math.inf if code == MAX else 0.0
    return lambda a, code: np.int64(0)


@njit(**JIT)
def _check_code(code):
    """No silent default: a code outside ops.REDUCE_OPS raises."""
    if code != SUM and code != MAX and code != ARGMAX:
        raise ValueError("reduce: unknown op code (not in minitorch.tensor.ops.REDUCE_OPS)")


@njit(**JIT)
def _reduce_line(code, a, base, step, size):
    """Reduce a[base + j * step] for j < size; returns a float64 (float storages)
    or an int64 (integer and bool storages)."""
    _check_code(code)
    if code == SUM:
        acc = _acc_zero(a)
        for j in range(size):
            acc += a[base + j * step]
        return acc
    if size == 0:
        return _empty_result(a, code)
    best = a[base]
    best_j = 0
    for j in range(1, size):
        v = a[base + j * step]
        if v > best or (v != v and best == best):
            best = v
            best_j = j
    if code == MAX:
        return _acc(a, best)
    return _acc(a, best_j)


@njit(**JIT)
def reduce_lines_tasks(code, out, out_strides, out_shape, a, a_strides, dim, size, p0, p1):
    """Output positions p0 .. p1 (flat, row-major over `out_shape`); `size`
    is the extent of the reduced dimension `dim` of `a`."""
    nd = out_shape.shape[0]
    step = a_strides[dim]
    for p in range(p0, p1):
        rem = p
        o = 0
        base = 0
        for d in range(nd - 1, -1, -1):
            i = rem % out_shape[d]
            rem //= out_shape[d]
            o += i * out_strides[d]
            base += i * a_strides[d]
        out[o] = _reduce_line(code, a, base, step, size)


@njit(parallel=True, **JIT)
def reduce_lines_parallel(code, out, out_strides, out_shape, a, a_strides, dim, size,
                          npos, per_unit):
    """reduce_lines_tasks over all `npos` output positions."""
    units = (npos + per_unit - 1) // per_unit
    for u in prange(units):
        p0 = u * per_unit
        reduce_lines_tasks(code, out, out_strides, out_shape, a, a_strides, dim, size,
                           p0, min(p0 + per_unit, npos))


@njit(**JIT)
def _reduce_block(code, o, a, base, step, size):
    """o[c] = reduce over r of a[base + r * step + c], for c < len(o)."""
    width = o.shape[0]
    _check_code(code)
    if code == SUM:
        acc = _acc_zeros(a, width)
        for r in range(size):
            row = a[base + r * step:base + r * step + width]
            for c in range(width):
                acc[c] += row[c]
        for c in range(width):
            o[c] = acc[c]
        return
    if size == 0:
        o[:] = _empty_result(a, code)
        return
    best = a[base:base + width].copy()
    best_r = np.zeros(width, dtype=np.int64)
    for r in range(1, size):
        row = a[base + r * step:base + r * step + width]
        for c in range(width):
            v = row[c]
            b = best[c]
            take = v > b or (v != v and b == b)
            best[c] = v if take else b
            best_r[c] = r if take else best_r[c]
    if code == MAX:
        for c in range(width):
            o[c] = best[c]
    else:
        for c in range(width):
            o[c] = best_r[c]


@njit(**JIT)
def reduce_columns_tasks(code, out, a, size, inner, out_outer_stride, a_outer_stride,
                         a_dim_stride, chunk, t0, t1):
    """Tasks t0 .. t1; a task is `chunk` inner columns of one outer index."""
    per_outer = (inner + chunk - 1) // chunk
    for t in range(t0, t1):
        outer = t // per_outer
        c0 = (t % per_outer) * chunk
        width = min(chunk, inner - c0)
        o0 = outer * out_outer_stride + c0
        _reduce_block(code, out[o0:o0 + width], a, outer * a_outer_stride + c0,
                      a_dim_stride, size)


@njit(parallel=True, **JIT)
def reduce_columns_parallel(code, out, a, size, inner, out_outer_stride, a_outer_stride,
                            a_dim_stride, chunk, ntasks):
    """reduce_columns_tasks over all `ntasks`, one per parallel iteration."""
    for t in prange(ntasks):
        reduce_columns_tasks(code, out, a, size, inner, out_outer_stride, a_outer_stride,
                             a_dim_stride, chunk, t, t + 1)
