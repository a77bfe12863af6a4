"""Run this package's tests on numba's CUDA simulator, on any machine.

Why this is done here, at conftest import, and how it survives the whole
workspace's tests sharing one pytest process:

* numba reads NUMBA_ENABLE_CUDASIM into `numba.core.config` when that module
  is first imported, and `numba.cuda` picks the simulator or the real driver
  once, at its own first import (it then binds its submodules accordingly).
* pytest imports every conftest during collection, before any test of any
  package runs. Setting the variable here therefore precedes every test;
  only *module-level* imports of other packages' test files, collected
  earlier, can have imported numba already.
* If `numba.core.config` is already imported (say by mt-backend-numba's
  tests, which use CPU numba only), `numba.core.config.reload_config()`
  re-reads the environment; that is enough as long as `numba.cuda` itself
  has not been imported.
* We then import `numba.cuda` immediately, pinning the simulator for the
  rest of the process (later tests that list backends see it too).
* If `numba.cuda` had already been imported against the real driver, it
  cannot be switched in-process. Every test here is then skipped with that
  reason, and test_simulator_fallback.py re-runs this directory in a fresh
  interpreter with the variable set, so the kernels are still tested.

To test on a real GPU instead: NUMBA_ENABLE_CUDASIM=0 pytest packages/mt-backend-cuda
(the tests then skip, with the reason, where no GPU is usable).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ENV = "NUMBA_ENABLE_CUDASIM"
WANT_SIMULATOR = os.environ.get(ENV, "").strip() != "0"
if WANT_SIMULATOR:
    os.environ[ENV] = "1"


def _pin_numba_cuda() -> str | None:
    """Import numba.cuda in the wanted mode; the reason it is not, or None."""
    if "numba.cuda" not in sys.modules and "numba.core.config" in sys.modules:
        import numba.core.config

        numba.core.config.reload_config()
    try:
        import numba.cuda  # noqa: F401
    except Exception as exc:  # missing cuda-bindings and friends
        return f"numba.cuda cannot be imported: {type(exc).__name__}: {exc}"
    from minitorch.backends.cuda import device

    if device.simulator_enabled() != WANT_SIMULATOR:
        mode = "the real driver" if WANT_SIMULATOR else "the simulator"
        return f"numba.cuda was imported against {mode} before this conftest ran"
    return None


MODE_PROBLEM = _pin_numba_cuda()


def _load_helper(name: str):
    # Loaded by path (bench/gpu_check.py does the same): this directory is not
    # a package and is not on sys.path under --import-mode=importlib.
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"mt_backend_cuda_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Shared arrays made under a lock and NaN-filled (simulated_shared.py says why):
# before any test launches a kernel.
SHARED_ARRAYS_SAFE = (WANT_SIMULATOR and MODE_PROBLEM is None
                      and _load_helper("simulated_shared").install())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "any_numba_mode: runs even when numba.cuda is in the wrong mode"
    )


@pytest.fixture(autouse=True)
def _numba_mode(request: pytest.FixtureRequest):
    """Skip when numba.cuda is in the wrong mode; speed up simulated barriers."""
    if MODE_PROBLEM and request.node.get_closest_marker("any_numba_mode") is None:
        pytest.skip(f"{MODE_PROBLEM}; test_simulator_fallback.py re-runs these")
    # The simulator runs each CUDA thread as a Python thread and polls them at
    # barriers; a short GIL switch interval wakes them sooner.
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(old)


NUMPY_REFERENCE = _load_helper("numpy_reference")


@pytest.fixture(scope="session")
def ref():
    """numpy_reference.py: the float64 numpy definition of every kernel."""
    return NUMPY_REFERENCE


@pytest.fixture(scope="session")
def backend():
    """The CudaBackend, skipping when no device (real or simulated) is usable."""
    from minitorch.backends.cuda import CudaBackend

    if MODE_PROBLEM:
        pytest.skip(f"{MODE_PROBLEM}; test_simulator_fallback.py re-runs these")
    be = CudaBackend()
    if not be.is_available():
        pytest.skip(f"cuda backend unavailable: {be.unavailable_reason()}")
    return be


class DeviceArrays:
    """Moves numpy arrays (any strided view) to and from the backend's storage."""

    def __init__(self, backend) -> None:
        self.backend = backend

    def put(self, view: np.ndarray):
        """(storage, strides) for a numpy view: its whole base array goes to the
        device and the storage starts at the view's first element (view_at)."""
        owner = view
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        if not owner.flags.c_contiguous:
            owner = np.ascontiguousarray(view)
            view = owner
        item = view.itemsize
        offset = (view.__array_interface__["data"][0]
                  - owner.__array_interface__["data"][0]) // item
        storage = self.backend.from_numpy(owner.reshape(-1))
        strides = tuple(s // item for s in view.strides)
        return self.backend.view_at(storage, offset), strides

    def empty(self, shape: tuple[int, ...], dtype) -> tuple:
        """A device storage for a contiguous result, pre-filled with garbage so a
        kernel that skips an element is caught."""
        size = int(np.prod(shape))
        storage = self.backend.from_numpy(np.full(max(size, 1), 12345.0, dtype=dtype))
        strides = tuple(int(s) // np.dtype(dtype).itemsize
                        for s in np.empty(shape, dtype=dtype).strides)
        return storage, strides

    def get(self, storage, shape: tuple[int, ...]) -> np.ndarray:
        """The first prod(shape) elements of a storage, as a contiguous array."""
        size = int(np.prod(shape))
        return self.backend.to_numpy(storage)[:size].reshape(shape)


@pytest.fixture
def dev(backend) -> DeviceArrays:
    return DeviceArrays(backend)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def make_layout(rng: np.random.Generator, kind: str, shape: tuple[int, ...],
                dtype) -> np.ndarray:
    """A random array of `shape` laid out as `kind`: contiguous, permuted
    (reversed axes over a contiguous base), broadcast (dim 0 has stride 0) or
    offset (a slice starting inside its base)."""
    if kind == "contiguous":
        return rng.standard_normal(shape).astype(dtype)
    if kind == "permuted":
        return rng.standard_normal(shape[::-1]).astype(dtype).transpose()
    if kind == "broadcast":
        return np.broadcast_to(rng.standard_normal((1, *shape[1:])).astype(dtype), shape)
    if kind == "offset":
        base = rng.standard_normal((shape[0] + 2, *shape[1:])).astype(dtype)
        return base[2:]
    raise ValueError(kind)


@pytest.fixture
def layout():
    return make_layout


@pytest.fixture
def tol():
    """assert_allclose tolerances per dtype. float32 results are rounded once
    from float64 arithmetic, so they sit within a few ulps of the reference."""

    def tolerances(dtype) -> dict[str, float]:
        if np.dtype(dtype) == np.float32:
            return {"rtol": 2e-6, "atol": 1e-6}
        return {"rtol": 1e-12, "atol": 1e-12}

    return tolerances
