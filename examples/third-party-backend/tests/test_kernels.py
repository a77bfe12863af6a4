"""The numpy kernels against ops.py's definitions, called directly on storages.

The conformance kit checks tensor-level behaviour on ordinary inputs; these
tests check the edges it does not reach: every named op on ±0, ±inf and NaN,
writes into a strided window of a larger storage, aliasing, and the bounds
check `as_strided` lacks.
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

EDGES = [-math.inf, -2.5, -2.0, -1.0, -0.5, -0.0, 0.0, 0.005, 0.5, 1.0, 2.0, 3.0, 1e300,
         math.inf, math.nan]
NP, REF = NumpyBackend(), ReferenceBackend()


def same(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    """Equal values, NaN where NaN, and the same sign on zeros (a NaN's sign is moot)."""
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
        backend_module._kernel("map", "neg", table, ops.MAP_OPS)


@pytest.mark.parametrize("op", sorted(ops.MAP_OPS))
def test_map_edge_values(op: str) -> None:
    a = np.array(EDGES)
    out = np.zeros_like(a)
    NP.map(op, out, (1,), a.shape, a, (1,))
    expected = np.array([ops.MAP_OPS[op](x) for x in EDGES])
    same(out, expected, f"map {op}")


def _reference_zip(op: str, x: float, y: float) -> float:
    if op == "pow" and x < 0 and math.isnan(y):
        # ops._pow calls int(nan) here and raises ValueError; numpy's answer is nan.
        return math.nan
    return ops.ZIP_OPS[op](x, y)


@pytest.mark.parametrize("op", sorted(ops.ZIP_OPS))
def test_zip_edge_values(op: str) -> None:
    pairs = list(itertools.product(EDGES, repeat=2))
    a = np.array([x for x, _ in pairs])
    b = np.array([y for _, y in pairs])
    out = np.zeros_like(a)
    NP.zip(op, out, (1,), a.shape, a, (1,), b, (1,))
    expected = np.array([_reference_zip(op, x, y) for x, y in pairs])
    same(out, expected, f"zip {op}")


@pytest.mark.parametrize("dtype", [float32, float64], ids=lambda d: d.name)
@pytest.mark.parametrize("op", sorted(ops.MAP_OPS))
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
        ours, theirs = np.zeros(4), np.zeros(4)
        NP.reduce(op, ours, (1, 1), (4, 1), rows.reshape(-1), (4, 1), (4, 4), 1)
        REF.reduce(op, theirs, (1, 1), (4, 1), rows.reshape(-1), (4, 1), (4, 4), 1)
        same(ours, theirs, f"reduce {op}")
    argmax = np.zeros(4)
    NP.reduce("argmax", argmax, (1, 1), (4, 1), rows.reshape(-1), (4, 1), (4, 4), 1)
    np.testing.assert_array_equal(argmax, [1.0, 1.0, 0.0, 0.0])


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
