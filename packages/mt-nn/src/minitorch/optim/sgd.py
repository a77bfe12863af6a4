"""SGD with momentum, dampening, Nesterov and weight decay (PyTorch's algorithm)."""

from __future__ import annotations

from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor.updates import sgd_step_

from .optimizer import Optimizer, ParamsLike


class SGD(Optimizer):
    """Stochastic gradient descent.

    For each parameter p with gradient g, per step::

        g = g + weight_decay * p                   (L2, folded into the gradient)
        if momentum:
            b = g                                  (first step)
            b = momentum * b + (1 - dampening) * g (later steps)
            g = g + momentum * b if nesterov else b
        p = p - lr * g

    ``weight_decay`` is PyTorch's: the seed's L2 coefficient λ (its update
    subtracts 2 lr λ p) is ``weight_decay = 2 * λ``. The update is
    ``minitorch.tensor.updates.sgd_step_`` (a backend's fused ``sgd_step``
    kernel when it has one).

    Args:
        params: parameters, ``model.named_parameters()``, a model, or groups.
        lr: learning rate.
        momentum: momentum factor (0 = plain SGD).
        dampening: scales the new gradient in the momentum buffer.
        weight_decay: L2 penalty coefficient.
        nesterov: Nesterov momentum (needs momentum > 0, dampening = 0).
    """

    state_fields = {"momentum_buffer": "tensor"}

    def __init__(self, params: ParamsLike, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov}
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        if group["momentum"] < 0:
            raise ValueError(f"SGD: Invalid momentum value: {group['momentum']}")
        if group["weight_decay"] < 0:
            raise ValueError(f"SGD: Invalid weight_decay value: {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']}, "
                             f"dampening={group['dampening']})")

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        buf, first = None, False
        if group["momentum"] != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = mt.zeros_like(p)
                first = True
        sgd_step_(p, grad, buf, group["lr"], group["momentum"], group["dampening"],
                  group["weight_decay"], group["nesterov"], first)
