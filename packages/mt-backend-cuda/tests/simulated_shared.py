"""numba-cuda's simulator with shared arrays that are safe to test with.

The simulator (numba-cuda 0.30, `FakeCUDAShared.array`) keeps one numpy
array per `cuda.shared.array` call site and launch in a dict: look up, and
when missing `np.empty` and store, without a lock. Its threads are Python
threads; under the short switch interval the tests use, two threads of a
block can both miss, each store an array, and one of them computes on an
orphan while the others read its slots uninitialised (a garbage sum, a loss
of 1e253). Here the lookup runs under a lock, keyed as numba-cuda keys it
(the caller's file and line), and a new float array starts as NaN, so a
kernel that reads shared memory before writing it gives NaN instead of a
plausible stale number. conftest.py installs it for the tests; a fresh
interpreter a test starts loads this file by path and calls `install()`.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

_LOCK = threading.Lock()


def install() -> bool:
    """Replace `FakeCUDAShared.array`; False when the simulator is not the
    layout this was written against (then nothing is changed)."""
    import numpy as np
    from numba.core import types
    from numba.cuda.simulator import kernelapi
    from numba.np import numpy_support

    shared = getattr(kernelapi, "FakeCUDAShared", None)
    original = getattr(shared, "array", None)
    if getattr(original, "nan_filled", False):
        return True
    if "_allocations" not in getattr(getattr(original, "__code__", None), "co_names", ()):
        return False
    # The backend serialises the lookup itself when it first probes the
    # simulator; let it do so now, so it never replaces this one afterwards.
    from minitorch.backends.cuda import device

    serialize = getattr(device, "serialize_simulated_shared_arrays", None)
    if serialize is not None:
        serialize()
        original = shared.array

    def array(self: Any, shape: Any, dtype: Any, alignment: Any = None) -> Any:
        if alignment is not None or shape == 0:  # an error, or dynamic shared memory
            return original(self, shape, dtype, alignment)
        if isinstance(dtype, types.Type):
            dtype = numpy_support.as_dtype(dtype)
        frame = sys._getframe(1)
        site = (frame.f_code.co_filename, frame.f_lineno)
        with _LOCK:
            found = self._allocations.get(site)
            if found is None:
                found = np.empty(shape, dtype)
                if found.dtype.kind in "fc":
                    found.fill(np.nan)
                self._allocations[site] = found
        return found

    array.nan_filled = True
    shared.array = array
    return True
