"""map, zip and where kernels over strided, broadcast operands.

The iteration space is `shape` (already coalesced by `layout.py`, so the
last dimension is as long as it can be). It is cut into *tasks*: a task is
one row of the last dimension, or a column chunk of one row when rows are
few and long. Each task locates its row from its number (no index buffers),
slices 1-D views out of the storages and hands them to a run in `runs.py`.

Each op family has two entry points with the same arguments:

- `map_tasks` / `zip_tasks`: run tasks `t0 .. t1` on the calling thread.
  Launching the thread pool costs a few microseconds, so small ops call this
  directly.
- `map_parallel` / `zip_parallel`: the same tasks, grouped `per_unit` at a
  time, spread over numba's threads with `prange` (honours
  `numba.set_num_threads`).

`where_tasks` / `where_parallel` are the same pair for the selection
`out = a if cond != 0 else b` (four operands, planned by the same
`layout.elementwise_plan`). They only ever copy elements, never compute
with them.

Every dtype goes through the same task code: the runs are called through
`runs.map_run_any` / `zip_run_any` / `zip_run_scalar_any` / `map_fill_any`,
which pick the float, integer, bool, comparison or cast run from the
views' numba types when a signature compiles. Float storages compile to
exactly the float runs they always used.
"""

from __future__ import annotations

from numba import njit, prange

from .pointwise import JIT, zip_value_any
from .runs import (
    map_fill_any,
    map_run_any,
    where_run,
    where_run_scalar,
    where_run_scalars,
    zip_run_any,
    zip_run_scalar_any,
)


@njit(**JIT)
def _row_offset(row, shape, strides):
    """Storage offset of `row` (a flat index over all dims but the last)."""
    rem = row
    offset = 0
    for d in range(shape.shape[0] - 2, -1, -1):
        offset += (rem % shape[d]) * strides[d]
        rem //= shape[d]
    return offset


@njit(**JIT)
def map_tasks(code, out, out_strides, shape, a, a_strides, t0, t1, chunk):
    """out = map_op(a) for tasks t0 .. t1 (a task: `chunk` columns of one row)."""
    last = shape.shape[0] - 1
    n = shape[last]
    per_row = (n + chunk - 1) // chunk
    os = out_strides[last]
    xs = a_strides[last]
    for t in range(t0, t1):
        row = t // per_row
        c0 = (t % per_row) * chunk
        m = min(chunk, n - c0)
        o0 = _row_offset(row, shape, out_strides) + c0 * os
        x0 = _row_offset(row, shape, a_strides) + c0 * xs
        if xs == 0:
            map_fill_any(code, out[o0:o0 + (m - 1) * os + 1:os], a[x0])
        elif os == 1 and xs == 1:
            map_run_any(code, out[o0:o0 + m], a[x0:x0 + m])
        else:
            map_run_any(code, out[o0:o0 + (m - 1) * os + 1:os], a[x0:x0 + (m - 1) * xs + 1:xs])


@njit(parallel=True, **JIT)
def map_parallel(code, out, out_strides, shape, a, a_strides, ntasks, per_unit, chunk):
    """map_tasks over all `ntasks`, `per_unit` tasks per parallel iteration."""
    units = (ntasks + per_unit - 1) // per_unit
    for u in prange(units):
        t0 = u * per_unit
        map_tasks(code, out, out_strides, shape, a, a_strides,
                  t0, min(t0 + per_unit, ntasks), chunk)


@njit(**JIT)
def zip_tasks(code, out, out_strides, shape, a, a_strides, b, b_strides, t0, t1, chunk):
    """out = zip_op(a, b) for tasks t0 .. t1 (a task: `chunk` columns of one row)."""
    last = shape.shape[0] - 1
    n = shape[last]
    per_row = (n + chunk - 1) // chunk
    os = out_strides[last]
    xs = a_strides[last]
    ys = b_strides[last]
    for t in range(t0, t1):
        row = t // per_row
        c0 = (t % per_row) * chunk
        m = min(chunk, n - c0)
        o0 = _row_offset(row, shape, out_strides) + c0 * os
        x0 = _row_offset(row, shape, a_strides) + c0 * xs
        y0 = _row_offset(row, shape, b_strides) + c0 * ys
        if xs == 0 and ys == 0:
            out[o0:o0 + (m - 1) * os + 1:os] = zip_value_any(code, a[x0], b[y0])
        elif os == 1 and xs == 1 and ys == 1:
            zip_run_any(code, out[o0:o0 + m], a[x0:x0 + m], b[y0:y0 + m])
        elif os == 1 and xs == 1 and ys == 0:
            zip_run_scalar_any(code, out[o0:o0 + m], a[x0:x0 + m], b[y0], False)
        elif os == 1 and xs == 0 and ys == 1:
            zip_run_scalar_any(code, out[o0:o0 + m], b[y0:y0 + m], a[x0], True)
        elif ys == 0:
            zip_run_scalar_any(code, out[o0:o0 + (m - 1) * os + 1:os],
                               a[x0:x0 + (m - 1) * xs + 1:xs], b[y0], False)
        elif xs == 0:
            zip_run_scalar_any(code, out[o0:o0 + (m - 1) * os + 1:os],
                               b[y0:y0 + (m - 1) * ys + 1:ys], a[x0], True)
        else:
            zip_run_any(code, out[o0:o0 + (m - 1) * os + 1:os],
                        a[x0:x0 + (m - 1) * xs + 1:xs], b[y0:y0 + (m - 1) * ys + 1:ys])


@njit(parallel=True, **JIT)
def zip_parallel(code, out, out_strides, shape, a, a_strides, b, b_strides,
                 ntasks, per_unit, chunk):
    """zip_tasks over all `ntasks`, `per_unit` tasks per parallel iteration."""
    units = (ntasks + per_unit - 1) // per_unit
    for u in prange(units):
        t0 = u * per_unit
        zip_tasks(code, out, out_strides, shape, a, a_strides, b, b_strides,
                  t0, min(t0 + per_unit, ntasks), chunk)


@njit(**JIT)
def _copy_run(out, o0, os, src, s0, ss, m):
    """out[o0 + j * os] = src[s0 + j * ss] for j < m (ss may be 0: a fill)."""
    if ss == 0:
        out[o0:o0 + (m - 1) * os + 1:os] = src[s0]
    elif os == 1 and ss == 1:
        out[o0:o0 + m] = src[s0:s0 + m]
    else:
        out[o0:o0 + (m - 1) * os + 1:os] = src[s0:s0 + (m - 1) * ss + 1:ss]


@njit(**JIT)
def where_tasks(out, out_strides, shape, cond, cond_strides, a, a_strides, b, b_strides,
                t0, t1, chunk):
    """out = a if cond != 0 else b for tasks t0 .. t1 (a task: `chunk` columns of one row)."""
    last = shape.shape[0] - 1
    n = shape[last]
    per_row = (n + chunk - 1) // chunk
    os = out_strides[last]
    cs = cond_strides[last]
    xs = a_strides[last]
    ys = b_strides[last]
    # Every operand that is not broadcast along the row walks it contiguously.
    dense = os == 1 and cs == 1 and (xs == 0 or xs == 1) and (ys == 0 or ys == 1)
    for t in range(t0, t1):
        row = t // per_row
        c0 = (t % per_row) * chunk
        m = min(chunk, n - c0)
        o0 = _row_offset(row, shape, out_strides) + c0 * os
        k0 = _row_offset(row, shape, cond_strides) + c0 * cs
        x0 = _row_offset(row, shape, a_strides) + c0 * xs
        y0 = _row_offset(row, shape, b_strides) + c0 * ys
        if cs == 0:
            # One condition for the whole run: copy the chosen operand's run.
            if cond[k0] != 0:
                _copy_run(out, o0, os, a, x0, xs, m)
            else:
                _copy_run(out, o0, os, b, y0, ys, m)
        elif dense:
            # Distinct names per branch: numba would otherwise unify the
            # contiguous and strided views into one (slower) array type.
            o_d = out[o0:o0 + m]
            c_d = cond[k0:k0 + m]
            if xs == 0 and ys == 0:
                where_run_scalars(o_d, c_d, a[x0], b[y0])
            elif xs == 0:
                where_run_scalar(o_d, c_d, b[y0:y0 + m], a[x0], True)
            elif ys == 0:
                where_run_scalar(o_d, c_d, a[x0:x0 + m], b[y0], False)
            else:
                where_run(o_d, c_d, a[x0:x0 + m], b[y0:y0 + m])
        else:
            o_s = out[o0:o0 + (m - 1) * os + 1:os]
            c_s = cond[k0:k0 + (m - 1) * cs + 1:cs]
            if xs == 0 and ys == 0:
                where_run_scalars(o_s, c_s, a[x0], b[y0])
            elif xs == 0:
                where_run_scalar(o_s, c_s, b[y0:y0 + (m - 1) * ys + 1:ys], a[x0], True)
            elif ys == 0:
                where_run_scalar(o_s, c_s, a[x0:x0 + (m - 1) * xs + 1:xs], b[y0], False)
            else:
                where_run(o_s, c_s, a[x0:x0 + (m - 1) * xs + 1:xs],
                          b[y0:y0 + (m - 1) * ys + 1:ys])


@njit(parallel=True, **JIT)
def where_parallel(out, out_strides, shape, cond, cond_strides, a, a_strides, b, b_strides,
                   ntasks, per_unit, chunk):
    """where_tasks over all `ntasks`, `per_unit` tasks per parallel iteration."""
    units = (ntasks + per_unit - 1) // per_unit
    for u in prange(units):
        t0 = u * per_unit
        where_tasks(out, out_strides, shape, cond, cond_strides, a, a_strides, b, b_strides,
                    t0, min(t0 + per_unit, ntasks), chunk)
