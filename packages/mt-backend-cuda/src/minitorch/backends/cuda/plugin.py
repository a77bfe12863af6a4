"""Entry-point module (group `minitorch.backends`, name `cuda`): hook glue only."""

from __future__ import annotations

from minitorch.tensor.hookspec import hookimpl

from .backend import CudaBackend


@hookimpl
def minitorch_register_backends() -> list[CudaBackend]:
    # Registered even without a GPU: the listing then shows why it is unusable.
    return [CudaBackend()]
