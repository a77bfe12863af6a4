"""Shapes, strides and the index arithmetic of strided storage (the seed's §3).

A tensor is a flat storage plus a shape and strides: element ``idx`` lives at
``offset + sum(idx[d] * strides[d])``. Views (permute, transpose, expand,
indexing) change only shape, strides and offset and share the storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Shape = tuple[int, ...]
Strides = tuple[int, ...]


class Size(tuple):
    """A tensor's shape: a tuple of ints (``x.shape == (2, 3)``) with PyTorch's
    repr and `numel`. Two deviations, both to keep it a cheap plain tuple
    elsewhere: slicing one gives a tuple (PyTorch gives a Size), and `str` is
    the tuple's, so error messages read "shape (2, 3)"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"minitorch.Size({list(self)})"

    __str__ = tuple.__repr__

    def numel(self) -> int:
        return prod(self)


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


# (Size, row-major strides) per shape: training makes the same few shapes every
# step, and the pair is immutable. Bounded: cleared when it grows past the limit.
_ROW_MAJOR: dict[tuple[int, ...], tuple[Size, Strides]] = {}
_ROW_MAJOR_LIMIT = 4096


def _row_major(shape: Shape) -> tuple[Size, Strides]:
    if len(_ROW_MAJOR) >= _ROW_MAJOR_LIMIT:
        _ROW_MAJOR.clear()
    size = shape if shape.__class__ is Size else Size(shape)
    layout = _ROW_MAJOR[tuple(shape)] = (size, strides_from_shape(shape))
    return layout


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


class Version:
    """The write counter one storage shares with every view of it (PyTorch's
    ``_version``): each in-place write bumps `writes`, and autodiff refuses a
    saved tensor whose storage was written after it was saved. `rebases`
    counts writes that gave a tensor of this storage a new autodiff history
    (views made before such a write refresh their own history; see views.py).
    """

    __slots__ = ("writes", "rebases")

    def __init__(self) -> None:
        self.writes = 0
        self.rebases = 0


def _storage_length(storage: Any) -> int | None:
    try:
        return len(storage)
    except TypeError:  # a third-party storage without a length: bounds unchecked
        return None


class TensorData:
    """Storage plus layout. `storage` is whatever the backend allocated.

    Element ``idx`` lives at ``offset + sum(idx[d] * strides[d])`` of the
    storage. The layout is checked where it is made: one non-negative stride
    per dimension, and every element inside the storage. Views share the
    storage and its `Version`; treat a TensorData as immutable.
    """

    __slots__ = ("storage", "shape", "strides", "offset", "version")

    def __init__(self, storage: Any, shape: Shape, strides: Strides, offset: int = 0,
                 version: Version | None = None) -> None:
        shape, strides = Size(shape), tuple(strides)
        if len(strides) != len(shape):
            raise ValueError(
                f"TensorData: strides {strides} have {len(strides)} entries but shape {shape} "
                f"has {len(shape)}; give one stride per dimension"
            )
        if offset < 0 or any(n < 0 for n in shape) or any(s < 0 for s in strides):
            raise ValueError(
                f"TensorData: sizes, strides and offset must be non-negative, got shape "
                f"{shape}, strides {strides}, offset {offset}"
            )
        if 0 not in shape:
            last = offset + sum((n - 1) * s for n, s in zip(shape, strides))
            length = _storage_length(storage)
            if length is not None and last >= length:
                raise ValueError(
                    f"TensorData: shape {shape} with strides {strides} and offset {offset} "
                    f"reaches element {last} of a storage of {length} elements"
                )
        self.storage = storage
        self.shape: Shape = shape
        self.strides: Strides = strides
        self.offset = offset
        self.version = Version() if version is None else version

    @classmethod
    def contiguous(cls, storage: Any, shape: Shape) -> TensorData:
        """A fresh row-major layout over a storage just allocated for it (not re-checked)."""
        data = cls.__new__(cls)
        data.storage = storage
        layout = _ROW_MAJOR.get(shape)
        if layout is None:
            layout = _row_major(shape)
        data.shape, data.strides = layout
        data.offset = 0
        data.version = Version()
        return data

    def restrided(self, shape: Shape, strides: Strides, offset: int | None = None) -> TensorData:
        """Another layout over the same storage (a view): shares the version counter."""
        return TensorData(self.storage, shape, strides, self.offset if offset is None else offset,
                          self.version)

    def __repr__(self) -> str:
        return (f"TensorData(shape={self.shape}, strides={self.strides}, offset={self.offset}, "
                f"storage={type(self.storage).__name__})")

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
        return self.restrided(
            tuple(self.shape[i] for i in order), tuple(self.strides[i] for i in order)
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
        if self.is_contiguous() or self.size == 0:  # an empty tensor fits any layout
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
