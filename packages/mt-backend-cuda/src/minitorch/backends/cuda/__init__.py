"""minitorch.backends.cuda: GPU kernels (numba-cuda) with device-resident storage.

    import minitorch.tensor as mt
    x = mt.randn(256, 784, backend="cuda")

Storages hold any of minitorch's five dtypes (bool, int32, int64, float32,
float64); integer kernels compute exactly in int64, float ones in the
tensor's own precision; matmul and the optional kernels are floating point
only.

Importing this package needs no GPU and does not import numba; see
`CudaBackend.is_available()` / `unavailable_reason()`.
"""

from .backend import CudaBackend

__all__ = ["CudaBackend"]
