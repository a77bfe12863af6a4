"""Graphviz DOT text for the graph behind a variable, to see what backward walks.

One exporter for scalars and tensors: a variable shows itself through
``_dot_value()`` (a Scalar its value, a Tensor its shape) and an optional
``name``.
"""

from __future__ import annotations

from typing import Any

from .function import History


def to_dot(variable: Any, *, graph_name: str = "autodiff") -> str:
    """The computation graph of `variable` as a DOT ``digraph``.

    One node per recorded op, labelled ``Op = value`` (``name: Op = value``
    for a named result), and one per input that is not itself a result:
    ``name = value`` for a named one, else ``leaf = value`` (requires grad) or
    ``const = value``. One edge runs from each input to the op it feeds.
    Nodes are numbered ``n0, n1, ...`` in depth-first post-order (inputs
    before results, inputs left to right), so the text is the same on every
    run. Render with ``dot -Tsvg graph.dot``.

    Raises:
        RuntimeError: if backward already released the graph.
    """
    numbers: dict[int, int] = {}
    labels: list[str] = []
    edges: list[str] = []
    # Iterative post-order DFS; a stack entry is (node, its inputs, index of
    # the next input to visit). A node is (key, label, variable, history).
    root = _node(variable, variable.history, variable.requires_grad)
    stack = [(root, _inputs(root), 0)]
    seen = {root[0]}
    while stack:
        node, inputs, i = stack.pop()
        if i < len(inputs):
            stack.append((node, inputs, i + 1))
            child = inputs[i]
            if child[0] not in seen:
                seen.add(child[0])
                stack.append((child, _inputs(child), 0))
            continue
        numbers[node[0]] = len(labels)
        labels.append(node[1])
        # Inputs finish before the node, so their numbers exist already.
        edges += [f"    n{numbers[c[0]]} -> n{numbers[node[0]]};" for c in inputs]

    lines = [f"digraph {graph_name} {{", "    rankdir=LR;", "    node [shape=box];"]
    lines += [f'    n{k} [label="{_escape(label)}"];' for k, label in enumerate(labels)]
    lines += edges
    lines.append("}")
    return "\n".join(lines) + "\n"


Node = tuple[int, str, Any, Any]


def _node(variable: Any, history: Any, requires_grad: bool) -> Node:
    """The DOT node for `variable` as produced by `history` (a History, else a leaf)."""
    value = variable._dot_value()
    name = getattr(variable, "name", None)
    if not isinstance(history, History):
        head = name if name is not None else ("leaf" if requires_grad else "const")
        return id(variable), f"{head} = {value}", variable, None
    if history.released:
        raise RuntimeError(
            f"to_dot: the graph through {history.name} was released by backward(); export "
            "before backward, or call backward(retain_graph=True)"
        )
    prefix = f"{name}: " if name is not None else ""
    return id(history), f"{prefix}{history.name} = {value}", variable, history


def _inputs(node: Node) -> list[Node]:
    history = node[3]
    if history is None:
        return []
    return [_node(x, parent, parent is not None) for x, parent in zip(history.inputs, history.parents)]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
