"""Elementwise kernels: `map` (one operand), `zip` (two) and `where` over strided views.

Op selection: each named op gets a small integer code, and one kernel per
arity switches on it in a device function. The alternative, one kernel per
op, would compile every op x 2 dtypes x each rank separately (about a second
of NVVM time each on first use) for no runtime gain: the code is a kernel
argument, the same for every thread, so the branch never diverges within a
warp and costs a few integer compares next to the global-memory traffic.

Precision: operands are widened to float64, the op is computed there, and the
result is rounded once when stored, exactly what the pure-Python reference
backend does. Elementwise kernels are bound by memory traffic, so the wider
arithmetic costs nothing measurable on datacenter GPUs. `where` is a
selection, not arithmetic: it copies the chosen element as it is stored.

The special cases of `minitorch.tensor.ops` (division by zero, log of 0,
exp overflow) are spelled out as branches rather than left to CUDA's libm:
the results then agree with the reference on every device, and the simulator
(which runs these functions as Python, where math.log(0) raises) never sees
an input its math module rejects.
"""

from __future__ import annotations

import math

from numba import cuda, float64

from minitorch.tensor import ops

from . import device

# -- op codes -----------------------------------------------------------------
# An op's code is its position in its table in minitorch.tensor.ops
# (`ops.op_codes`); this package keeps no list of op names or numbers of its
# own. The host turns a name into a code (`op_code`) and the device functions
# below compare it with the module-level constants that follow.
#
# Why those tables may only grow at the end: numba-cuda freezes module globals
# into the code it compiles, so `RELU` below is a literal in the PTX of
# `apply_map`, not a lookup. Within one process host and device agree, as both
# read the same table, but compiled code can outlive the table it was built
# from: PTX built ahead of time (tests/aot_compile.py), or an on-disk cache
# should these kernels ever use cache=True (numba validates that cache against
# this file, not ops.py), would after a reordering silently run a different op
# for the same code. Appending leaves every old code meaning what it meant.
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

# exp(x) overflows float64 just above this; math.exp would raise in the simulator.
EXP_OVERFLOW = 709.782712893384


def op_code(kind: str, op: str) -> int:
    """The integer code of the `kind` ("map" or "zip") op named `op`.

    The one place a name becomes a code, and so the only guard against an
    unknown op: the device functions cannot report one (see `apply_map`).
    Raises `ops.unknown_op`'s ValueError, before anything is launched.
    """
    table, codes = (ops.MAP_OPS, MAP_CODES) if kind == "map" else (ops.ZIP_OPS, ZIP_CODES)
    code = codes.get(op)
    if code is None:
        raise ops.unknown_op(f"cuda {kind}", op, table)
    return code


# -- scalar device functions ------------------------------------------------
@cuda.jit(device=True)
def safe_div(a, b):
    """a / b with IEEE results for b == 0: +-inf, or nan for 0/0 and nan/0."""
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


@cuda.jit(device=True)
def safe_exp(x):
    if x > EXP_OVERFLOW:
        return math.inf
    return math.exp(x)


@cuda.jit(device=True)
def safe_log(x):
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -math.inf
    return math.nan


@cuda.jit(device=True)
def sigmoid(x):
    # The two forms never exponentiate a positive number, so neither overflows.
    if x >= 0.0:
        return 1.0 / (1.0 + safe_exp(-x))
    e = safe_exp(x)
    return e / (1.0 + e)


# Why each switch ends in a default that returns NaN: a kernel cannot report
# an unknown code. In numba-cuda a `raise` in device code becomes an error
# status returned up the call chain; only a kernel compiled with debug=True
# (which also wants opt=False, far too slow to ship) stores it for the host
# to raise after the launch. In an ordinary kernel the status is dropped: the
# thread just returns early, its output elements are left unwritten (whatever
# the memory held) and the launch reports success. So the check lives on the
# host: every launch gets its code from `op_code` (map, zip) or
# `reduce.reduce_launch`, which raise `ops.unknown_op` before anything runs,
# and nothing else builds these kernels' arguments. The NaN default is only a
# tripwire for a code that got past them (a kernel launched by hand, a stale
# compiled kernel): it poisons the output visibly, where a raise would leave
# garbage and falling through would compute some other op.
@cuda.jit(device=True)
def apply_map(code, x):
    """The map op with integer `code` applied to float64 `x`."""
    if code == ID:
        return x
    elif code == NEG:
        return -x
    elif code == EXP:
        return safe_exp(x)
    elif code == LOG:
        return safe_log(x)
    elif code == RELU:
        # NaN propagates, as in PyTorch (and ops.relu); -0.0 and 0.0 give 0.0.
        return x if x > 0.0 or math.isnan(x) else 0.0
    elif code == SIGMOID:
        return sigmoid(x)
    elif code == TANH:
        return math.tanh(x)
    elif code == INV:
        return safe_div(1.0, x)
    elif code == SQRT:
        return math.sqrt(x) if x >= 0.0 else math.nan
    elif code == ABS:
        return abs(x)
    elif code == SIGN:
        if x > 0.0:
            return 1.0
        return -1.0 if x < 0.0 else 0.0
    return math.nan  # unknown code: see the comment above apply_map


@cuda.jit(device=True)
def apply_zip(code, a, b):
    """The zip op with integer `code` applied to float64 `a`, `b`."""
    if code == ADD:
        return a + b
    elif code == SUB:
        return a - b
    elif code == MUL:
        return a * b
    elif code == DIV:
        return safe_div(a, b)
    elif code == POW:
        # IEEE pow, as ops.pow defines it: CUDA's pow (libdevice) and numpy's
        # (what the simulator runs) both are, and neither raises.
        return a**b
    elif code == MAX:
        return a if a >= b or math.isnan(a) else b
    elif code == LT:
        return 1.0 if a < b else 0.0
    elif code == GT:
        return 1.0 if a > b else 0.0
    elif code == EQ:
        return 1.0 if a == b else 0.0
    elif code == IS_CLOSE:
        return 1.0 if abs(a - b) < 1e-2 else 0.0
    elif code == RELU_BACK:  # relu_back(x, g): 0 where x is nan, unlike relu
        return b if a > 0.0 else 0.0
    elif code == LOG_BACK:  # log_back(x, g)
        return safe_div(b, a)
    elif code == INV_BACK:  # inv_back(x, g)
        return safe_div(-b, a * a)
    elif code == SIGMOID_BACK:  # sigmoid_back(s, g), s the forward output
        return b * a * (1.0 - a)
    elif code == TANH_BACK:  # tanh_back(t, g), t the forward output
        return b * (1.0 - a * a)
    return math.nan  # unknown code: see the comment above apply_map


# -- kernels ----------------------------------------------------------------
# Shapes and strides arrive as tuple arguments: numba passes them by value in
# the kernel's parameter space (no allocation, no copy to the device per
# call) and compiles one specialisation per rank.
@cuda.jit
def map_kernel(code, out, out_strides, shape, a, a_strides, size):
    """out[idx] = op(a[idx]) for every idx of `shape` (grid-stride loop)."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        # Peel the row-major index of `ordinal` off from the last dimension,
        # accumulating both operands' positions on the way.
        rest = ordinal
        out_pos = 0
        a_pos = 0
        for d in range(len(shape) - 1, -1, -1):
            i = rest % shape[d]
            rest //= shape[d]
            out_pos += i * out_strides[d]
            a_pos += i * a_strides[d]
        out[out_pos] = apply_map(code, float64(a[a_pos]))


@cuda.jit
def zip_kernel(code, out, out_strides, shape, a, a_strides, b, b_strides, size):
    """out[idx] = op(a[idx], b[idx]); broadcast operands have stride 0."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        rest = ordinal
        out_pos = 0
        a_pos = 0
        b_pos = 0
        for d in range(len(shape) - 1, -1, -1):
            i = rest % shape[d]
            rest //= shape[d]
            out_pos += i * out_strides[d]
            a_pos += i * a_strides[d]
            b_pos += i * b_strides[d]
        out[out_pos] = apply_zip(code, float64(a[a_pos]), float64(b[b_pos]))


@cuda.jit
def where_kernel(out, out_strides, shape, cond, cond_strides, a, a_strides, b, b_strides,
                 size):
    """out[idx] = a[idx] if cond[idx] != 0 else b[idx]; broadcast operands have stride 0.

    A selection, not arithmetic: only the chosen operand is read, and its
    element is copied as stored (all operands share the dtype), so the value
    not taken (inf, nan) never reaches `out` and -0.0 keeps its sign. A nan
    condition is != 0, so it picks `a`, as in the reference backend.
    """
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        rest = ordinal
        out_pos = 0
        c_pos = 0
        a_pos = 0
        b_pos = 0
        for d in range(len(shape) - 1, -1, -1):
            i = rest % shape[d]
            rest //= shape[d]
            out_pos += i * out_strides[d]
            c_pos += i * cond_strides[d]
            a_pos += i * a_strides[d]
            b_pos += i * b_strides[d]
        # Read, then write: an in-place `out` with the layout of an input
        # (the aliasing the contract allows) sees each element read first.
        if cond[c_pos] != 0:
            out[out_pos] = a[a_pos]
        else:
            out[out_pos] = b[b_pos]


@cuda.jit
def fill_kernel(out, value, size):
    """out[:size] = value; allocation does not zero device memory."""
    for i in range(cuda.grid(1), size, cuda.gridsize(1)):
        out[i] = value


# -- launches ---------------------------------------------------------------
def _rank_at_least_one(shape, *strides):
    # A 0-d operand is one element; kernels index at least one dimension.
    if len(shape) == 0:
        return ((1,), *((0,) for _ in strides))
    return (device.as_ints(shape), *(device.as_ints(s) for s in strides))


def _elements(shape: tuple[int, ...]) -> int:
    size = 1
    for s in shape:
        size *= s
    return size


def map_launch(op: str, out, out_strides, shape, a, a_strides) -> device.Launch | None:
    """The launch for `Backend.map`, or None when there is nothing to do."""
    code = op_code("map", op)
    device.on_device(out=out, a=a)
    shape, out_strides, a_strides = _rank_at_least_one(shape, out_strides, a_strides)
    size = _elements(shape)
    return device.per_element(
        map_kernel, size, (code, out, out_strides, shape, a, a_strides, size)
    )


def zip_launch(op: str, out, out_strides, shape, a, a_strides, b,
               b_strides) -> device.Launch | None:
    """The launch for `Backend.zip`, or None when there is nothing to do."""
    code = op_code("zip", op)
    device.on_device(out=out, a=a, b=b)
    shape, out_strides, a_strides, b_strides = _rank_at_least_one(
        shape, out_strides, a_strides, b_strides
    )
    size = _elements(shape)
    return device.per_element(
        zip_kernel, size, (code, out, out_strides, shape, a, a_strides, b, b_strides, size)
    )


def where_launch(out, out_strides, shape, cond, cond_strides, a, a_strides, b,
                 b_strides) -> device.Launch | None:
    """The launch for `Backend.where`, or None when there is nothing to do."""
    device.on_device(out=out, cond=cond, a=a, b=b)
    shape, out_strides, cond_strides, a_strides, b_strides = _rank_at_least_one(
        shape, out_strides, cond_strides, a_strides, b_strides
    )
    size = _elements(shape)
    return device.per_element(
        where_kernel, size,
        (out, out_strides, shape, cond, cond_strides, a, a_strides, b, b_strides, size),
    )


def fill_launch(out, value: float, size: int) -> device.Launch | None:
    """The launch that sets out[:size] to `value`."""
    device.on_device(out=out)
    return device.per_element(fill_kernel, int(size), (out, float(value), int(size)))
