"""Scalar: construction, forward values, comparisons, repr, no_grad."""

from __future__ import annotations

import math

import pytest

from minitorch.autodiff import Scalar, is_grad_enabled, no_grad, operators


def test_construction_accepts_ints_and_floats() -> None:
    x = Scalar(3)
    assert x.data == 3.0 and isinstance(x.data, float)
    assert x.grad is None
    assert x.is_leaf() and not x.is_constant()


@pytest.mark.parametrize("bad", ["1.0", None, [1.0]])
def test_construction_rejects_non_numbers(bad: object) -> None:
    with pytest.raises(TypeError, match="real number"):
        Scalar(bad)  # type: ignore[arg-type]


def test_construction_from_a_scalar_is_an_error_with_the_fix() -> None:
    with pytest.raises(TypeError, match="value.data"):
        Scalar(Scalar(1.0))  # type: ignore[arg-type]


def test_mixing_with_non_numbers_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        Scalar(1.0) + "a"  # type: ignore[operator]


def test_arithmetic_forward_values() -> None:
    x, y = Scalar(6.0), Scalar(3)
    assert (x + y).data == 9.0
    assert (x - y).data == 3.0
    assert (x * y).data == 18.0
    assert (x / y).data == 2.0
    assert (-x).data == -6.0
    assert (1 + x).data == 7.0
    assert (1 - x).data == -5.0
    assert (2 * x).data == 12.0
    assert (12 / x).data == 2.0
    assert (x + 1.5).data == 7.5
    assert (x / 4).data == 1.5


def test_unary_functions_forward_values() -> None:
    x = Scalar(0.5)
    assert x.log().data == math.log(0.5)
    assert x.exp().data == math.exp(0.5)
    assert x.sigmoid().data == operators.sigmoid(0.5)
    assert x.tanh().data == math.tanh(0.5)
    assert x.relu().data == 0.5
    assert Scalar(-2).relu().data == 0.0


def test_comparisons_return_scalars_of_zero_or_one() -> None:
    a, b = Scalar(1.0), Scalar(2.0)
    for result, expected in [
        (a < b, 1.0),
        (b < a, 0.0),
        (a > b, 0.0),
        (b > a, 1.0),
        (a == b, 0.0),
        (a == 1.0, 1.0),
        (a < 5, 1.0),
        (3 > a, 1.0),
        (a < a, 0.0),
        (a > a, 0.0),
    ]:
        assert isinstance(result, Scalar)
        assert result.data == expected


def test_scalars_stay_hashable_despite_eq_returning_a_scalar() -> None:
    a = Scalar(1.0)
    b = Scalar(1.0)
    assert len({a, b}) == 2
    assert {a: 1}[a] == 1
    assert (a == "a") is False


def test_float_item_and_bool() -> None:
    assert float(Scalar(2.5)) == 2.5
    assert Scalar(2.5).item() == 2.5
    assert bool(Scalar(0.0)) is False
    assert bool(Scalar(1.0) > 0) is True


def test_repr() -> None:
    x = Scalar(2.0, name="x")
    assert repr(x) == "Scalar(2.0, name='x')"
    y = x * 3
    assert repr(y) == "Scalar(6.0, grad_fn=Mul)"
    y.backward()
    assert repr(x) == "Scalar(2.0, name='x', grad=3.0)"
    assert repr(Scalar(1, requires_grad=False)) == "Scalar(1.0, requires_grad=False)"


def test_constants_only_expression_records_no_graph() -> None:
    c = Scalar(2.0, requires_grad=False) * 3
    assert c.is_constant() and c.history is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        c.backward()


def test_no_grad_records_nothing_and_restores_the_flag() -> None:
    x = Scalar(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = x * x
    assert is_grad_enabled()
    assert y.data == 4.0
    assert y.history is None and y.is_constant()
    with pytest.raises(ValueError), no_grad():
        raise ValueError
    assert is_grad_enabled()
