"""What a compute backend is: identity, storage, and named kernels.

A backend never sees a `Tensor`. Every kernel receives flat storages (the
objects the backend's own `zeros` / `from_numpy` made), shapes and strides as
tuples of ints (strides in elements, not bytes), and writes its result into a
storage the caller allocated. Broadcasting is resolved before a kernel runs:
`map` and `zip` get one `shape` and per-operand strides, where a broadcast
dimension simply has stride 0. Offsets are resolved too: a storage handed to
a kernel starts at element 0 of the operand (see `view_at`).

Aliasing: mt-tensor never hands a kernel an output that shares memory with
an input, except an in-place elementwise op whose output and input have the
very same layout (``x.mul_(x)``): `map`, `zip` and `where` must compute each
output element from the input elements at the same index before writing it
(any loop that reads, computes and stores per element does). Outputs in
which several elements share memory are refused before a kernel sees them.

Dtypes: `dtypes` lists what a backend can store. mt-tensor converts operands
before any kernel runs (type promotion, integer inputs of float-only ops),
so each kernel sees only the dtype combinations listed in
`minitorch.tensor.ops` ("which dtypes each op is called with"; `op_dtypes`
names them per op): elementwise ops, comparisons, reductions, `where` and
the indexing kernels over bool, int32, int64, float32 and float64; `matmul`
and the optional kernels over floating point only. Integer arithmetic is
exact (what an overflow gives is unspecified).

Required kernels: `map`, `zip`, `reduce`, `matmul`, `where`, `take`, `put`,
`nonzero` (`minitorch.tensor.ops.REQUIRED_KERNELS`). Optional kernels (see
`minitorch.tensor.ops.OPTIONAL_KERNELS`) are looked up in one place,
`minitorch.tensor.dispatch.optional_kernel`; when a backend lacks one,
mt-tensor composes the operation from the required ones.
Their signatures, all over contiguous operands:

    conv2d_forward(out, x, w, x_shape, w_shape, stride, padding)
        x (B, C, H, W), w (O, C, KH, KW) -> out (B, O, OH, OW),
        OH = (H + 2 * padding[0] - KH) // stride[0] + 1 (same for W)
    conv2d_backward_input(grad_x, grad_out, w, x_shape, w_shape, stride, padding)
    conv2d_backward_weight(grad_w, x, grad_out, x_shape, w_shape, stride, padding)
    max_pool2d_forward(out, x, x_shape, kernel, stride, padding)
    max_pool2d_backward(grad_x, x, grad_out, x_shape, kernel, stride, padding)
    max_pool2d_forward_indices(out, indices, x, x_shape, kernel, stride, padding)
        also writes each window's first maximum as a flat position within its
        (H, W) plane into the int64 `indices` (out's shape; -1 when that
        maximum is padding), as PyTorch's return_indices gives
    max_pool2d_backward_indices(grad_x, grad_out, indices, x_shape, out_shape)
        grad_x = 0, then each window's gradient added at its saved position:
        a scatter instead of a second scan of x (used when a backend has both)
    avg_pool2d_forward(out, x, x_shape, kernel, stride, padding)
    avg_pool2d_backward(grad_x, grad_out, x_shape, kernel, stride, padding)
    softmax(out, x, shape, dim)
    log_softmax(out, x, shape, dim)
    adam_step(p, grad, exp_avg, exp_avg_sq, size, step, lr, beta1, beta2, eps,
              weight_decay, decoupled)
    sgd_step(p, grad, momentum_buffer, size, lr, momentum, dampening, weight_decay,
             nesterov, first)

`kernel`, `stride` and `padding` are (h, w) pairs. Every output storage must
be completely overwritten (it is not zero-filled). Max pooling pads with
-inf and routes the gradient to the first maximum of each window; average
pooling counts padded zeros (PyTorch's count_include_pad=True).

`adam_step` and `sgd_step` are optimizer updates in place over `size`
elements of same-dtype storages (`p` and the state; `grad` is only read):
the formulas, and the compositions that run without them, are in
`minitorch.tensor.updates`. `step` counts from 1; `first` says the momentum
buffer holds nothing yet (set it to the gradient); with momentum 0 the
buffer is `p` itself and must not be used.

Profiling: `minitorch.profiler` times every kernel method above while a
profile records. A backend that compiles kernels on first use (numba) can
say so through `jit_stats`: the profiler reads it before and after each
kernel call, so that compile time is reported apart from run time.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .dtype import DTYPES, DType

Storage = Any
Shape = tuple[int, ...]
Strides = tuple[int, ...]


class JitStats(NamedTuple):
    """Running totals of a backend's just-in-time compiler in this process.

    Attributes:
        compiled: kernel specializations compiled from source.
        cache_loads: compiled kernels loaded from an on-disk cache instead.
        seconds: time spent doing either (the wall time the calling threads waited).
    """

    compiled: int
    cache_loads: int
    seconds: float


class Backend:
    """Base class for backends; subclass it and override the kernels.

    Attributes:
        name: what users type (`backend="numba"`, `MINITORCH_BACKEND=numba`).
        version: the backend's own version string.
        distribution: the installed distribution that provides it (filled by
            the registry from the entry point when left as None).
        dtypes: names of the dtypes it supports.
        priority: the highest-priority available CPU backend is the default.
        is_gpu: GPU backends are never picked as the default by themselves.
    """

    name: str = ""
    version: str = "0"
    distribution: str | None = None
    dtypes: tuple[str, ...] = tuple(DTYPES)
    priority: int = 0
    is_gpu: bool = False

    # -- identity -----------------------------------------------------------
    def is_available(self) -> bool:
        return True

    def unavailable_reason(self) -> str:
        """Why `is_available()` is False ("" when it is True)."""
        return ""

    def __repr__(self) -> str:
        return f"<backend {self.name!r} {self.version}>"

    def jit_stats(self) -> JitStats | None:
        """The compiler's running totals, or None (the default) for a backend that
        compiles nothing at run time. The first call may start the counting."""
        return None

    # -- storage ------------------------------------------------------------
    # The defaults keep data in host numpy arrays; a GPU backend overrides all.
    def zeros(self, size: int, dtype: DType) -> Storage:
        return np.zeros(size, dtype=dtype.numpy)

    def empty(self, size: int, dtype: DType) -> Storage:
        """A storage a kernel is about to overwrite completely: its contents
        may be anything (the default zero-fills; a host backend can skip that)."""
        return self.zeros(size, dtype)

    def dropout_mask(self, size: int, p: float, dtype: DType,
                     rng: np.random.Generator) -> Storage:
        """A new storage of `size` elements: 1 / (1 - p) for a kept element, 0 for a
        dropped one, each dropped with probability p (0 < p < 1): inverted dropout's
        scaled keep mask, drawn from minitorch's generator `rng`.

        The default draws `rng.random(size) >= p` on the host (the stream that
        `mt.manual_seed` replays) and stores it with `from_numpy`; a GPU backend
        may instead draw on the device from a seed it takes from `rng`.
        """
        keep = rng.random(size) >= p
        return self.from_numpy((keep / (1.0 - p)).astype(dtype.numpy))

    def from_numpy(self, array: np.ndarray) -> Storage:
        """A storage holding a copy of (or owning) a 1-D contiguous array."""
        return np.ascontiguousarray(array).reshape(-1)

    def to_numpy(self, storage: Storage) -> np.ndarray:
        """A 1-D host array with the storage's contents (may share memory)."""
        return storage

    def view_at(self, storage: Storage, offset: int) -> Storage:
        """The same memory, starting `offset` elements in."""
        return storage[offset:]

    def read(self, storage: Storage, position: int) -> float | int | bool:
        """One element as a Python number: float, int or bool by the storage's dtype."""
        return storage[position].item()

    def write(self, storage: Storage, position: int, value: float) -> None:
        storage[position] = value

    # -- required kernels ---------------------------------------------------
    def map(
        self, op: str, out: Storage, out_strides: Strides, shape: Shape,
        a: Storage, a_strides: Strides,
    ) -> None:
        """out[idx] = op(a[idx]) for every index of `shape`."""
        raise NotImplementedError(f"backend {self.name!r} does not implement map")

    def zip(
        self, op: str, out: Storage, out_strides: Strides, shape: Shape,
        a: Storage, a_strides: Strides, b: Storage, b_strides: Strides,
    ) -> None:
        """out[idx] = op(a[idx], b[idx]) for every index of `shape`."""
        raise NotImplementedError(f"backend {self.name!r} does not implement zip")

    def where(
        self, out: Storage, out_strides: Strides, shape: Shape, cond: Storage,
        cond_strides: Strides, a: Storage, a_strides: Strides, b: Storage, b_strides: Strides,
    ) -> None:
        """out[idx] = a[idx] if cond[idx] != 0 else b[idx]: a selection, so the value not
        taken (inf, nan) never reaches the output; -0.0 keeps its sign."""
        raise NotImplementedError(f"backend {self.name!r} does not implement where")

    def reduce(
        self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
        a: Storage, a_strides: Strides, a_shape: Shape, dim: int,
    ) -> None:
        """Reduce `a` along `dim`; `out_shape` is `a_shape` with `dim` set to 1."""
        raise NotImplementedError(f"backend {self.name!r} does not implement reduce")

    def matmul(
        self, out: Storage, out_strides: Strides, a: Storage, a_strides: Strides,
        b: Storage, b_strides: Strides, shape: tuple[int, int, int, int],
    ) -> None:
        """Batched matmul. shape = (batch, n, k, m): a is (batch, n, k), b is
        (batch, k, m), out is (batch, n, m); all strides are 3-tuples and a
        batch stride may be 0 (a broadcast operand)."""
        raise NotImplementedError(f"backend {self.name!r} does not implement matmul")

    # -- indexing kernels: element offsets computed by mt-tensor ------------------
    def take(
        self, out: Storage, out_strides: Strides, shape: Shape, a: Storage, a_strides: Strides,
        offsets: Storage, offsets_strides: Strides,
    ) -> None:
        """out[idx] = a[pos(idx, a_strides) + offsets[pos(idx, offsets_strides)]].

        `offsets` is int64; every position it produces lies inside `a` (mt-tensor
        checked the indices). Advanced indexing, gather and index_select lower onto it.
        """
        raise NotImplementedError(f"backend {self.name!r} does not implement take")

    def put(
        self, op: str, out: Storage, out_strides: Strides, shape: Shape, src: Storage,
        src_strides: Strides, offsets: Storage, offsets_strides: Strides,
    ) -> None:
        """For every idx of `shape`, at p = pos(idx, out_strides) + offsets[pos(idx,
        offsets_strides)]: out[p] = src[idx] (op "set") or out[p] += src[idx] ("add").

        Positions may repeat: "add" accumulates every value that lands on one
        element; for "set", which of them stays is unspecified (as in PyTorch).
        Indexed writes, scatter and scatter_add lower onto it.
        """
        raise NotImplementedError(f"backend {self.name!r} does not implement put")

    def nonzero(self, out: Storage, a: Storage, a_strides: Strides, shape: Shape) -> None:
        """Write the index of every non-zero element of `a`, in row-major order, as
        the rows of `out`: a contiguous int64 (count, len(shape)) storage, where
        mt-tensor counted the non-zero elements first."""
        raise NotImplementedError(f"backend {self.name!r} does not implement nonzero")
