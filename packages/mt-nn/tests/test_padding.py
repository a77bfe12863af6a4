"""pad, interpolate and their Modules: hand-computed borders, gradients, errors, PyTorch."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.nn.padding import (
    CircularPad2d,
    ConstantPad1d,
    ConstantPad2d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    Upsample,
    UpsamplingNearest2d,
    ZeroPad2d,
    interpolate,
    pad,
)
from minitorch.tensor.testing import assert_close, gradcheck

MODES = ("constant", "reflect", "replicate", "circular")


def row(values):
    """A (1, 1, W) batch holding one row."""
    return mt.tensor(np.asarray(values, dtype=np.float64).reshape(1, 1, -1), dtype=mt.float64)


# -- pad: stated behaviour ----------------------------------------------------------------
@pytest.mark.parametrize(("mode", "widths", "expected"), [
    ("constant", (2, 1), [0, 0, 0, 1, 2, 3, 0]),
    ("reflect", (3, 2), [3, 2, 1, 0, 1, 2, 3, 2, 1]),
    ("replicate", (2, 3), [0, 0, 0, 1, 2, 3, 3, 3, 3]),
    ("circular", (2, 4), [2, 3, 0, 1, 2, 3, 0, 1, 2, 3]),
    ("constant", (-1, 2), [1, 2, 3, 0, 0]),  # negative pads crop
    ("reflect", (1, -2), [1, 0, 1]),  # pad from the whole input, then crop
    ("replicate", (-3, 1), [3, 3]),
    ("circular", (-1, 2), [1, 2, 3, 1, 2]),  # crop, then wrap what is left
])
def test_pad_modes_on_a_row(mode, widths, expected):
    assert_close(pad(row([0, 1, 2, 3]), widths, mode), row(expected).numpy())


def test_pad_two_dims_last_dim_first():
    x = mt.tensor(np.arange(6.0).reshape(1, 2, 3), dtype=mt.float64)
    out = pad(x, (1, 0, 0, 1), value=-1.0)  # (left, right) of W, then (top, bottom) of H
    assert_close(out, np.array([[[-1, 0, 1, 2], [-1, 3, 4, 5], [-1, -1, -1, -1]]], dtype=float))
    refl = pad(x, (1, 1, 1, 1), mode="reflect")
    assert_close(refl[0, 0], np.array([4.0, 3, 4, 5, 4]))
    assert refl.shape == (1, 4, 5)


def test_constant_pad_of_every_dim_and_dtype():
    x = mt.ones(2, 3, dtype=mt.float64)
    out = pad(x, (1, 1, 2, 0), value=5.0)
    assert out.shape == (4, 5) and out.dtype == mt.float64
    assert out.numpy()[0].tolist() == [5.0] * 5
    assert pad(mt.ones(1, 1, 1, 2), (0, 0, 0, 0, 0, 0, 1, 1)).shape == (3, 1, 1, 2)
    assert pad(mt.ones(2, 3), ()).shape == (2, 3)


@pytest.mark.parametrize("mode", MODES)
def test_pad_gradcheck_every_mode_non_contiguous(mode):
    x = mt.randn(1, 4, 3, 5, dtype=mt.float64)  # transposed to (1, 4, 5, 3) inside
    widths = {"constant": (2, -1, 1, 3), "reflect": (2, 1, 1, 3),
              "replicate": (3, 1, 0, 2), "circular": (3, 2, -1, 4)}[mode]
    gradcheck(lambda t: pad(t.transpose(2, 3), widths, mode), x)


def test_replicate_gradient_accumulates_at_the_edge():
    x = row([1.0, 2.0, 3.0]).requires_grad_()
    pad(x, (2, 1), mode="replicate").sum().backward()
    assert_close(x.grad, np.array([[[3.0, 1.0, 2.0]]]))


def test_pad_errors():
    x = mt.zeros(1, 2, 4)
    with pytest.raises(ValueError, match="divisible by 2"):
        pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match="the input has only 3"):
        pad(x, (1,) * 8)
    with pytest.raises(TypeError, match="sequence of ints"):
        pad(x, (1.5, 1))
    with pytest.raises(NotImplementedError, match="unknown padding mode 'mirror'"):
        pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="reflect padding must be less than the input size"):
        pad(x, (4, 0), mode="reflect")
    with pytest.raises(ValueError, match="wrap around at most once"):
        pad(x, (5, 0), mode="circular")
    with pytest.raises(ValueError, match="takes no value"):
        pad(x, (1, 1), mode="replicate", value=2.0)
    with pytest.raises(NotImplementedError, match="needs a 4-d or 5-d input"):
        pad(x, (1, 1, 1, 1, 1, 1), mode="reflect")
    with pytest.raises(NotImplementedError, match="needs a 2-d or 3-d input"):
        pad(mt.zeros(1, 1, 2, 4), (1, 1), mode="replicate")
    with pytest.raises(ValueError, match="removes more than"):
        pad(x, (-3, -2))
    with pytest.raises(ValueError, match="leaves no elements"):
        pad(x, (-2, -2), mode="reflect")


def test_pad_modules():
    x = mt.tensor(np.arange(12.0).reshape(1, 1, 3, 4), dtype=mt.float64)
    assert ZeroPad2d(1)(x).shape == (1, 1, 5, 6)
    assert ZeroPad2d((1, 0, 2, 0))(x).numpy()[0, 0, 2].tolist() == [0.0, 0.0, 1.0, 2.0, 3.0]
    assert ConstantPad2d(1, 7.0)(x).numpy()[0, 0, 0].tolist() == [7.0] * 6
    assert_close(ReflectionPad2d((1, 1, 0, 0))(x)[0, 0, 0], np.array([1.0, 0, 1, 2, 3, 2]))
    assert_close(ReplicationPad2d((0, 0, 1, 0))(x)[0, 0, 0], np.array([0.0, 1, 2, 3]))
    assert_close(CircularPad2d((1, 0, 0, 0))(x)[0, 0, 1], np.array([7.0, 4, 5, 6, 7]))
    assert ReflectionPad1d(2)(x[0]).shape == (1, 3, 8)
    assert ReplicationPad1d((0, 3))(x[0]).shape == (1, 3, 7)
    assert ConstantPad1d(1, 0.5)(x).shape == (1, 1, 3, 6)
    assert repr(ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1))"
    assert repr(ConstantPad2d(2, 3.5)) == "ConstantPad2d(padding=(2, 2, 2, 2), value=3.5)"
    assert repr(ReflectionPad2d((1, 0, 1, 0))) == "ReflectionPad2d((1, 0, 1, 0))"
    with pytest.raises(ValueError, match="an int or 4 ints"):
        ReflectionPad2d((1, 2))


def test_pad_against_torch_every_mode():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    data = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    pick = np.random.default_rng(1)
    one_dim = list(itertools.product((-1, 0, 2, 3), repeat=2))
    two_dims = list(itertools.product((-1, 0, 2, 3), repeat=4))
    cases = 0
    for mode in MODES:
        sample = [two_dims[i] for i in pick.choice(len(two_dims), 30, replace=False)]
        for source, widths in [(data[0], w) for w in one_dim] + [(data, w) for w in sample]:
            if mode == "circular" and min(widths) < 0 and max(widths) > 0:
                continue  # PyTorch reads uninitialised memory for some of these
            try:
                expected = tf.pad(torch.tensor(source).transpose(-1, -2), widths, mode)
            except (RuntimeError, NotImplementedError):
                with pytest.raises((ValueError, NotImplementedError)):
                    pad(mt.tensor(source).transpose(-1, -2), widths, mode)
                continue
            out = pad(mt.tensor(source, dtype=mt.float64).transpose(-1, -2), widths, mode)
            assert_close(out, expected.numpy(), what=f"{mode} {widths}")
            cases += 1
    assert cases > 80


def test_constant_pad_value_and_many_dims_against_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(1).standard_normal((2, 3, 4))
    for widths in [(1, 1, 1, 1, 1, 1), (0, 0, -1, 2, 3, 0), (2, -3)]:
        expected = torch.nn.functional.pad(torch.tensor(data), widths, value=-2.5).numpy()
        assert_close(pad(mt.tensor(data, dtype=mt.float64), widths, value=-2.5), expected)


# -- interpolate ---------------------------------------------------------------------------
def test_nearest_index_rule():
    x = row(np.arange(10.0))
    # size 4: scale = 10 / 4, source floor(i * 2.5) = 0, 2, 5, 7
    assert interpolate(x, size=4).numpy().ravel().tolist() == [0.0, 2.0, 5.0, 7.0]
    # scale_factor 0.37 -> 3 outputs; scale 1 / 0.37: sources 0, 2, 5 ...
    assert interpolate(x, scale_factor=0.37).numpy().ravel().tolist() == [0.0, 2.0, 5.0]
    # ... but 10 / 3 once recomputed: 0, 3, 6
    out = interpolate(x, scale_factor=0.37, recompute_scale_factor=True)
    assert out.numpy().ravel().tolist() == [0.0, 3.0, 6.0]
    # nearest-exact: floor((i + 0.5) * 2.5) = 1, 3, 6, 8
    out = interpolate(x, size=4, mode="nearest-exact")
    assert out.numpy().ravel().tolist() == [1.0, 3.0, 6.0, 8.0]


def test_upsample_repeats_pixels():
    x = mt.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = np.array([[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]], dtype=float)
    assert_close(Upsample(scale_factor=2)(x), expected)
    assert_close(UpsamplingNearest2d(size=4)(x), expected)
    assert interpolate(x, scale_factor=(3, 1)).shape == (1, 1, 6, 2)
    assert interpolate(mt.zeros(1, 1, 2, 3, 4), size=(4, 3, 2)).shape == (1, 1, 4, 3, 2)
    assert repr(Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(Upsample(size=(3, 4))) == "Upsample(size=(3, 4), mode='nearest')"


def test_interpolate_gradcheck_non_contiguous():
    x = mt.randn(1, 2, 3, 4, dtype=mt.float64)
    gradcheck(lambda t: interpolate(t.transpose(2, 3), size=(7, 2)), x)
    gradcheck(lambda t: interpolate(t, scale_factor=1.5, mode="nearest-exact"), x)


def test_interpolate_errors():
    x = mt.zeros(1, 1, 4, 4)
    with pytest.raises(NotImplementedError, match="mode 'bilinear' is not implemented"):
        interpolate(x, size=2, mode="bilinear")
    with pytest.raises(NotImplementedError, match="unknown mode 'fancy'"):
        interpolate(x, size=2, mode="fancy")
    with pytest.raises(ValueError, match="exactly one of size or scale_factor, got neither"):
        interpolate(x)
    with pytest.raises(ValueError, match="got both"):
        interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="has 2 spatial dimension"):
        interpolate(x, size=(2, 2, 2))
    with pytest.raises(ValueError, match="align_corners"):
        interpolate(x, size=2, align_corners=True)
    with pytest.raises(ValueError, match="must be > 0"):
        interpolate(x, scale_factor=0.1)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful"):
        interpolate(x, size=2, recompute_scale_factor=True)
    with pytest.raises(ValueError, match="3-d, 4-d or 5-d"):
        interpolate(mt.zeros(4, 4), size=2)
    with pytest.raises(TypeError, match="size must be an int"):
        interpolate(x, size=(3, None))


def test_interpolate_against_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    data = np.random.default_rng(2).standard_normal((2, 3, 7, 9))
    factors = [0.5, 0.37, 1.0, 1.077, 1.3, 2.0, 2.5, 3.0, 1 / 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for mode, factor, recompute in itertools.product(("nearest", "nearest-exact"), factors,
                                                          (None, True)):
            expected = tf.interpolate(torch.tensor(data).transpose(2, 3), scale_factor=factor,
                                      mode=mode, recompute_scale_factor=recompute)
            out = interpolate(mt.tensor(data, dtype=mt.float64).transpose(2, 3),
                              scale_factor=factor, mode=mode, recompute_scale_factor=recompute)
            assert_close(out, expected.numpy(), what=f"{mode} x{factor} {recompute}")
        for size in [(1, 1), (3, 4), (14, 18), (13, 5), (20, 30)]:
            expected = tf.interpolate(torch.tensor(data), size=size)
            assert_close(interpolate(mt.tensor(data, dtype=mt.float64), size=size),
                         expected.numpy())
