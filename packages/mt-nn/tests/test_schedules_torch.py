"""MultiStepLR, LambdaLR, OneCycleLR (with momentum) and CosineAnnealingWarmRestarts
against torch.optim.lr_scheduler: the same learning rates, step after step."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def quiet_torch():
    # torch warns when a scheduler steps before its optimizer has; irrelevant here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def pair(opt_name="SGD", groups=2, **kwargs):
    """Our optimizer and torch's, with `groups` groups of lr 0.1, 0.2, ..."""
    ours = getattr(optim, opt_name)(
        [{"params": [nn.Parameter(mt.zeros(1))], "lr": 0.1 * (i + 1)} for i in range(groups)],
        **kwargs)
    theirs = getattr(torch.optim, opt_name)(
        [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 * (i + 1)}
         for i in range(groups)], **kwargs)
    return ours, theirs


def momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def compare(ours, theirs, steps, momentum=False, rtol=1e-12):
    """Step both `steps` times, comparing lrs (and momenta) after construction and each step."""
    for step in range(steps + 1):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=rtol,
                                   atol=1e-15, err_msg=f"lr at step {step}")
        np.testing.assert_allclose([g["lr"] for g in ours.optimizer.param_groups],
                                   ours.get_last_lr(), rtol=0)
        if momentum:
            np.testing.assert_allclose(momenta(ours.optimizer), momenta(theirs.optimizer),
                                       rtol=rtol, err_msg=f"momentum at step {step}")
        if step < steps:
            ours.step()
            theirs.step()


def test_multistep_lr_matches_torch():
    o, t = pair()
    compare(optim.lr_scheduler.MultiStepLR(o, milestones=[12, 3, 7, 7], gamma=0.5),
            torch.optim.lr_scheduler.MultiStepLR(t, milestones=[12, 3, 7, 7], gamma=0.5), 30)


def test_lambda_lr_matches_torch():
    o, t = pair()
    fn = lambda e: 0.9**e + 0.01 * (e % 3)  # noqa: E731
    compare(optim.lr_scheduler.LambdaLR(o, fn), torch.optim.lr_scheduler.LambdaLR(t, fn), 30)
    o, t = pair()
    fns = [lambda e: 1.0 / (1 + e), lambda e: min(1.0, (e + 1) / 5)]
    compare(optim.lr_scheduler.LambdaLR(o, fns), torch.optim.lr_scheduler.LambdaLR(t, fns), 30)


ONE_CYCLE = [
    ("SGD", {"momentum": 0.9}, dict(max_lr=1.0, total_steps=35)),
    ("SGD", {"momentum": 0.9}, dict(max_lr=[0.5, 2.0], epochs=5, steps_per_epoch=7,
                                    anneal_strategy="linear")),
    ("SGD", {}, dict(max_lr=0.3, total_steps=40, three_phase=True, pct_start=0.25)),
    ("Adam", {}, dict(max_lr=0.01, total_steps=31, base_momentum=[0.8, 0.7],
                      max_momentum=0.9, div_factor=10.0, final_div_factor=100.0)),
    ("AdamW", {}, dict(max_lr=0.01, total_steps=33, three_phase=True,
                       anneal_strategy="linear")),
    ("RMSprop", {}, dict(max_lr=0.05, total_steps=30, pct_start=0.5)),
    ("Adagrad", {}, dict(max_lr=0.05, total_steps=30, cycle_momentum=False)),
]


@pytest.mark.parametrize("opt_name, opt_kwargs, kwargs", ONE_CYCLE, ids=lambda v: str(v))
def test_one_cycle_lr_and_momentum_match_torch(opt_name, opt_kwargs, kwargs):
    o, t = pair(opt_name, **opt_kwargs)
    ours = optim.lr_scheduler.OneCycleLR(o, **kwargs)
    theirs = torch.optim.lr_scheduler.OneCycleLR(t, **kwargs)
    compare(ours, theirs, ours.total_steps, momentum=kwargs.get("cycle_momentum", True))
    message = f"Tried to step {ours.total_steps + 1} times"
    with pytest.raises(ValueError, match=message):
        theirs.step()
    with pytest.raises(ValueError, match=message):
        ours.step()
    assert ours.last_epoch == ours.total_steps  # the refused step changed nothing


def test_one_cycle_without_momentum_to_cycle_raises_as_torch():
    o, t = pair("Adadelta")
    for sched, opt in ((optim.lr_scheduler.OneCycleLR, o),
                       (torch.optim.lr_scheduler.OneCycleLR, t)):
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            sched(opt, max_lr=0.1, total_steps=10)


def test_warm_restarts_match_torch():
    for kwargs in (dict(T_0=3, T_mult=2, eta_min=0.01), dict(T_0=4), dict(T_0=1, T_mult=3)):
        o, t = pair()
        compare(optim.lr_scheduler.CosineAnnealingWarmRestarts(o, **kwargs),
                torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(t, **kwargs), 40)


@pytest.mark.parametrize("t_mult", [1, 2])
def test_warm_restarts_with_fractional_epochs_match_torch(t_mult):
    o, t = pair()
    ours = optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=t_mult, eta_min=1e-3)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(t, T_0=3, T_mult=t_mult,
                                                                  eta_min=1e-3)
    iters = 4
    epochs = [e + i / iters for e in range(12) for i in range(iters)]
    epochs += [2.999, 3.0, 8.9999, 9.0, 21.0, 45.5, 0.5, 100]  # jumps, and back again
    for epoch in epochs:
        ours.step(epoch)
        theirs.step(epoch)
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12,
                                   err_msg=f"epoch {epoch}")
        assert (ours.last_epoch, ours.T_i) == (theirs.last_epoch, theirs.T_i)
        assert ours.T_cur == pytest.approx(theirs.T_cur, rel=1e-12, abs=1e-12)
    for _ in range(10):  # plain steps continue from wherever step(epoch) left off
        ours.step()
        theirs.step()
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)


def test_bad_arguments_raise_as_torch():
    o, t = pair()
    cases = [
        ("CosineAnnealingWarmRestarts", dict(T_0=0), "Expected positive integer T_0"),
        ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=0), "Expected integer T_mult >= 1"),
        ("OneCycleLR", dict(max_lr=0.1), "You must define either total_steps OR"),
        ("OneCycleLR", dict(max_lr=0.1, total_steps=0), "Expected positive integer total_steps"),
        ("OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=1.5),
         "Expected float between 0 and 1 pct_start"),
        ("OneCycleLR", dict(max_lr=0.1, total_steps=10, anneal_strategy="exp"),
         "anneal_strategy must be one of 'cos' or 'linear'"),
        ("OneCycleLR", dict(max_lr=[0.1, 0.2, 0.3], total_steps=10), "max_lr"),
        ("LambdaLR", dict(lr_lambda=[lambda e: 1.0]), "Expected 2 lr_lambdas"),
    ]
    for name, kwargs, message in cases:
        for lib, opt in ((optim.lr_scheduler, o), (torch.optim.lr_scheduler, t)):
            with pytest.raises(ValueError, match=message):
                getattr(lib, name)(opt, **kwargs)
    with pytest.raises(ValueError, match="Expected non-negative epoch"):
        optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2).step(-1)
