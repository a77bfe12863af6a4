"""Where the kernels run: the CUDA driver or numba's simulator, and launch sizes.

Nothing here imports numba at module import time. numba decides once per
process, when `numba.cuda` is first imported, whether it drives a real GPU or
the CUDA simulator (environment variable NUMBA_ENABLE_CUDASIM=1), so the
backend only imports it when someone asks whether CUDA is usable or runs a
kernel. That keeps `import minitorch.backends.cuda` cheap, silent and free of
GPU requirements.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from dataclasses import dataclass
from typing import Any

from . import memory

SIMULATOR_ENV = "NUMBA_ENABLE_CUDASIM"

INSTALL_HINT = (
    "pip install 'mt-backend-cuda[cu12]' (CUDA 12 driver) or 'mt-backend-cuda[cu13]' (CUDA 13)"
)


def simulator_enabled() -> bool:
    """True when numba.cuda is (or, once imported, will be) the CPU simulator."""
    cuda = sys.modules.get("numba.cuda")
    if cuda is not None:
        # Once imported the choice is fixed, whatever the environment says now;
        # the simulator's is_available lives in numba.cuda.simulator_init.
        return getattr(cuda.is_available, "__module__", "").endswith("simulator_init")
    raw = os.environ.get(SIMULATOR_ENV, "0").strip()
    try:
        return int(raw) != 0
    except ValueError:
        return False


@functools.cache
def probe() -> tuple[bool, str]:
    """(usable, reason) for this process; the reason is "" when usable.

    Cached: the driver and the device count do not change under a running
    process, and the first probe initialises the driver (a few ms to seconds).
    """
    try:
        from numba import cuda
    except Exception as exc:  # ImportError, or the cuda-bindings' own errors
        return False, f"numba-cuda cannot be imported ({type(exc).__name__}: {exc}); {INSTALL_HINT}"
    if simulator_enabled():
        serialize_simulated_shared_arrays()
        return True, ""
    try:
        if cuda.is_available():
            missing = toolkit_problem()
            if missing:
                return False, missing
            _quiet_low_occupancy_warning()
            return True, ""
        error = cuda.cuda_error()
    except Exception as exc:  # a broken driver install must not break listing backends
        return False, f"the CUDA driver check failed ({type(exc).__name__}: {exc})"
    if error:
        # numba's message spans lines with blank padding; one line reads better.
        return False, "no usable NVIDIA GPU: " + " ".join(str(error).split())
    # numba's is_available also needs NVVM; the driver itself answered.
    return False, toolkit_problem() or "numba-cuda cannot find NVVM; " + INSTALL_HINT


def serialize_simulated_shared_arrays() -> bool:
    """Make the simulator's `cuda.shared.array` safe when threads race to it.

    numba-cuda's simulator (0.30) gives each call site of `cuda.shared.array`
    one numpy array per launch, found in a dict: `get`, and when missing
    `np.empty` and store, with no lock. The simulated threads of a block run
    as Python threads, so two of them can both miss and each store an array
    of its own; the one that lost then computes on a private copy, and the
    others read its slot of the real one uninitialised (`np.empty`: a stale
    heap pointer, say). That is rare (about one launch in a few thousand
    under load) and it shows as a garbage value in any shared-memory kernel:
    reductions, softmax, matmul tiles, conv's weight gradient. This replaces
    the method with the same lookup done under a lock, keyed the same way
    (the caller's file and line). Real GPUs are not affected. Returns whether
    the simulator's class had the expected shape and was patched.
    """
    global _SHARED_PATCHED
    if _SHARED_PATCHED:
        return True
    import threading

    try:
        import numpy as np
        from numba.core import types
        from numba.cuda.simulator import kernelapi
        from numba.np import numpy_support
    except ImportError:
        return False
    shared = getattr(kernelapi, "FakeCUDAShared", None)
    original = getattr(shared, "array", None)
    names = getattr(getattr(original, "__code__", None), "co_names", ())
    if shared is None or "_allocations" not in names:
        return False  # another simulator layout: leave it alone
    lock = threading.Lock()

    def array(self: Any, shape: Any, dtype: Any, alignment: Any = None) -> Any:
        if alignment is not None or shape == 0:  # errors, dynamic shared memory
            return original(self, shape, dtype, alignment)
        if isinstance(dtype, types.Type):
            dtype = numpy_support.as_dtype(dtype)
        frame = sys._getframe(1)
        caller = (frame.f_code.co_filename, frame.f_lineno)
        with lock:
            found = self._allocations.get(caller)
            if found is None:
                found = np.empty(shape, dtype)
                self._allocations[caller] = found
        return found

    shared.array = array
    _SHARED_PATCHED = True
    return True


_SHARED_PATCHED = False


def toolkit_problem() -> str:
    """Which CUDA toolkit libraries numba-cuda compiles kernels with are missing
    ("" when none). A driver alone passes numba's own check, and the first
    kernel would then fail to compile; this names the fix up front instead."""
    try:
        from cuda.pathfinder import load_nvidia_dynamic_lib
    except ImportError:  # another cuda-python layout: numba reports at compile time
        return ""
    missing = []
    for lib in ("nvvm", "nvrtc"):
        try:
            load_nvidia_dynamic_lib(lib)
        except Exception:  # not found, or found but unloadable
            missing.append(f"lib{lib}")
    if not missing:
        return ""
    return f"the CUDA toolkit libraries {' and '.join(missing)} were not found; {INSTALL_HINT}"


def _quiet_low_occupancy_warning() -> None:
    # numba warns on every launch of fewer than 128 blocks. A framework makes
    # such launches by design (a reduction with ten outputs, a tiny bias), so
    # the warning would only teach users to ignore warnings. numba attributes
    # it to its own dispatcher, so the filter can only match the message.
    import warnings

    warnings.filterwarnings(
        "ignore", message=r"Grid size \d+ will likely result in GPU under-utilization"
    )


def describe_device() -> str:
    """A short human description of the device kernels run on."""
    if simulator_enabled():
        return "numba CUDA simulator (CPU)"
    from numba import cuda

    gpu = cuda.get_current_device()
    name = gpu.name.decode() if isinstance(gpu.name, bytes) else str(gpu.name)
    major, minor = gpu.compute_capability
    return f"{name} (compute capability {major}.{minor})"


@dataclass(frozen=True)
class LaunchLimits:
    """Threads and block caps used to size launches.

    Every kernel loops (grid-stride) over its work, so any limits give correct
    results; they only trade parallelism against launch and scheduling cost.
    """

    threads: int  # threads per block for one-thread-per-element kernels
    max_blocks: int  # cap on blocks; the grid-stride loop covers the rest
    reduce_threads: int  # most threads one block uses for a tree reduction (power of 2)


# 256 threads keep 8 warps per block; 1024 blocks x 256 threads is about as
# many resident threads as a large GPU (132 SMs x 2048) holds at once.
HARDWARE_LIMITS = LaunchLimits(threads=256, max_blocks=1024, reduce_threads=256)
# The simulator runs every thread as a Python thread, one block at a time:
# fewer, smaller blocks make the same grid-stride loops an order of magnitude
# faster to simulate, and still exercise the multi-iteration path.
SIMULATOR_LIMITS = LaunchLimits(threads=32, max_blocks=4, reduce_threads=32)

# Shared-memory arrays need a compile-time size: the largest block a tree
# reduction may use.
MAX_REDUCE_THREADS = 256


def limits() -> LaunchLimits:
    """The launch limits for the device this process drives."""
    return SIMULATOR_LIMITS if simulator_enabled() else HARDWARE_LIMITS


def blocks_for(size: int, threads: int, max_blocks: int) -> int:
    """Blocks to cover `size` elements at `threads` per block, capped."""
    return max(1, min(-(-size // threads), max_blocks))


def reduce_threads_for(length: int, cap: int) -> int:
    """A power-of-two block size for reducing `length` values: at least a warp,
    at most `cap`, and no more threads than there are values to share out."""
    threads = 32
    while threads < length and threads < cap:
        threads *= 2
    return min(threads, cap)


@dataclass(frozen=True)
class Launch:
    """One kernel launch, prepared but not run.

    Kept separate from running so that tests can check launch sizes and ahead-
    of-time compile each kernel (`cuda.compile_ptx`) with the exact argument
    types the backend would pass.
    """

    kernel: Any
    blocks: int | tuple[int, ...]
    threads: int | tuple[int, ...]
    args: tuple[Any, ...]

    def run(self) -> None:
        memory.count("launches")
        if not simulator_enabled():
            self.kernel[self.blocks, self.threads](*self.args)
            return
        # The simulator runs the arithmetic on numpy scalars, which warn where
        # IEEE gives inf or nan (inf * 0, a float32 overflow): the kernels'
        # defined results, computed silently on a GPU. The filters are process-
        # wide, so the simulated threads see them; only this package's kernel
        # modules are matched.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=RuntimeWarning,
                                    module=r"minitorch\.backends\.cuda\.")
            self.kernel[self.blocks, self.threads](*self.args)


def per_element(kernel: Any, size: int, args: tuple[Any, ...]) -> Launch | None:
    """A one-thread-per-element launch over `size` elements (None when empty)."""
    if size == 0:
        return None
    lim = limits()
    return Launch(kernel, blocks_for(size, lim.threads, lim.max_blocks), lim.threads, args)


def as_ints(values: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """Plain Python ints, so numba types every shape as UniTuple(int64, n)."""
    return tuple(int(v) for v in values)


def on_device(**storages: Any) -> None:
    """Refuse host arrays: numba would silently copy them to the GPU and back."""
    for role, storage in storages.items():
        if not hasattr(storage, "copy_to_host"):
            raise TypeError(
                f"cuda backend: {role} is a {type(storage).__name__}, not a device array; "
                "create the tensor with backend='cuda' or move it with .to('cuda')"
            )
