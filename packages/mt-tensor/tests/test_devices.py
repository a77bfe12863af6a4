"""Devices as PyTorch code names them: each test states PyTorch's behaviour
(checked directly against torch where it is installed) and where minitorch
deliberately differs (see device.py's docstring)."""

from __future__ import annotations

import pytest

import minitorch.tensor as mt
from minitorch.tensor.testing.oracle import torch

needs_torch = pytest.mark.skipif(torch is None, reason="torch is an optional oracle")
CPU_BACKENDS = [b for b in ("python", "numba")
                if any(r["name"] == b and r["status"] == "available" for r in mt.list_backends())]


def test_a_device_reads_like_pytorchs() -> None:
    # PyTorch: repr(torch.device("cpu")) == "device(type='cpu')", str is "cpu";
    # torch.device("cuda", 0) and torch.device("cuda:0") are type 'cuda', index 0.
    cpu = mt.device("cpu")
    assert (repr(cpu), str(cpu), cpu.type, cpu.index) == ("device(type='cpu')", "cpu", "cpu", None)
    for gpu in (mt.device("cuda:0"), mt.device("cuda", 0)):
        assert (repr(gpu), str(gpu), gpu.type, gpu.index) == (
            "device(type='cuda', index=0)", "cuda:0", "cuda", 0)
    assert mt.device(cpu) == cpu and hash(mt.device("cpu")) == hash(cpu)


@needs_torch
def test_device_strings_agree_with_torch() -> None:
    for spec in ("cpu", "cuda", "cuda:0"):
        ours, theirs = mt.device(spec), torch.device(spec)
        assert (str(ours), ours.type, ours.index) == (str(theirs), theirs.type, theirs.index)


@pytest.mark.parametrize("spec", ["cuda:x", "cpu:", "numba:0", "cuda:1"])
def test_bad_device_strings_are_refused_by_name(spec: str) -> None:
    # PyTorch: RuntimeError "Invalid device string: 'cuda:x'". minitorch raises
    # ValueError (a bad argument), naming the string; cuda:1 is refused because
    # the CUDA backend drives one GPU.
    with pytest.raises(ValueError, match="device: .*" + spec.replace(":", ".")):
        mt.device(spec)
    if torch is not None and spec in ("cuda:x", "cpu:"):
        with pytest.raises(RuntimeError, match="Invalid device string"):
            torch.device(spec)


def test_an_unknown_device_lists_the_backends() -> None:
    with pytest.raises(mt.BackendError, match="unknown backend 'tpu'; installed: .*python"):
        mt.device("tpu")


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_tensor_device_equals_what_was_asked_for(backend: str) -> None:
    # PyTorch: torch.zeros(2, device="cpu").device == torch.device("cpu"), and
    # .device.type == "cpu". minitorch also lets the device equal the string
    # asked for and the backend's name (PyTorch: device == "cpu" is False).
    t = mt.zeros(2, device=backend)
    assert t.device == mt.device("cpu") and t.device.type == "cpu" and str(t.device) == "cpu"
    assert t.device == "cpu" and t.device == backend and t.device != "cuda"
    other = "numba" if backend == "python" else "python"
    assert t.device != other
    assert mt.zeros(2, device=t.device).backend is t.backend  # a tensor's device round-trips


def test_cpu_means_the_best_cpu_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    best = mt.REGISTRY._best_cpu()
    assert mt.zeros(1, device="cpu").backend is best
    assert mt.ones(1).to("cpu").backend is best
    monkeypatch.setenv("MINITORCH_BACKEND", "python")  # a CPU backend named by the user wins
    assert mt.get_backend("cpu").name == "python"
    monkeypatch.setenv("MINITORCH_BACKEND", "cuda")  # a GPU default does not make "cpu" a GPU
    assert mt.get_backend("cpu") is best


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_cpu_and_to_cpu_return_the_tensor_itself_when_it_is_there(backend: str) -> None:
    # PyTorch: x.cpu() is x, x.to("cpu") is x for a CPU tensor (no copy).
    x = mt.ones(3, backend=backend)
    assert x.cpu() is x
    assert x.to(device=x.device) is x
    if torch is not None:
        y = torch.ones(3)
        assert y.cpu() is y and y.to("cpu") is y


def test_to_takes_a_device_keyword_and_a_dtype_together() -> None:
    x = mt.ones(3, backend="python")
    y = x.to(mt.float64, device="python")
    assert y.dtype is mt.float64 and y.device == "python"
    with pytest.raises(ValueError, match="to: got a device twice"):
        x.to("python", device="python")


def test_creation_functions_take_device_or_backend_but_not_both() -> None:
    for make in (lambda **k: mt.zeros(2, **k), lambda **k: mt.tensor([1.0], **k),
                 lambda **k: mt.randn(2, **k), lambda **k: mt.arange(3, **k)):
        assert make(device="python").backend.name == "python"
    with pytest.raises(ValueError, match="zeros|full: give device= or backend=, not both"):
        mt.zeros(2, device="python", backend="python")


def test_like_functions_keep_the_device_unless_told() -> None:
    # PyTorch: torch.zeros_like(x) is on x's device; device= / dtype= override.
    x = mt.ones(2, backend="python")
    assert mt.zeros_like(x).backend is x.backend
    assert mt.ones_like(x, dtype=mt.float64).dtype is mt.float64
    assert mt.full_like(x, 3.0, device="cpu").backend is mt.get_backend("cpu")


def test_cuda_availability_never_raises() -> None:
    # PyTorch: torch.cuda.is_available() is a bool (False without a GPU) and
    # device_count() 0 then; neither raises.
    available = mt.cuda.is_available()
    assert isinstance(available, bool)
    assert mt.cuda.device_count() == (1 if available else 0)
    assert (mt.cuda.unavailable_reason() is None) == available
    if torch is not None and not torch.cuda.is_available():
        assert torch.cuda.device_count() == 0


@pytest.mark.skipif(mt.cuda.is_available(), reason="checks the machine without a GPU")
def test_cuda_without_a_gpu_says_why() -> None:
    with pytest.raises(mt.BackendError, match="cuda"):
        mt.ones(2).cuda()
    with pytest.raises(ValueError, match="cuda: 'cpu' is not a CUDA device"):
        mt.ones(2).cuda("cpu")
