"""The fixed, named set of primitive ops every backend implements: written once, here.

Kernels are chosen by name, never by passing Python callables, so a backend
that cannot compile Python (a GPU, a C library) can still implement them.
The tables below are the whole vocabulary, and their order is part of it:
a backend that needs small integer codes (numba, CUDA) takes an op's
position in its table as its code (`op_codes`), so the tables only ever
grow at the end (compiled kernels on disk remember the codes).

The functions are the reference semantics, with the float edge cases of
`minitorch.autodiff.operators` (IEEE division, nan propagation, log and
sqrt domains): the reference backend runs them directly and every other
backend must agree with them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from minitorch.autodiff import operators


def _floordiv(x: float, y: float) -> float:
    # PyTorch's floor_divide on floats: floor of the IEEE quotient (x // 0.0 = ±inf).
    q = operators.div(x, y)
    return math.floor(q) if math.isfinite(q) else q


def _mod(x: float, y: float) -> float:
    # PyTorch's remainder: x - floor(x / y) * y, the sign of the divisor (Python's %).
    if y == 0.0 or not math.isfinite(x) or y != y:
        return math.nan
    r = math.fmod(x, y)
    return r + y if r != 0 and (r < 0) != (y < 0) else r

# Unary ops: out[i] = f(a[i]).
MAP_OPS: dict[str, Callable[[float], float]] = {
    "id": operators.id,
    "neg": operators.neg,
    "exp": operators.exp,
    "log": operators.log,
    "relu": operators.relu,
    "sigmoid": operators.sigmoid,
    "tanh": operators.tanh,
    "inv": operators.inv,
    "sqrt": operators.sqrt,
    "abs": abs,
    "sign": operators.sign,
    "sin": lambda x: math.sin(x) if math.isfinite(x) else math.nan,
    "cos": lambda x: math.cos(x) if math.isfinite(x) else math.nan,
    "not": lambda x: float(x == 0),  # logical not: bool in, bool out
}

# Binary ops: out[i] = f(a[i], b[i]). The *_back ops fuse a backward rule:
# their first argument is the forward input (or output, for sigmoid/tanh),
# the second the incoming gradient.
ZIP_OPS: dict[str, Callable[[float, float], float]] = {
    "add": operators.add,
    "sub": operators.sub,
    "mul": operators.mul,
    "div": operators.div,
    "pow": operators.pow,
    "max": operators.max,
    "lt": operators.lt,
    "gt": lambda a, b: operators.lt(b, a),
    "eq": operators.eq,
    "is_close": lambda a, b: float(operators.is_close(a, b)),
    "relu_back": operators.relu_back,
    "log_back": lambda x, g: operators.div(g, x),
    "inv_back": lambda x, g: operators.div(-g, x * x),
    "sigmoid_back": lambda s, g: g * s * (1.0 - s),
    "tanh_back": lambda t, g: g * (1.0 - t * t),
    "le": lambda a, b: float(a <= b),
    "ge": lambda a, b: float(a >= b),
    "ne": lambda a, b: float(a != b),
    "floordiv": _floordiv,
    "mod": _mod,
    "and": lambda a, b: float(bool(a) and bool(b)),
    "or": lambda a, b: float(bool(a) or bool(b)),
    "xor": lambda a, b: float(bool(a) != bool(b)),
}


def _int_pow(x: int, y: int) -> int:
    # Integer powers stay integers; a negative exponent gives the truncated
    # quotient 1 / x**-y (1 for x == 1, ±1 for x == -1, 0 otherwise; 0 for x == 0).
    if y >= 0:
        return x**y
    if x == 1 or x == -1:
        return x ** (-y % 2)
    return 0


# Integer semantics (int32 / int64 operands) where they differ from the float
# functions above; every other op a table allows on integers is the float
# function applied to the exact integer values. Division by zero in
# floordiv / mod gives 0 (numpy's result; PyTorch raises ZeroDivisionError).
INT_MAP_OPS: dict[str, Callable[[int], int]] = {
    "id": lambda x: x,
    "neg": lambda x: -x,
    "abs": abs,
    "sign": lambda x: (x > 0) - (x < 0),
    "relu": lambda x: x if x > 0 else 0,
}
INT_ZIP_OPS: dict[str, Callable[[int, int], int]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "pow": _int_pow,
    "max": lambda x, y: x if x >= y else y,
    "floordiv": lambda x, y: x // y if y else 0,
    "mod": lambda x, y: x % y if y else 0,
}

# -- which dtypes each op is called with ------------------------------------
# mt-tensor converts operands before a kernel runs, so a backend only ever
# sees these combinations (dtype names of `minitorch.tensor.dtype`):
#
# map:    out has a's dtype, except `id` (the cast: any dtype to any dtype;
#         float to integer truncates toward zero, anything to bool is `!= 0`,
#         nan / inf / out of range to an integer is unspecified) and `not`
#         (bool to bool).
# zip:    a and b share one dtype; out has it too, except for COMPARE_OPS,
#         whose out is bool.
# where:  cond is bool; a, b and out share one dtype (any).
# reduce: `sum` keeps the dtype (int64 or floating point: mt-tensor widens
#         bool and int32 to int64 first, as PyTorch's sum does), `max` keeps
#         it (any dtype but bool), `argmax` writes int64.
# matmul and every optional kernel: floating point only.
# take / put: values of any dtype, offsets int64; nonzero writes int64.
FLOAT_ONLY_MAP: frozenset[str] = frozenset(
    {"exp", "log", "sigmoid", "tanh", "inv", "sqrt", "sin", "cos"})
FLOAT_ONLY_ZIP: frozenset[str] = frozenset(
    {"div", "is_close", "relu_back", "log_back", "inv_back", "sigmoid_back", "tanh_back"})
BOOL_ONLY: frozenset[str] = frozenset({"not", "and", "or", "xor"})
COMPARE_OPS: frozenset[str] = frozenset({"lt", "gt", "le", "ge", "eq", "ne", "is_close"})
# Ops a bool operand may take besides the bool-only ones (anything else
# widens bool to int64 first).
BOOL_OK: frozenset[str] = frozenset({"id", "eq", "ne", "lt", "gt", "le", "ge", "max"})


def op_dtypes(kind: str, op: str) -> tuple[str, ...]:
    """The operand dtypes mt-tensor may call `kind` ("map", "zip") op `op` with."""
    if op in BOOL_ONLY:
        return ("bool",)
    floats = ("float32", "float64")
    if op in (FLOAT_ONLY_MAP if kind == "map" else FLOAT_ONLY_ZIP):
        return floats
    ints = ("int32", "int64")
    return (("bool",) if op in BOOL_OK else ()) + ints + floats


# Reductions along one dimension. `max` lets nan win; `argmax` returns the
# first index of the maximum (of the first nan, if any), as int64. Both
# refuse an empty dimension (mt-tensor checks).
REDUCE_OPS: tuple[str, ...] = ("sum", "max", "argmax")

# How `put` combines a value with the element it lands on.
PUT_OPS: tuple[str, ...] = ("set", "add")

# Kernels every backend provides (signatures on `minitorch.tensor.backend.Backend`).
REQUIRED_KERNELS: tuple[str, ...] = (
    "map", "zip", "reduce", "matmul", "where", "take", "put", "nonzero")

# The indexing ops of the torch namespace and the kernel each one lowers
# onto (mt-tensor computes the element offsets; see `indexing.py`).
INDEX_OPS: dict[str, str] = {
    "getitem (int tensors, lists, ranges, bool masks)": "take",
    "setitem (same keys)": "put set",
    "gather": "take",
    "index_select": "take",
    "scatter": "put set",
    "scatter_add": "put add",
    "masked_fill": "where",
    "nonzero": "nonzero",
}

# Kernels a backend may add to run faster; mt-tensor falls back to
# compositions of the required ops when a backend lacks one. Signatures are
# documented on `minitorch.tensor.backend.Backend`; `dispatch.optional_kernel`
# is the one place that looks them up.
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
    "max_pool2d_forward_indices",
    "max_pool2d_backward_indices",
)


def op_codes(table: dict[str, Callable] | tuple[str, ...]) -> dict[str, int]:
    """Each op name of `table` with its code: its position in the table."""
    return {name: code for code, name in enumerate(table)}


def unknown_op(kind: str, op: str, table: dict[str, Callable] | tuple[str, ...]) -> ValueError:
    """The error for an op name a kernel does not know, listing the ones it does."""
    return ValueError(f"{kind}: unknown op {op!r}; known: {', '.join(table)}")
