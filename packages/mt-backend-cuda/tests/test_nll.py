"""cross_entropy's device path (nll_rows, cross_entropy_backward) against the python backend."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.nn.functional as F
import minitorch.tensor as mt

pytestmark = pytest.mark.cuda


def _loss_and_grad(name, logits, target, **kwargs):
    x = mt.tensor(logits, dtype=mt.float64, backend=name, requires_grad=True)
    t = mt.tensor(target, dtype=mt.int64, backend=name)
    loss = F.cross_entropy(x, t, **kwargs)
    loss.sum().backward()
    return loss.numpy(), x.grad.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_the_python_backend(backend, rng, reduction):
    logits = rng.standard_normal((6, 5))
    target = np.array([0, 4, 2, 2, 1, 3])
    got = _loss_and_grad("cuda", logits, target, reduction=reduction)
    want = _loss_and_grad("python", logits, target, reduction=reduction)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_ignored_targets_count_for_nothing(backend, rng):
    logits = rng.standard_normal((4, 3))
    target = np.array([1, -100, 2, -100])
    got = _loss_and_grad("cuda", logits, target)
    want = _loss_and_grad("python", logits, target)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(got[1][[1, 3]], 0.0)


def test_a_target_out_of_range_gives_nan_instead_of_a_host_check(backend, rng):
    loss, grad = _loss_and_grad("cuda", rng.standard_normal((3, 4)), np.array([0, 4, 1]),
                                reduction="none")
    assert math.isnan(loss[1]) and np.isnan(grad[1]).all()
    assert np.isfinite(loss[[0, 2]]).all() and np.isfinite(grad[[0, 2]]).all()


def test_the_loss_reads_nothing_back(backend, rng):
    x = mt.tensor(rng.standard_normal((4, 3)), backend="cuda", requires_grad=True)
    t = mt.tensor(np.array([0, 1, 2, 0]), dtype=mt.int64, backend="cuda")
    backend.reset_counters()
    F.cross_entropy(x, t).backward()
    counts = backend.counters()
    assert (counts["host_to_device"], counts["device_to_host"]) == (0, 0)
