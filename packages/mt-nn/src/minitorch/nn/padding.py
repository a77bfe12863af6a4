"""Borders and resizing: ``pad`` (constant, reflect, replicate, circular),
nearest-neighbour ``interpolate``, and their Modules.

Everything is composed from differentiable tensor ops (``narrow``, ``cat``,
``index_select``), so gradients need no code of their own: a border element
that copies an input element sends its gradient back there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from .module import Module

PAD_MODES = ("constant", "reflect", "replicate", "circular")
INTERPOLATE_MODES = ("nearest", "nearest-exact")
# Modes PyTorch has that minitorch does not compute (yet).
_UNSUPPORTED_INTERPOLATE = ("linear", "bilinear", "bicubic", "trilinear", "area", "lanczos")


# -- pad -----------------------------------------------------------------------------
def _pad_pairs(input: Tensor, pad: Sequence[int]) -> list[tuple[int, int, int]]:
    """(dim, before, after) for each padded dimension: pad's first pair is the last dim."""
    if any(not isinstance(p, (int, np.integer)) or isinstance(p, bool) for p in pad):
        raise TypeError(f"pad: pad must be a sequence of ints, got {tuple(pad)}")
    if len(pad) % 2:
        raise ValueError(f"pad: padding length must be divisible by 2, got {len(pad)} values")
    if len(pad) > 2 * input.dim():
        raise ValueError(f"pad: {len(pad)} padding values pad {len(pad) // 2} dimensions, but "
                         f"the input has only {input.dim()} (shape {input.shape})")
    return [(input.dim() - 1 - i, int(pad[2 * i]), int(pad[2 * i + 1]))
            for i in range(len(pad) // 2)]


def _pad_constant(x: Tensor, dim: int, before: int, after: int, value: float) -> Tensor:
    size = x.shape[dim]
    keep = size + min(before, 0) + min(after, 0)
    if keep < 0:
        raise ValueError(f"pad: negative padding ({before}, {after}) removes more than the "
                         f"{size} elements of dimension {dim} (shape {x.shape})")
    x = x.narrow(dim, -min(before, 0), keep)
    if before <= 0 and after <= 0:
        return x

    def fill(width: int) -> Tensor:
        shape = x.shape[:dim] + (max(width, 0),) + x.shape[dim + 1:]
        return mt.full(shape, value, dtype=x.dtype, backend=x.backend)

    return mt.cat([fill(before), x, fill(after)], dim)


def _source_index(mode: str, size: int, before: int, after: int) -> list[int]:
    """For each output position along a dim, the input position it copies.

    reflect and replicate pad first (from the whole input) and then crop the
    negative sides; circular crops first and wraps around what is left, as
    PyTorch does (what is left may then be wrapped more than once).
    """
    if mode == "circular":
        start, size = max(-before, 0), size + min(before, 0) + min(after, 0)
        return [start + (j % size) for j in range(-max(before, 0), size + max(after, 0))]
    positions = range(-before, size + after)
    if mode == "reflect":  # mirror about the edge element, which is not repeated
        return [abs(j) if j < size else 2 * (size - 1) - j for j in positions]
    return [min(max(j, 0), size - 1) for j in positions]


def _check_border(mode: str, x: Tensor, dim: int, before: int, after: int) -> None:
    size = x.shape[dim]
    where = f"padding ({before}, {after}) of dimension {dim} (shape {x.shape})"
    if mode == "reflect" and max(before, after) >= size:
        raise ValueError(f"pad: reflect padding must be less than the input size: {where}")
    if mode == "circular":
        kept = size + min(before, 0) + min(after, 0)
        if max(before, after) > size or kept < 0 or (kept == 0 and max(before, after) > 0):
            raise ValueError(f"pad: circular padding may wrap around at most once (each pad "
                             f"at most the size): {where}")
    if mode == "replicate" and size == 0:
        raise ValueError(f"pad: replicate padding needs a non-empty dimension: {where}")
    if mode != "circular" and size + before + after <= 0:
        raise ValueError(f"pad: {mode} padding leaves no elements: {where}")


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad (or, with negative values, crop) the last dimensions of ``input``.

    Args:
        input: the tensor.
        pad: (left, right) for the last dim, then (top, bottom) for the one
            before, and so on: 2 values per padded dimension, the last
            dimension first.
        mode: "constant" (any number of dims) fills with ``value``;
            "reflect" mirrors about the edge (pad < size), "replicate"
            repeats the edge, "circular" wraps around (pad <= size). The
            last three pad the last 1, 2 or 3 dims of a 2/3-d, 3/4-d or 4/5-d
            input (the first dim or two are batch and channel), as in PyTorch.
        value: the fill for "constant" (default 0); other modes take none.
    """
    if mode not in PAD_MODES:
        raise NotImplementedError(f"pad: unknown padding mode {mode!r}; choose one of "
                                  f"{', '.join(PAD_MODES)}")
    pairs = _pad_pairs(input, pad)
    if mode == "constant":
        out = input
        for dim, before, after in pairs:
            out = _pad_constant(out, dim, before, after, 0.0 if value is None else value)
        return out
    if value is not None and value != 0:
        raise ValueError(f"pad: padding mode {mode!r} takes no value (got value={value})")
    padded = len(pairs)
    if not 1 <= padded <= 3 or input.dim() not in (padded + 1, padded + 2):
        raise NotImplementedError(
            f"pad: {mode} padding of {padded} dimension(s) ({len(pad)} values) needs a "
            f"{padded + 1}-d or {padded + 2}-d input, got shape {input.shape} (1 dim for 2/3-d "
            f"inputs, 2 dims for 3/4-d, 3 dims for 4/5-d)")
    out = input
    for dim, before, after in pairs:
        _check_border(mode, out, dim, before, after)
        index = _source_index(mode, out.shape[dim], before, after)
        out = out.index_select(dim, mt.tensor(index, dtype=mt.int64, backend=out.backend))
    return out


def _quad(padding: int | Sequence[int], n: int) -> tuple[int, ...]:
    return (int(padding),) * (2 * n) if isinstance(padding, int) else tuple(padding)


class _PadNd(Module):
    mode = "constant"
    dims = 2

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = _quad(padding, self.dims)
        if len(self.padding) != 2 * self.dims:
            raise ValueError(f"{type(self).__name__}: padding must be an int or "
                             f"{2 * self.dims} ints, got {padding!r}")

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ConstantPad1d(_PadNd):
    """Pad the last dim with ``value``: (left, right), or an int for both.

    Args:
        padding: an int, or (left, right); negative values crop.
        value: the fill.

    Shape:
        input (*, W) -> output (*, W + left + right).

    Init:
        no parameters.
    """

    dims = 1

    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad2d(ConstantPad1d):
    """Pad the last two dims with ``value``: (left, right, top, bottom), or an int for all.

    Args:
        padding: an int, or (left, right, top, bottom); negative values crop.
        value: the fill.

    Shape:
        input (*, H, W) -> output (*, H + top + bottom, W + left + right).

    Init:
        no parameters.
    """

    dims = 2


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros: (left, right, top, bottom), or an int for all.

    Shape:
        input (*, H, W) -> output (*, H + top + bottom, W + left + right).

    Init:
        no parameters.
    """

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Mirror the last dim about its edges: (left, right), each < W.

    Shape:
        input (C, W) or (N, C, W) -> output (..., W + left + right).

    Init:
        no parameters.
    """

    mode, dims = "reflect", 1


class ReflectionPad2d(_PadNd):
    """Mirror the last two dims about their edges: (left, right, top, bottom), each
    less than the size it pads.

    Shape:
        input (C, H, W) or (N, C, H, W) -> output (..., H + top + bottom, W + left + right).

    Init:
        no parameters.
    """

    mode, dims = "reflect", 2


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim: (left, right).

    Shape:
        input (C, W) or (N, C, W) -> output (..., W + left + right).

    Init:
        no parameters.
    """

    mode, dims = "replicate", 1


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last two dims: (left, right, top, bottom).

    Shape:
        input (C, H, W) or (N, C, H, W) -> output (..., H + top + bottom, W + left + right).

    Init:
        no parameters.
    """

    mode, dims = "replicate", 2


class CircularPad2d(_PadNd):
    """Wrap the last two dims around: (left, right, top, bottom), each at most the size.

    Shape:
        input (C, H, W) or (N, C, H, W) -> output (..., H + top + bottom, W + left + right).

    Init:
        no parameters.
    """

    mode, dims = "circular", 2


# -- interpolate ---------------------------------------------------------------------
def _per_dim(value: Any, n: int, what: str, input: Tensor) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"interpolate: input of shape {input.shape} has {n} spatial "
                             f"dimension(s), but {what} has {len(value)} entries: {value!r}")
        return list(value)
    return [value] * n


def _output_sizes(input: Tensor, size: Any, scale_factor: Any, recompute: bool | None
                  ) -> tuple[list[int], list[float | None]]:
    """The output's spatial sizes and, per dim, the source scale PyTorch's kernel uses."""
    n = input.dim() - 2
    spatial = input.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size or scale_factor, got "
                         + ("both" if size is not None else "neither"))
    if size is not None:
        if recompute:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an "
                             "explicit size")
        sizes = _per_dim(size, n, "size", input)
        if any(not isinstance(s, (int, np.integer)) or isinstance(s, bool) for s in sizes):
            raise TypeError(f"interpolate: size must be an int or a tuple of ints, got {size!r}")
        scales = [None] * n
    else:
        factors = [float(f) for f in _per_dim(scale_factor, n, "scale_factor", input)]
        sizes = [math.floor(s * f) for s, f in zip(spatial, factors)]
        scales = [None] * n if recompute else factors
    if any(s <= 0 for s in sizes) or any(s <= 0 for s in spatial):
        raise ValueError(f"interpolate: input and output sizes must be > 0, got input "
                         f"{tuple(spatial)} and output {tuple(sizes)}")
    return [int(s) for s in sizes], scales


def _nearest_index(in_size: int, out_size: int, scale_factor: float | None,
                   exact: bool) -> np.ndarray:
    """PyTorch's nearest source index, in float32 as its kernel computes it:
    floor(dst * scale) ("nearest") or floor((dst + 0.5) * scale) ("nearest-exact"),
    scale = 1 / scale_factor when given, else in_size / out_size; clamped to in_size - 1."""
    if not exact and out_size in (in_size, 2 * in_size):  # PyTorch's kernel: no float math
        return np.arange(out_size, dtype=np.int64) // (out_size // in_size)
    if scale_factor is not None and scale_factor > 0:
        scale = np.float32(1.0 / scale_factor)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    dst = np.arange(out_size, dtype=np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    return np.minimum(np.floor(dst * scale).astype(np.int64), in_size - 1)


def interpolate(input: Tensor, size: int | Sequence[int] | None = None,
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of an (N, C, L), (N, C, H, W) or (N, C, D, H, W) input.

    Args:
        input: the batch to resize.
        size: the output's spatial size(s), an int for all or one per dim.
        scale_factor: multiplier(s) instead of ``size``: out = floor(in * scale_factor).
        mode: "nearest" (PyTorch's default: output i copies input floor(i * scale))
            or "nearest-exact" (floor((i + 0.5) * scale)); scale = 1 / scale_factor,
            or in / out with ``size`` or ``recompute_scale_factor=True``. The
            interpolating modes (linear, bilinear, ...) are not implemented.
        align_corners, antialias: only meaningful for interpolating modes; must be unset.
    """
    if mode in _UNSUPPORTED_INTERPOLATE:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented in "
                                  f"minitorch; supported: {', '.join(INTERPOLATE_MODES)}")
    if mode not in INTERPOLATE_MODES:
        raise NotImplementedError(f"interpolate: unknown mode {mode!r}; supported: "
                                  f"{', '.join(INTERPOLATE_MODES)}")
    if align_corners is not None:
        raise ValueError("interpolate: align_corners can only be set with the interpolating "
                         "modes (linear, bilinear, bicubic, trilinear)")
    if antialias:
        raise ValueError(f"interpolate: antialias does not apply to mode {mode!r}")
    if input.dim() not in (3, 4, 5):
        raise ValueError(f"interpolate: expected a 3-d, 4-d or 5-d input (N, C, ...spatial), "
                         f"got shape {input.shape}")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    out = input
    for i, (out_size, scale) in enumerate(zip(sizes, scales)):
        dim = 2 + i
        index = _nearest_index(input.shape[dim], out_size, scale, mode == "nearest-exact")
        if np.array_equal(index, np.arange(input.shape[dim])):
            continue  # this dim is copied as it is
        out = out.index_select(dim, mt.tensor(index, dtype=mt.int64, backend=input.backend))
    return out


class Upsample(Module):
    """Resize by nearest neighbour (see ``interpolate``).

    Args:
        size: output spatial size(s); or
        scale_factor: multiplier(s) (stored as floats, as PyTorch).
        mode: "nearest" or "nearest-exact".
        align_corners, recompute_scale_factor: passed to ``interpolate``.

    Shape:
        input (N, C, *in) -> output (N, C, *out) with out = size or floor(in * scale_factor).

    Init:
        no parameters.
    """

    def __init__(self, size: int | Sequence[int] | None = None,
                 scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size = size
        if isinstance(scale_factor, (list, tuple)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode="nearest")`` for (N, C, H, W) inputs.

    Shape:
        input (N, C, H, W) -> output (N, C, H_out, W_out).

    Init:
        no parameters.
    """

    def __init__(self, size: int | Sequence[int] | None = None,
                 scale_factor: float | Sequence[float] | None = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")
