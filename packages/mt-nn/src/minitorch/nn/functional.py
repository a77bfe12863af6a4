"""minitorch.nn.functional: layers and losses as plain functions (PyTorch's F).

The Modules in this package are thin: they hold parameters and call these.
Convolution and pooling come from mt-tensor (a backend's fused kernels when
it has them). The functions are defined in the modules of their topic and
gathered here: the losses in `loss_functions`, normalization, embedding,
padding / upsampling, the other activations, dropouts and adaptive pools
beside their Modules.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor import dispatch as K
from minitorch.tensor.creation import generator
from minitorch.tensor.linear import linear as fused_linear
from minitorch.tensor.shape import TensorData, prod

__all__ = [
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "batch_norm",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv1d", "conv2d",
    "cross_entropy", "dropout", "dropout1d", "dropout2d", "elu", "embedding", "flatten", "gelu",
    "group_norm", "hardtanh", "huber_loss", "interpolate", "l1_loss", "layer_norm", "leaky_relu",
    "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "one_hot", "pad", "relu",
    "relu6", "sigmoid", "silu", "smooth_l1_loss", "softmax", "softmin", "tanh",
]

from .loss_functions import (  # noqa: F401 (REDUCTIONS, check_reduction: for loss.py)
    INDEX_DTYPES,
    REDUCTIONS,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    check_reduction,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)


# -- layers --------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b for x of shape (*, in), W (out, in), b (out,)."""
    if weight.dim() != 2:
        raise ValueError(f"linear: weight must be 2-d (out, in), got shape {weight.shape}")
    if input.dim() == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {input.shape} does not fit weight (out, in) = "
            f"{weight.shape}: the input's last dimension must be {weight.shape[1]}"
        )
    return fused_linear(input, weight, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); with ``inplace`` it overwrites `input` (a leaf that requires
    grad refuses, as in PyTorch) and returns it."""
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def _softmax_dim(name: str, input: Tensor, dim: int | None, stacklevel: int) -> int:
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if input.dim() in (0, 1, 3) else 1  # PyTorch's legacy choice


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, after casting to `dtype` when given.

    ``dim=None`` warns and picks PyTorch's legacy dimension: 0 for 0-, 1- and
    3-d inputs, else 1.
    """
    dim = _softmax_dim("softmax", input, dim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along `dim` (``dim=None`` and `dtype` as in `softmax`)."""
    dim = _softmax_dim("log_softmax", input, dim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1,
           padding: int | str = 0) -> Tensor:
    """(N, C_in, L) * (C_out, C_in, k) -> (N, C_out, L_out)."""
    return mt.conv1d(input, weight, bias, stride, padding)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] | str = 0) -> Tensor:
    """(N, C_in, H, W) * (C_out, C_in, kH, kW) -> (N, C_out, H_out, W_out)."""
    return mt.conv2d(input, weight, bias, stride, padding)


def max_pool2d(input: Tensor, kernel_size: int | tuple[int, int],
               stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> Tensor:
    return mt.max_pool2d(input, kernel_size, stride, padding)


def avg_pool2d(input: Tensor, kernel_size: int | tuple[int, int],
               stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> Tensor:
    return mt.avg_pool2d(input, kernel_size, stride, padding)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the kept ones by
    1 / (1 - p) (inverted dropout: the expectation is unchanged, so
    evaluation needs no rescaling). The identity when not ``training``;
    with ``inplace`` the mask multiplies `input` itself, which is returned."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    mask = keep_mask(input.shape, p, input)
    return input.mul_(mask) if inplace else input * mask


def keep_mask(shape: tuple[int, ...], p: float, like: Tensor) -> Tensor:
    """Inverted dropout's mask of `shape` (0 < p < 1): 1 / (1 - p) where kept, 0 where
    dropped, of `like`'s dtype and backend.

    Drawn from minitorch's generator, so mt.manual_seed / set_rng_state replay it:
    by the backend's `dropout_mask` (on the host by default; a GPU backend
    draws it on the device, from a key it takes from the generator)."""
    size = prod(shape)
    if size == 0:
        return mt.tensor(np.zeros(shape), dtype=like.dtype, backend=like.backend)
    storage = like.backend.dropout_mask(size, p, like.dtype, generator())
    return K.new_tensor(TensorData.contiguous(storage, tuple(shape)), like)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices of shape (*) -> int64 (*, num_classes) of 0s and 1s, on the input's backend.

    ``num_classes=-1`` uses max(tensor) + 1. Use ``one_hot(y, C).to(x.dtype)``
    for a float target. (PyTorch takes int64 only; int32 is accepted too.)
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot: expected an int64 Tensor of class indices, got "
                        f"{type(tensor).__name__}")
    if tensor.dtype not in INDEX_DTYPES:
        raise TypeError(f"one_hot: expected an int64 tensor of class indices, got "
                        f"{tensor.dtype.name}; convert it with .long()")
    if num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be -1 (infer) or >= 0, got {num_classes}")
    if tensor.numel():
        low, high = int(tensor.min().item()), int(tensor.max().item())
        num_classes = high + 1 if num_classes == -1 else num_classes
        if low < 0:
            raise ValueError(f"one_hot: class values must be non-negative, got {low}")
        if high >= num_classes:
            raise ValueError(f"one_hot: class value {high} is out of range: class values must "
                             f"be smaller than num_classes={num_classes}")
    elif num_classes == -1:
        raise ValueError("one_hot: can not infer the number of classes from an empty tensor; "
                         "pass num_classes")
    classes = mt.arange(num_classes, dtype=tensor.dtype, backend=tensor.backend)
    return (tensor.unsqueeze(-1) == classes).long()


# Functional forms that live beside their Modules (those import this module, so they come last).
from .activation import elu, gelu, hardtanh, leaky_relu, relu6, silu, softmin  # noqa: E402
from .dropout import dropout1d, dropout2d  # noqa: E402
from .embedding import embedding  # noqa: E402
from .normalization import batch_norm, group_norm, layer_norm  # noqa: E402
from .padding import interpolate, pad  # noqa: E402
from .pooling import adaptive_avg_pool2d, adaptive_max_pool2d  # noqa: E402
