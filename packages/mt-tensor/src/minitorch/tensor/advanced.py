"""Indexing with tensors: advanced indexing, gather / scatter, index_select,
masked_fill, nonzero.

Each op lowers onto three backend kernels (`take`, `put`, `nonzero`; `masked_fill`
onto `where`). What an op reads or writes is a `Lookup`: the result shape, for
each result dim the source dim it walks (or None where the dim comes from the
index tensors), and the index tensors with the source dims they select along.
The element offsets (sum of index * stride) are computed by the backend's own
int64 kernels for whatever strides the source has, so one Lookup reads a
view, scatters a gradient into a fresh buffer, and writes into a copy.

Indices are checked (range, dtype, mask shape) before any kernel runs, with
PyTorch's messages; advanced indexing accepts negative indices, gather /
scatter / index_select do not (as in PyTorch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from minitorch.autodiff import Context, Function

from . import dispatch as K
from . import inplace
from .dtype import bool_, int32, int64
from .functions import sum_to_shape
from .promotion import NUMBERS, convert
from .shape import normalize_dim, shape_broadcast
from .views import select_layout

if TYPE_CHECKING:
    from .tensor import Tensor


@dataclass(frozen=True, eq=False)
class Lookup:
    """Which source elements a result element stands for (see the module docstring)."""

    shape: tuple[int, ...]
    walk: tuple[int | None, ...]
    index: tuple[Tensor, ...]  # int64, in range, non-negative
    dims: tuple[int, ...]
    index_dims: tuple[int, ...]  # the result dims the broadcast index tensors span

    def src_strides(self, strides: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(0 if w is None else strides[w] for w in self.walk)

    def offsets(self, strides: tuple[int, ...]) -> tuple[Tensor, tuple[int, ...]]:
        """sum(index_j * strides[dims_j]) as int64, and its strides over the result dims."""
        total: Tensor | None = None
        for idx, d in zip(self.index, self.dims):
            term = K.zip_op("mul", idx, idx._constant(strides[d]))
            total = term if total is None else K.zip_op("add", total, term)
        assert total is not None
        total = K.contiguous(total)
        own = iter(total._data.strides)
        spans = set(self.index_dims)
        return total, tuple(next(own) if r in spans else 0 for r in range(len(self.shape)))


# -- checking indices ---------------------------------------------------------------------
def _flat(t: Tensor) -> Tensor:
    t = K.contiguous(t)
    return K.new_view(t._data.restrided((t.numel(),), (1,)), t)


def _extreme(t: Tensor, largest: bool) -> int:
    flat = _flat(t) if largest else K.map_op("neg", _flat(t))
    value = int(K.reduce_op("max", flat, 0).item())
    return value if largest else -value


def checked_index(idx: Tensor, size: int, dim: int, op: str, negative: bool) -> Tensor:
    """`idx` as non-negative int64 indices into a dim of `size`, or IndexError."""
    if idx.dtype not in (int64, int32):
        raise IndexError(f"{op}: tensors used as indices must be long, int or bool tensors, "
                         f"got {idx.dtype.name}")
    idx = K.cast(idx, int64)
    if idx.numel() == 0:
        return idx
    hi, lo = _extreme(idx, True), _extreme(idx, False)
    low_ok = lo >= -size if negative else lo >= 0
    if hi >= size or not low_ok:
        bad = hi if hi >= size else lo
        error = IndexError if op in ("index", "index_select") else RuntimeError  # as PyTorch
        raise error(f"{op}: index {bad} is out of bounds for dimension {dim} with size {size}")
    if lo < 0:
        idx = K.where_op(K.zip_op("lt", idx, idx._constant(0)),
                         K.zip_op("add", idx, idx._constant(size)), idx)
    return idx


# -- reading and writing through a Lookup -------------------------------------------------
class Take(Function):
    """Read the elements a Lookup names; backward adds the gradient back at them."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, lookup: Lookup) -> Tensor:
        ctx.params["source_shape"] = a.shape
        offsets, o_strides = lookup.offsets(a._data.strides)
        return K.take_op(a, lookup.src_strides(a._data.strides), lookup.shape, offsets, o_strides)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        lookup = ctx.params["lookup"]
        out = K.empty(ctx.params["source_shape"], grad)
        _put(out, "add", grad, lookup)
        return out


def _put(out: Tensor, mode: str, src: Tensor, lookup: Lookup) -> None:
    strides = out._data.strides
    offsets, o_strides = lookup.offsets(strides)
    K.put_write(mode, out, lookup.src_strides(strides), lookup.shape, src, offsets, o_strides)


class IndexPut(Function):
    """`target` with `src` written ("set") or added ("add") at the Lookup's elements.

    d/d target: the gradient, zero where "set" overwrote; d/d src: the gradient
    read at those elements (summed over src's broadcast dims).
    """

    @staticmethod
    def forward(ctx: Context, target: Tensor, src: Tensor, lookup: Lookup, mode: str) -> Tensor:
        ctx.params["src_shape"] = src.shape
        out = K.contiguous_copy(target)
        _put(out, mode, src, lookup)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        lookup, mode = ctx.params["lookup"], ctx.params["mode"]
        needs_target, needs_src = ctx.needs_input_grad
        g_target = g_src = None
        if needs_target:
            g_target = grad
            if mode == "set":
                g_target = K.contiguous_copy(grad)
                _put(g_target, "set", grad._constant(0.0), lookup)
        if needs_src:
            g_src = sum_to_shape(Take.forward(Context(), grad, lookup), ctx.params["src_shape"])
        return g_target, g_src


def write(target: Tensor, op: str, src: Any, lookup: Lookup, mode: str) -> Tensor:
    """Write `src` into `target` at `lookup`'s elements, in place (recorded when needed)."""
    value = convert(target._wrap(src), target.dtype)
    return inplace.write(target, op, IndexPut, (value,),
                         lambda s: _put(target, mode, s, lookup),
                         params={"lookup": lookup, "mode": mode}, shape=lookup.shape)


# -- t[key] with tensors, lists, ranges, bool masks ---------------------------------------
# tensor.py imports this module, so Tensor is looked up on first use and kept:
# `is_advanced` runs on every t[key], and an import statement there would cost
# more than a basic index's own work.
_INDEX_TYPES: tuple[type, ...] = ()


def _is_tensorish(k: Any) -> bool:
    global _INDEX_TYPES
    if not _INDEX_TYPES:
        from .tensor import Tensor

        _INDEX_TYPES = (Tensor, list, range, np.ndarray)
    return isinstance(k, _INDEX_TYPES)


def is_advanced(key: Any) -> bool:
    """Whether `key` needs this module (anything beyond ints, slices and ...)."""
    if isinstance(key, tuple):
        return any(k is None or _is_tensorish(k) for k in key)
    return key is None or _is_tensorish(key)


def _as_index_tensor(k: Any, like: Tensor) -> Tensor:
    from .creation import tensor
    from .tensor import Tensor

    if isinstance(k, Tensor):
        if k.backend is not like.backend:
            raise IndexError(f"index: an index tensor on {k.backend.name!r} cannot index a "
                             f"tensor on {like.backend.name!r}")
        return k
    values = list(k) if isinstance(k, range) else k
    t = tensor(values, backend=like.backend) if len(values) else tensor([], dtype=int64,
                                                                         backend=like.backend)
    if t.dtype.is_floating_point:
        raise IndexError(f"index: tensors used as indices must be long, int or bool tensors; "
                         f"the list {values!r} holds floats")
    return t


def plan(x: Tensor, key: Any, record: bool) -> tuple[Tensor, Lookup | None]:
    """The basic view `key` selects from `x`, and the Lookup of its tensor entries.

    `record`: make the view through autodiff (a read) or as a plain window (a write).
    """
    items = list(key) if isinstance(key, tuple) else [key]
    items = [_as_index_tensor(k, x) if _is_tensorish(k) else k for k in items]
    from .tensor import Tensor

    def consumed(k: Any) -> int:
        if k is None:
            return 0
        return k.dim() if isinstance(k, Tensor) and k.dtype is bool_ else 1
    if any(k is Ellipsis for k in items):
        at = next(i for i, k in enumerate(items) if k is Ellipsis)
        rest = items[:at] + items[at + 1:]
        fill = x.dim() - sum(consumed(k) for k in rest)
        items = items[:at] + [slice(None)] * max(fill, 0) + items[at + 1:]
    if sum(consumed(k) for k in items) > x.dim():
        raise IndexError(f"index: too many indices for a tensor of shape {x.shape}")
    # Bool masks become the int index tensors of their non-zero elements.
    resolved: list[Any] = []
    xd = 0
    for i, k in enumerate(items):
        if isinstance(k, Tensor) and k.dtype is bool_:
            covered = x.shape[xd:xd + k.dim()]
            if k.shape != covered:
                raise IndexError(f"index: the shape of the mask {k.shape} at index {i} does not "
                                 f"match the shape of the indexed tensor {covered} at index {xd}")
            coords = nonzero(k)
            resolved += [K.new_view(coords._data.restrided((coords.shape[0],), (k.dim(),), j),
                                    coords) for j in range(k.dim())]
        else:
            resolved.append(k)
        xd += consumed(k)
    basic, news, tensor_dims, indices = [], [], [], []
    vd = 0
    for k in resolved:
        if k is None:
            news.append(vd)
            vd += 1
        elif isinstance(k, Tensor):
            basic.append(slice(None))
            tensor_dims.append(vd)
            indices.append(k)
            vd += 1
        else:  # an int drops its dim, a slice keeps it
            basic.append(k)
            vd += 1 if isinstance(k, slice) else 0
    view = _basic_view(x, tuple(basic), news, record)
    if not indices:
        return view, None
    return view, _lookup(view, tensor_dims, indices)


def _basic_view(x: Tensor, basic: tuple, news: list[int], record: bool) -> Tensor:
    from .indexing import parse_index

    selection = parse_index(basic, x.shape)
    if record:
        view = x[basic] if basic else x
        for d in news:
            view = view.unsqueeze(d)
        return view
    data = select_layout(x._data, selection)
    shape, strides = list(data.shape), list(data.strides)
    for d in news:
        shape.insert(d, 1)
        strides.insert(d, 0)
    return K.new_view(data.restrided(tuple(shape), tuple(strides)), x)


def _lookup(view: Tensor, dims: list[int], indices: list[Tensor]) -> Lookup:
    b_shape: tuple[int, ...] = indices[0].shape
    for t in indices[1:]:
        b_shape = shape_broadcast(b_shape, t.shape, "index")
    checked = tuple(checked_index(t, view.shape[d], d, "index", negative=True)
                    for t, d in zip(indices, dims))
    rest = [d for d in range(view.dim()) if d not in dims]
    nb = len(b_shape)
    if dims == list(range(dims[0], dims[0] + len(dims))):  # adjacent: the result dims go there
        first, after = dims[0], dims[-1] + 1
        shape = view.shape[:first] + b_shape + view.shape[after:]
        walk = tuple(range(first)) + (None,) * nb + tuple(range(after, view.dim()))
        spans = tuple(range(first, first + nb))
    else:  # separated by a slice: the index dims come first, as numpy and PyTorch do
        shape = b_shape + tuple(view.shape[r] for r in rest)
        walk = (None,) * nb + tuple(rest)
        spans = tuple(range(nb))
    return Lookup(shape, walk, checked, tuple(dims), spans)


def getitem(x: Tensor, key: Any) -> Tensor:
    view, lookup = plan(x, key, record=True)
    return view if lookup is None else Take.apply(view, lookup=lookup)


def setitem(x: Tensor, key: Any, value: Any) -> None:
    from .tensor import Tensor

    if (isinstance(key, Tensor) and key.dtype is bool_ and key.shape == x.shape
            and isinstance(value, NUMBERS)):
        masked_fill_(x, key, value)  # x[mask] = number: no sync, no index tensors
        return
    view, lookup = plan(x, key, record=False)
    if lookup is None:
        inplace.write(view, "setitem", inplace.CopyFrom, (convert(x._wrap(value), x.dtype),),
                      lambda s: K.map_write("id", view, s))
        return
    write(view, "index_put_", value, lookup, "set")


# -- the named ops ------------------------------------------------------------------------
def _gather_lookup(x: Tensor, dim: int, index: Tensor, op: str) -> tuple[int, Lookup]:
    d = normalize_dim(dim, x.dim(), op)
    if index.dim() != x.dim():
        raise RuntimeError(f"{op}: index tensor must have the same number of dimensions as "
                           f"input tensor (input {x.shape}, index {index.shape})")
    for i, (n, m) in enumerate(zip(index.shape, x.shape)):
        if i != d and n > m:
            raise RuntimeError(f"{op}: size of dimension {i} of index ({index.shape}) must not "
                               f"exceed that of input ({x.shape})")
    idx = checked_index(index, x.shape[d], d, op, negative=False)
    walk = tuple(None if i == d else i for i in range(x.dim()))
    return d, Lookup(index.shape, walk, (idx,), (d,), tuple(range(x.dim())))


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """out[i][j][k] = x[i][index[i][j][k]][k] for dim=1 (PyTorch's gather)."""
    _, lookup = _gather_lookup(x, dim, index, "gather")
    return Take.apply(x, lookup=lookup)


def _scatter_source(x: Tensor, index: Tensor, src: Any, op: str) -> Any:
    from .tensor import Tensor

    if not isinstance(src, Tensor):
        return src
    if src.dim() != index.dim() or any(n > m for n, m in zip(index.shape, src.shape)):
        raise RuntimeError(f"{op}: index {index.shape} must not be larger than src {src.shape} "
                           f"in any dimension")
    return src[tuple(slice(0, n) for n in index.shape)] if src.shape != index.shape else src


def scatter(x: Tensor, dim: int, index: Tensor, src: Any, mode: str = "set",
            op: str = "scatter") -> Tensor:
    """A copy of `x` with `src` written (or added) at `index` along `dim`."""
    _, lookup = _gather_lookup(x, dim, index, op)
    value = convert(x._wrap(_scatter_source(x, index, src, op)), x.dtype)
    return IndexPut.apply(x, value, lookup=lookup, mode=mode)


def scatter_(x: Tensor, dim: int, index: Tensor, src: Any, mode: str = "set",
             op: str = "scatter_") -> Tensor:
    _, lookup = _gather_lookup(x, dim, index, op)
    return write(x, op, _scatter_source(x, index, src, op), lookup, mode)


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of `x` at `index` (1-D) along `dim`."""
    d = normalize_dim(dim, x.dim(), "index_select")
    if index.dim() > 1:
        raise IndexError(f"index_select: index must be 0-d or 1-d, got shape {index.shape}")
    idx = checked_index(index.reshape(-1), x.shape[d], d, "index_select", negative=False)
    shape = x.shape[:d] + (idx.shape[0],) + x.shape[d + 1:]
    walk = tuple(None if i == d else i for i in range(x.dim()))
    return Take.apply(x, lookup=Lookup(shape, walk, (idx,), (d,), (d,)))


def masked_fill(x: Tensor, mask: Tensor, value: Any) -> Tensor:
    """`value` where `mask` is True, else `x` (mask broadcasts to x)."""
    from .functions import Where

    _check_mask(x, mask, "masked_fill")
    fill = convert(x._wrap(value), x.dtype)
    if fill.numel() != 1:
        raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, got "
                           f"shape {fill.shape}")
    return Where.apply(mask, fill.reshape(()), x)


def masked_fill_(x: Tensor, mask: Tensor, value: Any) -> Tensor:
    _check_mask(x, mask, "masked_fill_")
    if shape_broadcast(mask.shape, x.shape, "masked_fill_") != x.shape:
        raise RuntimeError(f"masked_fill_: mask {mask.shape} cannot grow the tensor {x.shape}")
    return x.copy_(masked_fill(x, mask, value))


def _check_mask(x: Tensor, mask: Tensor, op: str) -> None:
    if mask.dtype is not bool_:
        raise TypeError(f"{op}: expected a bool mask, got {mask.dtype.name}")


def nonzero(x: Tensor, as_tuple: bool = False) -> Any:
    """The indices of x's non-zero elements: (count, x.dim()) int64, or one tensor per dim."""
    if x.dim() == 0:
        raise RuntimeError("nonzero: a 0-d tensor has no dims to index; use x.reshape(1)")
    count = int(K.zip_op("ne", x, x._constant(0)).sum().item()) if x.numel() else 0
    coords = K.nonzero_op(x, count)
    if not as_tuple:
        return coords
    n, d = coords.shape
    return tuple(K.new_view(coords._data.restrided((n,), (d,), j), coords) for j in range(d))


class IndexMethods:
    """The Tensor methods of this module (a mixin: see tensor.py)."""

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return gather(cast("Tensor", self), dim, index)

    def scatter(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
        return scatter(cast("Tensor", self), dim, index, value if src is None else src)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
        return scatter_(cast("Tensor", self), dim, index, value if src is None else src)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return scatter(cast("Tensor", self), dim, index, src, "add", "scatter_add")

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return scatter_(cast("Tensor", self), dim, index, src, "add", "scatter_add_")

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return index_select(cast("Tensor", self), dim, index)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return masked_fill(cast("Tensor", self), mask, value)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return masked_fill_(cast("Tensor", self), mask, value)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return nonzero(cast("Tensor", self), as_tuple)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        from .namespace import topk

        return topk(cast("Tensor", self), k, dim, largest, sorted)

    def bmm(self, other: Tensor) -> Tensor:
        from .namespace import bmm

        return bmm(cast("Tensor", self), other)

    def masked_select(self, mask: Tensor) -> Tensor:
        t = cast("Tensor", self)
        shape = shape_broadcast(t.shape, mask.shape, "masked_select")
        return getitem(t.expand(*shape), mask.expand(*shape))

