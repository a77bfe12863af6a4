"""One-dimensional runs: the innermost loops of map, zip and where, one loop per op.

A run applies one op along a 1-D view: `o[j] = op(x[j])`,
`o[j] = op(x[j], y[j])` or the selection `o[j] = x[j] if c[j] != 0 else y[j]`
for `j in range(len(o))`. The op code is tested once, outside the loop, so
each loop body holds a single op with a constant code, which LLVM
vectorizes when the views are contiguous. Views are what the
kernels slice out of the flat storages; indexing them with a plain
`range(n)` counter (never `offset + j`) matters: numba must otherwise guard
every index against Python's negative wrap-around, and that guard alone made
a contiguous add about 9x slower in our measurements.

numba compiles one specialization per view layout, so the same source gives
a vectorized loop for contiguous views and a strided loop for the others.

No loop has a silent default: a code that is not in the op tables raises
ValueError (directly, or from `map_value` / `zip_value`). `relu` lets NaN
through (relu(nan) = nan) on every path, since every path computes it with
`map_value`.

Dtypes. `map_run`, `zip_run` and `zip_run_scalar` are the float runs (float32
/ float64 in, the same dtype out), unchanged by the integer work: every op
of the tables, the hot ones in loops of their own, the rarely used ones
(sin, cos, not, le, ge, ne, floordiv, mod, and, or, xor) in one loop that
picks the op per element. Beside them, runs that compile only the ops a
dtype can get (`ops.op_dtypes`), exact in integers:

- `int_map_run`, `int_zip_run`, `int_zip_run_scalar`: int32 / int64;
- `bool_map_run`, `bool_zip_run`, `bool_zip_run_scalar`: bool;
- `compare_run`, `compare_run_scalar`: the comparisons of any dtype into a
  bool (or any other) output;
- `cast_run`: the `id` map between two different dtypes (float to integer
  truncates toward zero, anything to bool is `!= 0`, bool to a number 0 / 1;
  int64 to float32 rounds through float64, as the reference's Python ints
  stored into float32 do).

`map_run_any`, `zip_run_any`, `zip_run_scalar_any` and `map_fill_any` choose
among them by the numba types of the views at compile time
(`numba.extending.overload`); `elementwise.py` calls only these, so each
(dtype, dtype) signature compiles just its own ops, on first use.
"""

from __future__ import annotations

import numpy as np

from numba import njit, types
from numba.extending import overload

from .pointwise import (
    ABS,
    ADD,
    AND,
    COS,
    DIV,
    EQ,
    EXP,
    FLOORDIV,
    GE,
    GT,
    ID,
    INV,
    INV_BACK,
    IS_CLOSE,
    JIT,
    LE,
    LOG,
    LOG_BACK,
    LT,
    MAX,
    MOD,
    MUL,
    NE,
    NEG,
    NOT,
    OR,
    OVERLOAD_JIT,
    POW,
    RELU,
    RELU_BACK,
    SIGMOID,
    SIGMOID_BACK,
    SIGN,
    SIN,
    SQRT,
    SUB,
    TANH,
    TANH_BACK,
    XOR,
    bool_map_value,
    bool_zip_value,
    int_map_value,
    int_zip_value,
    map_value,
    map_value_any,
    zip_value,
    zip_value_any,
)


@njit(**JIT)
def map_run(code, o, x):
    """o[j] = map_op(x[j]) over a 1-D run."""
    n = o.shape[0]
    if code == ID:
        for j in range(n):
            o[j] = x[j]
    elif code == NEG:
        for j in range(n):
            o[j] = map_value(NEG, x[j])
    elif code == EXP:
        for j in range(n):
            o[j] = map_value(EXP, x[j])
    elif code == LOG:
        for j in range(n):
            o[j] = map_value(LOG, x[j])
    elif code == RELU:
        for j in range(n):
            o[j] = map_value(RELU, x[j])
    elif code == SIGMOID:
        for j in range(n):
            o[j] = map_value(SIGMOID, x[j])
    elif code == TANH:
        for j in range(n):
            o[j] = map_value(TANH, x[j])
    elif code == INV:
        for j in range(n):
            o[j] = map_value(INV, x[j])
    elif code == SQRT:
        for j in range(n):
            o[j] = map_value(SQRT, x[j])
    elif code == ABS:
        for j in range(n):
            o[j] = map_value(ABS, x[j])
    elif code == SIGN:
        for j in range(n):
            o[j] = map_value(SIGN, x[j])
    elif code == SIN or code == COS or code == NOT:
        # Rarely used on floats: one loop, the op chosen per element.
        for j in range(n):
            o[j] = map_value(code, x[j])
    else:
        raise ValueError("map: unknown op code (not in minitorch.tensor.ops.MAP_OPS)")


@njit(**JIT)
def zip_run(code, o, x, y):
    """o[j] = zip_op(x[j], y[j]) over a 1-D run."""
    n = o.shape[0]
    if code == ADD:
        for j in range(n):
            o[j] = x[j] + y[j]
    elif code == SUB:
        for j in range(n):
            o[j] = x[j] - y[j]
    elif code == MUL:
        for j in range(n):
            o[j] = x[j] * y[j]
    elif code == DIV:
        for j in range(n):
            o[j] = x[j] / y[j]
    elif code == POW:
        for j in range(n):
            o[j] = zip_value(POW, x[j], y[j])
    elif code == MAX:
        for j in range(n):
            o[j] = zip_value(MAX, x[j], y[j])
    elif code == LT:
        for j in range(n):
            o[j] = zip_value(LT, x[j], y[j])
    elif code == GT:
        for j in range(n):
            o[j] = zip_value(GT, x[j], y[j])
    elif code == EQ:
        for j in range(n):
            o[j] = zip_value(EQ, x[j], y[j])
    elif code == IS_CLOSE:
        for j in range(n):
            o[j] = zip_value(IS_CLOSE, x[j], y[j])
    elif code == RELU_BACK:
        for j in range(n):
            o[j] = zip_value(RELU_BACK, x[j], y[j])
    elif code == LOG_BACK:
        for j in range(n):
            o[j] = zip_value(LOG_BACK, x[j], y[j])
    elif code == INV_BACK:
        for j in range(n):
            o[j] = zip_value(INV_BACK, x[j], y[j])
    elif code == SIGMOID_BACK:
        for j in range(n):
            o[j] = zip_value(SIGMOID_BACK, x[j], y[j])
    elif code == TANH_BACK:
        for j in range(n):
            o[j] = zip_value(TANH_BACK, x[j], y[j])
    elif (code == LE or code == GE or code == NE or code == FLOORDIV or code == MOD
          or code == AND or code == OR or code == XOR):
        # Rarely used with a float output: one loop, the op chosen per element.
        for j in range(n):
            o[j] = zip_value(code, x[j], y[j])
    else:
        raise ValueError("zip: unknown op code (not in minitorch.tensor.ops.ZIP_OPS)")


@njit(**JIT)
def zip_run_scalar(code, o, x, s, scalar_first):
    """o[j] = zip_op(x[j], s), or zip_op(s, x[j]) when `scalar_first`.

    The broadcast operand arrives as a value, so the loop streams only one
    array (a stride-0 view would be re-read every iteration).
    """
    n = o.shape[0]
    if scalar_first:
        if code == ADD:
            for j in range(n):
                o[j] = s + x[j]
        elif code == SUB:
            for j in range(n):
                o[j] = s - x[j]
        elif code == MUL:
            for j in range(n):
                o[j] = s * x[j]
        elif code == DIV:
            for j in range(n):
                o[j] = s / x[j]
        else:
            # Every other op, chosen per element; zip_value raises for an
            # unknown code.
            for j in range(n):
                o[j] = zip_value(code, s, x[j])
        return
    if code == ADD:
        for j in range(n):
            o[j] = x[j] + s
    elif code == SUB:
        for j in range(n):
            o[j] = x[j] - s
    elif code == MUL:
        for j in range(n):
            o[j] = x[j] * s
    elif code == DIV:
        for j in range(n):
            o[j] = x[j] / s
    elif code == POW:
        for j in range(n):
            o[j] = zip_value(POW, x[j], s)
    elif code == MAX:
        for j in range(n):
            o[j] = zip_value(MAX, x[j], s)
    elif code == LT:
        for j in range(n):
            o[j] = zip_value(LT, x[j], s)
    elif code == GT:
        for j in range(n):
            o[j] = zip_value(GT, x[j], s)
    elif code == EQ:
        for j in range(n):
            o[j] = zip_value(EQ, x[j], s)
    else:
        # The *_back ops and is_close rarely see a scalar operand; one
        # generic loop (op chosen per element) keeps compile time down;
        # zip_value raises for an unknown code.
        for j in range(n):
            o[j] = zip_value(code, x[j], s)


@njit(**JIT)
def where_run(o, c, x, y):
    """o[j] = x[j] if c[j] != 0 else y[j] over a 1-D run.

    A selection, not arithmetic: the chosen element is stored bit for bit
    (-0.0 keeps its sign, a nan its payload) and the other one is never used,
    so an inf or nan in the branch not taken cannot reach `o`. A nan
    condition counts as true (nan != 0), as in the reference.
    """
    for j in range(o.shape[0]):
        o[j] = x[j] if c[j] != 0 else y[j]


@njit(**JIT)
def where_run_scalar(o, c, x, s, scalar_is_a):
    """where_run with one branch a broadcast value `s`: the taken branch
    (`c[j] != 0`) when `scalar_is_a`, the other one otherwise."""
    n = o.shape[0]
    if scalar_is_a:
        for j in range(n):
            o[j] = s if c[j] != 0 else x[j]
    else:
        for j in range(n):
            o[j] = x[j] if c[j] != 0 else s


@njit(**JIT)
def where_run_scalars(o, c, s, t):
    """where_run with both branches broadcast values: o[j] = s if c[j] != 0 else t."""
    for j in range(o.shape[0]):
        o[j] = s if c[j] != 0 else t


# -- integer, bool and mixed-dtype runs ----------------------------------------

_MAP_UNKNOWN = "map: unknown op code (not in minitorch.tensor.ops.MAP_OPS) or not defined here"
_ZIP_UNKNOWN = "zip: unknown op code (not in minitorch.tensor.ops.ZIP_OPS) or not defined here"


@njit(**JIT)
def cast_run(code, o, x):
    """o[j] = x[j] converted to o's dtype: `id` between two dtypes (numba's casts:
    float to integer truncates, anything to bool is != 0, bool to a number 0 / 1)."""
    if code != ID:
        raise ValueError(_MAP_UNKNOWN)
    for j in range(o.shape[0]):
        o[j] = x[j]


@njit(**JIT)
def cast_run_through_float64(code, o, x):
    """cast_run for int64 to float32: round to float64 first, as the reference does
    (it stores a Python int, which numpy converts to a double, into float32)."""
    if code != ID:
        raise ValueError(_MAP_UNKNOWN)
    for j in range(o.shape[0]):
        o[j] = np.float64(x[j])


@njit(**JIT)
def int_map_run(code, o, x):
    """o[j] = op(x[j]) for integer views: id, neg, abs, sign, relu (exact)."""
    n = o.shape[0]
    if code == ID:
        for j in range(n):
            o[j] = x[j]
    elif code == NEG:
        for j in range(n):
            o[j] = int_map_value(NEG, x[j])
    elif code == ABS:
        for j in range(n):
            o[j] = int_map_value(ABS, x[j])
    elif code == SIGN:
        for j in range(n):
            o[j] = int_map_value(SIGN, x[j])
    elif code == RELU:
        for j in range(n):
            o[j] = int_map_value(RELU, x[j])
    else:
        raise ValueError(_MAP_UNKNOWN)


@njit(**JIT)
def bool_map_run(code, o, x):
    """o[j] = op(x[j]) for bool views: id, not."""
    n = o.shape[0]
    if code == ID:
        for j in range(n):
            o[j] = x[j]
    elif code == NOT:
        for j in range(n):
            o[j] = bool_map_value(NOT, x[j])
    else:
        raise ValueError(_MAP_UNKNOWN)


@njit(**JIT)
def _is_compare(code):
    return (code == LT or code == GT or code == LE or code == GE or code == EQ or code == NE
            or code == IS_CLOSE)


@njit(**JIT)
def _swap_compare(code):
    """The comparison with its operands swapped: s < x is x > s."""
    if code == LT:
        return GT
    if code == GT:
        return LT
    if code == LE:
        return GE
    if code == GE:
        return LE
    return code


@njit(**JIT)
def compare_run(code, o, x, y):
    """o[j] = x[j] <op> y[j] for the comparisons (lt gt le ge eq ne is_close) of any
    dtype; the output is bool (True / False) or, stored as a number, 1 / 0."""
    n = o.shape[0]
    if code == LT:
        for j in range(n):
            o[j] = x[j] < y[j]
    elif code == GT:
        for j in range(n):
            o[j] = x[j] > y[j]
    elif code == LE:
        for j in range(n):
            o[j] = x[j] <= y[j]
    elif code == GE:
        for j in range(n):
            o[j] = x[j] >= y[j]
    elif code == EQ:
        for j in range(n):
            o[j] = x[j] == y[j]
    elif code == NE:
        for j in range(n):
            o[j] = x[j] != y[j]
    elif code == IS_CLOSE:
        for j in range(n):
            o[j] = abs(np.float64(x[j]) - np.float64(y[j])) < 1e-2
    else:
        raise ValueError(_ZIP_UNKNOWN)


@njit(**JIT)
def compare_run_scalar(code, o, x, s, scalar_first):
    """compare_run with one operand a broadcast value: x[j] <op> s, or s <op> x[j]."""
    if scalar_first:
        code = _swap_compare(code)
    n = o.shape[0]
    if code == LT:
        for j in range(n):
            o[j] = x[j] < s
    elif code == GT:
        for j in range(n):
            o[j] = x[j] > s
    elif code == LE:
        for j in range(n):
            o[j] = x[j] <= s
    elif code == GE:
        for j in range(n):
            o[j] = x[j] >= s
    elif code == EQ:
        for j in range(n):
            o[j] = x[j] == s
    elif code == NE:
        for j in range(n):
            o[j] = x[j] != s
    elif code == IS_CLOSE:
        for j in range(n):
            o[j] = abs(np.float64(x[j]) - np.float64(s)) < 1e-2
    else:
        raise ValueError(_ZIP_UNKNOWN)


@njit(**JIT)
def int_zip_run(code, o, x, y):
    """o[j] = op(x[j], y[j]) for integer views (`ops.INT_ZIP_OPS`, exact), or a
    comparison written as 1 / 0."""
    n = o.shape[0]
    if code == ADD:
        for j in range(n):
            o[j] = x[j] + y[j]
    elif code == SUB:
        for j in range(n):
            o[j] = x[j] - y[j]
    elif code == MUL:
        for j in range(n):
            o[j] = x[j] * y[j]
    elif code == MAX:
        for j in range(n):
            o[j] = int_zip_value(MAX, x[j], y[j])
    elif code == POW or code == FLOORDIV or code == MOD:
        for j in range(n):
            o[j] = int_zip_value(code, x[j], y[j])
    elif _is_compare(code):
        compare_run(code, o, x, y)
    else:
        raise ValueError(_ZIP_UNKNOWN)


@njit(**JIT)
def int_zip_run_scalar(code, o, x, s, scalar_first):
    """int_zip_run with one operand a broadcast value (first when `scalar_first`)."""
    n = o.shape[0]
    if code == ADD:
        for j in range(n):
            o[j] = x[j] + s
    elif code == MUL:
        for j in range(n):
            o[j] = x[j] * s
    elif code == SUB and not scalar_first:
        for j in range(n):
            o[j] = x[j] - s
    elif code == SUB:
        for j in range(n):
            o[j] = s - x[j]
    elif scalar_first:
        for j in range(n):
            o[j] = int_zip_value(code, s, x[j])  # raises for an unknown code
    else:
        for j in range(n):
            o[j] = int_zip_value(code, x[j], s)
    if n == 0:
        int_zip_value(code, s, s)  # no silent default, even for an empty run


@njit(**JIT)
def bool_zip_run(code, o, x, y):
    """o[j] = op(x[j], y[j]) for bool views: comparisons, max, and, or, xor."""
    n = o.shape[0]
    if code == AND:
        for j in range(n):
            o[j] = bool_zip_value(AND, x[j], y[j])
    elif code == OR or code == MAX:
        for j in range(n):
            o[j] = bool_zip_value(OR, x[j], y[j])
    elif code == XOR or code == NE:
        for j in range(n):
            o[j] = bool_zip_value(XOR, x[j], y[j])
    elif code == EQ:
        for j in range(n):
            o[j] = bool_zip_value(EQ, x[j], y[j])
    else:
        for j in range(n):
            o[j] = bool_zip_value(code, x[j], y[j])  # raises for an unknown code
        if n == 0:
            bool_zip_value(code, False, False)


@njit(**JIT)
def bool_zip_run_scalar(code, o, x, s, scalar_first):
    """bool_zip_run with one operand a broadcast value (first when `scalar_first`)."""
    n = o.shape[0]
    if scalar_first:
        for j in range(n):
            o[j] = bool_zip_value(code, s, x[j])
    else:
        for j in range(n):
            o[j] = bool_zip_value(code, x[j], s)
    if n == 0:
        bool_zip_value(code, s, s)  # raises for an unknown code


@njit(**JIT)
def generic_map_run(code, o, x):
    """o[j] = op(x[j]) with the op chosen per element (`map_value_any`): the
    strided integer / bool runs. One loop compiles in a fraction of the time
    of one loop per op; it does not vectorize."""
    for j in range(o.shape[0]):
        o[j] = map_value_any(code, x[j])


@njit(**JIT)
def generic_zip_run(code, o, x, y):
    """o[j] = op(x[j], y[j]), the op chosen per element: strided non-float runs."""
    for j in range(o.shape[0]):
        o[j] = zip_value_any(code, x[j], y[j])


@njit(**JIT)
def generic_zip_run_scalar(code, o, x, s, scalar_first):
    """generic_zip_run with one broadcast value `s` (first when `scalar_first`)."""
    n = o.shape[0]
    if scalar_first:
        for j in range(n):
            o[j] = zip_value_any(code, s, x[j])
    else:
        for j in range(n):
            o[j] = zip_value_any(code, x[j], s)


# -- dispatch on the views' types (compile time) -------------------------------
#
# Floats keep their runs for every layout. For the other dtypes, contiguous
# views (the common case, and the one that vectorizes) get the runs with one
# loop per op; strided views get the generic runs, which compile much faster
# (each dtype signature compiles on its first use, in every fresh cache).


def _same(o, x) -> bool:
    return o.dtype == x.dtype


def map_run_any(code, o, x):
    """o[j] = map_op(x[j]) for any dtypes the contract allows (jitted code only)."""
    raise NotImplementedError("map_run_any only runs inside numba-compiled code")


def map_fill_any(code, o, x):
    """o[:] = map_op(x) for one broadcast value `x` (jitted code only)."""
    raise NotImplementedError("map_fill_any only runs inside numba-compiled code")


def zip_run_any(code, o, x, y):
    """o[j] = zip_op(x[j], y[j]) for any dtypes the contract allows (jitted code only)."""
    raise NotImplementedError("zip_run_any only runs inside numba-compiled code")


def zip_run_scalar_any(code, o, x, s, scalar_first):
    """zip_run_any with one broadcast value `s` (jitted code only)."""
    raise NotImplementedError("zip_run_scalar_any only runs inside numba-compiled code")


def _through_float64(o, x) -> bool:
    return o.dtype == types.float32 and x == types.int64


def _contiguous(*views) -> bool:
    return all(v.layout == "C" for v in views)


@overload(map_run_any, jit_options=OVERLOAD_JIT)
def _map_run_any(code, o, x):
    if not _same(o, x):
        if _through_float64(o, x.dtype):
            return lambda code, o, x: cast_run_through_float64(code, o, x)
        return lambda code, o, x: cast_run(code, o, x)
    if isinstance(x.dtype, types.Float):
        return lambda code, o, x: map_run(code, o, x)
    if not _contiguous(o, x):
        return lambda code, o, x: generic_map_run(code, o, x)
    if isinstance(x.dtype, types.Integer):
        return lambda code, o, x: int_map_run(code, o, x)
    if isinstance(x.dtype, types.Boolean):
        return lambda code, o, x: bool_map_run(code, o, x)
    return None


@overload(map_fill_any, jit_options=OVERLOAD_JIT)
def _map_fill_any(code, o, x):
    if isinstance(x, types.Float):
        def fill_float(code, o, x):
            o[:] = map_value(code, x)
        return fill_float
    if isinstance(x, types.Integer):
        if _through_float64(o, x):
            def fill_int_f64(code, o, x):
                o[:] = np.float64(int_map_value(code, x))
            return fill_int_f64

        def fill_int(code, o, x):
            o[:] = int_map_value(code, x)
        return fill_int
    if isinstance(x, types.Boolean):
        def fill_bool(code, o, x):
            o[:] = bool_map_value(code, x)
        return fill_bool
    return None


@overload(zip_run_any, jit_options=OVERLOAD_JIT)
def _zip_run_any(code, o, x, y):
    if isinstance(x.dtype, types.Float) and _same(o, x):
        return lambda code, o, x, y: zip_run(code, o, x, y)
    if not _contiguous(o, x, y):
        return lambda code, o, x, y: generic_zip_run(code, o, x, y)
    if isinstance(x.dtype, types.Boolean):
        return lambda code, o, x, y: bool_zip_run(code, o, x, y)
    if isinstance(x.dtype, types.Integer) and _same(o, x):
        return lambda code, o, x, y: int_zip_run(code, o, x, y)
    return lambda code, o, x, y: compare_run(code, o, x, y)


@overload(zip_run_scalar_any, jit_options=OVERLOAD_JIT)
def _zip_run_scalar_any(code, o, x, s, scalar_first):
    if isinstance(x.dtype, types.Float) and _same(o, x):
        return lambda code, o, x, s, scalar_first: zip_run_scalar(code, o, x, s, scalar_first)
    if not _contiguous(o, x):
        return lambda code, o, x, s, scalar_first: generic_zip_run_scalar(
            code, o, x, s, scalar_first)
    if isinstance(x.dtype, types.Boolean):
        return lambda code, o, x, s, scalar_first: bool_zip_run_scalar(
            code, o, x, s, scalar_first)
    if isinstance(x.dtype, types.Integer) and _same(o, x):
        return lambda code, o, x, s, scalar_first: int_zip_run_scalar(
            code, o, x, s, scalar_first)
    return lambda code, o, x, s, scalar_first: compare_run_scalar(code, o, x, s, scalar_first)
