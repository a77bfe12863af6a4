"""``Scalar``: a Python float that records how it was computed.

Arithmetic on Scalars builds a graph: each result keeps the engine's
``History`` (the function that made it, its ``Context`` and its inputs).
``backward()`` walks that graph once, fills ``.grad`` on the leaves, and
releases it. The engine (``autodiff.py``, ``function.py``) is the one that
trains tensors too; a Scalar is the smallest ``Variable`` it can work on.
"""

from __future__ import annotations

import itertools
from numbers import Real
from typing import Any

from .autodiff import backpropagate
from .function import History
from .scalar_functions import (
    EQ,
    LT,
    Add,
    Exp,
    Inv,
    Log,
    Mul,
    Neg,
    ReLU,
    Sigmoid,
    Tanh,
)

_ids = itertools.count()


class Scalar:
    """A differentiable float.

    Args:
        value: the number (ints and other reals are converted to float).
        history: how it was computed; None for a leaf made by the user.
        requires_grad: whether a leaf collects a gradient. Numbers mixed into
            an expression (``x * 2``) become constants with ``False``.
        name: an optional label, shown by ``repr`` and ``to_dot``.

    Example:
        >>> x = Scalar(2.0, name="x")
        >>> y = x * x + x
        >>> y.backward()
        >>> x.grad
        5.0
    """

    __slots__ = ("data", "grad", "history", "requires_grad", "name", "_id", "__weakref__")
    data: float
    grad: float | None
    history: History | None
    requires_grad: bool
    name: str | None
    _id: int

    def __init__(
        self,
        value: float,
        history: History | None = None,
        *,
        requires_grad: bool = True,
        name: str | None = None,
    ) -> None:
        if isinstance(value, Scalar):
            raise TypeError("Scalar(value) takes a number; use value.data to copy a Scalar")
        if not isinstance(value, Real):
            raise TypeError(f"Scalar needs a real number, got {type(value).__name__}")
        self.data = float(value)
        self.grad = None
        self.history = history
        self.requires_grad = requires_grad or history is not None
        self.name = name
        self._id = next(_ids)

    # -- Variable protocol (what the engine calls) ---------------------------

    def accumulate_grad(self, grad: float, claimed: set[int]) -> None:
        """Add `grad` to ``.grad`` (floats are immutable: nothing to claim)."""
        self.grad = grad if self.grad is None else self.grad + grad

    def validate_grad(self, grad: Any, producer: str) -> float:
        """A derivative for this input must be a real number."""
        if not isinstance(grad, Real):
            raise TypeError(
                f"{producer}.backward returned {type(grad).__name__} for a Scalar input; "
                "return a float"
            )
        return float(grad)

    def detach(self) -> Scalar:
        """The same value as a constant, with no history."""
        return Scalar(self.data, requires_grad=False)

    def _dot_value(self) -> str:
        return f"{self.data:.6g}"

    # -- Cornell's MiniTorch names for the graph -----------------------------

    @property
    def unique_id(self) -> int:
        return self._id

    def is_leaf(self) -> bool:
        """True when the user made this Scalar (it has no history)."""
        return self.history is None

    def is_constant(self) -> bool:
        """True when no derivative with respect to this Scalar is needed."""
        return not self.requires_grad

    @property
    def parents(self) -> tuple[Scalar, ...]:
        """The inputs of the function that produced this Scalar (none for a leaf).

        Raises RuntimeError when an earlier backward released the history.
        """
        if self.history is None:
            return ()
        if self.history.released:
            raise RuntimeError(
                f"the graph of this Scalar (made by {self.history.name}) was released by an "
                "earlier backward(); call backward(retain_graph=True) to keep it"
            )
        return self.history.inputs

    # -- Backward ------------------------------------------------------------

    def backward(self, d_output: float = 1.0, *, retain_graph: bool = False) -> None:
        """Fill ``.grad`` of every leaf this Scalar depends on.

        Args:
            d_output: d loss / d self; 1.0 when self is the loss.
            retain_graph: keep the graph so backward can run through it again.
        """
        if self.is_constant():
            raise RuntimeError(
                "this Scalar does not require grad: it was computed only from "
                "constants or under no_grad(); make an input with Scalar(value)"
            )
        backpropagate(self, float(d_output), retain_graph=retain_graph)

    # -- Arithmetic ------------------------------------------------------------

    def __add__(self, other: Scalar | float) -> Scalar:
        return Add.apply(self, other)

    def __radd__(self, other: float) -> Scalar:
        return Add.apply(other, self)

    def __neg__(self) -> Scalar:
        return Neg.apply(self)

    def __sub__(self, other: Scalar | float) -> Scalar:
        return Add.apply(self, Neg.apply(other))

    def __rsub__(self, other: float) -> Scalar:
        return Add.apply(other, Neg.apply(self))

    def __mul__(self, other: Scalar | float) -> Scalar:
        return Mul.apply(self, other)

    def __rmul__(self, other: float) -> Scalar:
        return Mul.apply(other, self)

    def __truediv__(self, other: Scalar | float) -> Scalar:
        return Mul.apply(self, Inv.apply(other))

    def __rtruediv__(self, other: float) -> Scalar:
        return Mul.apply(other, Inv.apply(self))

    # Comparisons return Scalars of 0.0/1.0 with zero gradient, so they can
    # gate other terms (``(x > 0) * x``) without breaking the graph.

    def __lt__(self, other: Scalar | float) -> Scalar:
        return LT.apply(self, other)

    def __gt__(self, other: Scalar | float) -> Scalar:
        return LT.apply(other, self)

    def __eq__(self, other: object) -> Scalar:  # type: ignore[override]
        if isinstance(other, Scalar):
            return EQ.apply(self, other)
        if isinstance(other, Real):
            return EQ.apply(self, float(other))
        return NotImplemented

    # __eq__ returns a Scalar, so hashing keeps object identity (a Scalar
    # stays usable as a dict key or set member).
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The value as a Python float."""
        return self.data

    # -- Unary functions ---------------------------------------------------------

    def log(self) -> Scalar:
        """Natural logarithm."""
        return Log.apply(self)

    def exp(self) -> Scalar:
        """e to the power of self."""
        return Exp.apply(self)

    def sigmoid(self) -> Scalar:
        """Logistic sigmoid, stable for large |x|."""
        return Sigmoid.apply(self)

    def relu(self) -> Scalar:
        """max(self, 0)."""
        return ReLU.apply(self)

    def tanh(self) -> Scalar:
        """Hyperbolic tangent."""
        return Tanh.apply(self)

    def __repr__(self) -> str:
        parts = [repr(self.data)]
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        if self.history is not None:
            parts.append(f"grad_fn={self.history.name}")
        elif not self.requires_grad:
            parts.append("requires_grad=False")
        if self.grad is not None:
            parts.append(f"grad={self.grad!r}")
        return f"Scalar({', '.join(parts)})"


def as_scalar(x: Scalar | float | Real) -> Scalar:
    """``x`` itself if it is a Scalar, else a constant Scalar holding it."""
    if isinstance(x, Scalar):
        return x
    if isinstance(x, Real):
        return Scalar(float(x), requires_grad=False)
    raise TypeError(f"cannot use {type(x).__name__} in a Scalar expression; expected a number")
