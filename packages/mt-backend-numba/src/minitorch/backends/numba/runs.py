"""One-dimensional runs: the innermost loops of map and zip, one loop per op.

A run applies one op along a 1-D view: `o[j] = op(x[j])` or
`o[j] = op(x[j], y[j])` for `j in range(len(o))`. The op code is tested once,
outside the loop, so each loop body holds a single op with a constant code,
which LLVM vectorizes when the views are contiguous. Views are what the
kernels slice out of the flat storages; indexing them with a plain
`range(n)` counter (never `offset + j`) matters: numba must otherwise guard
every index against Python's negative wrap-around, and that guard alone made
a contiguous add about 9x slower in our measurements.

numba compiles one specialization per view layout, so the same source gives
a vectorized loop for contiguous views and a strided loop for the others.
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
    else:
        for j in range(n):
            o[j] = map_value(SIGN, x[j])


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
    else:
        for j in range(n):
            o[j] = zip_value(TANH_BACK, x[j], y[j])


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
        # generic loop (op chosen per element) keeps compile time down.
        for j in range(n):
            o[j] = zip_value(code, x[j], s)
