"""RemovableHandle: what registering a hook returns, PyTorch's shape.

    handle = tensor.register_post_accumulate_grad_hook(fn)
    ...
    handle.remove()              # or: with handle: ... (removed on exit)

A handle knows the table the hook was stored in (weakly: a handle kept
around does not keep a dead owner's hooks alive) and its key; removing it
twice, or after the owner is gone, is harmless.
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """Removes one registered hook from the dict that holds it.

    Attributes:
        id: the hook's key in that dict (unique in the process).
    """

    def __init__(self, hooks: OrderedDict[int, Any]) -> None:
        self.hooks_dict_ref = weakref.ref(hooks)
        self.id = next(_ids)

    def remove(self) -> None:
        hooks = self.hooks_dict_ref()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def __repr__(self) -> str:
        hooks = self.hooks_dict_ref()
        state = "active" if hooks is not None and self.id in hooks else "removed"
        return f"<RemovableHandle {self.id} {state}>"


def register(hooks: OrderedDict[int, Any], hook: Any, what: str,
             prepend: bool = False) -> RemovableHandle:
    """Store `hook` in `hooks` (last, or first with `prepend`) and return its handle."""
    if not callable(hook):
        raise TypeError(f"{what}: the hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle
