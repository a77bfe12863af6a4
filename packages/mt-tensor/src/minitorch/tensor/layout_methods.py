"""The Tensor methods that change layout: view, reshape, permute, expand, indexing.

`Tensor` inherits these (a mixin: see tensor.py). Every layout change is a
Function in `views.py`, so it is differentiable and shares storage. The
in-place methods, which write, are on `Tensor` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import views as V
from .indexing import parse_index
from .shape import normalize_dim, prod

if TYPE_CHECKING:
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

    # -- indexing ---------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        return V.Index.apply(self, selection=parse_index(key, self.shape))
