"""minitorch.nn.functional: the functions the layers are built from."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck


def test_one_hot():
    out = F.one_hot(mt.tensor([2.0, 0.0, 1.0]), 4)
    assert out.dtype is mt.float32
    assert_close(out, np.eye(4)[[2, 0, 1]])
    assert F.one_hot([3, 1]).shape == (2, 4)  # num_classes inferred
    assert F.one_hot(np.array([1]), 3, dtype=mt.float64).dtype is mt.float64
    with pytest.raises(ValueError, match="out of range"):
        F.one_hot([5], 3)


def test_linear_shape_error_mentions_both_shapes():
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\) does not fit weight"):
        F.linear(mt.zeros(2, 3), mt.zeros(4, 5))


@pytest.mark.parametrize(
    ("fn", "reference"),
    [(F.relu, lambda a: np.maximum(a, 0)), (F.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
     (F.tanh, np.tanh)],
)
def test_activations(fn, reference):
    x = mt.randn(3, 4, dtype=mt.float64)
    assert_close(fn(x), reference(x.numpy()))


def test_softmax_and_log_softmax():
    x = mt.randn(2, 5, dtype=mt.float64)
    a = x.numpy()
    e = np.exp(a - a.max(1, keepdims=True))
    assert_close(F.softmax(x, 1), e / e.sum(1, keepdims=True))
    assert_close(F.log_softmax(x, -1), np.log(e / e.sum(1, keepdims=True)))
    gradcheck(lambda t: F.log_softmax(t, 0), mt.randn(3, 2))


def test_flatten():
    x = mt.zeros(2, 3, 4, 5)
    assert F.flatten(x).shape == (120,)
    assert F.flatten(x, 1).shape == (2, 60)
    assert F.flatten(x, 1, 2).shape == (2, 12, 5)


def test_conv_and_pool_pass_through():
    x = mt.randn(1, 1, 4, 4)
    w = mt.randn(2, 1, 3, 3)
    assert F.conv2d(x, w, padding="same").shape == (1, 2, 4, 4)
    assert F.conv1d(mt.randn(1, 1, 6), mt.randn(1, 1, 3), stride=2).shape == (1, 1, 2)
    assert F.max_pool2d(x, 2).shape == (1, 1, 2, 2)
    assert F.avg_pool2d(x, 2, stride=1).shape == (1, 1, 3, 3)


def test_dropout_respects_training_flag():
    x = mt.ones(4, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert (F.dropout(x, 0.5).numpy() == 0).any()
