"""minitorch.tensor: strided tensors with autodiff over pluggable backends.

    import minitorch.tensor as mt
    x = mt.randn(3, 4, requires_grad=True)
    (x.relu() @ mt.ones(4, 2)).sum().backward()
"""

from .autograd import Function, enable_grad, is_grad_enabled, no_grad
from .backend import Backend
from .conv import conv1d, conv2d
from .creation import (
    arange,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .dtype import DType, float32, float64
from .hookspec import hookimpl
from .pooling import avg_pool2d, max_pool2d
from .registry import REGISTRY, BackendError, get_backend, list_backends
from .shape import TensorData
from .softmax import log_softmax, softmax
from .tensor import Tensor


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


__all__ = [
    "Backend", "BackendError", "DType", "Function", "REGISTRY", "Tensor", "TensorData",
    "arange", "avg_pool2d", "conv1d", "conv2d", "enable_grad", "exp", "float32", "float64",
    "from_numpy", "full", "full_like", "get_backend", "get_rng_state", "hookimpl",
    "is_grad_enabled", "list_backends", "log", "log_softmax", "manual_seed", "matmul",
    "max_pool2d", "maximum", "mean", "no_grad", "ones", "ones_like", "rand", "randn", "relu",
    "set_rng_state", "sigmoid", "softmax", "sum", "tanh", "tensor", "zeros", "zeros_like",
]
