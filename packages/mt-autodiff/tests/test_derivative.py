"""central_difference and derivative_check."""

from __future__ import annotations

import math

import pytest

from minitorch.autodiff import Scalar, central_difference, derivative_check


def test_central_difference_of_plain_functions() -> None:
    assert math.isclose(central_difference(lambda x: x * x, 3.0), 6.0, rel_tol=1e-6)
    assert math.isclose(central_difference(math.exp, 0.0), 1.0, rel_tol=1e-6)


def test_central_difference_picks_the_argument() -> None:
    def f(x: float, y: float) -> float:
        return x * y * y

    assert math.isclose(central_difference(f, 2.0, 3.0, arg=0), 9.0, rel_tol=1e-6)
    assert math.isclose(central_difference(f, 2.0, 3.0, arg=1), 12.0, rel_tol=1e-6)


def test_central_difference_accepts_scalar_valued_functions() -> None:
    def f(x: float) -> Scalar:
        return Scalar(x).exp()

    assert math.isclose(central_difference(f, 1.0), math.e, rel_tol=1e-6)


def test_central_difference_rejects_a_bad_arg() -> None:
    with pytest.raises(IndexError, match="arg=2 is out of range for 2"):
        central_difference(lambda x, y: x, 1.0, 2.0, arg=2)


def test_derivative_check_passes_and_leaves_grads() -> None:
    x, y = Scalar(1.5), Scalar(-0.5)
    derivative_check(lambda a, b: a * b + a.exp(), x, y)
    assert math.isclose(x.grad, -0.5 + math.exp(1.5))
    assert math.isclose(y.grad, 1.5)


def test_derivative_check_treats_an_unused_input_as_zero_gradient() -> None:
    derivative_check(lambda a, b: a * 2, Scalar(1.0), Scalar(2.0))


def test_derivative_check_needs_a_scalar_result() -> None:
    with pytest.raises(TypeError, match="return a Scalar"):
        derivative_check(lambda a: 1.0, Scalar(1.0))
