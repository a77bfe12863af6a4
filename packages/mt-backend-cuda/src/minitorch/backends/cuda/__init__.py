"""minitorch.backends.cuda: GPU kernels (numba-cuda) with device-resident storage.

    import minitorch.tensor as mt
    x = mt.randn(256, 784, backend="cuda")

Importing this package needs no GPU and does not import numba; see
`CudaBackend.is_available()` / `unavailable_reason()`.
"""

from .backend import CudaBackend

__all__ = ["CudaBackend"]
