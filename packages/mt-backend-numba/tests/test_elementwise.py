"""map and zip against the reference semantics, over every operand layout.

The oracle is the pure-Python definition of each op in
`minitorch.tensor.ops` (applied in float64, then cast to the dtype), and
numpy builds the layouts: contiguous, permuted strides, broadcast (stride
0) and an operand that starts at an offset inside its storage (`view_at`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from minitorch.backends.numba.plugin import NumbaBackend
from minitorch.tensor.ops import MAP_OPS, ZIP_OPS

BACKEND = NumbaBackend()
DTYPES = [np.float32, np.float64]
LAYOUTS = ["contiguous", "permuted", "broadcast", "offset"]
SHAPE = (3, 4, 5)
# float32 ops compute in float32 and the reference in float64; exp/tanh/log
# of float32 come from float32 libm. A few ulps either way.
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-12)}


def element_strides(x: np.ndarray) -> tuple[int, ...]:
    return tuple(s // x.itemsize for s in x.strides)


def operand(values: np.ndarray, layout: str, dtype) -> tuple[np.ndarray, np.ndarray, tuple]:
    """(logical view, storage, strides) holding `values` in the given layout."""
    values = values.astype(dtype)
    if layout == "contiguous":
        storage = values.copy().reshape(-1)
        return storage.reshape(values.shape), storage, element_strides(values)
    if layout == "permuted":
        base = np.ascontiguousarray(values.transpose(2, 0, 1))  # memory order (5, 3, 4)
        view = base.transpose(1, 2, 0)
        return view, base.reshape(-1), element_strides(view)
    if layout == "broadcast":
        small = np.ascontiguousarray(values[:, :1, :])  # one row, repeated along dim 1
        view = np.broadcast_to(small, values.shape)
        strides = list(element_strides(small))
        strides[1] = 0
        return view, small.reshape(-1), tuple(strides)
    if layout == "offset":
        offset = 7
        buffer = np.full(offset + values.size + 3, np.nan, dtype=dtype)
        buffer[offset:offset + values.size] = values.reshape(-1)
        storage = BACKEND.view_at(buffer, offset)
        return storage[:values.size].reshape(values.shape), storage, element_strides(values)
    raise ValueError(layout)


def reference(fn, *arrays: np.ndarray, dtype) -> np.ndarray:
    flat = [np.asarray(a, dtype=np.float64).reshape(-1) for a in arrays]
    out = np.array([fn(*(float(a[i]) for a in flat)) for i in range(flat[0].size)])
    return out.reshape(arrays[0].shape).astype(dtype)


def sample(rng: np.random.Generator, op: str, shape=SHAPE) -> np.ndarray:
    values = rng.normal(size=shape) * 2
    if op in ("pow",):
        values = np.round(values)  # integer exponents keep negative bases defined
    return values


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("op", list(MAP_OPS))
def test_map(op: str, layout: str, dtype) -> None:
    rng = np.random.default_rng(1)
    view, storage, strides = operand(sample(rng, op), layout, dtype)
    out = np.full(SHAPE, np.nan, dtype=dtype)
    BACKEND.map(op, out.reshape(-1), element_strides(out), SHAPE, storage, strides)
    np.testing.assert_allclose(out, reference(MAP_OPS[op], view, dtype=dtype), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("op", list(ZIP_OPS))
def test_zip(op: str, layout: str, dtype) -> None:
    rng = np.random.default_rng(2)
    a_view, a_storage, a_strides = operand(rng.normal(size=SHAPE) * 2, layout, dtype)
    # b is always the "other" layout, so mixed-layout pairs are covered too.
    other = LAYOUTS[(LAYOUTS.index(layout) + 1) % len(LAYOUTS)]
    b_view, b_storage, b_strides = operand(sample(rng, op), other, dtype)
    out = np.full(SHAPE, np.nan, dtype=dtype)
    BACKEND.zip(op, out.reshape(-1), element_strides(out), SHAPE,
                a_storage, a_strides, b_storage, b_strides)
    expected = reference(ZIP_OPS[op], a_view, b_view, dtype=dtype)
    np.testing.assert_allclose(out, expected, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["add", "sub", "div", "pow", "max", "lt", "relu_back"])
@pytest.mark.parametrize("side", ["a", "b"])
def test_zip_scalar_operand(op: str, side: str, dtype) -> None:
    """The fast path where one operand is a single broadcast value."""
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=(6, 7)) * 3).astype(dtype)
    s = np.array([2.5 if op != "pow" else 3.0], dtype=dtype)
    out = np.empty_like(x)
    xs, ss = element_strides(x), (0, 0)
    if side == "a":
        BACKEND.zip(op, out.reshape(-1), xs, x.shape, s, ss, x.reshape(-1), xs)
        expected = reference(ZIP_OPS[op], np.broadcast_to(s, x.shape), x, dtype=dtype)
    else:
        BACKEND.zip(op, out.reshape(-1), xs, x.shape, x.reshape(-1), xs, s, ss)
        expected = reference(ZIP_OPS[op], x, np.broadcast_to(s, x.shape), dtype=dtype)
    np.testing.assert_allclose(out, expected, **TOL[dtype])


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 1e-3, 50.0, -50.0, 1000.0, -1000.0,
           math.inf, -math.inf, math.nan]


def _defined(fn, *args: float) -> bool:
    try:
        fn(*args)
    except (ValueError, OverflowError, ZeroDivisionError):
        return False  # the reference itself cannot say (e.g. pow(-1, nan))
    return True


@pytest.mark.parametrize("op", list(MAP_OPS))
def test_map_edge_values(op: str) -> None:
    x = np.array(SPECIAL)
    out = np.empty_like(x)
    BACKEND.map(op, out, (1,), x.shape, x, (1,))
    expected = reference(MAP_OPS[op], x, dtype=np.float64)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(np.signbit(out[~np.isnan(out)]),
                                  np.signbit(expected[~np.isnan(expected)]))


@pytest.mark.parametrize("op", list(ZIP_OPS))
def test_zip_edge_values(op: str) -> None:
    pairs = [(a, b) for a in SPECIAL for b in SPECIAL if _defined(ZIP_OPS[op], a, b)]
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    out = np.empty_like(a)
    BACKEND.zip(op, out, (1,), a.shape, a, (1,), b, (1,))
    expected = reference(ZIP_OPS[op], a, b, dtype=np.float64)
    bad = ~np.isclose(out, expected, rtol=1e-12, atol=0, equal_nan=True)
    assert not bad.any(), [(x, y, o, e) for x, y, o, e in
                           zip(a[bad], b[bad], out[bad], expected[bad])][:5]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, perm", [((400, 200), (0, 1)), ((400, 200), (1, 0)),
                                         ((40000, 2), (1, 0))])
def test_parallel_sizes(shape, perm, dtype) -> None:
    """Big enough for the threaded path; (40000, 2).T also splits long rows into chunks."""
    rng = np.random.default_rng(4)
    a = rng.normal(size=shape).astype(dtype)
    b = rng.normal(size=shape[1:]).astype(dtype)  # broadcast over dim 0
    a_view = a.transpose(perm)
    out = np.empty(a_view.shape, dtype=dtype)
    b_view = np.broadcast_to(b, shape).transpose(perm)
    b_strides = tuple(0 if st == 0 else st // b.itemsize for st in b_view.strides)
    BACKEND.zip("mul", out.reshape(-1), element_strides(out), out.shape,
                a.reshape(-1), element_strides(a_view), b, b_strides)
    np.testing.assert_allclose(out, a_view * b_view, **TOL[dtype])
    BACKEND.map("exp", out.reshape(-1), element_strides(out), out.shape,
                a.reshape(-1), element_strides(a_view))
    np.testing.assert_allclose(out, np.exp(a_view), **TOL[dtype])


def test_strided_output_and_scalar_shapes() -> None:
    x = np.arange(12.0).reshape(3, 4)
    out = np.zeros((4, 3)).T  # the kernel writes through transposed strides
    BACKEND.map("neg", out.base.reshape(-1), element_strides(out), (3, 4),
                x.reshape(-1), element_strides(x))
    np.testing.assert_array_equal(out, -x)
    zero_d = np.array([4.0])
    res = np.zeros(1)
    BACKEND.zip("mul", res, (), (), zero_d, (), zero_d, ())
    assert res[0] == 16.0
    BACKEND.map("exp", res, (0,), (0,), zero_d, (0,))  # empty: a no-op
    assert res[0] == 16.0


def test_unknown_op_lists_known() -> None:
    x = np.zeros(2)
    with pytest.raises(ValueError, match="unknown op 'nope'.*neg"):
        BACKEND.map("nope", x, (1,), (2,), x, (1,))
    with pytest.raises(ValueError, match="unknown op 'nope'.*add"):
        BACKEND.zip("nope", x, (1,), (2,), x, (1,), x, (1,))
