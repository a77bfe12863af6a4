"""map, zip and where against the reference semantics, over every operand layout.

The oracle is the pure-Python definition of each op in
`minitorch.tensor.ops` (applied in float64, then cast to the dtype), and
numpy builds the layouts: contiguous, permuted strides, broadcast (stride
0) and an operand that starts at an offset inside its storage (`view_at`).
`where` is a selection, so it is compared with `np.where` bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from minitorch.backends.numba.layout import SERIAL_ELEMENTS, elementwise_plan
from minitorch.backends.numba.plugin import NumbaBackend
from minitorch.tensor import ops
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


@pytest.mark.parametrize("kind, op", [("map", "relu6"), ("map", "add"), ("zip", "min"),
                                      ("zip", "relu")])
def test_unknown_op_name_is_refused_before_any_kernel(kind: str, op: str) -> None:
    """The plugin's name check, with mt-tensor's message (it names the op)."""
    x = np.full(3, 7.0)
    table = MAP_OPS if kind == "map" else ZIP_OPS
    message = str(ops.unknown_op(kind, op, table))
    assert repr(op) in message
    with pytest.raises(ValueError) as info:
        if kind == "map":
            BACKEND.map(op, x, (1,), (3,), x, (1,))
        else:
            BACKEND.zip(op, x, (1,), (3,), x, (1,), x, (1,))
    assert str(info.value) == message
    np.testing.assert_array_equal(x, 7.0)  # nothing ran


# -- relu and max let nan through ------------------------------------------

# (shape, permutation of the storage): small ones run serially, large ones on
# the thread pool; the permuted ones walk strided views.
PATHS = [((6, 7), (0, 1)), ((6, 7), (1, 0)), ((400, 200), (0, 1)), ((400, 200), (1, 0))]


def _with_specials(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    """Normal values with nan, ±inf and ±0 sprinkled in (about a third)."""
    values = rng.normal(size=shape)
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
    pick = rng.random(shape) < 0.35
    values[pick] = rng.choice(specials, size=int(pick.sum()))
    return values.astype(dtype)


def _strided(values: np.ndarray, perm) -> tuple[np.ndarray, np.ndarray, tuple]:
    """(view, storage, strides): `values` stored in the order of `perm`."""
    inverse = tuple(np.argsort(perm))
    base = np.ascontiguousarray(values.transpose(perm))
    view = base.transpose(inverse)
    return view, base.reshape(-1), element_strides(view)


def _is_serial(shape, *strides) -> bool:
    return elementwise_plan(tuple(shape), *(tuple(s) for s in strides)).serial


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, perm", PATHS)
def test_relu_propagates_nan(shape, perm, dtype) -> None:
    rng = np.random.default_rng(5)
    view, storage, strides = _strided(_with_specials(rng, shape, dtype), perm)
    out = np.full(shape, 7.0, dtype=dtype)
    assert _is_serial(shape, element_strides(out), strides) == (np.prod(shape) < SERIAL_ELEMENTS)
    BACKEND.map("relu", out.reshape(-1), element_strides(out), shape, storage, strides)
    expected = np.where(view > 0, view, 0.0).astype(dtype)
    expected[np.isnan(view)] = np.nan
    assert np.isnan(view).any()
    np.testing.assert_array_equal(out, expected)
    assert not np.signbit(out[out == 0]).any()  # relu(-0.0) is +0.0, as in the reference


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_of_a_broadcast_nan(dtype) -> None:
    """A stride-0 operand takes the scalar path (one map_value for the whole row)."""
    x = np.array([np.nan, -1.0, 2.0], dtype=dtype)
    out = np.full((3, 4), 7.0, dtype=dtype)
    BACKEND.map("relu", out.reshape(-1), (4, 1), (3, 4), x, (1, 0))
    np.testing.assert_array_equal(out, np.array([[np.nan] * 4, [0.0] * 4, [2.0] * 4], dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, perm", PATHS)
def test_relu_back_of_nan_is_zero(shape, perm, dtype) -> None:
    rng = np.random.default_rng(6)
    x_view, x_storage, x_strides = _strided(_with_specials(rng, shape, dtype), perm)
    g = rng.normal(size=shape).astype(dtype)
    out = np.full(shape, 7.0, dtype=dtype)
    BACKEND.zip("relu_back", out.reshape(-1), element_strides(out), shape,
                x_storage, x_strides, g.reshape(-1), element_strides(g))
    np.testing.assert_array_equal(out, np.where(x_view > 0, g, 0.0).astype(dtype))
    assert (out[np.isnan(x_view)] == 0).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, perm", PATHS)
def test_max_lets_nan_win(shape, perm, dtype) -> None:
    rng = np.random.default_rng(7)
    a = rng.normal(size=shape).astype(dtype)
    b = rng.normal(size=shape).astype(dtype)
    a[rng.random(shape) < 0.2] = np.nan
    b[rng.random(shape) < 0.2] = np.nan
    a_view, a_storage, a_strides = _strided(a, perm)
    out = np.full(shape, 7.0, dtype=dtype)
    BACKEND.zip("max", out.reshape(-1), element_strides(out), shape,
                a_storage, a_strides, b.reshape(-1), element_strides(b))
    np.testing.assert_array_equal(out, np.maximum(a_view, b))  # numpy's maximum lets nan win
    assert np.isnan(out[np.isnan(a) & ~np.isnan(b)]).all()
    assert np.isnan(out[np.isnan(b) & ~np.isnan(a)]).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("side", ["a", "b"])
def test_max_with_a_nan_scalar(side: str, dtype) -> None:
    """The scalar fast path (zip_run_scalar) lets nan win from either side too."""
    x = np.array([1.0, np.nan, -3.0, 0.5], dtype=dtype)
    s = np.array([np.nan], dtype=dtype)
    out = np.empty_like(x)
    if side == "a":
        BACKEND.zip("max", out, (1,), x.shape, s, (0,), x, (1,))
    else:
        BACKEND.zip("max", out, (1,), x.shape, x, (1,), s, (0,))
    assert np.isnan(out).all()
    t = np.array([0.0], dtype=dtype)
    BACKEND.zip("max", out, (1,), x.shape, t, (0,), x, (1,))
    np.testing.assert_array_equal(out, np.array([1.0, np.nan, 0.0, 0.5], dtype))


# -- where: a selection -----------------------------------------------------

UINT = {np.float32: np.uint32, np.float64: np.uint64}


def assert_same_bits(out: np.ndarray, expected: np.ndarray) -> None:
    """Equal bit for bit: nan payloads and the sign of zero included."""
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_array_equal(np.ascontiguousarray(out).view(UINT[out.dtype.type]),
                                  np.ascontiguousarray(expected).view(UINT[out.dtype.type]))


def where_operand(values: np.ndarray, layout: str, dtype) -> tuple[np.ndarray, np.ndarray, tuple]:
    """`operand`, plus "every_other": every second element of a larger storage."""
    if layout != "every_other":
        return operand(values, layout, dtype)
    values = values.astype(dtype)
    buffer = np.full(2 * values.size, np.nan, dtype=dtype)
    buffer[::2] = values.reshape(-1)
    strides = tuple(2 * s for s in element_strides(values))
    return buffer[::2].reshape(values.shape), buffer, strides


def condition(rng: np.random.Generator, shape) -> np.ndarray:
    """0/1 with a few -0.0 (false) and nan (true: nan != 0) conditions."""
    cond = rng.integers(0, 2, size=shape).astype(np.float64)
    cond[rng.random(shape) < 0.1] = -0.0
    cond[rng.random(shape) < 0.1] = np.nan
    cond[rng.random(shape) < 0.1] = 2.5
    return cond


WHERE_LAYOUTS = [*LAYOUTS, "every_other"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a_layout", WHERE_LAYOUTS)
@pytest.mark.parametrize("cond_layout", WHERE_LAYOUTS)
def test_where_layouts(cond_layout: str, a_layout: str, dtype) -> None:
    rng = np.random.default_rng(8)
    # b takes the next layout, so every pair of layouts meets.
    b_layout = WHERE_LAYOUTS[(WHERE_LAYOUTS.index(a_layout) + 1) % len(WHERE_LAYOUTS)]
    c_view, c_storage, c_strides = where_operand(condition(rng, SHAPE), cond_layout, dtype)
    a_view, a_storage, a_strides = where_operand(_with_specials(rng, SHAPE, np.float64),
                                                 a_layout, dtype)
    b_view, b_storage, b_strides = where_operand(_with_specials(rng, SHAPE, np.float64),
                                                 b_layout, dtype)
    out = np.full(SHAPE, 7.0, dtype=dtype)
    BACKEND.where(out.reshape(-1), element_strides(out), SHAPE, c_storage, c_strides,
                  a_storage, a_strides, b_storage, b_strides)
    assert_same_bits(out, np.where(c_view != 0, a_view, b_view))


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_never_lets_the_branch_not_taken_through(dtype) -> None:
    cond = np.array([1, 0, 1, 0, 1, 0, -0.0, np.nan], dtype=dtype)
    a = np.array([-0.0, np.inf, 3, np.nan, np.inf, -np.inf, np.nan, -0.0], dtype=dtype)
    b = np.array([np.nan, -0.0, -np.inf, 4, np.nan, np.nan, -0.0, np.inf], dtype=dtype)
    out = np.full(8, 7.0, dtype=dtype)
    BACKEND.where(out, (1,), (8,), cond, (1,), a, (1,), b, (1,))
    expected = np.array([-0.0, -0.0, 3, 4, np.inf, np.nan, -0.0, -0.0], dtype=dtype)
    assert_same_bits(out, expected)
    assert np.signbit(out[[0, 1, 6, 7]]).all()


# Which operands are broadcast along the last dimension (stride 0 there):
# a broadcast condition copies one operand's row; a broadcast branch takes
# the scalar runs.
BROADCAST_LAST = [(), ("cond",), ("a",), ("b",), ("a", "b"), ("cond", "a"), ("cond", "b"),
                  ("cond", "a", "b")]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("out_layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("broadcast", BROADCAST_LAST)
def test_where_broadcast_along_the_row(broadcast, out_layout: str, dtype) -> None:
    rng = np.random.default_rng(9)
    shape = (6, 7)

    def make(name: str, values: np.ndarray):
        values = values.astype(dtype)
        if name in broadcast:
            column = np.ascontiguousarray(values[:, :1])
            return np.broadcast_to(column, shape), column.reshape(-1), (1, 0)
        return values, values.reshape(-1), element_strides(values)

    c_view, c_storage, c_strides = make("cond", condition(rng, shape))
    a_view, a_storage, a_strides = make("a", _with_specials(rng, shape, np.float64))
    b_view, b_storage, b_strides = make("b", _with_specials(rng, shape, np.float64))
    out = np.full(shape, 7.0, dtype=dtype)
    if out_layout == "transposed":
        out = np.full(shape[::-1], 7.0, dtype=dtype).T
    BACKEND.where(out.base.reshape(-1) if out.base is not None else out.reshape(-1),
                  element_strides(out), shape, c_storage, c_strides, a_storage, a_strides,
                  b_storage, b_strides)
    assert_same_bits(out, np.where(c_view != 0, a_view, b_view))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, perm", [((400, 200), (0, 1)), ((400, 200), (1, 0)),
                                         ((40000, 2), (1, 0))])
@pytest.mark.parametrize("cond_kind", ["full", "column"])
def test_where_parallel_sizes(cond_kind: str, shape, perm, dtype) -> None:
    """Big enough for the threaded path; b is broadcast over dim 0, a is permuted."""
    rng = np.random.default_rng(10)
    a_view, a_storage, a_strides = _strided(_with_specials(rng, shape, dtype), perm)
    b = _with_specials(rng, shape[1:], dtype)
    b_view = np.broadcast_to(b, shape)
    b_strides = (0, 1)
    if cond_kind == "full":
        c_view, c_storage, c_strides = _strided(condition(rng, shape).astype(dtype), perm)
    else:  # one condition per row: stride 0 along the last dimension
        column = condition(rng, (shape[0], 1)).astype(dtype)
        c_view, c_storage, c_strides = np.broadcast_to(column, shape), column.reshape(-1), (1, 0)
    out = np.full(shape, 7.0, dtype=dtype)
    o_strides = element_strides(out)
    assert not _is_serial(shape, o_strides, c_strides, a_strides, b_strides)
    BACKEND.where(out.reshape(-1), o_strides, shape, c_storage, c_strides, a_storage, a_strides,
                  b, b_strides)
    assert_same_bits(out, np.where(c_view != 0, a_view, b_view))


@pytest.mark.parametrize("size", [10, 100_000])
def test_where_in_place(size: int) -> None:
    """The aliasing the contract allows: out is the very storage of a (x.where_ style)."""
    rng = np.random.default_rng(11)
    a = _with_specials(rng, (size,), np.float64)
    b = _with_specials(rng, (size,), np.float64)
    cond = condition(rng, (size,))
    expected = np.where(cond != 0, a, b)
    BACKEND.where(a, (1,), (size,), cond, (1,), a, (1,), b, (1,))
    assert_same_bits(a, expected)


def test_where_empty_is_a_no_op() -> None:
    out = np.full(3, 7.0)
    x = np.zeros(3)
    BACKEND.where(out, (1, 1), (0, 3), x, (1, 1), x, (1, 1), x, (1, 1))
    np.testing.assert_array_equal(out, 7.0)
