"""Elementwise kernels: `map` (one operand) and `zip` (two) over strided views.

Op selection: each named op gets a small integer code, and one kernel per
arity switches on it in a device function. The alternative, one kernel per
op, would compile 26 ops x 2 dtypes x each rank separately (about a second of
NVVM time each on first use) for no runtime gain: the code is a kernel
argument, the same for every thread, so the branch never diverges within a
warp and costs a few integer compares next to the global-memory traffic.

Precision: operands are widened to float64, the op is computed there, and the
result is rounded once when stored, exactly what the pure-Python reference
backend does. Elementwise kernels are bound by memory traffic, so the wider
arithmetic costs nothing measurable on datacenter GPUs.

The special cases of `minitorch.tensor.ops` (division by zero, log of 0,
exp overflow) are spelled out as branches rather than left to CUDA's libm:
the results then agree with the reference on every device, and the simulator
(which runs these functions as Python, where math.log(0) raises) never sees
an input its math module rejects.
"""

from __future__ import annotations

import math

from numba import cuda, float64

from . import device

MAP_CODES: dict[str, int] = {
    "id": 0, "neg": 1, "exp": 2, "log": 3, "relu": 4, "sigmoid": 5,
    "tanh": 6, "inv": 7, "sqrt": 8, "abs": 9, "sign": 10,
}
ZIP_CODES: dict[str, int] = {
    "add": 0, "mul": 1, "sub": 2, "div": 3, "pow": 4, "max": 5, "lt": 6, "gt": 7,
    "eq": 8, "is_close": 9, "relu_back": 10, "log_back": 11, "inv_back": 12,
    "sigmoid_back": 13, "tanh_back": 14,
}

# exp(x) overflows float64 just above this; math.exp would raise in the simulator.
EXP_OVERFLOW = 709.782712893384


def op_code(table: dict[str, int], op: str, kind: str) -> int:
    """The integer code of a named op, or a ValueError listing the known ones."""
    try:
        return table[op]
    except KeyError:
        raise ValueError(
            f"cuda {kind}: unknown op {op!r}; known: {', '.join(table)}"
        ) from None


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


@cuda.jit(device=True)
def apply_map(code, x):
    """The map op with integer `code` applied to float64 `x`."""
    if code == 0:
        return x
    elif code == 1:
        return -x
    elif code == 2:
        return safe_exp(x)
    elif code == 3:
        return safe_log(x)
    elif code == 4:
        return x if x > 0.0 else 0.0
    elif code == 5:
        return sigmoid(x)
    elif code == 6:
        return math.tanh(x)
    elif code == 7:
        return safe_div(1.0, x)
    elif code == 8:
        return math.sqrt(x) if x >= 0.0 else math.nan
    elif code == 9:
        return abs(x)
    elif code == 10:
        if x > 0.0:
            return 1.0
        return -1.0 if x < 0.0 else 0.0
    return math.nan


@cuda.jit(device=True)
def apply_zip(code, a, b):
    """The zip op with integer `code` applied to float64 `a`, `b`."""
    if code == 0:
        return a + b
    elif code == 1:
        return a * b
    elif code == 2:
        return a - b
    elif code == 3:
        return safe_div(a, b)
    elif code == 4:
        # IEEE pow, as ops.pow defines it: CUDA's pow (libdevice) and numpy's
        # (what the simulator runs) both are, and neither raises.
        return a**b
    elif code == 5:
        return a if a >= b or math.isnan(a) else b
    elif code == 6:
        return 1.0 if a < b else 0.0
    elif code == 7:
        return 1.0 if a > b else 0.0
    elif code == 8:
        return 1.0 if a == b else 0.0
    elif code == 9:
        return 1.0 if abs(a - b) < 1e-2 else 0.0
    elif code == 10:  # relu_back(x, g)
        return b if a > 0.0 else 0.0
    elif code == 11:  # log_back(x, g)
        return safe_div(b, a)
    elif code == 12:  # inv_back(x, g)
        return safe_div(-b, a * a)
    elif code == 13:  # sigmoid_back(s, g), s the forward output
        return b * a * (1.0 - a)
    elif code == 14:  # tanh_back(t, g), t the forward output
        return b * (1.0 - a * a)
    return math.nan


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
    code = op_code(MAP_CODES, op, "map")
    device.on_device(out=out, a=a)
    shape, out_strides, a_strides = _rank_at_least_one(shape, out_strides, a_strides)
    size = _elements(shape)
    return device.per_element(
        map_kernel, size, (code, out, out_strides, shape, a, a_strides, size)
    )


def zip_launch(op: str, out, out_strides, shape, a, a_strides, b,
               b_strides) -> device.Launch | None:
    """The launch for `Backend.zip`, or None when there is nothing to do."""
    code = op_code(ZIP_CODES, op, "zip")
    device.on_device(out=out, a=a, b=b)
    shape, out_strides, a_strides, b_strides = _rank_at_least_one(
        shape, out_strides, a_strides, b_strides
    )
    size = _elements(shape)
    return device.per_element(
        zip_kernel, size, (code, out, out_strides, shape, a, a_strides, b, b_strides, size)
    )


def fill_launch(out, value: float, size: int) -> device.Launch | None:
    """The launch that sets out[:size] to `value`."""
    device.on_device(out=out)
    return device.per_element(fill_kernel, int(size), (out, float(value), int(size)))
