"""MaxPool2d / AvgPool2d and the adaptive pools: forward against numpy windows and bins,
gradients, errors, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.nn.pooling import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
)
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


# -- adaptive pooling --------------------------------------------------------------------
def adaptive_numpy(x, out, reduce):
    """The definition: bin i spans [floor(i * H / out), ceil((i + 1) * H / out))."""
    h, w = x.shape[-2:]
    result = np.zeros(x.shape[:-2] + out)
    for i in range(out[0]):
        for j in range(out[1]):
            rows = slice(i * h // out[0], -(-(i + 1) * h // out[0]))
            cols = slice(j * w // out[1], -(-(j + 1) * w // out[1]))
            result[..., i, j] = reduce(x[..., rows, cols], axis=(-2, -1))
    return result


@pytest.mark.parametrize("out", [(1, 1), (2, 3), (3, 4), (7, 10), (4, 5), (9, 13)])
@pytest.mark.parametrize(("fn", "reduce"), [(adaptive_avg_pool2d, np.mean),
                                            (adaptive_max_pool2d, np.max)])
def test_adaptive_pools_match_the_bin_definition(fn, reduce, out):
    x = mt.randn(2, 3, 7, 10, dtype=mt.float64)
    assert_close(fn(x, out), adaptive_numpy(x.numpy(), out, reduce))


def test_adaptive_avg_hand_values():
    # W = 10 into 4 bins: [0, 3), [2, 5), [5, 8), [7, 10) -> means 1, 3, 6, 8.
    x = mt.arange(10, dtype=mt.float64).reshape(1, 1, 1, 10)
    assert_close(adaptive_avg_pool2d(x, (1, 4)), np.array([[[[1.0, 3.0, 6.0, 8.0]]]]))
    assert_close(adaptive_max_pool2d(x, (1, 4)), np.array([[[[2.0, 4.0, 7.0, 9.0]]]]))


def test_adaptive_output_size_forms_and_3d_input():
    x = mt.randn(3, 6, 8)
    assert AdaptiveAvgPool2d(2)(x).shape == (3, 2, 2)
    assert AdaptiveAvgPool2d((None, 3))(x).shape == (3, 6, 3)
    assert AdaptiveMaxPool2d((4, None))(x.unsqueeze(0)).shape == (1, 3, 4, 8)
    assert adaptive_avg_pool2d(x, (0, 2)).shape == (3, 0, 2)
    assert_close(AdaptiveAvgPool2d(1)(x), x.numpy().mean(axis=(1, 2), keepdims=True), atol=1e-6)


@pytest.mark.parametrize("out", [(2, 2), (3, 4)])  # divisible (avg_pool2d) and general paths
def test_adaptive_gradcheck_non_contiguous(out):
    x = mt.tensor(np.random.default_rng(2).permutation(2 * 5 * 6).reshape(2, 6, 5) / 9.0)
    gradcheck(lambda t: adaptive_avg_pool2d(t.transpose(1, 2), out), x)
    gradcheck(lambda t: adaptive_max_pool2d(t.transpose(1, 2), out), x)


def test_adaptive_max_gradient_goes_to_the_first_maximum_row_major():
    x = mt.tensor([[[[1.0, 5.0], [5.0, 1.0]]]], dtype=mt.float64, requires_grad=True)
    adaptive_max_pool2d(x, (1, 1)).sum().backward()
    assert_close(x.grad, np.array([[[[0.0, 1.0], [0.0, 0.0]]]]))
    y = mt.tensor([[[[1.0, 5.0, 0.0], [5.0, 1.0, 0.0]]]], dtype=mt.float64, requires_grad=True)
    adaptive_max_pool2d(y, (1, 2)).sum().backward()  # bins of W = 3: [0, 2), [1, 3)
    assert_close(y.grad, np.array([[[[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]]]))


def test_adaptive_errors_and_repr():
    with pytest.raises(ValueError, match=r"3-d \(C, H, W\) or 4-d"):
        adaptive_avg_pool2d(mt.zeros(5, 5), 2)
    with pytest.raises(ValueError, match="output_size must be an int or a pair"):
        adaptive_avg_pool2d(mt.zeros(1, 5, 5), (2, 2, 2))
    with pytest.raises(ValueError, match=">= 0"):
        adaptive_max_pool2d(mt.zeros(1, 5, 5), -1)
    with pytest.raises(NotImplementedError, match="return_indices"):
        AdaptiveMaxPool2d(2, return_indices=True)
    assert repr(AdaptiveAvgPool2d((3, None))) == "AdaptiveAvgPool2d(output_size=(3, None))"
    assert repr(AdaptiveMaxPool2d(2)) == "AdaptiveMaxPool2d(output_size=2)"


@pytest.mark.parametrize("out", [(3, 4), (2, 5), (1, 1), (5, None), (14, 20)])
def test_adaptive_against_torch(out):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).standard_normal((2, 3, 10, 7))
    for ours, theirs in [(adaptive_avg_pool2d, torch.nn.functional.adaptive_avg_pool2d),
                         (adaptive_max_pool2d, torch.nn.functional.adaptive_max_pool2d)]:
        x = mt.tensor(data, dtype=mt.float64, requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
        y, ty = ours(x.transpose(2, 3), out), theirs(tx.transpose(2, 3), out)
        assert_close(y, ty.detach().numpy())
        g = np.random.default_rng(4).standard_normal(ty.shape)
        y.backward(mt.tensor(g, dtype=mt.float64))
        ty.backward(torch.tensor(g))
        assert_close(x.grad, tx.grad.numpy())
