"""RMSprop, Adagrad, Adam/AdamW (amsgrad, maximize) step for step against torch.optim.

Both sides start from the same parameters and see the same gradients: the
gradient of a fixed quadratic at each side's own current parameters, plus a
fixed noise sequence whose scale shrinks (so AMSGrad's running maximum parts
from the second moment). Parameters are compared after every step.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt

torch = pytest.importorskip("torch")

STEPS = 12
RNG = np.random.default_rng(7)
P0 = RNG.standard_normal((2, 3))
Q0 = RNG.standard_normal(4)
TARGET = RNG.standard_normal((2, 3))
NOISE = [RNG.standard_normal((2, 3)) * 2.0 / (t + 1) for t in range(STEPS)]
NOISE_Q = [RNG.standard_normal(4) / (t + 1) for t in range(STEPS)]


def gradient(t: int, p: np.ndarray, which: int) -> np.ndarray:
    """d/dp of 0.5 * |p - TARGET|^2 (or |q|^2 for the second parameter) plus noise."""
    if which == 0:
        return (p - TARGET) + NOISE[t]
    return 0.5 * p + NOISE_Q[t]


def trajectory(make, steps: int = STEPS, dtype=np.float64, backend: str | None = None,
               groups: bool = False):
    """Ours: the two parameters after each step."""
    mt_dtype = mt.float64 if dtype == np.float64 else mt.float32
    ps = [nn.Parameter(mt.tensor(v.astype(dtype), dtype=mt_dtype, backend=backend))
          for v in (P0, Q0)]
    params = [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.05}] if groups else ps
    opt = make(optim, params)
    out = []
    for t in range(steps):
        for i, p in enumerate(ps):
            g = gradient(t, p.numpy().astype(np.float64), i).astype(dtype)
            p.grad = mt.tensor(g, dtype=mt_dtype, backend=backend)
        opt.step()
        out.append([p.numpy().copy() for p in ps])
    return out


def torch_trajectory(make, steps: int = STEPS, dtype=np.float64, groups: bool = False):
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    ps = [torch.nn.Parameter(torch.tensor(v.astype(dtype), dtype=torch_dtype)) for v in (P0, Q0)]
    params = [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.05}] if groups else ps
    opt = make(torch.optim, params)
    out = []
    for t in range(steps):
        for i, p in enumerate(ps):
            g = gradient(t, p.detach().numpy().astype(np.float64), i).astype(dtype)
            p.grad = torch.tensor(g, dtype=torch_dtype)
        opt.step()
        out.append([p.detach().numpy().copy() for p in ps])
    return out


def assert_same_trajectory(make, rtol=1e-12, atol=1e-13, **kwargs):
    ours, theirs = trajectory(make, **kwargs), torch_trajectory(make, **kwargs)
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol,
                                       err_msg=f"step {step + 1}, parameter {i}")
    return ours


RMSPROP = [dict(momentum=m, centered=c, weight_decay=wd)
           for m, c, wd in itertools.product([0.0, 0.9], [False, True], [0.0, 0.1])]
RMSPROP += [dict(alpha=0.9, eps=1e-3, momentum=0.5, centered=True, maximize=True),
            dict(lr=0.05, alpha=0.5)]


@pytest.mark.parametrize("kwargs", RMSPROP, ids=str)
def test_rmsprop_matches_torch(kwargs):
    assert_same_trajectory(lambda o, p: o.RMSprop(p, **kwargs))


ADAGRAD = [dict(lr=0.1, lr_decay=d, weight_decay=wd, initial_accumulator_value=a)
           for d, wd, a in itertools.product([0.0, 0.05], [0.0, 0.1], [0.0, 0.5])]
ADAGRAD += [dict(eps=1e-3, maximize=True, lr_decay=0.01), dict()]


@pytest.mark.parametrize("kwargs", ADAGRAD, ids=str)
def test_adagrad_matches_torch(kwargs):
    assert_same_trajectory(lambda o, p: o.Adagrad(p, **kwargs))


ADAM = [dict(lr=0.05, amsgrad=a, weight_decay=wd, maximize=m)
        for a, wd, m in itertools.product([False, True], [0.0, 0.1], [False, True])]


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("kwargs", ADAM, ids=str)
def test_adam_family_matches_torch(name, kwargs):
    assert_same_trajectory(lambda o, p: getattr(o, name)(p, betas=(0.8, 0.99), **kwargs))


def test_amsgrad_changes_the_trajectory():
    plain = trajectory(lambda o, p: o.Adam(p, lr=0.05))
    ams = trajectory(lambda o, p: o.Adam(p, lr=0.05, amsgrad=True))
    assert not np.allclose(plain[-1][0], ams[-1][0], rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda o, p: o.RMSprop(p, lr=0.01, momentum=0.9, centered=True, weight_decay=0.01),
    lambda o, p: o.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    lambda o, p: o.Adam(p, lr=0.01, amsgrad=True, weight_decay=0.01),
    lambda o, p: o.AdamW(p, lr=0.01, amsgrad=True, maximize=True),
])
def test_float32_and_param_groups_match_torch(make):
    assert_same_trajectory(make, rtol=1e-5, atol=1e-6, dtype=np.float32, groups=True)


@pytest.mark.needs_backend("numba")
@pytest.mark.parametrize("make", [
    lambda o, p: o.Adam(p, lr=0.05, maximize=True, weight_decay=0.1),   # the fused kernel
    lambda o, p: o.AdamW(p, lr=0.05, amsgrad=True),                     # composed ops
    lambda o, p: o.RMSprop(p, momentum=0.9, centered=True),
    lambda o, p: o.Adagrad(p, lr=0.1, lr_decay=0.1),
])
def test_numba_backend_matches_torch(make):
    ours = trajectory(make, backend="numba")
    theirs = torch_trajectory(make)
    for a, b in zip(ours, theirs, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-12)


def test_state_dict_keys_and_values_match_torch():
    """After a few steps both state dicts hold the same fields with the same numbers."""
    cases = [
        (lambda o, p: o.RMSprop(p, momentum=0.9, centered=True),
         {"step", "square_avg", "momentum_buffer", "grad_avg"}),
        (lambda o, p: o.RMSprop(p), {"step", "square_avg"}),
        (lambda o, p: o.Adagrad(p, initial_accumulator_value=0.2), {"step", "sum"}),
        (lambda o, p: o.Adam(p, amsgrad=True),
         {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
    ]
    for make, keys in cases:
        ours = make(optim, [nn.Parameter(mt.tensor(P0))])
        theirs = make(torch.optim, [torch.nn.Parameter(torch.tensor(P0))])
        for t in range(3):
            ours.param_groups[0]["params"][0].grad = mt.tensor(NOISE[t])
            theirs.param_groups[0]["params"][0].grad = torch.tensor(NOISE[t])
            ours.step()
            theirs.step()
        mine, reference = ours.state_dict()["state"]["0"], theirs.state_dict()["state"][0]
        assert set(mine) == set(reference) == keys
        assert mine["step"] == int(reference["step"]) == 3
        for key in keys - {"step"}:
            np.testing.assert_allclose(mine[key].numpy(), reference[key].numpy(), rtol=1e-12)
        option_keys = set(ours.state_dict()["param_groups"][0]) - {"params"}
        assert option_keys <= set(theirs.state_dict()["param_groups"][0])


@pytest.mark.parametrize("make, message", [
    (lambda o: o.RMSprop([_p(o)], lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda o: o.RMSprop([_p(o)], alpha=-0.5), "Invalid alpha value: -0.5"),
    (lambda o: o.RMSprop([_p(o)], momentum=-1.0), "Invalid momentum value: -1.0"),
    (lambda o: o.RMSprop([_p(o)], eps=-1.0), "Invalid epsilon value: -1.0"),
    (lambda o: o.Adagrad([_p(o)], lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    (lambda o: o.Adagrad([_p(o)], initial_accumulator_value=-1.0),
     "Invalid initial_accumulator_value value: -1.0"),
    (lambda o: o.Adagrad([_p(o)], weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    (lambda o: o.Adam([_p(o)], betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda o: o.AdamW([_p(o)], betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda o: o.AdamW([_p(o)], eps=-1e-8), "Invalid epsilon value: -1e-08"),
])
def test_bad_hyperparameters_raise_torchs_errors(make, message):
    for lib in (optim, torch.optim):
        with pytest.raises(ValueError, match=message):
            make(lib)


def _p(lib):
    if lib is optim:
        return nn.Parameter(mt.zeros(2))
    return torch.nn.Parameter(torch.zeros(2))
