"""The backward pass, independent of what a variable holds.

`backpropagate` works on anything that follows the `Variable` protocol:
`Scalar` here, `Tensor` in mt-tensor. It sorts the recorded graph once
(checking, before any gradient moves, that the graph was not released and
that no saved value was modified in place), walks it from the output to the
leaves pushing gradients through each op's backward, accumulates into the
leaves, and releases each record as soon as it is done with it, so the graph
is freed by the time backward returns. Code that runs during a backward (a
leaf's gradient hook) can `queue_callback` work for the moment the whole pass
is done: data-parallel training waits for its gradient messages there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

from .function import History
from .grad_mode import STATE

Node = Any  # a History (a recorded op) or a leaf Variable



class _Pass(threading.local):
    """Per thread, like grad mode: the callbacks of the backward now running."""

    callbacks: list[Callable[[], None]] | None = None


_PASS = _Pass()


def queue_callback(callback: Callable[[], None]) -> None:
    """Run `callback()` once the backward pass now running has finished.

    Only valid during a backward (from a gradient hook); callbacks run in the
    order they were queued, after every leaf has its gradient, and may queue
    more. A backward that raises drops its callbacks.

    Raises:
        RuntimeError: no backward pass is running.
    """
    if _PASS.callbacks is None:
        raise RuntimeError("queue_callback: no backward pass is running; call it from a "
                           "gradient hook while backward() runs")
    _PASS.callbacks.append(callback)


@runtime_checkable
class Variable(Protocol):
    """What the engine needs from a value it differentiates.

    Attributes:
        requires_grad: whether gradients flow to (and, for a leaf, into) it.
        history: the History of the op that made it; None for a leaf.
    """

    requires_grad: bool
    history: History | None

    def accumulate_grad(self, grad: Any, claimed: set[int]) -> None:
        """Add `grad` to this leaf's ``.grad``.

        `claimed` identifies memory already spoken for in this backward pass
        (the caller's output gradient, gradients other leaves kept): a leaf
        may keep `grad` itself only if its memory is not in it, and adds what
        it keeps. Immutable values (floats) ignore it.
        """
        ...

    def validate_grad(self, grad: Any, producer: str) -> Any:
        """Check a gradient `producer`'s backward returned for this input; return it."""
        ...

    def detach(self) -> Variable:
        """The same value with no history (shares memory where there is any)."""
        ...


def _live(node: History) -> History:
    if node.released:
        raise RuntimeError(
            f"Trying to backward through the graph a second time (through {node.name}): "
            "the first backward() released it and its saved values to free memory. Call "
            "backward(retain_graph=True) the first time to keep the graph for another backward."
        )
    return node


def topological_sort(variable: Variable) -> list[Node]:
    """The graph behind `variable` that needs gradients, output first.

    Entries are Histories (recorded ops) and the leaves that collect
    gradients; each comes before everything it depends on, so when backward
    reaches a node every path into it has contributed. Iterative depth-first
    search: a chain of 100 000 ops must not hit Python's recursion limit.

    Raises:
        RuntimeError: a record in the graph was already released by backward,
            or a value saved for backward was modified in place since.
    """
    if not variable.requires_grad:
        return []
    root = variable if variable.history is None else variable.history
    visited = {id(root)}
    post_order: list[Node] = []
    stack: list[tuple[Node, Iterator[Node]]] = [(root, _parents(root))]
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if parent is None or id(parent) in visited:
                continue
            visited.add(id(parent))
            stack.append((parent, _parents(parent)))
            break
        else:
            stack.pop()
            post_order.append(node)
    post_order.reverse()
    return post_order


def _parents(node: Node) -> Iterator[Node]:
    if type(node) is not History:
        return iter(())
    _live(node)
    assert node.ctx is not None
    node.ctx.check_saved(node.name)
    return iter(node.parents)


def backpropagate(variable: Variable, grad: Any, *, retain_graph: bool = False,
                  claimed: set[int] | None = None) -> None:
    """Push `grad` (d output / d `variable`) back to every leaf.

    Leaves receive their gradient through `accumulate_grad`, so it adds to
    what earlier backward calls left. Unless `retain_graph` is set, each
    record is released once its gradient has been pushed to its inputs: when
    this returns nothing the graph owned keeps an intermediate alive, and a
    second backward through it raises. `claimed` seeds the memory leaves must
    not adopt (see `Variable.accumulate_grad`).
    """
    if not variable.requires_grad:
        raise RuntimeError(
            "backward: this value does not require grad and has no graph; create an input "
            "with requires_grad=True and compute from it (outside no_grad())"
        )
    # Sorting first means a released or modified graph raises before any
    # leaf is touched.
    order = topological_sort(variable)
    outer, _PASS.callbacks = _PASS.callbacks, []
    previous = STATE.enabled
    STATE.enabled = False  # neither the walk nor the callbacks record a graph
    try:
        _walk(order, grad, retain_graph, set() if claimed is None else claimed)
        while _PASS.callbacks:
            _PASS.callbacks.pop(0)()
    finally:
        _PASS.callbacks = outer
        STATE.enabled = previous


def _walk(order: list[Node], grad: Any, retain_graph: bool, claimed: set[int]) -> None:
    grads: dict[int, Any] = {id(order[0]): grad}
    # Pop from the end of a reversed copy so the list stops referencing
    # each node as soon as it is processed.
    order.reverse()
    while order:
        node = order.pop()
        g = grads.pop(id(node), None)
        if type(node) is not History:
            if g is not None:
                node.accumulate_grad(g, claimed)
            continue
        if g is not None:
            _push(node, g, grads)
        if not retain_graph:
            node.release()


def _push(node: History, grad: Any, grads: dict[int, Any]) -> None:
    """Run one record's backward and add each input's gradient to its parent's total."""
    fn = node.function
    in_grads = fn.gradients(node.ctx, grad, len(node.inputs))
    for x, parent, d in zip(node.inputs, node.parents, in_grads):
        if parent is None or d is None:
            continue
        d = x.validate_grad(d, fn.__name__)
        key = id(parent)
        total = grads.get(key)
        grads[key] = d if total is None else total + d
