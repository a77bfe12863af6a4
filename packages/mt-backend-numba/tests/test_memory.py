"""retain_freed_memory: once per process, and only where the user did not choose."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CALL = ("from minitorch.backends.numba import memory\n"
        "print(memory.retain_freed_memory(), memory.retain_freed_memory())\n")


def run(env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-c", CALL], capture_output=True, text=True,
                            env=env, check=True)
    return result.stdout.strip()


@pytest.mark.skipif(sys.platform != "linux", reason="tunes glibc only")
def test_tunes_once() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.pop("MINITORCH_NUMBA_KEEP_HEAP", None)
    assert run(env) == "True False"  # the second call never tunes again
    assert run({**env, "MINITORCH_NUMBA_KEEP_HEAP": "0"}) == "False False"
    assert run({**env, "MALLOC_TRIM_THRESHOLD_": "131072"}) == "False False"


def test_the_backend_allocates_zeros() -> None:
    import numpy as np

    from minitorch.backends.numba.plugin import NumbaBackend
    from minitorch.tensor.dtype import float32

    storage = NumbaBackend().zeros(5, float32)
    assert storage.dtype == np.float32 and not storage.any()
