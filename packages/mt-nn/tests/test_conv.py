"""Conv1d / Conv2d: forward against a numpy reference, gradients, init, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck


def conv2d_numpy(x, w, b, stride, padding):
    """Cross-correlation by explicit windows (the definition, not an algorithm)."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride[0] + 1, (wd - kw) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w)
    return out + b.reshape(1, -1, 1, 1)


@pytest.mark.parametrize(
    ("stride", "padding", "expected_hw"),
    [(1, 0, (3, 4)), (2, 1, (3, 3)), ((1, 2), (1, 0), (5, 2)), (1, "same", (5, 6))],
)
def test_conv2d_forward_and_output_size(stride, padding, expected_hw):
    layer = nn.Conv2d(2, 3, 3, stride=stride, padding=padding, dtype=mt.float64)
    x = mt.randn(2, 2, 5, 6, dtype=mt.float64)
    out = layer(x)
    assert out.shape == (2, 3, *expected_hw)
    s = layer.stride
    p = (1, 1) if padding == "same" else layer.padding
    assert_close(out, conv2d_numpy(x.numpy(), layer.weight.numpy(), layer.bias.numpy(), s, p))


def test_conv2d_gradcheck_tiny():
    layer = nn.Conv2d(2, 2, 3, padding=1)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, 1, 1),
              mt.randn(1, 2, 4, 4), layer.weight, layer.bias)


def test_conv2d_strided_gradcheck():
    layer = nn.Conv2d(1, 1, 2, stride=2)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, 2, 0), mt.randn(1, 1, 4, 4),
              layer.weight, layer.bias)


def test_conv1d_forward_and_gradcheck():
    layer = nn.Conv1d(2, 3, 3, stride=2, padding=1, dtype=mt.float64)
    x = mt.randn(2, 2, 7, dtype=mt.float64)
    out = layer(x)
    assert out.shape == (2, 3, 4)  # floor((7 + 2 - 3) / 2) + 1
    ref = conv2d_numpy(x.numpy()[:, :, None, :], layer.weight.numpy()[:, :, None, :],
                       layer.bias.numpy(), (1, 2), (0, 1))[:, :, 0, :]
    assert_close(out, ref)
    gradcheck(lambda x, w, b: F.conv1d(x, w, b, 1, "same"), mt.randn(1, 2, 5),
              nn.Conv1d(2, 2, 3).weight, nn.Conv1d(2, 2, 3).bias)


def test_default_init_bounds():
    layer = nn.Conv2d(4, 8, 3)
    bound = 1 / math.sqrt(4 * 3 * 3)
    assert layer.weight.shape == (8, 4, 3, 3) and layer.bias.shape == (8,)
    assert np.abs(layer.weight.numpy()).max() <= bound
    assert np.abs(layer.bias.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() > 0.8 * bound


def test_wrong_channels_names_layer_expected_and_actual():
    layer = nn.Conv2d(1, 4, 3, padding="same")
    with pytest.raises(ValueError) as err:
        layer(mt.zeros(2, 3, 5, 5))
    assert str(err.value) == (
        "Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=True): "
        "expected input with 1 channels (N, 1, H, W), got (2, 3, 5, 5)"
    )
    with pytest.raises(ValueError, match=r"expected a 4-d input \(N, 1, H, W\), got \(3, 5, 5\)"):
        layer(mt.zeros(3, 5, 5))
    with pytest.raises(ValueError, match=r"Conv1d\(2, 1, .*expected input with 2 channels"):
        nn.Conv1d(2, 1, 3)(mt.zeros(1, 1, 4))
    with pytest.raises(ValueError, match=r"spatial size at least \(3, 3\) after padding, "
                                         r"got \(1, 1, 2, 5\)"):
        nn.Conv2d(1, 1, 3)(mt.zeros(1, 1, 2, 5))


def test_bad_hyper_parameters():
    with pytest.raises(ValueError, match="odd kernel"):
        nn.Conv2d(1, 1, 2, padding="same")
    with pytest.raises(ValueError, match="stride 1"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(1, 1, (3, 3, 3))
    assert nn.Conv2d(1, 1, 3, padding="valid").padding == (0, 0)


def test_repr():
    assert repr(nn.Conv1d(1, 2, 5, bias=False)) == (
        "Conv1d(1, 2, kernel_size=5, stride=1, padding=0, bias=False)"
    )


@pytest.mark.needs_backend("numba")
def test_conv2d_on_numba_matches_python():
    layer = nn.Conv2d(2, 3, 3, padding="same")
    x = mt.randn(2, 2, 6, 6)
    expected = layer(x).numpy()
    layer.to("numba")
    assert_close(layer(x.to("numba")), expected)


def test_against_torch():
    torch = pytest.importorskip("torch")
    layer = nn.Conv2d(2, 3, 3, stride=1, padding=1, dtype=mt.float64)
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    tl = torch.nn.Conv2d(2, 3, 3, padding=1).double()
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(layer.weight.numpy()))
        tl.bias.copy_(torch.from_numpy(layer.bias.numpy()))
    tx = torch.from_numpy(x).requires_grad_(True)
    (tl(tx) ** 2).sum().backward()
    mx = mt.tensor(x, dtype=mt.float64, requires_grad=True)
    (layer(mx) ** 2).sum().backward()
    assert_close(mx.grad, tx.grad.numpy())
    assert_close(layer.weight.grad, tl.weight.grad.numpy())
