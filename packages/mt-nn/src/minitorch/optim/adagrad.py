"""Adagrad (Duchi, Hazan & Singer, 2011), as PyTorch implements it."""

from __future__ import annotations

from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from .optimizer import Optimizer, ParamsLike


class Adagrad(Optimizer):
    """Per-parameter step sizes from the sum of all squared gradients so far.

    For each parameter p with gradient g, at step t (from 1)::

        g = -g                                     if maximize
        g = g + weight_decay * p                   (L2, folded into the gradient)
        s = s + g^2                                (sum; starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    As in PyTorch the state (``step`` 0 and ``sum``) exists from construction,
    so ``state_dict()`` holds every parameter before the first step. Written with
    in-place tensor ops on every backend; there is no fused kernel: the backend
    contract has one optimizer hook per update rule, and Adagrad's update is
    four elementwise kernels per parameter (square-accumulate, sqrt, divide,
    subtract), small next to the forward and backward passes.

    Args:
        params: parameters, ``model.named_parameters()``, a model, or groups.
        lr: learning rate (default 1e-2).
        lr_decay: the step size decays as lr / (1 + (t - 1) * lr_decay).
        weight_decay: L2 penalty coefficient, added to the gradient.
        initial_accumulator_value: the starting value of every ``sum``.
        eps: added to the denominator for stability (default 1e-10).
        maximize: ascend the objective instead of descending it.
    """

    state_fields = {"step": "count", "sum": "tensor"}
    state_fields_required = True

    def __init__(self, params: ParamsLike, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group (as Optimizer's) and give its parameters their starting state."""
        super().add_param_group(group)
        added = self.param_groups[-1]
        for name, p in zip(added["names"], added["params"], strict=True):
            self.state[name] = _fresh_state(p, added)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        for key, label in (("lr_decay", "lr_decay"), ("weight_decay", "weight_decay"),
                           ("initial_accumulator_value", "initial_accumulator_value"),
                           ("eps", "epsilon")):
            if not 0.0 <= group[key]:
                raise ValueError(f"Adagrad: Invalid {label} value: {group[key]}")

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:  # a loaded state that left this parameter out
            state.update(_fresh_state(p, group))
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        step_size = group["lr"] / (1.0 + (state["step"] - 1) * group["lr_decay"])
        state["sum"].add_(grad * grad)
        p.sub_(grad / (state["sum"].sqrt() + group["eps"]), alpha=step_size)


def _fresh_state(p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
    return {"step": 0, "sum": mt.full_like(p, float(group["initial_accumulator_value"]))}
