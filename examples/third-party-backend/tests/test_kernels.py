"""The numpy kernels against ops.py's definitions, called directly on storages.

The conformance kit checks tensor-level behaviour on ordinary inputs; these
tests check the edges it does not reach: every named op on ±0, ±inf and NaN,
writes into a strided window of a larger storage, aliasing, and the bounds
check `as_strided` lacks. The second half runs every kernel against
`ReferenceBackend` on the same storages: every map / zip op in every dtype
`ops.op_dtypes` gives it, the casts between all 25 pairs of dtypes, reduce and
where in each dtype, and take / put (set, and add with duplicate positions) /
nonzero, on transposed, broadcast (stride 0) and strided-window layouts, with
int64 values near 2**60 so that a detour through float64 shows.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from mt_numpy_backend import NumpyBackend
from mt_numpy_backend import backend as backend_module
from mt_numpy_backend.backend import MAP_OPS, REDUCE_OPS, ZIP_OPS, strided

from minitorch.tensor import float32, float64, ops
from minitorch.tensor.backends.reference import ReferenceBackend
from minitorch.tensor.dtype import DTYPES

EDGES = [-math.inf, -2.5, -2.0, -1.0, -0.5, -0.0, 0.0, 0.005, 0.5, 1.0, 2.0, 3.0, 1e300,
         math.inf, math.nan]
NP, REF = NumpyBackend(), ReferenceBackend()


def same(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    """Equal values, NaN where NaN, and the same sign on zeros (a NaN's sign is moot);
    integer and bool results exactly equal, in the same dtype."""
    if actual.dtype.kind in "biu" or expected.dtype.kind in "biu":
        assert actual.dtype == expected.dtype, f"{what}: {actual.dtype} != {expected.dtype}"
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    np.testing.assert_allclose(actual, expected, rtol=1e-15, atol=0, equal_nan=True, err_msg=what)
    numbers = ~np.isnan(expected)
    np.testing.assert_array_equal(np.signbit(actual[numbers]), np.signbit(expected[numbers]),
                                  err_msg=f"{what}: sign of zero")


def test_op_tables_are_ops_py_vocabulary() -> None:
    # Every op of ops.py, in ops.py's order: nothing missing, nothing of our own.
    assert list(MAP_OPS) == list(ops.MAP_OPS)
    assert list(ZIP_OPS) == list(ops.ZIP_OPS)
    assert list(REDUCE_OPS) == list(ops.REDUCE_OPS)


def test_a_name_ops_py_does_not_define_fails_the_import() -> None:
    with pytest.raises(ImportError, match="map: ops not in minitorch.tensor.ops: sigmiod"):
        backend_module._vocabulary("map", {"id": abs, "sigmiod": abs}, ops.MAP_OPS)
    # An op ops.py gained after the backend was written is reported when called.
    table = backend_module._vocabulary("map", {"id": abs}, ops.MAP_OPS)
    assert list(table) == ["id"]
    with pytest.raises(NotImplementedError, match="does not implement the map op 'neg'"):
        backend_module._kernel("map", "neg", {"f": table}, ops.MAP_OPS, np.dtype(np.float64))
    # An op called with a dtype the contract never gives it is refused, not miscomputed.
    with pytest.raises(TypeError, match="the map op 'exp' does not take int64 operands"):
        NP.map("exp", np.zeros(1, np.int64), (1,), (1,), np.ones(1, np.int64), (1,))


@pytest.mark.parametrize("kind", ["map", "zip"])
def test_each_op_takes_exactly_the_dtypes_op_dtypes_lists(kind: str) -> None:
    tables = backend_module.MAP_TABLES if kind == "map" else backend_module.ZIP_TABLES
    names = ops.MAP_OPS if kind == "map" else ops.ZIP_OPS
    for op in names:
        ours = {name for name in ops.op_dtypes(kind, op)
                if op in tables[np.dtype(DTYPES[name].numpy).kind]}
        assert ours == set(ops.op_dtypes(kind, op)), f"{kind} {op}"
        taken = {k for k, t in tables.items() if op in t}
        allowed = {np.dtype(DTYPES[name].numpy).kind for name in ops.op_dtypes(kind, op)}
        assert taken == allowed, f"{kind} {op}: tables {taken}, op_dtypes {allowed}"


def _float_ops(kind: str, table) -> list[str]:
    return sorted(op for op in table if "float64" in ops.op_dtypes(kind, op))


@pytest.mark.parametrize("op", _float_ops("map", ops.MAP_OPS))
def test_map_edge_values(op: str) -> None:
    a = np.array(EDGES)
    out = np.zeros_like(a)
    NP.map(op, out, (1,), a.shape, a, (1,))
    expected = np.array([ops.MAP_OPS[op](x) for x in EDGES], dtype=np.float64)
    same(out, expected, f"map {op}")


def _reference_zip(op: str, x: float, y: float) -> float:
    if op == "pow" and x < 0 and math.isnan(y):
        # ops._pow calls int(nan) here and raises ValueError; numpy's answer is nan.
        return math.nan
    return ops.ZIP_OPS[op](x, y)


@pytest.mark.parametrize("op", _float_ops("zip", ops.ZIP_OPS))
def test_zip_edge_values(op: str) -> None:
    pairs = list(itertools.product(EDGES, repeat=2))
    a = np.array([x for x, _ in pairs])
    b = np.array([y for _, y in pairs])
    compare = op in ops.COMPARE_OPS  # these write bool
    out = np.zeros(a.shape, dtype=bool if compare else np.float64)
    NP.zip(op, out, (1,), a.shape, a, (1,), b, (1,))
    expected = np.array([_reference_zip(op, x, y) for x, y in pairs], dtype=np.float64)
    same(out, expected != 0 if compare else expected, f"zip {op}")


@pytest.mark.parametrize("dtype", [float32, float64], ids=lambda d: d.name)
@pytest.mark.parametrize("op", _float_ops("map", ops.MAP_OPS))
def test_map_matches_reference_backend(op: str, dtype) -> None:
    a = (np.random.default_rng(0).standard_normal(24) * 3).astype(dtype.numpy)
    ours, theirs = np.zeros_like(a), np.zeros_like(a)
    NP.map(op, ours, (1, 4), (4, 6), a, (6, 1))
    REF.map(op, theirs, (1, 4), (4, 6), a, (6, 1))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=0, equal_nan=True)


def test_writes_only_the_strided_window_of_out() -> None:
    # out is the (2, 3) view at offset 3 with strides (8, 2) of a 20-element storage.
    storage = np.full(20, -7.0)
    a = np.arange(6.0)
    NP.map("neg", NP.view_at(storage, 3), (8, 2), (2, 3), a, (3, 1))
    expected = np.full(20, -7.0)
    expected[[3, 5, 7, 11, 13, 15]] = -a
    np.testing.assert_array_equal(storage, expected)


def test_broadcast_operand_has_stride_zero() -> None:
    row, col = np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0])
    out = np.zeros(6)
    NP.zip("add", out, (3, 1), (2, 3), col, (1, 0), row, (0, 1))
    np.testing.assert_array_equal(out, [11, 12, 13, 21, 22, 23])


def test_zero_dim_tensor_arrives_as_one_element() -> None:
    a, out = np.array([4.0]), np.zeros(1)
    NP.map("sqrt", out, (0,), (1,), a, (0,))
    assert out[0] == 2.0


def test_out_may_alias_an_input() -> None:
    # In-place updates hand the same storage in as `a` and as `out`, transposed here.
    a = np.arange(4.0)
    NP.zip("add", a, (1, 2), (2, 2), a, (2, 1), np.ones(1), (0, 0))
    np.testing.assert_array_equal(a, [1, 3, 2, 4])


def test_float32_out_rounds_once() -> None:
    a = np.array([1.0, 3.0], dtype=np.float32)
    out = np.zeros(2, dtype=np.float32)
    NP.map("inv", out, (1,), (2,), a, (1,))
    assert out[1] == np.float32(1.0 / 3.0)


def test_reduce_semantics() -> None:
    rows = np.array([[1.0, 3.0, 3.0, 2.0],
                     [1.0, math.nan, 5.0, math.nan],
                     [-0.0, 0.0, -1.0, -2.0],
                     [0.0, -0.0, -1.0, -2.0]])
    for op in REDUCE_OPS:
        dtype = np.int64 if op == "argmax" else np.float64  # argmax writes int64
        ours, theirs = np.zeros(4, dtype), np.zeros(4, dtype)
        NP.reduce(op, ours, (1, 1), (4, 1), rows.reshape(-1), (4, 1), (4, 4), 1)
        REF.reduce(op, theirs, (1, 1), (4, 1), rows.reshape(-1), (4, 1), (4, 4), 1)
        same(ours, theirs, f"reduce {op}")
    argmax = np.zeros(4, np.int64)
    NP.reduce("argmax", argmax, (1, 1), (4, 1), rows.reshape(-1), (4, 1), (4, 4), 1)
    np.testing.assert_array_equal(argmax, [1, 1, 0, 0])


def test_sum_of_negative_zeros_is_positive_zero() -> None:
    out = np.full(1, 5.0)
    NP.reduce("sum", out, (1,), (1,), np.array([-0.0, -0.0]), (1,), (2,), 0)
    assert out[0] == 0.0 and not np.signbit(out[0])


def test_reduce_along_a_strided_dim() -> None:
    a = np.arange(24.0)  # read as (2, 3) with strides (1, 8): a transposed, sparse view
    out = np.zeros(2)
    NP.reduce("sum", out, (1, 1), (2, 1), a, (1, 8), (2, 3), 1)
    np.testing.assert_array_equal(out, [0 + 8 + 16, 1 + 9 + 17])


def test_matmul_broadcast_batch_and_transposed_operand() -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3))  # one matrix shared by both batches (stride 0)
    b = rng.standard_normal((2, 4, 3))  # stored (batch, m, k): read transposed
    out = np.zeros(2 * 2 * 4)
    NP.matmul(out, (8, 4, 1), a.reshape(-1), (0, 3, 1), b.reshape(-1), (12, 1, 3), (2, 2, 3, 4))
    expected = np.matmul(a, b.transpose(0, 2, 1))
    np.testing.assert_allclose(out.reshape(2, 2, 4), expected, rtol=1e-12)


def test_unknown_op_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="map: unknown op 'cube'; known: id, neg"):
        NP.map("cube", np.zeros(1), (1,), (1,), np.zeros(1), (1,))
    with pytest.raises(ValueError, match="known: sum, max, argmax"):
        NP.reduce("min", np.zeros(1), (1,), (1,), np.zeros(2), (1,), (2,), 0)


@pytest.mark.parametrize("name", ["cube", "", "RELU", "relu_", "sum"])
def test_unknown_op_is_ops_unknown_op(name: str) -> None:
    z = np.zeros(2)
    calls = {
        "map": (ops.MAP_OPS, lambda: NP.map(name, z, (1,), (2,), z, (1,))),
        "zip": (ops.ZIP_OPS, lambda: NP.zip(name, z, (1,), (2,), z, (1,), z, (1,))),
        "reduce": (ops.REDUCE_OPS, lambda: NP.reduce(name, z, (1,), (1,), z, (1,), (2,), 0)),
    }
    for kind, (table, call) in calls.items():
        if name in table:
            continue
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value) == str(ops.unknown_op(kind, name, table)), kind


def test_relu_propagates_nan_but_its_gradient_is_zero_there() -> None:
    x = np.array([math.nan, -1.0, -0.0, 0.0, 2.0])
    out = np.zeros_like(x)
    NP.map("relu", out, (1,), x.shape, x, (1,))
    same(out, np.array([math.nan, 0.0, 0.0, 0.0, 2.0]), "relu")
    NP.zip("relu_back", out, (1,), x.shape, x, (1,), np.full(5, 3.0), (1,))
    same(out, np.array([0.0, 0.0, 0.0, 0.0, 3.0]), "relu_back")


# -- where ---------------------------------------------------------------------------
def _where(cond: np.ndarray, a: np.ndarray, b: np.ndarray, dtype=np.float64) -> np.ndarray:
    """NP.where over contiguous 1-D operands of `dtype`."""
    cond, a, b = (np.asarray(v, dtype=dtype) for v in (cond, a, b))
    out = np.full(a.shape, 12345.0, dtype=dtype)
    NP.where(out, (1,), a.shape, cond, (1,), a, (1,), b, (1,))
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_never_lets_the_value_not_taken_through(dtype) -> None:
    inf, nan = math.inf, math.nan
    cond = [1.0, 0.0, 1.0, 0.0, -2.0, nan, -0.0]
    a = [1.0, inf, 2.0, nan, 3.0, 4.0, -inf]
    b = [nan, 5.0, -inf, 6.0, inf, nan, 7.0]
    got = _where(cond, a, b, dtype)
    assert got.dtype == dtype
    # -2.0 and nan are non-zero, so true; -0.0 is zero, so false.
    np.testing.assert_array_equal(got, [1.0, 5.0, 2.0, 6.0, 3.0, 4.0, 7.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_keeps_the_sign_of_zero(dtype) -> None:
    got = _where([1.0, 0.0, 1.0, 0.0], [-0.0, 1.0, 0.0, 1.0], [1.0, -0.0, 1.0, 0.0], dtype)
    same(got, np.array([-0.0, -0.0, 0.0, 0.0]), "where")


def test_where_broadcast_and_non_contiguous_operands() -> None:
    rng = np.random.default_rng(5)
    cond_col = np.array([1.0, 0.0, 2.0])  # (3, 1): strides (1, 0)
    a_t = rng.standard_normal(12)  # read as (3, 4) transposed: strides (1, 3)
    b_row = rng.standard_normal(4)  # (1, 4): strides (0, 1)
    storage = np.full(3 + 3 * 4 * 2, -7.0)  # out: every other element, 3 in
    NP.where(NP.view_at(storage, 3), (8, 2), (3, 4), cond_col, (1, 0), a_t, (1, 3),
             b_row, (0, 1))
    expected = np.where(cond_col.reshape(3, 1) != 0, a_t.reshape(4, 3).T, b_row.reshape(1, 4))
    window = strided(NP.view_at(storage, 3), (3, 4), (8, 2))
    np.testing.assert_array_equal(window, expected)
    untouched = np.ones(storage.size, dtype=bool)
    untouched[[3 + 8 * i + 2 * j for i in range(3) for j in range(4)]] = False
    assert (storage[untouched] == -7.0).all()


@pytest.mark.parametrize("dtype", [float32, float64], ids=lambda d: d.name)
def test_where_matches_reference_backend(dtype) -> None:
    rng = np.random.default_rng(6)
    cond = np.where(rng.random(24) < 0.5, 0.0, rng.standard_normal(24)).astype(dtype.numpy)
    a = rng.standard_normal(24).astype(dtype.numpy)
    b = rng.standard_normal(6).astype(dtype.numpy)
    ours, theirs = np.zeros_like(a), np.zeros_like(a)
    for backend, out in ((NP, ours), (REF, theirs)):
        backend.where(out, (1, 4), (4, 6), cond, (6, 1), a, (1, 4), b, (0, 1))
    np.testing.assert_array_equal(ours, theirs)


def test_where_in_place_over_an_input() -> None:
    a = np.array([1.0, 2.0, 3.0, 4.0])
    NP.where(a, (1,), (4,), np.array([0.0, 1.0, 0.0, 1.0]), (1,), a, (1,), np.zeros(1), (0,))
    np.testing.assert_array_equal(a, [0.0, 2.0, 0.0, 4.0])


def test_strided_refuses_to_reach_past_the_storage() -> None:
    storage = np.zeros(6)
    assert strided(storage, (2, 3), (3, 1)).shape == (2, 3)
    with pytest.raises(ValueError, match="reaches element 6 of a storage holding 6"):
        strided(storage, (2, 3), (4, 1))
    with pytest.raises(ValueError, match="negative strides"):
        strided(storage, (2,), (-1,))
    assert strided(storage, (0, 3), (100, 1)).size == 0


# -- every dtype, and the indexing kernels, against ReferenceBackend -------------------
# Each kernel runs on both backends with the same storages and layouts: `a` read
# transposed (non-contiguous), `b` broadcast along the rows (stride 0), `out` a strided
# window into a larger storage whose other elements must stay untouched. The whole out
# storages are compared: exactly for integer and bool results, for floats to a few ulps
# (numpy's and libm's exp / log / tanh / sin / cos may differ in the last bit) with
# nan where nan and the sign of zero kept.
ALL_DTYPES = tuple(DTYPES)  # bool, int32, int64, float32, float64
SHAPE = (4, 6)
A_STRIDES = (1, 4)  # a (4, 6) read from a (6, 4) contiguous storage: transposed
B_STRIDES = (0, 1)  # b is one row of 6, broadcast over the 4 rows
OUT_STRIDES, OUT_OFFSET, OUT_SIZE = (13, 2), 3, 3 + 3 * 13 + 5 * 2 + 4
BIG = {"int32": 2**29, "int64": 2**60}  # exact only if never routed through float64


def _ints(rng, dtype: str, n: int, big: bool, nonzero: bool = False) -> np.ndarray:
    x = rng.integers(-6, 7, size=n)
    if nonzero:
        x = np.where(x == 0, 3, x)
    if big:
        # Values near ±2**60 (int64) that float64 cannot tell apart; small ones mixed in.
        x = np.where(rng.random(n) < 0.6, np.sign(x + 0.5).astype(np.int64) * BIG[dtype] + x, x)
    return x.astype(DTYPES[dtype].numpy)


def _operand(rng, dtype: str, n: int, op: str = "", second: bool = False) -> np.ndarray:
    """n values of `dtype` in the range where `op` is defined and cannot overflow."""
    if dtype == "bool":
        return rng.random(n) < 0.5
    if dtype in BIG:
        big = op not in ("mul", "pow") and not (second and op in ("floordiv", "mod"))
        return _ints(rng, dtype, n, big=big)  # zero divisors included: defined as 0
    x = rng.standard_normal(n) * 3
    x[rng.random(n) < 0.15] = 0.0
    x[rng.random(n) < 0.1] = -0.0
    x = np.where(rng.random(n) < 0.3, np.round(x), x)  # integral values: floordiv, pow
    return x.astype(DTYPES[dtype].numpy)


def _out_dtype(kind: str, op: str, dtype: str) -> str:
    return "bool" if (kind == "zip" and op in ops.COMPARE_OPS) or op == "not" else dtype


def _fresh_out(dtype: str, size: int = OUT_SIZE) -> np.ndarray:
    return (np.arange(size) % 5 + 7).astype(DTYPES[dtype].numpy)  # True for bool


def _compare(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    if ours.dtype.kind == "f":
        np.testing.assert_allclose(ours, theirs, rtol=1e-15 if ours.dtype == np.float64
                                   else 1e-7, atol=0, equal_nan=True, err_msg=what)
        numbers = ~np.isnan(theirs)
        np.testing.assert_array_equal(np.signbit(ours[numbers]), np.signbit(theirs[numbers]),
                                      err_msg=f"{what}: sign of zero")
    else:
        same(ours, theirs, what)


def _both(call, out_dtype: str, what: str, size: int = OUT_SIZE) -> np.ndarray:
    """Run `call(backend, out)` on both backends with fresh identical `out` storages."""
    ours, theirs = _fresh_out(out_dtype, size), _fresh_out(out_dtype, size)
    call(NP, ours)
    call(REF, theirs)
    assert ours.dtype == DTYPES[out_dtype].numpy
    _compare(ours, theirs, what)
    return ours


def _map_cases():
    return [(op, d) for op in ops.MAP_OPS if op != "id" for d in ops.op_dtypes("map", op)]


def _zip_cases():
    return [(op, d) for op in ops.ZIP_OPS for d in ops.op_dtypes("zip", op)]


@pytest.mark.parametrize("op,dtype", _map_cases(), ids=[f"{o}-{d}" for o, d in _map_cases()])
def test_map_every_dtype_matches_reference(op: str, dtype: str) -> None:
    a = _operand(np.random.default_rng(10), dtype, 24, op)

    def call(backend, out):
        backend.map(op, backend.view_at(out, OUT_OFFSET), OUT_STRIDES, SHAPE, a, A_STRIDES)
    _both(call, _out_dtype("map", op, dtype), f"map {op} {dtype}")


@pytest.mark.parametrize("op,dtype", _zip_cases(), ids=[f"{o}-{d}" for o, d in _zip_cases()])
def test_zip_every_dtype_matches_reference(op: str, dtype: str) -> None:
    rng = np.random.default_rng(11)
    a = _operand(rng, dtype, 24, op)
    b = _operand(rng, dtype, 6, op, second=True)
    if op == "pow" and dtype in BIG:
        b = rng.integers(-3, 7, size=6).astype(a.dtype)  # negative powers: _int_pow
        a = rng.integers(-4, 5, size=24).astype(a.dtype)

    def call(backend, out):
        backend.zip(op, backend.view_at(out, OUT_OFFSET), OUT_STRIDES, SHAPE, a, A_STRIDES,
                    b, B_STRIDES)
    _both(call, _out_dtype("zip", op, dtype), f"zip {op} {dtype}")


def test_int64_arithmetic_is_exact() -> None:
    a = np.array([2**60 + 1, -(2**62) + 3, 2**53 + 1], dtype=np.int64)
    b = np.array([2**60, 1, 2], dtype=np.int64)
    out = np.zeros(3, np.int64)
    NP.zip("add", out, (1,), (3,), a, (1,), b, (1,))
    assert out.tolist() == [2**61 + 1, -(2**62) + 4, 2**53 + 3]
    NP.zip("floordiv", out, (1,), (3,), a, (1,), np.array([7], np.int64), (0,))
    assert out.tolist() == [(2**60 + 1) // 7, (-(2**62) + 3) // 7, (2**53 + 1) // 7]
    flags = np.zeros(3, bool)
    NP.zip("gt", flags, (1,), (3,), a, (1,), b, (1,))
    assert flags.tolist() == [True, False, True]
    total = np.zeros(1, np.int64)
    NP.reduce("sum", total, (1,), (1,), a, (1,), (3,), 0)
    assert total[0] == 2**60 + 1 - 2**62 + 3 + 2**53 + 1


def test_integer_division_by_zero_and_negative_powers() -> None:
    a = np.array([7, -7, 0, 1, -1, -1, 2, 0], dtype=np.int32)
    b = np.array([0, 0, 0, -3, -3, -2, -1, -2], dtype=np.int32)
    out = np.zeros(8, np.int32)
    for op, expected in (("floordiv", [0] * 3), ("mod", [0] * 3)):
        NP.zip(op, out, (1,), (3,), a, (1,), b, (1,))
        assert out[:3].tolist() == expected, op
    NP.zip("pow", out, (1,), (8,), a, (1,), b, (1,))
    assert out[3:].tolist() == [1, -1, 1, 0, 0]


def _cast_values(src: str, dst: str) -> np.ndarray:
    if src == "bool":
        return np.array([True, False, True, True, False, False])
    if src in BIG:
        big = [2**60 + 1, -(2**60) - 3, 2**60 + 2**36 + 1, 2**53 + 1]  # rounding to floats
        small = [0, -1, 5, 2**31 - 1, -(2**31), 12345]
        return np.array(small + (big if src == "int64" and dst != "int32" else []),
                        dtype=DTYPES[src].numpy)
    values = [0.0, -0.0, 0.5, -0.5, -2.7, 2.7, 3.0, -1e-30, 123456.75, -65504.5]
    if dst == "int64" or dst in ("float32", "float64", "bool"):
        values += [1e15 + 0.5, -3e18, 1e30 if dst != "int64" else 1.0]
    if dst == "bool":
        values += [math.nan, math.inf, -math.inf]
    if src == "float64" and dst == "float32":
        values += [1.0000000596046448, 1 / 3]  # rounds: ties to even, and inexact
    return np.array(values, dtype=DTYPES[src].numpy)


@pytest.mark.parametrize("dst", ALL_DTYPES)
@pytest.mark.parametrize("src", ALL_DTYPES)
def test_cast_between_every_pair_of_dtypes(src: str, dst: str) -> None:
    a = _cast_values(src, dst)
    n = a.size
    strided_a = np.repeat(a, 2)  # read every other element: stride 2

    def call(backend, out):
        backend.map("id", backend.view_at(out, 1), (3,), (n,), strided_a, (2,))
    _both(call, dst, f"cast {src} -> {dst}", size=1 + 3 * n)


def test_cast_int64_to_float32_rounds_as_the_reference() -> None:
    # The reference writes the Python int, which numpy turns into a float64 first.
    a = np.array([2**60 + 2**36 + 1], dtype=np.int64)
    out = np.zeros(1, np.float32)
    NP.map("id", out, (1,), (1,), a, (1,))
    assert int(out[0]) == 2**60


_REDUCE_CASES = [("sum", d) for d in ("int64", "float32", "float64")] + \
    [("max", d) for d in ("int32", "int64", "float32", "float64")] + \
    [("argmax", d) for d in ALL_DTYPES]


@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("op,dtype", _REDUCE_CASES, ids=[f"{o}-{d}" for o, d in _REDUCE_CASES])
def test_reduce_every_dtype_matches_reference(op: str, dtype: str, dim: int) -> None:
    rng = np.random.default_rng(12)
    a = _operand(rng, dtype, 24, op)
    if dtype in BIG:  # ties between big values, so the first maximum matters
        a[rng.integers(0, 24, 6)] = a.max()
    out_shape = tuple(1 if d == dim else n for d, n in enumerate(SHAPE))
    out_strides = (13, 2)
    out_dtype = "int64" if op == "argmax" else dtype

    def call(backend, out):
        backend.reduce(op, backend.view_at(out, OUT_OFFSET), out_strides, out_shape,
                       a, A_STRIDES, SHAPE, dim)
    result = _both(call, out_dtype, f"reduce {op} {dtype} dim {dim}")
    if op == "sum" and dtype == "int64":
        expected = a.reshape(6, 4).T.sum(axis=dim)
        window = strided(NP.view_at(result, OUT_OFFSET), out_shape, out_strides).reshape(-1)
        assert window.tolist() == expected.tolist()


def test_reduce_broadcast_operand() -> None:
    # A stride-0 dim being reduced: the same element counted n times.
    a = np.array([2**60 + 1, 3], dtype=np.int64)
    for backend in (NP, REF):
        out = np.zeros(2, np.int64)
        backend.reduce("sum", out, (1, 1), (2, 1), a, (1, 0), (2, 5), 1)
        assert out.tolist() == [5 * (2**60 + 1), 15]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_where_every_dtype_matches_reference(dtype: str) -> None:
    rng = np.random.default_rng(13)
    cond = rng.random(4) < 0.5  # one per row, broadcast along it
    a, b = _operand(rng, dtype, 24), _operand(rng, dtype, 6)

    def call(backend, out):
        backend.where(backend.view_at(out, OUT_OFFSET), OUT_STRIDES, SHAPE, cond, (1, 0),
                      a, A_STRIDES, b, B_STRIDES)
    _both(call, dtype, f"where {dtype}")


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_take_matches_reference(dtype: str) -> None:
    rng = np.random.default_rng(14)
    source = _operand(rng, dtype, 5 * 6)  # a (5, 6) matrix
    # index_select of rows [3, 0, 3, 4] (a repeated row): a's row stride is 0, the
    # offsets (one per row, broadcast along it) pick the row.
    rows = np.array([3, 0, 3, 4], dtype=np.int64) * 6

    def select(backend, out):
        backend.take(backend.view_at(out, OUT_OFFSET), OUT_STRIDES, SHAPE, source, (0, 1),
                     rows, (1, 0))
    _both(select, dtype, f"take rows {dtype}")

    # gather along dim 0: out[i, j] = source[picks[i, j], j], with the picks stored
    # transposed (non-contiguous offsets).
    picks = rng.integers(0, 5, size=(6, 4)).astype(np.int64)  # picks[j, i]

    def gather(backend, out):
        backend.take(backend.view_at(out, OUT_OFFSET), OUT_STRIDES, SHAPE, source, (0, 1),
                     picks.reshape(-1) * 6, (1, 4))
    _both(gather, dtype, f"take gather {dtype}")


def test_take_refuses_a_position_outside_the_storage() -> None:
    with pytest.raises(IndexError, match="take: offset position -1"):
        NP.take(np.zeros(2), (1,), (2,), np.zeros(3), (1,), np.array([0, -2]), (1,))


@pytest.mark.parametrize("op", ops.PUT_OPS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_put_matches_reference(op: str, dtype: str) -> None:
    rng = np.random.default_rng(15)
    src = _operand(rng, dtype, 24)
    if dtype in BIG:
        src = _ints(rng, dtype, 24, big=True) // 8  # 24 of them may land on one element
    if op == "set":
        # scatter into a strided window: each (i, j) goes to column perm[i, j] of row i.
        perm = np.argsort(rng.random((4, 6)), axis=1).astype(np.int64)
        offsets = (perm - np.arange(6)) * OUT_STRIDES[1]  # relative to pos(idx, out_strides)
        out_strides, offsets_strides = OUT_STRIDES, (6, 1)
    else:
        # scatter_add with many duplicates: everything lands on 5 elements of row i.
        cols = rng.integers(0, 5, size=(4, 6)).astype(np.int64)
        offsets = cols * OUT_STRIDES[1]
        out_strides, offsets_strides = (OUT_STRIDES[0], 0), (6, 1)  # out's column stride 0

    def call(backend, out):
        backend.put(op, backend.view_at(out, OUT_OFFSET), out_strides, SHAPE, src, A_STRIDES,
                    offsets.reshape(-1), offsets_strides)
    _both(call, dtype, f"put {op} {dtype}")


def test_put_add_accumulates_duplicates_in_order() -> None:
    # float32 rounds after every addition, as the reference's loop does.
    values = np.array([1.0, 2**-24, 2**-24, 2**-24, -1.0], dtype=np.float32)
    for backend in (NP, REF):
        out = np.zeros(2, np.float32)
        backend.put("add", out, (0,), (5,), values, (1,), np.zeros(1, np.int64), (0,))
        assert out[0] == np.float32(0.0) and out[1] == 0
    # A broadcast source (stride 0) added three times onto one element.
    out = np.array([2**60], dtype=np.int64)
    NP.put("add", out, (0,), (3,), np.array([2**58 + 1], np.int64), (0,),
           np.zeros(3, np.int64), (1,))
    assert out[0] == 2**60 + 3 * (2**58 + 1)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_nonzero_matches_reference(dtype: str) -> None:
    rng = np.random.default_rng(16)
    a = _operand(rng, dtype, 24)
    if dtype.startswith("float"):
        a[[2, 9]] = [math.nan, -0.0]  # nan is non-zero, -0.0 is zero
    for strides, shape in ((A_STRIDES, SHAPE), ((0, 1), (3, 6)), ((1, 0, 4), (4, 2, 3))):
        count = int(np.count_nonzero(strided(a, shape, strides)))

        def call(backend, out, strides=strides, shape=shape):
            backend.nonzero(out, a, strides, shape)
        got = _both(call, "int64", f"nonzero {dtype} {strides}", size=count * len(shape))
        expected = np.argwhere(strided(a, shape, strides) != 0).reshape(-1)
        assert got.tolist() == expected.tolist()


def test_nonzero_of_a_zero_dim_tensor_writes_nothing() -> None:
    out = np.zeros(0, np.int64)
    NP.nonzero(out, np.array([3.0]), (), ())


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_read_returns_the_python_type_of_the_dtype(dtype: str) -> None:
    storage = NP.from_numpy(np.array([1, 0], dtype=DTYPES[dtype].numpy))
    value = NP.read(storage, 0)
    expected = {"bool": bool, "int32": int, "int64": int}.get(dtype, float)
    assert type(value) is expected and value == 1
    assert NP.read(NP.from_numpy(np.array([2**60 + 1])), 0) == 2**60 + 1
