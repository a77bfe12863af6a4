"""Reverse-mode autodiff over tensors: Function, Context, backward.

Each non-leaf tensor records the Function that made it, the saved Context
and its inputs. `backward()` sorts the graph once, pushes each node's
gradient to its inputs, accumulates into leaves, and then releases every
node's history so intermediates can be freed at once (memory stays flat
over a long training run).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from . import dispatch as K

if TYPE_CHECKING:
    from .tensor import Tensor

_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "enabled", True)


@contextmanager
def _grad_mode(enabled: bool):
    previous = is_grad_enabled()
    _state.enabled = enabled
    try:
        yield
    finally:
        _state.enabled = previous


def no_grad():
    """Context manager (and decorator) that stops graph recording."""
    return _grad_mode(False)


def enable_grad():
    return _grad_mode(True)


class Context:
    """What a Function's forward leaves for its backward."""

    __slots__ = ("saved_tensors", "params")

    def __init__(self) -> None:
        self.saved_tensors: tuple[Any, ...] = ()
        self.params: dict[str, Any] = {}

    def save_for_backward(self, *values: Any) -> None:
        self.saved_tensors = values


class History:
    """How a non-leaf tensor was made."""

    __slots__ = ("function", "ctx", "inputs")

    def __init__(self, function: type[Function], ctx: Context, inputs: tuple[Tensor, ...]):
        self.function = function
        self.ctx = ctx
        self.inputs = inputs


class Function:
    """One differentiable op: `forward` and `backward` side by side.

    `forward(ctx, *inputs, **params)` computes on tensors without recording;
    `backward(ctx, grad)` returns one gradient (or None) per tensor input, in
    the shape of that input. Both run with recording off.
    """

    @staticmethod
    def forward(ctx: Context, *inputs: Any, **params: Any) -> Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **params: Any) -> Tensor:
        ctx = Context()
        ctx.params = params
        track = is_grad_enabled() and any(t.requires_grad for t in inputs)
        with _grad_mode(False):
            out = cls.forward(ctx, *inputs, **params)
        if track:
            out.requires_grad = True
            out._history = History(cls, ctx, inputs)
        return out


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes that need a gradient, each before every node it depends on."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if node._history is not None:
            for parent in node._history.inputs:
                if parent.requires_grad and id(parent) not in seen:
                    stack.append((parent, False))
    order.reverse()
    return order


def run_backward(root: Tensor, grad: Tensor, retain_graph: bool = False) -> None:
    """Backpropagate `grad` from `root` into the `.grad` of every leaf."""
    if root._released:
        raise RuntimeError(
            "Trying to backward through the graph a second time: its saved tensors were "
            "freed by the first backward(). Call backward(retain_graph=True) the first "
            "time if you need to backward twice."
        )
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no graph; set "
            "requires_grad=True on an input before computing it"
        )
    order = _topological_order(root)
    grads: dict[int, Tensor] = {id(root): grad}
    # A leaf's .grad must own its memory: users update it in place (clipping,
    # optimizers), so it may not be a broadcast view, the caller's tensor, or
    # the same object as another leaf's gradient (Add passes one grad to both).
    handed_out: set[int] = {id(grad)}
    with _grad_mode(False):
        for node in order:
            g = grads.pop(id(node), None)
            history = node._history
            if history is None:
                if node._released:
                    raise RuntimeError(
                        "Trying to backward through the graph a second time (an intermediate "
                        "was already released); use backward(retain_graph=True)"
                    )
                if g is not None:
                    if node.grad is not None:
                        node.grad = node.grad + g
                    elif id(g) in handed_out or not g._data.is_contiguous() or g._data.offset:
                        node.grad = K.map_op("id", g)
                    else:
                        node.grad = g
                    handed_out.add(id(node.grad))
                continue
            if g is not None:
                in_grads = history.function.backward(history.ctx, g)
                if not isinstance(in_grads, tuple):
                    in_grads = (in_grads,)
                for parent, pg in zip(history.inputs, in_grads):
                    if pg is None or not parent.requires_grad:
                        continue
                    if pg.shape != parent.shape:
                        raise RuntimeError(
                            f"{history.function.__name__}.backward returned a gradient of shape "
                            f"{pg.shape} for an input of shape {parent.shape}"
                        )
                    key = id(parent)
                    grads[key] = pg if key not in grads else grads[key] + pg
            if not retain_graph:
                node._history = None
                node._released = True
