"""Conv1d and Conv2d: cross-correlation layers (as PyTorch, no kernel flip)."""

from __future__ import annotations

from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from . import functional as F
from .linear import reset_weight_and_bias
from .module import Module
from .parameter import Parameter


def _tuple(value: Any, n: int, name: str, layer: str) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(
        isinstance(v, int) for v in value
    ):
        return tuple(value)
    raise ValueError(f"{layer}: {name} must be an int or a tuple of {n} ints, got {value!r}")


def _padding(value: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
             layer: str) -> str | tuple[int, ...]:
    """Normalize padding: "same" (checked here, where the layer is known), "valid" = 0, ints."""
    if value == "valid":
        return (0,) * len(kernel)
    if value == "same":
        if any(s != 1 for s in stride):
            raise ValueError(f"{layer}: padding='same' needs stride 1, got stride={stride}")
        if any(k % 2 == 0 for k in kernel):
            raise ValueError(f"{layer}: padding='same' needs odd kernel sizes, got {kernel}")
        return "same"
    padding = _tuple(value, len(kernel), "padding", layer)
    if min(padding) < 0:
        raise ValueError(f"{layer}: padding must be >= 0, got {padding}")
    return padding


class _ConvNd(Module):
    """What Conv1d and Conv2d share: parameters, init, checks, repr."""

    dims = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, bias: bool, backend: Any, dtype: Any) -> None:
        super().__init__()
        layer = type(self).__name__
        if in_channels <= 0 or out_channels <= 0:
            raise ValueError(
                f"{layer}: channels must be positive, got {in_channels}, {out_channels}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, self.dims, "kernel_size", layer)
        self.stride = _tuple(stride, self.dims, "stride", layer)
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError(f"{layer}: kernel_size and stride must be >= 1")
        self.padding = _padding(padding, self.kernel_size, self.stride, layer)
        shape = (out_channels, in_channels, *self.kernel_size)
        self.weight = Parameter(mt.zeros(*shape, dtype=dtype, backend=backend))
        self.bias = (Parameter(mt.zeros(out_channels, dtype=dtype, backend=backend))
                     if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def _check_input(self, input: Tensor) -> None:
        spatial = ("L",) if self.dims == 1 else ("H", "W")
        layout = ", ".join(("N", str(self.in_channels), *spatial))
        if input.dim() != self.dims + 2:
            raise self._input_error(f"a {self.dims + 2}-d input ({layout})", input.shape)
        if input.shape[1] != self.in_channels:
            raise self._input_error(
                f"input with {self.in_channels} channels ({layout})", input.shape
            )
        pad = (0,) * self.dims if self.padding == "same" else self.padding
        sizes = [n + 2 * p for n, p in zip(input.shape[2:], pad, strict=True)]
        if any(n < k for n, k in zip(sizes, self.kernel_size, strict=True)):
            raise self._input_error(
                f"spatial size at least {self.kernel_size} after padding", input.shape
            )

    def extra_repr(self) -> str:
        k = self.kernel_size[0] if self.dims == 1 else self.kernel_size
        s = self.stride[0] if self.dims == 1 else self.stride
        p = self.padding
        p = p if isinstance(p, str) else (p[0] if self.dims == 1 else p)
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={k}, stride={s}, "
                f"padding={p}, bias={self.bias is not None}")


class Conv1d(_ConvNd):
    """1-d convolution over (N, C_in, L) inputs.

    Args:
        in_channels, out_channels: channel counts.
        kernel_size: k, the window length.
        stride: step between windows (default 1).
        padding: zeros added on both ends: an int, "valid" (0) or "same"
            (output length = input length; needs stride 1 and an odd k).
        bias: learn a per-output-channel bias (default True).
        backend, dtype: where and how the parameters are created.

    Shape:
        input (N, C_in, L) -> output (N, C_out, L_out) with
        L_out = floor((L + 2 * padding - k) / stride) + 1.

    Init:
        weight (C_out, C_in, k) and bias (C_out,) ~ U(-1/sqrt(fan_in),
        1/sqrt(fan_in)), fan_in = C_in * k (PyTorch's default).
    """

    dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int | str = 0, bias: bool = True, backend: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias,
                         backend, dtype)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(input, self.weight, self.bias, self.stride[0], padding)


class Conv2d(_ConvNd):
    """2-d convolution over (N, C_in, H, W) inputs.

    Args:
        in_channels, out_channels: channel counts.
        kernel_size: an int k (k x k) or (kH, kW).
        stride: an int or (sH, sW) (default 1).
        padding: zeros added on each side: an int, a pair, "valid" (0) or
            "same" (output H, W = input H, W; needs stride 1 and odd kernels).
        bias: learn a per-output-channel bias (default True).
        backend, dtype: where and how the parameters are created.

    Shape:
        input (N, C_in, H, W) -> output (N, C_out, H_out, W_out) with
        H_out = floor((H + 2 * padding[0] - kH) / stride[0]) + 1 and
        W_out = floor((W + 2 * padding[1] - kW) / stride[1]) + 1.

    Init:
        weight (C_out, C_in, kH, kW) and bias (C_out,) ~ U(-1/sqrt(fan_in),
        1/sqrt(fan_in)), fan_in = C_in * kH * kW (PyTorch's default).

    Example::

        conv = Conv2d(1, 4, 3, padding="same")
        conv(mt.randn(8, 1, 28, 28)).shape    # (8, 4, 28, 28)
    """

    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] | str = 0,
                 bias: bool = True, backend: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias,
                         backend, dtype)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)
