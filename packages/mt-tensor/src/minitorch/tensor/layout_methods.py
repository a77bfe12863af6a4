"""The Tensor methods that change layout or write in place.

`Tensor` inherits these: shape changes (view, reshape, permute, ...),
indexing, and the in-place updates optimizers use. Every layout change is a
Function in `views.py`, so it is differentiable and shares storage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import dispatch as K
from . import views as V
from .autograd import is_grad_enabled
from .shape import TensorData, normalize_dim, prod

if TYPE_CHECKING:
    from .tensor import Tensor


class LayoutMethods:
    """Shape, indexing and in-place methods of `Tensor` (a mixin: see tensor.py)."""

    # -- shape ----------------------------------------------------------------------------
    def _resolve_shape(self, shape: tuple, op: str) -> tuple[int, ...]:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = tuple(int(s) for s in shape)
        if shape.count(-1) > 1:
            raise ValueError(f"{op}: only one dimension can be -1, got {shape}")
        if -1 in shape:
            known = prod([s for s in shape if s != -1])
            if known == 0 or self.numel() % known:
                raise ValueError(f"{op}: shape {shape} is invalid for a tensor of {self.numel()} elements")
            shape = tuple(self.numel() // known if s == -1 else s for s in shape)
        if prod(shape) != self.numel():
            raise ValueError(
                f"{op}: shape {shape} is invalid for a tensor of shape {self.shape} "
                f"({self.numel()} elements)"
            )
        return shape

    def view(self, *shape: int) -> Tensor:
        shape = self._resolve_shape(shape, "view")
        if shape == self.shape:
            return self
        return V.View.apply(self, shape=shape)

    def reshape(self, *shape: int) -> Tensor:
        shape = self._resolve_shape(shape, "reshape")
        if self._data.view_strides(shape) is None:
            return V.View.apply(self.contiguous(), shape=shape)
        return self.view(*shape)

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
            return self
        return self.view(*self.shape[:d], *self.shape[d + 1:])

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.dim() == 0:
            return self.reshape(1)
        s = normalize_dim(start_dim, self.dim(), "flatten")
        e = normalize_dim(end_dim, self.dim(), "flatten")
        return self.reshape(*self.shape[:s], prod(self.shape[s:e + 1]), *self.shape[e + 1:])

    def expand(self, *shape: int) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        lead = len(shape) - self.dim()
        full = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
        if full == self.shape:
            return self
        return V.Expand.apply(self, shape=full)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(*other.shape)

    # -- indexing ---------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        from .indexing import parse_index

        return V.Index.apply(self, selection=parse_index(key, self.shape))

    def __setitem__(self, key: Any, value: Any) -> None:
        from .indexing import parse_index

        self._check_inplace("setitem")
        from .tensor import Tensor

        target = Tensor(
            TensorData(self._data.storage, *V.select_layout(self._data, parse_index(key, self.shape))),
            self.backend, self.dtype,
        )
        K.copy_into(target, self._wrap(value))

    # -- in-place (optimizers; not recorded) ------------------------------------------------
    def _check_inplace(self, op: str) -> None:
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{op}: a tensor that requires grad cannot be modified in place while grad is "
                "recorded; wrap the update in `with no_grad():`"
            )

    def copy_(self, src: Any) -> Tensor:
        self._check_inplace("copy_")
        K.copy_into(self, self._wrap(src))
        return self

    def fill_(self, value: float) -> Tensor:
        return self.copy_(float(value))

    def zero_(self) -> Tensor:
        return self.fill_(0.0)

    def _inplace(self, op: str, other: Any) -> Tensor:
        self._check_inplace(op + "_")
        K.zip_into(op, self, self, self._wrap(other))
        return self

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        if alpha != 1.0:
            other = self._wrap(other) * alpha
        return self._inplace("add", other)

    def sub_(self, other: Any, alpha: float = 1.0) -> Tensor:
        if alpha != 1.0:
            other = self._wrap(other) * alpha
        return self._inplace("sub", other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace("mul", other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace("div", other)
