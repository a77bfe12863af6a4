"""The backward pass, independent of what a variable holds.

``backpropagate`` works on anything that follows the ``Variable`` protocol:
``Scalar`` here, ``Tensor`` in mt-tensor. It sorts the graph once, walks it
from the output to the leaves pushing derivatives through each node's
``chain_rule``, accumulates into leaves, and then releases each interior
node's history so the graph is freed as soon as backward returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

# A plain module flag, as in PyTorch: set for the duration of a `no_grad()`
# block. It is not thread-local; minitorch trains on one thread.
_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether new operations record history for backward."""
    return _grad_enabled


@contextmanager
def no_grad() -> Iterator[None]:
    """Context manager: operations inside it record no graph (for evaluation)."""
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous


class Context:
    """What a function's ``forward`` leaves for its ``backward``.

    Args:
        no_grad: when true nothing will call backward, so
            ``save_for_backward`` keeps nothing.
    """

    def __init__(self, no_grad: bool = False) -> None:
        self.no_grad = no_grad
        self._saved: tuple[Any, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` for backward (plain numbers, never the output itself)."""
        if not self.no_grad:
            self._saved = values

    @property
    def saved_values(self) -> tuple[Any, ...]:
        """The values given to ``save_for_backward``, in order."""
        return self._saved

    def __repr__(self) -> str:
        return f"Context(saved_values={self._saved!r})"


@runtime_checkable
class Variable(Protocol):
    """What ``topological_sort`` and ``backpropagate`` need from a graph node."""

    @property
    def unique_id(self) -> int:
        """An id unique among live variables, used to key derivatives."""
        ...

    def is_leaf(self) -> bool:
        """True for variables created by the user (no history): they accumulate."""
        ...

    def is_constant(self) -> bool:
        """True for variables that need no derivative at all."""
        ...

    @property
    def parents(self) -> Iterable[Variable]:
        """The inputs this variable was computed from.

        Raises RuntimeError when an earlier backward released the history.
        """
        ...

    def chain_rule(self, d_output: Any) -> Iterable[tuple[Variable, Any]]:
        """Pairs ``(input, d_output * d self / d input)`` for non-constant inputs."""
        ...

    def accumulate_derivative(self, d: Any) -> None:
        """Add ``d`` to this leaf's gradient."""
        ...

    def release_history(self) -> None:
        """Drop the references to inputs and saved values (after backward)."""
        ...


def topological_sort(variable: Variable) -> list[Variable]:
    """The non-constant variables ``variable`` depends on, output first.

    Every variable comes before all of its inputs, so when backward reaches a
    node, every path from the output into it has already contributed its
    derivative. Iterative depth-first search: a chain of 100 000 operations
    must not hit Python's recursion limit.
    """
    visited: set[int] = set()
    post_order: list[Variable] = []
    if variable.is_constant():
        return post_order
    # Each stack entry: (node, iterator over its parents). A node is emitted
    # once all of its parents are, which is depth-first post-order.
    visited.add(variable.unique_id)
    stack: list[tuple[Variable, Iterator[Variable]]] = [(variable, _parents_of(variable))]
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if parent.is_constant() or parent.unique_id in visited:
                continue
            visited.add(parent.unique_id)
            stack.append((parent, _parents_of(parent)))
            break
        else:
            stack.pop()
            post_order.append(node)
    post_order.reverse()
    return post_order


def _parents_of(node: Variable) -> Iterator[Variable]:
    if node.is_leaf():
        return iter(())
    return iter(node.parents)


def backpropagate(variable: Variable, deriv: Any, *, retain_graph: bool = False) -> None:
    """Push ``deriv`` (d output / d ``variable``) back to every leaf.

    Leaves receive their derivative through ``accumulate_derivative`` (so it
    adds to what earlier backward calls left). Unless ``retain_graph`` is set,
    each interior node's history is released once its derivative has been
    pushed to its inputs: after this returns, nothing the graph owned keeps
    an intermediate alive, and a second backward through it raises.
    """
    # Sorting first means a released graph raises before any leaf is touched.
    order = topological_sort(variable)
    if not order:
        return
    derivatives: dict[int, Any] = {variable.unique_id: deriv}
    # Pop from the end of a reversed copy so the list stops referencing each
    # node as soon as it is processed.
    order.reverse()
    while order:
        node = order.pop()
        d = derivatives.pop(node.unique_id, None)
        if node.is_leaf():
            if d is not None:
                node.accumulate_derivative(d)
            continue
        if d is not None:
            for parent, d_parent in node.chain_rule(d):
                if parent.is_constant():
                    continue
                key = parent.unique_id
                derivatives[key] = derivatives[key] + d_parent if key in derivatives else d_parent
        if not retain_graph:
            node.release_history()
