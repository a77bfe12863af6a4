"""Losses: values against their formulas, targets in every accepted form,
reductions, stability, gradients, errors."""

from __future__ import annotations

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
    "target", [LABELS, np.array(LABELS), mt.tensor(LABELS), mt.tensor(LABELS, dtype=mt.float64)],
    ids=["list", "ndarray", "float32-tensor", "float64-tensor"],
)
def test_cross_entropy_accepts_every_target_form(target):
    x = mt.tensor(LOGITS, dtype=mt.float64)
    expected = cross_entropy_numpy(LOGITS, LABELS)
    assert_close(nn.CrossEntropyLoss()(x, target), expected.mean())
    assert_close(nn.CrossEntropyLoss(reduction="sum")(x, target), expected.sum())
    assert_close(nn.CrossEntropyLoss(reduction="none")(x, target), expected)


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
    ("target", "message"),
    [([0, 4, 1], "class index 4 is out of range for 4 classes"),
     ([0, -1, 1], "class index -1 is out of range"),
     ([0.5, 1, 2], "whole numbers"),
     ([0, 1], r"expected 3 class indices \(shape \(3,\)\), got shape \(2,\)")],
)
def test_cross_entropy_bad_targets(target, message):
    with pytest.raises(ValueError, match=message):
        F.cross_entropy(mt.tensor(LOGITS), target)


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
    assert_close(F.mse_loss(mt.tensor(x, dtype=mt.float64), y, "sum"), 10.0)
    gradcheck(F.mse_loss, mt.randn(2, 3), mt.randn(2, 3))


def test_shape_mismatch_and_bad_reduction():
    with pytest.raises(ValueError, match=r"input shape \(3,\) and target shape \(3, 1\)"):
        F.mse_loss(mt.zeros(3), mt.zeros(3, 1))
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits: input shape"):
        F.binary_cross_entropy_with_logits(mt.zeros(2), [1.0])
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
