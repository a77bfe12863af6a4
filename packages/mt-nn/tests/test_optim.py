"""Optimizers: each update against hand-computed numbers, groups, state dicts
(test_optim_torch.py runs the same optimizers against torch.optim)."""

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
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum"):
        optim.SGD([param()], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.Adam([param()], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam([param()], betas=(0.9,))
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


# -- RMSprop, Adagrad, AMSGrad, maximize: PyTorch's formulas by hand ---------------------
def rmsprop_numpy(p, grads, lr=0.01, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0,
                  centered=False):
    v = a = b = 0.0
    out = []
    for g in grads:
        g = g + wd * p
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            a = a + (1 - alpha) * (g - a)
            denom = np.sqrt(v - a * a) + eps
        else:
            denom = np.sqrt(v) + eps
        if momentum:
            b = momentum * b + g / denom
            p = p - lr * b
        else:
            p = p - lr * g / denom
        out.append(p)
    return out


def test_rmsprop_first_step_divides_by_the_root_mean_square():
    p = param()
    (p1,) = run(optim.RMSprop([p]), p, [G1])
    # v = 0.01 g^2, so the step is lr * g / (0.1 |g| + eps): ten times lr, signed.
    assert_close(p1, P0 - 0.01 * G1 / (0.1 * np.abs(G1) + 1e-8))
    assert_close(p1, P0 - 0.1 * np.sign(G1), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"momentum": 0.9}, {"centered": True}, {"momentum": 0.5, "centered": True, "wd": 0.1},
    {"alpha": 0.8, "eps": 1e-3, "lr": 0.1},
])
def test_rmsprop_two_steps(kwargs):
    p = param()
    options = {("weight_decay" if k == "wd" else k): v for k, v in kwargs.items()}
    got = run(optim.RMSprop([p], **options), p, [G1, G2])
    for a, b in zip(got, rmsprop_numpy(P0, [G1, G2], **kwargs), strict=True):
        assert_close(a, b)


def test_rmsprop_centered_first_step_by_hand():
    p = param()
    (p1,) = run(optim.RMSprop([p], lr=0.01, alpha=0.9, eps=0.0, centered=True), p, [G1])
    # v = 0.1 g^2, a = 0.1 g: v - a^2 = 0.09 g^2, so the step is lr * sign(g) / 0.3.
    assert_close(p1, P0 - 0.01 * np.sign(G1) / 0.3)


def test_adagrad_steps_by_hand():
    p = param()
    opt = optim.Adagrad([p], lr=0.1, lr_decay=0.5, initial_accumulator_value=1.0, eps=0.0)
    p1, p2 = run(opt, p, [G1, G2])
    s1 = 1.0 + G1**2
    assert_close(p1, P0 - 0.1 * G1 / np.sqrt(s1))
    s2 = s1 + G2**2
    assert_close(p2, p1 - 0.1 / (1 + 0.5) * G2 / np.sqrt(s2))  # lr / (1 + (t - 1) lr_decay)
    assert opt.state["0"]["step"] == 2
    assert_close(opt.state["0"]["sum"], s2)


def test_adagrad_first_step_is_lr_times_the_sign():
    p = param()
    (p1,) = run(optim.Adagrad([p], lr=0.1, weight_decay=0.1), p, [G1])
    g = G1 + 0.1 * P0
    assert_close(p1, P0 - 0.1 * g / (np.abs(g) + 1e-10))


def test_adagrad_state_exists_before_the_first_step():
    a, b = param(), param()
    opt = optim.Adagrad([a], initial_accumulator_value=0.25)
    opt.add_param_group({"params": [b]})
    state = opt.state_dict()["state"]
    assert sorted(state) == ["0", "1"] and state["1"]["step"] == 0
    assert_close(state["0"]["sum"], np.full(3, 0.25))


def test_amsgrad_divides_by_the_largest_second_moment():
    p = param()
    b1, b2, lr = 0.5, 0.5, 0.1
    p1, p2 = run(optim.Adam([p], lr=lr, betas=(b1, b2), eps=0.0, amsgrad=True), p, [G1, G2])
    assert_close(p1, P0 - lr * np.sign(G1))  # the first step is Adam's
    m = b1 * (1 - b1) * G1 + (1 - b1) * G2
    v1 = (1 - b2) * G1**2
    v = b2 * v1 + (1 - b2) * G2**2
    v_max = np.maximum(v1, v)
    assert_close(p2, p1 - lr / (1 - b1**2) * m / (np.sqrt(v_max) / np.sqrt(1 - b2**2)))
    assert not np.allclose(v_max, v)  # G2 is smaller here: the maximum mattered
    plain = param()
    assert not np.allclose(run(optim.Adam([plain], lr=lr, betas=(b1, b2), eps=0.0), plain,
                               [G1, G2])[1], p2)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad"])
def test_maximize_steps_along_the_gradient(name):
    up, down = param(), param()
    kwargs = {"amsgrad": True} if name.startswith("Adam") else {}
    a = run(getattr(optim, name)([up], lr=0.01, maximize=True, **kwargs), up, [G1, G2])
    b = run(getattr(optim, name)([down], lr=0.01, **kwargs), down, [-G1, -G2])
    for x, y in zip(a, b, strict=True):
        assert_close(x, y)
    assert np.all(np.sign(a[0] - P0) == np.sign(G1))


def test_adam_takes_amsgrad_positionally_as_torch():
    opt = optim.AdamW([param()], 1e-3, (0.9, 0.999), 1e-8, 0.01, True)
    assert opt.defaults["amsgrad"] and not opt.defaults["maximize"]
    with pytest.raises(TypeError):
        optim.Adam([param()], 1e-3, (0.9, 0.999), 1e-8, 0.0, False, True)  # maximize: keyword


@pytest.mark.parametrize("make", [
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.9, centered=True, weight_decay=0.01),
    lambda ps: optim.RMSprop(ps, lr=0.01),
    lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.1),
    lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.01, amsgrad=True, maximize=True),
])
def test_state_dict_mid_run_continues_identically(make):
    grads = [G1, G2, G1 * 0.5, G2 * 0.1, G1 * 0.01]
    p = param()
    straight = run(make([p]), p, grads)
    p = param()
    first = make([p])
    run(first, p, grads[:2])
    q = param(p.numpy())
    resumed = make([q])
    resumed.load_state_dict(first.state_dict())
    for a, b in zip(straight[2:], run(resumed, q, grads[2:]), strict=True):
        np.testing.assert_array_equal(a, b)


def test_state_dict_checks_the_fields_each_option_needs():
    p = param()
    ams = optim.Adam([p], amsgrad=True)
    run(ams, p, [G1])
    state = ams.state_dict()
    del state["state"]["0"]["max_exp_avg_sq"]
    with pytest.raises(optim.OptimizerStateError, match=r"missing keys \['max_exp_avg_sq'\]"):
        ams.load_state_dict(state)
    # A centered RMSprop state loads into a plain one: the saved options come along.
    centered = optim.RMSprop([p], centered=True, momentum=0.9)
    run(centered, p, [G1])
    plain = optim.RMSprop([param()])
    plain.load_state_dict(centered.state_dict())
    assert plain.param_groups[0]["centered"] and "grad_avg" in plain.state["0"]
    state = centered.state_dict()
    del state["state"]["0"]["momentum_buffer"]
    with pytest.raises(optim.OptimizerStateError, match=r"missing keys \['momentum_buffer'\]"):
        plain.load_state_dict(state)


def test_adam_states_saved_before_amsgrad_existed_still_load():
    p = param()
    opt = optim.Adam([p], lr=0.01)
    run(opt, p, [G1])
    old = opt.state_dict()
    for group in old["param_groups"]:
        del group["amsgrad"], group["maximize"]
    fresh = optim.Adam([param()], lr=0.5, amsgrad=True)
    fresh.load_state_dict(old)
    assert fresh.param_groups[0]["lr"] == 0.01 and fresh.param_groups[0]["amsgrad"] is False


def test_new_optimizers_reject_bad_hyperparameters():
    cases = [
        (lambda: optim.RMSprop([param()], lr=-0.1), "RMSprop: Invalid learning rate: -0.1"),
        (lambda: optim.RMSprop([param()], alpha=-0.5), "Invalid alpha value: -0.5"),
        (lambda: optim.RMSprop([param()], momentum=-1.0), "Invalid momentum value: -1.0"),
        (lambda: optim.RMSprop([param()], weight_decay=-1.0), "Invalid weight_decay value"),
        (lambda: optim.RMSprop([param()], eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda: optim.Adagrad([param()], lr=-1.0), "Adagrad: Invalid learning rate: -1.0"),
        (lambda: optim.Adagrad([param()], lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
        (lambda: optim.Adagrad([param()], initial_accumulator_value=-1.0),
         "Invalid initial_accumulator_value value: -1.0"),
        (lambda: optim.Adagrad([param()], eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda: optim.Adam([param()], betas=(-0.1, 0.9)), "Invalid beta parameter at index 0"),
        (lambda: optim.AdamW([param()], weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        (lambda: optim.RMSprop([{"params": [param()], "alpha": -1.0}]), "Invalid alpha value"),
    ]
    for make, message in cases:
        with pytest.raises(ValueError, match=message):
            make()
