"""Dropout: random zeroing during training (inverted scaling)."""

from __future__ import annotations

from minitorch.tensor import Tensor

from . import functional as F
from .module import Module


class Dropout(Module):
    """Zero each element with probability ``p`` while training.

    Kept elements are multiplied by 1 / (1 - p) (4/3 for the seed's
    p = 0.25), so a unit's expected value is the same in training and
    evaluation; in ``eval()`` mode the layer is the identity. The mask is
    drawn from minitorch's generator: ``mt.manual_seed`` fixes it and
    checkpoints replay it.

    Args:
        p: probability of zeroing an element, in [0, 1] (default 0.5).

    Shape:
        input (*) -> output (*), the same shape.

    Init:
        no parameters.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
