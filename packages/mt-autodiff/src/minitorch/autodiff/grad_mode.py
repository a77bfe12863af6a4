"""Grad mode: whether new operations record history for backward.

One flag per thread, as in PyTorch: a `no_grad()` block in one thread does
not stop recording in another. Scalars and tensors read the same flag, so
``minitorch.autodiff.no_grad()`` and ``minitorch.tensor.no_grad()`` are the
same object.

Each mode is a class whose instances work as context managers and as
decorators::

    with no_grad():
        evaluate(model)

    @no_grad()          # or plain @no_grad
    def evaluate(model): ...

    set_grad_enabled(False)   # a plain call switches the mode for this thread
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    # A class attribute is every thread's starting value.
    enabled: bool = True


STATE = _GradState()


def is_grad_enabled() -> bool:
    """Whether operations in this thread record history for backward."""
    return STATE.enabled


class _GradMode:
    """A context manager and decorator that sets grad mode to `self.mode`."""

    mode: bool = True

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(STATE.enabled)
        STATE.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self._previous.pop()

    def __call__(self, fn: F) -> F:
        """Use as a decorator: `fn` runs in this mode (a fresh manager per call)."""
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}() decorates a function, got {type(fn).__name__}")
        factory = self._clone

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with factory():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _clone(self) -> _GradMode:
        return type(self)()


class _NoArgumentMode(_GradMode):
    """`@mode` works without parentheses, like `@mode()`."""

    def __new__(cls, fn: Callable[..., Any] | None = None) -> Any:
        if fn is None:
            return super().__new__(cls)
        return cls()(fn)


class no_grad(_NoArgumentMode):  # noqa: N801 - named as in PyTorch
    """Record nothing: results of operations do not require grad (evaluation, updates)."""

    mode = False


class enable_grad(_NoArgumentMode):  # noqa: N801
    """Record again inside a `no_grad()` block."""

    mode = True


class inference_mode(_GradMode):  # noqa: N801
    """`no_grad()` under PyTorch's name for inference code (``inference_mode(False)``
    records). PyTorch's extra checks on inference tensors are not reproduced:
    here it only switches recording off."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = not mode

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # bare @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def _clone(self) -> _GradMode:
        return inference_mode(not self.mode)


class set_grad_enabled(_GradMode):  # noqa: N801
    """Set grad mode to `mode` now; as a context manager, restore the old mode on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode) needs a bool, got {type(mode).__name__}")
        self.mode = mode
        # The switch happens at the call, so a bare `set_grad_enabled(False)`
        # works; __enter__ then only has to remember what to restore.
        self._before_call = STATE.enabled
        STATE.enabled = mode

    def __enter__(self) -> None:
        self._previous.append(self._before_call)

    def __call__(self, fn: F) -> F:
        # As a decorator the mode applies inside `fn` only: undo the switch
        # the constructor made at decoration time.
        STATE.enabled = self._before_call
        return super().__call__(fn)

    def _clone(self) -> _GradMode:
        return _Switch(self.mode)


class _Switch(_GradMode):
    """The per-call manager behind `@set_grad_enabled(mode)`."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = mode

    def _clone(self) -> _GradMode:
        return _Switch(self.mode)
