"""minitorch.autodiff: THE autodiff engine of minitorch, and scalars to learn it on.

The engine is three small modules that know nothing about what a value holds:

- ``grad_mode``: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
  ``inference_mode`` (per thread, as in PyTorch);
- ``function``: ``Function`` (one op, forward and backward side by side),
  ``Context`` (what forward saves, with the version checks that catch
  in-place edits) and ``History`` (a recorded op: PyTorch's ``grad_fn``);
- ``autodiff``: the ``Variable`` protocol, ``topological_sort``,
  ``backpropagate`` and ``queue_callback`` (work for the end of a backward).

``Scalar`` (a differentiable float) and ``minitorch.tensor.Tensor`` are both
``Variable``s and train through the same code. ``central_difference`` is the
numerical derivative both check against; ``to_dot`` draws either's graph;
``operators`` holds the plain-float ops every backend names; ``hooks`` the
``RemovableHandle`` that registering a hook (on a tensor, on a module) returns.
"""

from . import operators
from .autodiff import Variable, backpropagate, queue_callback, topological_sort
from .derivative import central_difference, derivative_check
from .dot import to_dot
from .function import Context, Function, History
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .hooks import RemovableHandle
from .scalar import Scalar, as_scalar
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
    "Function",
    "History",
    "Inv",
    "Log",
    "Mul",
    "Neg",
    "ReLU",
    "RemovableHandle",
    "queue_callback",
    "Scalar",
    "ScalarFunction",
    "Sigmoid",
    "Tanh",
    "Variable",
    "as_scalar",
    "backpropagate",
    "central_difference",
    "derivative_check",
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "operators",
    "set_grad_enabled",
    "to_dot",
    "topological_sort",
]
