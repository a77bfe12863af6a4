"""max_pool2d / avg_pool2d: backend kernels when present, else a composition.

The composition walks the kernel window: each offset is a strided view of
the (padded) input, combined with `maximum` or `+`. Max pooling pads with
-inf; average pooling counts padded zeros (count_include_pad=True).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import dispatch as K
from .autograd import Context, Function
from .conv import out_size, pair
from .views import Pad2d

if TYPE_CHECKING:
    from .tensor import Tensor


def _params(x: Tensor, kernel_size, stride, padding, op: str):
    if x.dim() != 4:
        raise ValueError(f"{op}: expected a 4-d input (batch, channels, H, W), got shape {x.shape}")
    kernel = pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else pair(stride, "stride", op)
    padding = pair(padding, "padding", op)
    if padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        raise ValueError(f"{op}: padding {padding} should be at most half the kernel {kernel}")
    oh = out_size(x.shape[2], kernel[0], stride[0], padding[0])
    ow = out_size(x.shape[3], kernel[1], stride[1], padding[1])
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: kernel {kernel} is larger than the input {x.shape[2:]}")
    return kernel, stride, padding, (x.shape[0], x.shape[1], oh, ow)


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
    def _forward(cls, ctx: Context, x: Tensor, kernel, stride, padding, out_shape) -> Tensor:
        x = K.contiguous(x)
        ctx.save_for_backward(x)
        out = K.output(out_shape, x)
        getattr(x.backend, f"{cls.kind}_pool2d_forward")(
            out._data.storage, K.buffer(x), x.shape, kernel, stride, padding)
        return out


class MaxPool2d(_Pool):
    """The gradient goes to the first maximum of each window."""

    kind = "max"

    @staticmethod
    def forward(ctx: Context, x: Tensor, kernel, stride, padding, out_shape) -> Tensor:
        return MaxPool2d._forward(ctx, x, kernel, stride, padding, out_shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        p = ctx.params
        gx = K.output(x.shape, x)
        x.backend.max_pool2d_backward(gx._data.storage, K.buffer(x), K.buffer(K.contiguous(grad)),
                                      x.shape, p["kernel"], p["stride"], p["padding"])
        return gx


class AvgPool2d(_Pool):
    """Each input gets grad / (kH * kW) from every window that covers it."""

    kind = "avg"

    @staticmethod
    def forward(ctx: Context, x: Tensor, kernel, stride, padding, out_shape) -> Tensor:
        return AvgPool2d._forward(ctx, x, kernel, stride, padding, out_shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        p = ctx.params
        gx = K.output(x.shape, x)
        x.backend.avg_pool2d_backward(gx._data.storage, K.buffer(K.contiguous(grad)),
                                      x.shape, p["kernel"], p["stride"], p["padding"])
        return gx


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    kernel, stride, padding, out_shape = _params(x, kernel_size, stride, padding, "max_pool2d")
    if hasattr(x.backend, "max_pool2d_forward") and hasattr(x.backend, "max_pool2d_backward"):
        return MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=padding, out_shape=out_shape)
    out = None
    for window in _windows(x, kernel, stride, padding, out_shape, float("-inf")):
        out = window if out is None else out.maximum(window)
    return out.contiguous()


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    kernel, stride, padding, out_shape = _params(x, kernel_size, stride, padding, "avg_pool2d")
    if hasattr(x.backend, "avg_pool2d_forward") and hasattr(x.backend, "avg_pool2d_backward"):
        return AvgPool2d.apply(x, kernel=kernel, stride=stride, padding=padding, out_shape=out_shape)
    out = None
    for window in _windows(x, kernel, stride, padding, out_shape, 0.0):
        out = window if out is None else out + window
    return out / float(kernel[0] * kernel[1])
