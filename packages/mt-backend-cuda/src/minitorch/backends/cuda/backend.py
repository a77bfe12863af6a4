"""The `cuda` backend: device-resident storage and the glue to the kernels.

A storage is a 1-D numba device array of one of the five dtypes (bool,
int32, int64, float32, float64; a bool array holds one byte per element, 0
or 1); tensors stay on the GPU between operations and only `to_numpy`,
`read` and `write` cross the bus. Each
kernel method prepares a launch in the module that owns the kernel and runs
it; the modules (and numba.cuda itself) are imported on first use, so
importing this file needs neither numba nor a GPU.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import numpy as np

from minitorch.tensor.backend import Backend, Shape, Storage, Strides
from minitorch.tensor.dtype import DType

from . import device

DISTRIBUTION = "mt-backend-cuda"


def _run(launch: Any) -> None:
    # Empty outputs need no launch (and a 0-block grid is a CUDA error).
    if launch is not None:
        launch.run()


class CudaBackend(Backend):
    """NVIDIA GPUs through numba-cuda kernels; also runs on numba's CUDA simulator.

    Every dtype of minitorch (`dtypes`); which kernel runs for which dtype is
    chosen in the kernel modules (elementwise.py, reduce.py, indexing.py).
    """

    name = "cuda"
    dtypes = ("bool", "int32", "int64", "float32", "float64")
    priority = 100
    is_gpu = True

    # -- identity -----------------------------------------------------------
    @property
    def version(self) -> str:  # type: ignore[override]
        """This distribution's version, numba-cuda's, and "simulator" when simulated."""
        try:
            own = metadata.version(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            own = "0+unknown"
        try:
            numba_cuda = f"numba-cuda {metadata.version('numba-cuda')}"
        except metadata.PackageNotFoundError:
            numba_cuda = "numba-cuda missing"
        sim = ", CUDA simulator" if device.simulator_enabled() else ""
        return f"{own} ({numba_cuda}{sim})"

    def is_available(self) -> bool:
        return device.probe()[0]

    def unavailable_reason(self) -> str:
        return device.probe()[1]

    def _require_available(self) -> Any:
        usable, reason = device.probe()
        if not usable:
            raise RuntimeError(f"the cuda backend is not available: {reason}")
        from numba import cuda

        return cuda

    def synchronize(self) -> None:
        """Wait until every queued kernel has finished (for timing)."""
        self._require_available().synchronize()

    # -- storage ------------------------------------------------------------
    def zeros(self, size: int, dtype: DType) -> Storage:
        cuda = self._require_available()
        from .elementwise import fill_launch

        storage = cuda.device_array(int(size), dtype=dtype.numpy)
        _run(fill_launch(storage, 0.0, int(size)))
        return storage

    def from_numpy(self, array: np.ndarray) -> Storage:
        cuda = self._require_available()
        return cuda.to_device(np.ascontiguousarray(array).reshape(-1))

    def to_numpy(self, storage: Storage) -> np.ndarray:
        device.on_device(storage=storage)
        return storage.copy_to_host()

    def view_at(self, storage: Storage, offset: int) -> Storage:
        # Slicing a device array makes a view of the same device memory.
        return storage if offset == 0 else storage[int(offset):]

    def read(self, storage: Storage, position: int) -> float | int | bool:
        """One element as a Python bool, int or float, by the storage's dtype."""
        position = int(position)
        return storage[position:position + 1].copy_to_host()[0].item()

    def write(self, storage: Storage, position: int, value: float | int | bool) -> None:
        position = int(position)
        host = np.array([value], dtype=storage.dtype)
        storage[position:position + 1].copy_to_device(host)

    # -- required kernels ---------------------------------------------------
    def map(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides) -> None:
        from .elementwise import map_launch

        _run(map_launch(op, out, out_strides, shape, a, a_strides))

    def zip(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides, b: Storage, b_strides: Strides) -> None:
        from .elementwise import zip_launch

        _run(zip_launch(op, out, out_strides, shape, a, a_strides, b, b_strides))

    def where(self, out: Storage, out_strides: Strides, shape: Shape, cond: Storage,
              cond_strides: Strides, a: Storage, a_strides: Strides, b: Storage,
              b_strides: Strides) -> None:
        from .elementwise import where_launch

        _run(where_launch(out, out_strides, shape, cond, cond_strides, a, a_strides, b,
                          b_strides))

    def reduce(self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
               a: Storage, a_strides: Strides, a_shape: Shape, dim: int) -> None:
        from .reduce import reduce_launch

        _run(reduce_launch(op, out, out_strides, out_shape, a, a_strides, a_shape, dim))

    def matmul(self, out: Storage, out_strides: Strides, a: Storage, a_strides: Strides,
               b: Storage, b_strides: Strides, shape: tuple[int, int, int, int]) -> None:
        from .matmul import matmul_launch

        _run(matmul_launch(out, out_strides, a, a_strides, b, b_strides, shape))

    # -- indexing kernels (offsets computed by mt-tensor) -------------------
    def take(self, out: Storage, out_strides: Strides, shape: Shape, a: Storage,
             a_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        from .indexing import take_launch

        _run(take_launch(out, out_strides, shape, a, a_strides, offsets, offsets_strides))

    def put(self, op: str, out: Storage, out_strides: Strides, shape: Shape, src: Storage,
            src_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        from .indexing import put_launch

        _run(put_launch(op, out, out_strides, shape, src, src_strides, offsets,
                        offsets_strides))

    def nonzero(self, out: Storage, a: Storage, a_strides: Strides, shape: Shape) -> None:
        from .indexing import nonzero_launch

        _run(nonzero_launch(out, a, a_strides, shape))

    # -- optional kernels ---------------------------------------------------
    def conv2d_forward(self, out: Storage, x: Storage, w: Storage, x_shape: Shape,
                       w_shape: Shape, stride: tuple[int, int],
                       padding: tuple[int, int]) -> None:
        from .conv import conv2d_forward_launch

        _run(conv2d_forward_launch(out, x, w, x_shape, w_shape, stride, padding))

    def conv2d_backward_input(self, grad_x: Storage, grad_out: Storage, w: Storage,
                              x_shape: Shape, w_shape: Shape, stride: tuple[int, int],
                              padding: tuple[int, int]) -> None:
        from .conv import conv2d_backward_input_launch

        _run(conv2d_backward_input_launch(grad_x, grad_out, w, x_shape, w_shape, stride,
                                          padding))

    def conv2d_backward_weight(self, grad_w: Storage, x: Storage, grad_out: Storage,
                               x_shape: Shape, w_shape: Shape, stride: tuple[int, int],
                               padding: tuple[int, int]) -> None:
        from .conv import conv2d_backward_weight_launch

        _run(conv2d_backward_weight_launch(grad_w, x, grad_out, x_shape, w_shape, stride,
                                           padding))

    def max_pool2d_forward(self, out: Storage, x: Storage, x_shape: Shape,
                           kernel: tuple[int, int], stride: tuple[int, int],
                           padding: tuple[int, int]) -> None:
        from .pool import max_pool2d_forward_launch

        _run(max_pool2d_forward_launch(out, x, x_shape, kernel, stride, padding))

    def max_pool2d_backward(self, grad_x: Storage, x: Storage, grad_out: Storage,
                            x_shape: Shape, kernel: tuple[int, int],
                            stride: tuple[int, int], padding: tuple[int, int]) -> None:
        from .pool import max_pool2d_backward_launch

        _run(max_pool2d_backward_launch(grad_x, x, grad_out, x_shape, kernel, stride, padding))

    def avg_pool2d_forward(self, out: Storage, x: Storage, x_shape: Shape,
                           kernel: tuple[int, int], stride: tuple[int, int],
                           padding: tuple[int, int]) -> None:
        from .pool import avg_pool2d_forward_launch

        _run(avg_pool2d_forward_launch(out, x, x_shape, kernel, stride, padding))

    def avg_pool2d_backward(self, grad_x: Storage, grad_out: Storage, x_shape: Shape,
                            kernel: tuple[int, int], stride: tuple[int, int],
                            padding: tuple[int, int]) -> None:
        from .pool import avg_pool2d_backward_launch

        _run(avg_pool2d_backward_launch(grad_x, grad_out, x_shape, kernel, stride, padding))

    def softmax(self, out: Storage, x: Storage, shape: Shape, dim: int) -> None:
        from .softmax import softmax_launch

        _run(softmax_launch(out, x, shape, dim, log=False))

    def log_softmax(self, out: Storage, x: Storage, shape: Shape, dim: int) -> None:
        from .softmax import softmax_launch

        _run(softmax_launch(out, x, shape, dim, log=True))
