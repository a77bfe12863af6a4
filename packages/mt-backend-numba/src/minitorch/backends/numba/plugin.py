"""Hook glue: the `NumbaBackend` class and the pluggy hook that registers it.

Nothing here loops over data. Each method translates the contract's
arguments (op names, tuples) into what a kernel takes (int codes, int64
arrays, plain ints), picks the kernel, and calls it. An op name that is not
in `minitorch.tensor.ops` is refused here, with `ops.unknown_op`'s
ValueError, before any kernel runs. Importing this module compiles
nothing: numba compiles a kernel on its first call and then loads it from
the on-disk cache (NUMBA_CACHE_DIR) in later processes.

Dtypes: all five of mt-tensor (bool, int32, int64, float32, float64). The
kernels are generic over the storages' numba types, so the plugin passes
storages through unchanged and each dtype combination compiles on its
first use (the combinations mt-tensor sends are listed in
`minitorch.tensor.ops`; `matmul` and the optional kernels get floats only).
`read` is the base class's: a Python bool, int or float by the dtype.
"""

from __future__ import annotations

import functools
import math
from importlib import metadata

import numpy as np

import numba
from minitorch.tensor import ops
from minitorch.tensor.backend import Backend, JitStats, Shape, Storage, Strides
from minitorch.tensor.hookspec import hookimpl

from . import (
    conv,
    conv_unit_stride,
    elementwise,
    indexing,
    jit,
    matmul,
    memory,
    pooling,
    reduce,
    softmax,
    updates,
)
from .indexing import PUT_CODES
from .layout import SERIAL_ELEMENTS, coalesce, elementwise_plan, merge_dims
from .pointwise import MAP_CODES, ZIP_CODES
from .reduce import REDUCE_CODES

# Packed products with fewer multiply-adds than this run on the calling thread:
# the seed MLP's 10-wide layer, (64, 10) @ (10, 256) and (10, 64) @ (64, 256),
# takes 12-17 us there, a few us less on two idle cores, and a whole time slice
# when another process holds one of them.
_SERIAL_GEMM_WORK = 200_000
# Below this many multiply-adds one thread does it all.
_SERIAL_WORK = 32768
# Fused optimizer updates: parameters smaller than this update on the calling
# thread; larger ones in one equal chunk per thread (`_update_chunk`).
_UPDATE_CHUNK = 65536


def _pairs(*values: tuple[int, int]) -> tuple[int, ...]:
    return tuple(v for pair in values for v in pair)


class NumbaBackend(Backend):
    """Parallel CPU kernels compiled by numba; storage is host numpy arrays."""

    name = "numba"
    priority = 50
    dtypes = ("bool", "int32", "int64", "float32", "float64")

    def __init__(self) -> None:
        try:
            self.version = metadata.version("mt-backend-numba")
        except metadata.PackageNotFoundError:
            self.version = "0+unknown"

    def jit_stats(self) -> JitStats:
        """numba's compiles and cache loads so far, for the profiler (see jit.py)."""
        return jit.jit_stats()

    # -- storage ------------------------------------------------------------
    def zeros(self, size: int, dtype) -> Storage:
        memory.retain_freed_memory()  # once per process (see memory.py)
        return np.zeros(size, dtype=dtype.numpy)

    def empty(self, size: int, dtype) -> Storage:
        memory.retain_freed_memory()
        return np.empty(size, dtype=dtype.numpy)

    # -- required kernels ---------------------------------------------------
    def map(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides) -> None:
        code = MAP_CODES.get(op)
        if code is None:
            raise ops.unknown_op("map", op, ops.MAP_OPS)
        plan = elementwise_plan(shape, out_strides, a_strides)
        if plan.size == 0:
            return
        s_out, s_a = plan.strides
        if plan.serial:
            elementwise.map_tasks(code, out, s_out, plan.shape, a, s_a,
                                  0, plan.ntasks, plan.chunk)
        else:
            elementwise.map_parallel(code, out, s_out, plan.shape, a, s_a,
                                     plan.ntasks, plan.per_unit, plan.chunk)

    def zip(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides, b: Storage, b_strides: Strides) -> None:
        code = ZIP_CODES.get(op)
        if code is None:
            raise ops.unknown_op("zip", op, ops.ZIP_OPS)
        plan = elementwise_plan(shape, out_strides, a_strides, b_strides)
        if plan.size == 0:
            return
        s_out, s_a, s_b = plan.strides
        if plan.serial:
            elementwise.zip_tasks(code, out, s_out, plan.shape, a, s_a, b, s_b,
                                  0, plan.ntasks, plan.chunk)
        else:
            elementwise.zip_parallel(code, out, s_out, plan.shape, a, s_a, b, s_b,
                                     plan.ntasks, plan.per_unit, plan.chunk)

    def where(self, out: Storage, out_strides: Strides, shape: Shape, cond: Storage,
              cond_strides: Strides, a: Storage, a_strides: Strides, b: Storage,
              b_strides: Strides) -> None:
        plan = elementwise_plan(shape, out_strides, cond_strides, a_strides, b_strides)
        if plan.size == 0:
            return
        s_out, s_cond, s_a, s_b = plan.strides
        if plan.serial:
            elementwise.where_tasks(out, s_out, plan.shape, cond, s_cond, a, s_a, b, s_b,
                                    0, plan.ntasks, plan.chunk)
        else:
            elementwise.where_parallel(out, s_out, plan.shape, cond, s_cond, a, s_a, b, s_b,
                                       plan.ntasks, plan.per_unit, plan.chunk)

    def reduce(self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
               a: Storage, a_strides: Strides, a_shape: Shape, dim: int) -> None:
        code = REDUCE_CODES.get(op)
        if code is None:
            raise ops.unknown_op("reduce", op, ops.REDUCE_OPS)
        plan = _reduce_plan(tuple(out_strides), tuple(out_shape), tuple(a_strides),
                            tuple(a_shape), dim)
        if plan is None:
            return
        kind, serial, args = plan
        if kind == "columns":
            if serial:
                reduce.reduce_columns_tasks(code, out, a, *args[:-1], 0, args[-1])
            else:
                reduce.reduce_columns_parallel(code, out, a, *args)
            return
        out_strides_, out_shape_, a_strides_, size, npos, per_unit = args
        if serial:
            reduce.reduce_lines_tasks(code, out, out_strides_, out_shape_, a, a_strides_,
                                      dim, size, 0, npos)
        else:
            reduce.reduce_lines_parallel(code, out, out_strides_, out_shape_, a, a_strides_,
                                         dim, size, npos, per_unit)

    def matmul(self, out: Storage, out_strides: Strides, a: Storage, a_strides: Strides,
               b: Storage, b_strides: Strides, shape: tuple[int, int, int, int]) -> None:
        batch, n, k, m = shape
        if not len(out_strides) == len(a_strides) == len(b_strides) == 3:
            # The kernels trust strides blindly; a wrong length writes out of bounds.
            raise ValueError(
                f"matmul: strides must be (batch, row, column) triples, got out "
                f"{tuple(out_strides)}, a {tuple(a_strides)}, b {tuple(b_strides)}"
            )
        if batch * n * m == 0:
            return
        work = batch * n * k * m
        o_s, a_s, b_s = tuple(out_strides), tuple(a_strides), tuple(b_strides)
        if work < _SERIAL_WORK or n < 4 or k < 4:
            # Tiny products and vector-matrix products (a packed tile would be
            # mostly padding): one output row at a time.
            args = (out, o_s, a, a_s, b, b_s)
            if work < _SERIAL_WORK:
                matmul.matmul_rows_tasks(*args, n, k, m, 0, batch * n)
            else:
                per_unit = max(1, _SERIAL_WORK // max(k * m, 1))
                matmul.matmul_rows_parallel(*args, batch, n, k, m, per_unit)
            return
        if _swap_operands(n, m, out.itemsize):
            # out^T = b^T a^T: the same product through swapped strides, with
            # the narrow side along the tile's rows (MR) instead of its NR
            # columns, where it would be mostly zero padding.
            n, m = m, n
            o_s, a_s, b_s = ((o_s[0], o_s[2], o_s[1]), (b_s[0], b_s[2], b_s[1]),
                             (a_s[0], a_s[2], a_s[1]))
            a, b = b, a
        args = (out, o_s, a, a_s, b, b_s)
        kc, nc, mc, mb = _gemm_blocks(batch, n, k, m, out.itemsize)
        if batch == 1 and work < _SERIAL_GEMM_WORK:
            # Still small: the packed kernel on this thread, no pool start-up.
            matmul._gemm_block(*args, 0, 0, n, 0, m, k, kc, nc)
        else:
            matmul.matmul_blocked(*args, batch, n, k, m, mc, mb, kc, nc)

    # -- indexing kernels ---------------------------------------------------
    def take(self, out: Storage, out_strides: Strides, shape: Shape, a: Storage,
             a_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        plan = elementwise_plan(shape, out_strides, a_strides, offsets_strides)
        if plan.size == 0:
            return
        s_out, s_a, s_off = plan.strides
        if plan.serial:
            indexing.take_tasks(out, s_out, plan.shape, a, s_a, offsets, s_off,
                                0, plan.ntasks, plan.chunk)
        else:
            indexing.take_parallel(out, s_out, plan.shape, a, s_a, offsets, s_off,
                                   plan.ntasks, plan.per_unit, plan.chunk)

    def put(self, op: str, out: Storage, out_strides: Strides, shape: Shape, src: Storage,
            src_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        code = PUT_CODES.get(op)
        if code is None:
            raise ops.unknown_op("put", op, ops.PUT_OPS)
        plan = _put_plan(tuple(shape), tuple(out_strides), tuple(src_strides),
                         tuple(offsets_strides))
        if plan is None:
            return
        p_shape, p_out, p_src, p_off = plan
        indexing.put_kernel(code, out, p_out, p_shape, src, p_src, offsets, p_off)

    def nonzero(self, out: Storage, a: Storage, a_strides: Strides, shape: Shape) -> None:
        if len(a_strides) != len(shape):
            raise ValueError(f"nonzero: strides {tuple(a_strides)} do not match shape "
                             f"{tuple(shape)}")
        indexing.nonzero_kernel(out, a, _int64(tuple(a_strides)), _int64(tuple(shape)))

    # -- optional kernels (contiguous operands) ----------------------------
    def conv2d_forward(self, out, x, w, x_shape, w_shape, stride, padding) -> None:
        dims = (*x_shape, w_shape[0], *w_shape[2:])
        if tuple(stride) == (1, 1):
            conv_unit_stride.conv2d_forward_s1(out, x, w, *dims, *padding)
        else:
            conv.conv2d_forward(out, x, w, *dims, *_pairs(stride, padding))

    def conv2d_backward_input(self, grad_x, grad_out, w, x_shape, w_shape, stride,
                              padding) -> None:
        dims = (*x_shape, w_shape[0], *w_shape[2:])
        # The flipped-kernel form needs grad_out padded by kernel - 1 - padding >= 0.
        if (tuple(stride) == (1, 1) and padding[0] < w_shape[2]
                and padding[1] < w_shape[3]):
            conv_unit_stride.conv2d_backward_input_s1(grad_x, grad_out, w, *dims, *padding)
        else:
            conv.conv2d_backward_input(grad_x, grad_out, w, *dims, *_pairs(stride, padding))

    def conv2d_backward_weight(self, grad_w, x, grad_out, x_shape, w_shape, stride,
                               padding) -> None:
        dims = (*x_shape, w_shape[0], *w_shape[2:])
        if tuple(stride) == (1, 1):
            conv_unit_stride.conv2d_backward_weight_s1(grad_w, x, grad_out, *dims, *padding)
        else:
            conv.conv2d_backward_weight(grad_w, x, grad_out, *dims, *_pairs(stride, padding))

    def max_pool2d_forward(self, out, x, x_shape, kernel, stride, padding) -> None:
        pooling.max_pool2d_forward(out, x, *x_shape, *_pairs(kernel, stride, padding))

    def max_pool2d_backward(self, grad_x, x, grad_out, x_shape, kernel, stride,
                            padding) -> None:
        pooling.max_pool2d_backward(grad_x, x, grad_out, *x_shape,
                                    *_pairs(kernel, stride, padding))

    def max_pool2d_forward_indices(self, out, indices, x, x_shape, kernel, stride,
                                   padding) -> None:
        pooling.max_pool2d_forward_indices(out, indices, x, *x_shape,
                                           *_pairs(kernel, stride, padding))

    def max_pool2d_backward_indices(self, grad_x, grad_out, indices, x_shape,
                                    out_shape) -> None:
        b, c, h, w = x_shape
        pooling.max_pool2d_backward_indices(grad_x, grad_out, indices, b * c, h * w,
                                            out_shape[2] * out_shape[3])

    def avg_pool2d_forward(self, out, x, x_shape, kernel, stride, padding) -> None:
        pooling.avg_pool2d_forward(out, x, *x_shape, *_pairs(kernel, stride, padding))

    def avg_pool2d_backward(self, grad_x, grad_out, x_shape, kernel, stride,
                            padding) -> None:
        pooling.avg_pool2d_backward(grad_x, grad_out, *x_shape,
                                    *_pairs(kernel, stride, padding))

    def softmax(self, out, x, shape, dim) -> None:
        kernel = softmax.softmax_serial if x.size < SERIAL_ELEMENTS else softmax.softmax_kernel
        kernel(out, x, *_softmax_view(shape, dim), False)

    def log_softmax(self, out, x, shape, dim) -> None:
        kernel = softmax.softmax_serial if x.size < SERIAL_ELEMENTS else softmax.softmax_kernel
        kernel(out, x, *_softmax_view(shape, dim), True)

    def adam_step(self, p, grad, exp_avg, exp_avg_sq, size, step, lr, beta1, beta2, eps,
                  weight_decay, decoupled) -> None:
        bias1 = 1.0 - beta1**step
        bias2_sqrt = math.sqrt(1.0 - beta2**step)
        args = (float(lr), float(beta1), float(beta2), float(eps), float(weight_decay),
                bool(decoupled), bias1, bias2_sqrt)
        if size <= _UPDATE_CHUNK:
            updates.adam_run(p, grad, exp_avg, exp_avg_sq, 0, size, *args)
        else:
            updates.adam_parallel(p, grad, exp_avg, exp_avg_sq, size, _update_chunk(size),
                                  *args)

    def sgd_step(self, p, grad, momentum_buffer, size, lr, momentum, dampening, weight_decay,
                 nesterov, first) -> None:
        args = (float(lr), float(momentum), float(dampening), float(weight_decay), bool(nesterov),
                bool(first))
        if size <= _UPDATE_CHUNK:
            updates.sgd_run(p, grad, momentum_buffer, 0, size, *args)
        else:
            updates.sgd_parallel(p, grad, momentum_buffer, size, _update_chunk(size), *args)


def _column_layout(out_strides: Strides, out_shape: Shape, a_strides: Strides,
                   dim: int) -> tuple[int, int, int, int] | None:
    """(outer, inner, out outer stride, a outer stride) when the dims after
    `dim` are one contiguous block in both operands and the dims before it
    coalesce to one; None otherwise."""
    inner_shape = out_shape[dim + 1:]
    if not inner_shape:
        return None
    shape, (inner_o, inner_a) = coalesce(
        inner_shape, [out_strides[dim + 1:], a_strides[dim + 1:]])
    if len(shape) != 1 or shape[0] < 2 or inner_o != (1,) or inner_a != (1,):
        return None
    inner = shape[0]
    outer_shape = out_shape[:dim]
    if not outer_shape:
        return 1, inner, 0, 0
    shape, (outer_o, outer_a) = coalesce(
        outer_shape, [out_strides[:dim], a_strides[:dim]])
    if len(shape) != 1:
        return None
    return shape[0], inner, outer_o[0], outer_a[0]


@functools.lru_cache(maxsize=4096)
def _reduce_plan(out_strides: Strides, out_shape: Shape, a_strides: Strides, a_shape: Shape,
                 dim: int) -> tuple[str, bool, tuple] | None:
    """Kernel choice and arguments for one reduce layout (memoized); None when
    there is nothing to compute."""
    npos = 1
    for extent in out_shape:
        npos *= extent
    if npos == 0:
        return None
    size = a_shape[dim]
    # The elementwise cut-off: a (64, 512) bias gradient (32k adds, a few us)
    # gains nothing from a second thread, and a parallel region waits a whole
    # time slice when another process holds one of the cores.
    serial = npos * size < SERIAL_ELEMENTS
    columns = _column_layout(out_strides, out_shape, a_strides, dim)
    if columns is not None and size > 1:
        outer, inner, out_outer, a_outer = columns
        chunk = min(inner, 1024)
        ntasks = outer * -(-inner // chunk)
        return "columns", serial, (size, inner, out_outer, a_outer, a_strides[dim], chunk,
                                   ntasks)
    per_unit = max(1, 4096 // max(size, 1))
    return "lines", serial, (_int64(out_strides), _int64(out_shape), _int64(a_strides),
                             size, npos, per_unit)


@functools.lru_cache(maxsize=4096)
def _put_plan(shape: Shape, out_strides: Strides, src_strides: Strides,
              offsets_strides: Strides) -> tuple[np.ndarray, ...] | None:
    """(shape, out, src, offsets strides) as int64 arrays, dimensions merged in
    row-major order (memoized); None when there is nothing to do."""
    for s in (out_strides, src_strides, offsets_strides):
        if len(s) != len(shape):
            raise ValueError(f"put: strides {s} do not match shape {shape}")
    if math.prod(shape) == 0:
        return None
    merged, strides = merge_dims(shape, [out_strides, src_strides, offsets_strides])
    return (np.array(merged, dtype=np.int64),
            *(np.array(s, dtype=np.int64) for s in strides))


def _softmax_view(shape: Shape, dim: int) -> tuple[int, int, int]:
    """(outer, D, inner) of a contiguous tensor around dimension `dim`."""
    dim = dim % len(shape) if shape else 0
    outer = 1
    for extent in shape[:dim]:
        outer *= extent
    inner = 1
    for extent in shape[dim + 1:]:
        inner *= extent
    return outer, (shape[dim] if shape else 1), inner


def _update_chunk(size: int) -> int:
    """Elements per task of a parallel optimizer update: one equal share per
    thread (a multiple of 64, whole cache lines). These passes are bound by
    memory bandwidth, so more, smaller chunks only add imbalance: 401,408
    floats in 65,536-element chunks gave one thread 4 chunks, the other 3."""
    threads = numba.get_num_threads()
    return -(-size // (threads * 64)) * 64


def _swap_operands(n: int, m: int, itemsize: int) -> bool:
    """Whether out^T = b^T a^T pads the register tiles at most half as much as
    out = a b (a linear layer with 10 outputs: (64, 256) @ (256, 10))."""
    mr, nr = matmul.TILE_ROWS[itemsize], matmul.NR
    padded = -(-n // mr) * mr * -(-m // nr) * nr
    swapped = -(-m // mr) * mr * -(-n // nr) * nr
    return 2 * swapped <= padded


def _gemm_blocks(batch: int, n: int, k: int, m: int, itemsize: int) -> tuple[int, int, int, int]:
    """(kc, nc, mc, mb) block sizes for `matmul_blocked`.

    kc x NR panels of B and the mc x kc block of A stay in the core's L2
    (2 MiB here): mc is capped at 512 rows of float32 (256 of float64). When
    the row blocks alone do not give every thread a task, the product is cut
    further along the side whose copies cost less: each task packs its own
    A rows and B columns, so splitting the rows copies B once more per
    block, and splitting the columns (into whole NR-wide panels, mb of them)
    copies A once more. A batch of 64 through a linear layer has far fewer
    rows than columns, so its columns are split.
    """
    # k in equal blocks of at most 320: 784 = 3 x 262 rather than 3 x 256 + 16,
    # whose last pass would reload every tile of out for 16 steps.
    kc = -(-k // -(-k // 320))
    nc = matmul.NR * 36
    mr = matmul.TILE_ROWS[itemsize]
    cap = 512 if itemsize == 4 else 256
    threads = numba.get_num_threads()
    blocks = -(-n // cap)
    extra = -(-threads // (batch * blocks))
    panels = -(-m // matmul.NR)
    mb = m
    if extra > 1 and n < m and panels > 1:
        mb = -(-panels // min(extra, panels)) * matmul.NR
    else:
        blocks *= extra
    mc = -(-n // blocks)
    mc = -(-mc // mr) * mr
    return kc, nc, mc, mb


def _int64(values: tuple[int, ...]) -> np.ndarray:
    """A tuple of ints as the int64 array kernels take (memoized)."""
    array = _arrays.get(values)
    if array is None:
        if len(_arrays) > 4096:
            _arrays.clear()
        array = _arrays[values] = np.array(values, dtype=np.int64)
    return array


_arrays: dict[tuple[int, ...], np.ndarray] = {}


@hookimpl
def minitorch_register_backends() -> list[Backend]:
    return [NumbaBackend()]
