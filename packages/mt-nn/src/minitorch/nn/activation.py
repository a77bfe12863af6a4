"""Elementwise activations as Modules (for use inside Sequential)."""

from __future__ import annotations

from minitorch.tensor import Tensor

from . import functional as F
from .module import Module


class ReLU(Module):
    """relu(x) = max(x, 0), elementwise.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)


class Sigmoid(Module):
    """sigmoid(x) = 1 / (1 + exp(-x)), elementwise.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x), elementwise.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Softmax(Module):
    """softmax along ``dim``: exp(x_i) / sum_j exp(x_j).

    Args:
        dim: the dimension that sums to 1.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log softmax along ``dim`` (stable: computed as x - logsumexp(x)).

    Args:
        dim: the dimension normalized over.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)
