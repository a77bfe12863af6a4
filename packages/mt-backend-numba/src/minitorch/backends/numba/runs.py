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
"""

from __future__ import annotations

from numba import njit

from .pointwise import (
    ABS,
    ADD,
    DIV,
    EQ,
    EXP,
    GT,
    ID,
    INV,
    INV_BACK,
    IS_CLOSE,
    JIT,
    LOG,
    LOG_BACK,
    LT,
    MAX,
    MUL,
    NEG,
    POW,
    RELU,
    RELU_BACK,
    SIGMOID,
    SIGMOID_BACK,
    SIGN,
    SQRT,
    SUB,
    TANH,
    TANH_BACK,
    map_value,
    zip_value,
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
