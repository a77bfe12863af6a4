"""Export a tensor's autodiff graph as Graphviz DOT text."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tensor import Tensor


def tensor_to_dot(root: Tensor) -> str:
    """Nodes are tensors (shape, and the op that made them); edges run input -> output."""
    ids: dict[int, str] = {}
    lines = ["digraph autodiff {", "  rankdir=LR;"]
    stack = [root]
    edges: list[tuple[int, int]] = []
    while stack:
        node = stack.pop()
        if id(node) in ids:
            continue
        name = f"t{len(ids)}"
        ids[id(node)] = name
        op = node._history.function.__name__ if node._history is not None else "leaf"
        shape = "x".join(map(str, node.shape)) or "scalar"
        lines.append(f'  {name} [label="{op}\\n{shape}"];')
        if node._history is not None:
            for parent in node._history.inputs:
                stack.append(parent)
                edges.append((id(parent), id(node)))
    for parent, child in edges:
        lines.append(f"  {ids[parent]} -> {ids[child]};")
    lines.append("}")
    return "\n".join(lines) + "\n"
