"""softmax and log_softmax along a dim, stable for large inputs.

A backend's optional `softmax` / `log_softmax` kernels run the forward pass
when present; otherwise it is composed from required ops (subtract the max,
exponentiate, normalize). Backward is always composed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitorch.autodiff import Context, Function

from . import dispatch as K
from .shape import normalize_dim

if TYPE_CHECKING:
    from .tensor import Tensor


def _shifted(a: Tensor, dim: int) -> Tensor:
    """a - max(a, dim): the largest entry becomes 0 so exp cannot overflow."""
    return K.zip_op("sub", a, K.reduce_op("max", a, dim))


def _run_kernel(a: Tensor, dim: int, name: str) -> Tensor | None:
    """The backend's optional `name` kernel over a contiguous copy, if it has one."""
    kernel = K.optional_kernel(a.backend, name)
    if kernel is None:
        return None
    src = K.contiguous(a)
    out = K.output(a.shape, a)
    kernel(out._data.storage, K.buffer(src), src.shape, dim)
    return out


def _log_softmax_forward(a: Tensor, dim: int) -> Tensor:
    out = _run_kernel(a, dim, "log_softmax")
    if out is not None:
        return out
    shifted = _shifted(a, dim)
    log_norm = K.map_op("log", K.reduce_op("sum", K.map_op("exp", shifted), dim))
    return K.zip_op("sub", shifted, log_norm)


def _softmax_forward(a: Tensor, dim: int) -> Tensor:
    out = _run_kernel(a, dim, "softmax")
    if out is not None:
        return out
    e = K.map_op("exp", _shifted(a, dim))
    return K.zip_op("div", e, K.reduce_op("sum", e, dim))


class Softmax(Function):
    """d softmax: g_in = s * (g - sum(g * s, dim))."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int) -> Tensor:
        out = _softmax_forward(a, dim)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (s,) = ctx.saved_tensors
        dot = K.reduce_op("sum", K.zip_op("mul", grad, s), ctx.params["dim"])
        return K.zip_op("mul", s, K.zip_op("sub", grad, dot))


class LogSoftmax(Function):
    """d log_softmax: g_in = g - softmax * sum(g, dim)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int) -> Tensor:
        out = _log_softmax_forward(a, dim)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        total = K.reduce_op("sum", grad, ctx.params["dim"])
        return K.zip_op("sub", grad, K.zip_op("mul", K.map_op("exp", out), total))


def softmax(a: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, a.dim(), "softmax")
    if a.dim() == 0:  # one element: kernels see at least one dim
        return Softmax.apply(a.reshape(1), dim=0).reshape(())
    return Softmax.apply(a, dim=d)


def log_softmax(a: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, a.dim(), "log_softmax")
    if a.dim() == 0:
        return LogSoftmax.apply(a.reshape(1), dim=0).reshape(())
    return LogSoftmax.apply(a, dim=d)
