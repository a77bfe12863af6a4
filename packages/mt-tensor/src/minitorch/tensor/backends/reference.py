"""The pure-Python reference backend: the living definition of every kernel.

Plain Python loops over flat storages, one element at a time, exactly the
seed's unaccelerated tensor_ops. Slow by design; every other backend must
produce what this one produces. Storage is a 1-D numpy array (a container
only: no numpy math here). Elements are read as exact Python numbers (bool,
int or float by the storage's dtype), so integer arithmetic is exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from importlib import metadata
from typing import Any

import numpy as np

from ..backend import Backend, Shape, Storage, Strides
from ..hookspec import hookimpl
from ..ops import INT_MAP_OPS, INT_ZIP_OPS, MAP_OPS, PUT_OPS, REDUCE_OPS, ZIP_OPS, unknown_op
from ..shape import index_to_position, prod, to_index


def _reader(storage: Storage) -> Callable[[Any], Any]:
    """How to read one element as an exact Python number: bool, int or float."""
    kind = storage.dtype.kind
    return bool if kind == "b" else int if kind in "iu" else float


def _cast(value: Any, storage: Storage) -> Any:
    """`value` as the element type of `storage` (the `id` map's conversions)."""
    kind = storage.dtype.kind
    if kind == "b":
        return value != 0
    if kind in "iu" and isinstance(value, float):
        if not math.isfinite(value):
            return int(np.iinfo(storage.dtype).min)  # unspecified; this is x86's answer
        return int(value)  # truncates toward zero
    return value


def _map_fn(op: str, kind: str) -> Callable[[Any], Any]:
    fn = MAP_OPS.get(op)
    if fn is None:
        raise unknown_op("map", op, MAP_OPS)
    return INT_MAP_OPS.get(op, fn) if kind in "iu" else fn


def _zip_fn(op: str, kind: str) -> Callable[[Any, Any], Any]:
    fn = ZIP_OPS.get(op)
    if fn is None:
        raise unknown_op("zip", op, ZIP_OPS)
    return INT_ZIP_OPS.get(op, fn) if kind in "iu" else fn


class ReferenceBackend(Backend):
    name = "python"
    priority = 0

    def __init__(self) -> None:
        try:
            self.version = metadata.version("mt-tensor")
        except metadata.PackageNotFoundError:
            self.version = "0+unknown"

    def map(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides) -> None:
        fn, read = _map_fn(op, a.dtype.kind), _reader(a)
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            value = fn(read(a[index_to_position(index, a_strides)]))
            out[index_to_position(index, out_strides)] = _cast(value, out)

    def zip(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides, b: Storage, b_strides: Strides) -> None:
        fn, read = _zip_fn(op, a.dtype.kind), _reader(a)
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            x = read(a[index_to_position(index, a_strides)])
            y = read(b[index_to_position(index, b_strides)])
            out[index_to_position(index, out_strides)] = _cast(fn(x, y), out)

    def where(self, out: Storage, out_strides: Strides, shape: Shape, cond: Storage,
              cond_strides: Strides, a: Storage, a_strides: Strides, b: Storage,
              b_strides: Strides) -> None:
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            pick_a = bool(cond[index_to_position(index, cond_strides)])
            src, strides = (a, a_strides) if pick_a else (b, b_strides)
            out[index_to_position(index, out_strides)] = src[index_to_position(index, strides)]

    def reduce(self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
               a: Storage, a_strides: Strides, a_shape: Shape, dim: int) -> None:
        if op not in REDUCE_OPS:
            raise unknown_op("reduce", op, REDUCE_OPS)
        read = _reader(a)
        for ordinal in range(prod(out_shape)):
            index = to_index(ordinal, out_shape)
            base = index_to_position(index, a_strides)
            step = a_strides[dim]
            acc: Any
            if op == "sum":
                acc = read(0)
                for j in range(a_shape[dim]):
                    acc += read(a[base + j * step])
            else:
                best, best_j = read(a[base]), 0
                for j in range(1, a_shape[dim]):
                    v = read(a[base + j * step])
                    if v > best or (v != v and best == best):  # nan wins, like max
                        best, best_j = v, j
                acc = best if op == "max" else best_j
            out[index_to_position(index, out_strides)] = acc

    def matmul(self, out: Storage, out_strides: Strides, a: Storage, a_strides: Strides,
               b: Storage, b_strides: Strides, shape: tuple[int, int, int, int]) -> None:
        batch, n, k, m = shape
        for p in range(batch):
            for i in range(n):
                for j in range(m):
                    acc = 0.0
                    a_row = p * a_strides[0] + i * a_strides[1]
                    b_col = p * b_strides[0] + j * b_strides[2]
                    for t in range(k):
                        acc += float(a[a_row + t * a_strides[2]]) * float(b[b_col + t * b_strides[1]])
                    out[p * out_strides[0] + i * out_strides[1] + j * out_strides[2]] = acc

    def take(self, out: Storage, out_strides: Strides, shape: Shape, a: Storage,
             a_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            at = index_to_position(index, a_strides) + int(
                offsets[index_to_position(index, offsets_strides)])
            out[index_to_position(index, out_strides)] = a[at]

    def put(self, op: str, out: Storage, out_strides: Strides, shape: Shape, src: Storage,
            src_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        if op not in PUT_OPS:
            raise unknown_op("put", op, PUT_OPS)
        read = _reader(out)
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            at = index_to_position(index, out_strides) + int(
                offsets[index_to_position(index, offsets_strides)])
            value = src[index_to_position(index, src_strides)]
            out[at] = value if op == "set" else read(out[at]) + read(value)

    def nonzero(self, out: Storage, a: Storage, a_strides: Strides, shape: Shape) -> None:
        row = 0
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            if a[index_to_position(index, a_strides)] != 0:
                for d, i in enumerate(index):
                    out[row * len(shape) + d] = i
                row += 1


@hookimpl
def minitorch_register_backends() -> list[Backend]:
    return [ReferenceBackend()]
