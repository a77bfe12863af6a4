"""`minitorch.tensor.cuda`: PyTorch's ``torch.cuda`` questions, asked of the backend registry.

The GPU is the `cuda` backend (the mt-backend-cuda distribution). These
functions never import it unless it is installed, and never raise: a machine
without the package, the driver or a GPU simply has none.
"""

from __future__ import annotations

from .registry import REGISTRY, BackendError


def is_available() -> bool:
    """True when the cuda backend is installed, enabled and sees a usable GPU."""
    return unavailable_reason() is None


def device_count() -> int:
    """How many GPUs minitorch can use: 1 with a usable cuda backend (it drives one), else 0."""
    return 1 if is_available() else 0


def unavailable_reason() -> str | None:
    """Why `is_available()` is False (None when it is True): what to install or fix."""
    try:
        REGISTRY.get("cuda")
    except BackendError as error:
        return str(error)
    return None
