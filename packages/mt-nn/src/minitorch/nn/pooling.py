"""MaxPool2d, AvgPool2d and their adaptive forms: parameter-free window reductions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minitorch.tensor as mt
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


# -- adaptive pooling ----------------------------------------------------------------
OptionalPair = int | None | tuple[int | None, int | None]


def _adaptive_sizes(input: Tensor, output_size: OptionalPair, op: str) -> tuple[int, int]:
    """The (out_h, out_w) an adaptive pool makes; None keeps the input's size."""
    if input.dim() not in (3, 4):
        raise ValueError(f"{op}: expected a 3-d (C, H, W) or 4-d (N, C, H, W) input, "
                         f"got shape {input.shape}")
    if output_size is None or isinstance(output_size, int):
        sizes: tuple = (output_size, output_size)
    else:
        sizes = tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    out = tuple(input.shape[-2 + i] if s is None else int(s) for i, s in enumerate(sizes))
    if any(s < 0 for s in out):
        raise ValueError(f"{op}: output_size must be >= 0, got {output_size!r}")
    return out[0], out[1]


def _bins(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive bins: [floor(i * size / out), ceil((i + 1) * size / out))."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _as_batch(input: Tensor, op: str, output_size: OptionalPair
              ) -> tuple[Tensor, tuple[int, int], Callable[[Tensor], Tensor]]:
    """The input as 4-d, the output size, and a function that undoes the batching."""
    out = _adaptive_sizes(input, output_size, op)
    if input.dim() == 3:
        return input.unsqueeze(0), out, lambda t: t.squeeze(0)
    return input, out, lambda t: t


def _divides(x: Tensor, out: tuple[int, int]) -> bool:
    h, w = x.shape[-2:]
    return out[0] > 0 and out[1] > 0 and h % out[0] == 0 and w % out[1] == 0


def _bin_means(size: int, out: int, like: Tensor) -> Tensor:
    """(out, size): row i averages bin i (a constant; the pooling is a matmul)."""
    table = np.zeros((out, size))
    for i, (start, end) in enumerate(_bins(size, out)):
        table[i, start:end] = 1.0 / (end - start)
    return mt.tensor(table, dtype=like.dtype, backend=like.backend)


def adaptive_avg_pool2d(input: Tensor, output_size: OptionalPair) -> Tensor:
    """The mean of each of out_h x out_w bins that cover H x W (neighbouring bins
    overlap when the sizes do not divide; see AdaptiveAvgPool2d)."""
    x, out, unbatch = _as_batch(input, "adaptive_avg_pool2d", output_size)
    h, w = x.shape[-2:]
    if _divides(x, out):  # equal, disjoint bins: an ordinary average pool
        return unbatch(F.avg_pool2d(x, (h // out[0], w // out[1])))
    rows = _bin_means(h, out[0], x)
    cols = _bin_means(w, out[1], x)
    return unbatch(rows @ x @ cols.T)


def _max_over_bins(x: Tensor, dim: int, out: int) -> Tensor:
    """Max over each adaptive bin of ``dim``: gather every bin's indices (short bins
    repeat their last index, harmless to a max), then reduce the bin axis."""
    size = x.shape[dim]
    bins = _bins(size, out)
    longest = max((end - start for start, end in bins), default=0)
    index = np.array([[min(start + k, end - 1) for k in range(longest)] for start, end in bins],
                     dtype=np.int64).reshape(-1)
    picked = x.index_select(dim, mt.tensor(index, dtype=mt.int64, backend=x.backend))
    shape = x.shape[:dim] + (out, longest) + x.shape[dim + 1:]
    return picked.reshape(*shape).max(dim + 1).values


def adaptive_max_pool2d(input: Tensor, output_size: OptionalPair,
                        return_indices: bool = False) -> Tensor:
    """The maximum of each of out_h x out_w adaptive bins (see AdaptiveMaxPool2d)."""
    if return_indices:
        raise NotImplementedError("adaptive_max_pool2d: return_indices=True is not supported")
    x, out, unbatch = _as_batch(input, "adaptive_max_pool2d", output_size)
    h, w = x.shape[-2:]
    if _divides(x, out):
        return unbatch(F.max_pool2d(x, (h // out[0], w // out[1])))
    if 0 in out or 0 in (h, w):
        return unbatch(x.new_zeros(x.shape[0], x.shape[1], *out))
    # W first, then H: the gradient then reaches the first maximum of each bin in
    # row-major order, PyTorch's choice on ties.
    return unbatch(_max_over_bins(_max_over_bins(x, 3, out[1]), 2, out[0]))


class _AdaptivePool2d(Module):
    def __init__(self, output_size: OptionalPair) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool2d):
    """The mean over each of out_h x out_w bins, whatever the input's H x W.

    Bin i along H covers rows floor(i * H / out_h) to ceil((i + 1) * H / out_h)
    (exclusive), as PyTorch; W alike. When out_h divides H and out_w divides W
    this is AvgPool2d with kernel (H / out_h, W / out_w).

    Args:
        output_size: out_h and out_w: an int for both, or a pair whose None
            entries keep the input's size.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, out_h, out_w) or (C, out_h, out_w).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool2d):
    """The maximum over each of out_h x out_w bins (the bins of AdaptiveAvgPool2d).

    Args:
        output_size: an int for both sizes, or a pair whose None entries keep
            the input's size.
        return_indices: not supported (must be False).

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, out_h, out_w) or (C, out_h, out_w).

    Init:
        no parameters. The gradient goes to the first maximum of each bin.
    """

    def __init__(self, output_size: OptionalPair, return_indices: bool = False) -> None:
        super().__init__(output_size)
        if return_indices:
            raise NotImplementedError("AdaptiveMaxPool2d: return_indices=True is not supported")
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_max_pool2d(input, self.output_size)
