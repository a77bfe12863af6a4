"""The installed distribution seen from the user's side: found through its entry
point, listed, chosen by name or environment, and computing like the reference."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest
from mt_numpy_backend import NumpyBackend

import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run `python *args` in a fresh interpreter, so the registry loads anew."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("MINITORCH_BACKEND", "MINITORCH_DISABLED_BACKENDS")}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          env={**clean, **env}, timeout=120, check=False)


def test_found_through_the_entry_point() -> None:
    backend = mt.get_backend("numpy")
    assert isinstance(backend, NumpyBackend)
    assert backend.priority == 10
    assert backend.distribution == "minitorch-numpy-backend"
    assert backend.version == metadata.version("minitorch-numpy-backend")


def test_listed_by_python_m_minitorch_tensor_backends() -> None:
    result = run_python("-m", "minitorch.tensor", "backends")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert rows["numpy"][1:4] == ["minitorch-numpy-backend", metadata.version("minitorch-numpy-backend"), "available"]
    assert "python" in rows


def test_default_unless_a_faster_backend_is_installed() -> None:
    # numba (priority 50) outranks numpy (10) when it is installed here.
    default = run_python("-c", "import minitorch.tensor as mt; print(mt.get_backend().name)")
    assert default.returncode == 0, default.stderr
    assert mt.get_backend(default.stdout.strip()).priority >= 10
    chosen = run_python("-c", "import minitorch.tensor as mt; print(mt.ones(2).backend.name)",
                        MINITORCH_BACKEND="numpy")
    assert chosen.stdout.strip() == "numpy", chosen.stderr


def test_tensor_on_numpy_backend_computes_like_python() -> None:
    values = [[1.0, -2.0, 0.5], [3.0, 4.0, -1.5]]
    results = {}
    for name in ("numpy", "python"):
        x = mt.tensor(values, backend=name, requires_grad=True)
        w = mt.tensor([[0.5], [-1.0], [2.0]], backend=name, requires_grad=True)
        assert x.backend.name == name
        loss = ((x.relu() @ w).sigmoid() + x.exp().sum(1, keepdim=True)).log().mean()
        loss.backward()
        results[name] = (loss.item(), x.grad.numpy(), w.grad.numpy())
    ours, theirs = results["numpy"], results["python"]
    assert ours[0] == pytest.approx(theirs[0], rel=1e-6)
    assert_close(ours[1], theirs[1], dtype="float32")
    assert_close(ours[2], theirs[2], dtype="float32")


def test_fallback_conv_pool_and_own_softmax() -> None:
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 2, 6, 6)), rng.standard_normal((3, 2, 3, 3))
    assert not hasattr(NumpyBackend, "conv2d_forward")  # runs mt-tensor's composition
    assert hasattr(NumpyBackend, "softmax")  # runs this backend's kernel
    outputs = {}
    for name in ("numpy", "python"):
        xt = mt.tensor(x, backend=name, dtype="float64")
        wt = mt.tensor(w, backend=name, dtype="float64")
        y = mt.max_pool2d(mt.conv2d(xt, wt, padding=1), 2)
        outputs[name] = (y.numpy(), y.flatten(1).log_softmax(-1).numpy(),
                         y.flatten(1).softmax(0).numpy())
    for ours, theirs in zip(outputs["numpy"], outputs["python"], strict=True):
        assert_close(ours, theirs, dtype="float64")


def test_gradcheck_through_the_numpy_backend() -> None:
    rng = np.random.default_rng(4)
    x = mt.tensor(rng.standard_normal((3, 4)), backend="numpy")
    w = mt.tensor(rng.standard_normal((4, 2)), backend="numpy")
    gradcheck(lambda a, b: (a.tanh() @ b).log_softmax(-1), x, w)


def test_moving_between_backends_is_explicit() -> None:
    a = mt.tensor([1.0, 2.0], backend="numpy")
    b = mt.tensor([3.0, 4.0], backend="python")
    with pytest.raises(RuntimeError, match="different backends"):
        a + b
    assert (a.to("python") + b).tolist() == [4.0, 6.0]
