"""Availability probing, simulator detection and launch sizing."""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minitorch.backends.cuda import device

pytestmark = pytest.mark.cuda

# Runs in a fresh interpreter: import silence, then what the backend reports.
PROBE_SCRIPT = """
import contextlib, io, json, sys
buf = io.StringIO()
with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
    from minitorch.backends.cuda import CudaBackend
    be = CudaBackend()
numba_imported = "numba" in sys.modules
available, reason = be.is_available(), be.unavailable_reason()
try:
    be.zeros(3, __import__("minitorch.tensor.dtype", fromlist=["x"]).float32)
    zeros_error = ""
except RuntimeError as exc:
    zeros_error = str(exc)
print(json.dumps(dict(import_output=buf.getvalue(), numba_imported=numba_imported,
                      available=available, reason=reason, version=be.version,
                      zeros_error=zeros_error)))
"""


def _probe_in_subprocess(**env_changes: str | None) -> dict:
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    done = subprocess.run([sys.executable, "-c", PROBE_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _no_driver_here() -> bool:
    return ctypes.util.find_library("cuda") is None and not Path("/dev/nvidia0").exists()


def test_without_simulator_reports_the_real_hardware():
    report = _probe_in_subprocess(NUMBA_ENABLE_CUDASIM=None)
    assert report["import_output"] == ""
    assert report["numba_imported"] is False  # importing the package stays cheap
    assert "simulator" not in report["version"]
    assert report["available"] == (report["reason"] == "")
    if _no_driver_here():
        assert report["available"] is False
        assert "no usable NVIDIA GPU" in report["reason"]
        assert "not available: no usable NVIDIA GPU" in report["zeros_error"]


def test_disabled_cuda_gives_numbas_reason():
    report = _probe_in_subprocess(NUMBA_ENABLE_CUDASIM=None, NUMBA_DISABLE_CUDA="1")
    assert report["available"] is False
    assert "NUMBA_DISABLE_CUDA" in report["reason"]
    assert "\n" not in report["reason"]


def test_this_process_reports_its_mode(backend):
    # conftest picked the simulator, unless run with NUMBA_ENABLE_CUDASIM=0.
    simulated = os.environ.get("NUMBA_ENABLE_CUDASIM") != "0"
    assert device.simulator_enabled() == simulated
    assert device.probe() == (True, "")
    assert device.limits() == (device.SIMULATOR_LIMITS if simulated else device.HARDWARE_LIMITS)
    assert ("simulator" in device.describe_device()) == simulated


@pytest.mark.parametrize("length, cap, expected", [
    (1, 256, 32), (32, 256, 32), (33, 256, 64), (200, 256, 256), (10**6, 256, 256),
    (100, 32, 32),
])
def test_reduce_threads_are_a_power_of_two_within_bounds(length, cap, expected):
    assert device.reduce_threads_for(length, cap) == expected


def test_missing_toolkit_libraries_are_named(monkeypatch):
    pathfinder = pytest.importorskip("cuda.pathfinder")

    def not_found(lib):
        raise RuntimeError(f"lib{lib} not found")

    monkeypatch.setattr(pathfinder, "load_nvidia_dynamic_lib", not_found)
    problem = device.toolkit_problem()
    assert "libnvvm and libnvrtc were not found" in problem
    assert "mt-backend-cuda[cu12]" in problem
    monkeypatch.setattr(pathfinder, "load_nvidia_dynamic_lib", lambda lib: None)
    assert device.toolkit_problem() == ""


def _shared_arrays_from_racing_threads(shared, nthreads: int = 32) -> list:
    import threading

    from numba import int64

    got = []
    start = threading.Barrier(nthreads)

    def worker():
        start.wait()  # all at once, to race for the first allocation
        got.append(shared.array(8, int64))

    threads = [threading.Thread(target=worker) for _ in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_simulated_shared_arrays_are_one_array_per_call_site(backend):
    # numba-cuda's simulator allocates a call site's shared array without a
    # lock: racing threads could each get their own copy, and the others then
    # read an uninitialised slot (a garbage value from a reduction). The probe
    # serializes that allocation (device.serialize_simulated_shared_arrays).
    if not device.simulator_enabled():
        pytest.skip("real GPU: shared memory is hardware")
    from numba import int64
    from numba.cuda.simulator import kernelapi

    assert device.serialize_simulated_shared_arrays()
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads as often as possible
    try:
        for _ in range(20):
            shared = kernelapi.FakeCUDAShared(0)
            got = _shared_arrays_from_racing_threads(shared)
            assert len({id(a) for a in got}) == 1
    finally:
        sys.setswitchinterval(old)
    # Still keyed by the caller's line: two call sites are two arrays.
    shared = kernelapi.FakeCUDAShared(0)
    first = shared.array(4, int64)
    second = shared.array(4, int64)
    assert first is not second
    assert first.dtype == second.dtype == np.int64 and first.shape == (4,)
