"""Optimizer: parameter groups, per-parameter state, zero_grad, state_dict.

Every parameter has a name. Pass ``model.named_parameters()`` (or the
model itself) and the names are the model's (``"fc1.weight"``); pass bare
parameters and they are numbered ``"0"``, ``"1"``, ... in order. The state
is keyed by those names, so a saved optimizer state is matched to
parameters by name and checked against their shapes when loaded (PyTorch
matches by position and checks nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor

ParamsLike = Iterable[Any] | Any


class OptimizerStateError(ValueError):
    """A saved optimizer state does not fit this optimizer; lists every problem."""


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(value.shape)


def _is_array(value: Any) -> bool:
    return isinstance(value, (Tensor, np.ndarray))


class Optimizer:
    """Base class: subclasses set ``defaults`` and implement ``_update``.

    Args:
        params: what to optimize: an iterable of parameters, of
            ``(name, parameter)`` pairs (``model.named_parameters()``), a
            Module, or a list of dicts (parameter groups) whose ``"params"``
            is one of those and whose other keys override ``defaults`` for
            that group (e.g. a smaller ``lr`` for some layers).
        defaults: hyper-parameters shared by all groups.
    """

    # The per-parameter state a subclass keeps: key -> "tensor" (parameter-shaped)
    # or "count" (an int); load_state_dict checks saved state against it.
    state_fields: dict[str, str] = {}
    state_fields_required = False  # every field present once a parameter has state
    # Options added after states were first saved: a saved group without one loads
    # with this value (as PyTorch's __setstate__ fills in a missing "amsgrad").
    late_options: dict[str, Any] = {}

    def __init__(self, params: ParamsLike, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[str, dict[str, Any]] = {}
        self._names: dict[int, str] = {}  # id(parameter) -> name
        for group in _as_groups(params):
            self.add_param_group(group)
        if not self._names:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")

    # -- groups -------------------------------------------------------------------------
    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group: ``{"params": ..., **overrides}``; missing keys take the defaults."""
        entries = _named_entries(group["params"], start=len(self._names))
        names, params = [], []
        for name, p in entries:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: {name!r} is a {type(p).__name__}, not a Tensor"
                )
            if id(p) in self._names:
                raise ValueError(f"{type(self).__name__}: parameter {name!r} is given twice")
            if name in self._names.values():
                raise ValueError(f"{type(self).__name__}: two parameters are named {name!r}")
            self._names[id(p)] = name
            names.append(name)
            params.append(p)
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: unknown option(s) {sorted(unknown)} in a parameter group; "
                f"known: {', '.join(self.defaults)}"
            )
        full = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
        self._check_hyperparameters(full)
        full["params"] = params
        full["names"] = names
        self.param_groups.append(full)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Subclasses validate lr, betas, ... here (raise ValueError)."""
        if not 0.0 <= group["lr"]:
            raise ValueError(f"{type(self).__name__}: Invalid learning rate: {group['lr']}")

    def _required_state(self, group: Mapping[str, Any]) -> set[str]:
        """The state keys a parameter of `group` holds once it has state; a subclass
        whose fields depend on options (RMSprop's ``centered``) narrows this."""
        return set(self.state_fields) if self.state_fields_required else set()

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        return [pair for g in self.param_groups
                for pair in zip(g["names"], g["params"], strict=True)]

    # -- stepping -----------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: to None (default) or to zeros in place."""
        for _, p in self.named_parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                with mt.no_grad():
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place and under no_grad.

        Args:
            closure: optional function that re-evaluates the model and
                returns the loss (run with gradients enabled first).
        """
        loss = None
        if closure is not None:
            with mt.enable_grad():
                loss = closure()
        with mt.no_grad():
            for group in self.param_groups:
                for name, p in zip(group["names"], group["params"], strict=True):
                    if p.grad is None:
                        continue
                    state = self.state.setdefault(name, {})
                    self._follow_parameter(state, p)
                    self._update(p, p.grad, state, group)
        return loss

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def _follow_parameter(state: dict[str, Any], p: Tensor) -> None:
        """After `model.to(...)` the state tensors move with their parameter."""
        for key, value in state.items():
            if not isinstance(value, Tensor):
                continue
            if value.backend is not p.backend or value.dtype is not p.dtype:
                state[key] = value.to(p.backend, dtype=p.dtype)

    # -- saving and loading -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The state as ``{"state": {name: {key: Tensor | int}},
        "param_groups": [{"lr": ..., "params": [names]}, ...]}``.

        The tensors are the live state (no copy), as in PyTorch.
        """
        groups = []
        for g in self.param_groups:
            entry = {k: v for k, v in g.items() if k not in ("params", "names")}
            entry["params"] = list(g["names"])
            groups.append(entry)
        state = {name: dict(s) for name, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def state_dict_problems(self, state_dict: Mapping[str, Any]) -> list[str]:
        """Every way ``state_dict`` does not fit this optimizer (empty if it fits)."""
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
            return ["expected a dict with exactly the keys 'state' and 'param_groups'"]
        problems = []
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, list) or len(saved_groups) != len(self.param_groups):
            count = len(saved_groups) if isinstance(saved_groups, list) else "no list of"
            return [f"saved state has {count} parameter groups, this optimizer has "
                    f"{len(self.param_groups)}"]
        for i, (saved, own) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if not isinstance(saved, Mapping):
                problems.append(f"group {i} is not a dict")
                continue
            problems += self._group_option_problems(i, saved, own)
            names = saved.get("params")
            if names != own["names"]:
                names = names if isinstance(names, list) else []
                missing = [n for n in own["names"] if n not in names]
                extra = [n for n in names if n not in own["names"]]
                problems.append(
                    f"group {i}: parameter names differ (missing {missing}, unexpected {extra})"
                    if missing or extra else f"group {i}: parameters are in a different order"
                )
        params = dict(self.named_parameters())
        saved_state = state_dict["state"]
        if not isinstance(saved_state, Mapping):
            return problems + ["'state' is not a dict"]
        options = self._saved_options_by_name(saved_groups)
        for name, entry in saved_state.items():
            if name not in params:
                problems.append(f"state for unknown parameter {name!r}")
                continue
            if not isinstance(entry, Mapping):
                problems.append(f"state for {name!r} is not a dict")
                continue
            problems += self._entry_problems(name, entry, params[name], options[name])
        return problems

    def _saved_options_by_name(self, saved_groups: list[Any]) -> dict[str, dict[str, Any]]:
        """Each parameter's options once the saved groups are loaded (the state a
        parameter must hold depends on them: a saved amsgrad Adam has max_exp_avg_sq)."""
        options = {}
        for saved, own in zip(saved_groups, self.param_groups, strict=True):
            merged = dict(own)
            if isinstance(saved, Mapping):
                merged.update({k: v for k, v in self.late_options.items() if k in own})
                merged.update({k: v for k, v in saved.items() if k in own and k != "params"})
                try:
                    self._check_hyperparameters(merged)
                except (TypeError, ValueError, IndexError):
                    merged = dict(own)  # reported as a group problem; check state by own
            for name in own["names"]:
                options[name] = merged
        return options

    def _entry_problems(self, name: str, entry: Mapping[str, Any], p: Tensor,
                        group: Mapping[str, Any]) -> list[str]:
        """Check one parameter's saved state against `state_fields` and its shape."""
        if not entry:
            return []
        fields = self.state_fields
        unknown = sorted(set(entry) - set(fields))
        missing = sorted(self._required_state(group) - set(entry))
        if unknown or missing:
            return [f"state for {name!r}: unexpected keys {unknown}, missing keys {missing}"]
        problems = []
        for key, value in entry.items():
            if fields[key] == "tensor":
                if not _is_array(value):
                    problems.append(
                        f"state for {name!r}: {key} is a {type(value).__name__}, not a tensor"
                    )
                elif _shape(value) != p.shape:
                    problems.append(
                        f"parameter {name!r}: saved {key} has shape {_shape(value)}, "
                        f"the parameter has shape {p.shape}"
                    )
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(f"state for {name!r}: {key} must be a count >= 0, got {value!r}")
        return problems

    def _group_option_problems(self, i: int, saved: Mapping[str, Any],
                               own: dict[str, Any]) -> list[str]:
        own_keys = set(own) - {"params", "names"}
        saved_keys = (set(saved) | (set(self.late_options) & own_keys)) - {"params"}
        if saved_keys != own_keys:
            # e.g. an Adam state loaded into SGD.
            return [f"group {i}: options differ: saved {sorted(saved_keys)}, "
                    f"{type(self).__name__} has {sorted(own_keys)}"]
        merged = {k: (tuple(v) if isinstance(own[k], tuple) and isinstance(v, list) else v)
                  for k, v in {**self.late_options, **saved}.items()
                  if k != "params" and k in own}
        try:
            self._check_hyperparameters(merged)
        except (TypeError, ValueError, IndexError) as err:
            return [f"group {i}: invalid saved options: {err}"]
        return []

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyper-parameters and per-parameter state (tensors are copied
        onto each parameter's backend and dtype). Nothing changes unless all fits.

        Raises:
            OptimizerStateError: listing every mismatch (names, shapes, groups).
        """
        problems = self.state_dict_problems(state_dict)
        if problems:
            raise OptimizerStateError(
                f"cannot load state into {type(self).__name__}:\n  " + "\n  ".join(problems)
            )
        for saved, own in zip(state_dict["param_groups"], self.param_groups, strict=True):
            late = {k: v for k, v in self.late_options.items() if k in own}
            for key, value in {**late, **saved}.items():
                if key == "params":
                    continue
                own[key] = tuple(value) if isinstance(own[key], tuple) else value
        params = dict(self.named_parameters())
        self.state = {
            name: {k: _copy_onto(v, params[name]) for k, v in entry.items()}
            for name, entry in state_dict["state"].items()
        }

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i} ({len(g['params'])} parameters)")
            lines += [f"    {k}: {v}" for k, v in g.items() if k not in ("params", "names")]
        return "\n".join(lines + [")"])


def _copy_onto(value: Any, p: Tensor) -> Any:
    """A private copy of a saved state value, on `p`'s backend and dtype."""
    if isinstance(value, Tensor):
        return mt.tensor(value.numpy(), dtype=p.dtype, backend=p.backend)
    if isinstance(value, np.ndarray):
        return mt.tensor(value, dtype=p.dtype, backend=p.backend)
    return value


def _as_groups(params: ParamsLike) -> list[dict[str, Any]]:
    if hasattr(params, "named_parameters") and callable(params.named_parameters):
        return [{"params": list(params.named_parameters())}]
    if isinstance(params, Tensor):
        raise TypeError("params must be an iterable of tensors (wrap one in a list), not a Tensor")
    items = list(params)
    if items and all(isinstance(g, Mapping) for g in items):
        for g in items:
            if "params" not in g:
                raise ValueError("each parameter group dict needs a 'params' entry")
        return [dict(g) for g in items]
    return [{"params": items}]


def _named_entries(params: Any, start: int) -> list[tuple[str, Any]]:
    """(name, parameter) pairs; bare parameters are numbered from `start`."""
    if hasattr(params, "named_parameters") and callable(params.named_parameters):
        return list(params.named_parameters())
    if isinstance(params, Tensor):
        params = [params]
    out = []
    for i, item in enumerate(params):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append(item)
        else:
            out.append((str(start + i), item))
    return out
