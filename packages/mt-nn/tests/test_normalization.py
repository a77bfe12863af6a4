"""BatchNorm1d/2d, LayerNorm, GroupNorm: hand-computed numbers, running statistics,
gradients, state dicts and checkpoints, errors, and PyTorch where it is installed."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.normalization as normalization
import minitorch.tensor as mt
from minitorch.nn import serialization
from minitorch.nn.normalization import (
    BatchNorm1d,
    BatchNorm2d,
    GroupNorm,
    LayerNorm,
    batch_norm,
    group_norm,
    layer_norm,
)
from minitorch.tensor.testing import assert_close, gradcheck

EPS = 1e-5


def f64(values):
    return mt.tensor(np.asarray(values, dtype=np.float64), dtype=mt.float64)


# -- batch norm by hand ---------------------------------------------------------------------
def test_batchnorm1d_train_step_by_hand():
    # One channel, batch [1, 3]: mean 2, biased variance 1, unbiased variance 2.
    bn = BatchNorm1d(1, dtype=mt.float64)
    out = bn(f64([[1.0], [3.0]]))
    assert_close(out, np.array([[-1.0], [1.0]]) / math.sqrt(1.0 + EPS))
    assert_close(bn.running_mean, np.array([0.1 * 2.0]))          # 0.9 * 0 + 0.1 * 2
    assert_close(bn.running_var, np.array([0.9 * 1.0 + 0.1 * 2.0]))  # the unbiased variance
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype is mt.int64
    bn.eval()
    assert_close(bn(f64([[2.0]])), np.array([[(2.0 - 0.2) / math.sqrt(1.1 + EPS)]]))
    assert bn.num_batches_tracked.item() == 1  # eval does not count batches


def test_batchnorm2d_statistics_span_batch_and_space():
    # Channel 0 holds 0, 2 | 4, 6 (mean 3, biased var 5, unbiased 20/3); channel 1 is constant.
    x = np.array([[[[0.0, 2.0]], [[1.0, 1.0]]], [[[4.0, 6.0]], [[1.0, 1.0]]]])
    bn = BatchNorm2d(2, momentum=0.5, dtype=mt.float64)
    with mt.no_grad():
        bn.weight.copy_(f64([2.0, 1.0]))
        bn.bias.copy_(f64([1.0, -1.0]))
    out = bn(f64(x))
    expected = np.empty_like(x)
    expected[:, 0] = 2.0 * (x[:, 0] - 3.0) / math.sqrt(5.0 + EPS) + 1.0
    expected[:, 1] = -1.0
    assert_close(out, expected)
    assert_close(bn.running_mean, np.array([1.5, 0.5]))
    assert_close(bn.running_var, np.array([0.5 + 0.5 * 20.0 / 3.0, 0.5]))


def test_momentum_none_is_the_cumulative_average():
    bn = BatchNorm1d(1, momentum=None, dtype=mt.float64)
    bn(f64([[1.0], [3.0]]))   # mean 2, unbiased var 2
    bn(f64([[3.0], [5.0]]))   # mean 4, unbiased var 2
    bn(f64([[0.0], [6.0]]))   # mean 3, unbiased var 18
    assert_close(bn.running_mean, np.array([3.0]))
    assert_close(bn.running_var, np.array([(2.0 + 2.0 + 18.0) / 3.0]))
    assert bn.num_batches_tracked.item() == 3


def test_without_running_stats_batch_statistics_are_used_in_eval_too():
    bn = BatchNorm1d(2, track_running_stats=False, dtype=mt.float64).eval()
    assert bn.running_mean is None and bn.num_batches_tracked is None
    assert list(bn.state_dict()) == ["weight", "bias"]
    x = f64([[1.0, 0.0], [3.0, 4.0]])  # means 2, 2; biased variances 1, 4
    assert_close(bn(x), np.array([[-1.0, -2.0], [1.0, 2.0]]) / np.sqrt([1.0 + EPS, 4.0 + EPS]))


def test_running_stats_are_updated_in_place_outside_the_graph():
    bn = BatchNorm1d(3)
    mean, var, count = bn.running_mean, bn.running_var, bn.num_batches_tracked
    state = bn.state_dict()
    bn(mt.randn(4, 3, requires_grad=True)).sum().backward()
    assert bn.running_mean is mean and bn.running_var is var and bn.num_batches_tracked is count
    assert state["running_mean"].numpy().any() and state["num_batches_tracked"].item() == 1
    assert not bn.running_mean.requires_grad and bn.running_mean.grad_fn is None
    assert bn.weight.grad is not None and bn.bias.grad is not None


def test_eval_mode_leaves_the_running_stats_alone():
    bn = BatchNorm2d(2).eval()
    out = bn(mt.randn(2, 2, 2, 2))
    np.testing.assert_array_equal(bn.running_mean.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(bn.running_var.numpy(), [1.0, 1.0])
    assert out.shape == (2, 2, 2, 2) and bn.num_batches_tracked.item() == 0


def test_non_contiguous_input_gives_the_contiguous_result():
    x = np.random.default_rng(0).standard_normal((2, 3, 3, 2))  # (N, H, W, C)
    strided = f64(x).permute(0, 3, 1, 2)                         # (N, C, H, W), not contiguous
    a, b = BatchNorm2d(2, dtype=mt.float64), BatchNorm2d(2, dtype=mt.float64)
    assert_close(a(strided), b(f64(x.transpose(0, 3, 1, 2).copy())).numpy())
    assert_close(a.running_var, b.running_var.numpy())


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 3), (2, 2, 2, 2)])
def test_batch_norm_gradcheck_in_training(shape):
    rng = np.random.default_rng(1)
    x = f64(rng.standard_normal(shape))
    c = shape[1]
    gradcheck(lambda x, w, b: batch_norm(x, None, None, w, b, training=True),
              x, f64(rng.standard_normal(c)), f64(rng.standard_normal(c)))


def test_batch_norm_gradcheck_with_running_stats_and_a_strided_input():
    rng = np.random.default_rng(2)
    x = f64(rng.standard_normal((3, 2, 4))).transpose(0, 2)  # (4, 2, 3), non-contiguous

    def f(x, w, b):
        return batch_norm(x, mt.zeros(2, dtype=mt.float64), mt.ones(2, dtype=mt.float64), w, b,
                          training=True, momentum=0.3)

    gradcheck(f, x, f64([0.5, 2.0]), f64([0.1, -0.2]))


def test_batch_norm_gradcheck_in_eval():
    rm, rv = f64([0.5, -1.0]), f64([2.0, 0.5])
    gradcheck(lambda x, w, b: batch_norm(x, rm, rv, w, b, training=False),
              mt.randn(3, 2, 2, dtype=mt.float64), f64([1.5, -0.5]), f64([0.0, 1.0]))


def test_batch_norm_errors():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        BatchNorm1d(3)(mt.zeros(2, 3, 2, 2))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        BatchNorm2d(3)(mt.zeros(2, 3, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel when training"):
        BatchNorm1d(3)(mt.zeros(1, 3))
    with pytest.raises(ValueError, match="running_mean should contain 5 elements not 3"):
        BatchNorm1d(3)(mt.zeros(4, 5))
    with pytest.raises(ValueError, match="running_mean and running_var are needed"):
        batch_norm(mt.zeros(2, 2), None, None, training=False)
    BatchNorm1d(3).eval()(mt.zeros(1, 3))  # one sample is fine in eval


def test_batchnorm_repr_and_parameters():
    bn = BatchNorm2d(4, momentum=None)
    assert repr(bn) == ("BatchNorm2d(4, eps=1e-05, momentum=None, affine=True, bias=True, "
                        "track_running_stats=True)")
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]
    plain = BatchNorm1d(3, affine=False)
    assert plain.weight is None and list(plain.parameters()) == []
    assert "affine=False, bias=False" in repr(plain)


# -- batch norm: dtypes, state dicts, checkpoints ---------------------------------------------
class ConvBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.bn = BatchNorm2d(2)

    def forward(self, x):
        return self.bn(self.conv(x)).relu()


def trained_convbn():
    model = ConvBN()
    for _ in range(3):
        model(mt.randn(2, 1, 3, 3))
    return model.eval()


def test_to_dtype_converts_float_buffers_but_not_the_batch_count():
    bn = BatchNorm1d(2)
    bn(mt.randn(3, 2))
    assert bn.double() is bn
    assert bn.running_mean.dtype is mt.float64 and bn.weight.dtype is mt.float64
    assert bn.num_batches_tracked.dtype is mt.int64 and bn.num_batches_tracked.item() == 1
    bn.to(mt.float32)
    assert bn.running_var.dtype is mt.float32 and bn.num_batches_tracked.dtype is mt.int64
    with pytest.raises(TypeError, match="floating point"):
        bn.to(mt.int64)


def assert_same_model(a, b):
    x = mt.randn(2, 1, 3, 3)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    for (name, u), (_, v) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert u.dtype is v.dtype, name
        np.testing.assert_array_equal(u.numpy(), v.numpy(), err_msg=name)
    assert b.bn.num_batches_tracked.dtype is mt.int64 and b.bn.num_batches_tracked.item() == 3


def test_state_dict_round_trip_through_load_state_dict():
    model = trained_convbn()
    fresh = ConvBN().eval()
    fresh.load_state_dict(model.state_dict())
    assert_same_model(model, fresh)


def test_checkpoint_round_trip(tmp_path):
    model = trained_convbn()
    nn.save(tmp_path / "bn.safetensors", model=model)
    fresh = ConvBN().eval()
    nn.load(tmp_path / "bn.safetensors", model=fresh)
    assert_same_model(model, fresh)


def test_torch_style_save_and_load_round_trip():
    model = trained_convbn()
    buffer = io.BytesIO()
    serialization.save(model.state_dict(), buffer)
    buffer.seek(0)
    state = serialization.load(buffer)
    assert state["bn.num_batches_tracked"].dtype is mt.int64
    fresh = ConvBN().eval()
    fresh.load_state_dict(state)
    assert_same_model(model, fresh)


# -- layer norm and group norm ---------------------------------------------------------------
def test_layer_norm_by_hand():
    x = f64([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]])
    ln = LayerNorm(3, dtype=mt.float64)
    var = np.array([2.0 / 3.0, 8.0])
    expected = (x.numpy() - np.array([[2.0], [2.0]])) / np.sqrt(var + EPS)[:, None]
    assert_close(ln(x), expected)
    assert ln.weight.shape == (3,) and ln.normalized_shape == (3,)
    assert repr(ln) == "LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert LayerNorm((2, 3), bias=False).bias is None
    assert list(LayerNorm(3, elementwise_affine=False).parameters()) == []


def test_layer_norm_gradcheck_over_two_trailing_dims_on_a_strided_input():
    rng = np.random.default_rng(3)
    x = f64(rng.standard_normal((3, 2, 2))).transpose(0, 2)  # (2, 2, 3)
    gradcheck(lambda x, w, b: layer_norm(x, (2, 3), w, b), x,
              f64(rng.standard_normal((2, 3))), f64(rng.standard_normal((2, 3))))


def test_layer_norm_errors():
    with pytest.raises(ValueError, match=r"normalized_shape=\[3\], expected input with shape "
                                         r"\[\*, 3\], but got input of size \(2, 4\)"):
        LayerNorm(3)(mt.zeros(2, 4))
    with pytest.raises(ValueError, match="weight must have shape"):
        layer_norm(mt.zeros(2, 3), 3, weight=mt.ones(4))


def test_group_norm_by_hand_and_gradcheck():
    # One sample, 4 channels in 2 groups: group 0 = channels 0, 1 = [0, 2 | 4, 6].
    x = f64([[[0.0, 2.0], [4.0, 6.0], [1.0, 1.0], [1.0, 3.0]]])
    gn = GroupNorm(2, 4, dtype=mt.float64)
    g0 = (np.array([[0.0, 2.0], [4.0, 6.0]]) - 3.0) / math.sqrt(5.0 + EPS)
    g1 = (np.array([[1.0, 1.0], [1.0, 3.0]]) - 1.5) / math.sqrt(0.75 + EPS)
    assert_close(gn(x), np.concatenate([g0, g1])[None])
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    gradcheck(lambda x, w, b: group_norm(x, 2, w, b), mt.randn(2, 4, 2, dtype=mt.float64),
              f64([1.0, 2.0, -1.0, 0.5]), f64([0.0, 0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by "
                                         r"num_groups \(3\)"):
        GroupNorm(3, 4)


# -- against PyTorch ------------------------------------------------------------------------
def copy_params(ours, theirs, torch):
    with torch.no_grad():
        for name, p in ours.named_parameters():
            theirs.get_parameter(name).copy_(torch.tensor(p.numpy()))


@pytest.mark.parametrize(("layer", "shape", "momentum"), [
    ("BatchNorm1d", (5, 3), 0.1), ("BatchNorm1d", (4, 3, 2), None),
    ("BatchNorm2d", (3, 3, 2, 2), 0.3), ("BatchNorm2d", (2, 3, 2, 3), None),
])
def test_batchnorm_matches_torch_over_training_steps_then_eval(layer, shape, momentum):
    torch = pytest.importorskip("torch")
    ours = getattr(normalization, layer)(3, momentum=momentum, dtype=mt.float64)
    theirs = getattr(torch.nn, layer)(3, momentum=momentum).double()
    rng = np.random.default_rng(4)
    with mt.no_grad():
        ours.weight.copy_(f64(rng.standard_normal(3)))
        ours.bias.copy_(f64(rng.standard_normal(3)))
    copy_params(ours, theirs, torch)
    for _ in range(3):
        x = rng.standard_normal(shape) * 2.0 + 0.5
        g = rng.standard_normal(shape)
        xm, xt = f64(x).requires_grad_(), torch.tensor(x, requires_grad=True)
        out, expected = ours(xm), theirs(xt)
        assert_close(out, expected.detach().numpy())
        out.backward(f64(g))
        expected.backward(torch.tensor(g))
        assert_close(xm.grad, xt.grad.numpy())
    assert_close(ours.weight.grad, theirs.weight.grad.numpy())
    assert_close(ours.bias.grad, theirs.bias.grad.numpy())
    for name, buffer in theirs.named_buffers():
        assert_close(ours.get_buffer(name), buffer.numpy(), what=name)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape)
    assert_close(ours(f64(x)), theirs(torch.tensor(x)).detach().numpy())


def test_batchnorm_state_dict_loads_into_torch():
    torch = pytest.importorskip("torch")
    ours = BatchNorm1d(3)
    ours(mt.randn(4, 3))
    theirs = torch.nn.BatchNorm1d(3)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    assert theirs.num_batches_tracked.item() == 1
    np.testing.assert_array_equal(theirs.running_var.numpy(), ours.running_var.numpy())


def test_layer_norm_and_group_norm_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 4, 3))
    g = rng.standard_normal((2, 4, 3))
    for ours, theirs in ((LayerNorm((4, 3), dtype=mt.float64), torch.nn.LayerNorm((4, 3))),
                         (GroupNorm(2, 4, dtype=mt.float64), torch.nn.GroupNorm(2, 4))):
        theirs = theirs.double()
        with mt.no_grad():
            for p in ours.parameters():
                p.copy_(f64(rng.standard_normal(p.shape)))
        copy_params(ours, theirs, torch)
        xm, xt = f64(x).requires_grad_(), torch.tensor(x, requires_grad=True)
        out, expected = ours(xm), theirs(xt)
        assert_close(out, expected.detach().numpy())
        out.backward(f64(g))
        expected.backward(torch.tensor(g))
        assert_close(xm.grad, xt.grad.numpy())
        for name, p in theirs.named_parameters():
            assert_close(ours.get_parameter(name).grad, p.grad.numpy(), what=name)
