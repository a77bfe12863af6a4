"""CudaBackend: identity, device storage, plugin registration, tensor-level use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest

from minitorch.backends.cuda import CudaBackend, device, plugin
from minitorch.tensor.backend import Backend
from minitorch.tensor.dtype import float32, float64

pytestmark = pytest.mark.cuda


def test_identity(backend):
    assert isinstance(backend, Backend)
    assert (backend.name, backend.is_gpu, backend.priority) == ("cuda", True, 100)
    assert backend.dtypes == ("bool", "int32", "int64", "float32", "float64")
    assert backend.version.startswith(metadata.version("mt-backend-cuda"))
    assert "numba-cuda" in backend.version
    assert ("simulator" in backend.version) == device.simulator_enabled()
    assert backend.is_available() and backend.unavailable_reason() == ""


def test_plugin_hook_and_entry_point():
    (made,) = plugin.minitorch_register_backends()
    assert isinstance(made, CudaBackend)
    eps = metadata.entry_points(group="minitorch.backends")
    assert any(ep.name == "cuda" and ep.value == "minitorch.backends.cuda.plugin" for ep in eps)


@pytest.mark.parametrize("dtype", [float32, float64])
def test_storage_round_trip(backend, dtype):
    host = np.arange(10, dtype=dtype.numpy) * 0.5
    storage = backend.from_numpy(host.reshape(2, 5))
    assert not isinstance(storage, np.ndarray)  # it lives on the device
    back = backend.to_numpy(storage)
    assert back.dtype == dtype.numpy and back.shape == (10,)
    np.testing.assert_array_equal(back, host)
    host[0] = 99.0  # from_numpy copied
    assert backend.read(storage, 0) == 0.0


@pytest.mark.parametrize("dtype", [float32, float64])
def test_zeros_view_read_write(backend, dtype):
    storage = backend.zeros(6, dtype)
    np.testing.assert_array_equal(backend.to_numpy(storage), np.zeros(6))
    view = backend.view_at(storage, 2)
    backend.write(view, 1, 2.5)  # element 3 of the base storage
    assert backend.read(storage, 3) == 2.5
    assert isinstance(backend.read(storage, 3), float)
    np.testing.assert_array_equal(backend.to_numpy(view), [0.0, 2.5, 0.0, 0.0])
    assert backend.view_at(storage, 0) is storage


def test_empty_storage(backend):
    storage = backend.zeros(0, float32)
    assert backend.to_numpy(storage).shape == (0,)


def test_to_numpy_refuses_host_arrays(backend):
    with pytest.raises(TypeError, match="not a device array"):
        backend.to_numpy(np.zeros(3))


CROSS_BACKEND = """
import json, os
import numpy as np
import minitorch.tensor as mt
rng = np.random.default_rng(0)
x_np = rng.standard_normal((2, 1, 6, 6))
w_np = rng.standard_normal((3, 1, 3, 3))
results = {}
for name in ("python", "cuda"):
    x = mt.tensor(x_np, dtype=mt.float64, backend=name, requires_grad=True)
    w = mt.tensor(w_np, dtype=mt.float64, backend=name, requires_grad=True)
    h = mt.max_pool2d(mt.conv2d(x, w, padding=1).relu(), 2)
    logits = h.view(2, 27) @ mt.ones(27, 4, dtype=mt.float64, backend=name)
    loss = -mt.log_softmax(logits, dim=1).sum()
    loss.backward()
    assert x.grad.backend.name == name
    results[name] = [loss.item(), x.grad.numpy().tolist(), w.grad.numpy().tolist()]
print(json.dumps(results))
"""


def test_tensors_on_cuda_match_the_reference_backend(backend):
    # A fresh interpreter: this end-to-end run must not depend on what earlier
    # tests left in the process (one whole-workspace CI run saw a garbage loss
    # here that no isolated run has reproduced; see the package README).
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    done = subprocess.run([sys.executable, "-c", CROSS_BACKEND], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for got, want in zip(results["cuda"], results["python"], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
