"""conv1d / conv2d: a backend's fused kernels when present, else a composition.

The composition needs only required kernels: for every kernel offset
(kh, kw) it takes a strided view of the padded input and multiplies it by
that slice of the weight. It is differentiable through ordinary autodiff,
so a new backend gets correct convolutions (slowly) before it has any
convolution kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import dispatch as K
from .autograd import Context, Function
from .views import Pad2d

if TYPE_CHECKING:
    from .tensor import Tensor

_KERNELS = ("conv2d_forward", "conv2d_backward_input", "conv2d_backward_weight")


def pair(value: int | tuple[int, int], name: str, op: str) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (int(value[0]), int(value[1]))
    raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")


def out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _check(x: Tensor, w: Tensor, stride, padding) -> tuple[tuple[int, int], tuple[int, int]]:
    if x.dim() != 4:
        raise ValueError(f"conv2d: expected a 4-d input (batch, channels, H, W), got shape {x.shape}")
    if w.dim() != 4:
        raise ValueError(f"conv2d: expected a 4-d weight (out, in, kH, kW), got shape {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(
            f"conv2d: input has {x.shape[1]} channels but the weight {w.shape} expects "
            f"{w.shape[1]} (input shape {x.shape})"
        )
    kh, kw = w.shape[2], w.shape[3]
    stride = pair(stride, "stride", "conv2d")
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("conv2d: padding='same' needs stride 1")
        if kh % 2 == 0 or kw % 2 == 0:
            raise ValueError(f"conv2d: padding='same' needs odd kernel sizes, got {(kh, kw)}")
        padding = ((kh - 1) // 2, (kw - 1) // 2)
    padding = pair(padding, "padding", "conv2d")
    if min(stride) < 1 or min(padding) < 0:
        raise ValueError(f"conv2d: stride must be >= 1 and padding >= 0, got {stride}, {padding}")
    oh = out_size(x.shape[2], kh, stride[0], padding[0])
    ow = out_size(x.shape[3], kw, stride[1], padding[1])
    if oh < 1 or ow < 1:
        raise ValueError(
            f"conv2d: kernel {(kh, kw)} is larger than the padded input "
            f"{(x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1])}"
        )
    return stride, padding


class Conv2d(Function):
    """Convolution through the backend's kernels; backward uses its two gradient kernels."""

    @staticmethod
    def forward(ctx: Context, x: Tensor, w: Tensor, stride, padding) -> Tensor:
        # The contiguous copies saved below are new tensors: remember which
        # of the caller's inputs want a gradient before replacing them.
        ctx.params["needs_grad"] = (x.requires_grad, w.requires_grad)
        x, w = K.contiguous(x), K.contiguous(w)
        ctx.save_for_backward(x, w)
        b, _, h, wd = x.shape
        o, _, kh, kw = w.shape
        out = K.output((b, o, out_size(h, kh, stride[0], padding[0]),
                       out_size(wd, kw, stride[1], padding[1])), x)
        x.backend.conv2d_forward(out._data.storage, K.buffer(x), K.buffer(w), x.shape, w.shape,
                                 stride, padding)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, w = ctx.saved_tensors
        stride, padding = ctx.params["stride"], ctx.params["padding"]
        g = K.contiguous(grad)
        gx = gw = None
        needs_x, needs_w = ctx.params["needs_grad"]
        if needs_x:
            gx = K.output(x.shape, x)
            x.backend.conv2d_backward_input(gx._data.storage, K.buffer(g), K.buffer(w),
                                            x.shape, w.shape, stride, padding)
        if needs_w:
            gw = K.output(w.shape, w)
            x.backend.conv2d_backward_weight(gw._data.storage, K.buffer(x), K.buffer(g),
                                             x.shape, w.shape, stride, padding)
        return gx, gw


def _conv2d_composed(x: Tensor, w: Tensor, stride, padding) -> Tensor:
    b, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    sh, sw = stride
    oh, ow = out_size(h, kh, sh, padding[0]), out_size(wd, kw, sw, padding[1])
    xp = Pad2d.apply(x, padding=padding, value=0.0) if padding != (0, 0) else x
    out = None
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            term = w[:, :, i, j] @ patch.reshape(b, c, oh * ow)
            out = term if out is None else out + term
    return out.view(b, o, oh, ow)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] | str = 0) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch) of (B, C, H, W) by (O, C, kH, kW)."""
    stride, padding = _check(x, weight, stride, padding)
    K.check_same_backend("conv2d", x, weight)
    if all(hasattr(x.backend, k) for k in _KERNELS):
        out = Conv2d.apply(x, weight, stride=stride, padding=padding)
    else:
        out = _conv2d_composed(x, weight, stride, padding)
    if bias is not None:
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"conv2d: bias shape {bias.shape} != ({weight.shape[0]},)")
        out = out + bias.view(1, -1, 1, 1)
    return out


def conv1d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1,
           padding: int | str = 0) -> Tensor:
    """1-d convolution of (B, C, L) by (O, C, k): a conv2d with height 1."""
    if x.dim() != 3 or weight.dim() != 3:
        raise ValueError(
            f"conv1d: expected a 3-d input (batch, channels, L) and a 3-d weight (out, in, k), "
            f"got {x.shape} and {weight.shape}"
        )
    if isinstance(stride, (tuple, list)):
        stride = stride[0]
    if isinstance(padding, (tuple, list)):
        padding = padding[0]
    pad2 = "same" if padding == "same" else (0, padding)
    out = conv2d(x.unsqueeze(2), weight.unsqueeze(2), None, (1, stride), pad2)
    out = out.squeeze(2)
    if bias is not None:
        out = out + bias.view(1, -1, 1)
    return out
