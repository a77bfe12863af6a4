"""Numerical derivatives, to check autodiff against.

The central difference ``(f(x + e) - f(x - e)) / 2e`` has error O(e^2) for a
smooth ``f``, against O(e) for the one-sided version, which is why it is the
reference every gradient test here compares with.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .scalar import Scalar


def central_difference(
    f: Callable[..., float | Scalar], *vals: float, arg: int = 0, epsilon: float = 1e-6
) -> float:
    """Approximate ``d f / d vals[arg]`` at ``vals`` by a central difference.

    Args:
        f: a function of ``len(vals)`` numbers; it may return a float or a
            Scalar (anything ``float()`` accepts).
        vals: the point to differentiate at.
        arg: which argument to differentiate with respect to.
        epsilon: half the step; 1e-6 balances truncation and rounding error in
            float64.
    """
    if not 0 <= arg < len(vals):
        raise IndexError(f"arg={arg} is out of range for {len(vals)} value(s)")
    up = [float(v) for v in vals]
    down = list(up)
    up[arg] += epsilon
    down[arg] -= epsilon
    return (float(f(*up)) - float(f(*down))) / (2.0 * epsilon)


def derivative_check(
    f: Callable[..., Scalar],
    *scalars: Scalar,
    rtol: float = 1e-3,
    atol: float = 1e-5,
    epsilon: float = 1e-6,
) -> None:
    """Check that backward through ``f(*scalars)`` matches central differences.

    Runs ``f`` on the given leaves, calls ``backward()``, and compares each
    leaf's ``.grad`` (an unused leaf counts as 0) with a central difference
    of ``f`` evaluated on fresh constants. The leaves' ``.grad`` is reset
    first, so it holds this check's result afterwards.

    Raises:
        AssertionError: naming the argument, both derivatives and the point,
            when they differ by more than ``atol + rtol * |numeric|``.
    """
    for x in scalars:
        x.grad = None
    out = f(*scalars)
    if not isinstance(out, Scalar):
        raise TypeError(f"derivative_check needs f to return a Scalar, got {type(out).__name__}")
    out.backward()
    point = tuple(x.data for x in scalars)

    def f_of_floats(*vals: float) -> float:
        return float(f(*(Scalar(v, requires_grad=False) for v in vals)))

    for i, x in enumerate(scalars):
        analytic = 0.0 if x.grad is None else x.grad
        numeric = central_difference(f_of_floats, *point, arg=i, epsilon=epsilon)
        if not math.isclose(analytic, numeric, rel_tol=rtol, abs_tol=atol):
            name = getattr(f, "__name__", repr(f))
            raise AssertionError(
                f"derivative check failed for argument {i} of {name} at {point}: "
                f"autodiff gives {analytic!r}, central difference gives {numeric!r} "
                f"(rtol={rtol}, atol={atol})"
            )
