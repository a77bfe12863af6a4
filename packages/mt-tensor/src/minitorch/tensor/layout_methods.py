"""The Tensor methods that change layout: view, reshape, permute, expand,
repeat, split, indexing; and new tensors placed like this one (new_zeros, ...).

`Tensor` inherits these (a mixin: see tensor.py). Every layout change is a
Function in `views.py` (or a composition of them), so it is differentiable
and shares storage where PyTorch's does. The in-place methods, which write,
are on `Tensor` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from . import views as V
from .advanced import getitem, is_advanced
from .indexing import parse_index
from .shape import normalize_dim, prod

if TYPE_CHECKING:
    from .backend import Backend
    from .dtype import DType
    from .shape import TensorData
    from .tensor import Tensor


class LayoutMethods:
    """Shape and indexing methods of `Tensor` (a mixin: see tensor.py)."""

    if TYPE_CHECKING:  # what these methods use from the rest of Tensor
        _data: TensorData

        @property
        def shape(self) -> tuple[int, ...]: ...

        def dim(self) -> int: ...
        def numel(self) -> int: ...
        def contiguous(self) -> Tensor: ...
        def to(self, target: Any = None, dtype: Any = None, *, device: Any = None) -> Tensor: ...
        backend: Backend
        dtype: DType

    # -- shape ----------------------------------------------------------------------------
    def _resolve_shape(self, shape: tuple, op: str) -> tuple[int, ...]:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = tuple(int(s) for s in shape)
        for i, s in enumerate(shape):
            if s < -1:
                raise ValueError(f"{op}: invalid shape dimension {s} at index {i} of shape {shape}")
        if shape.count(-1) > 1:
            raise ValueError(f"{op}: only one dimension can be -1, got {shape}")
        if -1 in shape:
            known = prod([s for s in shape if s != -1])
            if known == 0:
                raise ValueError(
                    f"{op}: cannot reshape a tensor of {self.numel()} elements into shape {shape}: "
                    "with a size-0 dimension the -1 could be any size"
                )
            if self.numel() % known:
                raise ValueError(f"{op}: shape {shape} is invalid for a tensor of {self.numel()} elements")
            shape = tuple(self.numel() // known if s == -1 else s for s in shape)
        if prod(shape) != self.numel():
            raise ValueError(
                f"{op}: shape {shape} is invalid for a tensor of shape {self.shape} "
                f"({self.numel()} elements)"
            )
        return shape

    def view(self, *shape: int) -> Tensor:
        return V.View.apply(self, shape=self._resolve_shape(shape, "view"))

    def reshape(self, *shape: int) -> Tensor:
        shape = self._resolve_shape(shape, "reshape")
        if self._data.view_strides(shape) is None:
            return V.View.apply(self.contiguous(), shape=shape)
        return V.View.apply(self, shape=shape)

    def permute(self, *order: int) -> Tensor:
        if len(order) == 1 and isinstance(order[0], (tuple, list)):
            order = tuple(order[0])
        order = tuple(normalize_dim(o, self.dim(), "permute") for o in order)
        return V.Permute.apply(self, order=order)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        order = list(range(self.dim()))
        a, b = normalize_dim(dim0, self.dim(), "transpose"), normalize_dim(dim1, self.dim(), "transpose")
        order[a], order[b] = order[b], order[a]
        return self.permute(*order)

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.dim())))

    def unsqueeze(self, dim: int) -> Tensor:
        d = normalize_dim(dim, self.dim() + 1, "unsqueeze")
        return self.view(*self.shape[:d], 1, *self.shape[d:])

    def squeeze(self, dim: int | None = None) -> Tensor:
        if dim is None:
            return self.view(*[s for s in self.shape if s != 1])
        d = normalize_dim(dim, self.dim(), "squeeze")
        if self.shape[d] != 1:
            return self.view(*self.shape)
        return self.view(*self.shape[:d], *self.shape[d + 1:])

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.dim() == 0:
            return self.reshape(1)
        s = normalize_dim(start_dim, self.dim(), "flatten")
        e = normalize_dim(end_dim, self.dim(), "flatten")
        return self.reshape(*self.shape[:s], prod(self.shape[s:e + 1]), *self.shape[e + 1:])

    def expand(self, *shape: int) -> Tensor:
        """A broadcast view (stride 0 on repeated dims); -1 keeps a size, as in PyTorch."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = tuple(int(s) for s in shape)
        lead = len(shape) - self.dim()
        if lead < 0:
            raise ValueError(
                f"expand: the number of sizes given ({len(shape)}) must be at least the number "
                f"of dims of the tensor ({self.dim()}, shape {self.shape})"
            )
        full = []
        for i, s in enumerate(shape):
            if i < lead:
                if s < 0:
                    raise ValueError(
                        f"expand: the expanded size {s} isn't allowed in a leading, non-existing "
                        f"dimension {i} (target {shape}, tensor shape {self.shape})"
                    )
                full.append(s)
                continue
            have = self.shape[i - lead]
            want = have if s == -1 else s
            if want != have and have != 1:
                raise ValueError(
                    f"expand: the expanded size {s} must match the existing size {have} at "
                    f"non-singleton dimension {i} (target {shape}, tensor shape {self.shape})"
                )
            if want < 0:
                raise ValueError(f"expand: invalid size {s} at dimension {i} (target {shape})")
            full.append(want)
        return V.Expand.apply(self, shape=tuple(full))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(*other.shape)

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(*other.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor `sizes[i]` times along dim i (PyTorch's repeat, not numpy's)."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        reps = tuple(int(r) for r in sizes)
        if len(reps) < self.dim():
            raise ValueError(
                f"repeat: the number of repeat sizes ({len(reps)}) can not be smaller than the "
                f"number of dims of the tensor (shape {self.shape})"
            )
        if any(r < 0 for r in reps):
            raise ValueError(f"repeat: sizes must be non-negative, got {reps}")
        shape = (1,) * (len(reps) - self.dim()) + self.shape
        # (s0, s1) -> (1, s0, 1, s1) -> expand to (r0, s0, r1, s1) -> (r0*s0, r1*s1)
        spread = [n for s in shape for n in (1, s)]
        tiled = [n for r, s in zip(reps, shape) for n in (r, s)]
        out = self.reshape(*spread).expand(*tiled)
        return out.reshape(*(r * s for r, s in zip(reps, shape)))

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """The view of `length` elements along `dim` from `start`."""
        d = normalize_dim(dim, self.dim(), "narrow")
        n = self.shape[d]
        if start < 0:
            start += n
        if not (0 <= start <= n and 0 <= length <= n - start):
            raise IndexError(f"narrow: start {start} and length {length} do not fit dimension {d} "
                             f"of size {n} (shape {self.shape})")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def split(self, split_size_or_sections: int | list[int] | tuple[int, ...],
              dim: int = 0) -> tuple[Tensor, ...]:
        """Views of consecutive pieces along `dim`: `split_size` long each (the last may be
        shorter), or one per length in a list."""
        d = normalize_dim(dim, self.dim(), "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, int):
            size = split_size_or_sections
            if size < 0 or (size == 0 and n != 0):
                raise ValueError(f"split: split_size must be positive (or 0 for an empty "
                                 f"dimension), got {size} for dimension {d} of size {n}")
            lengths = [min(size, n - s) for s in range(0, n, size)] if n else [0]
        else:
            lengths = [int(x) for x in split_size_or_sections]
            if sum(lengths) != n or any(x < 0 for x in lengths):
                raise ValueError(f"split: split_sizes must be non-negative and sum exactly to "
                                 f"{n} (the size of dimension {d}), got {lengths}")
        out, start = [], 0
        for length in lengths:
            out.append(self.narrow(d, start, length))
            start += length
        return tuple(out)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most `chunks` views of equal size along `dim` (the last may be smaller)."""
        if chunks <= 0:
            raise ValueError(f"chunk: expects `chunks` to be greater than 0, got {chunks}")
        d = normalize_dim(dim, self.dim(), "chunk")
        n = self.shape[d]
        if n == 0:
            return tuple(self.narrow(d, 0, 0) for _ in range(chunks))
        return self.split(-(-n // chunks), d)

    # -- new tensors placed like this one ---------------------------------------------------
    def type_as(self, other: Tensor) -> Tensor:
        """This tensor with `other`'s dtype, on `other`'s backend."""
        return self.to(other.backend).to(other.dtype)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        from .creation import tensor

        return tensor(data, dtype=dtype or self.dtype, backend=self.backend,
                      requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: float, dtype: Any = None,
                 requires_grad: bool = False) -> Tensor:
        """A new tensor of `size` on this tensor's backend, with its dtype unless given."""
        from .creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, backend=self.backend,
                    requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_size(size), 0.0, dtype, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_size(size), 1.0, dtype, requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_size(size), 0.0, dtype, requires_grad)  # zero-filled, see empty()

    # -- indexing ---------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        if is_advanced(key):  # tensors, lists, ranges, masks, None: advanced.py
            return getitem(cast("Tensor", self), key)
        return V.Index.apply(self, selection=parse_index(key, self.shape))


def _size(size: tuple) -> tuple[int, ...]:
    """`new_zeros(2, 3)` and `new_zeros((2, 3))` both mean shape (2, 3)."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
