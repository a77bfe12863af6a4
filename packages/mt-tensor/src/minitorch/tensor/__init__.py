"""minitorch.tensor: strided tensors with autodiff over pluggable backends.

    import minitorch.tensor as mt
    x = mt.randn(3, 4, requires_grad=True)
    (x.relu() @ mt.ones(4, 2)).sum().backward()

Autodiff is minitorch.autodiff's engine (the one `Scalar` uses); its
`Function`, `Context` and grad modes are re-exported here.
"""

import builtins

from minitorch.autodiff import (
    Context,
    Function,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

from . import cuda
from .backend import Backend
from .conv import conv1d, conv2d
from .creation import (
    Generator,
    arange,
    default_generator,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    generator,
    get_rng_state,
    initial_seed,
    is_tensor,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .device import device
from .dtype import DType, bool_, float32, float64, int32, int64
from .hookspec import hookimpl
from .namespace import (
    FUNCTIONS,
    Size,
    bmm,
    einsum,
    floor_divide,
    get_default_dtype,
    nonzero,
    promote_types,
    remainder,
    topk,
)
from .namespace import result_type_of as result_type
from .pooling import avg_pool2d, max_pool2d
from .registry import REGISTRY, BackendError, get_backend, list_backends
from .shape import TensorData
from .softmax import log_softmax, softmax
from .tensor import Tensor
from .tensor_view import TensorView


def cat(tensors: list[Tensor] | tuple[Tensor, ...], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; mixed dtypes promote as in torch.cat
    (float32 with float64 gives float64)."""
    from .dtype import result_type
    from .promotion import convert
    from .shape import normalize_dim
    from .views import Cat

    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    common = tensors[0].dtype
    for t in tensors[1:]:
        common = result_type(common, 1, t.dtype, 1)  # cat's operands all have dims
    joined = [convert(t, common) for t in tensors]
    return Cat.apply(*joined, dim=normalize_dim(dim, tensors[0].dim(), "cat"))


def stack(tensors: list[Tensor] | tuple[Tensor, ...], dim: int = 0) -> Tensor:
    """Join tensors along a new dim."""
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def where(condition: Tensor, a: Tensor | builtins.float, b: Tensor | builtins.float) -> Tensor:
    """`a` where `condition` is non-zero, else `b`, broadcast together: a selection, so
    the branch not taken (a nan, an inf) reaches neither the result nor the gradient."""
    from .functions import Where
    from .promotion import operands

    if isinstance(a, Tensor):
        a, b = operands(a, b)
    elif isinstance(b, Tensor):
        b, a = operands(b, a)
    else:
        a, b = operands(condition._constant(a, float32), b)
    return Where.apply(condition, a, b)


def argmax(t: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return t.argmax(dim, keepdim)


def flatten(t: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return t.flatten(start_dim, end_dim)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    return a.matmul(b)


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return a.maximum(b)


def exp(t: Tensor) -> Tensor:
    return t.exp()


def log(t: Tensor) -> Tensor:
    return t.log()


def relu(t: Tensor) -> Tensor:
    return t.relu()


def sigmoid(t: Tensor) -> Tensor:
    return t.sigmoid()


def tanh(t: Tensor) -> Tensor:
    return t.tanh()


def sum(t: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return t.sum(dim, keepdim)


def mean(t: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return t.mean(dim, keepdim)


def max(t: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """torch.max: the largest element, (values, indices) along `dim`, or maximum(t, other)."""
    return t.maximum(dim) if isinstance(dim, Tensor) else t.max(dim, keepdim)


def min(t: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """torch.min: the smallest element, (values, indices) along `dim`, or minimum(t, other)."""
    return t.minimum(dim) if isinstance(dim, Tensor) else t.min(dim, keepdim)


def var(t: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    return t.var(dim, unbiased, keepdim, correction=correction)


def std(t: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    return t.std(dim, unbiased, keepdim, correction=correction)


def sqrt(t: Tensor) -> Tensor:
    return t.sqrt()


def abs(t: Tensor) -> Tensor:  # noqa: A001
    return t.abs()


def split(t: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    return t.split(split_size_or_sections, dim)


def chunk(t: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    return t.chunk(chunks, dim)


# PyTorch's dtype names: torch.float is float32, torch.double float64, torch.long
# int64, torch.int int32, torch.bool bool (these shadow the builtins only as
# attributes of this module).
float = float32  # noqa: A001
double = float64
long = int64
# `int` and `bool` are set through globals() so that this module's own
# annotations still mean the builtins.
globals().update({"int": int32, "bool": bool_})


globals().update(FUNCTIONS)  # mt.sin(x), mt.gather(x, 1, idx), ...: see namespace.py

__all__ = [*FUNCTIONS,
    "Size", "bmm", "einsum", "floor_divide", "get_default_dtype", "nonzero", "promote_types",
    "remainder", "result_type", "topk",
    "Backend", "BackendError", "Context", "DType", "Function", "REGISTRY", "Tensor", "TensorData",
    "TensorView", "inference_mode", "set_grad_enabled",
    "arange", "argmax", "cuda", "device", "avg_pool2d", "cat", "conv1d", "conv2d", "enable_grad", "exp",
    "flatten", "float32", "float64", "from_numpy", "full", "full_like", "generator",
    "get_backend", "get_rng_state", "hookimpl", "is_grad_enabled", "list_backends", "log",
    "log_softmax", "manual_seed", "matmul", "max_pool2d", "maximum", "mean", "no_grad", "ones",
    "ones_like", "rand", "randn", "relu", "set_rng_state", "sigmoid", "softmax", "stack", "sum",
    "tanh", "tensor", "where", "zeros", "zeros_like",
    "abs", "chunk", "double", "empty", "eye", "float", "is_tensor", "linspace", "max", "min",
    "rand_like", "randn_like", "split", "sqrt", "std", "var",
    "Generator", "bool", "bool_", "default_generator", "initial_seed", "int", "int32", "int64",
    "long", "randint", "randperm",
]
