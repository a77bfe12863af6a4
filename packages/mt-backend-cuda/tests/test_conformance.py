"""mt-tensor's conformance kit (every tensor op, forward, gradient, errors) on cuda.

Tensor-level gradient checks launch thousands of small kernels; numba's
simulator needs well over fifteen minutes for them, so under the simulator
the kit only runs when MINITORCH_CUDA_CONFORMANCE=1 asks for it. On a real
GPU (NUMBA_ENABLE_CUDASIM=0, or bench/gpu_check.py) it always runs.
"""

from __future__ import annotations

import os

import pytest

from minitorch.backends.cuda import device
from minitorch.tensor.testing.plugin import conformance_suite

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(
        device.simulator_enabled() and os.environ.get("MINITORCH_CUDA_CONFORMANCE") != "1",
        reason="too slow on the CUDA simulator; set MINITORCH_CUDA_CONFORMANCE=1 or use a GPU",
    ),
]

TestCudaConformance = conformance_suite("cuda")
