"""Schedules stepped per batch that cycle within a run: OneCycleLR (with momentum
cycling) and CosineAnnealingWarmRestarts (SGDR), PyTorch's formulas."""

from __future__ import annotations

import math
from typing import Any

from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer, per_group


def _anneal_cos(start: float, end: float, pct: float) -> float:
    """From `start` (pct 0) to `end` (pct 1) along half a cosine."""
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start: float, end: float, pct: float) -> float:
    return (end - start) * pct + start


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin): warm up to ``max_lr``, then anneal far below the start.

    Call ``step()`` after every batch. With T = ``total_steps`` and
    s = ``pct_start * T``, the learning rate goes (annealing by ``anneal_strategy``)::

        initial_lr = max_lr / div_factor        -> max_lr     over steps 0 .. s - 1
        max_lr -> min_lr = initial_lr / final_div_factor      over s - 1 .. T - 1

    and with ``three_phase`` (the paper's schedule) max_lr -> initial_lr over
    s - 1 .. 2s - 2, then initial_lr -> min_lr over 2s - 2 .. T - 1. With
    ``cycle_momentum`` the momentum moves the other way, between
    ``max_momentum`` (at initial_lr) and ``base_momentum`` (at max_lr): it is
    written into each group's ``betas[0]`` for an optimizer with betas (Adam,
    AdamW), else into its ``momentum`` (SGD, RMSprop). Stepping past
    ``total_steps`` raises ValueError (PyTorch's error), leaving the schedule as
    it was.

    Args:
        optimizer: the optimizer to drive.
        max_lr: the peak learning rate, or one per parameter group.
        total_steps: steps in the cycle; or give ``epochs`` and ``steps_per_epoch``.
        epochs, steps_per_epoch: total_steps = epochs * steps_per_epoch.
        pct_start: the fraction of the cycle spent warming up (a float in [0, 1]).
        anneal_strategy: "cos" or "linear".
        cycle_momentum: also cycle the momentum (needs one: momentum or betas).
        base_momentum, max_momentum: the momentum at max_lr and at initial_lr
            (numbers, or one per group).
        div_factor: initial_lr = max_lr / div_factor (default 25).
        final_div_factor: min_lr = initial_lr / final_div_factor (default 1e4).
        three_phase: warm up, cool down symmetrically, then anneal to min_lr.
        last_epoch: the number of batches already run (-1 starts fresh).
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        if not isinstance(pct_start, float) or not 0.0 <= pct_start <= 1.0:
            raise ValueError(f"OneCycleLR: Expected float between 0 and 1 pct_start, "
                             f"but got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy!r}")
        self.pct_start = pct_start
        self.anneal_strategy = anneal_strategy
        self.three_phase = three_phase
        self.div_factor, self.final_div_factor = float(div_factor), float(final_div_factor)
        self.max_lrs = per_group(self, "max_lr", optimizer, max_lr)
        self.max_momentums = per_group(self, "max_momentum", optimizer, max_momentum)
        self.base_momentums = per_group(self, "base_momentum", optimizer, base_momentum)
        self.cycle_momentum = cycle_momentum
        if cycle_momentum and not {"momentum", "betas"} & set(optimizer.defaults):
            raise ValueError(
                f"OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` "
                f"option enabled ({type(optimizer).__name__} has neither 'momentum' nor "
                f"'betas'; pass cycle_momentum=False)"
            )
        super().__init__(optimizer, last_epoch)
        self.base_lrs = [self._levels(i)["initial_lr"] for i in range(len(self.max_lrs))]

    def _levels(self, i: int) -> dict[str, float]:
        """Group `i`'s learning rates and momenta at the phase boundaries."""
        initial = self.max_lrs[i] / self.div_factor
        return {"initial_lr": initial, "max_lr": self.max_lrs[i],
                "min_lr": initial / self.final_div_factor,
                "max_momentum": self.max_momentums[i], "base_momentum": self.base_momentums[i]}

    def _phases(self) -> list[tuple[float, str, str, str, str]]:
        """(end step, lr from, lr to, momentum from, momentum to) of each phase."""
        warm = float(self.pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if self.three_phase:
            return [(warm, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (float(2 * self.pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                     "base_momentum", "max_momentum"),
                    (last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        return [(warm, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (last, "max_lr", "min_lr", "base_momentum", "max_momentum")]

    def _at(self, step: int, i: int) -> tuple[float, float]:
        """Group `i`'s (lr, momentum) at `step`."""
        anneal = _anneal_cos if self.anneal_strategy == "cos" else _anneal_linear
        levels, phases = self._levels(i), self._phases()
        start = 0.0
        for k, (end, lr_from, lr_to, m_from, m_to) in enumerate(phases):
            if step <= end or k == len(phases) - 1:
                # A phase of no length (pct_start * total_steps == 1) is already over.
                pct = (step - start) / (end - start) if end != start else 1.0
                return (anneal(levels[lr_from], levels[lr_to], pct),
                        anneal(levels[m_from], levels[m_to], pct))
            start = end
        raise AssertionError("unreachable: the last phase always matches")

    def lrs_at(self, epoch: int) -> list[float]:
        if epoch > self.total_steps:
            raise ValueError(f"OneCycleLR: Tried to step {epoch} times. The specified number "
                             f"of total steps is {self.total_steps}")
        return [self._at(epoch, i)[0] for i in range(len(self.max_lrs))]

    def step(self) -> None:
        """Advance one batch: set each group's lr (and momentum, if cycled)."""
        super().step()
        if not self.cycle_momentum:
            return
        use_beta1 = "betas" in self.optimizer.defaults
        for i, group in enumerate(self.optimizer.param_groups):
            momentum = self._at(self.last_epoch, i)[1]
            if use_beta1:
                group["betas"] = (momentum, *group["betas"][1:])
            else:
                group["momentum"] = momentum

    def _options(self) -> dict[str, Any]:
        return {"total_steps": self.total_steps, "pct_start": self.pct_start,
                "anneal_strategy": self.anneal_strategy, "cycle_momentum": self.cycle_momentum,
                "three_phase": self.three_phase, "div_factor": self.div_factor,
                "final_div_factor": self.final_div_factor, "max_lrs": list(self.max_lrs),
                "max_momentums": list(self.max_momentums),
                "base_momentums": list(self.base_momentums)}


def _total_steps(total_steps: int | None, epochs: int | None,
                 steps_per_epoch: int | None) -> int:
    def positive_int(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value > 0

    if total_steps is not None:
        if not positive_int(total_steps):
            raise ValueError(f"OneCycleLR: Expected positive integer total_steps, "
                             f"but got {total_steps!r}")
        return total_steps
    if epochs is None or steps_per_epoch is None:
        raise ValueError("OneCycleLR: You must define either total_steps OR "
                         "(epochs AND steps_per_epoch)")
    for name, value in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
        if not positive_int(value):
            raise ValueError(f"OneCycleLR: Expected positive integer {name}, but got {value!r}")
    return epochs * steps_per_epoch


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter): cosine annealing that restarts at base_lr.

    With T_cur the epochs since the last restart and T_i the length of the
    current cycle (T_0 first, then T_mult times longer after each restart)::

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    ``step()`` advances one epoch; ``step(epoch)`` jumps to any epoch, a float
    for positions within an epoch (``scheduler.step(epoch + i / iters)`` after
    each batch), and works out T_cur and T_i in closed form, as PyTorch does.

    Args:
        optimizer: the optimizer to drive.
        T_0: epochs until the first restart (a positive integer).
        T_mult: the factor by which each cycle is longer than the last (integer >= 1).
        eta_min: the lowest learning rate (default 0).
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,  # noqa: N803
                 eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected positive integer T_0, "
                             f"but got {T_0!r}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, "
                             f"but got {T_mult!r}")
        if isinstance(eta_min, bool) or not isinstance(eta_min, (int, float)):
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected float or int eta_min, "
                             f"but got {eta_min!r}")
        self.T_0, self.T_i, self.T_mult = T_0, T_0, T_mult
        self.eta_min = float(eta_min)
        self.T_cur = float(last_epoch)
        super().__init__(optimizer, last_epoch)

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to `epoch` (an int or a float) when given."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: Expected non-negative epoch, "
                                 f"but got {epoch}")
            self.T_cur, self.T_i = self._position(epoch)
        self.last_epoch = math.floor(epoch)
        self._set_lrs([self.eta_min + (base - self.eta_min)
                       * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                       for base in self.base_lrs])

    def _position(self, epoch: float) -> tuple[float, int]:
        """(T_cur, T_i) at `epoch`: which cycle it falls in, and how far into it."""
        if epoch < self.T_0:
            return float(epoch), self.T_0
        if self.T_mult == 1:
            return float(epoch % self.T_0), self.T_i
        # Cycles end at T_0 (T_mult^n - 1) / (T_mult - 1): solve for the cycle n.
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        start = self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
        return float(epoch - start), self.T_0 * self.T_mult**n

    def _options(self) -> dict[str, Any]:
        return {"T_0": self.T_0, "T_i": self.T_i, "T_mult": self.T_mult,
                "eta_min": self.eta_min, "T_cur": float(self.T_cur)}
