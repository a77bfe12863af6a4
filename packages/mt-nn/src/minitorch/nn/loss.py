"""Loss functions as Modules, with PyTorch's constructors: CrossEntropyLoss, NLLLoss,
BCELoss, BCEWithLogitsLoss, L1Loss, MSELoss, SmoothL1Loss, HuberLoss.

Each holds its options and calls `functional`; a class `weight` or a
`pos_weight` is a buffer (it moves with ``.to()`` and is saved in the
state dict), as in PyTorch. The deprecated ``size_average`` / ``reduce``
arguments are accepted in PyTorch's positions and mapped onto `reduction`.
"""

from __future__ import annotations

from typing import Any

from minitorch.tensor import Tensor

from . import functional as F
from .module import Module

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "L1Loss", "MSELoss",
    "NLLLoss", "SmoothL1Loss",
]


class _Loss(Module):
    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = F.check_reduction(reduction, type(self).__name__, size_average, reduce)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)

    def extra_repr(self) -> str:
        parts = [super().extra_repr()]
        if self.weight is not None:
            parts.append(f"weight=<{tuple(self.weight.shape)}>")
        return ", ".join(p for p in parts if p)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits against class indices or class probabilities.

    loss[n] = -w[t] log softmax(input[n])[t] for t = target[n], computed as
    log_softmax + negative log-likelihood, so large logits are safe.

    Args:
        weight: optional (C,) per-class weights (a buffer).
        ignore_index: a class index that contributes nothing, nor to the mean's divisor.
        reduction: "mean" (weighted mean over the kept targets, default), "sum" or "none".
        label_smoothing: ε in [0, 1]: the target becomes (1 - ε) one-hot + ε / C.

    Shape:
        input (N, C) logits, (C,), or (N, C, d1, ..., dk); target int64 class
        indices (N,), (), or (N, d1, ..., dk) (a float tensor there is refused:
        call .long()), or float probabilities of the input's shape; output a
        scalar, or the target's shape (the input's without dim 1) with "none".
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, "
                             f"got {label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self) -> str:
        parts = [super().extra_repr()]
        if self.ignore_index != -100:
            parts.append(f"ignore_index={self.ignore_index}")
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing}")
        return ", ".join(p for p in parts if p)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities against int64 class indices
    (see `functional.nll_loss`): pair it with LogSoftmax(dim=1).

    Args:
        weight: optional (C,) per-class weights (a buffer).
        ignore_index: a class index that contributes nothing, nor to the mean's divisor.
        reduction: "mean" (weighted mean over the kept targets, default), "sum" or "none".

    Shape:
        input (N, C), (C,) or (N, C, d1, ..., dk); target (N,), () or (N, d1, ..., dk).
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)

    def extra_repr(self) -> str:
        parts = [super().extra_repr()]
        if self.ignore_index != -100:
            parts.append(f"ignore_index={self.ignore_index}")
        return ", ".join(p for p in parts if p)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: -[y log x + (1 - y) log(1 - x)],
    each log clamped at -100 as PyTorch does. Prefer BCEWithLogitsLoss on logits.

    Args:
        weight: optional rescaling that broadcasts to the input's shape (a buffer).
        reduction: "mean" (default), "sum" or "none".

    Shape:
        input (*) in [0, 1]; target (*) the same shape; output a scalar, or (*).
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy on logits, without the sigmoid's overflow.

    loss = -[p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], computed as
    (1 - y) x + (1 + (p - 1) y) (log(1 + exp(-|x|)) + max(-x, 0)), which never
    exponentiates a large positive number.

    Args:
        weight: optional rescaling that broadcasts to the input's shape (a buffer).
        reduction: "mean" (default), "sum" or "none".
        pos_weight: optional weight p of the positive examples, broadcast against
            the input, e.g. (C,) for C classes along the last dim (a buffer).

    Shape:
        input (*) logits; target (*) the same shape, values in [0, 1];
        output a scalar, or (*) with reduction="none".
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)

    def extra_repr(self) -> str:
        parts = [super().extra_repr()]
        if self.pos_weight is not None:
            parts.append(f"pos_weight=<{tuple(self.pos_weight.shape)}>")
        return ", ".join(p for p in parts if p)


class L1Loss(_Loss):
    """Mean absolute error |input - target|, averaged (or summed).

    Args:
        reduction: "mean" (over all elements, default), "sum" or "none".

    Shape:
        input (*) and target (*) of the same shape (no broadcasting, unlike
        PyTorch); output a scalar, or (*) with reduction="none".
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error: (input - target)^2, averaged (or summed).

    Args:
        reduction: "mean" (over all elements, default), "sum" or "none".

    Shape:
        input (*) and target (*) of the same shape (no broadcasting, unlike
        PyTorch); output a scalar, or (*) with reduction="none".
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, for d = input - target.

    Args:
        reduction: "mean" (default), "sum" or "none".
        beta: where the quadratic turns linear (>= 0; 0 is L1Loss).

    Shape:
        input (*) and target (*) of the same shape; output a scalar, or (*).
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0 (0 means L1), got {beta}")
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self) -> str:
        return ", ".join(p for p in (super().extra_repr(), f"beta={self.beta}") if p)


class HuberLoss(_Loss):
    """0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta), for d = input - target.

    Args:
        reduction: "mean" (default), "sum" or "none".
        delta: where the quadratic turns linear (> 0).

    Shape:
        input (*) and target (*) of the same shape; output a scalar, or (*).
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        if delta <= 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return ", ".join(p for p in (super().extra_repr(), f"delta={self.delta}") if p)
