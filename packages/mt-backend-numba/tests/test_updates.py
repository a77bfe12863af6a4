"""The fused adam_step / sgd_step kernels against mt-tensor's compositions (their fallback)."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.tensor import updates

DTYPES = ["float32", "float64"]
# 70,000 elements run in parallel, one chunk per thread (the serial limit is 65,536).
SIZES = [7, 70_000]


def tolerance(dtype: str) -> float:
    return 1e-5 if dtype == "float32" else 1e-12


def tensors(size: int, count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=size) for _ in range(count)]


def on_numba(values: list[np.ndarray], dtype: str) -> list[mt.Tensor]:
    return [mt.tensor(v, dtype=dtype, backend="numba") for v in values]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("weight_decay, decoupled", [(0.0, False), (0.1, False), (0.1, True)])
def test_adam_step_matches_the_composition(dtype: str, size: int, weight_decay: float,
                                           decoupled: bool) -> None:
    (p0,) = tensors(size, 1, seed=size)
    fused = on_numba([p0, np.zeros(size), np.zeros(size)], dtype)
    composed = on_numba([p0, np.zeros(size), np.zeros(size)], dtype)
    for step in range(1, 4):
        (g,) = on_numba(tensors(size, 1, seed=step), dtype)
        updates.adam_step_(*fused[:1], g, *fused[1:], step, 1e-2, 0.9, 0.999, 1e-8,
                           weight_decay, decoupled)
        updates._adam_step_composed(*composed[:1], g, *composed[1:], step, 1e-2, 0.9, 0.999,
                                    1e-8, weight_decay, decoupled)
    for a, b in zip(fused, composed, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tolerance(dtype),
                                   atol=tolerance(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("momentum, dampening, nesterov, weight_decay", [
    (0.0, 0.0, False, 0.0), (0.0, 0.0, False, 0.1), (0.9, 0.0, False, 0.0),
    (0.9, 0.5, False, 0.1), (0.9, 0.0, True, 0.1),
])
def test_sgd_step_matches_the_composition(dtype: str, size: int, momentum: float,
                                          dampening: float, nesterov: bool,
                                          weight_decay: float) -> None:
    (p0,) = tensors(size, 1, seed=size)
    # The kernel must not read the buffer on the first step: start it at nan.
    fused = on_numba([p0, np.full(size, np.nan)], dtype)
    composed = on_numba([p0, np.full(size, np.nan)], dtype)
    for step in range(1, 4):
        (g,) = on_numba(tensors(size, 1, seed=step), dtype)
        buffers = (fused[1], composed[1]) if momentum else (None, None)
        updates.sgd_step_(fused[0], g, buffers[0], 0.1, momentum, dampening, weight_decay,
                          nesterov, step == 1)
        updates._sgd_step_composed(composed[0], g, buffers[1], 0.1, momentum, dampening,
                                   weight_decay, nesterov, step == 1)
    for a, b in zip(fused, composed, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tolerance(dtype),
                                   atol=tolerance(dtype), equal_nan=True)


def test_non_contiguous_gradient_is_read_through_a_copy() -> None:
    p = mt.tensor(np.arange(6.0).reshape(2, 3), dtype="float64", backend="numba")
    expected = mt.tensor(np.arange(6.0).reshape(2, 3), dtype="float64", backend="numba")
    g = mt.tensor(np.arange(6.0).reshape(3, 2), dtype="float64", backend="numba").T
    updates.sgd_step_(p, g, None, 0.5, 0.0, 0.0, 0.0, False, True)
    updates._sgd_step_composed(expected, g, None, 0.5, 0.0, 0.0, 0.0, False, True)
    np.testing.assert_array_equal(p.numpy(), expected.numpy())


def test_the_optimizers_use_the_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    from minitorch.optim import SGD, Adam

    calls = []
    backend = mt.get_backend("numba")
    for name in ("adam_step", "sgd_step"):
        kernel = getattr(backend, name)
        monkeypatch.setattr(backend, name,
                            lambda *args, name=name, kernel=kernel: calls.append(name) or kernel(*args))
    p = mt.ones(3, backend="numba", requires_grad=True)
    for optimizer in (Adam([p]), SGD([p], lr=0.1, momentum=0.9)):
        (p * p).sum().backward()
        optimizer.step()
        optimizer.zero_grad()
    assert calls == ["adam_step", "sgd_step"]
