"""Calling backend kernels on tensors: allocate, resolve layout, launch.

These are the non-differentiable primitives the Functions are built from.
They resolve broadcasting into per-operand strides, check that operands share
a backend and dtype, allocate the output, and hand flat storages to the
backend. No autodiff happens here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .backend import Backend
from .dtype import promote
from .shape import TensorData, expand_strides, prod, shape_broadcast, strides_from_shape

if TYPE_CHECKING:
    from .tensor import Tensor


def new_tensor(data: TensorData, like: Tensor) -> Tensor:
    from .tensor import Tensor

    return Tensor(data, like.backend, like.dtype)


def empty(shape: tuple[int, ...], like: Tensor) -> Tensor:
    """A contiguous tensor on `like`'s backend and dtype (zero-filled)."""
    storage = like.backend.zeros(max(prod(shape), 1), like.dtype)
    return new_tensor(TensorData(storage, tuple(shape), strides_from_shape(shape)), like)


def output(shape: tuple[int, ...], like: Tensor) -> Tensor:
    """A contiguous tensor for a kernel to overwrite completely (not zero-filled)."""
    storage = like.backend.empty(max(prod(shape), 1), like.dtype)
    return new_tensor(TensorData(storage, tuple(shape), strides_from_shape(shape)), like)


def buffer(t: Tensor):
    """The storage handed to a kernel: starts at the tensor's first element."""
    d = t._data
    return d.storage if d.offset == 0 else t.backend.view_at(d.storage, d.offset)


def _kernel_layout(shape: tuple[int, ...], *strides: tuple[int, ...]):
    # Kernels always see at least one dimension; a 0-d tensor is one element.
    if shape:
        return (shape, *strides)
    return ((1,), *((0,) for _ in strides))


def check_same_backend(op: str, *tensors: Tensor) -> Backend:
    backend = tensors[0].backend
    for t in tensors[1:]:
        if t.backend is not backend:
            raise RuntimeError(
                f"{op}: operands are on different backends ({backend.name!r} and "
                f"{t.backend.name!r}); move one with .to({backend.name!r})"
            )
    return backend


def map_op(op: str, a: Tensor) -> Tensor:
    out = output(a.shape, a)
    shape, out_strides, a_strides = _kernel_layout(a.shape, out._data.strides, a._data.strides)
    a.backend.map(op, out._data.storage, out_strides, shape, buffer(a), a_strides)
    return out


def zip_op(op: str, a: Tensor, b: Tensor, name: str | None = None) -> Tensor:
    name = name or op
    backend = check_same_backend(name, a, b)
    promote(a.dtype, b.dtype, name)
    shape = a.shape if a.shape == b.shape else shape_broadcast(a.shape, b.shape, name)
    out = output(shape, a)
    a_strides = a._data.strides if a.shape == shape else expand_strides(a.shape, a._data.strides, shape)
    b_strides = b._data.strides if b.shape == shape else expand_strides(b.shape, b._data.strides, shape)
    kshape, out_strides, a_strides, b_strides = _kernel_layout(
        shape, out._data.strides, a_strides, b_strides
    )
    backend.zip(op, out._data.storage, out_strides, kshape, buffer(a), a_strides,
                buffer(b), b_strides)
    return out


def zip_into(op: str, out: Tensor, a: Tensor, b: Tensor) -> None:
    """out = op(a, b) written in place into `out`'s own layout (a, b broadcast to it)."""
    backend = check_same_backend(op, out, a, b)
    promote(out.dtype, a.dtype, op)
    promote(out.dtype, b.dtype, op)
    shape = out.shape
    for t in (a, b):
        if shape_broadcast(t.shape, shape, op) != shape:
            raise ValueError(f"{op}: cannot write a {t.shape} result into a tensor of shape {shape}")
    kshape, out_strides, a_strides, b_strides = _kernel_layout(
        shape, out._data.strides,
        expand_strides(a.shape, a._data.strides, shape),
        expand_strides(b.shape, b._data.strides, shape),
    )
    backend.zip(op, buffer(out), out_strides, kshape, buffer(a), a_strides, buffer(b), b_strides)


def copy_into(out: Tensor, src: Tensor) -> None:
    """out[...] = src, broadcasting src to out's shape."""
    backend = check_same_backend("copy_", out, src)
    promote(out.dtype, src.dtype, "copy_")
    shape = out.shape
    if shape_broadcast(src.shape, shape, "copy_") != shape:
        raise ValueError(f"copy_: cannot copy a tensor of shape {src.shape} into shape {shape}")
    kshape, out_strides, src_strides = _kernel_layout(
        shape, out._data.strides, expand_strides(src.shape, src._data.strides, shape)
    )
    backend.map("id", buffer(out), out_strides, kshape, buffer(src), src_strides)


def reduce_op(op: str, a: Tensor, dim: int) -> Tensor:
    """Reduce along `dim`, keeping it as size 1."""
    out_shape = a.shape[:dim] + (1,) + a.shape[dim + 1:]
    out = output(out_shape, a)
    a.backend.reduce(op, out._data.storage, out._data.strides, out_shape,
                     buffer(a), a._data.strides, a.shape, dim)
    return out


def _as_batched(t: Tensor, batch: tuple[int, ...]) -> tuple[Tensor, tuple[int, int, int]]:
    """View `t` (..., r, c) as (prod(batch), r, c) strides, copying only if it must."""
    r, c = t.shape[-2], t.shape[-1]
    full = batch + (r, c)
    strides = expand_strides(t.shape, t._data.strides, full)
    batch_strides = strides[:-2]
    # The batch dims collapse into one stride when they are evenly spaced.
    live = [(size, s) for size, s in zip(batch, batch_strides) if size != 1]
    ok = all(live[i][1] == live[i + 1][1] * live[i + 1][0] for i in range(len(live) - 1))
    if ok:
        bstride = live[-1][1] if live else 0
        return t, (bstride, strides[-2], strides[-1])
    from .tensor import Tensor

    expanded = Tensor(TensorData(t._data.storage, full, strides, t._data.offset), t.backend, t.dtype)
    copy = contiguous(expanded)
    return copy, (r * c, c, 1)


def contiguous(a: Tensor) -> Tensor:
    if a._data.is_contiguous() and a._data.offset == 0:
        return a
    return map_op("id", a)


def matmul_op(a: Tensor, b: Tensor) -> Tensor:
    """(..., n, k) @ (..., k, m) with broadcast batch dims; both at least 2-d."""
    backend = check_same_backend("matmul", a, b)
    promote(a.dtype, b.dtype, "matmul")
    n, k = a.shape[-2], a.shape[-1]
    k2, m = b.shape[-2], b.shape[-1]
    if k != k2:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
            f"(inner sizes {k} and {k2} differ)"
        )
    batch = shape_broadcast(a.shape[:-2], b.shape[:-2], "matmul")
    a_src, a_strides = _as_batched(a, batch)
    b_src, b_strides = _as_batched(b, batch)
    out = output(batch + (n, m), a)
    nb = prod(batch)
    backend.matmul(out._data.storage, (n * m, m, 1), buffer(a_src), a_strides,
                   buffer(b_src), b_strides, (nb, n, k, m))
    return out
