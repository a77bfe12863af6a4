"""nn.utils.clip_grad_norm_ / clip_grad_value_: the stated formulas, and PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.tensor as mt
from minitorch.nn.utils import clip_grad_norm_, clip_grad_value_


def with_grads(*grads, dtype=mt.float64):
    """Parameters whose .grad are the given values (None: no gradient)."""
    params = []
    for g in grads:
        if g is None:
            params.append(nn.Parameter(mt.zeros(2, dtype=dtype)))
            continue
        p = nn.Parameter(mt.zeros(*np.shape(g), dtype=dtype))
        p.grad = mt.tensor(g, dtype=dtype)
        params.append(p)
    return params


GRADS = ([3.0, -4.0], [[0.0, 12.0]])  # norms 5 and 12: 2-norm 13, 1-norm 19, inf-norm 12


@pytest.mark.parametrize("norm_type,total", [(2.0, 13.0), (1, 19.0), (math.inf, 12.0),
                                             ("inf", 12.0), (3.0, (27 + 64 + 1728) ** (1 / 3))])
def test_clip_grad_norm_scales_by_max_norm_over_the_total_norm(norm_type, total):
    params = with_grads(*GRADS)
    out = clip_grad_norm_(params, max_norm=2.0, norm_type=norm_type)
    assert out.shape == () and out.dtype is mt.float64
    assert out.item() == pytest.approx(total, rel=1e-12)
    scale = 2.0 / (total + 1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), np.array(GRADS[0]) * scale, rtol=1e-12)
    np.testing.assert_allclose(params[1].grad.numpy(), np.array(GRADS[1]) * scale, rtol=1e-12)


def test_a_norm_under_max_norm_leaves_the_gradients_as_they_are():
    # min(1, 100 / 13) == 1.
    params = with_grads(*GRADS)
    assert clip_grad_norm_(params, 100.0).item() == pytest.approx(13.0)
    np.testing.assert_array_equal(params[0].grad.numpy(), GRADS[0])
    np.testing.assert_array_equal(params[1].grad.numpy(), GRADS[1])


def test_parameters_without_grad_are_skipped_and_a_single_tensor_is_accepted():
    params = with_grads(None, GRADS[0])
    assert clip_grad_norm_(iter(params), 1.0).item() == pytest.approx(5.0)
    assert params[0].grad is None
    np.testing.assert_allclose(params[1].grad.numpy(), np.array(GRADS[0]) / (5 + 1e-6))
    (single,) = with_grads(GRADS[1])
    assert clip_grad_norm_(single, 6.0).item() == pytest.approx(12.0)
    np.testing.assert_allclose(single.grad.numpy(), np.array(GRADS[1]) * 6 / (12 + 1e-6))


def test_no_gradients_at_all_give_a_zero_norm():
    out = clip_grad_norm_(with_grads(None, None), 1.0)
    assert out.shape == () and out.item() == 0.0 and out.dtype is mt.float32


def test_a_non_finite_norm_raises_only_when_asked_and_changes_nothing():
    params = with_grads([1.0, math.inf], [2.0])
    with pytest.raises(RuntimeError, match="non-finite|inf"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[0].grad.numpy(), [1.0, math.inf])
    np.testing.assert_array_equal(params[1].grad.numpy(), [2.0])


def test_a_non_contiguous_gradient_is_clipped_in_place():
    (p,) = with_grads(np.zeros((3, 2)))
    values = np.array([[1.0, 2.0, 2.0], [0.0, 0.0, 4.0]])  # 2-norm 5
    p.grad = mt.tensor(values).transpose(0, 1)
    grad = p.grad
    clip_grad_norm_([p], 1.0)
    assert p.grad is grad
    np.testing.assert_allclose(p.grad.numpy(), values.T / (5 + 1e-6))


def test_clip_grad_value_clamps_each_element_in_place():
    params = with_grads([3.0, -4.0, 0.5], None)
    grad = params[0].grad
    assert clip_grad_value_(params, 1.0) is None
    assert params[0].grad is grad and params[1].grad is None
    np.testing.assert_array_equal(grad.numpy(), [1.0, -1.0, 0.5])


def test_bad_parameters_are_a_type_error():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="named_parameters"):
        clip_grad_norm_(model.named_parameters(), 1.0)
    with pytest.raises(TypeError, match="item 1 is a int"):
        clip_grad_value_([model.weight, 3], 1.0)


# -- against PyTorch ----------------------------------------------------------------------
def grads_for_torch(torch, arrays):
    params = []
    for a in arrays:
        p = torch.zeros(a.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.from_numpy(a.copy())
        params.append(p)
    return params


ARRAYS = [np.array([[0.5, -1.5, 2.0], [0.25, 3.0, -0.75]]), np.array([-2.5, 0.0, 1.0])]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 0.5, 3.0, math.inf, -math.inf, 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    reference = grads_for_torch(torch, ARRAYS)
    expected = torch.nn.utils.clip_grad_norm_(reference, max_norm, norm_type=norm_type)
    params = with_grads(*ARRAYS)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for p, r in zip(params, reference, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), r.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_a_non_finite_norm_scales_as_torch_does_when_not_refused():
    # total = inf, scale = max_norm / inf = 0: the inf element becomes nan, the others 0.
    torch = pytest.importorskip("torch")
    arrays = [np.array([1.0, math.inf]), np.array([2.0])]
    reference = grads_for_torch(torch, arrays)
    expected = torch.nn.utils.clip_grad_norm_(reference, 1.0)
    params = with_grads(*arrays)
    assert clip_grad_norm_(params, 1.0).item() == expected.item() == math.inf
    for p, r in zip(params, reference, strict=True):
        np.testing.assert_array_equal(p.grad.numpy(), r.grad.numpy())
    np.testing.assert_array_equal(params[0].grad.numpy(), [0.0, math.nan])


@pytest.mark.parametrize("clip_value", [0.6, 2.5, -1.0])
def test_clip_grad_value_matches_torch(clip_value):
    torch = pytest.importorskip("torch")
    reference = grads_for_torch(torch, ARRAYS)
    torch.nn.utils.clip_grad_value_(reference, clip_value)
    params = with_grads(*ARRAYS)
    clip_grad_value_(params, clip_value)
    for p, r in zip(params, reference, strict=True):
        np.testing.assert_array_equal(p.grad.numpy(), r.grad.numpy())


def test_clipping_between_backward_and_step_trains_a_model():
    model = nn.Linear(3, 2)
    x, target = mt.randn(4, 3), mt.tensor([0, 1, 1, 0])
    nn.functional.cross_entropy(model(x), target).backward()
    before = clip_grad_norm_(model.parameters(), 0.01)
    after = clip_grad_norm_(model.parameters(), 1e9)
    assert before.item() > 0.01 and after.item() == pytest.approx(0.01, rel=1e-4)
