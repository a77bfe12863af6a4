"""RemovableHandle: what registering a hook returns, PyTorch's shape.

    handle = tensor.register_post_accumulate_grad_hook(fn)
    ...
    handle.remove()              # or: with handle: ... (removed on exit)

A handle knows the dict the hook was stored in and its key; removing it
twice, or after the owner dropped its hooks, is harmless.
"""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """Removes one registered hook from the dict that holds it.

    Attributes:
        id: the hook's key in that dict (unique in the process).
    """

    def __init__(self, hooks: dict[int, Any]) -> None:
        self.hooks = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def __repr__(self) -> str:
        state = "active" if self.id in self.hooks else "removed"
        return f"<RemovableHandle {self.id} {state}>"


def register(hooks: dict[int, Any], hook: Any, what: str) -> RemovableHandle:
    """Store `hook` in `hooks` (in registration order) and return its handle."""
    if not callable(hook):
        raise TypeError(f"{what}: the hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle
