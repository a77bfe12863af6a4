"""Compile every kernel to PTX for a real GPU, without one (run by test_aot_compile.py).

The simulator runs kernels as Python, so it cannot catch what only numba's
CUDA compiler rejects (typing, unsupported calls, shared-array sizes). This
script builds each launch exactly as the backend would, with host arrays
standing in for device arrays (same numba types), and compiles it with
`cuda.compile_ptx` for compute capability 9.0: the float kernels in both
float dtypes, then the integer / bool paths, every cast between the five
dtypes and the indexing kernels (`_dtype_launches`). It needs NVVM and NVRTC
(the `cu12` / `cu13` extras), not a driver. It prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys

if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0"):
    raise SystemExit("run without NUMBA_ENABLE_CUDASIM: this compiles for real hardware")

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import cuda  # noqa: E402

from minitorch.backends.cuda import (  # noqa: E402
    conv,
    device,
    elementwise,
    indexing,
    matmul,
    pool,
    reduce,
    softmax,
)

CC = (9, 0)


class _StandInDevice:
    """What numba asks of the current device when it compiles a device function."""

    compute_capability = CC


def _allow_compiling_without_a_gpu() -> None:
    if cuda.is_available():
        return
    # numba compiles called device functions for "the current device"; with no
    # driver there is none, so name the target instead (test-only shim).
    from numba.cuda import dispatcher

    dispatcher.get_current_device = lambda: _StandInDevice()


def _launches(dtype) -> dict[str, device.Launch]:
    z = np.zeros(64, dtype=dtype)
    x4 = (2, 3, 6, 6)
    return {
        "map/2d": elementwise.map_launch("sigmoid", z, (3, 1), (2, 3), z, (1, 2)),
        "map/3d": elementwise.map_launch("log", z, (6, 3, 1), (2, 2, 3), z, (0, 3, 1)),
        "zip/2d": elementwise.zip_launch("pow", z, (3, 1), (2, 3), z, (3, 1), z, (0, 1)),
        "where/2d": elementwise.where_launch(z, (3, 1), (2, 3), z, (0, 1), z, (1, 2), z, (3, 1)),
        "fill": elementwise.fill_launch(z, 0.0, 64),
        "reduce/2d": reduce.reduce_launch("argmax", z, (1, 1), (2, 1), z, (3, 1), (2, 3), 1),
        "matmul": matmul.matmul_launch(z, (4, 2, 1), z, (6, 3, 1), z, (0, 2, 1), (2, 2, 3, 2)),
        "conv2d_forward": conv.conv2d_forward_launch(z, z, z, x4, (4, 3, 3, 3), (1, 1), (1, 1)),
        "conv2d_backward_input": conv.conv2d_backward_input_launch(
            z, z, z, x4, (4, 3, 3, 3), (1, 1), (1, 1)),
        "conv2d_backward_weight": conv.conv2d_backward_weight_launch(
            z, z, z, x4, (4, 3, 3, 3), (1, 1), (1, 1)),
        "max_pool2d_forward": pool.max_pool2d_forward_launch(z, z, x4, (2, 2), (2, 2), (0, 0)),
        "max_pool2d_backward": pool.max_pool2d_backward_launch(
            z, z, z, x4, (2, 2), (2, 2), (0, 0)),
        "avg_pool2d_forward": pool.avg_pool2d_forward_launch(z, z, x4, (2, 2), (2, 2), (0, 0)),
        "avg_pool2d_backward": pool.avg_pool2d_backward_launch(z, z, x4, (2, 2), (2, 2), (0, 0)),
        "softmax": softmax.softmax_launch(z, z, (2, 3), 1, log=True),
    }


DTYPE_NAMES = ("bool", "int32", "int64", "float32", "float64")


def _dtype_launches() -> dict[str, device.Launch]:
    """The integer / bool paths and the indexing kernels, per dtype they run with."""
    z = {name: np.zeros(64, dtype=name) for name in DTYPE_NAMES}
    offsets = np.zeros(64, dtype=np.int64)
    found: dict[str, device.Launch] = {}
    for src in DTYPE_NAMES:  # every cast (`id` between dtypes)
        for dst in DTYPE_NAMES:
            found[f"map id {src}->{dst}"] = elementwise.map_launch(
                "id", z[dst], (3, 1), (2, 3), z[src], (1, 2))
    for name in ("int32", "int64"):
        found[f"map neg {name}"] = elementwise.map_launch(
            "neg", z[name], (3, 1), (2, 3), z[name], (1, 2))
        found[f"zip pow {name}"] = elementwise.zip_launch(
            "pow", z[name], (3, 1), (2, 3), z[name], (3, 1), z[name], (0, 1))
        found[f"reduce max {name}"] = reduce.reduce_launch(
            "max", z[name], (1, 1), (2, 1), z[name], (3, 1), (2, 3), 1)
        found[f"put add {name}"] = indexing.put_launch(
            "add", z[name], (3, 1), (2, 3), z[name], (3, 1), offsets, (0, 1))
    found["map not bool"] = elementwise.map_launch(
        "not", z["bool"], (3, 1), (2, 3), z["bool"], (1, 2))
    found["zip xor bool"] = elementwise.zip_launch(
        "xor", z["bool"], (3, 1), (2, 3), z["bool"], (3, 1), z["bool"], (0, 1))
    found["zip lt int32->bool"] = elementwise.zip_launch(
        "lt", z["bool"], (3, 1), (2, 3), z["int32"], (3, 1), z["int32"], (0, 1))
    found["reduce sum int64"] = reduce.reduce_launch(
        "sum", z["int64"], (1, 1), (2, 1), z["int64"], (3, 1), (2, 3), 1)
    for name in ("float32", "float64"):
        found[f"zip le {name}->bool"] = elementwise.zip_launch(
            "le", z["bool"], (3, 1), (2, 3), z[name], (3, 1), z[name], (0, 1))
        found[f"put add {name}"] = indexing.put_launch(
            "add", z[name], (3, 1), (2, 3), z[name], (3, 1), offsets, (0, 1))
    found["put add bool"] = indexing.put_launch(
        "add", z["bool"], (3, 1), (2, 3), z["bool"], (3, 1), offsets, (0, 1))
    for name in DTYPE_NAMES:
        found[f"fill {name}"] = elementwise.fill_launch(z[name], 0.0, 64)
        found[f"where {name}"] = elementwise.where_launch(
            z[name], (3, 1), (2, 3), z["bool"], (0, 1), z[name], (1, 2), z[name], (3, 1))
        found[f"reduce argmax {name}"] = reduce.reduce_launch(
            "argmax", z["int64"], (1, 1), (2, 1), z[name], (3, 1), (2, 3), 1)
        found[f"take {name}"] = indexing.take_launch(
            z[name], (3, 1), (2, 3), z[name], (1, 2), offsets, (0, 1))
        found[f"put set {name}"] = indexing.put_launch(
            "set", z[name], (3, 1), (2, 3), z[name], (3, 1), offsets, (0, 1))
        found[f"nonzero {name}"] = indexing.nonzero_launch(z["int64"], z[name], (3, 1), (2, 3))
    return found


def _compile(label: str, launch: device.Launch, report: dict) -> str | None:
    sig = tuple(numba.typeof(arg) for arg in launch.args)
    try:
        ptx, _ = cuda.compile_ptx(launch.kernel.py_func, sig, cc=CC)
    except Exception as exc:
        report["failed"][label] = f"{type(exc).__name__}: {exc}"[:2000]
        return None
    report["compiled"].append(label)
    return ptx


def main() -> int:
    _allow_compiling_without_a_gpu()
    device.on_device = lambda **storages: None  # host arrays stand in for device arrays
    device.simulator_enabled = lambda: False  # size launches as for hardware
    report: dict[str, object] = {"compiled": [], "failed": {}}
    try:
        cuda.compile_ptx(lambda a: None, (numba.float32[:],), cc=CC)
    except Exception as exc:  # NVVM / NVRTC missing: nothing to check here
        print(json.dumps({"skip": f"{type(exc).__name__}: {exc}"}))
        return 0
    expected = 0
    for dtype in (np.float32, np.float64):
        for name, launch in _launches(dtype).items():
            label = f"{name}[{np.dtype(dtype).name}]"
            expected += 1
            ptx = _compile(label, launch, report)
            if ptx is None:
                continue
            if name == "matmul" and dtype is np.float32 and "fma.rn.f32" not in ptx:
                report["failed"][label] = "float32 matmul inner loop is not an f32 FMA"
    for label, launch in _dtype_launches().items():
        expected += 1
        ptx = _compile(label, launch, report)
        # Repeated positions must accumulate: a plain load-add-store would race
        # (the simulator cannot show that, it runs threads under the GIL).
        if ptx is not None and launch.kernel is indexing.put_add_kernel and (
                "atom.global.add" not in ptx and "red.global.add" not in ptx):
            report["failed"][label] = "put add is not an atomic add"
    report["expected"] = expected
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
