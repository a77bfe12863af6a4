"""Learning-rate schedules: StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau.

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``. The
epoch-driven schedules use PyTorch's closed forms, so the learning rate at
epoch t depends on t alone (no drift from repeated multiplication) and the
whole state is the epoch counter. Their ``state_dict`` holds only numbers,
so checkpoints store it as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "ReduceLROnPlateau", "StepLR"]


class LRScheduler:
    """Base class: subclasses define ``lr_at(base_lr, epoch)``.

    Construction applies epoch 0 (each group's lr becomes ``lr_at(lr, 0)``).

    Args:
        optimizer: whose groups' ``lr`` is set.
        last_epoch: the epoch of the last ``step()``; -1 starts fresh.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lrs = [float(g["lr"]) for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr = list(self.base_lrs)
        self.step()

    def lr_at(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and write the new learning rates into the optimizer."""
        self.last_epoch += 1
        self._last_lr = [self.lr_at(base, self.last_epoch) for base in self.base_lrs]
        for group, lr in zip(self.optimizer.param_groups, self._last_lr, strict=True):
            group["lr"] = lr

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group after the last ``step()``."""
        return list(self._last_lr)

    def _options(self) -> dict[str, Any]:
        """Hyper-parameters (saved, and checked on load)."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "last_epoch": self.last_epoch,
                "base_lrs": list(self.base_lrs), "last_lr": list(self._last_lr),
                **self._options()}

    def state_dict_problems(self, state_dict: Any) -> list[str]:
        """Every way ``state_dict`` does not fit this scheduler (empty if it fits)."""
        return _state_problems(self, state_dict)

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the epoch counter and base rates (the optimizer's own state
        restores its current ``lr``, as in PyTorch).

        Raises:
            ValueError: another scheduler type, other keys, or values of the
                wrong kind or count (nothing is changed then).
        """
        _load(self, state_dict)


def _state_problems(scheduler: Any, state_dict: Any) -> list[str]:
    """Every way `state_dict` does not fit `scheduler` (type, keys, value kinds)."""
    own = scheduler.state_dict()
    if not isinstance(state_dict, Mapping):
        return [f"state_dict must be a dict, got {type(state_dict).__name__}"]
    if state_dict.get("type") != own["type"]:
        return [f"cannot load the state of a {state_dict.get('type')!r} scheduler "
                f"into {own['type']}"]
    if set(state_dict) != set(own):
        return [f"state_dict keys differ: missing {sorted(set(own) - set(state_dict))}, "
                f"unexpected {sorted(set(state_dict) - set(own))}"]
    problems = []
    for key, value in own.items():
        saved = state_dict[key]
        fits = _same_kind(saved, value)
        if isinstance(value, list):
            fits = fits and len(saved) == len(value) and all(_same_kind(s, 0.0) for s in saved)
        if not fits:
            problems.append(f"saved {key} is {saved!r}, expected a {type(value).__name__}"
                            + (f" of {len(value)} numbers" if isinstance(value, list) else ""))
    return problems


def _load(scheduler: Any, state_dict: Mapping[str, Any]) -> None:
    problems = _state_problems(scheduler, state_dict)
    if problems:
        raise ValueError(f"{type(scheduler).__name__}: cannot load state: " + "; ".join(problems))
    for key, value in state_dict.items():
        if key == "last_lr":
            scheduler._last_lr = [float(v) for v in value]
        elif key in ("base_lrs", "min_lrs"):
            setattr(scheduler, key, [float(v) for v in value])
        elif key != "type":
            setattr(scheduler, key, value)


def _same_kind(saved: Any, value: Any) -> bool:
    """JSON-loaded `saved` can stand for `value`: ints for ints, numbers for floats."""
    if isinstance(value, bool) or isinstance(saved, bool):
        return type(saved) is type(value)
    if isinstance(value, float):
        return isinstance(saved, (int, float))
    return isinstance(saved, type(value))


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
        return _state_problems(self, state_dict)

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        _load(self, state_dict)
