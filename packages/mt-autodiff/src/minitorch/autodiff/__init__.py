"""minitorch.autodiff: scalar automatic differentiation.

``Scalar`` is a differentiable float; ``backward()`` fills ``.grad`` on the
leaves. ``topological_sort`` and ``backpropagate`` work on any object that
follows the ``Variable`` protocol and are reused by ``minitorch.tensor``.
``operators`` holds the plain-float ops every backend names.
"""

from . import operators
from .autodiff import (
    Context,
    Variable,
    backpropagate,
    is_grad_enabled,
    no_grad,
    topological_sort,
)
from .derivative import central_difference, derivative_check
from .dot import to_dot
from .scalar import Scalar, ScalarHistory, as_scalar
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
    ScalarFunction,
    Sigmoid,
    Tanh,
)

__all__ = [
    "EQ",
    "LT",
    "Add",
    "Context",
    "Exp",
    "Inv",
    "Log",
    "Mul",
    "Neg",
    "ReLU",
    "Scalar",
    "ScalarFunction",
    "ScalarHistory",
    "Sigmoid",
    "Tanh",
    "Variable",
    "as_scalar",
    "backpropagate",
    "central_difference",
    "derivative_check",
    "is_grad_enabled",
    "no_grad",
    "operators",
    "to_dot",
    "topological_sort",
]
