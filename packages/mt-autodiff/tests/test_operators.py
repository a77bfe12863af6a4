"""The plain-float operators: values, algebraic laws, edge cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minitorch.autodiff import operators

small = st.floats(min_value=-100, max_value=100, allow_nan=False)
positive = st.floats(min_value=1e-3, max_value=100)
away_from_zero = st.one_of(
    st.floats(min_value=-100, max_value=-1e-3), st.floats(min_value=1e-3, max_value=100)
)
short_lists = st.lists(small, max_size=10)

few = settings(max_examples=50, deadline=None)


@few
@given(small, small)
def test_basic_arithmetic(x: float, y: float) -> None:
    assert operators.mul(x, y) == x * y
    assert operators.add(x, y) == x + y
    assert operators.neg(x) == -x
    assert operators.id(x) == x
    assert isinstance(operators.id(3), float)


@few
@given(small, small)
def test_addition_and_multiplication_commute(x: float, y: float) -> None:
    assert operators.add(x, y) == operators.add(y, x)
    assert operators.mul(x, y) == operators.mul(y, x)


@few
@given(small, small, small)
def test_multiplication_distributes(x: float, y: float, z: float) -> None:
    lhs = operators.mul(z, operators.add(x, y))
    rhs = operators.add(operators.mul(z, x), operators.mul(z, y))
    assert math.isclose(lhs, rhs, rel_tol=1e-9, abs_tol=1e-9)


@few
@given(small, small)
def test_comparisons(x: float, y: float) -> None:
    assert operators.lt(x, y) == (1.0 if x < y else 0.0)
    assert operators.eq(x, y) == (1.0 if x == y else 0.0)
    assert operators.max(x, y) == max(x, y)
    # Exactly one of x < y, y < x, x == y holds.
    assert operators.lt(x, y) + operators.lt(y, x) + operators.eq(x, y) == 1.0


def test_comparisons_at_ties() -> None:
    assert operators.lt(2.0, 2.0) == 0.0
    assert operators.eq(2.0, 2.0) == 1.0
    assert operators.max(2.0, 2.0) == 2.0
    assert operators.is_close(1.0, 1.0 + 1e-3)
    assert not operators.is_close(1.0, 1.1)


@few
@given(small)
def test_sigmoid_properties(x: float) -> None:
    s = operators.sigmoid(x)
    assert 0.0 <= s <= 1.0
    assert math.isclose(1.0 - s, operators.sigmoid(-x), abs_tol=1e-12)
    assert operators.sigmoid(x + 1.0) >= s  # monotone
    assert operators.sigmoid(0.0) == 0.5


@pytest.mark.parametrize(
    "x, expected", [(1000.0, 1.0), (-1000.0, 0.0), (-800.0, 0.0), (710.0, 1.0)]
)
def test_sigmoid_is_stable_for_large_inputs(x: float, expected: float) -> None:
    assert math.isclose(operators.sigmoid(x), expected, abs_tol=1e-300)
    assert not math.isnan(operators.sigmoid(x))
    assert operators.sigmoid_back(x, 1.0) == 0.0


@few
@given(small)
def test_relu(x: float) -> None:
    assert operators.relu(x) == (x if x > 0 else 0.0)
    assert operators.relu_back(x, 3.0) == (3.0 if x > 0 else 0.0)
    assert operators.relu(0.0) == 0.0
    assert operators.relu_back(0.0, 1.0) == 0.0


@few
@given(positive)
def test_log_exp_inverse(x: float) -> None:
    assert math.isclose(operators.exp(operators.log(x)), x, rel_tol=1e-12)
    assert math.isclose(operators.log(operators.exp(x)), x, rel_tol=1e-12)


@few
@given(away_from_zero)
def test_inv(x: float) -> None:
    assert math.isclose(operators.mul(x, operators.inv(x)), 1.0, rel_tol=1e-12)
    assert math.isclose(operators.inv(operators.inv(x)), x, rel_tol=1e-12)


def test_ieee_edge_cases() -> None:
    assert operators.log(0.0) == -math.inf
    assert math.isnan(operators.log(-1.0))
    assert operators.inv(0.0) == math.inf
    assert operators.inv(-0.0) == -math.inf
    assert operators.exp(1000.0) == math.inf
    assert operators.exp(-1000.0) == 0.0
    assert operators.tanh(1000.0) == 1.0


def _numeric(f, x: float, eps: float = 1e-6) -> float:
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@few
@given(positive, small)
def test_log_back(x: float, d: float) -> None:
    assert math.isclose(
        operators.log_back(x, d), d * _numeric(operators.log, x), rel_tol=1e-4, abs_tol=1e-4
    )


@few
@given(away_from_zero, small)
def test_inv_back(x: float, d: float) -> None:
    expected = d * _numeric(operators.inv, x, eps=1e-8)
    assert math.isclose(operators.inv_back(x, d), expected, rel_tol=1e-4, abs_tol=1e-4)


@few
@given(st.floats(min_value=-20, max_value=20), small)
def test_smooth_backs_match_central_difference(x: float, d: float) -> None:
    for f, back in [
        (operators.sigmoid, operators.sigmoid_back),
        (operators.tanh, operators.tanh_back),
        (operators.exp, operators.exp_back),
    ]:
        expected = d * _numeric(f, x)
        assert math.isclose(back(x, d), expected, rel_tol=1e-4, abs_tol=1e-4), f.__name__


@few
@given(short_lists)
def test_map_and_neg_list(xs: list[float]) -> None:
    assert operators.map(operators.neg)(xs) == [-x for x in xs]
    assert operators.neg_list(xs) == [-x for x in xs]
    assert operators.neg_list(iter(xs)) == [-x for x in xs]


@few
@given(short_lists)
def test_zip_with_and_add_lists(xs: list[float]) -> None:
    ys = [x * 0.5 for x in xs]
    assert operators.add_lists(xs, ys) == [x + y for x, y in zip(xs, ys, strict=True)]
    assert operators.zip_with(operators.mul)(xs, ys) == [x * y for x, y in zip(xs, ys, strict=True)]


def test_zip_with_rejects_unequal_lengths() -> None:
    with pytest.raises(ValueError, match="equal length, got 2 and 1"):
        operators.add_lists([1.0, 2.0], [1.0])


@few
@given(short_lists)
def test_sum_and_prod(xs: list[float]) -> None:
    assert math.isclose(operators.sum(xs), math.fsum(xs), abs_tol=1e-9)
    assert math.isclose(operators.prod(xs[:5]), math.prod(xs[:5]), rel_tol=1e-12)


def test_reduce_folds_from_the_left_and_handles_empty() -> None:
    assert operators.reduce(lambda acc, x: acc * 10 + x, 0.0)([1.0, 2.0, 3.0]) == 123.0
    assert operators.sum([]) == 0.0
    assert operators.prod([]) == 1.0
