"""Dropout: inverted scaling, evaluation identity, seeded masks, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.tensor.testing import gradcheck


def test_kept_units_are_scaled_by_one_over_keep_probability():
    out = nn.Dropout(0.25)(mt.ones(40, 50)).numpy()
    values = set(np.unique(out).tolist())
    assert values <= {0.0, np.float32(4 / 3)}
    kept = (out != 0).mean()
    assert abs(kept - 0.75) < 0.03  # 2000 Bernoulli draws


def test_expectation_is_preserved():
    out = F.dropout(mt.full((100, 100), 2.0), 0.5).numpy()
    assert abs(out.mean() - 2.0) < 0.1


def test_eval_mode_and_p_zero_are_identity():
    x = mt.randn(3, 4)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.9, training=False) is x


def test_p_one_zeroes_everything():
    assert np.all(F.dropout(mt.ones(3, 3), 1.0).numpy() == 0)


def test_masks_follow_manual_seed():
    mt.manual_seed(7)
    a = nn.Dropout(0.5)(mt.ones(8, 8)).numpy()
    b = nn.Dropout(0.5)(mt.ones(8, 8)).numpy()
    mt.manual_seed(7)
    np.testing.assert_array_equal(nn.Dropout(0.5)(mt.ones(8, 8)).numpy(), a)
    assert not np.array_equal(a, b)


def test_gradient_is_the_scaled_mask():
    def f(x):
        mt.manual_seed(3)  # the same mask on every evaluation
        return F.dropout(x, 0.25)

    gradcheck(f, mt.randn(3, 4))


def test_invalid_probability():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="probability"):
        F.dropout(mt.ones(2), -0.1)


def test_repr():
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"
