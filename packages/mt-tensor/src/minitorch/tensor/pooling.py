"""max_pool2d / avg_pool2d: backend kernels when present, else a composition.

The composition walks the kernel window: each offset is a strided view of
the (padded) input, combined with `maximum` or `+`. Max pooling pads with
-inf; average pooling counts padded zeros (count_include_pad=True).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitorch.autodiff import Context, Function

from . import dispatch as K
from .dtype import int64
from .views import Pad2d
from .window import pool2d_args

if TYPE_CHECKING:
    from .tensor import Tensor


def _windows(x: Tensor, kernel, stride, padding, out_shape, fill: float):
    xp = Pad2d.apply(x, padding=padding, value=fill) if padding != (0, 0) else x
    _, _, oh, ow = out_shape
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            yield xp[:, :, i:i + stride[0] * (oh - 1) + 1:stride[0],
                     j:j + stride[1] * (ow - 1) + 1:stride[1]]


class _Pool(Function):
    kind = ""

    @classmethod
    def _pool_forward(cls, ctx: Context, x: Tensor, kernel, stride, padding, out_shape) -> Tensor:
        x = K.contiguous(x)
        ctx.save_for_backward(x)
        out = K.output(out_shape, x)
        K.kernel(x.backend, f"{cls.kind}_pool2d_forward")(
            out._data.storage, K.buffer(x), x.shape, kernel, stride, padding)
        return out


class MaxPool2d(_Pool):
    """The gradient goes to the first maximum of each window.

    On a backend with both `*_indices` kernels, forward keeps the int64
    position of each window's maximum and backward is a scatter; otherwise
    forward keeps the input and backward scans the windows again."""

    kind = "max"

    @staticmethod
    def forward(ctx: Context, x: Tensor, kernel, stride, padding, out_shape) -> Tensor:
        if not _has_index_kernels(x):
            return MaxPool2d._pool_forward(ctx, x, kernel, stride, padding, out_shape)
        x = K.contiguous(x)
        out = K.output(out_shape, x)
        indices = K.output(out_shape, x, int64)
        K.kernel(x.backend, "max_pool2d_forward_indices")(
            out._data.storage, indices._data.storage, K.buffer(x), x.shape, kernel, stride,
            padding)
        ctx.save_for_backward(indices)
        ctx.params["x_shape"] = x.shape
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (saved,) = ctx.saved_tensors
        p = ctx.params
        g = K.contiguous(grad)
        if "x_shape" in p:
            gx = K.output(p["x_shape"], g)
            K.kernel(g.backend, "max_pool2d_backward_indices")(
                gx._data.storage, K.buffer(g), K.buffer(saved), p["x_shape"], p["out_shape"])
            return gx
        gx = K.output(saved.shape, saved)
        K.kernel(saved.backend, "max_pool2d_backward")(
            gx._data.storage, K.buffer(saved), K.buffer(g), saved.shape, p["kernel"],
            p["stride"], p["padding"])
        return gx


def _has_index_kernels(x: Tensor) -> bool:
    return all(K.optional_kernel(x.backend, f"max_pool2d_{part}_indices") is not None
               for part in ("forward", "backward"))


class AvgPool2d(_Pool):
    """Each input gets grad / (kH * kW) from every window that covers it."""

    kind = "avg"

    @staticmethod
    def forward(ctx: Context, x: Tensor, kernel, stride, padding, out_shape) -> Tensor:
        return AvgPool2d._pool_forward(ctx, x, kernel, stride, padding, out_shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        p = ctx.params
        gx = K.output(x.shape, x)
        K.kernel(x.backend, "avg_pool2d_backward")(gx._data.storage, K.buffer(K.contiguous(grad)),
                                      x.shape, p["kernel"], p["stride"], p["padding"])
        return gx


def _has_kernels(x: Tensor, kind: str) -> bool:
    return all(K.optional_kernel(x.backend, f"{kind}_pool2d_{part}") is not None
               for part in ("forward", "backward"))


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    kernel, stride, padding, out_shape = pool2d_args(x, kernel_size, stride, padding, "max_pool2d")
    if _has_kernels(x, "max"):
        return MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=padding, out_shape=out_shape)
    first, *rest = _windows(x, kernel, stride, padding, out_shape, float("-inf"))
    out = first
    for window in rest:
        out = out.maximum(window)
    return out.contiguous()


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    kernel, stride, padding, out_shape = pool2d_args(x, kernel_size, stride, padding, "avg_pool2d")
    if _has_kernels(x, "avg"):
        return AvgPool2d.apply(x, kernel=kernel, stride=stride, padding=padding, out_shape=out_shape)
    first, *rest = _windows(x, kernel, stride, padding, out_shape, 0.0)
    out = first
    for window in rest:
        out = out + window
    return out / float(kernel[0] * kernel[1])
