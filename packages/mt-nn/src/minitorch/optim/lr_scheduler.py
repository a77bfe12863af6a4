"""Learning-rate schedules, PyTorch's: StepLR, MultiStepLR, ExponentialLR,
CosineAnnealingLR, LambdaLR and ReduceLROnPlateau (per epoch), OneCycleLR and
CosineAnnealingWarmRestarts (per batch, from ``cyclic``).

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()`` (once per
batch for OneCycleLR). The epoch-driven schedules use PyTorch's closed forms,
so the learning rate at epoch t depends on t alone (no drift from repeated
multiplication) and the whole state is the epoch counter. Every
``state_dict`` holds only numbers, strings and booleans (LambdaLR's functions
are not state), so checkpoints store it as JSON.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .cyclic import CosineAnnealingWarmRestarts, OneCycleLR
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer, load, state_problems

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts", "ExponentialLR", "LRScheduler",
           "LambdaLR", "MultiStepLR", "OneCycleLR", "ReduceLROnPlateau", "StepLR"]


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size): decay by ``gamma`` every ``step_size`` epochs.

    Args:
        optimizer: the optimizer to drive.
        step_size: epochs between decays.
        gamma: multiplicative decay (default 0.1).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be >= 1, got {step_size}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)

    def _options(self) -> dict[str, Any]:
        return {"step_size": self.step_size, "gamma": self.gamma}


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (number of milestones <= epoch): decay by ``gamma`` at each milestone.

    A milestone given twice decays twice there, as in PyTorch.

    Args:
        optimizer: the optimizer to drive.
        milestones: the epochs at which to decay (any order).
        gamma: multiplicative decay (default 0.1).
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        try:
            self.milestones = sorted(operator.index(m) for m in milestones)
        except TypeError:
            raise TypeError(f"MultiStepLR: milestones must be integers, got {milestones!r}") \
                from None
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** bisect_right(self.milestones, epoch)

    def _options(self) -> dict[str, Any]:
        return {"milestones": list(self.milestones), "gamma": self.gamma}


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch.

    Args:
        optimizer: the optimizer to drive.
        gamma: multiplicative decay per epoch.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch

    def _options(self) -> dict[str, Any]:
        return {"gamma": self.gamma}


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.

    Falls from base_lr to eta_min over T_max epochs (and rises again after,
    as PyTorch's schedule does without restarts).

    Args:
        optimizer: the optimizer to drive.
        T_max: epochs of one half period.
        eta_min: the lowest learning rate (default 0).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1) -> None:
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be >= 1, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        cosine = (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
        return self.eta_min + (base_lr - self.eta_min) * cosine

    def _options(self) -> dict[str, Any]:
        return {"T_max": self.T_max, "eta_min": self.eta_min}


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch): any schedule written as a function of the epoch.

    The functions are not part of ``state_dict()`` (PyTorch keeps only a
    callable object's attributes; here none): a resumed LambdaLR takes them
    from its constructor and the epoch from the saved state.

    Args:
        optimizer: the optimizer to drive.
        lr_lambda: a function of the epoch giving a multiplier, or a list of
            one function per parameter group.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"LambdaLR: Expected {groups} lr_lambdas (one per parameter "
                                 f"group), but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def lrs_at(self, epoch: int) -> list[float]:
        return [base * fn(epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class ReduceLROnPlateau:
    """Multiply the lr by ``factor`` when a metric stops improving for ``patience`` epochs.

    ``step(metric)`` once per epoch (e.g. the validation loss). An epoch
    improves on the best so far when (mode "min") metric < best * (1 -
    threshold) ("rel") or metric < best - threshold ("abs"); "max" mirrors
    it. After more than ``patience`` epochs without improvement each
    group's lr becomes max(lr * factor, min_lr) (skipped if that changes it
    by less than ``eps``), then ``cooldown`` epochs pass before counting again.

    Args:
        optimizer: the optimizer to drive.
        mode: "min" (a loss) or "max" (an accuracy).
        factor: multiplier, in (0, 1).
        patience: epochs without improvement tolerated.
        threshold, threshold_mode: what counts as an improvement.
        cooldown: epochs to wait after a reduction.
        min_lr: lower bound (a number, or one per group).
        eps: smallest change worth making.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0.0, eps: float = 1e-8) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}")
        groups = len(optimizer.param_groups)
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * groups
        if len(min_lrs) != groups:
            raise ValueError(f"ReduceLROnPlateau: {len(min_lrs)} min_lr values for {groups} groups")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lrs, self.eps = cooldown, [float(v) for v in min_lrs], eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [float(g["lr"]) for g in optimizer.param_groups]

    def is_better(self, current: float, best: float) -> bool:
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            bar = best * (1.0 - self.threshold) if relative else best - self.threshold
            return current < bar
        bar = best * (1.0 + self.threshold) if relative else best + self.threshold
        return current > bar

    def step(self, metrics: float) -> None:
        """Record this epoch's metric (a number or a one-element tensor)."""
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        keys = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
                "min_lrs", "eps", "best", "num_bad_epochs", "cooldown_counter", "last_epoch")
        state = {k: getattr(self, k) for k in keys}
        return {"type": "ReduceLROnPlateau", **state, "last_lr": list(self._last_lr)}

    def state_dict_problems(self, state_dict: Any) -> list[str]:
        return state_problems(self, state_dict)

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        load(self, state_dict)
