"""Dropout, Dropout1d, Dropout2d: inverted scaling, evaluation identity, seeded masks,
whole-channel masks, in place, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.nn.dropout import Dropout1d, Dropout2d, dropout1d, dropout2d
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


# -- in place and channel dropout --------------------------------------------------------
def test_inplace_dropout_uses_the_same_mask_and_returns_the_input():
    mt.manual_seed(5)
    expected = F.dropout(mt.ones(6, 7), 0.4).numpy()
    mt.manual_seed(5)
    x = mt.ones(6, 7)
    assert nn.Dropout(0.4, inplace=True)(x) is x
    np.testing.assert_array_equal(x.numpy(), expected)


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    mt.manual_seed(0)
    out = Dropout2d(0.5)(mt.ones(8, 16, 3, 2)).numpy()
    per_channel = out.reshape(8, 16, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # a channel is all kept or all not
    assert set(np.unique(out).tolist()) == {0.0, 2.0}
    assert abs((per_channel[..., 0] != 0).mean() - 0.5) < 0.15  # 128 channel draws


def test_dropout2d_masks_follow_manual_seed_and_eval_is_identity():
    mt.manual_seed(11)
    a = dropout2d(mt.ones(2, 5, 2, 2), 0.3).numpy()
    mt.manual_seed(11)
    np.testing.assert_array_equal(dropout2d(mt.ones(2, 5, 2, 2), 0.3).numpy(), a)
    x = mt.randn(2, 3, 4, 4)
    assert Dropout2d(0.5).eval()(x) is x
    assert dropout2d(x, 0.0) is x
    assert np.all(dropout2d(x, 1.0).numpy() == 0)


def test_dropout2d_inplace_and_gradient():
    x = mt.ones(2, 3, 2, 2)
    assert dropout2d(x, 0.5, inplace=True) is x

    def f(t):
        mt.manual_seed(3)  # the same mask on every evaluation
        return dropout2d(t.transpose(2, 3), 0.25)

    gradcheck(f, mt.randn(2, 3, 2, 3))


def test_dropout2d_on_3d_input_is_channelwise_1d_as_pytorch():
    mt.manual_seed(2)
    with pytest.warns(UserWarning, match=r"\(N, C, L\)"):
        out = dropout2d(mt.ones(4, 6, 5), 0.5).numpy()
    assert np.all(out.min(-1) == out.max(-1))


def test_dropout1d_shapes():
    mt.manual_seed(4)
    out = Dropout1d(0.5)(mt.ones(12, 7)).numpy()  # (C, L): one draw per channel
    assert np.all(out.min(-1) == out.max(-1)) and out.shape == (12, 7)
    with pytest.raises(RuntimeError, match="dropout1d"):
        dropout1d(mt.ones(2, 3, 4, 5))


def test_channel_dropout_errors_and_repr():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 2"):
        Dropout2d(2)
    with pytest.raises(ValueError, match="but got -0.5"):
        dropout2d(mt.ones(1, 1, 2, 2), -0.5)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        dropout2d(mt.ones(3), 0.5)
    with pytest.warns(UserWarning, match="3-d or 4-d"):
        dropout2d(mt.ones(2, 2), 0.5)
    assert repr(Dropout2d()) == "Dropout2d(p=0.5)"
    assert repr(Dropout2d(0.1, inplace=True)) == "Dropout2d(p=0.1, inplace=True)"
    assert repr(nn.Dropout(0.3, inplace=True)) == "Dropout(p=0.3, inplace=True)"


def test_dropout2d_mask_statistics_match_torch():
    torch = pytest.importorskip("torch")
    # Different generators, so compare what PyTorch states: whole channels, 1 / (1 - p).
    out = torch.nn.functional.dropout2d(torch.ones(4, 8, 3, 3), 0.25).numpy()
    ours = dropout2d(mt.ones(4, 8, 3, 3), 0.25).numpy()
    assert set(np.unique(out).tolist()) <= {0.0, np.float32(4 / 3)}
    assert set(np.unique(ours).tolist()) <= {0.0, np.float32(4 / 3)}
    with pytest.raises(ValueError) as theirs:
        torch.nn.Dropout2d(1.5)
    with pytest.raises(ValueError) as mine:
        Dropout2d(1.5)
    assert str(theirs.value) in str(mine.value)
