"""The indexing kernels: take (gather), put (scatter, set or add) and nonzero.

mt-tensor lowers advanced indexing, gather, index_select, scatter,
scatter_add and nonzero onto these (`minitorch.tensor.ops.INDEX_OPS`); it
computes the element offsets, so a kernel only walks an iteration space of
plain strided operands plus an int64 `offsets` operand:

- `take`: out[idx] = a[pos(idx, a_strides) + offsets[pos(idx, offsets_strides)]]
  Every output element is written once, so the tasks are independent:
  `take_tasks` runs on the calling thread, `take_parallel` spreads the same
  tasks (the `layout.elementwise_plan` split: rows of the coalesced last
  dimension, in chunks) over numba's threads for large launches.
- `put`: at p = pos(idx, out_strides) + offsets[pos(idx, offsets_strides)],
  out[p] = src[idx] ("set") or out[p] += src[idx] ("add"). Positions may
  repeat (scatter_add with duplicate indices), so `put_kernel` is one
  serial loop in row-major order of the (order-preservingly coalesced)
  iteration space: every value landing on an element is accumulated, in
  the reference's order, so float results are deterministic and equal the
  reference's; for "set" the last write wins.
- `nonzero`: the row-major indices of the non-zero elements (nan counts, -0.0
  does not) as rows of a contiguous int64 (count, ndim) output; serial.

All three take any of the five dtypes (bool, int32, int64, float32,
float64) for the values: the kernels only copy (and, for put "add", add in
the storage's own arithmetic: exact for integers, a bool "add" is a
logical or). No numpy routine does the work (no np.take / np.add.at /
np.nonzero): these are our own loops.
"""

from __future__ import annotations

import numpy as np

from minitorch.tensor import ops
from numba import njit, prange

from .elementwise import _row_offset
from .pointwise import JIT

# Codes are positions in ops.PUT_OPS (append-only, like the other tables).
PUT_CODES: dict[str, int] = ops.op_codes(ops.PUT_OPS)
PUT_SET = PUT_CODES["set"]
PUT_ADD = PUT_CODES["add"]


@njit(**JIT)
def take_tasks(out, out_strides, shape, a, a_strides, offsets, offsets_strides, t0, t1, chunk):
    """take for tasks t0 .. t1 (a task: `chunk` columns of one row of `shape`)."""
    last = shape.shape[0] - 1
    n = shape[last]
    per_row = (n + chunk - 1) // chunk
    os = out_strides[last]
    xs = a_strides[last]
    ks = offsets_strides[last]
    for t in range(t0, t1):
        row = t // per_row
        c0 = (t % per_row) * chunk
        m = min(chunk, n - c0)
        o0 = _row_offset(row, shape, out_strides) + c0 * os
        x0 = _row_offset(row, shape, a_strides) + c0 * xs
        k0 = _row_offset(row, shape, offsets_strides) + c0 * ks
        if ks == 0:
            # One offset for the whole run: a strided copy from a + offset.
            x0 += offsets[k0]
            if xs == 0:
                out[o0:o0 + (m - 1) * os + 1:os] = a[x0]
            else:
                o_v = out[o0:o0 + (m - 1) * os + 1:os]
                a_v = a[x0:x0 + (m - 1) * xs + 1:xs]
                for j in range(m):
                    o_v[j] = a_v[j]
        else:
            o_v = out[o0:o0 + (m - 1) * os + 1:os]
            k_v = offsets[k0:k0 + (m - 1) * ks + 1:ks]
            for j in range(m):
                o_v[j] = a[x0 + j * xs + k_v[j]]


@njit(parallel=True, **JIT)
def take_parallel(out, out_strides, shape, a, a_strides, offsets, offsets_strides,
                  ntasks, per_unit, chunk):
    """take_tasks over all `ntasks`, `per_unit` tasks per parallel iteration."""
    units = (ntasks + per_unit - 1) // per_unit
    for u in prange(units):
        t0 = u * per_unit
        take_tasks(out, out_strides, shape, a, a_strides, offsets, offsets_strides,
                   t0, min(t0 + per_unit, ntasks), chunk)


@njit(**JIT)
def put_kernel(code, out, out_strides, shape, src, src_strides, offsets, offsets_strides):
    """put over all of `shape`, serially in row-major order (duplicates accumulate
    in that order for "add"; the last one stays for "set")."""
    if code != PUT_SET and code != PUT_ADD:
        raise ValueError("put: unknown op code (not in minitorch.tensor.ops.PUT_OPS)")
    last = shape.shape[0] - 1
    n = shape[last]
    if n == 0:
        return
    rows = 1
    for d in range(last):
        rows *= shape[d]
    os = out_strides[last]
    ss = src_strides[last]
    ks = offsets_strides[last]
    for row in range(rows):
        o0 = _row_offset(row, shape, out_strides)
        s0 = _row_offset(row, shape, src_strides)
        k0 = _row_offset(row, shape, offsets_strides)
        if code == PUT_SET:
            for j in range(n):
                out[o0 + j * os + offsets[k0 + j * ks]] = src[s0 + j * ss]
        else:
            for j in range(n):
                p = o0 + j * os + offsets[k0 + j * ks]
                out[p] = out[p] + src[s0 + j * ss]


@njit(**JIT)
def nonzero_kernel(out, a, a_strides, shape):
    """Rows of `out` (contiguous int64, (count, ndim)): the row-major index of every
    a[idx] != 0. Raises if `a` holds more non-zero elements than `out` has rows."""
    nd = shape.shape[0]
    if nd == 0:
        return  # a 0-d input: its (0 or 1) rows have no columns
    size = 1
    for d in range(nd):
        size *= shape[d]
    if size == 0:
        return
    capacity = out.shape[0] // nd
    last = nd - 1
    n = shape[last]
    step = a_strides[last]
    index = np.zeros(nd, dtype=np.int64)
    row = 0
    for _ in range(size // n):
        base = 0
        for d in range(last):
            base += index[d] * a_strides[d]
        for j in range(n):
            if a[base + j * step] != 0:
                if row >= capacity:
                    raise ValueError("nonzero: more non-zero elements than output rows")
                at = row * nd
                for d in range(last):
                    out[at + d] = index[d]
                out[at + last] = j
                row += 1
        # Next row of the outer dimensions (odometer).
        d = last - 1
        while d >= 0:
            index[d] += 1
            if index[d] < shape[d]:
                break
            index[d] = 0
            d -= 1
