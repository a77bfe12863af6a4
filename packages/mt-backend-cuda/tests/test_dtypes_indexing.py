"""Every dtype path of the cuda kernels, and the indexing kernels, against the reference.

The reference is mt-tensor's pure-Python `ReferenceBackend`, the living
definition of every kernel: both backends get the same operands (the same
element strides over the same values; the cuda ones in device storages made
with `from_numpy`) and must write the same result. Covered: every map and
zip op in every operand dtype `ops.op_dtypes` allows it (plus a broadcast or
non-contiguous layout each), the `id` cast between all 25 dtype pairs,
`where` and `reduce` over their dtypes, and `take`, `put` ("set", "add" with
repeated positions) and `nonzero`. Integer and bool results must be exact
(int64 beyond 2**53 included); float ones agree to a few ulps (both round
float64 arithmetic once).

Shapes stay small: the simulator runs every CUDA thread as a Python thread.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from minitorch.backends.cuda import device, elementwise, indexing
from minitorch.tensor import ops
from minitorch.tensor.backends.reference import ReferenceBackend
from minitorch.tensor.dtype import DTYPES

pytestmark = [pytest.mark.cuda, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

REF = ReferenceBackend()
NAMES = tuple(DTYPES)  # bool, int32, int64, float32, float64
SHAPE = (4, 6)
BIG = 2**60  # int64 values past float64's 53 bits: any detour through float shows


# -- helpers ------------------------------------------------------------------
def flat(view: np.ndarray) -> tuple[np.ndarray, int, tuple[int, ...]]:
    """(1-D base, offset, element strides) of a numpy view: what both backends get."""
    owner = view
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if not owner.flags.c_contiguous:
        owner = np.ascontiguousarray(view)
        view = owner
    item = view.itemsize
    offset = (view.__array_interface__["data"][0] - owner.__array_interface__["data"][0]) // item
    return owner.reshape(-1), offset, tuple(s // item for s in view.strides)


class Pair:
    """One operand as both backends hold it: a device storage and a host one."""

    def __init__(self, backend, view: np.ndarray) -> None:
        base, offset, self.strides = flat(view)
        self.dev = backend.view_at(backend.from_numpy(base), offset)
        self.ref = REF.view_at(base.copy(), offset)


def out_pair(backend, shape, name: str):
    """A contiguous output in both backends, pre-filled with garbage so that a
    skipped element shows. Returns (dev, ref, strides, size)."""
    size = max(int(np.prod(shape)), 1)
    np_dtype = DTYPES[name].numpy
    host = np.full(size, True if name == "bool" else 77, dtype=np_dtype)
    strides = tuple(s // host.itemsize for s in np.empty(shape, dtype=np_dtype).strides)
    return backend.from_numpy(host), host.copy(), strides, size


def assert_same(backend, dev_out, ref_out, name: str, what: str = "") -> None:
    got = backend.to_numpy(dev_out)
    assert got.dtype == ref_out.dtype, what
    if name in ("float32", "float64"):
        rtol, atol = (2e-6, 1e-6) if name == "float32" else (1e-12, 1e-12)
        np.testing.assert_allclose(got, ref_out, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=what)
    else:
        np.testing.assert_array_equal(got, ref_out, err_msg=what)


def sample(rng: np.random.Generator, name: str, shape, low=-20, high=20, nonzero=False,
           big=False) -> np.ndarray:
    """Values of dtype `name`: bools half true; integers in [low, high] (a few
    near +-2**60 for int64 when `big`); floats scaled normals, some exact
    integers and halves so ties and exact results occur."""
    if name == "bool":
        return rng.random(shape) < 0.5
    if name in ("int32", "int64"):
        values = rng.integers(low, high + 1, size=shape).astype(name)
        if nonzero:
            values[values == 0] = 3
        if big and name == "int64":
            flat_view = values.reshape(-1)
            flat_view[::5] = BIG + flat_view[::5]
            flat_view[2::7] = -BIG - flat_view[2::7]
        return values
    values = rng.standard_normal(shape) * (high / 4)
    values.reshape(-1)[::3] = np.round(values.reshape(-1)[::3] * 2) / 2
    if nonzero:
        values[values == 0] = 1.5
    return values.astype(name)


def layout(values: np.ndarray, kind: str) -> np.ndarray:
    """`values` laid out as `kind`: contiguous, permuted (transpose of a
    contiguous base), broadcast (row 0 repeated: dim 0 has stride 0) or
    offset (starting two rows into its base)."""
    if kind == "contiguous":
        return np.ascontiguousarray(values)
    if kind == "permuted":
        return np.ascontiguousarray(values.T).T
    if kind == "broadcast":
        return np.broadcast_to(values[:1], values.shape)
    if kind == "offset":
        base = np.concatenate([values[:2], values])
        return base[2:]
    raise ValueError(kind)


def map_cases():
    for op in ops.MAP_OPS:
        for name in ops.op_dtypes("map", op):
            yield op, name


def zip_cases():
    for op in ops.ZIP_OPS:
        for name in ops.op_dtypes("zip", op):
            yield op, name


def map_inputs(rng, op: str, name: str) -> np.ndarray:
    if op == "id" or op in ("neg", "abs", "sign", "relu"):
        return sample(rng, name, SHAPE, big=True)
    if op in ("exp", "sigmoid", "tanh", "sin", "cos"):
        return sample(rng, name, SHAPE, high=12)
    return sample(rng, name, SHAPE)  # log / sqrt / inv: negatives and zeros included


def zip_inputs(rng, op: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    if op == "pow":  # small bases and exponents: no overflow, negative ones included
        if name in ("int32", "int64"):
            a = sample(rng, name, SHAPE, low=-6, high=6)
            b = sample(rng, name, SHAPE, low=-3, high=5)
            a.reshape(-1)[:4] = [1, -1, 0, 2]
            b.reshape(-1)[:4] = [-3, -3, -2, -1]
            return a, b
        return sample(rng, name, SHAPE, high=8), sample(rng, name, SHAPE, low=-3, high=3)
    if op in ("floordiv", "mod", "div", "log_back", "inv_back"):
        big = op in ("floordiv", "mod")
        a = sample(rng, name, SHAPE, low=-50, high=50, big=big)
        return a, sample(rng, name, SHAPE, low=-7, high=7, nonzero=True)
    big = op in ("add", "sub", "max", "lt", "gt", "le", "ge", "eq", "ne")
    a = sample(rng, name, SHAPE, big=big)
    b = sample(rng, name, SHAPE, big=big)
    b.reshape(-1)[::4] = a.reshape(-1)[::4]  # ties for the comparisons and max
    if op == "mul" and name == "int64":
        a.reshape(-1)[::6] = 2**58 + 3  # times |b| <= 20: past 2**53, within int64
        b.reshape(-1)[::6] = -5
    return a, b


def out_dtype_of(kind: str, op: str, name: str) -> str:
    if kind == "zip" and op in ops.COMPARE_OPS:
        return "bool"
    return name


# -- map / zip: every op in every dtype it is called with ---------------------------
@pytest.mark.parametrize("kind", ["contiguous", "permuted"])
@pytest.mark.parametrize(("op", "name"), list(map_cases()))
def test_map_matches_the_reference(backend, rng, op, name, kind):
    x = layout(map_inputs(rng, op, name), kind)
    a = Pair(backend, x)
    out_name = "bool" if op == "not" else name
    d_out, r_out, out_strides, _ = out_pair(backend, SHAPE, out_name)
    backend.map(op, d_out, out_strides, SHAPE, a.dev, a.strides)
    REF.map(op, r_out, out_strides, SHAPE, a.ref, a.strides)
    assert_same(backend, d_out, r_out, out_name, f"{op} {name} {kind}")


@pytest.mark.parametrize("kind", ["contiguous", "broadcast"])
@pytest.mark.parametrize(("op", "name"), list(zip_cases()))
def test_zip_matches_the_reference(backend, rng, op, name, kind):
    x, y = zip_inputs(rng, op, name)
    if kind == "broadcast":  # a broadcast along dim 0, b permuted
        x, y = layout(x, "broadcast"), layout(y, "permuted")
    a, b = Pair(backend, x), Pair(backend, y)
    out_name = out_dtype_of("zip", op, name)
    d_out, r_out, out_strides, _ = out_pair(backend, SHAPE, out_name)
    backend.zip(op, d_out, out_strides, SHAPE, a.dev, a.strides, b.dev, b.strides)
    REF.zip(op, r_out, out_strides, SHAPE, a.ref, a.strides, b.ref, b.strides)
    assert_same(backend, d_out, r_out, out_name, f"{op} {name} {kind}")


def test_every_op_and_dtype_is_covered():
    maps, zips = list(map_cases()), list(zip_cases())
    assert {op for op, _ in maps} == set(ops.MAP_OPS)
    assert {op for op, _ in zips} == set(ops.ZIP_OPS)
    assert {name for _, name in maps + zips} == set(NAMES)


def test_int64_arithmetic_is_exact_past_2_53(backend):
    a = np.array([BIG + 1, -BIG - 3, BIG + 7, 2**62 + 1, 2**53 + 1], dtype=np.int64)
    b = np.array([2, 1, -3, 1, 1], dtype=np.int64)
    x, y = Pair(backend, a), Pair(backend, b)
    py_a, py_b = [int(v) for v in a], [int(v) for v in b]
    want = {
        "add": [u + v for u, v in zip(py_a, py_b)],
        "sub": [u - v for u, v in zip(py_a, py_b)],
        "mul": [u * v if abs(u * v) < 2**63 else None for u, v in zip(py_a, py_b)],
        "floordiv": [u // v for u, v in zip(py_a, py_b)],
        "mod": [u % v for u, v in zip(py_a, py_b)],
        "max": [max(u, v) for u, v in zip(py_a, py_b)],
    }
    for op, expected in want.items():
        out = backend.zeros(5, DTYPES["int64"])
        backend.zip(op, out, (1,), (5,), x.dev, (1,), y.dev, (1,))
        got = [int(v) for v in backend.to_numpy(out)]
        for g, e in zip(got, expected):
            if e is not None:
                assert g == e, op
    out = backend.zeros(5, DTYPES["int64"])
    backend.map("neg", out, (1,), (5,), x.dev, (1,))
    assert [int(v) for v in backend.to_numpy(out)] == [-v for v in py_a]
    # 2**53 + 1 vs 2**53: equal in float64, different in int64.
    c = Pair(backend, np.array([2**53 + 1], dtype=np.int64))
    d = Pair(backend, np.array([2**53], dtype=np.int64))
    res = backend.zeros(1, DTYPES["bool"])
    backend.zip("eq", res, (1,), (1,), c.dev, (1,), d.dev, (1,))
    assert backend.read(res, 0) is False
    backend.zip("gt", res, (1,), (1,), c.dev, (1,), d.dev, (1,))
    assert backend.read(res, 0) is True


@pytest.mark.parametrize("name", ["int32", "int64"])
def test_integer_edge_cases_follow_the_int_ops(backend, name):
    # Division by zero gives 0; floor division and % take the divisor's sign
    # (Python's rules); a negative exponent truncates 1 / x**-y.
    a = np.array([7, -7, 7, -7, 5, 0, 1, -1, -1, 2, 0, 3], dtype=name)
    b = np.array([2, 2, -2, -2, 0, 0, -5, -5, -4, -1, 3, 0], dtype=name)
    x, y = Pair(backend, a), Pair(backend, b)
    pairs = [(int(u), int(v)) for u, v in zip(a, b)]
    for op in ("floordiv", "mod", "pow"):
        fn = ops.INT_ZIP_OPS[op]
        out = backend.zeros(len(a), DTYPES[name])
        backend.zip(op, out, (1,), (len(a),), x.dev, (1,), y.dev, (1,))
        assert backend.to_numpy(out).tolist() == [fn(u, v) for u, v in pairs], op


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_float_floordiv_and_mod_edge_cases(backend, name):
    inf, nan = math.inf, math.nan
    a = np.array([7.5, -7.5, 1.0, 0.0, -0.0, inf, 3.0, -1.0, 1.0, 0.0, nan], dtype=name)
    b = np.array([2.0, 2.0, 0.0, 0.0, 1.0, 2.0, inf, inf, -inf, -3.0, 2.0], dtype=name)
    x, y = Pair(backend, a), Pair(backend, b)
    for op in ("floordiv", "mod"):
        d_out, r_out, st, n = out_pair(backend, a.shape, name)
        backend.zip(op, d_out, st, a.shape, x.dev, x.strides, y.dev, y.strides)
        REF.zip(op, r_out, st, a.shape, x.ref, x.strides, y.ref, y.strides)
        got = backend.to_numpy(d_out)
        np.testing.assert_array_equal(got, r_out, err_msg=op)
        numbers = ~np.isnan(r_out)  # the sign of zeros and infinities, not of nans
        np.testing.assert_array_equal(np.signbit(got[numbers]), np.signbit(r_out[numbers]),
                                      err_msg=op)


# -- the cast: `id` between all 25 dtype pairs -------------------------------------
def cast_source(rng, src: str, dst: str) -> np.ndarray:
    if src == "bool":
        return sample(rng, "bool", SHAPE)
    if src in ("int32", "int64"):
        values = sample(rng, src, SHAPE, low=-1000, high=1000)
        values.reshape(-1)[:3] = [0, -1, 1]
        if src == "int64" and dst == "int64":
            values.reshape(-1)[3:5] = [BIG + 1, -BIG - 1]
        if src == "int64" and dst in ("float32", "float64"):
            values.reshape(-1)[3] = BIG  # exactly representable in both
        return values
    values = (rng.standard_normal(SHAPE) * 300).astype(src)  # in int32 range
    values.reshape(-1)[:6] = [0.0, -0.0, 2.75, -2.75, 0.5, -0.5]  # truncation toward zero
    if dst in ("bool", "float32", "float64"):
        values.reshape(-1)[6:9] = [math.nan, math.inf, -math.inf]  # nan / inf: != 0
    return values


@pytest.mark.parametrize("dst", NAMES)
@pytest.mark.parametrize("src", NAMES)
def test_every_cast_matches_the_reference(backend, rng, src, dst):
    x = layout(cast_source(rng, src, dst), "permuted")
    a = Pair(backend, x)
    d_out, r_out, out_strides, _ = out_pair(backend, SHAPE, dst)
    backend.map("id", d_out, out_strides, SHAPE, a.dev, a.strides)
    REF.map("id", r_out, out_strides, SHAPE, a.ref, a.strides)
    assert_same(backend, d_out, r_out, dst, f"{src} -> {dst}")


def test_cast_into_a_broadcast_source_and_strided_output(backend, rng):
    x = np.broadcast_to(np.array([[-3.7, 0.0, 2.2, 9.9, -0.2, 5.5]]), SHAPE)
    a = Pair(backend, x)
    # out is the transpose of a contiguous (6, 4) int32 array.
    d_out, r_out, _, _ = out_pair(backend, SHAPE[::-1], "int32")
    backend.map("id", d_out, (1, SHAPE[0]), SHAPE, a.dev, a.strides)
    REF.map("id", r_out, (1, SHAPE[0]), SHAPE, a.ref, a.strides)
    assert_same(backend, d_out, r_out, "int32")
    assert backend.to_numpy(d_out)[:4].tolist() == [-3, -3, -3, -3]


# -- where ------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_where_matches_the_reference(backend, rng, name):
    cond = layout(sample(rng, "bool", SHAPE), "broadcast")
    x = layout(sample(rng, name, SHAPE, big=True), "permuted")
    y = np.broadcast_to(sample(rng, name, (1, 1)), SHAPE)  # one element, strides 0
    c, a, b = Pair(backend, cond), Pair(backend, x), Pair(backend, y)
    d_out, r_out, st, _ = out_pair(backend, SHAPE, name)
    backend.where(d_out, st, SHAPE, c.dev, c.strides, a.dev, a.strides, b.dev, b.strides)
    REF.where(r_out, st, SHAPE, c.ref, c.strides, a.ref, a.strides, b.ref, b.strides)
    assert_same(backend, d_out, r_out, name)


# -- reduce -----------------------------------------------------------------------
REDUCE_CASES = ([("sum", n) for n in ("int64", "float32", "float64")]
                + [("max", n) for n in ("int32", "int64", "float32", "float64")]
                + [("argmax", n) for n in ("bool", "int32", "int64", "float32", "float64")])


@pytest.mark.parametrize("shape", [(3, 5), (2, 40)])
@pytest.mark.parametrize(("op", "name"), REDUCE_CASES)
def test_reduce_matches_the_reference(backend, rng, op, name, shape):
    # (2, 40): longer than the simulator's 32-thread block, so partials merge.
    # int64 values near +-2**60 for max / argmax; sums stay small (no overflow),
    # test_int64_sum_is_exact checks their exactness.
    x = layout(sample(rng, name, shape, big=(op != "sum")), "permuted")
    a = Pair(backend, x)
    out_name = "int64" if op == "argmax" else name
    for dim in range(len(shape)):
        out_shape = tuple(1 if d == dim else n for d, n in enumerate(shape))
        d_out, r_out, st, _ = out_pair(backend, out_shape, out_name)
        backend.reduce(op, d_out, st, out_shape, a.dev, a.strides, shape, dim)
        REF.reduce(op, r_out, st, out_shape, a.ref, a.strides, shape, dim)
        assert_same(backend, d_out, r_out, out_name, f"{op} {name} dim {dim}")


def test_int64_sum_is_exact(backend):
    x = np.array([[BIG + 1, BIG + 3, -5, 2**53 + 1, 1]] * 2, dtype=np.int64)
    a = Pair(backend, x)
    out = backend.zeros(2, DTYPES["int64"])
    backend.reduce("sum", out, (1, 1), (2, 1), a.dev, a.strides, x.shape, 1)
    assert backend.to_numpy(out).tolist() == [sum(int(v) for v in x[0])] * 2
    assert sum(float(v) for v in x[0]) != sum(int(v) for v in x[0])  # float would round


def test_argmax_of_ties_takes_the_first(backend):
    x = np.array([[3, 9, 9, 1], [-2, -2, -2, -2]], dtype=np.int32)
    a = Pair(backend, x)
    out = backend.zeros(2, DTYPES["int64"])
    backend.reduce("argmax", out, (1, 1), (2, 1), a.dev, a.strides, x.shape, 1)
    assert backend.to_numpy(out).tolist() == [1, 0]


# -- take ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_take_index_select_with_repeats(backend, rng, name):
    # index_select(a, 0, [2, 0, 2]) of a (4, 6) a: out (3, 6); a's dim 0 is
    # replaced by the offsets (rows * 6, broadcast along dim 1: strides (1, 0)).
    a_values = sample(rng, name, SHAPE, big=True)
    a = Pair(backend, a_values)
    off = Pair(backend, np.array([2, 0, 2], dtype=np.int64) * SHAPE[1])
    shape = (3, SHAPE[1])
    d_out, r_out, st, _ = out_pair(backend, shape, name)
    backend.take(d_out, st, shape, a.dev, (0, 1), off.dev, (1, 0))
    REF.take(r_out, st, shape, a.ref, (0, 1), off.ref, (1, 0))
    assert_same(backend, d_out, r_out, name)
    np.testing.assert_array_equal(backend.to_numpy(d_out).reshape(shape), a_values[[2, 0, 2]])


@pytest.mark.parametrize("name", NAMES)
def test_take_gather_from_a_permuted_source_into_a_strided_output(backend, rng, name):
    # gather along dim 1 of a permuted a: offsets = index * a's dim-1 stride.
    a_values = layout(sample(rng, name, SHAPE), "permuted")
    a = Pair(backend, a_values)
    index = rng.integers(0, SHAPE[1], size=SHAPE)
    off = Pair(backend, layout(index.astype(np.int64) * a.strides[1], "permuted"))
    d_out, r_out, _, _ = out_pair(backend, SHAPE[::-1], name)
    out_strides = (1, SHAPE[0])  # the transpose of a contiguous (6, 4)
    a_strides = (a.strides[0], 0)
    backend.take(d_out, out_strides, SHAPE, a.dev, a_strides, off.dev, off.strides)
    REF.take(r_out, out_strides, SHAPE, a.ref, a_strides, off.ref, off.strides)
    assert_same(backend, d_out, r_out, name)
    want = np.take_along_axis(a_values, index, axis=1)
    np.testing.assert_array_equal(backend.to_numpy(d_out).reshape(SHAPE[::-1]).T, want)


def test_take_zero_dim(backend):
    a = Pair(backend, np.array([5, 6, 7], dtype=np.int64))
    off = Pair(backend, np.array([2], dtype=np.int64))
    out = backend.zeros(1, DTYPES["int64"])
    backend.take(out, (), (), a.dev, (), off.dev, ())
    assert backend.read(out, 0) == 7


# -- put ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_put_set_without_repeats(backend, rng, name):
    # index_put on rows [3, 0] of a (4, 6) out, from a permuted src.
    base = sample(rng, name, SHAPE)
    src = layout(sample(rng, name, (2, SHAPE[1]), big=True), "permuted")
    s = Pair(backend, src)
    off = Pair(backend, np.array([3, 0], dtype=np.int64) * SHAPE[1])
    d_out, r_out = backend.from_numpy(base.reshape(-1)), base.reshape(-1).copy()
    shape = (2, SHAPE[1])
    backend.put("set", d_out, (0, 1), shape, s.dev, s.strides, off.dev, (1, 0))
    REF.put("set", r_out, (0, 1), shape, s.ref, s.strides, off.ref, (1, 0))
    assert_same(backend, d_out, r_out, name)


@pytest.mark.parametrize("name", NAMES)
def test_put_set_with_repeats_keeps_one_of_the_values(backend, name):
    # Every element of src lands on out[1]: which stays is unspecified.
    src_values = np.array([1, 0, 1, 1], dtype=DTYPES[name].numpy) if name == "bool" else \
        np.array([4, 5, 6, 7], dtype=DTYPES[name].numpy)
    s = Pair(backend, src_values)
    off = Pair(backend, np.array([1], dtype=np.int64))
    out = backend.zeros(3, DTYPES[name])
    backend.put("set", out, (0,), (4,), s.dev, (1,), off.dev, (0,))
    got = backend.to_numpy(out)
    assert got[1] in src_values and got[0] == 0 and got[2] == 0


@pytest.mark.parametrize("name", NAMES)
def test_put_add_accumulates_repeated_positions(backend, rng, name):
    # scatter_add along dim 0 into a (2, 6) out: out_strides (0, 1), offsets
    # index * 6; every column gets several values. Floats are multiples of
    # 1/4, so any order of the atomic adds gives the reference's exact sums.
    shape = (5, SHAPE[1])
    if name == "bool":
        src_values = rng.random(shape) < 0.3
        base = np.zeros((2, SHAPE[1]), dtype=bool)
        base[0, :2] = True
    elif name in ("int32", "int64"):
        src_values = sample(rng, name, shape, low=-100, high=100, big=True)
        base = sample(rng, name, (2, SHAPE[1]))
    else:
        src_values = (rng.integers(-40, 40, size=shape) / 4).astype(name)
        base = (rng.integers(-40, 40, size=(2, SHAPE[1])) / 4).astype(name)
    src = layout(src_values, "permuted")
    s = Pair(backend, src)
    index = rng.integers(0, 2, size=shape)
    index[:2] = 1  # column-wise repeats whatever the draw
    off = Pair(backend, index.astype(np.int64) * SHAPE[1])
    d_out, r_out = backend.from_numpy(base.reshape(-1)), base.reshape(-1).copy()
    backend.put("add", d_out, (0, 1), shape, s.dev, s.strides, off.dev, off.strides)
    REF.put("add", r_out, (0, 1), shape, s.ref, s.strides, off.ref, off.strides)
    assert_same(backend, d_out, r_out, name)


@pytest.mark.parametrize("name", ["int32", "int64", "float32", "float64"])
def test_put_add_into_a_strided_output_with_broadcast_offsets(backend, rng, name):
    # out_strides (0, 0) and offsets [4, 0, 2] broadcast along dim 0: every
    # src element of column j lands on position offsets[j] of a 7-element out.
    shape = (6, 3)
    src_values = (rng.integers(-9, 9, size=shape)).astype(name)
    s = Pair(backend, src_values)
    off = Pair(backend, np.array([[4, 0, 2]], dtype=np.int64))
    host = np.zeros(7, dtype=name)
    d_out, r_out = backend.from_numpy(host), host.copy()
    backend.put("add", d_out, (0, 0), shape, s.dev, s.strides, off.dev, (0, 1))
    REF.put("add", r_out, (0, 0), shape, s.ref, s.strides, off.ref, (0, 1))
    assert_same(backend, d_out, r_out, name)
    got = backend.to_numpy(d_out)
    np.testing.assert_array_equal(got[[4, 0, 2]], src_values.sum(axis=0))
    np.testing.assert_array_equal(got[[1, 3, 5, 6]], 0)


def test_put_refusals(backend):
    a = Pair(backend, np.zeros(3))
    off32 = Pair(backend, np.zeros(3, dtype=np.int32))
    with pytest.raises(ValueError, match="cuda put: unknown op 'mul'"):
        backend.put("mul", a.dev, (1,), (3,), a.dev, (1,), off32.dev, (1,))
    with pytest.raises(TypeError, match="offsets must be int64"):
        backend.put("add", a.dev, (1,), (3,), a.dev, (1,), off32.dev, (1,))
    with pytest.raises(TypeError, match="offsets must be int64"):
        backend.take(a.dev, (1,), (3,), a.dev, (1,), off32.dev, (1,))


# -- nonzero --------------------------------------------------------------------------
def nonzero_values(rng, name: str, shape) -> np.ndarray:
    values = sample(rng, name, shape)
    if name != "bool":
        values[rng.random(shape) < 0.5] = 0
    if name in ("float32", "float64") and values.size > 3:
        values.reshape(-1)[1:3] = [math.nan, -0.0]  # nan is non-zero, -0.0 is zero
    return values


def run_nonzero(backend, view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = Pair(backend, view)
    count = int(np.count_nonzero(view))  # mt-tensor counts first (a ne zip + sum)
    ndim = view.ndim
    d_out = backend.zeros(count * ndim, DTYPES["int64"])
    r_out = np.zeros(count * ndim, dtype=np.int64)
    backend.nonzero(d_out, a.dev, a.strides, view.shape)
    REF.nonzero(r_out, a.ref, a.strides, view.shape)
    got = backend.to_numpy(d_out)
    np.testing.assert_array_equal(got, r_out)
    return got.reshape(count, ndim), np.argwhere(view)


@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast"])
@pytest.mark.parametrize("name", NAMES)
def test_nonzero_matches_the_reference(backend, rng, name, kind):
    got, want = run_nonzero(backend, layout(nonzero_values(rng, name, SHAPE), kind))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape", [(3, 2, 4), (5, 30), (7,)])
def test_nonzero_shapes_longer_than_a_block(backend, rng, shape):
    # (5, 30): 150 elements over the simulator's 32 threads, several per chunk.
    got, want = run_nonzero(backend, nonzero_values(rng, "int64", shape))
    np.testing.assert_array_equal(got, want)


def test_nonzero_chunks_split_unevenly(backend, rng, monkeypatch):
    monkeypatch.setattr(device, "limits", lambda: device.LaunchLimits(7, 1, 32))
    x = nonzero_values(rng, "float32", (3, 11))
    a = Pair(backend, x)
    launch = indexing.nonzero_launch(backend.zeros(1, DTYPES["int64"]), a.dev, a.strides,
                                     x.shape)
    assert (launch.blocks, launch.threads) == (1, 7)
    got, want = run_nonzero(backend, x)
    np.testing.assert_array_equal(got, want)


def test_nonzero_of_all_zeros_empty_and_zero_dim(backend):
    run_nonzero(backend, np.zeros((3, 4), dtype=np.int32))
    run_nonzero(backend, np.zeros((0, 4), dtype=np.float32))
    out = backend.zeros(0, DTYPES["int64"])
    a = Pair(backend, np.array([5.0]))
    backend.nonzero(out, a.dev, (), ())  # one row with no columns: nothing to write


# -- storage and host-side checks ----------------------------------------------------
def test_backend_lists_all_five_dtypes(backend):
    assert backend.dtypes == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_storage_round_trip_and_read_types(backend, name):
    dtype = DTYPES[name]
    zeros = backend.zeros(5, dtype)
    host = backend.to_numpy(zeros)
    assert host.dtype == dtype.numpy and not host.any()
    values = {"bool": [True, False, True], "int32": [-(2**31), 7, 2**31 - 1],
              "int64": [BIG + 1, -BIG - 1, 3], "float32": [0.5, -2.0, 1e30],
              "float64": [0.1, -2.5, 1e300]}[name]
    storage = backend.from_numpy(np.array(values, dtype=dtype.numpy))
    python_type = {"bool": bool, "int32": int, "int64": int}.get(name, float)
    for i, v in enumerate(values):
        got = backend.read(storage, i)
        assert type(got) is python_type
        assert got == (np.float32(v).item() if name == "float32" else v)
    backend.write(storage, 1, values[0])
    assert backend.read(storage, 1) == backend.read(storage, 0)
    np.testing.assert_array_equal(backend.to_numpy(storage)[2:], np.array(values[2:], dtype.numpy))


def test_ops_on_dtypes_they_do_not_take_are_refused(backend):
    i = Pair(backend, np.arange(3, dtype=np.int64))
    f = Pair(backend, np.arange(3, dtype=np.float32))
    out = backend.zeros(3, DTYPES["float32"])
    with pytest.raises(TypeError, match="'exp' is not defined for int64"):
        backend.map("exp", out, (1,), (3,), i.dev, (1,))
    with pytest.raises(TypeError, match="'and' is not defined for float32"):
        backend.zip("and", out, (1,), (3,), f.dev, (1,), f.dev, (1,))
    with pytest.raises(TypeError, match="two dtypes"):
        backend.zip("add", out, (1,), (3,), f.dev, (1,), i.dev, (1,))


def test_integer_kernels_unknown_code_writes_zero(backend):
    # The device-side default of the integer switches (no NaN to poison with).
    x = Pair(backend, np.arange(1, 5, dtype=np.int64))
    out = backend.from_numpy(np.full(4, 9, dtype=np.int64))
    device.per_element(elementwise.map_int_kernel, 4,
                       (len(ops.MAP_OPS), out, (1,), (4,), x.dev, (1,), 4)).run()
    assert backend.to_numpy(out).tolist() == [0, 0, 0, 0]
