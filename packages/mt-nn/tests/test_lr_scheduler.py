"""Learning-rate schedules against their formulas, and their state dicts
(test_schedules_torch.py runs them against torch.optim.lr_scheduler)."""

from __future__ import annotations

import json
import math

import numpy as np
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
     lambda o: lr_scheduler.CosineAnnealingLR(o, 5),
     lambda o: lr_scheduler.MultiStepLR(o, [2, 4, 4], 0.5),
     lambda o: lr_scheduler.LambdaLR(o, [lambda e: 0.9**e, lambda e: 1 / (e + 1)]),
     lambda o: lr_scheduler.OneCycleLR(o, [1.0, 2.0], total_steps=12, three_phase=True),
     lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.01)],
)
def test_state_dict_resumes_the_schedule(make):
    a = make(make_optimizer(groups=2))
    lrs(a, 3)
    opt = make_optimizer(groups=2)
    b = make(opt)
    lrs(b, 1)  # somewhere else: everything must come from the saved state
    b.load_state_dict(json.loads(json.dumps(a.state_dict())))  # as a checkpoint stores it
    opt.load_state_dict(a.optimizer.state_dict())
    assert lrs(a, 5) == lrs(b, 5)
    assert [g["momentum"] for g in a.optimizer.param_groups] == \
        [g["momentum"] for g in opt.param_groups]


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


def test_multistep_lr_decays_at_each_milestone():
    sched = lr_scheduler.MultiStepLR(make_optimizer(lr=1.0), milestones=[5, 2, 5], gamma=0.5)
    assert lrs(sched, 7) == [1.0, 1.0, 0.5, 0.5, 0.5, 0.125, 0.125]  # 5 is given twice
    assert sched.state_dict()["milestones"] == [2, 5, 5]
    with pytest.raises(TypeError, match="milestones must be integers"):
        lr_scheduler.MultiStepLR(make_optimizer(), milestones=[2.5])


def test_lambda_lr_one_function_or_one_per_group():
    sched = lr_scheduler.LambdaLR(make_optimizer(lr=1.0, groups=2), lambda e: 0.5**e)
    sched.step()
    assert sched.get_last_lr() == [0.5, 1.0]
    sched = lr_scheduler.LambdaLR(make_optimizer(lr=1.0, groups=2),
                                  [lambda e: e + 1, lambda e: 1 / (e + 1)])
    sched.step()
    sched.step()
    assert sched.get_last_lr() == pytest.approx([3.0, 2.0 / 3.0])
    assert "lr_lambdas" not in sched.state_dict()  # functions are not state
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(make_optimizer(groups=2), [lambda e: 1.0])
    with pytest.raises(TypeError, match="must be callable"):
        lr_scheduler.LambdaLR(make_optimizer(), 0.5)


def test_one_cycle_by_hand():
    opt = make_optimizer(lr=123.0)  # the optimizer's own lr plays no part
    opt.param_groups[0]["momentum"] = 0.9
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    seen, momenta = [], []
    for _ in range(10):
        seen.append(sched.get_last_lr()[0])
        momenta.append(opt.param_groups[0]["momentum"])
        sched.step()
    # Warm up over steps 0..2 (pct_start * 10 - 1 = 2) from 1/25 to 1, then anneal to 4e-6.
    assert seen[:3] == pytest.approx([0.04, 0.52, 1.0])
    assert seen[9] == pytest.approx(0.04 / 1e4)
    assert seen[5] == pytest.approx(4e-6 + (1 - 4e-6) * (1 + math.cos(math.pi * 3 / 7)) / 2)
    assert momenta[:3] == pytest.approx([0.95, 0.9, 0.85]) and momenta[9] == pytest.approx(0.95)
    assert sched.base_lrs == [0.04]
    assert sched.last_epoch == 10  # reaching step total_steps is allowed, as in PyTorch
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of "
                                         "total steps is 10"):
        sched.step()


def test_one_cycle_linear_three_phase_and_adam_betas():
    opt = optim.Adam([nn.Parameter(mt.zeros(1))], betas=(0.5, 0.9))
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=5,
                                    anneal_strategy="linear", three_phase=True, pct_start=0.4,
                                    div_factor=4.0, final_div_factor=2.0)
    seen = lrs(sched, 10)
    # 0.25 -> 1 over steps 0..3, back to 0.25 over 3..6, then to 0.125 over 6..9.
    assert seen == pytest.approx([0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25,
                                  0.25 - 0.125 / 3, 0.25 - 0.25 / 3, 0.125])
    assert opt.param_groups[0]["betas"] == pytest.approx((0.95, 0.9))
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(optim.Adadelta([nn.Parameter(mt.zeros(1))]), 1.0, 10)
    for kwargs, message in ((dict(), "total_steps OR"), (dict(total_steps=1.5), "total_steps"),
                            (dict(total_steps=10, pct_start=1), "pct_start"),
                            (dict(total_steps=10, anneal_strategy="exp"), "anneal_strategy")):
        with pytest.raises(ValueError, match=message):
            lr_scheduler.OneCycleLR(opt, 1.0, **kwargs)


def test_warm_restarts_by_hand():
    sched = lr_scheduler.CosineAnnealingWarmRestarts(make_optimizer(lr=1.0), T_0=2, T_mult=2)
    cos = [(1 + math.cos(math.pi * k / 4)) / 2 for k in range(4)]
    # Cycles of 2, then 4, then 8 epochs, each starting again at base_lr.
    assert lrs(sched, 7) == pytest.approx([1.0, 0.5] + cos + [1.0])
    sched.step(2.5)  # half an epoch into the second cycle
    assert (sched.T_cur, sched.T_i, sched.last_epoch) == (0.5, 4, 2)
    assert sched.get_last_lr() == pytest.approx([(1 + math.cos(math.pi * 0.5 / 4)) / 2])
    sched.step(13.0)  # 13 = 2 + 4 + 7: the third cycle, 7 of 8 epochs in
    assert (sched.T_cur, sched.T_i) == (7.0, 8)
    sched.step()
    assert (sched.T_cur, sched.T_i, sched.get_last_lr()) == (0.0, 16, [1.0])
    with pytest.raises(ValueError, match="T_0"):
        lr_scheduler.CosineAnnealingWarmRestarts(make_optimizer(), T_0=1.5)
    with pytest.raises(ValueError, match="non-negative epoch"):
        sched.step(-0.5)


def test_one_cycle_rmsprop_checkpoint_resumes_bit_exactly(tmp_path):
    data = np.linspace(-1.0, 1.0, 12).reshape(4, 3)

    def fresh():
        mt.manual_seed(0)
        model = nn.Linear(3, 1)
        opt = optim.RMSprop(model.named_parameters(), lr=0.01, centered=True)
        return model, opt, lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=8)

    def steps(model, opt, sched, count):
        for _ in range(count):
            opt.zero_grad()
            (model(mt.tensor(data)) ** 2).mean().backward()
            opt.step()
            sched.step()

    straight = fresh()
    steps(*straight, 6)
    first = fresh()
    steps(*first, 3)
    nn.save(tmp_path / "ckpt.safetensors", *first)
    resumed = fresh()
    nn.load(tmp_path / "ckpt.safetensors", *resumed)
    steps(*resumed, 3)
    np.testing.assert_array_equal(straight[0].weight.numpy(), resumed[0].weight.numpy())
    assert straight[2].get_last_lr() == resumed[2].get_last_lr()
    assert straight[1].param_groups[0]["momentum"] == resumed[1].param_groups[0]["momentum"]
