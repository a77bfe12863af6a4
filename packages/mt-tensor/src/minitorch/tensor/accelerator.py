"""`minitorch.tensor.accelerator`: PyTorch's ``torch.accelerator`` questions.

minitorch's one accelerator is the cuda backend; these ask `minitorch.tensor.cuda`.
"""

from __future__ import annotations

from . import cuda
from .device import device


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator() -> device | None:
    """``device("cuda")`` when the cuda backend is usable, else None (as PyTorch)."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()
