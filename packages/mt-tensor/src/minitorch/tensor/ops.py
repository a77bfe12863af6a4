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

from collections.abc import Callable

from minitorch.autodiff import operators

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
}

# Reductions along one dimension. `max` lets nan win; `argmax` returns the
# first index of the maximum (of the first nan, if any), stored as a float of
# the tensor's dtype. Both refuse an empty dimension (mt-tensor checks).
REDUCE_OPS: tuple[str, ...] = ("sum", "max", "argmax")

# Kernels every backend provides (signatures on `minitorch.tensor.backend.Backend`).
REQUIRED_KERNELS: tuple[str, ...] = ("map", "zip", "reduce", "matmul", "where")

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
)


def op_codes(table: dict[str, Callable] | tuple[str, ...]) -> dict[str, int]:
    """Each op name of `table` with its code: its position in the table."""
    return {name: code for code, name in enumerate(table)}


def unknown_op(kind: str, op: str, table: dict[str, Callable] | tuple[str, ...]) -> ValueError:
    """The error for an op name a kernel does not know, listing the ones it does."""
    return ValueError(f"{kind}: unknown op {op!r}; known: {', '.join(table)}")
