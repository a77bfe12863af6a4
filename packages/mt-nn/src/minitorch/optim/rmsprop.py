"""RMSprop (Hinton's lecture notes; the centered variant of Graves, 2013), as PyTorch implements it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from .optimizer import Optimizer, ParamsLike


class RMSprop(Optimizer):
    """Divide the gradient by a running root mean square of recent gradients.

    For each parameter p with gradient g, per step::

        g = -g                                       if maximize
        g = g + weight_decay * p                     (L2, folded into the gradient)
        v = alpha * v + (1 - alpha) * g^2            (square_avg)
        a = a + (1 - alpha) * (g - a)                (grad_avg, if centered)
        d = sqrt(v - a^2) + eps   if centered   else   sqrt(v) + eps
        b = momentum * b + g / d                     (momentum_buffer, if momentum > 0)
        p = p - lr * b            if momentum > 0   else   p - lr * g / d

    Note eps is added outside the square root, as in PyTorch (Keras adds it
    inside). Written with in-place tensor ops, so every backend runs it; there
    is no fused kernel: the backend contract has one optimizer hook per update
    rule (``adam_step``, ``sgd_step``) and RMSprop's three variants would each
    need their own. The cost is a handful of elementwise kernels per parameter.

    Args:
        params: parameters, ``model.named_parameters()``, a model, or groups.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the running averages (default 0.99).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty coefficient, added to the gradient.
        momentum: momentum factor (0 = none).
        centered: normalize by an estimate of the gradient's variance
            (subtract the squared running mean of the gradient).
        maximize: ascend the objective instead of descending it.
    """

    state_fields = {"step": "count", "square_avg": "tensor", "momentum_buffer": "tensor",
                    "grad_avg": "tensor"}
    state_fields_required = True

    def __init__(self, params: ParamsLike, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                    "momentum": momentum, "centered": centered, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        for key, label in (("eps", "epsilon"), ("momentum", "momentum"),
                           ("weight_decay", "weight_decay"), ("alpha", "alpha")):
            if not 0.0 <= group[key]:
                raise ValueError(f"RMSprop: Invalid {label} value: {group[key]}")

    def _required_state(self, group: Mapping[str, Any]) -> set[str]:
        keys = {"step", "square_avg"}
        if group["momentum"] > 0:
            keys.add("momentum_buffer")
        if group["centered"]:
            keys.add("grad_avg")
        return keys

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["square_avg"] = mt.zeros_like(p)
        # A field whose option is switched on mid-run starts from zeros.
        for key in self._required_state(group) - set(state):
            state[key] = mt.zeros_like(p)
        state["step"] += 1
        alpha, lr, momentum = group["alpha"], group["lr"], group["momentum"]
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).add_(grad * grad, alpha=1.0 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.add_(grad - grad_avg, alpha=1.0 - alpha)
            denom = (square_avg - grad_avg * grad_avg).sqrt() + group["eps"]
        else:
            denom = square_avg.sqrt() + group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf.mul_(momentum).add_(grad / denom)
            p.sub_(buf, alpha=lr)
        else:
            p.sub_(grad / denom, alpha=lr)
