"""Scalar semantics of the named elementwise ops, as numba-compiled functions.

numba cannot switch on a string inside a kernel, so every op name maps to a
small integer code (`MAP_CODES`, `ZIP_CODES`): its position in the op tables
of `minitorch.tensor.ops`, the one op vocabulary. `map_value(code, x)` and
`zip_value(code, x, y)` are the single place where each op's arithmetic is
written; the loops in `elementwise.py` call them with a *constant* code, so
after inlining LLVM folds the `if` chain away and each loop holds one op.

The semantics are those of `minitorch.tensor.ops` (the pure-Python
reference), including its edge cases:

- division follows IEEE-754 (x/0 = ±inf, 0/0 = nan): the kernels compile
  with `error_model="numpy"`, so numba never raises ZeroDivisionError;
- `max` and the reductions let NaN win, whichever side it is on;
- `relu(nan)` is nan (as in PyTorch), while `relu_back(nan, g)` is 0;
- `sign(nan)` is 0, `log(0)` is -inf, `log(x < 0)` and `sqrt(x < 0)` are nan;
- `pow` is IEEE (C's pow): nan for a negative base with a non-integer
  exponent, ±inf on overflow and for ±0 to a negative power;
- `is_close`, `inv_back` and `pow` compute in float64 like the reference,
  whose Python floats are doubles; the other ops compute in the storage
  dtype (float32 arithmetic on float32 data), which agrees with the
  reference to within float32 rounding.

A code outside the tables raises ValueError (inside a `prange` loop numba
surfaces it as a SystemError wrapping it); there is no silent default. The
plugin rejects unknown op *names* before any kernel runs.
"""

from __future__ import annotations

import math

import numpy as np

from minitorch.tensor import ops
from numba import njit

# The codes are the positions of the ops in mt-tensor's tables, never a list
# of our own. numba freezes these module-level ints into the machine code it
# compiles and caches on disk (NUMBA_CACHE_DIR), and it revalidates a cached
# kernel only against its own source file, not against ops.py: that is why
# the tables in ops.py are append-only. Appending an op leaves every old code
# unchanged, so a stale cached kernel at worst lacks the new op (and raises,
# below); reordering would silently run the wrong op from an old cache.
MAP_CODES: dict[str, int] = ops.op_codes(ops.MAP_OPS)
ZIP_CODES: dict[str, int] = ops.op_codes(ops.ZIP_OPS)

ID = MAP_CODES["id"]
NEG = MAP_CODES["neg"]
EXP = MAP_CODES["exp"]
LOG = MAP_CODES["log"]
RELU = MAP_CODES["relu"]
SIGMOID = MAP_CODES["sigmoid"]
TANH = MAP_CODES["tanh"]
INV = MAP_CODES["inv"]
SQRT = MAP_CODES["sqrt"]
ABS = MAP_CODES["abs"]
SIGN = MAP_CODES["sign"]

ADD = ZIP_CODES["add"]
SUB = ZIP_CODES["sub"]
MUL = ZIP_CODES["mul"]
DIV = ZIP_CODES["div"]
POW = ZIP_CODES["pow"]
MAX = ZIP_CODES["max"]
LT = ZIP_CODES["lt"]
GT = ZIP_CODES["gt"]
EQ = ZIP_CODES["eq"]
IS_CLOSE = ZIP_CODES["is_close"]
RELU_BACK = ZIP_CODES["relu_back"]
LOG_BACK = ZIP_CODES["log_back"]
INV_BACK = ZIP_CODES["inv_back"]
SIGMOID_BACK = ZIP_CODES["sigmoid_back"]
TANH_BACK = ZIP_CODES["tanh_back"]

# Every jitted function in this package compiles with these options: the
# on-disk cache (NUMBA_CACHE_DIR) and IEEE division instead of exceptions.
JIT = {"cache": True, "error_model": "numpy"}


@njit(**JIT)
def _pow(a: float, b: float) -> float:
    # IEEE / C pow in float64, as the reference now specifies: nan for a
    # negative base to a non-integer power, ±inf on overflow and for 0 to a
    # negative power, 1 for anything to the power 0.
    return np.float64(a) ** np.float64(b)


@njit(**JIT)
def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows (same as the reference).
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(**JIT)
def map_value(code: int, x: float) -> float:
    """`op(x)` for the map op numbered `code` (see `MAP_OPS`)."""
    if code == ID:
        return x
    if code == NEG:
        return -x
    if code == EXP:
        return math.exp(x)
    if code == LOG:
        if x > 0:
            return math.log(x)
        return -math.inf if x == 0 else math.nan
    if code == RELU:
        return x if x > 0 or x != x else 0.0
    if code == SIGMOID:
        return _sigmoid(x)
    if code == TANH:
        return math.tanh(x)
    if code == INV:
        return 1.0 / x
    if code == SQRT:
        return math.sqrt(x) if x >= 0 else math.nan
    if code == ABS:
        return abs(x)
    if code == SIGN:
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
    raise ValueError("map: unknown op code (not in minitorch.tensor.ops.MAP_OPS)")


@njit(**JIT)
def zip_value(code: int, x: float, y: float) -> float:
    """`op(x, y)` for the zip op numbered `code` (see `ZIP_OPS`)."""
    if code == ADD:
        return x + y
    if code == SUB:
        return x - y
    if code == MUL:
        return x * y
    if code == DIV:
        return x / y
    if code == POW:
        return _pow(x, y)
    if code == MAX:
        return x if x >= y or x != x else y
    if code == LT:
        return 1.0 if x < y else 0.0
    if code == GT:
        return 1.0 if x > y else 0.0
    if code == EQ:
        return 1.0 if x == y else 0.0
    if code == IS_CLOSE:
        return 1.0 if abs(np.float64(x) - np.float64(y)) < 1e-2 else 0.0
    if code == RELU_BACK:
        return y if x > 0 else 0.0
    if code == LOG_BACK:
        return y / x
    if code == INV_BACK:
        xd = np.float64(x)
        return -np.float64(y) / (xd * xd)
    if code == SIGMOID_BACK:
        return y * x * (1.0 - x)
    if code == TANH_BACK:
        return y * (1.0 - x * x)
    raise ValueError("zip: unknown op code (not in minitorch.tensor.ops.ZIP_OPS)")
