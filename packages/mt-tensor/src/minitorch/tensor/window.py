"""Sliding-window arguments (convolution and pooling), normalized and checked once.

`conv2d_args` and `pool2d_args` turn what a user may write (an int or a
pair, ``padding="same"`` / ``"valid"``, ``stride=None``) into (h, w) pairs,
and refuse sizes no window fits, naming the op and the sizes, before any
kernel runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

Pair = tuple[int, int]


def pair(value: Any, name: str, op: str) -> Pair:
    """An int or a pair of ints as an (h, w) pair."""
    if isinstance(value, bool):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        return (value, value)
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        return (int(value[0]), int(value[1]))
    raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")


def out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output length of a window of `kernel` moved by `stride` over `size` + 2 `padding`."""
    return (size + 2 * padding - kernel) // stride + 1


def _positive(values: Pair, name: str, op: str) -> None:
    if min(values) < 1:
        raise ValueError(f"{op}: {name} must be positive, got {values}")


def _fits(op: str, x: Tensor, kernel: Pair, stride: Pair, padding: Pair) -> tuple[int, int]:
    oh = out_size(x.shape[2], kernel[0], stride[0], padding[0])
    ow = out_size(x.shape[3], kernel[1], stride[1], padding[1])
    if oh < 1 or ow < 1:
        raise ValueError(
            f"{op}: kernel {kernel} is larger than the padded input "
            f"{(x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1])} (input shape {x.shape})"
        )
    return oh, ow


def conv2d_args(x: Tensor, w: Tensor, stride: Any, padding: Any) -> tuple[Pair, Pair]:
    """Checked (stride, padding) of a conv2d of `x` (B, C, H, W) by `w` (O, C, kH, kW)."""
    if x.dim() != 4:
        raise ValueError(f"conv2d: expected a 4-d input (batch, channels, H, W), got shape {x.shape}")
    if w.dim() != 4:
        raise ValueError(f"conv2d: expected a 4-d weight (out, in, kH, kW), got shape {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(
            f"conv2d: input has {x.shape[1]} channels but the weight {w.shape} expects "
            f"{w.shape[1]} (input shape {x.shape})"
        )
    kernel = (w.shape[2], w.shape[3])
    _positive(kernel, f"the kernel size (weight shape {w.shape})", "conv2d")
    stride = pair(stride, "stride", "conv2d")
    _positive(stride, "stride", "conv2d")
    if padding == "valid":
        padding = (0, 0)
    elif padding == "same":
        if stride != (1, 1):
            raise ValueError(f"conv2d: padding='same' needs stride 1, got {stride}")
        if kernel[0] % 2 == 0 or kernel[1] % 2 == 0:
            raise ValueError(f"conv2d: padding='same' needs odd kernel sizes, got {kernel}")
        padding = ((kernel[0] - 1) // 2, (kernel[1] - 1) // 2)
    padding = pair(padding, "padding", "conv2d")
    if min(padding) < 0:
        raise ValueError(f"conv2d: padding must be >= 0, got {padding}")
    _fits("conv2d", x, kernel, stride, padding)
    return stride, padding


def pool2d_args(x: Tensor, kernel_size: Any, stride: Any, padding: Any,
                op: str) -> tuple[Pair, Pair, Pair, tuple[int, int, int, int]]:
    """Checked (kernel, stride, padding, output shape) of a pooling of `x` (B, C, H, W)."""
    if x.dim() != 4:
        raise ValueError(f"{op}: expected a 4-d input (batch, channels, H, W), got shape {x.shape}")
    kernel = pair(kernel_size, "kernel_size", op)
    _positive(kernel, "kernel_size", op)
    stride = kernel if stride is None else pair(stride, "stride", op)
    _positive(stride, "stride", op)
    padding = pair(padding, "padding", op)
    if min(padding) < 0 or padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        raise ValueError(f"{op}: padding {padding} must be >= 0 and at most half the kernel {kernel}")
    oh, ow = _fits(op, x, kernel, stride, padding)
    return kernel, stride, padding, (x.shape[0], x.shape[1], oh, ow)
