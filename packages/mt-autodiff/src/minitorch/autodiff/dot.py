"""Graphviz DOT text for the graph behind a Scalar, to see what backward walks."""

from __future__ import annotations

from .scalar import Scalar


def to_dot(scalar: Scalar, *, graph_name: str = "autodiff") -> str:
    """The computation graph of ``scalar`` as a DOT ``digraph``.

    One node per Scalar, labelled ``name = value`` for named Scalars,
    ``Op = value`` for results (``name: Op = value`` when both), ``leaf`` or
    ``const`` for unnamed inputs; one edge from each input to the result it
    feeds. Nodes are numbered ``n0, n1, ...`` in depth-first post-order
    (inputs before results, inputs visited left to right), so the text is
    the same on every run. Render with ``dot -Tsvg graph.dot``.

    Raises:
        RuntimeError: if backward already released the graph.
    """
    numbers: dict[int, int] = {}
    nodes: list[Scalar] = []
    # Iterative post-order DFS, like topological_sort, but constants are
    # kept: they are part of what the user wrote.
    stack: list[tuple[Scalar, int]] = [(scalar, 0)]
    seen = {id(scalar)}
    while stack:
        node, i = stack.pop()
        inputs = () if node.is_leaf() else node.parents
        if i < len(inputs):
            stack.append((node, i + 1))
            child = inputs[i]
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, 0))
        else:
            numbers[id(node)] = len(nodes)
            nodes.append(node)

    lines = [
        f"digraph {graph_name} {{",
        "    rankdir=LR;",
        "    node [shape=box];",
    ]
    for k, node in enumerate(nodes):
        lines.append(f'    n{k} [label="{_escape(_label(node))}"];')
    for k, node in enumerate(nodes):
        if not node.is_leaf():
            for child in node.parents:
                lines.append(f"    n{numbers[id(child)]} -> n{k};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _label(node: Scalar) -> str:
    value = f"{node.data:.6g}"
    if node.history is not None:
        op = node.history.last_fn.__name__
        prefix = f"{node.name}: " if node.name is not None else ""
        return f"{prefix}{op} = {value}"
    if node.name is not None:
        return f"{node.name} = {value}"
    return f"{'leaf' if node.requires_grad else 'const'} = {value}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
