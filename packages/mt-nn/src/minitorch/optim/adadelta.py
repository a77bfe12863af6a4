"""Adadelta (Zeiler, 2012), as PyTorch implements it."""

from __future__ import annotations

from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from .optimizer import Optimizer, ParamsLike


class Adadelta(Optimizer):
    """Per-parameter step sizes from running averages of squared gradients and
    squared updates. For each parameter p with gradient g::

        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g^2                        (square_avg)
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta^2                    (acc_delta)
        p = p - lr * delta

    Written with in-place tensor ops (no fused kernel), so every backend runs it.

    Args:
        params: parameters, ``model.named_parameters()``, a model, or groups.
        lr: scales delta (default 1.0, PyTorch's).
        rho: decay of both running averages (default 0.9).
        eps: added inside both square roots (default 1e-6).
        weight_decay: L2 penalty coefficient, added to the gradient.
    """

    state_fields = {"step": "count", "square_avg": "tensor", "acc_delta": "tensor"}
    state_fields_required = True

    def __init__(self, params: ParamsLike, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay})

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Adadelta: invalid rho value {group['rho']} (must be in [0, 1])")
        if group["eps"] < 0:
            raise ValueError(f"Adadelta: invalid epsilon value {group['eps']}")
        if group["weight_decay"] < 0:
            raise ValueError(f"Adadelta: invalid weight_decay value {group['weight_decay']}")

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["square_avg"] = mt.zeros_like(p)
            state["acc_delta"] = mt.zeros_like(p)
        state["step"] += 1
        rho, eps, lr = group["rho"], group["eps"], group["lr"]
        if group["weight_decay"]:
            grad = grad + p * group["weight_decay"]
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg.mul_(rho).add_(grad * grad, alpha=1.0 - rho)
        delta = (acc_delta + eps).sqrt() / (square_avg + eps).sqrt() * grad
        acc_delta.mul_(rho).add_(delta * delta, alpha=1.0 - rho)
        p.sub_(delta, alpha=lr)
