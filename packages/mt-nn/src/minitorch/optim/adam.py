"""Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay)."""

from __future__ import annotations

from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor.updates import adam_step_

from .optimizer import Optimizer, ParamsLike


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running moments of the gradient.

    For each parameter p with gradient g, at step t (from 1)::

        g = g + weight_decay * p                   (L2, PyTorch's Adam)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g^2
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The seed's L2 coefficient λ is ``weight_decay = 2 * λ``. The update is
    ``minitorch.tensor.updates.adam_step_``: one fused kernel per parameter on a
    backend with ``adam_step``, a composition of tensor ops elsewhere.

    Args:
        params: parameters, ``model.named_parameters()``, a model, or groups.
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moments.
        eps: added to the denominator for stability.
        weight_decay: L2 penalty coefficient, added to the gradient.
    """

    decoupled = False
    state_fields = {"step": "count", "exp_avg": "tensor", "exp_avg_sq": "tensor"}
    state_fields_required = True

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        name = type(self).__name__
        betas = group["betas"]
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"{name}: betas must be two numbers in [0, 1), got {betas}")
        if group["eps"] < 0:
            raise ValueError(f"{name}: invalid eps {group['eps']}")
        if group["weight_decay"] < 0:
            raise ValueError(f"{name}: invalid weight_decay {group['weight_decay']}")

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["exp_avg"] = mt.zeros_like(p)
            state["exp_avg_sq"] = mt.zeros_like(p)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        adam_step_(p, grad, state["exp_avg"], state["exp_avg_sq"], state["step"], group["lr"],
                   beta1, beta2, group["eps"], group["weight_decay"], self.decoupled)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter).

    Same moments as Adam, but the decay shrinks the parameter directly and
    never enters m or v::

        p = p * (1 - lr * weight_decay)
        (then the Adam step on the raw gradient)

    Args:
        params, lr, betas, eps: as Adam.
        weight_decay: decoupled decay coefficient (default 0.01).
    """

    decoupled = True

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
