"""Normalization layers: BatchNorm1d/2d/3d, LayerNorm, GroupNorm and their functionals.

Each one maps x to (x - mean) / sqrt(var + eps), with the biased variance,
and then applies a learned per-feature scale and shift. They differ only in
the dimensions the statistics span:

- batch norm: the batch and every spatial dim, one mean per channel;
- layer norm: the trailing ``normalized_shape`` dims, one mean per sample;
- group norm: groups of channels within one sample.

The statistics are built from tensor ops (mean over dims), so autodiff
differentiates through them. Batch norm also keeps running estimates of the
mean and the (unbiased) variance for evaluation, updated in place and
outside the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from . import init
from .module import Module
from .parameter import Parameter

__all__ = [
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "LayerNorm", "batch_norm",
    "group_norm", "layer_norm",
]


def _standardize(x: Tensor, dims: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """((x - mean) / sqrt(var + eps), mean, biased var), the statistics over `dims` kept
    as size-1 dims so they broadcast back over `x`."""
    mean = x.mean(dims, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(dims, keepdim=True)
    return centered / (var + eps).sqrt(), mean, var


def _per_channel(t: Tensor | None, name: str, channels: int, input: Tensor,
                 op: str) -> Tensor | None:
    """`t` (one value per channel) shaped (1, C, 1, ...) to broadcast over `input`."""
    if t is None:
        return None
    if t.numel() != channels:
        raise ValueError(f"{op}: {name} should contain {channels} elements not {t.numel()} "
                         f"(one per channel of the input of shape {input.shape})")
    return t.reshape(1, channels, *([1] * (input.dim() - 2)))


def _affine(x: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    if weight is not None:
        x = x * weight
    if bias is not None:
        x = x + bias
    return x


# -- functionals ----------------------------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) of `input` over the batch and spatial dims.

    Args:
        input: (N, C, *).
        running_mean, running_var: (C,) estimates. With ``training`` they are
            updated in place (when given) as ``r = (1 - momentum) * r +
            momentum * s``, s being the batch mean and the *unbiased* batch
            variance; without it they are what the input is normalized with.
        weight, bias: optional (C,) scale and shift.
        training: normalize with the batch's statistics (mean, biased
            variance) instead of the running ones.
        momentum: the weight of the new batch in the running estimates.
        eps: added to the variance before the square root.

    Returns:
        A tensor shaped like `input`, differentiable in `input`, `weight` and `bias`.
    """
    if input.dim() < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dims (N, C, *), "
                         f"got shape {input.shape}")
    channels = input.shape[1]
    mean_c = _per_channel(running_mean, "running_mean", channels, input, "batch_norm")
    var_c = _per_channel(running_var, "running_var", channels, input, "batch_norm")
    scale = _per_channel(weight, "weight", channels, input, "batch_norm")
    shift = _per_channel(bias, "bias", channels, input, "batch_norm")
    if not training:
        if mean_c is None or var_c is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when "
                             "training=False (pass training=True to use the batch statistics)")
        normalized = (input - mean_c) / (var_c + eps).sqrt()
        return _affine(normalized, scale, shift)
    count = input.numel() // max(channels, 1)
    if count <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input size {input.shape}")
    normalized, mean, var = _standardize(input, (0, *range(2, input.dim())), eps)
    with mt.no_grad():
        # In place, so that whoever holds the buffers (the module, a state_dict) sees the update.
        if running_mean is not None:
            running_mean.mul_(1.0 - momentum).add_(mean.detach().reshape(running_mean.shape)
                                                   * momentum)
        if running_var is not None:
            unbiased = var.detach() * (count / (count - 1))
            running_var.mul_(1.0 - momentum).add_(unbiased.reshape(running_var.shape) * momentum)
    return _affine(normalized, scale, shift)


def _normalized_shape(value: int | Sequence[int], op: str) -> tuple[int, ...]:
    shape = (value,) if isinstance(value, int) else tuple(value)
    if not shape or not all(isinstance(n, int) and n > 0 for n in shape):
        raise ValueError(f"{op}: normalized_shape must be a positive int or a non-empty "
                         f"sequence of them, got {value!r}")
    return shape


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing dims given by `normalized_shape`, per sample.

    Args:
        input: (*, *normalized_shape).
        normalized_shape: the sizes of the trailing dims the statistics span.
        weight, bias: optional scale and shift, each of shape `normalized_shape`.
        eps: added to the (biased) variance before the square root.
    """
    shape = _normalized_shape(normalized_shape, "layer_norm")
    k = len(shape)
    if input.dim() < k or input.shape[input.dim() - k:] != shape:
        raise ValueError(
            f"layer_norm: given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {input.shape}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ValueError(f"layer_norm: {name} must have shape normalized_shape={shape}, "
                             f"got {t.shape}")
    normalized, _, _ = _standardize(input, tuple(range(input.dim() - k, input.dim())), eps)
    return _affine(normalized, weight, bias)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Split the C channels into `num_groups` groups and normalize each group of each sample.

    Args:
        input: (N, C, *) with C divisible by `num_groups`.
        weight, bias: optional (C,) per-channel scale and shift.
        eps: added to the (biased) variance before the square root.
    """
    if input.dim() < 2:
        raise ValueError(f"group_norm: expected an input of at least 2 dims (N, C, *), "
                         f"got shape {input.shape}")
    n, channels = input.shape[0], input.shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise ValueError(f"group_norm: num_channels ({channels}) must be divisible by "
                         f"num_groups ({num_groups}); input shape {input.shape}")
    grouped = input.reshape(n, num_groups, -1)
    normalized, _, _ = _standardize(grouped, (2,), eps)
    return _affine(normalized.reshape(*input.shape),
                   _per_channel(weight, "weight", channels, input, "group_norm"),
                   _per_channel(bias, "bias", channels, input, "group_norm"))


# -- layers ---------------------------------------------------------------------------------
class _BatchNorm(Module):
    """What BatchNorm1d/2d/3d share; they differ in the input dims they accept."""

    input_dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, backend: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be positive, "
                             f"got {num_features}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        place = {"dtype": dtype, "backend": backend}
        self.weight = Parameter(mt.ones(num_features, **place)) if affine else None
        self.bias = Parameter(mt.zeros(num_features, **place)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", mt.zeros(num_features, **place))
            self.register_buffer("running_var", mt.ones(num_features, **place))
            self.register_buffer("num_batches_tracked",
                                 mt.tensor(0, dtype=mt.int64, backend=backend))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if not self.track_running_stats:
            return
        with mt.no_grad():
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in self.input_dims:
            wanted = " or ".join(f"{d}D" for d in self.input_dims)
            raise ValueError(f"{type(self).__name__}: expected {wanted} input "
                             f"(got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with mt.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # the cumulative average of every batch so far
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        # Training without tracking: the buffers (if any) must not be updated.
        pass_stats = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if pass_stats else None,
                          self.running_var if pass_stats else None, self.weight, self.bias,
                          use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization over (N, C) or (N, C, L) inputs.

    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, the statistics per
    channel over N (and L). Training uses the batch's mean and biased
    variance and updates the running estimates; evaluation uses the running
    estimates (unless ``track_running_stats=False``: then always the batch's).

    Args:
        num_features: C.
        eps: added to the variance for stability (default 1e-5).
        momentum: weight of each new batch in the running estimates (default
            0.1); None: a cumulative average over all batches seen so far.
        affine: learn ``weight`` and ``bias`` (default True).
        track_running_stats: keep ``running_mean``, ``running_var`` and
            ``num_batches_tracked`` buffers (default True).
        backend, dtype: where and how the parameters and buffers are created.
        bias: with ``affine``, also learn the shift (default True).

    Shape:
        input (N, C) or (N, C, L) -> output of the same shape.

    Init:
        weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked
        0 (an int64 0-d tensor), as PyTorch.
    """

    input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over (N, C, H, W) inputs: per channel, over N, H and W.

    Args, Init: as `BatchNorm1d`.

    Shape:
        input (N, C, H, W) -> output (N, C, H, W).

    Example::

        bn = BatchNorm2d(16)
        bn(mt.randn(8, 16, 28, 28)).shape   # (8, 16, 28, 28); bn.running_mean is updated
    """

    input_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization over (N, C, D, H, W) inputs: per channel, over N, D, H and W.

    Args, Init: as `BatchNorm1d`.
    """

    input_dims = (5,)


class LayerNorm(Module):
    """Layer normalization: each sample normalized over its trailing dims.

    Args:
        normalized_shape: the trailing dims to normalize over (an int for the last one).
        eps: added to the variance for stability (default 1e-5).
        elementwise_affine: learn a per-element ``weight`` and ``bias`` (default True).
        bias: with ``elementwise_affine``, also learn the shift (default True).
        backend, dtype: where and how the parameters are created.

    Shape:
        input (*, *normalized_shape) -> output of the same shape.

    Init:
        weight 1 and bias 0, each of shape ``normalized_shape``.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, backend: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape, "LayerNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        place = {"dtype": dtype, "backend": backend}
        self.weight = (Parameter(mt.ones(*self.normalized_shape, **place))
                       if elementwise_affine else None)
        self.bias = (Parameter(mt.zeros(*self.normalized_shape, **place))
                     if elementwise_affine and bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalization: the channels of each sample in `num_groups` groups, each
    group normalized over its channels and spatial positions.

    Args:
        num_groups: how many groups; must divide ``num_channels``.
        num_channels: C.
        eps: added to the variance for stability (default 1e-5).
        affine: learn a per-channel ``weight`` and ``bias`` (default True).
        backend, dtype: where and how the parameters are created.
        bias: with ``affine``, also learn the shift (default True).

    Shape:
        input (N, C, *) -> output of the same shape.

    Init:
        weight 1 and bias 0, each of shape (C,).
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, backend: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        place = {"dtype": dtype, "backend": backend}
        self.weight = Parameter(mt.ones(num_channels, **place)) if affine else None
        self.bias = Parameter(mt.zeros(num_channels, **place)) if affine and bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() < 2 or input.shape[1] != self.num_channels:
            raise self._input_error(f"an input (N, {self.num_channels}, *)", input.shape)
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")
