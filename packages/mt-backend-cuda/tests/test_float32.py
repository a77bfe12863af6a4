"""float32 tensors compute in float32 in every kernel (float64 ones in float64)."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.cuda import conv, elementwise, pool, reduce, softmax

pytestmark = pytest.mark.cuda


def _sum(backend, dev, values):
    a, a_strides = dev.put(values.reshape(1, -1))
    out, out_strides = dev.empty((1, 1), values.dtype)
    backend.reduce("sum", out, out_strides, (1, 1), a, a_strides, (1, values.size), 1)
    return dev.get(out, (1, 1))[0, 0]


def test_a_float32_sum_rounds_like_float32_arithmetic(backend, dev):
    # The block tree adds element 2 to element 0 first, then element 1:
    # (1 + 2**-24) + 2**-24 is 1.0 in float32 (each sum ties to even), while a
    # float64 accumulator holds 1 + 2**-23 exactly, a float32 number too.
    values = np.array([1.0, 2.0**-24, 2.0**-24])
    assert _sum(backend, dev, values.astype(np.float32)) == np.float32(1.0)
    assert _sum(backend, dev, values) == 1.0 + 2.0**-23


def test_each_float_dtype_gets_its_own_kernels(backend, dev):
    f32, _ = dev.put(np.zeros(64, np.float32))
    f64, _ = dev.put(np.zeros(64, np.float64))
    assert elementwise.map_launch("exp", f32, (1,), (4,), f32, (1,)).kernel is \
        elementwise.map_kernel_f32
    assert elementwise.zip_launch("mul", f64, (1,), (4,), f64, (1,), f64, (1,)).kernel is \
        elementwise.zip_kernel
    x4, w4 = (1, 1, 4, 4), (1, 1, 3, 3)
    for module, launch, name in (
        (conv, conv.conv2d_forward_launch(f32, f32, f32, x4, w4, (1, 1), (1, 1)),
         "conv2d_forward_kernel"),
        (pool, pool.max_pool2d_forward_launch(f32, f32, x4, (2, 2), (2, 2), (0, 0)),
         "max_pool2d_forward_kernel"),
        (softmax, softmax.softmax_launch(f32, f32, (2, 3), 1, log=True), "softmax_kernel"),
        (reduce, reduce.reduce_launch("sum", f32, (1, 1), (2, 1), f32, (3, 1), (2, 3), 1),
         "reduce_kernel"),
    ):
        assert launch.kernel is module._BY_DTYPE[np.dtype(np.float32)][name], name
        assert launch.kernel is not getattr(module, name), name  # the float64 one


def test_float32_softmax_stays_accurate(backend, dev, rng):
    x = rng.standard_normal((3, 7)).astype(np.float32)
    a, _ = dev.put(x)
    out, _ = dev.empty((3, 7), np.float32)
    backend.log_softmax(out, a, (3, 7), 1)
    x64 = x.astype(np.float64)
    want = x64 - x64.max(1, keepdims=True)
    want -= np.log(np.exp(want).sum(1, keepdims=True))
    np.testing.assert_allclose(dev.get(out, (3, 7)), want, rtol=2e-6, atol=1e-6)


def test_ieee_edge_values_are_not_warned_about_under_the_simulator(backend, dev):
    import warnings

    a, _ = dev.put(np.array([np.inf, 1e30], np.float32))
    b, _ = dev.put(np.array([0.0, 1e30], np.float32))
    out, _ = dev.empty((2,), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # inf * 0 in numpy would raise
        backend.zip("mul", out, (1,), (2,), a, (1,), b, (1,))
    got = dev.get(out, (2,))
    assert np.isnan(got[0]) and got[1] == np.inf
