"""Every kernel at sizes only a real GPU runs quickly: the checks of bench/gpu_check.py.

Not collected by pytest (the simulator would take hours at these sizes);
bench/gpu_check.py loads this file by path and runs each entry of CHECKS as
`check(backend, ref, rng, dtype)`, where `ref` is numpy_reference.py. Each
check raises AssertionError on a mismatch.
"""

from __future__ import annotations

import numpy as np

from minitorch.tensor import ops
from minitorch.tensor.dtype import DTYPES, float32, float64


def _put(be, view: np.ndarray):
    """(storage, element strides) of a numpy view whose base is contiguous."""
    owner = view
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    offset = view.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    storage = be.from_numpy(owner.reshape(-1))
    strides = tuple(s // view.itemsize for s in view.strides)
    return be.view_at(storage, offset // view.itemsize), strides


def _run(be, method: str, out_shape, *args, op: str | None = None) -> np.ndarray:
    """Call a kernel into a fresh contiguous output; the output as an array.
    `op` names the map / zip / reduce op (their first argument)."""
    dtype = next(a.dtype for a in args if hasattr(a, "dtype"))
    out = be.zeros(int(np.prod(out_shape)), float32 if dtype == np.float32 else float64)
    getattr(be, method)(*(() if op is None else (op,)), out, *args)
    return be.to_numpy(out).reshape(out_shape)


def _close(got, want, dtype, what: str, scale: float = 0.0) -> None:
    rtol, atol = (3e-6, 1e-6) if dtype == np.float32 else (1e-11, 1e-12)
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(got, np.asarray(want).astype(dtype), rtol=rtol,
                                   atol=max(atol, 1e-6 * scale), equal_nan=True, err_msg=what)


def elementwise(be, ref, rng, dtype) -> None:
    shape = (384, 1000)
    x = rng.standard_normal(shape[::-1]).astype(dtype).T  # permuted input
    y = np.broadcast_to(rng.standard_normal((1, shape[1])).astype(dtype), shape)
    (a, a_st), (b, b_st) = _put(be, x), _put(be, y)
    xd, yd = x.astype(np.float64), y.astype(np.float64)
    with np.errstate(all="ignore"):
        for op, fn in ref.MAP.items():
            got = _run(be, "map", shape, (shape[1], 1), shape, a, a_st, op=op)
            _close(got, fn(xd), dtype, op)
        for op, fn in ref.ZIP.items():
            got = _run(be, "zip", shape, (shape[1], 1), shape, a, a_st, b, b_st, op=op)
            _close(got, fn(xd, yd), dtype, op)
    # Edge values against the scalar definitions in minitorch.tensor.ops.
    col = np.array(ref.SPECIALS, dtype=dtype).reshape(-1, 1)
    n = len(col)
    s, _ = _put(be, col)
    name = np.dtype(dtype).name
    for op, fn in ops.ZIP_OPS.items():
        if name not in ops.op_dtypes("zip", op):
            continue
        want = [[ref.scalar_reference(fn, float(u), float(v)) for v in col[:, 0]]
                for u in col[:, 0]]
        got = _run(be, "zip", (n, n), (n, 1), (n, n), s, (1, 0), s, (0, 1), op=op)
        _close(got, want, dtype, f"{op} (edge values)")
    for op, fn in ops.MAP_OPS.items():
        if name not in ops.op_dtypes("map", op):
            continue
        want = [ref.scalar_reference(fn, float(v)) for v in col[:, 0]]
        got = _run(be, "map", (n,), (1,), (n,), s, (1,), op=op)
        _close(got, want, dtype, f"{op} (edge values)")


def where(be, ref, rng, dtype) -> None:
    shape = (384, 1000)
    cond = np.where(rng.random(shape) < 0.5, 0.0, rng.standard_normal(shape)).astype(dtype)
    x = rng.standard_normal(shape[::-1]).astype(dtype).T  # permuted input
    x[0, :] = np.inf  # never taken where cond is 0, and kept exactly where it is not
    y = np.broadcast_to(np.array(np.nan, dtype=dtype), shape)  # one element, stride 0
    (c, c_st), (a, a_st), (b, b_st) = _put(be, cond), _put(be, x), _put(be, y)
    got = _run(be, "where", shape, (shape[1], 1), shape, c, c_st, a, a_st, b, b_st)
    want = ref.where(cond, x, y)
    if not np.array_equal(got, want, equal_nan=True):
        raise AssertionError("where: not the numpy selection")


def reduce(be, ref, rng, dtype) -> None:
    x = rng.standard_normal((700, 1333)).astype(dtype)
    a, a_st = _put(be, x)
    for dim in (0, 1):
        out_shape = (1, 1333) if dim == 0 else (700, 1)
        for op in ("sum", "max", "argmax"):
            got = _run(be, "reduce", out_shape, (out_shape[1], 1), out_shape, a, a_st, x.shape,
                       dim, op=op)
            _close(got, ref.reduce(op, x.astype(np.float64), dim), dtype, f"{op} dim {dim}",
                   scale=40.0)


def matmul(be, ref, rng, dtype) -> None:
    y = rng.standard_normal((4, 250, 300)).astype(dtype).transpose(0, 2, 1)  # (4, 300, 250)
    b, b_st = _put(be, y)
    for name, shape, batch_stride in (("batched", (4, 200, 300), None),
                                      ("batch stride 0", (1, 200, 300), 0)):
        left = rng.standard_normal(shape).astype(dtype)
        a, a_st = _put(be, left)
        if batch_stride is not None:
            a_st = (batch_stride, *a_st[1:])
        got = _run(be, "matmul", (4, 200, 250), (200 * 250, 250, 1), a, a_st, b, b_st,
                   (4, 200, 300, 250))
        want = left.astype(np.float64) @ y.astype(np.float64)
        err = np.linalg.norm(got - want) / np.linalg.norm(want)
        limit = 1e-5 if dtype == np.float32 else 1e-12
        if not err < limit:
            raise AssertionError(f"{name}: relative error {err:.2e} > {limit:.0e}")


def conv(be, ref, rng, dtype) -> None:
    for x_shape, w_shape, stride, padding in (((64, 4, 28, 28), (8, 4, 3, 3), (1, 1), (1, 1)),
                                              ((32, 3, 31, 29), (5, 3, 4, 3), (2, 3), (1, 0))):
        x = rng.standard_normal(x_shape).astype(dtype)
        w = rng.standard_normal(w_shape).astype(dtype)
        out_shape = (x_shape[0], w_shape[0], *ref.output_hw(x_shape, w_shape[2:], stride,
                                                               padding))
        g = rng.standard_normal(out_shape).astype(dtype)
        x64, w64, g64 = (v.astype(np.float64) for v in (x, w, g))
        want_gx, want_gw = ref.conv2d_backward(x64, w64, g64, stride, padding)
        xs, ws, gs = be.from_numpy(x), be.from_numpy(w), be.from_numpy(g)
        geometry = (x_shape, w_shape, stride, padding)
        for method, out_shape_, args, want in (
            ("conv2d_forward", out_shape, (xs, ws), ref.conv2d(x64, w64, stride, padding)),
            ("conv2d_backward_input", x_shape, (gs, ws), want_gx),
            ("conv2d_backward_weight", w_shape, (xs, gs), want_gw),
        ):
            got = _run(be, method, out_shape_, *args, *geometry)
            _close(got, want, dtype, f"{method} {x_shape}", scale=float(np.abs(want).max()))


def pool(be, ref, rng, dtype) -> None:
    for x_shape, k, s, p in (((64, 8, 28, 28), (4, 4), (4, 4), (0, 0)),
                             ((16, 3, 15, 14), (3, 3), (2, 2), (1, 1))):
        x = np.round(rng.standard_normal(x_shape) * 2).astype(dtype)  # ties on purpose
        out_shape = (*x_shape[:2], *ref.output_hw(x_shape, k, s, p))
        g = rng.standard_normal(out_shape).astype(dtype)
        xs, gs = be.from_numpy(x), be.from_numpy(g)
        for kind in ("max", "avg"):
            want, want_gx = getattr(ref, f"{kind}_pool2d")(x.astype(np.float64),
                                                            g.astype(np.float64), k, s, p)
            got = _run(be, f"{kind}_pool2d_forward", out_shape, xs, x_shape, k, s, p)
            _close(got, want, dtype, f"{kind} forward {x_shape}")
            backward_inputs = (xs, gs) if kind == "max" else (gs,)
            got = _run(be, f"{kind}_pool2d_backward", x_shape, *backward_inputs, x_shape, k, s,
                       p)
            _close(got, want_gx, dtype, f"{kind} backward {x_shape}")


def softmax(be, ref, rng, dtype) -> None:
    for shape, dim in (((256, 10), 1), ((64, 1000), 1), ((8, 300, 5), 1), ((3000, 7), 0)):
        x = (rng.standard_normal(shape) * 5).astype(dtype)
        want = ref.log_softmax(x.astype(np.float64), dim)
        xs = be.from_numpy(x)
        _close(_run(be, "log_softmax", shape, xs, shape, dim), want, dtype, f"log {shape}")
        _close(_run(be, "softmax", shape, xs, shape, dim), np.exp(want), dtype, f"{shape}")


def _exact(got, want, what: str) -> None:
    if got.dtype != np.asarray(want).dtype or not np.array_equal(got, want, equal_nan=True):
        raise AssertionError(f"{what}: not the exact numpy result")


def dtypes_and_indexing(be, ref, rng, dtype) -> None:
    """Integer paths (exact), casts, and take / put / nonzero at GPU sizes.

    `dtype` is the float dtype of the float parts (casts, put "add")."""
    shape = (384, 1000)
    big = np.int64(2**60)
    x = rng.integers(-10**6, 10**6, size=shape[::-1]).T  # permuted int64
    x[::7] += big  # past float64's 53 bits
    y = np.broadcast_to(rng.integers(1, 1000, size=(1, shape[1])), shape)  # no zero divisor
    (a, a_st), (b, b_st) = _put(be, x), _put(be, y)
    for op, fn in (("add", np.add), ("sub", np.subtract), ("max", np.maximum),
                   ("floordiv", np.floor_divide), ("mod", np.remainder)):
        out = be.zeros(x.size, DTYPES["int64"])
        be.zip(op, out, (shape[1], 1), shape, a, a_st, b, b_st)
        _exact(be.to_numpy(out).reshape(shape), fn(x, y), f"int64 {op}")
    out = be.zeros(x.size, DTYPES["bool"])
    be.zip("lt", out, (shape[1], 1), shape, a, a_st, b, b_st)
    _exact(be.to_numpy(out).reshape(shape), x < y, "int64 lt")
    # Casts: float -> int32 truncates toward zero; int64 -> float rounds once.
    f = (rng.standard_normal(shape) * 1000).astype(dtype)
    fs, f_st = _put(be, f)
    out = be.zeros(f.size, DTYPES["int32"])
    be.map("id", out, (shape[1], 1), shape, fs, f_st)
    _exact(be.to_numpy(out).reshape(shape), np.trunc(f).astype(np.int32), "float -> int32")
    out = be.zeros(x.size, DTYPES[np.dtype(dtype).name])
    be.map("id", out, (shape[1], 1), shape, a, a_st)
    _exact(be.to_numpy(out).reshape(shape), x.astype(dtype), "int64 -> float")
    # Reductions in int64: exact sums past 2**53, first maximum.
    r = rng.integers(-10**6, 10**6, size=(700, 1333))
    r[:, ::50] += big >> 12  # sums reach about 2**57, within int64
    rs, r_st = _put(be, r)
    for dim in (0, 1):
        out_shape = (1, 1333) if dim == 0 else (700, 1)
        for op, want in (("sum", r.sum(axis=dim, keepdims=True)),
                         ("argmax", np.expand_dims(r.argmax(axis=dim), dim))):
            out = be.zeros(int(np.prod(out_shape)), DTYPES["int64"])
            be.reduce(op, out, (out_shape[1], 1), out_shape, rs, r_st, r.shape, dim)
            _exact(be.to_numpy(out).reshape(out_shape), want, f"int64 {op} dim {dim}")
    # take: index_select of rows (with repeats) of the permuted int64 x.
    rows = rng.integers(0, shape[0], size=5000)
    off, _ = _put(be, rows.astype(np.int64) * a_st[0])
    out = be.zeros(rows.size * shape[1], DTYPES["int64"])
    be.take(out, (shape[1], 1), (rows.size, shape[1]), a, (0, a_st[1]), off, (1, 0))
    _exact(be.to_numpy(out).reshape(rows.size, shape[1]), x[rows], "take rows")
    # put "add": 200,000 values onto 1,000 positions, in int64 and in the float
    # dtype (quarters with small sums: exact in any order of the atomic adds).
    positions = rng.integers(0, 1000, size=200_000)
    off, _ = _put(be, positions.astype(np.int64))
    for name, values in (("int64", rng.integers(-10**9, 10**9, size=positions.size)),
                         (np.dtype(dtype).name,
                          (rng.integers(-8, 8, size=positions.size) / 4).astype(dtype))):
        src, _ = _put(be, values)
        out = be.zeros(1000, DTYPES[name])
        be.put("add", out, (0,), (positions.size,), src, (1,), off, (1,))
        want = np.zeros(1000, dtype=values.dtype)
        np.add.at(want, positions, values)
        _exact(be.to_numpy(out), want, f"put add {name}")
    # nonzero of a (1000, 1000) permuted float array, about half zeros.
    z = rng.standard_normal((1000, 1000)).astype(dtype).T
    z[rng.random(z.shape) < 0.5] = 0
    zs, z_st = _put(be, z)
    want = np.argwhere(z)
    out = be.zeros(want.size, DTYPES["int64"])
    be.nonzero(out, zs, z_st, z.shape)
    _exact(be.to_numpy(out).reshape(want.shape), want.astype(np.int64), "nonzero")


CHECKS = [
    ("map/zip, every op", elementwise),
    ("where", where),
    ("reduce", reduce),
    ("matmul", matmul),
    ("conv2d", conv),
    ("pool2d", pool),
    ("softmax", softmax),
    ("integers, casts, take / put / nonzero", dtypes_and_indexing),
]
