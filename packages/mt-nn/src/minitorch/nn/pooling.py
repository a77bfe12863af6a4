"""MaxPool2d and AvgPool2d: parameter-free window reductions."""

from __future__ import annotations

from minitorch.tensor import Tensor

from . import functional as F
from .module import Module

IntPair = int | tuple[int, int]


def _pair(value: IntPair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


class _Pool2d(Module):
    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None,
                 padding: IntPair = 0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        # PyTorch: stride defaults to the kernel size (non-overlapping windows).
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def _check_input(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise self._input_error("a 4-d input (N, C, H, W)", input.shape)
        kernel = _pair(self.kernel_size)
        padding = _pair(self.padding)
        if any(input.shape[2 + i] + 2 * padding[i] < kernel[i] for i in range(2)):
            raise self._input_error(f"H, W at least {kernel} after padding", input.shape)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each kH x kW window, per channel.

    Args:
        kernel_size: window size, an int or (kH, kW).
        stride: step between windows; default ``kernel_size``.
        padding: implicit -inf padding on each side (at most half the kernel).

    Shape:
        input (N, C, H, W) -> output (N, C, H_out, W_out) with
        H_out = floor((H + 2 * padding - kH) / stride) + 1 (W alike).

    Init:
        no parameters. The gradient goes to the first maximum of each window.
    """

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each kH x kW window, per channel (padded zeros count).

    Args:
        kernel_size: window size, an int or (kH, kW).
        stride: step between windows; default ``kernel_size``.
        padding: implicit zero padding on each side (at most half the kernel).

    Shape:
        input (N, C, H, W) -> output (N, C, H_out, W_out) with
        H_out = floor((H + 2 * padding - kH) / stride) + 1 (W alike).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding)
