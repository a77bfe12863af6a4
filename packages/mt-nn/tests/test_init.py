"""minitorch.nn.init: fans, gains, and each initializer's distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.tensor as mt
from minitorch.nn import init


def test_fans_of_linear_and_conv_weights():
    assert init.calculate_fan_in_and_fan_out(mt.zeros(10, 784)) == (784, 10)
    assert init.calculate_fan_in_and_fan_out(mt.zeros(8, 4, 3, 3)) == (36, 72)
    assert init.calculate_fan_in_and_fan_out(mt.zeros(3, 2, 5)) == (10, 15)
    with pytest.raises(ValueError, match="at least 2 dims"):
        init.calculate_fan_in_and_fan_out(mt.zeros(5))


def test_gains():
    assert init.calculate_gain("linear") == init.calculate_gain("conv2d") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == math.sqrt(1 / 3)
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        init.calculate_gain("gelu")


def test_uniform_is_the_seeds_r():
    t = mt.zeros(100, 50)
    assert init.uniform_(t, -0.1, 0.1) is t
    a = t.numpy()
    assert a.min() >= -0.1 and a.max() <= 0.1 and a.max() > 0.09 and a.min() < -0.09


def test_kaiming_uniform_is_the_seeds_he():
    t = init.kaiming_uniform_(mt.zeros(64, 200))
    r = math.sqrt(6 / 200)
    a = t.numpy()
    assert np.abs(a).max() <= r and np.abs(a).max() > 0.95 * r
    assert abs(a.std() - r / math.sqrt(3)) < 0.05 * r


def test_normal_inits_have_the_right_spread():
    std = init.kaiming_normal_(mt.zeros(100, 200), nonlinearity="relu").numpy().std()
    assert abs(std - math.sqrt(2 / 200)) < 0.05 * math.sqrt(2 / 200)
    fan_out = init.kaiming_normal_(mt.zeros(100, 200), mode="fan_out").numpy().std()
    assert abs(fan_out - math.sqrt(2 / 100)) < 0.05 * math.sqrt(2 / 100)
    xavier = init.xavier_normal_(mt.zeros(100, 300)).numpy().std()
    assert abs(xavier - math.sqrt(2 / 400)) < 0.05 * math.sqrt(2 / 400)
    normal = init.normal_(mt.zeros(100, 100), mean=1.0, std=0.5).numpy()
    assert abs(normal.mean() - 1.0) < 0.02 and abs(normal.std() - 0.5) < 0.02


def test_xavier_uniform_bound():
    a = init.xavier_uniform_(mt.zeros(30, 70), gain=2.0).numpy()
    bound = 2.0 * math.sqrt(6 / 100)
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.95 * bound


def test_constants():
    t = mt.randn(2, 3)
    assert np.all(init.zeros_(t).numpy() == 0)
    assert np.all(init.ones_(t).numpy() == 1)
    assert np.all(init.constant_(t, 0.5).numpy() == 0.5)


def test_works_in_place_on_parameters_without_recording():
    layer = nn.Linear(3, 4)
    init.xavier_uniform_(layer.weight)
    init.zeros_(layer.bias)
    assert layer.weight.is_leaf and layer.weight.requires_grad
    assert np.all(layer.bias.numpy() == 0)


def test_reproducible_with_manual_seed():
    mt.manual_seed(11)
    a = init.kaiming_uniform_(mt.zeros(4, 4)).numpy()
    mt.manual_seed(11)
    np.testing.assert_array_equal(init.kaiming_uniform_(mt.zeros(4, 4)).numpy(), a)


def test_float64_values_are_written_at_full_precision():
    t = init.uniform_(mt.zeros(3, dtype=mt.float64), 0, 1e-9)
    assert t.dtype is mt.float64 and (t.numpy() > 0).all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform_(mt.zeros(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="lower bound"):
        init.uniform_(mt.zeros(2), 1.0, 0.0)
    with pytest.raises(TypeError, match="minitorch Tensor"):
        init.zeros_(np.zeros(3))
