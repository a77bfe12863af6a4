"""minitorch.nn.functional: the functions the layers are built from."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck


def test_one_hot_is_torch_strict():
    out = F.one_hot(mt.tensor([2, 0, 1]), 4)
    assert out.dtype is mt.int64 and out.backend is mt.tensor([0]).backend
    assert_close(out, np.eye(4, dtype=np.int64)[[2, 0, 1]])
    assert F.one_hot(mt.tensor([3, 1])).shape == (2, 4)  # num_classes inferred
    assert F.one_hot(mt.tensor([[0, 1], [1, 1]], dtype=mt.int32), 3).shape == (2, 2, 3)
    assert F.one_hot(mt.tensor(2), 3).tolist() == [0, 0, 1]
    assert F.one_hot(mt.zeros(0, dtype=mt.int64), 3).shape == (0, 3)
    assert F.one_hot(mt.tensor([1, 0]), 2).to(mt.float32).dtype is mt.float32  # a float target
    with pytest.raises(TypeError, match=r"one_hot: expected an int64 tensor .* float32; .*\.long\(\)"):
        F.one_hot(mt.tensor([2.0, 0.0]), 3)
    with pytest.raises(TypeError, match="one_hot: expected an int64 Tensor"):
        F.one_hot([1, 2], 3)
    with pytest.raises(ValueError, match="class value 5 is out of range"):
        F.one_hot(mt.tensor([5]), 3)
    with pytest.raises(ValueError, match="must be non-negative, got -1"):
        F.one_hot(mt.tensor([1, -1]), 3)
    with pytest.raises(ValueError, match="empty tensor"):
        F.one_hot(mt.zeros(0, dtype=mt.int64))


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
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)


def test_dropout_in_place_writes_the_input():
    x = mt.ones(6, 6)
    mt.manual_seed(1)
    expected = F.dropout(x, 0.5).numpy()
    mt.manual_seed(1)
    assert F.dropout(x, 0.5, inplace=True) is x
    assert_close(x, expected)
    y = mt.ones(3)
    assert F.dropout(y, 1.0, inplace=True) is y and y.tolist() == [0.0, 0.0, 0.0]
    leaf = mt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.dropout(leaf, 0.5, inplace=True)
    # on a non-leaf the write is recorded: the gradient flows through the mask
    w = mt.ones(5, 5, requires_grad=True)
    mt.manual_seed(2)
    out = F.dropout(w * 1.0, 0.4, inplace=True)
    out.sum().backward()
    assert_close(w.grad, out.detach().numpy())  # 1 / 0.6 where kept, 0 where dropped


def test_relu_in_place():
    x = mt.tensor([-1.0, 0.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 0.0, 2.0]
    leaf = mt.tensor([-1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(leaf, inplace=True)
    mid = leaf * 3.0
    F.relu(mid, inplace=True).sum().backward()
    assert_close(leaf.grad, np.array([0.0, 3.0]))


@pytest.mark.parametrize(("shape", "dim"), [((), 0), ((4,), 0), ((2, 3), 1), ((2, 3, 4), 0),
                                            ((2, 3, 2, 2), 1)])
def test_softmax_without_dim_warns_and_uses_the_legacy_choice(shape, dim):
    x = mt.randn(*shape, dtype=mt.float64)
    for fn in (F.softmax, F.log_softmax):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn.__name__}"):
            implicit = fn(x)
        assert_close(implicit, fn(x, dim).numpy())


def test_softmax_dtype_casts_before_computing():
    x = mt.tensor([[1.0, 2.0]])
    assert F.softmax(x, 1, dtype=mt.float64).dtype is mt.float64
    assert F.log_softmax(x, dim=-1, dtype=mt.float64).dtype is mt.float64
