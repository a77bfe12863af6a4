"""Module: the base class of every layer and model.

A Module owns three ordered tables, filled by plain attribute assignment:
Parameters (learnable), sub-Modules, and buffers (saved state that is not
learned, registered with `register_buffer`). Everything else — walking the
tree, moving it to a backend, saving and loading it — is built on them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Backend, DType, Tensor

from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError):
    """A state dict does not fit a module; lists every problem at once."""


def _shape_of(value: Any) -> tuple[int, ...]:
    return tuple(value.shape) if hasattr(value, "shape") else np.shape(value)


class Module:
    """Base class for layers and models: subclass it, assign layers in
    ``__init__`` and define ``forward``.

    Example::

        class MLP(Module):
            def __init__(self):
                super().__init__()
                self.fc1 = Linear(784, 128)
                self.fc2 = Linear(128, 10)

            def forward(self, x):
                return self.fc2(self.fc1(x).relu())

        model = MLP()
        logits = model(mt.randn(32, 784))   # __call__ runs forward
    """

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ reads these tables.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())

    # -- registration --------------------------------------------------------------
    def _tables(self) -> tuple[dict, dict, dict]:
        try:
            own = self.__dict__
            return own["_parameters"], own["_modules"], own["_buffers"]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() at the top of __init__ "
                "before assigning parameters, sub-modules or buffers"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, (Parameter, Module)) or name in self.__dict__.get("_buffers", {}):
            if value is not None and not isinstance(value, (Tensor, Module)):
                raise TypeError(
                    f"buffer {name!r} must be a Tensor or None, got {type(value).__name__}"
                )
            params, modules, buffers = self._tables()
            for table in (params, modules, buffers):
                table.pop(name, None)
            self.__dict__.pop(name, None)
            if isinstance(value, Parameter):
                params[name] = value
                self._non_persistent.discard(name)
            elif isinstance(value, Module):
                modules[name] = value
                self._non_persistent.discard(name)
            else:
                buffers[name] = value
            return
        own = self.__dict__
        for table, kind in (("_parameters", "nn.Parameter"), ("_modules", "Module")):
            if name not in own.get(table, {}):
                continue
            if value is not None:
                # e.g. `self.weight = self.weight * 2` would silently drop a parameter.
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to {name!r}, which is a "
                    f"registered {kind}: assign a {kind} or None"
                )
            del own[table][name]
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: look in the three tables.
        for table in ("_parameters", "_modules", "_buffers"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for table in ("_parameters", "_modules", "_buffers"):
            entries = self.__dict__.get(table, {})
            if name in entries:
                del entries[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add non-learned state (e.g. running statistics) that `to()` moves and,
        when ``persistent``, `state_dict()` saves."""
        if "." in name or not name:
            raise KeyError(f"register_buffer: invalid buffer name {name!r}")
        params, modules, buffers = self._tables()
        if name in params or name in modules:
            raise KeyError(f"register_buffer: {name!r} is already a parameter or sub-module")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None")
        buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._tables()[0][name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        self._tables()[1][name] = module

    # -- running -------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} has no forward(); define it in the subclass"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active) on this module and all below it."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Set evaluation mode (Dropout is the identity); same as ``train(False)``."""
        return self.train(False)

    # -- walking the tree ------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every descendant once, depth first, with dotted names."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            below = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(below))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "",
                         recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs; a Parameter shared by two layers comes once."""
        seen: set[int] = set()
        walk = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for module_name, module in walk:
            for name, p in module._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{module_name}.{name}" if module_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for module_name, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{module_name}.{name}" if module_name else name), b

    def buffers(self) -> Iterator[Tensor]:
        for _, b in self.named_buffers():
            yield b

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every sub-module and then on this one (e.g. custom init)."""
        for module in reversed(list(self.modules())):
            fn(module)
        return self

    # -- gradients and placement -----------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's ``.grad`` (to None, or to zeros in place)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                with mt.no_grad():
                    p.grad.zero_()

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def to(self, target: str | Backend | DType | mt.device) -> Module:
        """Move every parameter and buffer to a device or backend, or convert their dtype.

        Each Parameter keeps its identity (its storage is swapped through
        ``.data``), so an optimizer built before the move still updates it.
        """
        with mt.no_grad():
            for module in self.modules():
                for p in module._parameters.values():
                    if p is None:
                        continue
                    p.data = p.detach().to(target)
                    if p.grad is not None:
                        p.grad = p.grad.detach().to(target)
                for name, b in module._buffers.items():
                    if b is not None:
                        module._buffers[name] = b.detach().to(target)
        return self

    def cpu(self) -> Module:
        """Move every parameter and buffer to the device "cpu" (the best CPU backend)."""
        return self.to(mt.device("cpu"))

    def cuda(self, device: int | str | None = None) -> Module:
        """Move every parameter and buffer to the CUDA backend (`device`: 0 or "cuda:0")."""
        target = mt.device("cuda" if device is None else
                           f"cuda:{device}" if isinstance(device, int) else device)
        if target.type != "cuda":
            raise ValueError(f"cuda: {device!r} is not a CUDA device")
        return self.to(target)

    def double(self) -> Module:
        return self.to(mt.float64)

    def float(self) -> Module:
        return self.to(mt.float32)

    # -- saving and loading -----------------------------------------------------------------
    def state_dict(self) -> OrderedDict[str, Tensor]:
        """Dotted name -> tensor for every parameter and persistent buffer.

        As in PyTorch the tensors share storage with the module (detached, no
        copy): clone or save them to keep a snapshot across later updates.
        """
        out: OrderedDict[str, Tensor] = OrderedDict()
        for module_name, module in self.named_modules():
            dot = f"{module_name}." if module_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[dot + name] = p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    out[dot + name] = b.detach()
        return out

    def _state_dict_problems(self, state: Mapping[str, Any]
                             ) -> tuple[list[str], list[str], list[str]]:
        """(missing keys, unexpected keys, shape mismatch descriptions)."""
        own = self.state_dict()
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        mismatched = [
            f"{k}: checkpoint shape {_shape_of(state[k])}, model shape {own[k].shape}"
            for k in own
            if k in state and _shape_of(state[k]) != own[k].shape
        ]
        return missing, unexpected, mismatched

    def load_state_dict(self, state_dict: Mapping[str, Any],
                        strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors or numpy arrays) into the parameters and buffers.

        Nothing is changed unless everything fits: every missing and
        unexpected key (when ``strict``) and every shape mismatch (always) is
        reported in one StateDictError. Values are converted to each
        target's dtype and backend.

        Returns:
            ``(missing_keys, unexpected_keys)``, useful with ``strict=False``.
        """
        missing, unexpected, mismatched = self._state_dict_problems(state_dict)
        lines = []
        if strict and missing:
            lines.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            lines.append("unexpected keys: " + ", ".join(unexpected))
        if mismatched:
            lines.append("shape mismatches:\n    " + "\n    ".join(mismatched))
        if lines:
            raise StateDictError(
                f"error(s) loading state_dict into {type(self).__name__}:\n  " + "\n  ".join(lines)
            )
        own = self.state_dict()
        with mt.no_grad():
            for key, target in own.items():
                if key in state_dict:
                    target.copy_(_as_tensor_like(state_dict[key], target))
        return IncompatibleKeys(missing, unexpected)

    def _input_error(self, expected: str, shape: tuple[int, ...]) -> ValueError:
        """A wrong-input error that names this layer with its hyper-parameters."""
        layer = f"{type(self).__name__}({self.extra_repr()})"
        return ValueError(f"{layer}: expected {expected}, got {shape}")

    # -- printing -------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The hyper-parameters shown between the parentheses of ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"


def _as_tensor_like(value: Any, like: Tensor) -> Tensor:
    """`value` as a tensor with `like`'s backend and dtype (for copy_)."""
    if isinstance(value, Tensor):
        return value.detach().to(like.backend, dtype=like.dtype)
    return mt.tensor(np.asarray(value), dtype=like.dtype, backend=like.backend)
