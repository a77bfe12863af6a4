"""Plain-float operators: the named elementwise ops every backend implements.

Each function takes and returns Python floats. Tensor backends name the same
ops (``mul``, ``relu``, ``log_back``...), so this module is the reference
definition of what each one computes, including its behaviour at the edges:
the ops follow IEEE-754 as NumPy does (``log(0) == -inf``, ``inv(0) == inf``,
``exp(1000) == inf``) instead of raising, so a scalar result and a tensor
result of the same expression agree.

The ``*_back`` functions compute ``d * f'(x)``: the gradient flowing back
through ``f`` given the input ``x`` and the upstream derivative ``d``.

The functional helpers (``map``, ``zip_with``, ``reduce``) deliberately
shadow the builtins inside this module, as in MiniTorch; import the module
(``from minitorch.autodiff import operators``) rather than the names.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Iterable

# ---------------------------------------------------------------------------
# Forward ops
# ---------------------------------------------------------------------------


def mul(x: float, y: float) -> float:
    """Product ``x * y``."""
    return float(x * y)


def id(x: float) -> float:
    """Identity: return ``x`` unchanged (as a float)."""
    return float(x)


def add(x: float, y: float) -> float:
    """Sum ``x + y``."""
    return float(x + y)


def neg(x: float) -> float:
    """Negation ``-x``."""
    return float(-x)


def lt(x: float, y: float) -> float:
    """1.0 if ``x < y`` else 0.0 (a float, so it can flow through arithmetic)."""
    return 1.0 if x < y else 0.0


def eq(x: float, y: float) -> float:
    """1.0 if ``x == y`` else 0.0."""
    return 1.0 if x == y else 0.0


def sub(x: float, y: float) -> float:
    """Difference ``x - y``."""
    return float(x - y)


def div(x: float, y: float) -> float:
    """Quotient ``x / y`` with IEEE-754 results instead of raising: ``x / ±0`` is
    ±inf (sign of ``x`` times sign of the zero) and ``0 / 0`` is nan."""
    if y == 0.0:
        if x == 0.0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def pow(x: float, y: float) -> float:
    """``x ** y`` as IEEE-754 / C's ``pow`` gives it, never raising: nan for a
    negative base to a non-integer power, ±inf on overflow and for ±0 to a
    negative power, 1 for anything to the power 0."""
    if x < 0 and math.isfinite(x) and math.isfinite(y) and not y.is_integer():
        return math.nan
    try:
        return float(x**y)
    except ZeroDivisionError:  # ±0 to a negative power
        odd = y.is_integer() and int(y) % 2 == 1
        return -math.inf if odd and math.copysign(1.0, x) < 0 else math.inf
    except OverflowError:
        odd = y.is_integer() and int(y) % 2 == 1
        return -math.inf if odd and x < 0 else math.inf


def max(x: float, y: float) -> float:
    """The larger of ``x`` and ``y`` (``x`` when they tie); nan if either is nan, as
    in PyTorch's ``maximum``."""
    return float(x) if x >= y or x != x else float(y)


def is_close(x: float, y: float, tol: float = 1e-2) -> bool:
    """Whether ``|x - y| < tol``; a loose check meant for tests and examples."""
    return abs(x - y) < tol


def sigmoid(x: float) -> float:
    """Logistic function ``1 / (1 + e^-x)``, stable for any finite ``x``.

    For negative ``x`` the textbook form computes ``e^-x``, which overflows
    near ``x = -710``; the equivalent ``e^x / (1 + e^x)`` only underflows
    towards 0, which is the right answer there.
    """
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def relu(x: float) -> float:
    """Rectified linear unit ``max(x, 0)``; nan stays nan, as in PyTorch."""
    return float(x) if x > 0 or x != x else 0.0


def sqrt(x: float) -> float:
    """Square root; nan below 0 instead of raising."""
    return math.sqrt(x) if x >= 0 else math.nan


def sign(x: float) -> float:
    """1.0, -1.0 or 0.0 by the sign of ``x``; 0.0 for nan (the derivative of ``|x|``)."""
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def log(x: float) -> float:
    """Natural logarithm; ``log(0) = -inf`` and ``log(x < 0) = nan`` as in IEEE-754."""
    if x > 0:
        return math.log(x)
    if x == 0:
        return -math.inf
    return math.nan


def exp(x: float) -> float:
    """Exponential ``e^x``; overflows to ``inf`` instead of raising."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def inv(x: float) -> float:
    """Reciprocal ``1 / x``; ``inv(±0) = ±inf`` instead of raising."""
    if x == 0:
        return math.copysign(math.inf, x)
    return 1.0 / x


def tanh(x: float) -> float:
    """Hyperbolic tangent."""
    return math.tanh(x)


# ---------------------------------------------------------------------------
# Backward ops: d * f'(x)
# ---------------------------------------------------------------------------


def log_back(x: float, d: float) -> float:
    """``d * d/dx log(x) = d / x``."""
    return d * inv(x)


def inv_back(x: float, d: float) -> float:
    """``d * d/dx (1/x) = -d / x^2``."""
    return -d * inv(x * x)


def relu_back(x: float, d: float) -> float:
    """``d * 1[x > 0]``: the kink at 0 gets derivative 0, as in PyTorch."""
    return float(d) if x > 0 else 0.0


def sigmoid_back(x: float, d: float) -> float:
    """``d * s * (1 - s)`` with ``s = sigmoid(x)``."""
    s = sigmoid(x)
    return d * s * (1.0 - s)


def tanh_back(x: float, d: float) -> float:
    """``d * (1 - tanh(x)^2)``."""
    t = math.tanh(x)
    return d * (1.0 - t * t)


def exp_back(x: float, d: float) -> float:
    """``d * e^x``."""
    return d * exp(x)


# ---------------------------------------------------------------------------
# Functional helpers
# ---------------------------------------------------------------------------


def map(fn: Callable[[float], float]) -> Callable[[Iterable[float]], list[float]]:
    """Lift a one-argument function to lists: ``map(fn)(xs) == [fn(x) for x in xs]``."""

    def apply(xs: Iterable[float]) -> list[float]:
        return [fn(x) for x in xs]

    return apply


def zip_with(
    fn: Callable[[float, float], float],
) -> Callable[[Iterable[float], Iterable[float]], list[float]]:
    """Lift a two-argument function to pairs of equal-length lists."""

    def apply(xs: Iterable[float], ys: Iterable[float]) -> list[float]:
        xs, ys = list(xs), list(ys)
        if len(xs) != len(ys):
            # Silently truncating (as builtin zip does) would hide shape bugs.
            raise ValueError(f"zip_with needs lists of equal length, got {len(xs)} and {len(ys)}")
        return [fn(x, y) for x, y in builtins.zip(xs, ys, strict=True)]

    return apply


def reduce(fn: Callable[[float, float], float], start: float) -> Callable[[Iterable[float]], float]:
    """Fold a list from the left: ``reduce(fn, s)([a, b]) == fn(fn(s, a), b)``."""

    def apply(xs: Iterable[float]) -> float:
        acc = start
        for x in xs:
            acc = fn(acc, x)
        return acc

    return apply


def neg_list(xs: Iterable[float]) -> list[float]:
    """Negate every element."""
    return map(neg)(xs)


def add_lists(xs: Iterable[float], ys: Iterable[float]) -> list[float]:
    """Elementwise sum of two equal-length lists."""
    return zip_with(add)(xs, ys)


def sum(xs: Iterable[float]) -> float:
    """Sum of a list (0.0 for an empty one)."""
    return reduce(add, 0.0)(xs)


def prod(xs: Iterable[float]) -> float:
    """Product of a list (1.0 for an empty one)."""
    return reduce(mul, 1.0)(xs)
