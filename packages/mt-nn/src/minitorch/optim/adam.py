"""Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay), with
PyTorch's AMSGrad and maximize options."""

from __future__ import annotations

import math
from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor.updates import adam_step_

from .optimizer import Optimizer, ParamsLike


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running moments of the gradient.

    For each parameter p with gradient g, at step t (from 1)::

        g = -g                                     if maximize
        g = g + weight_decay * p                   (L2, PyTorch's Adam)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g^2
        v_max = max(v_max, v)                      if amsgrad (max_exp_avg_sq)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v or v_max) / sqrt(1 - beta2^t) + eps)

    The seed's L2 coefficient λ is ``weight_decay = 2 * λ``. The default update is
    ``minitorch.tensor.updates.adam_step_``: one fused kernel per parameter on a
    backend with ``adam_step``, a composition of tensor ops elsewhere. AMSGrad
    runs as in-place tensor ops on every backend: it keeps one more state tensor
    and takes an elementwise maximum before the denominator, and the
    ``adam_step`` hook (the same signature on every backend) carries only m and
    v; widening that contract for one option would change every backend, so the
    option costs a few extra elementwise kernels per parameter instead.

    Args:
        params: parameters, ``model.named_parameters()``, a model, or groups.
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moments.
        eps: added to the denominator for stability.
        weight_decay: L2 penalty coefficient, added to the gradient.
        amsgrad: divide by the largest second moment seen so far (Reddi et al.).
        maximize: ascend the objective instead of descending it.
    """

    decoupled = False
    state_fields = {"step": "count", "exp_avg": "tensor", "exp_avg_sq": "tensor",
                    "max_exp_avg_sq": "tensor"}
    state_fields_required = True
    late_options = {"amsgrad": False, "maximize": False}

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        name = type(self).__name__
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas}")
        if not 0.0 <= group["eps"]:
            raise ValueError(f"{name}: Invalid epsilon value: {group['eps']}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name}: Invalid beta parameter at index {i}: {beta}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"{name}: Invalid weight_decay value: {group['weight_decay']}")

    def _required_state(self, group: Any) -> set[str]:
        keys = {"step", "exp_avg", "exp_avg_sq"}
        return keys | {"max_exp_avg_sq"} if group["amsgrad"] else keys

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["exp_avg"] = mt.zeros_like(p)
            state["exp_avg_sq"] = mt.zeros_like(p)
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        beta1, beta2 = group["betas"]
        if not group["amsgrad"]:
            adam_step_(p, grad, state["exp_avg"], state["exp_avg_sq"], state["step"],
                       group["lr"], beta1, beta2, group["eps"], group["weight_decay"],
                       self.decoupled)
            return
        if "max_exp_avg_sq" not in state:  # amsgrad switched on mid-run starts from zeros
            state["max_exp_avg_sq"] = mt.zeros_like(p)
        _amsgrad_step_(p, grad, state, group, self.decoupled)


def _amsgrad_step_(p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any],
                   decoupled: bool) -> None:
    """One AMSGrad update of `p` and its state, in place (the formula in Adam's docstring)."""
    lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
    beta1, beta2 = group["betas"]
    m, v, v_max = state["exp_avg"], state["exp_avg_sq"], state["max_exp_avg_sq"]
    if weight_decay != 0:
        if decoupled:
            p.mul_(1.0 - lr * weight_decay)
        else:
            grad = grad + p * weight_decay
    m.mul_(beta1).add_(grad, alpha=1.0 - beta1)
    v.mul_(beta2).add_(grad * grad, alpha=1.0 - beta2)
    v_max.copy_(v_max.maximum(v))
    step = state["step"]
    denom = v_max.sqrt() / math.sqrt(1.0 - beta2**step) + eps
    p.sub_(m / denom, alpha=lr / (1.0 - beta1**step))


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter).

    Same moments as Adam, but the decay shrinks the parameter directly and
    never enters m or v::

        p = p * (1 - lr * weight_decay)
        (then the Adam step on the raw gradient)

    Args:
        params, lr, betas, eps, amsgrad, maximize: as Adam.
        weight_decay: decoupled decay coefficient (default 0.01).
    """

    decoupled = True

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
