"""Calling backend kernels on tensors: allocate, resolve layout, launch.

These are the non-differentiable primitives the Functions are built from.
They resolve broadcasting into per-operand strides, check that operands share
a backend and dtype, allocate the output, and hand flat storages to the
backend. No autodiff happens here.

Writes into an existing tensor (`map_into`, `zip_into`, `copy_into`) go
through `prepare_write`: the overlap rules of `overlap.py` first, then the
kernel, then a bump of the storage's version counter, so autodiff can tell
that a saved tensor changed. Optional kernels are looked up in one place,
`optional_kernel`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .backend import Backend
from .dtype import DType, bool_, int64, promote
from .ops import COMPARE_OPS, OPTIONAL_KERNELS
from .overlap import check_target, source_overlaps
from .shape import TensorData, expand_strides, prod, shape_broadcast

if TYPE_CHECKING:
    from .tensor import Tensor


# Tensor and TensorView import this module, so it cannot import them at its
# top. They are looked up on first use and kept: an import statement run on
# every op costs more than all of the op's own bookkeeping (about 2 µs).
_Tensor: Any = None
_TensorView: Any = None


def _bind_tensor_classes() -> None:
    global _Tensor, _TensorView
    from .tensor import Tensor
    from .tensor_view import TensorView

    _Tensor, _TensorView = Tensor, TensorView


def new_tensor(data: TensorData, like: Tensor, dtype: DType | None = None) -> Tensor:
    """A tensor over `data` (a fresh storage) on `like`'s backend and dtype (or `dtype`)."""
    if _Tensor is None:
        _bind_tensor_classes()
    return _Tensor(data, like.backend, dtype or like.dtype)


def new_view(data: TensorData, of: Tensor) -> Tensor:
    """A view: a tensor over (part of) `of`'s storage that knows its base."""
    if _TensorView is None:
        _bind_tensor_classes()
    return _TensorView(data, of)


def empty(shape: tuple[int, ...], like: Tensor) -> Tensor:
    """A contiguous tensor on `like`'s backend and dtype (zero-filled)."""
    storage = like.backend.zeros(max(prod(shape), 1), like.dtype)
    return new_tensor(TensorData.contiguous(storage, tuple(shape)), like)


def output(shape: tuple[int, ...], like: Tensor, dtype: DType | None = None) -> Tensor:
    """A contiguous tensor for a kernel to overwrite completely (not zero-filled), of
    `like`'s backend and dtype (or `dtype`)."""
    dtype = dtype or like.dtype
    storage = like.backend.empty(max(prod(shape), 1), dtype)
    return new_tensor(TensorData.contiguous(storage, tuple(shape)), like, dtype)


def kernel(backend: Backend, name: str) -> Callable[..., None]:
    """The optional kernel `name`, where the caller already knows the backend has it."""
    found = optional_kernel(backend, name)
    if found is None:
        raise RuntimeError(f"backend {backend.name!r} has no {name} kernel")
    return found


def optional_kernel(backend: Backend, name: str) -> Callable[..., None] | None:
    """The backend's optional kernel `name` (see `ops.OPTIONAL_KERNELS`), or None.

    A plain attribute lookup on every call (no cache): it costs less than the
    call it guards, and a backend patched at runtime is seen at once.
    """
    if name not in OPTIONAL_KERNELS:
        raise ValueError(f"unknown optional kernel {name!r}; known: {', '.join(OPTIONAL_KERNELS)}")
    return getattr(backend, name, None)


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


def map_op(op: str, a: Tensor, dtype: DType | None = None) -> Tensor:
    """op(a) elementwise; `dtype` is the output's (a cast, for op "id")."""
    out = output(a.shape, a, dtype)
    shape, out_strides, a_strides = _kernel_layout(a.shape, out._data.strides, a._data.strides)
    a.backend.map(op, out._data.storage, out_strides, shape, buffer(a), a_strides)
    return out


def zip_op(op: str, a: Tensor, b: Tensor, name: str | None = None) -> Tensor:
    da, db = a._data, b._data
    backend = a.backend
    if (da.shape == db.shape and a.dtype is b.dtype and b.backend is backend and da.shape
            and da.strides == db.strides and op not in COMPARE_OPS):
        # The common case, checked in one go: same shape, layout, dtype and backend.
        out = output(da.shape, a)
        backend.zip(op, out._data.storage, out._data.strides, da.shape, buffer(a), da.strides,
                    buffer(b), db.strides)
        return out
    name = name or op
    backend = check_same_backend(name, a, b)
    if a.dtype is not b.dtype:
        promote(a.dtype, b.dtype, name)
    shape = a.shape if a.shape == b.shape else shape_broadcast(a.shape, b.shape, name)
    out = output(shape, a, bool_ if op in COMPARE_OPS else None)
    a_strides = a._data.strides if a.shape == shape else expand_strides(a.shape, a._data.strides, shape)
    b_strides = b._data.strides if b.shape == shape else expand_strides(b.shape, b._data.strides, shape)
    kshape, out_strides, a_strides, b_strides = _kernel_layout(
        shape, out._data.strides, a_strides, b_strides
    )
    backend.zip(op, out._data.storage, out_strides, kshape, buffer(a), a_strides,
                buffer(b), b_strides)
    return out


def prepare_write(op: str, out: Tensor, *sources: Tensor, casting: bool = False,
                  shape: tuple[int, ...] | None = None) -> tuple[Tensor, ...]:
    """Check a write into `out` from `sources`; the sources to read (copies where they overlap).

    `casting`: the write is a copy (the `id` map), which converts any dtype to `out`'s.
    `shape`: what the sources must broadcast to, when it is not out's shape (an
    indexed write, whose sources fill the selected elements).
    """
    check_same_backend(op, out, *sources)
    d = out._data
    target = out.shape if shape is None else shape
    for src in sources:
        if src.dtype is not out.dtype and not casting:
            promote(out.dtype, src.dtype, op)
        if src.shape != target and shape_broadcast(src.shape, target, op) != target:
            raise ValueError(
                f"{op}: cannot write a result of shape {shape_broadcast(src.shape, target, op)} "
                f"into a tensor of shape {target} (the written-to shape cannot grow)"
            )
    check_target(op, d)
    if all(s._data.storage is not d.storage or s._data is d for s in sources):
        return sources  # nothing to copy: the common case costs one identity test per source
    return tuple(contiguous_copy(s) if source_overlaps(op, d, s._data) else s for s in sources)


def map_write(op: str, out: Tensor, a: Tensor) -> None:
    """out = op(a) in `out`'s own layout, `a` broadcast to it; `a` came from `prepare_write`."""
    kshape, out_strides, a_strides = _kernel_layout(
        out.shape, out._data.strides, expand_strides(a.shape, a._data.strides, out.shape))
    out.backend.map(op, buffer(out), out_strides, kshape, buffer(a), a_strides)
    out._data.version.writes += 1


def zip_write(op: str, out: Tensor, a: Tensor, b: Tensor) -> None:
    """out = op(a, b) in `out`'s own layout; `a` and `b` came from `prepare_write`."""
    shape = out.shape
    kshape, out_strides, a_strides, b_strides = _kernel_layout(
        shape, out._data.strides,
        expand_strides(a.shape, a._data.strides, shape),
        expand_strides(b.shape, b._data.strides, shape),
    )
    out.backend.zip(op, buffer(out), out_strides, kshape, buffer(a), a_strides, buffer(b),
                    b_strides)
    out._data.version.writes += 1


def map_into(op: str, out: Tensor, a: Tensor, name: str | None = None) -> None:
    """out = op(a) written in place into `out`'s own layout (a broadcast to it), checked."""
    map_write(op, out, *prepare_write(name or op, out, a))


def zip_into(op: str, out: Tensor, a: Tensor, b: Tensor, name: str | None = None) -> None:
    """out = op(a, b) written in place into `out`'s own layout (a, b broadcast to it), checked."""
    zip_write(op, out, *prepare_write(name or op, out, a, b))


def copy_into(out: Tensor, src: Tensor, name: str = "copy_") -> None:
    """out[...] = src, broadcasting src to out's shape and converting it to out's dtype."""
    map_write("id", out, *prepare_write(name, out, src, casting=True))


def where_op(cond: Tensor, a: Tensor, b: Tensor) -> Tensor:
    """a where cond is non-zero, else b (all three broadcast together)."""
    backend = check_same_backend("where", cond, a, b)
    promote(a.dtype, b.dtype, "where")
    if cond.dtype is not bool_:
        raise TypeError(f"where: expected a bool condition, got {cond.dtype.name}")
    shape = shape_broadcast(shape_broadcast(cond.shape, a.shape, "where"), b.shape, "where")
    out = output(shape, a)
    layout = _kernel_layout(shape, out._data.strides,
                            *(expand_strides(t.shape, t._data.strides, shape) for t in (cond, a, b)))
    kshape, out_strides, c_strides, a_strides, b_strides = layout
    backend.where(out._data.storage, out_strides, kshape, buffer(cond), c_strides,
                  buffer(a), a_strides, buffer(b), b_strides)
    return out


def reduce_op(op: str, a: Tensor, dim: int) -> Tensor:
    """Reduce along `dim`, keeping it as size 1."""
    if op != "sum" and a.shape[dim] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size "
                         f"(input shape {a.shape})")
    out_shape = a.shape[:dim] + (1,) + a.shape[dim + 1:]
    out = output(out_shape, a, int64 if op == "argmax" else None)
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
    copy = map_op("id", new_view(t._data.restrided(full, strides), t))
    return copy, (r * c, c, 1)


def cast(a: Tensor, dtype: DType) -> Tensor:
    """`a` converted to `dtype` by the backend's `id` map (no autodiff); `a` if it has it."""
    return a if a.dtype is dtype else map_op("id", a, dtype)


def contiguous(a: Tensor) -> Tensor:
    if a._data.is_contiguous() and a._data.offset == 0:
        return a
    return map_op("id", a)


def contiguous_copy(a: Tensor) -> Tensor:
    """A new contiguous tensor with `a`'s values (never `a` itself)."""
    return map_op("id", a)


def matmul_op(a: Tensor, b: Tensor) -> Tensor:
    """(..., n, k) @ (..., k, m) with broadcast batch dims; both at least 2-d."""
    backend = check_same_backend("matmul", a, b)
    promote(a.dtype, b.dtype, "matmul")
    if not a.dtype.is_floating_point:
        raise TypeError(f"matmul: integer and bool tensors are not supported (got "
                        f"{a.dtype.name} {a.shape} @ {b.shape}); convert with .float()")
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


def mm_op(a: Tensor, b: Tensor, transpose_a: bool = False, transpose_b: bool = False) -> Tensor:
    """op(a) @ op(b) of 2-d tensors, op a transpose where asked: the transpose is read
    through swapped strides, so it costs nothing (same backend and dtype, checked by
    the caller)."""
    sa, sb = a._data.strides, b._data.strides
    (n, k), a_strides = (a.shape[::-1], (sa[1], sa[0])) if transpose_a else (a.shape, sa)
    (k2, m), b_strides = (b.shape[::-1], (sb[1], sb[0])) if transpose_b else (b.shape, sb)
    if k != k2:
        raise ValueError(f"mm: shapes {(n, k)} and {(k2, m)} cannot be multiplied")
    out = output((n, m), a)
    a.backend.matmul(out._data.storage, (n * m, m, 1), buffer(a), (0, *a_strides),
                     buffer(b), (0, *b_strides), (1, n, k, m))
    return out


# -- indexing kernels --------------------------------------------------------------------------
def take_op(src: Tensor, src_strides: tuple[int, ...], shape: tuple[int, ...], offsets: Tensor,
            offsets_strides: tuple[int, ...]) -> Tensor:
    """out[idx] = src[pos(idx, src_strides) + offsets[idx]]: a new contiguous tensor."""
    out = output(shape, src)
    if prod(shape) == 0:
        return out
    kshape, out_strides, a_strides, o_strides = _kernel_layout(
        shape, out._data.strides, src_strides, offsets_strides)
    src.backend.take(out._data.storage, out_strides, kshape, buffer(src), a_strides,
                     buffer(offsets), o_strides)
    return out


def put_write(op: str, out: Tensor, out_strides: tuple[int, ...], shape: tuple[int, ...],
              src: Tensor, offsets: Tensor, offsets_strides: tuple[int, ...]) -> None:
    """out[pos(idx, out_strides) + offsets[idx]] (op)= src[idx], src broadcast to `shape`;
    checked by the caller (`prepare_write`)."""
    if prod(shape) == 0:
        return
    kshape, o_strides, s_strides, x_strides = _kernel_layout(
        shape, out_strides, expand_strides(src.shape, src._data.strides, shape), offsets_strides)
    out.backend.put(op, buffer(out), o_strides, kshape, buffer(src), s_strides, buffer(offsets),
                    x_strides)
    out._data.version.writes += 1


def nonzero_op(a: Tensor, count: int) -> Tensor:
    """The (count, a.dim()) int64 indices of a's `count` non-zero elements."""
    out = output((count, a.dim()), a, int64)
    if count and a.dim():
        a.backend.nonzero(out._data.storage, buffer(a), a._data.strides, a.shape)
    return out
