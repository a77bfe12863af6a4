"""The learning-rate scheduler base class and the checks behind every scheduler's
``load_state_dict`` (the schedules themselves are in ``lr_scheduler`` and ``cyclic``).

A scheduler's ``state_dict`` holds only numbers, strings, booleans and lists
of numbers, so checkpoints store it as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses define ``lr_at(base_lr, epoch)`` (or ``lrs_at(epoch)``
    when groups differ by more than their base rate).

    Construction applies epoch 0 (each group's lr becomes ``lr_at(lr, 0)``).

    Args:
        optimizer: whose groups' ``lr`` is set.
        last_epoch: the epoch of the last ``step()``; -1 starts fresh.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        self.optimizer = optimizer
        self.base_lrs = [float(g["lr"]) for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr = list(self.base_lrs)
        self.step()

    def lr_at(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError

    def lrs_at(self, epoch: int) -> list[float]:
        """Each group's learning rate at `epoch`."""
        return [self.lr_at(base, epoch) for base in self.base_lrs]

    def step(self) -> None:
        """Advance one epoch and write the new learning rates into the optimizer."""
        epoch = self.last_epoch + 1
        lrs = self.lrs_at(epoch)  # may refuse (OneCycleLR past its end): then nothing changes
        self.last_epoch = epoch
        self._set_lrs(lrs)

    def _set_lrs(self, lrs: list[float]) -> None:
        self._last_lr = list(lrs)
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group after the last ``step()``."""
        return list(self._last_lr)

    def _options(self) -> dict[str, Any]:
        """Hyper-parameters and any state beyond the epoch (saved, and checked on load)."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "last_epoch": self.last_epoch,
                "base_lrs": list(self.base_lrs), "last_lr": list(self._last_lr),
                **self._options()}

    def state_dict_problems(self, state_dict: Any) -> list[str]:
        """Every way ``state_dict`` does not fit this scheduler (empty if it fits)."""
        return state_problems(self, state_dict)

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the epoch counter and base rates (the optimizer's own state
        restores its current ``lr``, as in PyTorch).

        Raises:
            ValueError: another scheduler type, other keys, or values of the
                wrong kind or count (nothing is changed then).
        """
        load(self, state_dict)


def check_optimizer(scheduler: Any, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{type(scheduler).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
        )


def per_group(scheduler: Any, name: str, optimizer: Optimizer, value: Any) -> list[float]:
    """`value` for each parameter group: one number for all, or a list of one per group."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"{type(scheduler).__name__}: {name} has {len(value)} values, "
                             f"the optimizer has {groups} parameter groups")
        return [float(v) for v in value]
    return [float(value)] * groups


def state_problems(scheduler: Any, state_dict: Any) -> list[str]:
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


def load(scheduler: Any, state_dict: Mapping[str, Any]) -> None:
    problems = state_problems(scheduler, state_dict)
    if problems:
        raise ValueError(f"{type(scheduler).__name__}: cannot load state: " + "; ".join(problems))
    own = scheduler.state_dict()
    for key, value in state_dict.items():
        if key == "type":
            continue
        if isinstance(value, list):  # JSON gives 1 for 1.0: keep each entry's own kind
            value = [float(v) if isinstance(o, float) else v
                     for v, o in zip(value, own[key], strict=True)]
        elif isinstance(own[key], float):
            value = float(value)
        setattr(scheduler, "_last_lr" if key == "last_lr" else key, value)


def _same_kind(saved: Any, value: Any) -> bool:
    """JSON-loaded `saved` can stand for `value`: ints for ints, numbers for floats."""
    if isinstance(value, bool) or isinstance(saved, bool):
        return type(saved) is type(value)
    if isinstance(value, float):
        return isinstance(saved, (int, float))
    return isinstance(saved, type(value))
