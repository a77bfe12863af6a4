"""Compile every kernel to PTX for a real GPU, without one (run by test_aot_compile.py).

The simulator runs kernels as Python, so it cannot catch what only numba's
CUDA compiler rejects (typing, unsupported calls, shared-array sizes). This
script builds each launch exactly as the backend would, with host arrays
standing in for device arrays (same numba types), and compiles it with
`cuda.compile_ptx` for compute capability 9.0. It needs NVVM and NVRTC
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
    for dtype in (np.float32, np.float64):
        for name, launch in _launches(dtype).items():
            label = f"{name}[{np.dtype(dtype).name}]"
            sig = tuple(numba.typeof(arg) for arg in launch.args)
            try:
                ptx, _ = cuda.compile_ptx(launch.kernel.py_func, sig, cc=CC)
            except Exception as exc:
                report["failed"][label] = f"{type(exc).__name__}: {exc}"[:2000]
                continue
            report["compiled"].append(label)
            if name == "matmul" and dtype is np.float32 and "fma.rn.f32" not in ptx:
                report["failed"][label] = "float32 matmul inner loop is not an f32 FMA"
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
