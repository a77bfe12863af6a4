"""Learning-rate schedules against their formulas, and their state dicts."""

from __future__ import annotations

import math

import pytest

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt
from minitorch.optim import lr_scheduler


def make_optimizer(lr=0.1, groups=1):
    params = [nn.Parameter(mt.zeros(1)) for _ in range(groups)]
    return optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)], lr=lr)


def lrs(scheduler, epochs):
    """The lr the optimizer uses in each epoch 0..epochs-1."""
    out = []
    for _ in range(epochs):
        out.append(scheduler.optimizer.param_groups[0]["lr"])
        scheduler.step()
    return out


def test_step_lr():
    sched = lr_scheduler.StepLR(make_optimizer(), step_size=3, gamma=0.5)
    assert lrs(sched, 8) == [0.1 * 0.5 ** (e // 3) for e in range(8)]
    assert sched.get_last_lr() == [0.1 * 0.5 ** (8 // 3)]


def test_exponential_lr():
    sched = lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.9)
    assert lrs(sched, 5) == [0.1 * 0.9**e for e in range(5)]


def test_cosine_annealing_lr():
    sched = lr_scheduler.CosineAnnealingLR(make_optimizer(), T_max=4, eta_min=0.01)
    expected = [0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(9)]
    got = lrs(sched, 9)
    assert got == pytest.approx(expected, rel=1e-15, abs=1e-15)
    assert got[4] == pytest.approx(0.01) and got[8] == pytest.approx(0.1)


def test_every_group_follows_its_own_base_lr():
    sched = lr_scheduler.StepLR(make_optimizer(groups=2), step_size=1, gamma=0.1)
    sched.step()
    assert sched.get_last_lr() == pytest.approx([0.01, 0.02])


def test_reduce_on_plateau_patience_cooldown_and_floor():
    opt = make_optimizer(lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, min_lr=0.2)
    history = []
    for metric in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95]:
        sched.step(metric)
        history.append(sched.get_last_lr()[0])
    # Epochs 3-4 are bad -> halve; epoch 5 is cooldown; 6-7 bad -> halve; then the floor.
    assert history == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2]


def test_reduce_on_plateau_max_mode_and_thresholds():
    opt = make_optimizer(lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=0, threshold=0.1,
                                           threshold_mode="abs")
    sched.step(0.5)
    sched.step(0.55)  # not better by more than 0.1: a bad epoch, patience 0 -> reduce
    assert sched.get_last_lr() == pytest.approx([0.1])
    sched.step(mt.tensor(0.7))  # tensors work as metrics
    assert sched.best == pytest.approx(0.7)
    with pytest.raises(ValueError, match="mode"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="up")


@pytest.mark.parametrize(
    "make",
    [lambda o: lr_scheduler.StepLR(o, 2, 0.5), lambda o: lr_scheduler.ExponentialLR(o, 0.9),
     lambda o: lr_scheduler.CosineAnnealingLR(o, 5)],
)
def test_state_dict_resumes_the_schedule(make):
    a = make(make_optimizer())
    lrs(a, 3)
    opt = make_optimizer()
    b = make(opt)
    b.load_state_dict(a.state_dict())
    opt.load_state_dict(a.optimizer.state_dict())
    assert lrs(a, 5) == lrs(b, 5)


def test_plateau_state_dict_round_trip():
    a = lr_scheduler.ReduceLROnPlateau(make_optimizer(), patience=2)
    for metric in (1.0, 2.0, 2.0):
        a.step(metric)
    b = lr_scheduler.ReduceLROnPlateau(make_optimizer(), patience=2)
    b.load_state_dict(a.state_dict())
    assert (b.best, b.num_bad_epochs, b.last_epoch) == (1.0, 2, 3)


def test_load_rejects_other_schedulers_and_bad_values():
    step = lr_scheduler.StepLR(make_optimizer(), 2)
    expo = lr_scheduler.ExponentialLR(make_optimizer(), 0.5)
    with pytest.raises(ValueError, match="'ExponentialLR' scheduler into StepLR"):
        step.load_state_dict(expo.state_dict())
    state = step.state_dict()
    state["last_epoch"] = "three"
    with pytest.raises(ValueError, match="saved last_epoch is 'three'"):
        step.load_state_dict(state)
    state = step.state_dict()
    state["base_lrs"] = [0.1, 0.2]
    assert step.state_dict_problems(state)
    del state["gamma"]
    with pytest.raises(ValueError, match="missing \\['gamma'\\]"):
        step.load_state_dict(state)
