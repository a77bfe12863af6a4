"""map and zip kernels against numpy and against the reference op semantics."""

from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest

from minitorch.backends.cuda import device, elementwise, reduce
from minitorch.tensor import ops

pytestmark = [pytest.mark.cuda, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

DTYPES = [np.float32, np.float64]
SHAPE = (5, 7)
# The ops that take float operands (all but the bool-only ones); every dtype
# is covered against the reference backend in test_dtypes_indexing.py.
FLOAT_MAP_OPS = [op for op in ops.MAP_OPS if "float32" in ops.op_dtypes("map", op)]
FLOAT_ZIP_OPS = [op for op in ops.ZIP_OPS if "float32" in ops.op_dtypes("zip", op)]


def test_codes_are_positions_in_the_ops_tables():
    # The package keeps no list of op names or numbers of its own: every code
    # comes from minitorch.tensor.ops, and each op has its module constant.
    assert elementwise.MAP_CODES == ops.op_codes(ops.MAP_OPS)
    assert elementwise.ZIP_CODES == ops.op_codes(ops.ZIP_OPS)
    assert reduce.REDUCE_CODES == ops.op_codes(ops.REDUCE_OPS)
    for module, table in ((elementwise, ops.MAP_OPS), (elementwise, ops.ZIP_OPS),
                          (reduce, ops.REDUCE_OPS)):
        for code, name in enumerate(table):
            assert getattr(module, name.upper()) == code, name


def test_device_code_compares_with_named_constants_only():
    # A literal code (`code == 4`) would silently mean another op once a table
    # in ops.py grew or was reordered; the switches must use the constants.
    for module in (elementwise, reduce):
        source = inspect.getsource(module)
        assert re.search(r"code\s*[!=]=\s*\d", source) is None, module.__name__


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["contiguous", "permuted", "offset"])
@pytest.mark.parametrize("op", sorted(FLOAT_MAP_OPS))
def test_map_matches_numpy(backend, dev, ref, rng, layout, tol, op, dtype, kind):
    x = layout(rng, kind, SHAPE, dtype)
    a, a_strides = dev.put(x)
    out, out_strides = dev.empty(SHAPE, dtype)
    backend.map(op, out, out_strides, SHAPE, a, a_strides)
    with np.errstate(all="ignore"):
        expected = ref.MAP[op](x.astype(np.float64)).astype(dtype)
    np.testing.assert_allclose(dev.get(out, SHAPE), expected, equal_nan=True, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["contiguous", "permuted", "broadcast"])
@pytest.mark.parametrize("op", sorted(FLOAT_ZIP_OPS))
def test_zip_matches_numpy(backend, dev, ref, rng, layout, tol, op, dtype, kind):
    x = layout(rng, kind, SHAPE, dtype)
    y = rng.standard_normal(SHAPE).astype(dtype)
    # Some exact and some near ties, so eq / is_close / max see both outcomes.
    y[0] = x[0]
    y[1] = x[1] + 0.004
    a, a_strides = dev.put(x)
    b, b_strides = dev.put(y)
    out, out_strides = dev.empty(SHAPE, dtype)
    backend.zip(op, out, out_strides, SHAPE, a, a_strides, b, b_strides)
    with np.errstate(all="ignore"):
        expected = ref.ZIP[op](x.astype(np.float64), y.astype(np.float64)).astype(dtype)
    np.testing.assert_allclose(dev.get(out, SHAPE), expected, equal_nan=True, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_map_special_values_follow_reference_ops(backend, dev, ref, tol, dtype):
    x = np.array(ref.SPECIALS, dtype=dtype)
    a, a_strides = dev.put(x)
    for op in FLOAT_MAP_OPS:
        fn = ops.MAP_OPS[op]
        out, out_strides = dev.empty(x.shape, dtype)
        backend.map(op, out, out_strides, x.shape, a, a_strides)
        with np.errstate(all="ignore"):
            expected = np.array([ref.scalar_reference(fn, float(v)) for v in x]).astype(dtype)
        np.testing.assert_allclose(dev.get(out, x.shape), expected, equal_nan=True,
                                   err_msg=op, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_zip_special_values_follow_reference_ops(backend, dev, ref, tol, dtype):
    # Every pair of specials: a column broadcast against a row (strides 0).
    col = np.array(ref.SPECIALS, dtype=dtype).reshape(-1, 1)
    row = col.reshape(1, -1)
    shape = (len(ref.SPECIALS), len(ref.SPECIALS))
    a, _ = dev.put(col)
    b, _ = dev.put(row)
    for op in FLOAT_ZIP_OPS:
        fn = ops.ZIP_OPS[op]
        out, out_strides = dev.empty(shape, dtype)
        backend.zip(op, out, out_strides, shape, a, (1, 0), b, (0, 1))
        with np.errstate(all="ignore"):
            expected = np.array(
                [[ref.scalar_reference(fn, float(u), float(v)) for v in row[0]] for u in col[:, 0]]
            ).astype(dtype)
        np.testing.assert_allclose(dev.get(out, shape), expected, equal_nan=True,
                                   err_msg=op, **tol(dtype))


def test_map_writes_a_strided_output(backend, dev, rng):
    x = rng.standard_normal(SHAPE)
    a, a_strides = dev.put(x)
    out, _ = dev.empty(SHAPE[::-1], np.float64)
    backend.map("neg", out, (1, SHAPE[0]), SHAPE, a, a_strides)  # out is x's transpose
    np.testing.assert_array_equal(dev.get(out, SHAPE[::-1]), -x.T)


def test_grid_stride_loop_covers_more_elements_than_threads(backend, dev, rng, monkeypatch):
    monkeypatch.setattr(device, "limits", lambda: device.LaunchLimits(32, 1, 32))
    x = rng.standard_normal((32, 32))
    a, a_strides = dev.put(x)
    out, out_strides = dev.empty(x.shape, np.float64)
    launch = elementwise.map_launch("abs", out, out_strides, x.shape, a, a_strides)
    assert (launch.blocks, launch.threads) == (1, 32)
    launch.run()
    np.testing.assert_array_equal(dev.get(out, x.shape), np.abs(x))


def test_hardware_launch_sizes(monkeypatch):
    monkeypatch.setattr(device, "simulator_enabled", lambda: False)
    lim = device.limits()
    assert lim.threads == 256
    assert device.blocks_for(10, lim.threads, lim.max_blocks) == 1
    assert device.blocks_for(257, lim.threads, lim.max_blocks) == 2
    assert device.blocks_for(10**9, lim.threads, lim.max_blocks) == lim.max_blocks


def test_zero_dim_and_empty_shapes(backend, dev):
    a, _ = dev.put(np.array([2.0]))
    out, _ = dev.empty((1,), np.float64)
    backend.map("neg", out, (), (), a, ())
    assert dev.get(out, (1,))[0] == -2.0
    backend.zip("add", out, (4, 1), (0, 4), a, (0, 0), a, (0, 0))  # nothing to do
    assert dev.get(out, (1,))[0] == -2.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_propagates_nan_and_relu_back_does_not(backend, dev, dtype):
    # PyTorch's (and ops.relu's) rule: relu(nan) = nan; its gradient at nan is 0.
    x = np.array([math.nan, -math.nan, -1.0, -0.0, 0.0, 2.0, math.inf, -math.inf], dtype=dtype)
    a, a_strides = dev.put(x)
    out, out_strides = dev.empty(x.shape, dtype)
    backend.map("relu", out, out_strides, x.shape, a, a_strides)
    got = dev.get(out, x.shape)
    np.testing.assert_array_equal(got, [math.nan, math.nan, 0.0, 0.0, 0.0, 2.0, math.inf, 0.0])
    assert not np.signbit(got[2:5]).any()  # relu(-0.0) is +0.0, as ops.relu
    assert all(ops.MAP_OPS["relu"](float(v)) == g or math.isnan(g) for v, g in zip(x, got))
    g, g_strides = dev.put(np.full(x.shape, 3.0, dtype=dtype))
    backend.zip("relu_back", out, out_strides, x.shape, a, a_strides, g, g_strides)
    np.testing.assert_array_equal(dev.get(out, x.shape), [0, 0, 0, 0, 0, 3.0, 3.0, 0])


UNKNOWN_NAMES = ["nope", "", "RELU", "relu ", "sum"]


@pytest.mark.parametrize("name", UNKNOWN_NAMES)
def test_unknown_map_and_zip_names_raise_ops_unknown_op(backend, dev, name):
    a, _ = dev.put(np.zeros(3))
    with pytest.raises(ValueError) as info:
        backend.map(name, a, (1,), (3,), a, (1,))
    assert str(info.value) == str(ops.unknown_op("cuda map", name, ops.MAP_OPS))
    if name not in ops.ZIP_OPS:
        with pytest.raises(ValueError) as info:
            backend.zip(name, a, (1,), (3,), a, (1,), a, (1,))
        assert str(info.value) == str(ops.unknown_op("cuda zip", name, ops.ZIP_OPS))


@pytest.mark.parametrize("name", ["mean", "min", "Sum", "add"])
def test_unknown_reduce_names_raise_ops_unknown_op(backend, dev, name):
    a, _ = dev.put(np.zeros(4))
    with pytest.raises(ValueError) as info:
        backend.reduce(name, a, (1,), (1,), a, (1,), (4,), 0)
    assert str(info.value) == str(ops.unknown_op("cuda reduce", name, ops.REDUCE_OPS))


def test_unknown_names_are_refused_before_anything_else():
    # Host arrays and an empty shape: were the name checked after the device
    # checks, or only when there is work to launch, these would not raise it.
    z = np.zeros(3)
    with pytest.raises(ValueError, match="cuda map: unknown op 'cube'; known: id, neg"):
        elementwise.map_launch("cube", z, (1,), (0,), z, (1,))
    with pytest.raises(ValueError, match="cuda zip: unknown op 'cube'; known: add, sub"):
        elementwise.zip_launch("cube", z, (1,), (0,), z, (1,), z, (1,))
    with pytest.raises(ValueError, match="cuda reduce: unknown op 'cube'; known: sum, max"):
        reduce.reduce_launch("cube", z, (1,), (0, 1), z, (1, 1), (0, 3), 1)


def test_an_unknown_code_past_the_host_check_poisons_the_output(backend, dev):
    # The device-side default: a kernel cannot raise, so a code no name maps
    # to (launched by hand here) writes NaN rather than computing another op.
    x = np.arange(1.0, 5.0)
    a, a_strides = dev.put(x)
    out, out_strides = dev.empty(x.shape, np.float64)
    for kernel, code, args in (
        (elementwise.map_kernel, len(ops.MAP_OPS), (out, out_strides, x.shape, a, a_strides)),
        (elementwise.zip_kernel, len(ops.ZIP_OPS),
         (out, out_strides, x.shape, a, a_strides, a, a_strides)),
    ):
        device.per_element(kernel, x.size, (code, *args, x.size)).run()
        assert np.isnan(dev.get(out, x.shape)).all(), kernel
    red, red_strides = dev.empty((1,), np.float64)
    device.Launch(reduce.reduce_kernel, 1, 32,
                  (len(ops.REDUCE_OPS), red, red_strides, (1,), a, a_strides, 0, 4, 1)).run()
    assert np.isnan(dev.get(red, (1,))).all()


def test_host_arrays_are_refused(backend, dev):
    a, _ = dev.put(np.zeros(3))
    with pytest.raises(TypeError, match="not a device array.*to\\('cuda'\\)"):
        backend.map("neg", a, (1,), (3,), np.zeros(3), (1,))
