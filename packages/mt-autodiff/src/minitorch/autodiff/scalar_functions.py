"""One class per differentiable scalar op: forward and backward side by side.

``forward(ctx, *floats) -> float`` computes the value and saves on ``ctx``
only what ``backward`` needs; ``backward(ctx, d_out)`` returns the derivative
for each input (a float, or a tuple with one float per input). Both work on
plain floats: ``ScalarFunction`` is the engine's ``Function`` with inputs
unwrapped to floats before ``forward`` and the result wrapped into a
``Scalar``; recording the history is the engine's, shared with tensors.

Derived ops are not here: ``a - b`` is ``Add(a, Neg(b))`` and ``a / b`` is
``Mul(a, Inv(b))`` (see ``scalar.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# `scalar` imports this module for its operator methods, so this side binds
# the module (its attributes are looked up when `apply` runs) rather than the
# class, which does not exist yet while the two modules load. The package
# __init__ imports `scalar` first.
from . import operators
from . import scalar as _scalar
from .function import Context, Function

if TYPE_CHECKING:
    from .scalar import Scalar


class ScalarFunction(Function):
    """Base class of the differentiable scalar ops; use ``Op.apply(*inputs)``.

    ``forward(ctx, *floats) -> float`` and ``backward(ctx, d_out)`` as in the
    module docstring.
    """

    @classmethod
    def apply(cls, *inputs: Scalar | float) -> Scalar:
        """Run the op on Scalars or numbers (numbers become constants)."""
        return super().apply(*(_scalar.as_scalar(x) for x in inputs))

    @classmethod
    def _forward(cls, ctx: Context, inputs: tuple[Any, ...], params: dict[str, Any]) -> Scalar:
        value = cls.forward(ctx, *(x.data for x in inputs))
        return _scalar.Scalar(value, requires_grad=False)


class Add(ScalarFunction):
    """d/da (a + b) = 1, d/db (a + b) = 1."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        return operators.add(a, b)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> tuple[float, float]:
        return d_out, d_out


class Mul(ScalarFunction):
    """d/da (a * b) = b, d/db (a * b) = a."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ctx.save_for_backward(a, b)
        return operators.mul(a, b)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> tuple[float, float]:
        a, b = ctx.saved_values
        return operators.mul(d_out, b), operators.mul(d_out, a)


class Neg(ScalarFunction):
    """d/dx (-x) = -1."""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        return operators.neg(x)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        return operators.neg(d_out)


class Inv(ScalarFunction):
    """d/dx (1/x) = -1/x^2."""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        ctx.save_for_backward(x)
        return operators.inv(x)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        (x,) = ctx.saved_values
        return operators.inv_back(x, d_out)


class Log(ScalarFunction):
    """d/dx log(x) = 1/x."""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        ctx.save_for_backward(x)
        return operators.log(x)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        (x,) = ctx.saved_values
        return operators.log_back(x, d_out)


class Exp(ScalarFunction):
    """d/dx e^x = e^x."""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        out = operators.exp(x)
        # The output is its own derivative: save the float, not the Scalar,
        # so the graph holds no reference back to the result.
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        (out,) = ctx.saved_values
        return operators.mul(d_out, out)


class Sigmoid(ScalarFunction):
    """d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))."""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        out = operators.sigmoid(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        (s,) = ctx.saved_values
        return d_out * s * (1.0 - s)


class ReLU(ScalarFunction):
    """d/dx relu(x) = 1[x > 0]."""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        ctx.save_for_backward(x)
        return operators.relu(x)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        (x,) = ctx.saved_values
        return operators.relu_back(x, d_out)


class Tanh(ScalarFunction):
    """d/dx tanh(x) = 1 - tanh(x)^2."""

    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        out = operators.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        (t,) = ctx.saved_values
        return d_out * (1.0 - t * t)


class LT(ScalarFunction):
    """d/da 1[a < b] = d/db 1[a < b] = 0 (a step function; 0 at the tie too)."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        return operators.lt(a, b)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> tuple[float, float]:
        return 0.0, 0.0


class EQ(ScalarFunction):
    """d/da 1[a == b] = d/db 1[a == b] = 0 (nonzero only on a set of measure 0)."""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        return operators.eq(a, b)

    @staticmethod
    def backward(ctx: Context, d_out: float) -> tuple[float, float]:
        return 0.0, 0.0
