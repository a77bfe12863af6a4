"""MaxPool2d / AvgPool2d: forward against numpy windows, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck


def pool_numpy(x, k, s, reduce):
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(x[:, :, i * s:i * s + k, j * s:j * s + k], axis=(2, 3))
    return out


@pytest.mark.parametrize(("layer", "reduce"), [(nn.MaxPool2d, np.max), (nn.AvgPool2d, np.mean)])
def test_forward_matches_numpy(layer, reduce):
    x = mt.randn(2, 3, 6, 5, dtype=mt.float64)
    assert_close(layer(2)(x), pool_numpy(x.numpy(), 2, 2, reduce))
    out = layer(3, stride=1)(x)
    assert out.shape == (2, 3, 4, 3)  # floor((H - 3) / 1) + 1
    assert_close(out, pool_numpy(x.numpy(), 3, 1, reduce))


def test_seed_cnn_pool_shape():
    # The seed's CNN: 8 maps of 28x28, max-pooled 4x4 -> 8 * 7 * 7 = 392 features.
    assert nn.MaxPool2d(4)(mt.zeros(1, 8, 28, 28)).shape == (1, 8, 7, 7)


def test_padding():
    x = mt.randn(1, 1, 4, 4, dtype=mt.float64)
    out = nn.AvgPool2d(3, stride=1, padding=1)(x)
    padded = np.pad(x.numpy(), ((0, 0), (0, 0), (1, 1), (1, 1)))
    assert_close(out, pool_numpy(padded, 3, 1, np.mean))


def test_gradcheck_tiny():
    # Distinct values so the max of each window is unique (the gradient is then smooth).
    x = mt.tensor(np.random.default_rng(1).permutation(16).reshape(1, 1, 4, 4) / 7.0)
    gradcheck(lambda t: F.max_pool2d(t, 2), x)
    gradcheck(lambda t: F.avg_pool2d(t, 2, 1), mt.randn(1, 2, 3, 3))


def test_wrong_rank_names_the_layer():
    with pytest.raises(ValueError) as err:
        nn.MaxPool2d(2)(mt.zeros(3, 4, 4))
    assert str(err.value) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0): expected a 4-d input (N, C, H, W), "
        "got (3, 4, 4)"
    )


def test_too_small_input_names_the_layer():
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=4.*H, W at least \(4, 4\)"):
        nn.MaxPool2d(4)(mt.zeros(1, 1, 3, 8))


def test_repr():
    assert repr(nn.AvgPool2d(2, stride=1)) == "AvgPool2d(kernel_size=2, stride=1, padding=0)"
