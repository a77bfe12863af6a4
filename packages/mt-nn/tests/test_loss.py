"""Losses: values against their formulas, targets in every accepted form,
reductions, stability, gradients, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck

LOGITS = np.array([[2.0, -1.0, 0.5, 0.0], [0.1, 0.2, 0.3, 0.4], [-3.0, 5.0, 1.0, 2.0]])
LABELS = [2, 0, 1]


def cross_entropy_numpy(logits, labels):
    shifted = logits - logits.max(1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    return -logp[np.arange(len(labels)), labels]


@pytest.mark.parametrize(
    "make", [lambda: LABELS, lambda: np.array(LABELS), lambda: mt.tensor(LABELS),
             lambda: mt.tensor(LABELS, dtype=mt.int32)],
    ids=["list", "ndarray", "int64-tensor", "int32-tensor"],
)
def test_cross_entropy_accepts_every_integer_target_form(make):
    x, target = mt.tensor(LOGITS, dtype=mt.float64), make()
    expected = cross_entropy_numpy(LOGITS, LABELS)
    assert_close(nn.CrossEntropyLoss()(x, target), expected.mean())
    assert_close(nn.CrossEntropyLoss(reduction="sum")(x, target), expected.sum())
    assert_close(nn.CrossEntropyLoss(reduction="none")(x, target), expected)


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_cross_entropy_refuses_float_class_indices_and_says_long(dtype):
    # PyTorch's rule: class indices are integers; 3.0 is not class 3 (a deliberate change)
    with pytest.raises(TypeError, match=r"int64 class indices.*float.*shape \(3,\).*\.long\(\)"):
        F.cross_entropy(mt.tensor(LOGITS), mt.tensor(LABELS, dtype=dtype))
    with pytest.raises(TypeError, match="int64 class indices"):
        F.cross_entropy(mt.tensor(LOGITS), [2.0, 0.0, 1.0])
    with pytest.raises(TypeError, match="must be floating point"):
        F.cross_entropy(mt.tensor(LOGITS), mt.zeros(3, 4, dtype=mt.int64))


def test_cross_entropy_probability_targets_and_single_sample():
    x = mt.tensor(LOGITS, dtype=mt.float64)
    probs = np.eye(4)[LABELS] * 0.9 + 0.025
    logp = np.log(np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True))
    assert_close(F.cross_entropy(x, mt.tensor(probs, dtype=mt.float64)),
                 (-(probs * logp).sum(1)).mean())
    one = F.cross_entropy(x[0], 2)
    assert one.shape == () and abs(one.item() - cross_entropy_numpy(LOGITS, LABELS)[0]) < 1e-12


def test_cross_entropy_is_stable_for_huge_logits():
    x = mt.tensor([[1000.0, 0.0, -1000.0]])
    assert np.isfinite(F.cross_entropy(x, [1]).item())
    assert abs(F.cross_entropy(x, [1]).item() - 1000.0) < 1e-3


def test_cross_entropy_gradcheck():
    gradcheck(lambda x: F.cross_entropy(x, LABELS), mt.tensor(LOGITS))
    gradcheck(lambda x: F.cross_entropy(x, LABELS, reduction="sum"), mt.tensor(LOGITS))


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [([0, 4, 1], IndexError, "Target 4 is out of bounds"),
     ([0, -1, 1], IndexError, "Target -1 is out of bounds"),
     ([0.5, 1, 2], TypeError, "int64 class indices"),
     ([0, 1], ValueError, r"Expected input batch_size \(3\) to match target batch_size \(2\)")],
)
def test_cross_entropy_bad_targets(target, error, message):
    with pytest.raises(error, match=message):
        F.cross_entropy(mt.tensor(LOGITS), target)


def test_cross_entropy_bad_options():
    x, y = mt.tensor(LOGITS), mt.tensor(LABELS)
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, y, label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"one value for each of the 4 classes, got shape \(3,\)"):
        F.cross_entropy(x, y, weight=mt.ones(3))
    with pytest.raises(ValueError, match=r"Expected target size \(2, 3\), got \(2, 5\)"):
        F.cross_entropy(mt.zeros(2, 4, 3), mt.zeros(2, 5, dtype=mt.int64))
    with pytest.raises(ValueError, match="ignore_index is not supported"):
        F.cross_entropy(x, mt.ones(3, 4) / 4, ignore_index=0)
    with pytest.raises(ValueError, match="unknown reduction 'avg'"):
        F.cross_entropy(x, y, reduction="avg")


def test_cross_entropy_label_smoothing_by_hand():
    # logits (1, 0), class 0, eps 0.1: 0.9 * -log p0 + 0.1 / 2 * (-log p0 - log p1)
    a = math.log(1 + math.exp(-1.0))  # -log p0
    b = 1.0 + a  # -log p1
    out = F.cross_entropy(mt.tensor([[1.0, 0.0]], dtype=mt.float64), mt.tensor([0]),
                          label_smoothing=0.1)
    assert abs(out.item() - (0.9 * a + 0.05 * (a + b))) < 1e-12
    assert abs(out.item() - 0.3632616875) < 1e-9
    # the same smoothing written as a probability target gives the same number
    soft = F.cross_entropy(mt.tensor([[1.0, 0.0]], dtype=mt.float64),
                           mt.tensor([[0.95, 0.05]], dtype=mt.float64))
    assert abs(soft.item() - out.item()) < 1e-12


def test_cross_entropy_weighted_mean_skips_ignored_targets():
    x = mt.tensor(LOGITS, dtype=mt.float64)
    w = mt.tensor([1.0, 2.0, 3.0, 4.0], dtype=mt.float64)
    each = cross_entropy_numpy(LOGITS, LABELS)  # labels 2, 0, 1 -> weights 3, 1, 2
    out = F.cross_entropy(x, mt.tensor([2, -100, 1]), weight=w)
    assert abs(out.item() - (3 * each[0] + 2 * each[2]) / 5) < 1e-12
    none = F.cross_entropy(x, mt.tensor([2, -100, 1]), weight=w, reduction="none")
    assert_close(none, np.array([3 * each[0], 0.0, 2 * each[2]]))
    everything_ignored = mt.tensor([-100, -100, -100])
    assert math.isnan(F.cross_entropy(x, everything_ignored).item())
    assert math.isnan(F.cross_entropy(x, everything_ignored, label_smoothing=0.2).item())
    assert F.cross_entropy(x, everything_ignored, reduction="sum").item() == 0.0


def test_cross_entropy_k_dim_equals_the_flattened_batch():
    x = mt.randn(2, 3, 4, dtype=mt.float64)
    y = mt.tensor([[0, 2, 1, -100], [2, 2, 0, 1]])
    flat_x = x.permute(0, 2, 1).reshape(8, 3)
    w = mt.tensor([0.5, 1.0, 2.0], dtype=mt.float64)
    for kw in ({}, {"weight": w, "label_smoothing": 0.3}):
        assert_close(F.cross_entropy(x, y, **kw), F.cross_entropy(flat_x, y.reshape(8), **kw).item())
        assert F.cross_entropy(x, y, reduction="none", **kw).shape == (2, 4)


def test_cross_entropy_gradchecks_with_every_option():
    w = mt.tensor([0.5, 2.0, 1.0, 3.0])
    y = mt.tensor([[1, 3], [0, -100], [2, 2]])
    for kw in ({"weight": w, "label_smoothing": 0.2}, {"reduction": "sum", "label_smoothing": 0.1},
               {"weight": w, "reduction": "none"}):
        gradcheck(lambda x, kw=kw: F.cross_entropy(x.permute(1, 0, 2), y, **kw),
                  mt.randn(4, 3, 2))  # stored (C, N, d): the input is a non-contiguous view
    probs = mt.rand(3, 4) + 0.1
    gradcheck(lambda x, p: F.cross_entropy(x, p / p.sum(1, keepdim=True), weight=w,
                                           label_smoothing=0.2), mt.randn(3, 4), probs)


def bce_numpy(x, y):
    p = 1 / (1 + np.exp(-x))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_bce_with_logits_matches_definition():
    x = np.array([[-2.0, 0.0, 3.0], [0.5, -0.5, 1.5]])
    y = np.array([[0.0, 1.0, 1.0], [0.3, 0.0, 1.0]])
    loss = nn.BCEWithLogitsLoss(reduction="none")(mt.tensor(x, dtype=mt.float64), y)
    assert_close(loss, bce_numpy(x, y))
    assert_close(F.binary_cross_entropy_with_logits(mt.tensor(x, dtype=mt.float64), y),
                 bce_numpy(x, y).mean())


def test_bce_with_logits_is_stable_for_large_logits():
    x = mt.tensor([1e4, -1e4, 80.0, -80.0], requires_grad=True)
    y = mt.tensor([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert_close(loss, np.array([1e4, 1e4, 0.0, 0.0]), atol=1e-6)
    loss.sum().backward()
    assert_close(x.grad, np.array([1.0, -1.0, 0.0, 0.0]), atol=1e-6)


def test_bce_gradient_at_zero_is_sigmoid_minus_target():
    x = mt.zeros(3, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, [0.0, 1.0, 0.25], reduction="sum").backward()
    assert_close(x.grad, np.array([0.5, -0.5, 0.25]))


def test_bce_gradcheck_input_and_target():
    gradcheck(F.binary_cross_entropy_with_logits, mt.randn(2, 3), mt.rand(2, 3))


def test_mse():
    x, y = np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 1.0])
    assert_close(nn.MSELoss()(mt.tensor(x, dtype=mt.float64), y), ((x - y) ** 2).mean())
    assert_close(F.mse_loss(mt.tensor(x, dtype=mt.float64), y, reduction="sum"), 10.0)
    gradcheck(F.mse_loss, mt.randn(2, 3), mt.randn(2, 3))


def test_shape_mismatch_and_bad_reduction():
    with pytest.raises(ValueError, match=r"input shape \(3,\) and target shape \(3, 1\)"):
        F.mse_loss(mt.zeros(3), mt.zeros(3, 1))
    with pytest.raises(ValueError, match=r"Target size \(1,\) must be the same as input size \(2,\)"):
        F.binary_cross_entropy_with_logits(mt.zeros(2), [1.0])
    for loss in (F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.binary_cross_entropy):
        with pytest.raises(ValueError, match="does not broadcast a loss's target"):
            loss(mt.zeros(3), mt.zeros(3, 1))
    with pytest.raises(ValueError, match="unknown reduction 'avg'"):
        nn.MSELoss(reduction="avg")
    assert repr(nn.CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss(reduction='sum')"


def test_cross_entropy_against_torch():
    torch = pytest.importorskip("torch")
    tx = torch.tensor(LOGITS, requires_grad=True)
    torch.nn.functional.cross_entropy(tx, torch.tensor(LABELS)).backward()
    mx = mt.tensor(LOGITS, dtype=mt.float64, requires_grad=True)
    F.cross_entropy(mx, LABELS).backward()
    assert_close(mx.grad, tx.grad.numpy())


def test_binary_cross_entropy_clamps_its_logs_at_minus_100():
    x = mt.tensor([0.0, 1.0, 0.0, 0.25], dtype=mt.float64, requires_grad=True)
    y = mt.tensor([1.0, 0.0, 0.0, 1.0], dtype=mt.float64)
    loss = F.binary_cross_entropy(x, y, reduction="none")
    assert_close(loss, np.array([100.0, 100.0, 0.0, -math.log(0.25)]))
    loss.sum().backward()
    # PyTorch's gradient (x - y) / max(x (1 - x), 1e-12): large and finite at 0 and 1
    assert_close(x.grad, np.array([-1e12, 1e12, 0.0, -4.0]), rtol=1e-7)
    assert_close(nn.loss.BCELoss(weight=mt.tensor([2.0, 1.0, 1.0, 1.0], dtype=mt.float64))(x, y),
                 (200.0 + 100.0 + math.log(4.0)) / 4)


def test_binary_cross_entropy_refuses_non_probabilities():
    with pytest.raises(ValueError, match=r"between 0 and 1 .* got values in \[-0.5, 2\]; for logits"):
        F.binary_cross_entropy(mt.tensor([-0.5, 2.0]), mt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"weight of shape \(2, 3\) does not broadcast"):
        F.binary_cross_entropy(mt.rand(3), mt.rand(3), weight=mt.ones(2, 3))


def test_binary_cross_entropy_gradcheck():
    gradcheck(lambda x, y: F.binary_cross_entropy(x.T, y), mt.rand(3, 2) * 0.8 + 0.1, mt.rand(2, 3))
    y = mt.rand(2, 3, dtype=mt.float64)
    gradcheck(lambda x: F.binary_cross_entropy(x, y, weight=mt.tensor([1.0, 2.0, 0.5]),
                                               reduction="sum"), mt.rand(2, 3) * 0.8 + 0.1)


def test_pos_weight_scales_the_positive_term_and_its_gradient_at_zero():
    # x = 0: loss = (1 + (p - 1) y) log 2, d/dx = (1 - y + p y) / 2 - p y
    x = mt.zeros(2, 3, dtype=mt.float64, requires_grad=True)
    y = mt.tensor([[1.0, 0.0, 0.5], [1.0, 1.0, 0.0]], dtype=mt.float64)
    p = mt.tensor([3.0, 2.0, 4.0], dtype=mt.float64)
    loss = nn.loss.BCEWithLogitsLoss(pos_weight=p, reduction="none")(x, y)
    log2 = math.log(2.0)
    assert_close(loss, np.array([[3 * log2, log2, 2.5 * log2], [3 * log2, 2 * log2, log2]]))
    loss.sum().backward()
    assert_close(x.grad, np.array([[-1.5, 0.5, -0.75], [-1.5, -1.0, 0.5]]))


def test_pos_weight_is_stable_and_gradchecks():
    x = mt.tensor([1e4, -1e4, 80.0, -80.0], requires_grad=True)
    y = mt.tensor([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=mt.tensor([2.0]), reduction="none")
    assert_close(loss, np.array([1e4, 2e4, 0.0, 0.0]), atol=1e-6)
    loss.sum().backward()
    assert_close(x.grad, np.array([1.0, -2.0, 0.0, 0.0]), atol=1e-6)
    for x0 in (mt.randn(2, 3), mt.zeros(2, 3)):
        gradcheck(lambda a, b, p: F.binary_cross_entropy_with_logits(a.T, b, pos_weight=p),
                  x0.T.contiguous(), mt.rand(2, 3), mt.rand(3) + 0.5)
        gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, weight=mt.tensor([[1.0], [3.0]], dtype=mt.float64), reduction="sum"),
            x0, mt.rand(2, 3))


def test_l1_smooth_l1_and_huber_by_hand():
    x = mt.tensor([0.0, 0.5, -1.0, 3.0], dtype=mt.float64, requires_grad=True)
    zero = mt.zeros(4, dtype=mt.float64)
    assert_close(F.l1_loss(x, zero, reduction="none"), np.array([0.0, 0.5, 1.0, 3.0]))
    assert_close(F.smooth_l1_loss(x, zero, reduction="none"), np.array([0.0, 0.125, 0.5, 2.5]))
    assert_close(F.smooth_l1_loss(x, zero, reduction="none", beta=0.0),
                 np.array([0.0, 0.5, 1.0, 3.0]))
    assert_close(F.huber_loss(x, zero, reduction="none", delta=2.0),
                 np.array([0.0, 0.125, 0.5, 4.0]))
    assert_close(nn.loss.HuberLoss(delta=0.5)(x, zero), (0.0 + 0.125 + 0.375 + 1.375) / 4)
    # gradients at the kinks: |d| = beta or delta is where the pieces meet with equal slope
    for loss, expected in [(lambda: F.l1_loss(x, zero, reduction="sum"), [0.0, 1.0, -1.0, 1.0]),
                           (lambda: F.smooth_l1_loss(x, zero, reduction="sum", beta=0.5),
                            [0.0, 1.0, -1.0, 1.0]),
                           (lambda: F.huber_loss(x, zero, reduction="sum", delta=1.0),
                            [0.0, 0.5, -1.0, 1.0])]:
        x.grad = None
        loss().backward()
        assert_close(x.grad, np.array(expected))


def test_weighted_regression_means():
    x, y = mt.tensor([1.0, 2.0, 4.0], dtype=mt.float64), mt.zeros(3, dtype=mt.float64)
    w = mt.tensor([1.0, 0.0, 3.0], dtype=mt.float64)
    assert_close(F.mse_loss(x, y, weight=w), (1.0 + 48.0) / 4.0)  # sum(w d^2) / sum(w)
    assert_close(F.l1_loss(x, y, weight=w), (1.0 + 12.0) / 4.0)
    assert_close(F.huber_loss(x, y, weight=w), (0.5 + 3 * 3.5) / 3.0)  # over the elements
    with pytest.raises(ValueError, match=r"weight must have the input's shape \(3,\)"):
        F.mse_loss(x, y, weight=mt.ones(1))


def test_regression_gradchecks_on_transposed_inputs():
    for loss in (F.l1_loss, F.mse_loss, lambda a, b: F.smooth_l1_loss(a, b, beta=0.7),
                 lambda a, b: F.huber_loss(a, b, delta=0.7)):
        gradcheck(lambda a, b, loss=loss: loss(a.T, b), mt.randn(3, 2) * 2, mt.randn(2, 3))


def test_regression_option_errors():
    with pytest.raises(ValueError, match="beta must be >= 0"):
        F.smooth_l1_loss(mt.zeros(2), mt.zeros(2), beta=-1.0)
    with pytest.raises(ValueError, match="delta must be positive"):
        nn.loss.HuberLoss(delta=0.0)
    with pytest.raises(ValueError, match="unknown reduction 'avg'"):
        F.huber_loss(mt.zeros(2), mt.zeros(2), reduction="avg")


def test_loss_modules_repr_and_buffers():
    w = mt.tensor([1.0, 2.0, 3.0])
    ce = nn.CrossEntropyLoss(w, ignore_index=0, label_smoothing=0.1)
    assert repr(ce) == "CrossEntropyLoss(weight=<(3,)>, ignore_index=0, label_smoothing=0.1)"
    assert list(ce.state_dict()) == ["weight"] and list(ce.parameters()) == []
    bce = nn.loss.BCEWithLogitsLoss(reduction="sum", pos_weight=w)
    assert repr(bce) == "BCEWithLogitsLoss(reduction='sum', pos_weight=<(3,)>)"
    assert repr(nn.loss.SmoothL1Loss(beta=0.5)) == "SmoothL1Loss(beta=0.5)"
    assert repr(nn.loss.HuberLoss("sum", 2.0)) == "HuberLoss(reduction='sum', delta=2.0)"
    assert repr(nn.NLLLoss()) == "NLLLoss()"
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.loss.L1Loss(size_average=False).reduction == "sum"
