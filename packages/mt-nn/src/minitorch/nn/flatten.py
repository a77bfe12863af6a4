"""Flatten: merge a range of dimensions into one."""

from __future__ import annotations

from minitorch.tensor import Tensor

from .module import Module


class Flatten(Module):
    """Reshape dims ``start_dim..end_dim`` into one (the batch dim is kept by default).

    Args:
        start_dim: first dim to merge (default 1).
        end_dim: last dim to merge (default -1).

    Shape:
        input (N, *dims) -> output (N, prod(dims)) with the defaults; in
        general the merged size is the product of the merged dims.

    Init:
        no parameters.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
