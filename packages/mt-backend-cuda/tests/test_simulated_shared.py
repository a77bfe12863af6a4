"""The simulator's shared arrays as conftest.py installs them (simulated_shared.py)."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from numba import cuda  # a module global: the simulator swaps it inside kernels

from minitorch.backends.cuda import device

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not device.simulator_enabled(), reason="real GPU: shared memory is hardware"),
]


def test_installed_before_the_tests(backend):
    from numba.cuda.simulator import kernelapi

    assert getattr(kernelapi.FakeCUDAShared.array, "nan_filled", False)


def test_a_read_before_any_write_is_nan(backend):
    from numba import float32, float64, int64

    @cuda.jit
    def read_unwritten(out64, out32, out_int):
        s64 = cuda.shared.array(8, float64)
        s32 = cuda.shared.array(8, float32)
        s_int = cuda.shared.array(8, int64)
        i = cuda.threadIdx.x
        out64[i] = s64[i]
        out32[i] = s32[i]
        out_int[i] = s_int[i] * 0  # integers cannot be NaN: only their shape is checked

    out64, out32 = cuda.to_device(np.zeros(8)), cuda.to_device(np.zeros(8, np.float32))
    out_int = cuda.to_device(np.ones(8, np.int64))
    read_unwritten[1, 8](out64, out32, out_int)
    assert np.isnan(out64.copy_to_host()).all()
    assert np.isnan(out32.copy_to_host()).all()
    np.testing.assert_array_equal(out_int.copy_to_host(), 0)


def test_racing_threads_get_one_array(backend):
    from numba import float64
    from numba.cuda.simulator import kernelapi

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads as often as possible
    try:
        for _ in range(20):
            shared = kernelapi.FakeCUDAShared(0)
            got: list[np.ndarray] = []
            start = threading.Barrier(32)

            def take(shared=shared, got=got, start=start):
                start.wait()  # all at once, to race for the first allocation
                got.append(shared.array(16, float64))

            threads = [threading.Thread(target=take) for _ in range(32)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert len({id(a) for a in got}) == 1
            assert got[0].shape == (16,) and np.isnan(got[0]).all()
    finally:
        sys.setswitchinterval(old)
