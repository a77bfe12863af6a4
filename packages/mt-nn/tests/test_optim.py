"""Optimizers: each update against hand-computed numbers, groups, state dicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close

P0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.5, -1.0, 2.0])
G2 = np.array([-0.25, 0.5, 1.0])


def param(values=P0):
    return nn.Parameter(mt.tensor(values, dtype=mt.float64))


def run(opt, p, grads):
    """Apply one optimizer step per gradient; return the parameter after each."""
    out = []
    for g in grads:
        p.grad = mt.tensor(g, dtype=mt.float64)
        opt.step()
        out.append(p.numpy())
    return out


def test_sgd_plain_and_weight_decay():
    p = param()
    (p1,) = run(optim.SGD([p], lr=0.1), p, [G1])
    assert_close(p1, P0 - 0.1 * G1)
    p = param()
    (p1,) = run(optim.SGD([p], lr=0.1, weight_decay=0.2), p, [G1])
    assert_close(p1, P0 - 0.1 * (G1 + 0.2 * P0))


def test_sgd_momentum_and_dampening():
    p = param()
    p1, p2 = run(optim.SGD([p], lr=0.1, momentum=0.9), p, [G1, G2])
    assert_close(p1, P0 - 0.1 * G1)  # first step: buffer = gradient
    assert_close(p2, p1 - 0.1 * (0.9 * G1 + G2))
    p = param()
    p1, p2 = run(optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5), p, [G1, G2])
    assert_close(p2, p1 - 0.1 * (0.9 * G1 + 0.5 * G2))


def test_sgd_nesterov_with_weight_decay():
    p = param()
    opt = optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    p1, p2 = run(opt, p, [G1, G2])
    g1 = G1 + 0.01 * P0
    assert_close(p1, P0 - 0.1 * (g1 + 0.9 * g1))
    g2 = G2 + 0.01 * p1
    buf = 0.9 * g1 + g2
    assert_close(p2, p1 - 0.1 * (g2 + 0.9 * buf))


def adam_numpy(p, grads, lr, b1, b2, eps, wd=0.0, decoupled=False):
    m = v = 0
    out = []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * wd)
        elif wd:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr / (1 - b1**t) * m / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)
        out.append(p)
    return out


def test_adam_first_step_moves_each_weight_by_about_lr():
    p = param()
    (p1,) = run(optim.Adam([p], lr=0.01), p, [G1])
    assert_close(p1, P0 - 0.01 * G1 / (np.abs(G1) + 1e-8))


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam_two_steps(wd):
    p = param()
    got = run(optim.Adam([p], lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=wd), p, [G1, G2])
    expected = adam_numpy(P0, [G1, G2], 0.01, 0.8, 0.9, 1e-6, wd)
    for a, b in zip(got, expected, strict=True):
        assert_close(a, b)


def test_adamw_decays_the_weights_directly():
    p = param()
    got = run(optim.AdamW([p], lr=0.01, weight_decay=0.5), p, [G1, G2])
    expected = adam_numpy(P0, [G1, G2], 0.01, 0.9, 0.999, 1e-8, 0.5, decoupled=True)
    for a, b in zip(got, expected, strict=True):
        assert_close(a, b)
    # Different from Adam's L2 (the decay would enter the moments there).
    q = param()
    l2 = run(optim.Adam([q], lr=0.01, weight_decay=0.5), q, [G1, G2])
    assert not np.allclose(l2[1], got[1])


def test_parameters_without_gradient_are_left_alone():
    a, b = param(), param()
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = mt.tensor(G1, dtype=mt.float64)
    opt.step()
    assert_close(b, P0)
    assert list(opt.state) == ["0"]


def test_param_groups_with_their_own_options():
    a, b = param(), param()
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad = b.grad = mt.tensor(G1, dtype=mt.float64)
    opt.step()
    assert_close(a, P0 - 0.1 * G1)
    assert_close(b, P0 - G1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    with pytest.raises(ValueError, match="unknown option"):
        optim.SGD([{"params": [param()], "betas": (0.9, 0.9)}])


def test_zero_grad():
    p = param()
    opt = optim.SGD([p], lr=0.1)
    p.grad = mt.ones(3, dtype=mt.float64)
    opt.zero_grad(set_to_none=False)
    assert np.all(p.grad.numpy() == 0)
    opt.zero_grad()
    assert p.grad is None


def test_named_parameters_name_the_state():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    for params in (model.named_parameters(), model):
        opt = optim.Adam(params, lr=0.01)
        assert [n for n, _ in opt.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                         "2.bias"]
    model(mt.ones(3, 2)).sum().backward()
    opt.step()
    state = opt.state_dict()
    assert list(state["state"]) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["param_groups"][0]["params"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["state"]["0.weight"]["step"] == 1


def test_state_dict_round_trip_continues_identically():
    def make():
        p = param()
        return p, optim.SGD([p], lr=0.1, momentum=0.9)

    p, opt = make()
    run(opt, p, [G1])
    q, fresh = make()
    q.data = p.detach().clone()
    fresh.load_state_dict(opt.state_dict())
    assert fresh.state["0"]["momentum_buffer"] is not opt.state["0"]["momentum_buffer"]
    np.testing.assert_array_equal(run(opt, p, [G2])[0], run(fresh, q, [G2])[0])


def test_load_state_dict_shape_mismatch_names_parameter_and_shapes():
    source = nn.Linear(3, 2)
    opt = optim.Adam(source.named_parameters())
    source(mt.ones(1, 3)).sum().backward()
    opt.step()
    target = nn.Module()
    target.weight = nn.Parameter(mt.zeros(3, 2))
    target.bias = nn.Parameter(mt.zeros(2))
    other = optim.Adam(target.named_parameters())
    with pytest.raises(optim.OptimizerStateError) as err:
        other.load_state_dict(opt.state_dict())
    message = str(err.value)
    assert "parameter 'weight': saved exp_avg has shape (2, 3), the parameter has shape (3, 2)" \
        in message
    assert "exp_avg_sq" in message  # every problem, not just the first
    assert other.state == {}


def test_load_state_dict_other_problems():
    model = nn.Linear(2, 2)
    adam = optim.Adam(model.named_parameters())
    sgd = optim.SGD(model.named_parameters(), lr=0.1)
    with pytest.raises(optim.OptimizerStateError, match="options differ"):
        sgd.load_state_dict(adam.state_dict())
    renamed = optim.Adam(model.parameters())
    names = r"missing \['0', '1'\], unexpected \['weight', 'bias'\]"
    with pytest.raises(optim.OptimizerStateError, match=names):
        renamed.load_state_dict(adam.state_dict())
    state = adam.state_dict()
    state["state"]["weight"] = {"step": 1}
    with pytest.raises(optim.OptimizerStateError, match="missing keys \\['exp_avg'"):
        adam.load_state_dict(state)


def test_state_follows_the_model_to_another_dtype():
    model = nn.Linear(2, 1)
    opt = optim.Adam(model.named_parameters(), lr=0.01)
    model(mt.ones(1, 2)).sum().backward()
    opt.step()
    model.to(mt.float64)
    model.zero_grad()
    model(mt.ones(1, 2, dtype=mt.float64)).sum().backward()
    opt.step()
    assert opt.state["weight"]["exp_avg"].dtype is mt.float64


def test_closure_is_evaluated_with_gradients():
    p = param()
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert abs(loss.item() - float((P0**2).sum())) < 1e-12
    assert_close(p, P0 - 0.1 * 2 * P0)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="learning rate"):
        optim.SGD([param()], lr=-1)
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([param()], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam([param()], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    p = param()
    with pytest.raises(ValueError, match="given twice"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(TypeError, match="not a Tensor"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="wrap one in a list"):
        optim.SGD(p, lr=0.1)


def test_repr():
    text = repr(optim.SGD([param()], lr=0.5))
    assert text.startswith("SGD (\nParameter Group 0 (1 parameters)\n    lr: 0.5")


@pytest.mark.needs_backend("numba")
def test_updates_run_on_the_backend_of_the_parameters():
    p = nn.Parameter(mt.tensor(P0, backend="numba"))
    opt = optim.Adam([p], lr=0.01, weight_decay=0.1)
    p.grad = mt.tensor(G1, backend="numba")
    opt.step()
    assert p.backend.name == "numba" and opt.state["0"]["exp_avg"].backend.name == "numba"
    expected = adam_numpy(P0, [G1], 0.01, 0.9, 0.999, 1e-8, 0.1)[0]
    assert_close(p, expected)


@pytest.mark.needs_backend("numba")
def test_optimizer_follows_a_model_moved_to_another_backend():
    mt.manual_seed(0)
    model = nn.Linear(3, 2, backend="python")
    opt = optim.Adam(model.named_parameters(), lr=0.1)
    x = mt.ones(4, 3, backend="python")
    model(x).sum().backward()
    opt.step()  # Adam state now lives on python
    model.to("numba")
    opt.zero_grad()
    model(x.to("numba")).sum().backward()
    opt.step()
    assert model.weight.backend.name == "numba"
    assert all(t.backend.name == "numba" for s in opt.state.values() for t in s.values()
               if isinstance(t, mt.Tensor))


@pytest.mark.needs_backend("numba")
def test_load_state_dict_across_backends():
    source = nn.Linear(3, 2, backend="python")
    target = nn.Linear(3, 2).to("numba")
    target.load_state_dict(source.state_dict())
    assert target.weight.backend.name == "numba"
    np.testing.assert_array_equal(target.weight.numpy(), source.weight.numpy())
