"""nll_loss / NLLLoss and Adadelta against PyTorch's stated behaviour (and torch
itself where it is installed)."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.optim as optim
import minitorch.tensor as mt
from minitorch.tensor.testing import gradcheck
from minitorch.tensor.testing.oracle import torch

LOGP = np.log(np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.25, 0.25, 0.5]]))
TARGET = [1, 0, 2]


def test_nll_loss_picks_minus_the_target_log_probability():
    x, t = mt.tensor(LOGP), mt.tensor(TARGET)
    expected = -LOGP[np.arange(3), TARGET]
    assert np.allclose(F.nll_loss(x, t).item(), expected.mean())
    assert np.allclose(F.nll_loss(x, t, reduction="sum").item(), expected.sum())
    assert np.allclose(F.nll_loss(x, t, reduction="none").numpy(), expected)
    w = mt.tensor([1.0, 2.0, 3.0])
    weighted = expected * np.array([2.0, 1.0, 3.0])
    assert np.allclose(F.nll_loss(x, t, weight=w).item(), weighted.sum() / 6.0)
    ignored = F.nll_loss(x, mt.tensor([1, -100, 2]))
    assert np.allclose(ignored.item(), (expected[0] + expected[2]) / 2)
    assert np.allclose(nn.NLLLoss()(x, t).item(), expected.mean())
    assert np.allclose(F.nll_loss(x[0], t[0]).item(), expected[0])
    gradcheck(lambda a: F.nll_loss(a, mt.tensor(TARGET, backend=a.backend)), mt.tensor(LOGP))


@pytest.mark.skipif(torch is None, reason="torch is an optional oracle")
def test_nll_loss_matches_torch():
    for kwargs in ({}, {"reduction": "sum"}, {"ignore_index": 0}):
        ours = F.nll_loss(mt.tensor(LOGP), mt.tensor(TARGET), **kwargs).item()
        theirs = torch.nn.functional.nll_loss(torch.tensor(LOGP), torch.tensor(TARGET),
                                              **kwargs).item()
        assert np.isclose(ours, theirs)


def test_nll_loss_refuses_float_targets_and_out_of_range_ones():
    with pytest.raises(TypeError, match="int64 class indices"):
        F.nll_loss(mt.tensor(LOGP), mt.tensor([1.0, 0.0, 2.0]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.nll_loss(mt.tensor(LOGP), mt.tensor([1, 3, 0]))


def test_nll_loss_k_dim_picks_along_dim_1():
    # (N, C, d) = (1, 3, 2): position j takes input[0, target[0, j], j]
    logp = np.log(np.array([[[0.2, 0.7], [0.5, 0.1], [0.3, 0.2]]]))
    target = mt.tensor([[1, 0]])
    each = -np.array([logp[0, 1, 0], logp[0, 0, 1]])
    assert np.allclose(F.nll_loss(mt.tensor(logp), target, reduction="none").numpy(), [each])
    w = mt.tensor([2.0, 1.0, 1.0])
    assert np.allclose(F.nll_loss(mt.tensor(logp), target, weight=w).item(),
                       (each[0] * 1.0 + each[1] * 2.0) / 3.0)
    assert np.allclose(F.nll_loss(mt.tensor(logp), mt.tensor([[1, -100]])).item(), each[0])
    gradcheck(lambda a: F.nll_loss(a.permute(1, 0, 2), mt.tensor([[2, 1], [0, -100]]), weight=w),
              mt.randn(3, 2, 2))  # a non-contiguous (N, C, d) view
    with pytest.raises(ValueError, match=r"Expected target size \(1, 2\), got \(1, 3\)"):
        F.nll_loss(mt.tensor(logp), mt.tensor([[1, 0, 0]]))
    with pytest.raises(ValueError, match=r"Expected 1 or more dimensions \(got 0\)"):
        F.nll_loss(mt.tensor(0.5), mt.tensor(0))


def _adadelta_reference(p, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    v, u = np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
    return p


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}])
def test_adadelta_follows_its_update_rule(kwargs):
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(4)]
    p = mt.tensor(p0, dtype=mt.float64, requires_grad=True)
    opt = optim.Adadelta([p], **kwargs)
    for g in grads:
        p.grad = mt.tensor(g, dtype=mt.float64)
        opt.step()
    assert np.allclose(p.numpy(), _adadelta_reference(p0, grads, **kwargs), rtol=1e-10)
    if torch is not None:
        q = torch.tensor(p0, requires_grad=True)
        topt = torch.optim.Adadelta([q], **kwargs)
        for g in grads:
            q.grad = torch.tensor(g)
            topt.step()
        assert np.allclose(p.numpy(), q.detach().numpy(), rtol=1e-10)


def test_adadelta_rejects_bad_hyperparameters_and_checkpoints_its_state():
    with pytest.raises(ValueError, match="invalid rho"):
        optim.Adadelta([mt.zeros(2, requires_grad=True)], rho=1.5)
    p = mt.ones(3, requires_grad=True)
    opt = optim.Adadelta([p])
    p.grad = mt.ones(3)
    opt.step()
    state = opt.state_dict()
    again = optim.Adadelta([p])
    again.load_state_dict(state)
    assert again.state_dict()["state"].keys() == state["state"].keys()
