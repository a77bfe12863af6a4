"""Shapes, strides and the index arithmetic of strided storage (the seed's §3).

A tensor is a flat storage plus a shape and strides: element ``idx`` lives at
``offset + sum(idx[d] * strides[d])``. Views (permute, transpose, expand,
indexing) change only shape, strides and offset and share the storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Shape = tuple[int, ...]
Strides = tuple[int, ...]


def prod(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


def strides_from_shape(shape: Sequence[int]) -> Strides:
    """Row-major (C-contiguous) strides, in elements."""
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def index_to_position(index: Sequence[int], strides: Sequence[int], offset: int = 0) -> int:
    """Storage position of a multi-dimensional index."""
    position = offset
    for i, s in zip(index, strides):
        position += i * s
    return position


def to_index(ordinal: int, shape: Sequence[int]) -> list[int]:
    """The `ordinal`-th index of `shape` in row-major order."""
    index = [0] * len(shape)
    for d in range(len(shape) - 1, -1, -1):
        index[d] = ordinal % shape[d]
        ordinal //= shape[d]
    return index


def broadcast_index(big_index: Sequence[int], big_shape: Sequence[int],
                    shape: Sequence[int]) -> list[int]:
    """Map an index of the broadcast shape back to an index of `shape`."""
    lead = len(big_shape) - len(shape)
    return [0 if size == 1 else big_index[lead + d] for d, size in enumerate(shape)]


def shape_broadcast(a: Sequence[int], b: Sequence[int], op: str = "broadcast") -> Shape:
    """NumPy broadcasting of two shapes, with an error that names both."""
    ndim = max(len(a), len(b))
    pa = (1,) * (ndim - len(a)) + tuple(a)
    pb = (1,) * (ndim - len(b)) + tuple(b)
    out = []
    for d, (x, y) in enumerate(zip(pa, pb)):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise ValueError(
                f"{op}: cannot broadcast {tuple(a)} with {tuple(b)}: sizes {x} and {y} "
                f"differ at dimension {d - ndim}"
            )
    return tuple(out)


def expand_strides(shape: Sequence[int], strides: Sequence[int], target: Sequence[int]) -> Strides:
    """Strides that read a `shape` operand as `target` (stride 0 on broadcast dims)."""
    lead = len(target) - len(shape)
    out = [0] * lead
    for size, stride, want in zip(shape, strides, target[lead:]):
        out.append(stride if size == want else 0)
    return tuple(out)


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """Accept negative dims like PyTorch; IndexError names the valid range."""
    if not isinstance(dim, int):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(
            f"{op}: dimension {dim} out of range for a {ndim}-d tensor "
            f"(expected in [{-bound}, {bound - 1}])"
        )
    return dim % bound


def is_contiguous(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """True when the layout is row-major with no gaps (size-1 dims ignored)."""
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


@dataclass(frozen=True)
class TensorData:
    """Storage plus layout. `storage` is whatever the backend allocated."""

    storage: Any
    shape: Shape
    strides: Strides
    offset: int = 0

    @property
    def size(self) -> int:
        return prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def is_contiguous(self) -> bool:
        return is_contiguous(self.shape, self.strides)

    def permute(self, *order: int) -> TensorData:
        if sorted(order) != list(range(self.ndim)):
            raise ValueError(
                f"permute: {tuple(order)} is not a permutation of the {self.ndim} dims "
                f"of a tensor of shape {self.shape}"
            )
        return TensorData(
            self.storage,
            tuple(self.shape[i] for i in order),
            tuple(self.strides[i] for i in order),
            self.offset,
        )

    def position(self, index: Sequence[int]) -> int:
        """Storage position of a full index, checked against the shape."""
        if len(index) != self.ndim:
            raise IndexError(
                f"index {tuple(index)} has {len(index)} entries but the tensor has "
                f"{self.ndim} dims {self.shape}"
            )
        for d, (i, size) in enumerate(zip(index, self.shape)):
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dim {d} with size {size}")
        fixed = [i % size for i, size in zip(index, self.shape)]
        return index_to_position(fixed, self.strides, self.offset)

    def view_strides(self, new_shape: Shape) -> Strides | None:
        """Strides for viewing this layout as `new_shape` without a copy, or None.

        Groups of dims that are contiguous with each other can be merged and
        split freely; anything else needs a copy.
        """
        if prod(new_shape) != self.size:
            return None
        if self.is_contiguous():
            return strides_from_shape(new_shape)
        # Collapse the old layout into maximal contiguous chunks.
        chunks: list[tuple[int, int]] = []  # (size, stride of innermost element)
        for size, stride in zip(self.shape, self.strides):
            if size == 1:
                continue
            if chunks and chunks[-1][1] == stride * size:
                chunks[-1] = (chunks[-1][0] * size, stride)
            else:
                chunks.append((size, stride))
        out: list[int] = []
        ci = 0
        remaining = chunks[0][0] if chunks else 1
        for size in new_shape:
            if size == 1:
                out.append(0)
                continue
            if ci >= len(chunks) or remaining % size != 0:
                return None
            remaining //= size
            out.append(chunks[ci][1] * remaining)
            if remaining == 1:
                ci += 1
                remaining = chunks[ci][0] if ci < len(chunks) else 1
        return tuple(out)
