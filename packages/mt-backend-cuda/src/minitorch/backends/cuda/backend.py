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

from . import device, memory

DISTRIBUTION = "mt-backend-cuda"


def _repeats_one_value(flat: np.ndarray) -> bool:
    """Whether every element has the bits of the first (so -0.0 and 0.0 differ)."""
    bits = flat.view(np.dtype(f"u{flat.dtype.itemsize}"))
    return bool((bits == bits[0]).all())


def _fill(storage: Storage, value: float | int | bool, size: int) -> None:
    from .elementwise import fill_launch

    _run(fill_launch(storage, value, size))


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
    # Every storage comes from the caching pool (memory.py): after a warm-up
    # step, new tensors reuse freed blocks instead of calling the driver.
    def empty(self, size: int, dtype: DType) -> Storage:
        """Device memory a kernel is about to overwrite: not filled."""
        return memory.POOL.take(self._require_available(), int(size), dtype.numpy)

    def zeros(self, size: int, dtype: DType) -> Storage:
        storage = self.empty(size, dtype)
        _fill(storage, 0, int(size))
        return storage

    def from_numpy(self, array: np.ndarray) -> Storage:
        """A device copy of `array`; an array of one repeated value (mt.zeros,
        mt.full, a 0-d constant, the backward seed) is filled by a kernel that
        takes the value as an argument, so no copy crosses the bus."""
        flat = np.ascontiguousarray(array).reshape(-1)
        storage = memory.POOL.take(self._require_available(), flat.size, flat.dtype)
        if flat.size == 0:
            return storage
        if _repeats_one_value(flat):
            _fill(storage, flat[0].item(), flat.size)
            return storage
        memory.count("host_to_device")
        storage.copy_to_device(flat)
        return storage

    def dropout_mask(self, size: int, p: float, dtype: DType,
                     rng: np.random.Generator) -> Storage:
        """Dropout's scaled keep mask drawn on the device (rng.py): one launch, no
        copy; its key is drawn from `rng`, so `mt.manual_seed` replays it."""
        from .rng import draw_key, dropout_mask_launch

        storage = self.empty(size, dtype)
        _run(dropout_mask_launch(storage, size, p, draw_key(rng)))
        return storage

    def to_numpy(self, storage: Storage) -> np.ndarray:
        device.on_device(storage=storage)
        memory.count("device_to_host")
        return storage.copy_to_host()

    def view_at(self, storage: Storage, offset: int) -> Storage:
        # Slicing a device array makes a view of the same device memory; the
        # view keeps its parent alive, so the pool cannot recycle the block
        # under it (memory.py).
        if offset == 0:
            return storage
        view = storage[int(offset):]
        view._parent = storage
        return view

    def read(self, storage: Storage, position: int) -> float | int | bool:
        """One element as a Python bool, int or float, by the storage's dtype."""
        position = int(position)
        memory.count("device_to_host")
        return storage[position:position + 1].copy_to_host()[0].item()

    def write(self, storage: Storage, position: int, value: float | int | bool) -> None:
        # A one-element fill: the value travels as a kernel argument.
        position = int(position)
        host = np.array([value], dtype=storage.dtype)
        _fill(storage[position:position + 1], host[0].item(), 1)

    # -- counters -------------------------------------------------------------
    def counters(self) -> dict[str, int]:
        """Kernel launches, host -> device and device -> host copies and driver
        allocations since the last `reset_counters`, with the caching pool's
        `bytes_in_use` and `bytes_cached` (see memory.py)."""
        return memory.counters()

    def reset_counters(self) -> None:
        memory.reset_counters()

    def empty_cache(self) -> None:
        """Hand the pool's free blocks back to numba (as torch.cuda.empty_cache)."""
        memory.POOL.empty_cache()

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

    def adam_step(self, p: Storage, grad: Storage, exp_avg: Storage, exp_avg_sq: Storage,
                  size: int, step: int, lr: float, beta1: float, beta2: float, eps: float,
                  weight_decay: float, decoupled: bool) -> None:
        from .updates import adam_step_launch

        _run(adam_step_launch(p, grad, exp_avg, exp_avg_sq, size, step, lr, beta1, beta2, eps,
                              weight_decay, decoupled))

    def sgd_step(self, p: Storage, grad: Storage, momentum_buffer: Storage, size: int,
                 lr: float, momentum: float, dampening: float, weight_decay: float,
                 nesterov: bool, first: bool) -> None:
        from .updates import sgd_step_launch

        _run(sgd_step_launch(p, grad, momentum_buffer, size, lr, momentum, dampening,
                             weight_decay, nesterov, first))

    # -- cross-entropy on the device (used by minitorch.nn's cross_entropy) --
    def nll_rows(self, out: Storage, logp: Storage, target: Storage, rows: int, classes: int,
                 ignore_index: int) -> None:
        """out[n] = -logp[n, target[n]] over contiguous (rows, classes) log-probabilities;
        0 where the target is `ignore_index`, NaN where it is out of range (nll.py)."""
        from .nll import nll_rows_launch

        _run(nll_rows_launch(out, logp, target, rows, classes, ignore_index))

    def cross_entropy_backward(self, grad_x: Storage, logp: Storage, target: Storage,
                               grad_rows: Storage, grad_stride: int, rows: int, classes: int,
                               ignore_index: int) -> None:
        """grad_x[n, c] = grad_rows[n * grad_stride] * (exp(logp[n, c]) - [c == target[n]])."""
        from .nll import cross_entropy_backward_launch

        _run(cross_entropy_backward_launch(grad_x, logp, target, grad_rows, grad_stride, rows,
                                           classes, ignore_index))
