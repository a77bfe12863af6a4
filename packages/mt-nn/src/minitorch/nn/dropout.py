"""Dropout: random zeroing during training (inverted scaling).

``Dropout`` zeroes single elements; ``Dropout1d`` / ``Dropout2d`` zero whole
channels (every element of ``input[n, c]`` together), as PyTorch's do. All
masks are drawn from minitorch's generator, so ``mt.manual_seed`` fixes them
and checkpoints replay them.
"""

from __future__ import annotations

import warnings

from minitorch.tensor import Tensor

from . import functional as F
from .module import Module


def _check_probability(p: float, op: str) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p} "
                         f"(p must be in [0, 1])")


def _masked(input: Tensor, mask_shape: tuple[int, ...], p: float, training: bool,
            inplace: bool) -> Tensor:
    """``input`` times a keep mask of ``mask_shape`` (broadcast over the rest), scaled by
    1 / (1 - p); the input itself when not training or p == 0."""
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = input.new_zeros(mask_shape)
    else:
        mask = F.keep_mask(mask_shape, p, input)
    return input.mul_(mask) if inplace else input * mask


def _channel_mask_shape(input: Tensor) -> tuple[int, ...]:
    """One draw per (n, c): (N, C, 1, ..., 1)."""
    return tuple(input.shape[:2]) + (1,) * (input.dim() - 2)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, L) or (C, L) input with probability ``p``;
    kept channels are scaled by 1 / (1 - p)."""
    _check_probability(p, "dropout1d")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"dropout1d: expected a 2-d (C, L) or 3-d (N, C, L) input, got "
                           f"shape {input.shape}; use dropout for other shapes")
    if input.dim() == 2:  # one sample: every channel gets its own draw
        return _masked(input, (input.shape[0], 1), p, training, inplace)
    return _masked(input, _channel_mask_shape(input), p, training, inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels ``input[n, c]`` of an (N, C, H, W) input with probability
    ``p``; kept channels are scaled by 1 / (1 - p).

    As in PyTorch 2, a 3-d input is read as (N, C, L) (channel-wise 1-d
    dropout, with a warning), and other ranks of at least 2 draw one value
    per ``input[n, c]`` with a deprecation warning.
    """
    _check_probability(p, "dropout2d")
    if input.dim() < 2:
        raise RuntimeError(f"dropout2d: feature dropout needs at least 2 dimensions (N, C, ...), "
                           f"got shape {input.shape}")
    if input.dim() == 3:
        warnings.warn("dropout2d: a 3-d input is read as (N, C, L), as PyTorch does, and whole "
                      "(n, c) rows are dropped; use dropout1d for that, or unsqueeze(0) a "
                      "(C, H, W) sample.", UserWarning, stacklevel=2)
    elif input.dim() != 4:
        warnings.warn(f"dropout2d: expects a 3-d or 4-d input, got {input.dim()}-d (deprecated "
                      f"in PyTorch; use dropout instead).", UserWarning, stacklevel=2)
    return _masked(input, _channel_mask_shape(input), p, training, inplace)


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        _check_probability(p, type(self).__name__)
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=True" if self.inplace else f"p={self.p}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` while training.

    Kept elements are multiplied by 1 / (1 - p) (4/3 for the seed's
    p = 0.25), so a unit's expected value is the same in training and
    evaluation; in ``eval()`` mode the layer is the identity. The mask is
    drawn from minitorch's generator: ``mt.manual_seed`` fixes it and
    checkpoints replay it.

    Args:
        p: probability of zeroing an element, in [0, 1] (default 0.5).
        inplace: multiply the input itself by the mask and return it.

    Shape:
        input (*) -> output (*), the same shape.

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        if self.inplace:  # the same draw as F.dropout's, applied in place
            return _masked(input, input.shape, self.p, self.training, True)
        return F.dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """Zero whole channels (each ``input[n, c, :]``) with probability ``p`` while training.

    Args:
        p: probability of zeroing a channel, in [0, 1] (default 0.5).
        inplace: multiply the input itself by the mask and return it.

    Shape:
        input (N, C, L) or (C, L) -> output of the same shape.

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels (each ``input[n, c, :, :]``) with probability ``p`` while training.

    Neighbouring pixels of a feature map are strongly correlated, so
    dropping single pixels barely regularizes a conv net; dropping a whole
    map does. Kept maps are scaled by 1 / (1 - p).

    Args:
        p: probability of zeroing a channel, in [0, 1] (default 0.5).
        inplace: multiply the input itself by the mask and return it.

    Shape:
        input (N, C, H, W) -> output (N, C, H, W). A 3-d input is read as
        (N, C, L), as PyTorch 2 does (with a warning).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)
