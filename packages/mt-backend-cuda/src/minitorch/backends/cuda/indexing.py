"""The indexing kernels: `take` (gather), `put` (scatter: set or add) and `nonzero`.

mt-tensor turns every indexing op (advanced indexing, gather, index_select,
scatter, scatter_add, nonzero) into element offsets before a kernel runs, so
these kernels only follow strides plus an int64 offset per element. Values
of any of the five dtypes are copied as stored (no conversion).

* `take` and `put "set"`: one thread per element, grid-stride loop, like the
  elementwise kernels. For "set", positions that repeat are written by
  several threads in no set order: which value stays is unspecified, as the
  contract (and PyTorch) says.
* `put "add"`: every value landing on one element must be accumulated, so the
  add is `cuda.atomic.add`, which numba-cuda provides for int32, int64,
  float32 and float64 (the dtypes mt-tensor calls it with). The order of the
  additions is not fixed, so float results with repeated positions may differ
  from a sequential sum in the last bits; integer ones are exact. For bool
  storages, where `out + src` stored as bool is a logical or, the kernel only
  ever writes True (no atomic needed: every writer writes the same value).
* `nonzero`: the row-major order of the result makes it a prefix sum. One
  block does it: each thread counts the non-zero elements of its own
  contiguous chunk of ordinals, thread 0 turns the counts into starting rows
  (an exclusive scan of at most 256 numbers, in shared memory), and each
  thread writes the indices of its chunk from its starting row on. Simple and
  correct, not fast: one block uses a small part of a GPU, and a thread's
  chunk is not coalesced. mt-tensor counted the non-zero elements first (a
  `ne` zip and a `sum` reduce), so the output is allocated to fit.
"""

from __future__ import annotations

from numba import cuda, int64

from minitorch.tensor import ops

from . import device
from .positions import positions1, positions3

# The compile-time size of nonzero's shared counts: the most threads it uses.
SCRATCH = device.MAX_REDUCE_THREADS

# put "add" through cuda.atomic.add: the dtypes numba-cuda's atomic add takes.
ATOMIC_ADD_DTYPES = frozenset({"int32", "int64", "float32", "float64"})


@cuda.jit
def take_kernel(out, out_strides, shape, a, a_strides, offsets, offsets_strides, size):
    """out[idx] = a[pos(idx, a_strides) + offsets[pos(idx, offsets_strides)]]."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, a_pos, o_pos = positions3(ordinal, shape, out_strides, a_strides, offsets_strides)
        out[out_pos] = a[a_pos + offsets[o_pos]]


@cuda.jit
def put_set_kernel(out, out_strides, shape, src, src_strides, offsets, offsets_strides,
                   size):
    """out[pos(idx, out_strides) + offsets[...]] = src[idx]; repeats: any one wins."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, s_pos, o_pos = positions3(ordinal, shape, out_strides, src_strides, offsets_strides)
        out[out_pos + offsets[o_pos]] = src[s_pos]


@cuda.jit
def put_add_kernel(out, out_strides, shape, src, src_strides, offsets, offsets_strides,
                   size):
    """out[pos(idx, out_strides) + offsets[...]] += src[idx], atomically: repeated
    positions accumulate every value."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, s_pos, o_pos = positions3(ordinal, shape, out_strides, src_strides, offsets_strides)
        cuda.atomic.add(out, out_pos + offsets[o_pos], src[s_pos])


@cuda.jit
def put_or_kernel(out, out_strides, shape, src, src_strides, offsets, offsets_strides,
                  size):
    """put "add" on bool storages: out[p] = out[p] or src[idx]. Only True is ever
    written, so concurrent writers to one element agree without atomics."""
    for ordinal in range(cuda.grid(1), size, cuda.gridsize(1)):
        out_pos, s_pos, o_pos = positions3(ordinal, shape, out_strides, src_strides, offsets_strides)
        if src[s_pos]:
            out[out_pos + offsets[o_pos]] = True


@cuda.jit
def nonzero_kernel(out, a, a_strides, shape, size, chunk):
    """The row-major index of every non-zero a[idx], as rows of out (count, ndim).

    One block; thread t handles ordinals [t * chunk, (t + 1) * chunk).
    """
    counts = cuda.shared.array(SCRATCH, int64)
    tid = cuda.threadIdx.x
    start = tid * chunk
    stop = min(start + chunk, size)
    ndim = len(shape)
    found = 0
    for ordinal in range(start, stop):
        a_pos = positions1(ordinal, shape, a_strides)
        if a[a_pos] != 0:
            found += 1
    counts[tid] = found
    cuda.syncthreads()
    if tid == 0:  # exclusive prefix sum: each thread's first row
        running = 0
        for t in range(cuda.blockDim.x):
            here = counts[t]
            counts[t] = running
            running += here
    cuda.syncthreads()
    row = counts[tid]
    for ordinal in range(start, stop):
        a_pos = positions1(ordinal, shape, a_strides)
        if a[a_pos] != 0:
            # Peel the index again, this time writing it out.
            rest = ordinal
            for d in range(ndim - 1, -1, -1):
                out[row * ndim + d] = rest % shape[d]
                rest //= shape[d]
            row += 1


# -- launches ---------------------------------------------------------------
def _prepare(shape, *strides):
    # A 0-d operand is one element; kernels index at least one dimension.
    if len(shape) == 0:
        return ((1,), *((0,) for _ in strides))
    return (device.as_ints(shape), *(device.as_ints(s) for s in strides))


def _elements(shape) -> int:
    size = 1
    for s in shape:
        size *= int(s)
    return size


def _require_int64(offsets, kernel: str) -> None:
    if offsets.dtype.name != "int64":
        raise TypeError(f"cuda {kernel}: offsets must be int64, got {offsets.dtype.name}")


def take_launch(out, out_strides, shape, a, a_strides, offsets,
                offsets_strides) -> device.Launch | None:
    """The launch for `Backend.take`, or None when there is nothing to do."""
    device.on_device(out=out, a=a, offsets=offsets)
    _require_int64(offsets, "take")
    shape, out_strides, a_strides, offsets_strides = _prepare(
        shape, out_strides, a_strides, offsets_strides)
    size = _elements(shape)
    return device.per_element(
        take_kernel, size,
        (out, out_strides, shape, a, a_strides, offsets, offsets_strides, size))


def put_launch(op: str, out, out_strides, shape, src, src_strides, offsets,
               offsets_strides) -> device.Launch | None:
    """The launch for `Backend.put` ("set" or "add"), or None when there is nothing to do."""
    if op not in ops.PUT_OPS:
        raise ops.unknown_op("cuda put", op, ops.PUT_OPS)
    device.on_device(out=out, src=src, offsets=offsets)
    _require_int64(offsets, "put")
    if op == "set":
        kernel = put_set_kernel
    elif out.dtype.kind == "b":
        kernel = put_or_kernel
    elif out.dtype.name in ATOMIC_ADD_DTYPES:
        kernel = put_add_kernel
    else:
        raise TypeError(f"cuda put: 'add' is not supported for {out.dtype.name} storages")
    if src.dtype != out.dtype:
        raise TypeError(f"cuda put: src is {src.dtype.name} but out is {out.dtype.name}; "
                        "mt-tensor converts the values first")
    shape, out_strides, src_strides, offsets_strides = _prepare(
        shape, out_strides, src_strides, offsets_strides)
    size = _elements(shape)
    return device.per_element(
        kernel, size,
        (out, out_strides, shape, src, src_strides, offsets, offsets_strides, size))


def nonzero_launch(out, a, a_strides, shape) -> device.Launch | None:
    """The launch for `Backend.nonzero`, or None when there is nothing to write
    (no elements, or a 0-d `a`, whose rows have no columns)."""
    device.on_device(out=out, a=a)
    if out.dtype.name != "int64":
        raise TypeError(f"cuda nonzero: out must be int64, got {out.dtype.name}")
    if len(shape) == 0:
        return None
    shape, a_strides = device.as_ints(shape), device.as_ints(a_strides)
    size = _elements(shape)
    if size == 0:
        return None
    lim = device.limits()
    threads = max(1, min(lim.threads, SCRATCH, size))
    chunk = -(-size // threads)
    return device.Launch(nonzero_kernel, 1, threads, (out, a, a_strides, shape, size, chunk))
