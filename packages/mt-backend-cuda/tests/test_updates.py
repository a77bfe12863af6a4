"""Fused adam_step / sgd_step kernels against mt-tensor's compositions (the reference)."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.tensor import updates

pytestmark = pytest.mark.cuda

TOL = {"float32": dict(rtol=2e-6, atol=1e-7), "float64": dict(rtol=1e-13, atol=1e-15)}


def _state(rng, backend_name, dtype, n=13):
    values = [rng.standard_normal(n) for _ in range(4)]
    values[3] = np.abs(values[3])  # exp_avg_sq is non-negative
    return [mt.tensor(v, dtype=dtype, backend=backend_name) for v in values]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weight_decay, decoupled", [(0.0, False), (0.1, False), (0.1, True)])
def test_adam_step_matches_the_composition(backend, rng, dtype, weight_decay, decoupled):
    dt = getattr(mt, dtype)
    fused = _state(rng, "cuda", dt)
    composed = [mt.tensor(t.numpy(), dtype=dt, backend="python") for t in fused]
    for step in (1, 2, 7):
        args = (step, 1e-2, 0.9, 0.999, 1e-8, weight_decay, decoupled)
        updates.adam_step_(*fused, *args)
        updates._adam_step_composed(*composed, *args)
    for got, want in zip(fused, composed, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("momentum, dampening, nesterov", [(0.0, 0.0, False), (0.9, 0.1, False),
                                                           (0.9, 0.0, True)])
def test_sgd_step_matches_the_composition(backend, rng, dtype, momentum, dampening, nesterov):
    dt = getattr(mt, dtype)
    p, g, buf, _ = _state(rng, "cuda", dt)
    rp, rg, rbuf = (mt.tensor(t.numpy(), dtype=dt, backend="python") for t in (p, g, buf))
    for first in (True, False, False):
        args = (0.05, momentum, dampening, 1e-3, nesterov, first)
        updates.sgd_step_(p, g, buf, *args)
        updates._sgd_step_composed(rp, rg, rbuf, *args)
    np.testing.assert_allclose(p.numpy(), rp.numpy(), **TOL[dtype])
    if momentum:
        np.testing.assert_allclose(buf.numpy(), rbuf.numpy(), **TOL[dtype])


def test_adam_step_is_one_launch_without_copies(backend, rng):
    state = _state(rng, "cuda", mt.float32)
    backend.reset_counters()
    updates.adam_step_(*state, 3, 1e-3, 0.9, 0.999, 1e-8, 0.0, False)
    counts = backend.counters()
    assert (counts["launches"], counts["host_to_device"], counts["allocations"]) == (1, 0, 0)


def test_update_kernels_refuse_mixed_dtypes(backend):
    p = backend.from_numpy(np.zeros(3, np.float32))
    g = backend.from_numpy(np.zeros(3, np.float64))
    with pytest.raises(TypeError, match="adam_step: every storage must have the parameter"):
        backend.adam_step(p, g, p, p, 3, 1, 1e-3, 0.9, 0.999, 1e-8, 0.0, False)
    with pytest.raises(TypeError, match="sgd_step: parameters must be float32 or float64"):
        i = backend.from_numpy(np.zeros(3, np.int64))
        backend.sgd_step(i, i, i, 3, 0.1, 0.0, 0.0, 0.0, False, True)
