"""Elementwise kernels: `map` (one operand), `zip` (two) and `where` over strided views.

Op selection: each named op gets a small integer code, and one kernel per
arity (and dtype family) switches on it in a device function. The
alternative, one kernel per op, would compile every op x dtypes x each rank
separately (about a second
of NVVM time each on first use) for no runtime gain: the code is a kernel
argument, the same for every thread, so the branch never diverges within a
warp and costs a few integer compares next to the global-memory traffic.

Dtypes and precision: there are two kernels per arity, chosen on the host by
the operands' dtype (`map_launch`, `zip_launch`).

* float64 operands run `map_kernel` / `zip_kernel`, float32 ones
  `map_kernel_f32` / `zip_kernel_f32`: each computes in its operands' own
  precision (float32 in single-precision arithmetic, as PyTorch's CUDA
  kernels do; the pure-Python reference computes in float64 and rounds
  once, so float32 results can differ from it by a few ulps).
* int32 / int64 / bool operands run `map_int_kernel` / `zip_int_kernel`:
  widened to int64 (a bool to 0 / 1) and computed there exactly, with the
  integer semantics of `ops.INT_MAP_OPS` / `INT_ZIP_OPS` (floor division
  and % by zero give 0, integer pow by squaring). int64 never passes through
  float64, so values beyond 2**53 stay exact.
* The comparisons write bool outputs (1 / 0 converted when stored); `not`,
  `and`, `or`, `xor` take bool operands only.
* `id` between two dtypes is the cast: `cast_kernel` converts each element
  straight from its stored type to the output's (float to integer truncates
  toward zero, int64 to float32 rounds once), `cast_to_bool_kernel` writes
  `!= 0` (nan is true).

numba compiles one specialisation per (output dtype, operand dtype, rank)
actually launched, so a dtype nobody uses costs no compile time.
An op launched with an operand dtype `ops.op_dtypes` does not list (`exp` of
an int64, `and` of a float) is refused on the host with a TypeError.
`where` is a selection, not arithmetic: it copies the chosen element as it
is stored, in any of the five dtypes; the condition is bool (any dtype
works: it is compared with 0).

The special cases of `minitorch.tensor.ops` (division by zero, log of 0,
exp overflow) are spelled out as branches rather than left to CUDA's libm:
the results then agree with the reference on every device, and the simulator
(which runs these functions as Python, where math.log(0) raises) never sees
an input its math module rejects.
"""

from __future__ import annotations

import math

from numba import cuda, float32, float64, int64

from minitorch.tensor import ops

from . import device
from .positions import positions2, positions3, positions4

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


# -- float device functions, one set per float dtype --------------------------
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
#
# Why a factory: numba types a Python float literal as float64, and float32
# mixed with float64 computes in float64. Every constant below is therefore
# written `f(...)`, with `f` the float type the kernels are made for, so a
# float32 tensor computes in float32 (CUDA's single-precision expf, logf,
# powf ...) and a float64 one in float64. `floordiv` alone floors through
# float64: math.floor gives an int64, which a float32 quotient can overflow.
def _make_float_ops(f):
    """(apply_map, apply_zip) computing in numba float type `f`."""

    @cuda.jit(device=True)
    def safe_div(a, b):
        """a / b with IEEE results for b == 0: +-inf, or nan for 0/0 and nan/0."""
        if b == 0:
            if a == 0 or math.isnan(a):
                return f(math.nan)
            return f(math.copysign(math.inf, a) * math.copysign(1.0, b))
        return a / b

    @cuda.jit(device=True)
    def safe_exp(x):
        if x > EXP_OVERFLOW:
            return f(math.inf)
        return f(math.exp(x))

    @cuda.jit(device=True)
    def safe_log(x):
        if x > 0:
            return f(math.log(x))
        if x == 0:
            return f(-math.inf)
        return f(math.nan)

    @cuda.jit(device=True)
    def float_floordiv(a, b):
        """ops._floordiv: floor of the IEEE quotient (+-inf / nan stay as they are).

        `+ 0.0` turns floor(-0.0) into +0.0: the reference floors to a Python
        int, which has no negative zero."""
        q = safe_div(a, b)
        if math.isfinite(q):
            return f(math.floor(float64(q)) + 0.0)
        return q

    @cuda.jit(device=True)
    def float_mod(a, b):
        """ops._mod: PyTorch's remainder, with the divisor's sign; nan for a zero
        or nan divisor and for an infinite or nan dividend."""
        if b == 0 or not math.isfinite(a) or math.isnan(b):
            return f(math.nan)
        r = f(math.fmod(a, b))
        if r != 0 and (r < 0) != (b < 0):
            return r + b
        return r

    @cuda.jit(device=True)
    def sigmoid(x):
        # The two forms never exponentiate a positive number, so neither overflows.
        if x >= 0:
            return f(1.0) / (f(1.0) + safe_exp(-x))
        e = safe_exp(x)
        return e / (f(1.0) + e)

    @cuda.jit(device=True)
    def apply_map(code, x):
        """The map op with integer `code` applied to `x` (of type f)."""
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
            return x if x > 0 or math.isnan(x) else f(0.0)
        elif code == SIGMOID:
            return sigmoid(x)
        elif code == TANH:
            return f(math.tanh(x))
        elif code == INV:
            return safe_div(f(1.0), x)
        elif code == SQRT:
            return f(math.sqrt(x)) if x >= 0 else f(math.nan)
        elif code == ABS:
            return abs(x)
        elif code == SIGN:
            if x > 0:
                return f(1.0)
            return f(-1.0) if x < 0 else f(0.0)
        elif code == SIN:
            # sin(+-inf) is nan (math.sin would raise in the simulator).
            return f(math.sin(x)) if math.isfinite(x) else f(math.nan)
        elif code == COS:
            return f(math.cos(x)) if math.isfinite(x) else f(math.nan)
        return f(math.nan)  # unknown code (or `not`, bool only): see the comment above

    @cuda.jit(device=True)
    def apply_zip(code, a, b):
        """The zip op with integer `code` applied to `a`, `b` (of type f)."""
        one = f(1.0)
        zero = f(0.0)
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
            return f(a**b)
        elif code == MAX:
            return a if a >= b or math.isnan(a) else b
        elif code == LT:
            return one if a < b else zero
        elif code == GT:
            return one if a > b else zero
        elif code == EQ:
            return one if a == b else zero
        elif code == IS_CLOSE:
            return one if abs(a - b) < 1e-2 else zero
        elif code == RELU_BACK:  # relu_back(x, g): 0 where x is nan, unlike relu
            return b if a > 0 else zero
        elif code == LOG_BACK:  # log_back(x, g)
            return safe_div(b, a)
        elif code == INV_BACK:  # inv_back(x, g) = -g / x^2, divided twice: x * x
            # would overflow float32 where the reference's float64 square does not
            return safe_div(safe_div(-b, a), a)
        elif code == SIGMOID_BACK:  # sigmoid_back(s, g), s the forward output
            return b * a * (one - a)
        elif code == TANH_BACK:  # tanh_back(t, g), t the forward output
            return b * (one - a * a)
        elif code == LE:
            return one if a <= b else zero
        elif code == GE:
            return one if a >= b else zero
        elif code == NE:
            return one if a != b else zero
        elif code == FLOORDIV:
            return float_floordiv(a, b)
        elif code == MOD:
            return float_mod(a, b)
        return f(math.nan)  # unknown code (or and/or/xor, bool only): see above

    return apply_map, apply_zip


# -- integer and bool device functions --------------------------------------
# int32, int64 and bool operands are widened to int64 (bool to 0 / 1), the op
# is computed there exactly, and the result is stored into the output's dtype
# (an int32 result that overflowed wraps: overflow is unspecified in the
# contract). The integer semantics are those of ops.INT_MAP_OPS / INT_ZIP_OPS;
# every other op the tables allow on integers or bools is a comparison or a
# logical op, computed here as 1 / 0. Integers never pass through float64, so
# int64 values beyond 2**53 stay exact. No NaN exists to mark an unknown code,
# so the default is 0 (the host refuses unknown names and disallowed dtypes
# before any launch: `check_dtype`).
@cuda.jit(device=True)
def int_pow(x, y):
    """ops._int_pow: exact x**y for y >= 0 (by squaring); for y < 0 the
    truncated 1 / x**-y: +-1 for x == +-1, else 0."""
    if y < 0:
        if x == 1:
            return 1
        if x == -1:
            return -1 if (-y) % 2 == 1 else 1
        return 0
    result = 1
    base = x
    e = y
    while e > 0:
        if e % 2 == 1:
            result *= base
        e //= 2
        if e > 0:  # no square past the last bit (it could overflow for nothing)
            base *= base
    return result


@cuda.jit(device=True)
def apply_map_int(code, x):
    """The map op with integer `code` applied to int64 `x` (a bool as 0 / 1)."""
    if code == NEG:
        return -x
    elif code == RELU:
        return x if x > 0 else 0
    elif code == ABS:
        return x if x >= 0 else -x
    elif code == SIGN:
        if x > 0:
            return 1
        return -1 if x < 0 else 0
    elif code == NOT:
        return 1 if x == 0 else 0
    elif code == ID:
        return x
    return 0  # unknown code: 0 (see the comment above)


@cuda.jit(device=True)
def apply_zip_int(code, a, b):
    """The zip op with integer `code` applied to int64 `a`, `b` (bools as 0 / 1)."""
    if code == ADD:
        return a + b
    elif code == SUB:
        return a - b
    elif code == MUL:
        return a * b
    elif code == POW:
        return int_pow(a, b)
    elif code == MAX:
        return a if a >= b else b
    elif code == FLOORDIV:  # Python's floor division; 0 for a zero divisor
        return a // b if b != 0 else 0
    elif code == MOD:  # Python's %, the divisor's sign; 0 for a zero divisor
        return a % b if b != 0 else 0
    elif code == LT:
        return 1 if a < b else 0
    elif code == GT:
        return 1 if a > b else 0
    elif code == LE:
        return 1 if a <= b else 0
    elif code == GE:
        return 1 if a >= b else 0
    elif code == EQ:
        return 1 if a == b else 0
    elif code == NE:
        return 1 if a != b else 0
    elif code == AND:
        return 1 if a != 0 and b != 0 else 0
    elif code == OR:
        return 1 if a != 0 or b != 0 else 0
    elif code == XOR:
        return 1 if (a != 0) != (b != 0) else 0
    return 0  # unknown code: 0 (see the comment above apply_map_int)


# -- kernels ----------------------------------------------------------------
# Shapes and strides arrive as tuple arguments: numba passes them by value in
# the kernel's parameter space (no allocation, no copy to the device per
# call) and compiles one specialisation per rank.
def _make_float_kernels(f):
    """(map_kernel, zip_kernel) for float operands, computing in numba float type `f`."""
    apply_map, apply_zip = _make_float_ops(f)

    @cuda.jit
    def map_kernel(code, out, out_strides, shape, a, a_strides, size):
        """out[idx] = op(a[idx]) for every idx of `shape` (grid-stride loop)."""
        for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
            out_pos, a_pos = positions2(ordinal, shape, out_strides, a_strides)
            out[out_pos] = apply_map(code, f(a[a_pos]))

    @cuda.jit
    def zip_kernel(code, out, out_strides, shape, a, a_strides, b, b_strides, size):
        """out[idx] = op(a[idx], b[idx]); broadcast operands have stride 0."""
        for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
            out_pos, a_pos, b_pos = positions3(ordinal, shape, out_strides, a_strides, b_strides)
            out[out_pos] = apply_zip(code, f(a[a_pos]), f(b[b_pos]))

    return map_kernel, zip_kernel


# map_kernel / zip_kernel compute in float64, the _f32 ones in float32: each
# runs for operands of its dtype (`_float_kernels`).
map_kernel, zip_kernel = _make_float_kernels(float64)
map_kernel_f32, zip_kernel_f32 = _make_float_kernels(float32)


def _float_kernels(storage):
    """(map, zip) kernels for a float storage's dtype."""
    if storage.dtype.itemsize == 4:
        return map_kernel_f32, zip_kernel_f32
    return map_kernel, zip_kernel


@cuda.jit
def map_int_kernel(code, out, out_strides, shape, a, a_strides, size):
    """`map_kernel` for int32 / int64 / bool operands: exact int64 arithmetic."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, a_pos = positions2(ordinal, shape, out_strides, a_strides)
        out[out_pos] = apply_map_int(code, int64(a[a_pos]))


@cuda.jit
def zip_int_kernel(code, out, out_strides, shape, a, a_strides, b, b_strides, size):
    """`zip_kernel` for int32 / int64 / bool operands: exact int64 arithmetic."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, a_pos, b_pos = positions3(ordinal, shape, out_strides, a_strides, b_strides)
        out[out_pos] = apply_zip_int(code, int64(a[a_pos]), int64(b[b_pos]))


@cuda.jit
def cast_kernel(out, out_strides, shape, a, a_strides, size):
    """out[idx] = a[idx] converted to out's dtype: the `id` map between dtypes.

    One conversion, from the stored type straight to the output's (no float64
    in between, so int64 stays exact and int64 -> float32 rounds once): float
    to integer truncates toward zero, bool to a number is 0 / 1. Outputs of
    dtype bool use `cast_to_bool_kernel` instead.
    """
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, a_pos = positions2(ordinal, shape, out_strides, a_strides)
        out[out_pos] = a[a_pos]


@cuda.jit
def cast_to_bool_kernel(out, out_strides, shape, a, a_strides, size):
    """out[idx] = a[idx] != 0 (a nan is != 0, so true): the `id` map to bool."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, a_pos = positions2(ordinal, shape, out_strides, a_strides)
        out[out_pos] = a[a_pos] != 0


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
        out_pos, c_pos, a_pos, b_pos = positions4(ordinal, shape, out_strides, cond_strides, a_strides, b_strides)
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


def is_float(storage) -> bool:
    """Whether a storage holds floating point (float32 / float64) elements."""
    return storage.dtype.kind == "f"


# (kind, op) -> the operand dtype names mt-tensor may call it with (ops.op_dtypes).
_ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    **{("map", op): frozenset(ops.op_dtypes("map", op)) for op in ops.MAP_OPS},
    **{("zip", op): frozenset(ops.op_dtypes("zip", op)) for op in ops.ZIP_OPS},
}


def check_dtype(kind: str, op: str, storage) -> None:
    """Refuse an operand dtype `ops.op_dtypes` does not allow for the op (say
    `exp` of int64, or `and` of float32): mt-tensor converts operands before
    a kernel runs, so this is a bug upstream, and the integer kernels have no
    NaN to flag it with. `id` takes any dtype."""
    name = storage.dtype.name
    if name not in _ALLOWED[(kind, op)]:
        allowed = ", ".join(ops.op_dtypes(kind, op))
        raise TypeError(f"cuda {kind}: op {op!r} is not defined for {name} operands "
                        f"(it takes {allowed})")


def map_launch(op: str, out, out_strides, shape, a, a_strides) -> device.Launch | None:
    """The launch for `Backend.map`, or None when there is nothing to do.

    Float operands run `map_kernel` / `map_kernel_f32` (their own precision); int32 / int64 / bool
    ones `map_int_kernel` (exact int64); `id` between two dtypes, or of a
    non-float dtype, is a cast (`cast_kernel`, `cast_to_bool_kernel`).
    """
    code = op_code("map", op)
    device.on_device(out=out, a=a)
    check_dtype("map", op, a)
    if code == ID and (out.dtype != a.dtype or not is_float(a)):
        kernel = cast_to_bool_kernel if out.dtype.kind == "b" else cast_kernel
        shape, out_strides, a_strides = _rank_at_least_one(shape, out_strides, a_strides)
        size = _elements(shape)
        return device.per_element(kernel, size, (out, out_strides, shape, a, a_strides, size))
    kernel = _float_kernels(a)[0] if is_float(a) else map_int_kernel
    shape, out_strides, a_strides = _rank_at_least_one(shape, out_strides, a_strides)
    size = _elements(shape)
    return device.per_element(
        kernel, size, (code, out, out_strides, shape, a, a_strides, size)
    )


def zip_launch(op: str, out, out_strides, shape, a, a_strides, b,
               b_strides) -> device.Launch | None:
    """The launch for `Backend.zip`, or None when there is nothing to do.

    a and b share a dtype: float operands run `zip_kernel`, int32 / int64 /
    bool ones `zip_int_kernel`; `out` has their dtype, or bool for the
    comparisons (any dtype works: the result is converted when stored).
    """
    code = op_code("zip", op)
    device.on_device(out=out, a=a, b=b)
    check_dtype("zip", op, a)
    if a.dtype != b.dtype:
        raise TypeError(f"cuda zip: {op} got operands of two dtypes, {a.dtype.name} and "
                        f"{b.dtype.name}; mt-tensor converts them to one first")
    kernel = _float_kernels(a)[1] if is_float(a) else zip_int_kernel
    shape, out_strides, a_strides, b_strides = _rank_at_least_one(
        shape, out_strides, a_strides, b_strides
    )
    size = _elements(shape)
    return device.per_element(
        kernel, size, (code, out, out_strides, shape, a, a_strides, b, b_strides, size)
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
    """The launch that sets out[:size] to `value` (a float for float storages,
    an int, stored as != 0 for bool, for the others)."""
    device.on_device(out=out)
    value = float(value) if is_float(out) else int(value)
    return device.per_element(fill_kernel, int(size), (out, value, int(size)))
