"""Sequential and ModuleList: modules that hold other modules."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from .module import Module


def _index(i: int, n: int, who: str) -> int:
    if not -n <= i < n:
        raise IndexError(f"{who}: index {i} is out of range for {n} modules")
    return i % n


class Sequential(Module):
    """Run modules one after another, each on the previous one's output.

    Args:
        *modules: the layers in order, or one ``OrderedDict`` of name -> layer.

    Shape:
        whatever the first layer takes -> whatever the last one returns.

    Init:
        no parameters of its own; each layer initializes itself.

    Example::

        model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
        model[0]          # the first Linear; model[1:] is a Sequential
    """

    def __init__(self, *modules: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, _checked(module, name))
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), _checked(module, str(i)))

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, key: int | slice) -> Module:
        items = list(self._modules.items())
        if isinstance(key, slice):
            return Sequential(OrderedDict(items[key]))
        return items[_index(key, len(items), "Sequential")][1]

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), _checked(module, str(len(self))))
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees.

    A plain Python list of layers is invisible to ``parameters()``; this
    one registers each entry under its index.

    Args:
        modules: an iterable of modules.

    Init:
        no parameters of its own.
    """

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), _checked(module, str(len(self))))
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, i: int) -> Module:
        modules = list(self._modules.values())
        return modules[_index(i, len(modules), "ModuleList")]


def _checked(module: Any, name: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"container entry {name} must be a Module, got {type(module).__name__}")
    return module
