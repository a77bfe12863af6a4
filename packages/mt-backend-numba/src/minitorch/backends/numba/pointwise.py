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
- `is_close`, `inv_back`, `pow`, `floordiv` and `mod` compute in float64
  like the reference, whose Python floats are doubles (a float32 quotient
  rounded up to an integer would floor one too high); the other ops compute
  in the storage dtype (float32 arithmetic on float32 data), which agrees
  with the reference to within float32 rounding.

Integer and bool operands have their own scalar functions, exact in int64
(numba widens int32 arithmetic to int64; the kernels store the result back
into the storage dtype):

- `int_map_value` / `int_zip_value`: `ops.INT_MAP_OPS` / `ops.INT_ZIP_OPS`
  (floordiv / mod by zero give 0, `pow` with a negative exponent follows
  `ops._int_pow`) and the comparisons as 1 / 0. `floordiv` / `mod` by -1
  never reach the CPU's divide (INT_MIN / -1 traps on x86).
- `bool_map_value` / `bool_zip_value`: the ops a bool operand may take
  (`id`, `not`, the comparisons, `max`, `and`, `or`, `xor`), as bools.

`map_value_any(code, x)` and `zip_value_any(code, x, y)` pick one of the
three by the operand's numba type at compile time (`numba.extending.overload`),
so a kernel written once compiles to exact integer code for integer storages
and to the unchanged float code for float storages. They only work inside
jitted code.

A code outside the tables raises ValueError (inside a `prange` loop numba
surfaces it as a SystemError wrapping it); there is no silent default. The
plugin rejects unknown op *names* before any kernel runs.
"""

from __future__ import annotations

import math

import numpy as np

from minitorch.tensor import ops
from numba import njit, types
from numba.extending import overload

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
SIN = MAP_CODES["sin"]
COS = MAP_CODES["cos"]
NOT = MAP_CODES["not"]

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
LE = ZIP_CODES["le"]
GE = ZIP_CODES["ge"]
NE = ZIP_CODES["ne"]
FLOORDIV = ZIP_CODES["floordiv"]
MOD = ZIP_CODES["mod"]
AND = ZIP_CODES["and"]
OR = ZIP_CODES["or"]
XOR = ZIP_CODES["xor"]

# Every jitted function in this package compiles with these options: the
# on-disk cache (NUMBA_CACHE_DIR) and IEEE division instead of exceptions.
JIT = {"cache": True, "error_model": "numpy"}
# The same options for `overload` implementations (inlined into their
# caller, which is what gets cached).
OVERLOAD_JIT = {"error_model": "numpy"}


@njit(**JIT)
def _pow(a: float, b: float) -> float:
    # IEEE / C pow in float64, as the reference now specifies: nan for a
    # negative base to a non-integer power, ±inf on overflow and for 0 to a
    # negative power, 1 for anything to the power 0.
    return np.float64(a) ** np.float64(b)


@njit(**JIT)
def _floordiv(a: float, b: float) -> float:
    # floor of the IEEE quotient in float64 (x // ±0 is ±inf, 0 // 0 nan).
    # `+ 0.0` turns floor(-0.0) into +0.0: the reference floors to a Python int.
    q = np.float64(a) / np.float64(b)
    return np.floor(q) + 0.0 if math.isfinite(q) else q


@njit(**JIT)
def _mod(a: float, b: float) -> float:
    # The reference's remainder: fmod, moved to the divisor's sign; nan for a
    # zero or nan divisor and for an infinite or nan dividend.
    x = np.float64(a)
    y = np.float64(b)
    if y == 0.0 or not math.isfinite(x) or y != y:
        return math.nan
    r = np.fmod(x, y)
    if r != 0 and (r < 0) != (y < 0):
        return r + y
    return r


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
    if code == SIN:
        return math.sin(x)  # nan for ±inf and nan, as in the reference
    if code == COS:
        return math.cos(x)
    if code == NOT:
        return 1.0 if x == 0 else 0.0
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
    if code == LE:
        return 1.0 if x <= y else 0.0
    if code == GE:
        return 1.0 if x >= y else 0.0
    if code == NE:
        return 1.0 if x != y else 0.0
    if code == FLOORDIV:
        return _floordiv(x, y)
    if code == MOD:
        return _mod(x, y)
    if code == AND:
        return 1.0 if x != 0 and y != 0 else 0.0
    if code == OR:
        return 1.0 if x != 0 or y != 0 else 0.0
    if code == XOR:
        return 1.0 if (x != 0) != (y != 0) else 0.0
    raise ValueError("zip: unknown op code (not in minitorch.tensor.ops.ZIP_OPS)")


# -- integer operands (int32, int64): exact, in int64 ------------------------


@njit(**JIT)
def _int_pow(x, y):
    """x ** y in integers (`ops._int_pow`): by squaring, wrapping on overflow."""
    if y < 0:
        if x == 1:
            return np.int64(1)
        if x == -1:
            return np.int64(1) if y % 2 == 0 else np.int64(-1)
        return np.int64(0)
    result = np.int64(1)
    base = np.int64(x)
    e = np.int64(y)
    while e > 0:
        if e & 1:
            result *= base
        e >>= 1
        if e > 0:
            base *= base
    return result


@njit(**JIT)
def _int_floordiv(x, y):
    if y == 0:
        return np.int64(0)
    if y == -1:
        return -np.int64(x)  # INT_MIN // -1 would trap in the divide instruction
    return np.int64(x) // np.int64(y)


@njit(**JIT)
def _int_mod(x, y):
    if y == 0 or y == -1:
        return np.int64(0)
    return np.int64(x) % np.int64(y)


@njit(**JIT)
def int_map_value(code, x):
    """`op(x)` for an integer `x` (`ops.INT_MAP_OPS`), as an int64."""
    v = np.int64(x)
    if code == ID:
        return v
    if code == NEG:
        return -v
    if code == ABS:
        return v if v >= 0 else -v
    if code == SIGN:
        return np.int64(1) if v > 0 else (np.int64(-1) if v < 0 else np.int64(0))
    if code == RELU:
        return v if v > 0 else np.int64(0)
    raise ValueError("map: unknown op code (not in minitorch.tensor.ops.MAP_OPS) "
                     "or an op not defined on integers")


@njit(**JIT)
def int_zip_value(code, x, y):
    """`op(x, y)` for integers (`ops.INT_ZIP_OPS`; comparisons give 1 / 0), as an int64."""
    a = np.int64(x)
    b = np.int64(y)
    if code == ADD:
        return a + b
    if code == SUB:
        return a - b
    if code == MUL:
        return a * b
    if code == POW:
        return _int_pow(a, b)
    if code == MAX:
        return a if a >= b else b
    if code == FLOORDIV:
        return _int_floordiv(a, b)
    if code == MOD:
        return _int_mod(a, b)
    if code == LT:
        return np.int64(a < b)
    if code == GT:
        return np.int64(a > b)
    if code == LE:
        return np.int64(a <= b)
    if code == GE:
        return np.int64(a >= b)
    if code == EQ:
        return np.int64(a == b)
    if code == NE:
        return np.int64(a != b)
    raise ValueError("zip: unknown op code (not in minitorch.tensor.ops.ZIP_OPS) "
                     "or an op not defined on integers")


# -- bool operands ------------------------------------------------------------


@njit(**JIT)
def bool_map_value(code, x):
    """`op(x)` for a bool `x`: `id` and `not`."""
    if code == ID:
        return x != 0
    if code == NOT:
        return x == 0
    raise ValueError("map: unknown op code (not in minitorch.tensor.ops.MAP_OPS) "
                     "or an op not defined on bool")


@njit(**JIT)
def bool_zip_value(code, x, y):
    """`op(x, y)` for bools: the comparisons (False < True), max, and, or, xor."""
    a = x != 0
    b = y != 0
    if code == EQ:
        return a == b
    if code == NE or code == XOR:
        return a != b
    if code == LT:
        return b and not a
    if code == GT:
        return a and not b
    if code == LE:
        return b or not a
    if code == GE:
        return a or not b
    if code == MAX or code == OR:
        return a or b
    if code == AND:
        return a and b
    raise ValueError("zip: unknown op code (not in minitorch.tensor.ops.ZIP_OPS) "
                     "or an op not defined on bool")


# -- dispatch on the operand's type (inside jitted code only) -----------------


def map_value_any(code, x):
    """`op(x)` by the type of `x`: float, integer or bool semantics (jitted code only)."""
    raise NotImplementedError("map_value_any only runs inside numba-compiled code")


def zip_value_any(code, x, y):
    """`op(x, y)` by the type of `x` (and `y`, the same): jitted code only."""
    raise NotImplementedError("zip_value_any only runs inside numba-compiled code")


@overload(map_value_any, jit_options=OVERLOAD_JIT)
def _map_value_any(code, x):
    if isinstance(x, types.Boolean):
        return lambda code, x: bool_map_value(code, x)
    if isinstance(x, types.Integer):
        return lambda code, x: int_map_value(code, x)
    if isinstance(x, types.Float):
        return lambda code, x: map_value(code, x)
    return None


@overload(zip_value_any, jit_options=OVERLOAD_JIT)
def _zip_value_any(code, x, y):
    if isinstance(x, types.Boolean):
        return lambda code, x, y: bool_zip_value(code, x, y)
    if isinstance(x, types.Integer):
        return lambda code, x, y: int_zip_value(code, x, y)
    if isinstance(x, types.Float):
        return lambda code, x, y: zip_value(code, x, y)
    return None
