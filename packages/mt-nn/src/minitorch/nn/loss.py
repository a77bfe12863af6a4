"""Loss functions as Modules: CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss, MSELoss."""

from __future__ import annotations

from typing import Any

from minitorch.tensor import Tensor

from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in F.REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: unknown reduction {reduction!r}; "
                f"choose one of {', '.join(F.REDUCTIONS)}"
            )
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits against class indices (or probabilities).

    loss[n] = -log softmax(input[n])[target[n]] = logsumexp(input[n]) - input[n, target[n]],
    computed as log_softmax + negative log-likelihood, so large logits are safe.

    Args:
        reduction: "mean" (over the batch, default), "sum" or "none".

    Shape:
        input (N, C) logits (or (C,)); target (N,) class indices in [0, C)
        as a Tensor (float values like 3.0 are fine), a list or an int
        array, or (N, C) class probabilities; output a scalar, or (N,) with
        reduction="none".
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, without the sigmoid's overflow.

    loss = max(x, 0) - x y + log(1 + exp(-|x|)), which equals
    -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))] but never exponentiates
    a large positive number.

    Args:
        reduction: "mean" (default), "sum" or "none".

    Shape:
        input (*) logits; target (*) the same shape, values in [0, 1];
        output a scalar, or (*) with reduction="none".
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class MSELoss(_Loss):
    """Mean squared error: (input - target)^2, averaged (or summed).

    Args:
        reduction: "mean" (over all elements, default), "sum" or "none".

    Shape:
        input (*) and target (*) of the same shape; output a scalar, or (*)
        with reduction="none".
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities against int64 class indices
    (see `functional.nll_loss`): pair it with LogSoftmax."""

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)
