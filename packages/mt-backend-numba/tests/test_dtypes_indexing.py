"""Every dtype, kernel by kernel, against the pure-Python reference backend.

The oracle is `ReferenceBackend` (mt-tensor's living definition): both
backends get the same storages (made with their own `from_numpy` /
`zeros`), shapes and strides, and must write the same outputs. Covered:

- map and zip: every op of `ops.MAP_OPS` / `ops.ZIP_OPS` for every dtype
  `ops.op_dtypes` lists, over contiguous, permuted, broadcast (stride 0),
  single-value (scalar) and strided-output layouts; the output dtype is the
  contract's (bool for comparisons and `not`, the operand's otherwise);
- the `id` casts between all 25 dtype pairs (no nan / inf / out-of-range
  float to integer: unspecified);
- where for all five dtypes, reduce (sum / max / argmax) for the dtypes
  each takes, integer exactness beyond 2**53;
- take, put ("set", and "add" with duplicate offsets) and nonzero, with
  non-contiguous and broadcast operands, 0-d and empty shapes, and launches
  large enough for the parallel take / elementwise paths.

Integers and bools must match exactly; floats bit for bit where the
reference's arithmetic is the same (selections, casts, integer-valued
results), else within float32 / float64 rounding.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from minitorch.backends.numba.layout import SERIAL_ELEMENTS
from minitorch.backends.numba.plugin import NumbaBackend
from minitorch.tensor import ops
from minitorch.tensor.backends.reference import ReferenceBackend
from minitorch.tensor.dtype import DTYPES

NB = NumbaBackend()
REF = ReferenceBackend()
NAMES = tuple(DTYPES)  # bool, int32, int64, float32, float64
NP = {name: DTYPES[name].numpy for name in NAMES}
SHAPE = (3, 4, 5)
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-12)}


def element_strides(x: np.ndarray) -> tuple[int, ...]:
    return tuple(s // x.itemsize for s in x.strides)


def rng_for(*key: object) -> np.random.Generator:
    """A generator seeded by the test case (crc32: stable across processes)."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# -- operands ------------------------------------------------------------------


def sample(rng: np.random.Generator, dtype: str, shape, role: str = "", op: str = "") -> np.ndarray:
    """Values of `dtype` where `op` is defined (`role` "b": the second operand)."""
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if dtype in ("int32", "int64"):
        if op == "pow" and role == "b":
            values = rng.integers(-3, 5, size=shape)  # negative exponents included
        elif op == "pow":
            values = rng.integers(-6, 7, size=shape)  # includes 0, 1 and -1 bases
        elif op in ("floordiv", "mod") and role == "b":
            values = rng.integers(-5, 6, size=shape)  # includes 0 and -1 divisors
        else:
            values = rng.integers(-50, 51, size=shape)
        values = values.astype(NP[dtype])
        if op in ("eq", "ne", "le", "ge", "max") and role == "b":
            values.reshape(-1)[::3] = 7  # some ties
        return values
    values = rng.normal(size=shape) * 2
    if op == "pow" and role == "b":
        values = np.round(values)  # integer exponents keep negative bases defined
    if op in ("eq", "ne", "le", "ge", "max", "is_close") and role == "b":
        values.reshape(-1)[::3] = 0.5  # ties, compared below against a 0.5 in a
    if op in ("and", "or", "xor", "not", "eq", "ne") and role != "b":
        values.reshape(-1)[::4] = 0.0
    return values.astype(NP[dtype])


def layout(values: np.ndarray, kind: str) -> tuple[np.ndarray, tuple[int, ...], tuple]:
    """(storage array, strides, logical shape) holding `values` in the given layout.

    contiguous; permuted (memory order reversed); broadcast (one slice along
    dim 1, stride 0); scalar (one element, all strides 0).
    """
    shape = values.shape
    if kind == "contiguous":
        return values.reshape(-1).copy(), element_strides(values), shape
    if kind == "permuted":
        perm = tuple(range(values.ndim))[::-1]
        base = np.ascontiguousarray(values.transpose(perm))
        view = base.transpose(np.argsort(perm))
        return base.reshape(-1), element_strides(view), shape
    if kind == "broadcast":
        small = np.ascontiguousarray(values[:, :1])
        strides = list(element_strides(small))
        strides[1] = 0
        return small.reshape(-1), tuple(strides), shape
    if kind == "scalar":
        return values.reshape(-1)[:1].copy(), (0,) * values.ndim, shape
    raise ValueError(kind)


def both(array: np.ndarray):
    """The same contents as a numba storage and as a reference storage."""
    return NB.from_numpy(array.copy()), REF.from_numpy(array.copy())


def out_pair(dtype: str, shape, kind: str = "contiguous"):
    """Output storages (numba, reference) and strides: contiguous, or a
    transposed view inside a larger storage (every other element)."""
    size = int(np.prod(shape))
    if kind == "contiguous":
        strides = element_strides(np.empty(shape, dtype=np.int8))
        n = size
    else:  # "strided": transposed order, every other element of twice the storage
        order = element_strides(np.empty(shape[::-1], dtype=np.int8))[::-1]
        strides = tuple(2 * s for s in order)
        n = 2 * size
    fill = np.zeros(n, dtype=NP[dtype])
    if dtype.startswith("float"):
        fill[:] = 7.0  # a sentinel the kernels must overwrite
    return NB.from_numpy(fill.copy()), REF.from_numpy(fill.copy()), strides


def assert_same(got: np.ndarray, want: np.ndarray, dtype: str, exact: bool = False) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype == NP[dtype], (got.dtype, want.dtype)
    if dtype.startswith("float"):
        if exact:
            uint = np.uint32 if dtype == "float32" else np.uint64
            np.testing.assert_array_equal(got.view(uint), want.view(uint))
        else:
            np.testing.assert_allclose(got, want, **TOL[dtype])
    else:
        np.testing.assert_array_equal(got, want)


def map_out_dtype(op: str, dtype: str) -> str:
    return "bool" if op == "not" else dtype


def zip_out_dtype(op: str, dtype: str) -> str:
    return "bool" if op in ops.COMPARE_OPS else dtype


MAP_CASES = [(op, d) for op in ops.MAP_OPS for d in ops.op_dtypes("map", op)]
ZIP_CASES = [(op, d) for op in ops.ZIP_OPS for d in ops.op_dtypes("zip", op)]
LAYOUTS = ["contiguous", "permuted", "broadcast", "scalar"]


def test_every_op_and_dtype_is_covered() -> None:
    assert {op for op, _ in MAP_CASES} == set(ops.MAP_OPS)
    assert {op for op, _ in ZIP_CASES} == set(ops.ZIP_OPS)
    assert {d for _, d in MAP_CASES} == set(NAMES) == {d for _, d in ZIP_CASES}


# -- identity ------------------------------------------------------------------


def test_backend_lists_all_five_dtypes() -> None:
    assert NB.dtypes == NAMES == ("bool", "int32", "int64", "float32", "float64")


@pytest.mark.parametrize("dtype", NAMES)
def test_read_returns_the_python_type(dtype: str) -> None:
    values = np.array([0, 1, 2], dtype=NP[dtype]) if dtype != "bool" else np.array([False, True])
    storage = NB.from_numpy(values)
    kind = {"bool": bool, "int32": int, "int64": int, "float32": float, "float64": float}[dtype]
    for i in range(values.size):
        got = NB.read(storage, i)
        assert type(got) is kind and got == REF.read(REF.from_numpy(values), i)
    big = NB.from_numpy(np.array([2**60 + 1], dtype=np.int64))
    assert NB.read(big, 0) == 2**60 + 1
    zeros = NB.zeros(4, DTYPES[dtype])
    assert zeros.dtype == NP[dtype] and not zeros.any()


# -- map and zip -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast", "scalar", "strided_out"])
@pytest.mark.parametrize("op, dtype", MAP_CASES)
def test_map(op: str, dtype: str, kind: str) -> None:
    rng = rng_for(op, dtype, kind)
    values = sample(rng, dtype, SHAPE, op=op)
    storage, strides, shape = layout(values, "contiguous" if kind == "strided_out" else kind)
    a_nb, a_ref = both(storage)
    out_dtype = map_out_dtype(op, dtype)
    o_nb, o_ref, o_strides = out_pair(out_dtype, shape,
                                      "strided" if kind == "strided_out" else "contiguous")
    NB.map(op, o_nb, o_strides, shape, a_nb, strides)
    REF.map(op, o_ref, o_strides, shape, a_ref, strides)
    assert_same(o_nb, o_ref, out_dtype)


@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("op, dtype", ZIP_CASES)
def test_zip(op: str, dtype: str, kind: str) -> None:
    rng = rng_for(op, dtype, kind)
    a_values = sample(rng, dtype, SHAPE, "a", op)
    b_values = sample(rng, dtype, SHAPE, "b", op)
    if dtype.startswith("float") and op in ("eq", "ne", "le", "ge", "max", "is_close"):
        a_values.reshape(-1)[::3] = 0.5  # exact ties with b's 0.5s
    # b takes the next layout, so mixed pairs (and a scalar first operand) occur.
    other = LAYOUTS[(LAYOUTS.index(kind) + 1) % len(LAYOUTS)]
    a_storage, a_strides, shape = layout(a_values, kind)
    b_storage, b_strides, _ = layout(b_values, other)
    a_nb, a_ref = both(a_storage)
    b_nb, b_ref = both(b_storage)
    out_dtype = zip_out_dtype(op, dtype)
    for out_kind in ("contiguous", "strided"):
        o_nb, o_ref, o_strides = out_pair(out_dtype, shape, out_kind)
        NB.zip(op, o_nb, o_strides, shape, a_nb, a_strides, b_nb, b_strides)
        REF.zip(op, o_ref, o_strides, shape, a_ref, a_strides, b_ref, b_strides)
        assert_same(o_nb, o_ref, out_dtype)


@pytest.mark.parametrize("op, dtype", [c for c in ZIP_CASES if c[1] != "float64"])
@pytest.mark.parametrize("side", ["a", "b"])
def test_zip_one_operand_broadcast_along_rows(op: str, dtype: str, side: str) -> None:
    """A stride-0 operand on a contiguous row: the scalar runs, either side first."""
    rng = rng_for(op, dtype, side)
    shape = (4, 6)
    x = sample(rng, dtype, shape, "b" if side == "a" else "a", op)
    column = np.ascontiguousarray(sample(rng, dtype, (4, 1), side, op)).reshape(-1)
    x_nb, x_ref = both(x.reshape(-1))
    c_nb, c_ref = both(column)
    xs, cs = element_strides(x), (1, 0)
    out_dtype = zip_out_dtype(op, dtype)
    o_nb, o_ref, o_strides = out_pair(out_dtype, shape)
    if side == "a":
        NB.zip(op, o_nb, o_strides, shape, c_nb, cs, x_nb, xs)
        REF.zip(op, o_ref, o_strides, shape, c_ref, cs, x_ref, xs)
    else:
        NB.zip(op, o_nb, o_strides, shape, x_nb, xs, c_nb, cs)
        REF.zip(op, o_ref, o_strides, shape, x_ref, xs, c_ref, cs)
    assert_same(o_nb, o_ref, out_dtype)


INT64_BIG = np.array([2**60 + 1, 2**60, -(2**60) - 3, 2**53 + 1, 2**62 + 7, -1, 0, 12345],
                     dtype=np.int64)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "max", "floordiv", "mod", "pow",
                                "lt", "gt", "le", "ge", "eq", "ne"])
def test_int64_zip_is_exact_beyond_2_53(op: str) -> None:
    """No float64 detour: 2**60 + 1 and 2**60 stay distinct."""
    a = INT64_BIG
    b = {"mul": np.array([1, 1, 1, 3, 1, -1, 5, 2]),
         "pow": np.array([1, 1, 1, 1, 1, -3, 0, 3]),
         "floordiv": np.array([7, 3, -7, 2, -1, 2, 3, -4]),
         "mod": np.array([7, 3, -7, 2, -1, 2, 3, -4])}.get(op, INT64_BIG[::-1].copy())
    b = b.astype(np.int64)
    a_nb, a_ref = both(a)
    b_nb, b_ref = both(b)
    out_dtype = zip_out_dtype(op, "int64")
    o_nb, o_ref, _ = out_pair(out_dtype, a.shape)
    NB.zip(op, o_nb, (1,), a.shape, a_nb, (1,), b_nb, (1,))
    REF.zip(op, o_ref, (1,), a.shape, a_ref, (1,), b_ref, (1,))
    assert_same(o_nb, o_ref, out_dtype)
    if op == "add":
        assert o_nb[0] == 2**60 + 1 + 12345


@pytest.mark.parametrize("op", ["id", "neg", "abs", "sign", "relu"])
def test_int64_map_is_exact_beyond_2_53(op: str) -> None:
    a_nb, a_ref = both(INT64_BIG)
    o_nb, o_ref, _ = out_pair("int64", INT64_BIG.shape)
    NB.map(op, o_nb, (1,), INT64_BIG.shape, a_nb, (1,))
    REF.map(op, o_ref, (1,), INT64_BIG.shape, a_ref, (1,))
    assert_same(o_nb, o_ref, "int64")


@pytest.mark.parametrize("dtype", ["int32", "int64"])
@pytest.mark.parametrize("op", ["floordiv", "mod"])
def test_integer_division_by_zero_and_minus_one(op: str, dtype: str) -> None:
    """x // 0 and x % 0 give 0; the most negative value // -1 does not trap."""
    low = np.iinfo(NP[dtype]).min
    a = np.array([7, -7, 0, low, low, 5], dtype=NP[dtype])
    b = np.array([0, 0, 0, 0, -1, -1], dtype=NP[dtype])
    a_nb, a_ref = both(a)
    b_nb, b_ref = both(b)
    o_nb, o_ref, _ = out_pair(dtype, a.shape)
    NB.zip(op, o_nb, (1,), a.shape, a_nb, (1,), b_nb, (1,))
    np.testing.assert_array_equal(o_nb[:4], 0)
    if op == "mod":
        assert o_nb[4] == 0 and o_nb[5] == 0
    else:
        assert o_nb[5] == -5  # low // -1 overflows: unspecified, but no crash
    REF.zip(op, o_ref[:4], (1,), (4,), a_ref, (1,), b_ref, (1,))
    np.testing.assert_array_equal(o_nb[:4], o_ref[:4])


@pytest.mark.parametrize("op, dtype", [("add", "int32"), ("mul", "int64"), ("lt", "int64"),
                                       ("floordiv", "int64"), ("xor", "bool"),
                                       ("ge", "float32")])
def test_zip_parallel_path(op: str, dtype: str) -> None:
    """Large enough for the threaded kernels; b broadcast along dim 0."""
    rng = np.random.default_rng(12)
    shape = (SERIAL_ELEMENTS // 128 + 8, 128)
    a = sample(rng, dtype, shape, "a", op)
    b = sample(rng, dtype, (1, shape[1]), "b", op)
    a_nb, a_ref = both(a.reshape(-1))
    b_nb, b_ref = both(b.reshape(-1))
    out_dtype = zip_out_dtype(op, dtype)
    o_nb, o_ref, o_strides = out_pair(out_dtype, shape)
    NB.zip(op, o_nb, o_strides, shape, a_nb, (128, 1), b_nb, (0, 1))
    REF.zip(op, o_ref, o_strides, shape, a_ref, (128, 1), b_ref, (0, 1))
    assert_same(o_nb, o_ref, out_dtype)


# -- casts -------------------------------------------------------------------------


def cast_source(rng: np.random.Generator, src: str, dst: str, shape) -> np.ndarray:
    """Values of `src` that `dst` can represent (no nan / inf / overflow to integers)."""
    if src == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if src in ("int32", "int64"):
        values = rng.integers(-1000, 1001, size=shape).astype(NP[src])
        values.reshape(-1)[::5] = 0
        return values
    values = rng.normal(size=shape) * 100  # fractions: truncation toward zero
    flat = values.reshape(-1)
    flat[::7] = -0.0
    flat[1::7] = 0.0
    if dst in ("bool", "float32", "float64"):
        flat[2::7] = np.nan
        flat[3::7] = np.inf
        flat[4::7] = -np.inf
    return values.astype(NP[src])


@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast", "scalar"])
@pytest.mark.parametrize("dst", NAMES)
@pytest.mark.parametrize("src", NAMES)
def test_cast(src: str, dst: str, kind: str) -> None:
    rng = rng_for(src, dst, kind)
    storage, strides, shape = layout(cast_source(rng, src, dst, SHAPE), kind)
    a_nb, a_ref = both(storage)
    o_nb, o_ref, o_strides = out_pair(dst, shape)
    NB.map("id", o_nb, o_strides, shape, a_nb, strides)
    REF.map("id", o_ref, o_strides, shape, a_ref, strides)
    assert_same(o_nb, o_ref, dst, exact=True)


@pytest.mark.parametrize("dst", NAMES)
def test_int64_casts_beyond_2_53(dst: str) -> None:
    """int64 -> float32 rounds as the reference does (through float64: it stores a
    Python int, which numpy converts to a double first); -> int32 wraps."""
    values = np.array([2**62 + 2**38 + 1, 2**60 + 1, -(2**55) - 1, 2**24 + 1, 7, 0, -3],
                      dtype=np.int64)
    if dst == "int32":
        values = values[3:]  # out of range is unspecified
    for kind in ("contiguous", "scalar"):
        storage, strides, shape = layout(values, kind)
        a_nb, a_ref = both(storage)
        o_nb, o_ref, _ = out_pair(dst, shape)
        NB.map("id", o_nb, (1,), shape, a_nb, strides)
        REF.map("id", o_ref, (1,), shape, a_ref, strides)
        assert_same(o_nb, o_ref, dst, exact=True)


def test_cast_parallel_path() -> None:
    rng = np.random.default_rng(13)
    n = SERIAL_ELEMENTS + 1000
    x = (rng.normal(size=n) * 1000).astype(np.float32)
    a_nb, a_ref = both(x)
    o_nb, o_ref, _ = out_pair("int32", (n,))
    NB.map("id", o_nb, (1,), (n,), a_nb, (1,))
    REF.map("id", o_ref, (1,), (n,), a_ref, (1,))
    assert_same(o_nb, o_ref, "int32")


# -- where ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast", "scalar"])
@pytest.mark.parametrize("dtype", NAMES)
def test_where(dtype: str, kind: str) -> None:
    rng = rng_for(dtype, kind)
    cond = rng.integers(0, 2, size=SHAPE).astype(np.bool_)
    a = sample(rng, dtype, SHAPE)
    b = sample(rng, dtype, SHAPE)
    if dtype.startswith("float"):
        a.reshape(-1)[::5] = -0.0
        b.reshape(-1)[1::5] = np.nan
    c_storage, c_strides, shape = layout(cond, LAYOUTS[(LAYOUTS.index(kind) + 2) % 4])
    a_storage, a_strides, _ = layout(a, kind)
    b_storage, b_strides, _ = layout(b, LAYOUTS[(LAYOUTS.index(kind) + 1) % 4])
    c_nb, c_ref = both(c_storage)
    a_nb, a_ref = both(a_storage)
    b_nb, b_ref = both(b_storage)
    for out_kind in ("contiguous", "strided"):
        o_nb, o_ref, o_strides = out_pair(dtype, shape, out_kind)
        NB.where(o_nb, o_strides, shape, c_nb, c_strides, a_nb, a_strides, b_nb, b_strides)
        REF.where(o_ref, o_strides, shape, c_ref, c_strides, a_ref, a_strides, b_ref, b_strides)
        assert_same(o_nb, o_ref, dtype, exact=True)


# -- reduce --------------------------------------------------------------------------

REDUCE_CASES = ([("sum", d) for d in ("int64", "float32", "float64")]
                + [(op, d) for op in ("max", "argmax")
                   for d in ("int32", "int64", "float32", "float64")])


@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast"])
@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("op, dtype", REDUCE_CASES)
def test_reduce(op: str, dtype: str, dim: int, kind: str) -> None:
    rng = rng_for(op, dtype, dim, kind)
    values = sample(rng, dtype, SHAPE)
    if dtype.startswith("float"):
        values.reshape(-1)[::11] = np.nan  # max and argmax let nan win
    else:
        values.reshape(-1)[::4] = 50  # ties: argmax is the first
    storage, strides, shape = layout(values, kind)
    a_nb, a_ref = both(storage)
    out_shape = tuple(1 if d == dim else e for d, e in enumerate(shape))
    out_dtype = "int64" if op == "argmax" else dtype
    o_nb, o_ref, o_strides = out_pair(out_dtype, out_shape)
    NB.reduce(op, o_nb, o_strides, out_shape, a_nb, strides, shape, dim)
    REF.reduce(op, o_ref, o_strides, out_shape, a_ref, strides, shape, dim)
    assert_same(o_nb, o_ref, out_dtype)


@pytest.mark.parametrize("op", ["sum", "max", "argmax"])
def test_int64_reduce_is_exact_beyond_2_53(op: str) -> None:
    base = np.array([[2**60, 2**60 + 1, 2**60 - 1, 3], [2**59 + 5, 2**59 + 4, 1, -(2**61)]],
                    dtype=np.int64)
    for dim in (0, 1):
        a_nb, a_ref = both(base.reshape(-1))
        out_shape = tuple(1 if d == dim else e for d, e in enumerate(base.shape))
        o_nb, o_ref, o_strides = out_pair("int64", out_shape)
        NB.reduce(op, o_nb, o_strides, out_shape, a_nb, (4, 1), base.shape, dim)
        REF.reduce(op, o_ref, o_strides, out_shape, a_ref, (4, 1), base.shape, dim)
        assert_same(o_nb, o_ref, "int64")
    if op == "max":
        assert o_nb[0] == 2**60 + 1  # dim 1 of row 0: not rounded to 2**60


@pytest.mark.parametrize("op, dtype", [("sum", "int64"), ("max", "int32"), ("argmax", "int64"),
                                       ("argmax", "float32")])
@pytest.mark.parametrize("dim", [0, 1])
def test_reduce_parallel_path(op: str, dtype: str, dim: int) -> None:
    rng = np.random.default_rng(14)
    shape = (300, 200)
    values = sample(rng, dtype, shape)
    a_nb, a_ref = both(values.reshape(-1))
    out_shape = tuple(1 if d == dim else e for d, e in enumerate(shape))
    out_dtype = "int64" if op == "argmax" else dtype
    o_nb, o_ref, o_strides = out_pair(out_dtype, out_shape)
    NB.reduce(op, o_nb, o_strides, out_shape, a_nb, (200, 1), shape, dim)
    REF.reduce(op, o_ref, o_strides, out_shape, a_ref, (200, 1), shape, dim)
    assert_same(o_nb, o_ref, out_dtype)


# -- take -----------------------------------------------------------------------------


def take_case(rng: np.random.Generator, dtype: str, case: str):
    """(a storage, out shape, out kind, a strides, offsets array, offsets strides)."""
    a = sample(rng, dtype, (6, 7))
    flat = a.reshape(-1)
    if case == "flat":  # advanced indexing: every position from the offsets
        shape = (4, 5)
        offsets = rng.integers(0, flat.size, size=shape)
        return flat, shape, "contiguous", (0, 0), offsets.reshape(-1), (5, 1)
    if case == "index_select":  # a[:, idx]: offsets broadcast over rows, a walks rows
        idx = rng.integers(0, 7, size=9)
        return flat, (6, 9), "strided", (7, 0), idx, (0, 1)
    if case == "gather_permuted":  # a read transposed, offsets permuted in memory
        # out[i, j] = a.T[i, j + s] with a relative (possibly negative) column shift s.
        shape = (7, 6)
        shift = rng.integers(0, 6, size=shape) - np.arange(6)[None, :]
        stored = np.ascontiguousarray((7 * shift).T)  # offsets[i, j] at j * 7 + i
        return flat, shape, "contiguous", (1, 7), stored.reshape(-1), (1, 7)
    if case == "one_offset":  # one offset for everything: a shifted strided copy
        return flat, (3, 7), "strided", (7, 1), np.array([14]), (0, 0)
    if case == "zero_d":
        return flat, (), "contiguous", (), np.array([11]), ()
    if case == "empty":
        return flat, (0, 3), "contiguous", (0, 0), np.zeros(1, dtype=np.int64), (0, 0)
    raise ValueError(case)


@pytest.mark.parametrize("case", ["flat", "index_select", "gather_permuted", "one_offset",
                                  "zero_d", "empty"])
@pytest.mark.parametrize("dtype", NAMES)
def test_take(dtype: str, case: str) -> None:
    rng = rng_for(dtype, case)
    a, shape, out_kind, a_strides, offsets, off_strides = take_case(rng, dtype, case)
    a_nb, a_ref = both(a)
    k_nb, k_ref = both(offsets.astype(np.int64))
    o_nb, o_ref, o_strides = out_pair(dtype, shape, out_kind if shape else "contiguous")
    if not shape:
        o_strides = ()
        o_nb, o_ref = NB.zeros(1, DTYPES[dtype]), REF.zeros(1, DTYPES[dtype])
    NB.take(o_nb, o_strides, shape, a_nb, a_strides, k_nb, off_strides)
    REF.take(o_ref, o_strides, shape, a_ref, a_strides, k_ref, off_strides)
    assert_same(o_nb, o_ref, dtype, exact=True)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_take_parallel_path(dtype: str) -> None:
    rng = np.random.default_rng(15)
    a = sample(rng, dtype, (1000,))
    shape = (SERIAL_ELEMENTS // 64 + 16, 64)
    offsets = rng.integers(0, 1000, size=shape).astype(np.int64)
    a_nb, a_ref = both(a)
    k_nb, k_ref = both(offsets.reshape(-1))
    o_nb, o_ref, o_strides = out_pair(dtype, shape, "strided")
    NB.take(o_nb, o_strides, shape, a_nb, (0, 0), k_nb, (64, 1))
    REF.take(o_ref, o_strides, shape, a_ref, (0, 0), k_ref, (64, 1))
    assert_same(o_nb, o_ref, dtype, exact=True)


# -- put --------------------------------------------------------------------------------


def put_case(rng: np.random.Generator, dtype: str, case: str, op: str):
    """(out size, shape, out strides, src storage, src strides, offsets, offsets strides)."""
    if case == "flat":  # x.view(-1)[idx] = src: all positions from the offsets
        shape = (4, 5)
        if op == "set":
            offsets = rng.permutation(30)[:20]
        else:  # duplicates: several values land on one element
            offsets = rng.integers(0, 6, size=20)
        src = sample(rng, dtype, shape)
        return 30, shape, (0, 0), src.reshape(-1), (5, 1), offsets, (5, 1)
    if case == "scatter_rows":  # scatter along dim 1 of a (5, 8) out; src permuted
        shape = (5, 6)
        index = np.stack([rng.permutation(8)[:6] for _ in range(5)]) if op == "set" \
            else rng.integers(0, 3, size=shape)
        src = sample(rng, dtype, shape[::-1])  # stored transposed
        return 40, shape, (8, 0), src.reshape(-1), (1, 5), index.reshape(-1), (6, 1)
    if case == "broadcast_src":  # x[idx] = one value; offsets broadcast over dim 0 too
        shape = (3, 4)
        idx = rng.permutation(10)[:4] if op == "set" else np.array([1, 1, 9, 1])
        src = sample(rng, dtype, (1,))
        return 40, shape, (10, 0), src, (0, 0), idx, (0, 1)
    if case == "zero_d":
        src = sample(rng, dtype, (1,))
        return 5, (), (), src, (), np.array([3]), ()
    if case == "empty":
        return 5, (2, 0), (0, 0), sample(rng, dtype, (1,)), (0, 0), np.array([0]), (0, 0)
    raise ValueError(case)


@pytest.mark.parametrize("case", ["flat", "scatter_rows", "broadcast_src", "zero_d", "empty"])
@pytest.mark.parametrize("op", list(ops.PUT_OPS))
@pytest.mark.parametrize("dtype", NAMES)
def test_put(dtype: str, op: str, case: str) -> None:
    rng = rng_for(dtype, op, case)
    size, shape, o_strides, src, s_strides, offsets, k_strides = put_case(rng, dtype, case, op)
    start = sample(rng, dtype, (size,))
    o_nb, o_ref = both(start)
    s_nb, s_ref = both(src)
    k_nb, k_ref = both(offsets.astype(np.int64))
    NB.put(op, o_nb, o_strides, shape, s_nb, s_strides, k_nb, k_strides)
    REF.put(op, o_ref, o_strides, shape, s_ref, s_strides, k_ref, k_strides)
    # "add" runs in the reference's (row-major) order: even float sums agree exactly.
    assert_same(o_nb, o_ref, dtype, exact=True)


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_put_add_accumulates_every_duplicate(dtype: str) -> None:
    n = 5000
    rng = np.random.default_rng(16)
    offsets = rng.integers(0, 3, size=n).astype(np.int64)
    src = (rng.normal(size=n) * 10).astype(NP[dtype])
    if dtype == "int64":
        src = rng.integers(-(2**40), 2**40, size=n).astype(np.int64) + 2**60 // n
    o_nb, o_ref = both(np.zeros(3, dtype=NP[dtype]))
    s_nb, s_ref = both(src)
    k_nb, k_ref = both(offsets)
    NB.put("add", o_nb, (0,), (n,), s_nb, (1,), k_nb, (1,))
    REF.put("add", o_ref, (0,), (n,), s_ref, (1,), k_ref, (1,))
    assert_same(o_nb, o_ref, dtype, exact=True)
    if dtype == "int64":
        for i in range(3):
            assert int(o_nb[i]) == sum(int(v) for v in src[offsets == i])


def test_put_unknown_op_is_refused() -> None:
    out = np.zeros(3)
    with pytest.raises(ValueError) as info:
        NB.put("mul", out, (0,), (1,), np.ones(1), (0,), np.zeros(1, np.int64), (0,))
    assert str(info.value) == str(ops.unknown_op("put", "mul", ops.PUT_OPS))


# -- nonzero ------------------------------------------------------------------------------


def nonzero_input(rng: np.random.Generator, dtype: str, shape) -> np.ndarray:
    values = sample(rng, dtype, shape)
    flat = values.reshape(-1)
    if dtype != "bool":
        flat[rng.random(flat.size) < 0.5] = 0
    if dtype.startswith("float"):
        flat[::7] = np.nan  # nan != 0: counts
        flat[3::7] = -0.0  # -0.0 == 0: does not
    return values


@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast", "1d", "0d", "empty"])
@pytest.mark.parametrize("dtype", NAMES)
def test_nonzero(dtype: str, kind: str) -> None:
    rng = rng_for(dtype, kind)
    if kind == "1d":
        values = nonzero_input(rng, dtype, (17,))
        storage, strides, shape = values, (1,), values.shape
    elif kind == "0d":
        storage = sample(rng, dtype, (1,))
        storage[0] = 1
        strides, shape = (), ()
        values = storage.reshape(())
    elif kind == "empty":
        values = np.zeros((3, 0, 2), dtype=NP[dtype])
        storage, strides, shape = np.zeros(1, dtype=NP[dtype]), (0, 0, 0), values.shape
    else:
        values = nonzero_input(rng, dtype, SHAPE)
        storage, strides, shape = layout(values, kind)
        if kind == "broadcast":
            values = np.broadcast_to(values[:, :1], SHAPE)
    count = int(np.count_nonzero(values))
    a_nb, a_ref = both(storage)
    o_nb = NB.zeros(count * len(shape), DTYPES["int64"])
    o_ref = REF.zeros(count * len(shape), DTYPES["int64"])
    NB.nonzero(o_nb, a_nb, strides, shape)
    REF.nonzero(o_ref, a_ref, strides, shape)
    assert_same(o_nb, o_ref, "int64")
    if shape and count:
        np.testing.assert_array_equal(o_nb.reshape(count, len(shape)),
                                      np.argwhere(values))  # row-major order


def test_nonzero_refuses_a_short_output() -> None:
    a = np.array([1.0, 0.0, 2.0, 3.0])
    out = np.zeros(2, dtype=np.int64)
    with pytest.raises(ValueError, match="more non-zero elements"):
        NB.nonzero(out, a, (1,), (4,))
