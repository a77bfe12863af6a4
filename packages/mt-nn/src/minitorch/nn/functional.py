"""minitorch.nn.functional: layers and losses as plain functions (PyTorch's F).

The Modules in this package are thin: they hold parameters and call these.
Convolution and pooling come from mt-tensor (a backend's fused kernels when
it has them); the losses are composed from tensor ops, except
binary_cross_entropy_with_logits, which has its own backward so the
gradient at a logit of exactly 0 is right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Function, Tensor
from minitorch.tensor.creation import generator

__all__ = [
    "avg_pool2d", "binary_cross_entropy_with_logits", "conv1d", "conv2d", "cross_entropy",
    "dropout", "flatten", "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss",
    "one_hot", "relu",
    "sigmoid", "softmax", "tanh",
]

REDUCTIONS = ("mean", "sum", "none")


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
    out = input @ weight.T
    return out if bias is None else out + bias


def relu(input: Tensor) -> Tensor:
    return input.relu()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def softmax(input: Tensor, dim: int) -> Tensor:
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    return input.log_softmax(dim)


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


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the kept ones by
    1 / (1 - p) (inverted dropout: the expectation is unchanged, so
    evaluation needs no rescaling). The identity when not ``training``."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    # Drawn from minitorch's generator so mt.manual_seed / set_rng_state replay it.
    keep = generator().random(input.shape) >= p
    mask = mt.tensor(keep / (1.0 - p), dtype=input.dtype, backend=input.backend)
    return input * mask


# -- targets -------------------------------------------------------------------------
def _host_array(values: Any, what: str) -> np.ndarray:
    if isinstance(values, Tensor):
        return values.numpy()
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what}: expected a Tensor, list or array of numbers: {err}") from None


def _class_indices(target: Any, count: int, num_classes: int, op: str) -> np.ndarray:
    """Targets as int64 class indices, checked (mt tensors are float, so 3.0 is class 3)."""
    labels = _host_array(target, op)
    if labels.shape != (count,):
        raise ValueError(
            f"{op}: expected {count} class indices (shape ({count},)), got shape {labels.shape}"
        )
    if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
        raise ValueError(f"{op}: class indices must be whole numbers, got {labels[:8].tolist()}...")
    labels = labels.astype(np.int64)
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise ValueError(
            f"{op}: class index {int(bad[0])} is out of range for {num_classes} classes "
            f"(valid: 0..{num_classes - 1})"
        )
    return labels


def one_hot(labels: Any, num_classes: int = -1, dtype: Any = None,
            backend: Any = None) -> Tensor:
    """(N,) class indices -> (N, num_classes) float tensor of 0s and 1s.

    ``num_classes=-1`` uses max(labels) + 1. The result takes ``labels``'
    backend and dtype when it is a Tensor, else the defaults.
    """
    flat = _host_array(labels, "one_hot").reshape(-1)
    if num_classes < 0:
        num_classes = int(flat.max()) + 1 if flat.size else 0
    indices = _class_indices(flat, flat.size, num_classes, "one_hot")
    table = np.zeros((indices.size, num_classes))
    table[np.arange(indices.size), indices] = 1.0
    if isinstance(labels, Tensor):
        dtype = labels.dtype if dtype is None else dtype
        backend = labels.backend if backend is None else backend
        table = table.reshape(*labels.shape, num_classes)
    return mt.tensor(table, dtype=dtype, backend=backend)


# -- losses --------------------------------------------------------------------------
def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(
        f"{op}: unknown reduction {reduction!r}; choose one of {', '.join(REDUCTIONS)}"
    )


def _like(value: Any, input: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return mt.tensor(_host_array(value, "target"), dtype=input.dtype, backend=input.backend)


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: input shape {input.shape} and target shape {target.shape} must match"
        )


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits: -log softmax(input)[n, target[n]].

    Args:
        input: logits of shape (N, C), or (C,) for one sample.
        target: class indices of shape (N,) as a Tensor (float is fine:
            3.0 means class 3), a list or an integer array; or class
            probabilities with the input's shape.
        reduction: "mean" (over N), "sum" or "none" (shape (N,)).
    """
    if input.dim() == 1:
        if isinstance(target, Tensor) and target.shape == input.shape:
            target = target.unsqueeze(0)
        else:
            target = [target.item() if isinstance(target, Tensor) else target]
        loss = cross_entropy(input.unsqueeze(0), target, "none").view(())
        return _reduce(loss, reduction, "cross_entropy")
    if input.dim() != 2:
        raise ValueError(
            f"cross_entropy: expected logits of shape (N, C) or (C,), got {input.shape}"
        )
    logp = input.log_softmax(1)
    if isinstance(target, Tensor) and target.shape == input.shape:
        weights = target
    else:
        labels = _class_indices(target, input.shape[0], input.shape[1], "cross_entropy")
        weights = one_hot(labels, input.shape[1], dtype=input.dtype, backend=input.backend)
    return _reduce(-(logp * weights).sum(1), reduction, "cross_entropy")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: -input[n, target[n]] * weight[target[n]].

    Args:
        input: log-probabilities (N, C), or (C,) for one sample (e.g. log_softmax's output).
        target: int64 class indices (N,) (or 0-d), in [0, C) or equal to `ignore_index`.
        weight: optional (C,) per-class weights.
        ignore_index: targets equal to it contribute nothing (nor to the mean's divisor).
        reduction: "mean" (weighted mean over the kept targets, PyTorch's), "sum" or "none".

    Computed with `gather` on the input's own backend: no host round trip.
    """
    if not isinstance(target, Tensor) or target.dtype not in (mt.int64, mt.int32):
        got = target.dtype.name if isinstance(target, Tensor) else type(target).__name__
        raise TypeError(f"nll_loss: expected int64 class indices as target, got {got}")
    if input.dim() == 1:
        out = nll_loss(input.unsqueeze(0), target.reshape(1), weight, ignore_index, reduction)
        return out.reshape(()) if reduction == "none" else out
    if input.dim() != 2 or target.shape != (input.shape[0],):
        raise ValueError(f"nll_loss: expected input (N, C) and target (N,), got {input.shape} "
                         f"and {target.shape}")
    keep = target != ignore_index
    safe = mt.where(keep, target, 0)
    if safe.numel():
        low, high = int(safe.min().item()), int(safe.max().item())
        if low < 0 or high >= input.shape[1]:
            raise IndexError(f"nll_loss: Target {low if low < 0 else high} is out of bounds "
                             f"(input has {input.shape[1]} classes)")
    picked = -input.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = _target_weight(safe, keep, weight, input)
    loss = picked * w
    if reduction == "mean":
        return loss.sum() / w.sum()
    return _reduce(loss, reduction, "nll_loss")


def _target_weight(safe: Tensor, keep: Tensor, weight: Tensor | None, input: Tensor) -> Tensor:
    """Each target's weight: weight[target] (1 without weights), 0 where ignored."""
    return keep.to(input.dtype) if weight is None else weight[safe] * keep


class _BCEWithLogits(Function):
    """loss = max(x, 0) - x y + log(1 + exp(-|x|)); d/dx = sigmoid(x) - y, d/dy = -x.

    A Function of its own because composing max and |x| gives the
    subgradient -y at x = 0 instead of the true 1/2 - y.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, y: Tensor) -> Tensor:
        ctx.save_for_backward(x, y)
        return x.relu() - x * y + ((-x.abs()).exp() + 1.0).log()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor]:
        x, y = ctx.saved_tensors
        return grad * (x.sigmoid() - y), grad * (-x)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step (no overflow for |x| ~ 1e4).

    Args:
        input: logits, any shape.
        target: probabilities in [0, 1] of the same shape (Tensor, list or array).
        reduction: "mean", "sum" or "none".
    """
    target = _like(target, input)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    loss = _BCEWithLogits.apply(input, target)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error: (input - target)^2, reduced. Shapes must match
    (no silent broadcasting of (N,) against (N, 1))."""
    target = _like(target, input)
    _same_shape(input, target, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")
