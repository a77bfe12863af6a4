"""Module: the base class of every layer and model.

A Module owns three ordered tables, filled by plain attribute assignment:
Parameters (learnable), sub-Modules, and buffers (saved state that is not
learned, registered with `register_buffer`). Everything else — walking the
tree, moving it to a backend, saving and loading it — is built on them.
Forward hooks (`register_forward_pre_hook`, `register_forward_hook`) run
around ``forward`` when the module is called.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

import minitorch.tensor as mt
from minitorch.autodiff import RemovableHandle
from minitorch.autodiff.hooks import register
from minitorch.tensor import Backend, DType, Tensor
from minitorch.tensor.device import device as Device
from minitorch.tensor.dtype import as_dtype

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
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())

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
        self._check_new_name(name, "_buffers", "register_buffer")
        buffers = self._tables()[2]
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, "
                            f"got {type(tensor).__name__}")
        buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a Parameter (or None: a declared, absent one, like ``bias=False``)."""
        self._check_new_name(name, "_parameters", "register_parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: cannot assign a {type(param).__name__} to "
                            f"parameter {name!r} (nn.Parameter or None required)")
        self._tables()[0][name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a sub-module under `name` (what ``self.name = module`` does)."""
        self._check_new_name(name, "_modules", "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a Module subclass")
        self._tables()[1][name] = module

    register_module = add_module

    def _check_new_name(self, name: str, table: str, op: str) -> None:
        """A KeyError unless `name` is free, or already an entry of `table`."""
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{op}: the name must be a non-empty string without '.', got {name!r}")
        self._tables()  # the super().__init__() check
        if name not in self.__dict__[table] and hasattr(self, name):
            raise KeyError(f"{op}: attribute {name!r} already exists")

    # -- hooks ---------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any], *,
                                  prepend: bool = False) -> RemovableHandle:
        """Run ``hook(module, args)`` before every ``forward``.

        A hook that returns something other than None replaces the positional
        arguments: a tuple as is, any other value as the only argument. Hooks
        run in registration order (``prepend=True`` puts this one first).
        """
        return self._add_hook("_forward_pre_hooks", hook, prepend, "register_forward_pre_hook")

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any], *,
                              prepend: bool = False) -> RemovableHandle:
        """Run ``hook(module, args, output)`` after every ``forward``.

        `args` are the positional arguments forward received (after any
        pre-hook replaced them); a hook that returns something other than None
        replaces the output, as the next hook and the caller see it.
        """
        return self._add_hook("_forward_hooks", hook, prepend, "register_forward_hook")

    def _add_hook(self, table: str, hook: Callable[..., Any], prepend: bool,
                  what: str) -> RemovableHandle:
        return register(self.__dict__.setdefault(table, OrderedDict()), hook, what, prepend)

    # -- running -------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} has no forward(); define it in the subclass"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Snapshots (tuple(...)): a hook may remove itself, or others, while running.
        for hook in tuple(self.__dict__.get("_forward_pre_hooks", {}).values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in tuple(self.__dict__.get("_forward_hooks", {}).values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active, BatchNorm on batch statistics) on this
        module and, through their own ``train``, on its children; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: training mode is expected to be boolean, got {mode!r}")
        object.__setattr__(self, "training", mode)
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (Dropout is the identity); same as ``train(False)``."""
        return self.train(False)

    # -- walking the tree ------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, child) for the direct sub-modules; one registered twice comes once."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo: set[Module] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, with dotted names; a module
        reached twice comes once unless ``remove_duplicate=False``."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                                remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        walk = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                if recurse else iter([(prefix, self)]))
        for module_name, module in walk:
            for name, value in module.__dict__[table].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs; a Parameter shared by two layers comes once
        (unless ``remove_duplicate=False``); ``recurse=False``: this module's own only."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) pairs, persistent or not, as `named_parameters`."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The sub-module at dotted path `target` ("" is this module), e.g. "block.fc"."""
        module: Module = self
        for item in target.split(".") if target else []:
            if not hasattr(module, item):
                raise AttributeError(f"{type(module).__name__} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The Parameter at dotted path `target`, e.g. "block.fc.weight"."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path `target`, e.g. "bn.running_mean"."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return module._buffers[name]

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every sub-module, children first (recursively, in order), then
        on this one, as PyTorch (e.g. custom init); returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
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
        """Switch gradient recording of every parameter on or off (freezing); returns self."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def to(self, target: str | Backend | DType | Device | Tensor | None = None,
           dtype: DType | None = None, *, device: str | Backend | Device | None = None) -> Module:
        """Move every parameter and buffer to a device or backend and/or convert the
        floating-point ones to a floating dtype: ``to("numba")``, ``to(mt.float64)``,
        ``to(device="cpu", dtype=mt.float64)``, ``to(tensor)`` (its backend and dtype).

        Integer and bool buffers (e.g. BatchNorm's ``num_batches_tracked``)
        keep their dtype, as in PyTorch. Each Parameter keeps its identity
        (its storage is swapped through ``.data``), so an optimizer built
        before the move still updates it.
        """
        place, dtype = _placement(target, dtype, device)

        def convert(t: Tensor) -> Tensor:
            return t.detach().to(device=place, dtype=dtype if t.dtype.is_floating_point else None)

        with mt.no_grad():
            for module in self.modules():
                for p in module._parameters.values():
                    if p is None:
                        continue
                    p.data = convert(p)
                    if p.grad is not None:
                        p.grad = convert(p.grad)
                for name, b in module._buffers.items():
                    if b is not None:
                        module._buffers[name] = convert(b)
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
    def state_dict(self, destination: dict[str, Tensor] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Tensor]:
        """Dotted name -> tensor for every parameter and persistent buffer.

        PyTorch's order and keys: a module's own parameters, then its
        persistent buffers, then each child's entries under ``child.``; a
        module registered under two names appears under both.

        Args:
            destination: a dict to fill and return (default: a new OrderedDict).
            prefix: put in front of every key, e.g. "model.".
            keep_vars: give the Parameters themselves instead of detached
                tensors (which share their storage).

        As in PyTorch the tensors share storage with the module (no copy):
        clone or save them to keep a snapshot across later updates.
        """
        out: dict[str, Tensor] = OrderedDict() if destination is None else destination
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=out, prefix=f"{prefix}{name}.",
                                  keep_vars=keep_vars)
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
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected state_dict to be dict-like, "
                            f"got {type(state_dict).__name__}")
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


def _placement(target: Any, dtype: Any, device: Any) -> tuple[Any, DType | None]:
    """Split Module.to's arguments into (device or backend or None, float dtype or None)."""
    if isinstance(target, Tensor):
        target, dtype = target.backend, target.dtype if dtype is None else dtype
    place = device
    if isinstance(target, (Device, Backend)) or (target is not None and not _is_dtype(target)):
        if device is not None:
            raise ValueError(f"to: got a device twice, {target!r} and device={device!r}")
        place = target
    elif target is not None:
        if dtype is not None and as_dtype(dtype) is not as_dtype(target):
            raise ValueError(f"to: got two dtypes, {target!r} and {dtype!r}")
        dtype = target
    if dtype is None:
        return place, None
    dtype = as_dtype(dtype)
    if not dtype.is_floating_point:
        raise TypeError(f"Module.to only accepts floating point dtypes, but got desired "
                        f"dtype={dtype.name}")
    return place, dtype


def _is_dtype(value: Any) -> bool:
    try:
        as_dtype(value)
    except TypeError:
        return False
    return True


def _as_tensor_like(value: Any, like: Tensor) -> Tensor:
    """`value` as a tensor with `like`'s backend and dtype (for copy_)."""
    if isinstance(value, Tensor):
        return value.detach().to(like.backend, dtype=like.dtype)
    return mt.tensor(np.asarray(value), dtype=like.dtype, backend=like.backend)
