"""Activations: values (hand-computed and against PyTorch), gradients, in-place, reprs, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    ReLU6,
    SiLU,
    Softmax,
    Softmin,
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    relu6,
    silu,
    softmin,
)
from minitorch.tensor.testing import assert_close, gradcheck

GRID = np.concatenate([np.linspace(-9.0, 9.0, 181), [0.0, 1e-9, -1e-9, 30.0, -30.0]])


def f64(values):
    return mt.tensor(np.asarray(values, dtype=np.float64), dtype=mt.float64)


# -- stated values, no PyTorch needed --------------------------------------------------
def test_gelu_exact_values():
    # gelu(x) = x * Phi(x); Phi(1) = 0.841344746068543, Phi(2) = 0.977249868051821.
    out = gelu(f64([0.0, 1.0, -1.0, 2.0, -2.0, -10.0]))
    expected = [0.0, 0.841344746068543, -0.158655253931457, 1.954499736103642,
                -0.045500263896358, -10.0 * 7.619853024160527e-24]
    assert_close(out, np.array(expected), rtol=2e-7, atol=1e-8)


def test_gelu_matches_math_erf_everywhere():
    x = np.linspace(-12.0, 12.0, 2401)
    expected = np.array([0.5 * v * math.erfc(-v / math.sqrt(2.0)) for v in x])
    out = gelu(f64(x)).numpy()
    assert np.abs(out - expected).max() < 2e-8  # the stated bound of the erfc fit, damped
    tail = x < -3
    assert np.all(np.abs(out[tail] / expected[tail] - 1) < 2e-7)  # tails keep relative accuracy


def test_gelu_tanh_is_the_stated_formula():
    x = np.array([-3.0, -0.5, 0.0, 0.7, 2.5])
    inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
    assert_close(gelu(f64(x), approximate="tanh"), 0.5 * x * (1 + np.tanh(inner)))
    assert_close(GELU("tanh")(f64(x)), 0.5 * x * (1 + np.tanh(inner)))


def test_piecewise_values():
    x = f64([-2.0, -0.5, 0.0, 0.5, 3.0, 7.0])
    assert_close(leaky_relu(x), [-0.02, -0.005, 0.0, 0.5, 3.0, 7.0])
    assert_close(LeakyReLU(0.2)(x), [-0.4, -0.1, 0.0, 0.5, 3.0, 7.0])
    assert_close(elu(x), [math.exp(-2) - 1, math.exp(-0.5) - 1, 0.0, 0.5, 3.0, 7.0])
    assert_close(ELU(alpha=2.0)(x), [2 * (math.exp(-2) - 1), 2 * (math.exp(-0.5) - 1), 0, 0.5, 3, 7])
    sig = 1 / (1 + np.exp(-x.numpy()))
    assert_close(silu(x), x.numpy() * sig)
    assert_close(SiLU()(x), x.numpy() * sig)
    assert_close(hardtanh(x), [-1.0, -0.5, 0.0, 0.5, 1.0, 1.0])
    assert_close(Hardtanh(-0.25, 4.0)(x), [-0.25, -0.25, 0.0, 0.5, 3.0, 4.0])
    assert_close(relu6(x), [0.0, 0.0, 0.0, 0.5, 3.0, 6.0])
    assert_close(ReLU6()(x), [0.0, 0.0, 0.0, 0.5, 3.0, 6.0])
    assert_close(ReLU()(x), [0.0, 0.0, 0.0, 0.5, 3.0, 7.0])


def test_elu_has_no_nan_for_large_inputs():
    x = f64([1000.0, -1000.0]).requires_grad_()
    out = elu(x)
    out.sum().backward()
    assert_close(out, [1000.0, -1.0])
    assert_close(x.grad, [1.0, 0.0])


def test_gradients_at_the_kinks_follow_pytorch():
    # PyTorch: leaky_relu'(0) = slope, elu'(0) = alpha, hardtanh' = 0 at its bounds.
    for fn, x, expected in [
        (lambda t: leaky_relu(t, 0.1), [0.0], [0.1]),
        (lambda t: elu(t, 0.5), [0.0], [0.5]),
        (hardtanh, [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
        (relu6, [0.0, 6.0, 3.0], [0.0, 0.0, 1.0]),
    ]:
        t = f64(x).requires_grad_()
        fn(t).sum().backward()
        assert_close(t.grad, expected)


@pytest.mark.parametrize("fn", [
    gelu, lambda t: gelu(t, "tanh"), leaky_relu, lambda t: elu(t, 1.5), silu,
    lambda t: hardtanh(t, -0.5, 0.5), lambda t: softmin(t, 1),
])
def test_gradcheck_on_a_transposed_input(fn):
    x = mt.tensor(np.random.default_rng(0).uniform(-3, 3, (3, 4)) + 0.013)  # no kinks hit
    gradcheck(lambda t: fn(t.T), x)


def test_gelu_backward_is_the_exact_derivative():
    x = np.linspace(-6, 6, 61)
    t = f64(x).requires_grad_()
    gelu(t).sum().backward()
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    expected = cdf + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    assert_close(t.grad, expected, rtol=1e-7, atol=1e-7)


def test_gelu_float32_stays_float32():
    out = gelu(mt.tensor([-1.0, 0.5, 2.0]))
    assert out.dtype == mt.float32
    assert_close(out, np.array([-0.158655254, 0.345731397, 1.954499736]))


# -- in place ------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [
    ReLU(inplace=True), LeakyReLU(0.2, inplace=True), ELU(inplace=True), SiLU(inplace=True),
    Hardtanh(inplace=True), ReLU6(inplace=True),
])
def test_inplace_returns_the_input_with_the_out_of_place_values_and_grads(layer):
    data = np.random.default_rng(1).uniform(-8, 8, (3, 5))
    expected_module = type(layer)(**{k: v for k, v in vars(layer).items()
                                     if k in ("negative_slope", "alpha")})
    leaf = f64(data).requires_grad_()
    expected = expected_module(leaf)
    expected.sum().backward()
    expected_grad = leaf.grad.numpy()
    leaf.grad = None

    y = leaf * 1.0  # a non-leaf: in-place writes on it are recorded
    out = layer(y)
    assert out is y
    assert_close(out, expected.detach().numpy())
    out.sum().backward()
    assert_close(leaf.grad, expected_grad)


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="leaf"):
        LeakyReLU(inplace=True)(mt.randn(3, requires_grad=True))


def test_inplace_without_grad():
    x = f64([-1.0, 2.0])
    assert leaky_relu(x, 0.5, inplace=True) is x
    assert_close(x, [-0.5, 2.0])


# -- softmax family, identity ----------------------------------------------------------
def test_softmax_modules_with_dim():
    x = f64([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    e = np.exp([1.0, 2.0, 3.0])
    assert_close(Softmax(1)(x)[0], e / e.sum())
    assert_close(LogSoftmax(dim=1)(x)[1], np.log(np.full(3, 1 / 3)))
    e = np.exp([-1.0, -2.0, -3.0])
    assert_close(Softmin(dim=1)(x)[0], e / e.sum())


@pytest.mark.parametrize(("shape", "dim"), [((5,), 0), ((2, 3), 1), ((2, 3, 4), 0),
                                            ((2, 3, 4, 5), 1)])
def test_implicit_softmax_dim_warns_and_follows_pytorch(shape, dim):
    x = mt.randn(*shape, dtype=mt.float64)
    for layer, explicit in [(Softmax(), Softmax(dim)), (LogSoftmax(), LogSoftmax(dim)),
                            (Softmin(), Softmin(dim))]:
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            out = layer(x)
        assert_close(out, explicit(x).numpy())


def test_identity_ignores_its_arguments():
    x = mt.randn(2, 3)
    assert Identity(54, unused="x")(x) is x
    assert repr(Identity(3)) == "Identity()"


def test_reprs_match_pytorch():
    assert repr(ReLU()) == "ReLU()"
    assert repr(ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(LeakyReLU(0.2, True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    assert repr(GELU()) == "GELU(approximate='none')"
    assert repr(ELU(0.5, True)) == "ELU(alpha=0.5, inplace=True)"
    assert repr(SiLU()) == "SiLU()"
    assert repr(Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(ReLU6(True)) == "ReLU6(inplace=True)"
    assert repr(Softmax()) == "Softmax(dim=None)"
    assert repr(Softmin(0)) == "Softmin(dim=0)"


def test_errors():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'erf'"):
        gelu(mt.zeros(2), approximate="erf")
    with pytest.raises(ValueError, match="approximate"):
        GELU("fast")
    with pytest.raises(ValueError, match=r"max_val \(1\) must be greater than min_val \(2\)"):
        Hardtanh(2, 1)


# -- against PyTorch ------------------------------------------------------------------
def _torch_pairs(torch):
    tf = torch.nn.functional
    return [
        (gelu, tf.gelu, 2e-8),
        (lambda t: gelu(t, "tanh"), lambda t: tf.gelu(t, approximate="tanh"), 1e-12),
        (lambda t: leaky_relu(t, 0.3), lambda t: tf.leaky_relu(t, 0.3), 0.0),
        (lambda t: elu(t, 0.7), lambda t: tf.elu(t, 0.7), 1e-12),
        (silu, tf.silu, 1e-12),
        (lambda t: hardtanh(t, -2.0, 0.5), lambda t: tf.hardtanh(t, -2.0, 0.5), 0.0),
        (relu6, tf.relu6, 0.0),
        (lambda t: softmin(t.reshape(2, -1), 1), lambda t: tf.softmin(t.reshape(2, -1), 1), 1e-12),
    ]


def test_against_torch_values_and_gradients():
    torch = pytest.importorskip("torch")
    for ours, theirs, atol in _torch_pairs(torch):
        x = f64(GRID).requires_grad_()
        tx = torch.tensor(GRID, requires_grad=True)
        out, expected = ours(x), theirs(tx)
        assert_close(out, expected.detach().numpy(), rtol=1e-7, atol=atol + 1e-15)
        g = np.random.default_rng(2).standard_normal(expected.shape)
        out.backward(mt.tensor(g, dtype=mt.float64))
        expected.backward(torch.tensor(g))
        assert_close(x.grad, tx.grad.numpy(), rtol=1e-7, atol=1e-7)


def test_against_torch_float32_and_non_contiguous():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).uniform(-6, 6, (4, 6)).astype(np.float32)
    for ours, theirs, _ in _torch_pairs(torch):
        out = ours(mt.tensor(data)[:, ::2].T)
        assert out.dtype == mt.float32
        assert_close(out, theirs(torch.tensor(data)[:, ::2].T).numpy(), rtol=1e-6, atol=1e-6)


def test_against_torch_modules_and_implicit_dim():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(4).standard_normal((2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ours, theirs in [(Softmax(), torch.nn.Softmax()), (LogSoftmax(), torch.nn.LogSoftmax()),
                             (Softmin(), torch.nn.Softmin()), (GELU(), torch.nn.GELU()),
                             (LeakyReLU(), torch.nn.LeakyReLU()), (ELU(), torch.nn.ELU())]:
            assert repr(ours) == repr(theirs)
            assert_close(ours(f64(data)), theirs(torch.tensor(data)).numpy(), atol=2e-8)
