"""Every Scalar op's gradient against central differences."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minitorch.autodiff import Scalar, derivative_check

few = settings(max_examples=50, deadline=None)

small = st.floats(min_value=-10, max_value=10, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=10)
# Central differences straddle the kinks and poles; stay clear of them.
away_from_zero = st.one_of(
    st.floats(min_value=-10, max_value=-0.1), st.floats(min_value=0.1, max_value=10)
)

UNARY: list[tuple[str, Callable[[Scalar], Scalar], st.SearchStrategy[float]]] = [
    ("neg", lambda x: -x, small),
    ("add_const", lambda x: x + 2.5, small),
    ("radd_const", lambda x: 2.5 + x, small),
    ("sub_const", lambda x: x - 2.5, small),
    ("rsub_const", lambda x: 2.5 - x, small),
    ("mul_const", lambda x: x * 3, small),
    ("rmul_const", lambda x: 3 * x, small),
    ("div_const", lambda x: x / 4, small),
    ("rdiv_const", lambda x: 4 / x, away_from_zero),
    ("square", lambda x: x * x, small),
    ("log", lambda x: x.log(), positive),
    ("exp", lambda x: x.exp(), small),
    ("sigmoid", lambda x: x.sigmoid(), small),
    ("relu", lambda x: x.relu(), away_from_zero),
    ("tanh", lambda x: x.tanh(), small),
    ("composite", lambda x: (x * x + 1).log() * x.sigmoid() - x.tanh() / 3, small),
]

BINARY: list[tuple[str, Callable[[Scalar, Scalar], Scalar], st.SearchStrategy[float]]] = [
    ("add", lambda a, b: a + b, small),
    ("sub", lambda a, b: a - b, small),
    ("mul", lambda a, b: a * b, small),
    ("div", lambda a, b: a / b, away_from_zero),
    ("composite", lambda a, b: (a * b).sigmoid() + (a - b).relu() * a / (b * b + 1), small),
]


@pytest.mark.parametrize("name, fn, values", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradient(name: str, fn: Callable, values: st.SearchStrategy[float]) -> None:
    @few
    @given(values)
    def check(x: float) -> None:
        derivative_check(fn, Scalar(x))

    check()


@pytest.mark.parametrize("name, fn, values", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradient(name: str, fn: Callable, values: st.SearchStrategy[float]) -> None:
    @few
    @given(values, values)
    def check(a: float, b: float) -> None:
        # relu's kink at a == b makes the composite's central difference
        # meaningless there; everywhere else it must agree.
        if name == "composite" and abs(a - b) < 1e-3:
            return
        derivative_check(fn, Scalar(a), Scalar(b))

    check()


@few
@given(small, small)
def test_comparisons_have_zero_gradient(a: float, b: float) -> None:
    x, y = Scalar(a), Scalar(b)
    for out in (x < y, x > y, x == y):
        out.backward()
    assert x.grad == 0.0 and y.grad == 0.0


def test_comparisons_at_exact_ties_have_zero_gradient() -> None:
    # A central difference at a tie sees the step (1/2e or -1/2e), so the
    # tie is checked directly: the step's derivative is 0 everywhere.
    x, y = Scalar(1.5), Scalar(1.5)
    eq = x == y
    assert eq.data == 1.0
    eq.backward()
    lt = x < y
    assert lt.data == 0.0
    lt.backward()
    gt = x > y
    assert gt.data == 0.0
    gt.backward()
    assert x.grad == 0.0 and y.grad == 0.0


def test_relu_at_zero_has_zero_gradient() -> None:
    x = Scalar(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_known_gradients() -> None:
    x, y = Scalar(2.0), Scalar(3.0)
    (x * y + x / y).backward()
    assert math.isclose(x.grad, 3.0 + 1 / 3)
    assert math.isclose(y.grad, 2.0 - 2.0 / 9.0)


def test_sigmoid_gradient_is_finite_at_extremes() -> None:
    for v in (1000.0, -1000.0):
        x = Scalar(v)
        x.sigmoid().backward()
        assert x.grad == 0.0


def test_derivative_check_reports_a_wrong_gradient() -> None:
    from minitorch.autodiff import ScalarFunction

    class BadSquare(ScalarFunction):
        """d/dx x^2 = 2x, but backward claims x."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, d_out):
            (x,) = ctx.saved_values
            return d_out * x

    def bad_square(x: Scalar) -> Scalar:
        return BadSquare.apply(x)

    with pytest.raises(AssertionError) as err:
        derivative_check(bad_square, Scalar(3.0))
    message = str(err.value)
    assert "argument 0 of bad_square at (3.0,)" in message
    assert "autodiff gives 3.0" in message
    assert "central difference gives 6.0" in message
