"""The fixed, named set of primitive ops every backend implements.

Kernels are chosen by name, never by passing Python callables, so a backend
that cannot compile Python (a GPU, a C library) can still implement them. The
pure-Python definitions below are the reference semantics: the reference
backend runs them directly and every other backend must agree with them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from minitorch.autodiff import operators as scalar_ops


def _sign(x: float) -> float:
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan


def _pow(a: float, b: float) -> float:
    """IEEE pow (what C's pow and numpy give) without Python's exceptions."""
    if a < 0 and math.isfinite(a) and math.isfinite(b) and not b.is_integer():
        return math.nan  # a negative base has no real non-integer power
    try:
        return float(a**b)
    except ZeroDivisionError:  # 0 to a negative power
        odd = b.is_integer() and int(b) % 2 == 1
        return -math.inf if odd and math.copysign(1.0, a) < 0 else math.inf
    except OverflowError:
        odd = b.is_integer() and int(b) % 2 == 1
        return -math.inf if odd and a < 0 else math.inf


def _div(a: float, b: float) -> float:
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def _inv(x: float) -> float:
    return _div(1.0, x)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


# Unary ops: out[i] = f(a[i]).
MAP_OPS: dict[str, Callable[[float], float]] = {
    "id": lambda x: x,
    "neg": lambda x: -x,
    "exp": _exp,
    "log": _log,
    "relu": scalar_ops.relu,
    "sigmoid": scalar_ops.sigmoid,
    "tanh": math.tanh,
    "inv": _inv,
    "sqrt": _sqrt,
    "abs": abs,
    "sign": _sign,
}

# Binary ops: out[i] = f(a[i], b[i]). The *_back ops fuse a backward rule:
# their first argument is the forward input (or output, for sigmoid/tanh),
# the second the incoming gradient.
ZIP_OPS: dict[str, Callable[[float, float], float]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": _div,
    "pow": _pow,
    "max": lambda a, b: a if a >= b or math.isnan(a) else b,
    "lt": lambda a, b: 1.0 if a < b else 0.0,
    "gt": lambda a, b: 1.0 if a > b else 0.0,
    "eq": lambda a, b: 1.0 if a == b else 0.0,
    "is_close": lambda a, b: 1.0 if abs(a - b) < 1e-2 else 0.0,
    "relu_back": lambda x, g: g if x > 0 else 0.0,
    "log_back": lambda x, g: _div(g, x),
    "inv_back": lambda x, g: _div(-g, x * x),
    "sigmoid_back": lambda s, g: g * s * (1.0 - s),
    "tanh_back": lambda t, g: g * (1.0 - t * t),
}

# Reductions along one dimension. argmax returns the first index of the
# maximum, stored as a float of the tensor's dtype.
REDUCE_OPS: tuple[str, ...] = ("sum", "max", "argmax")

# Kernels a backend may add to run faster; mt-tensor falls back to
# compositions of the required ops when a backend lacks one. Signatures are
# documented on `minitorch.tensor.backend.Backend`.
OPTIONAL_KERNELS: tuple[str, ...] = (
    "conv2d_forward",
    "conv2d_backward_input",
    "conv2d_backward_weight",
    "max_pool2d_forward",
    "max_pool2d_backward",
    "avg_pool2d_forward",
    "avg_pool2d_backward",
    "softmax",
    "log_softmax",
    "adam_step",
    "sgd_step",
)
