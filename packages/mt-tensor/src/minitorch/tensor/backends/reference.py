"""The pure-Python reference backend: the living definition of every kernel.

Plain Python loops over flat storages, one element at a time, exactly the
seed's unaccelerated tensor_ops. Slow by design; every other backend must
produce what this one produces. Storage is a 1-D numpy array (a container
only: no numpy math here).
"""

from __future__ import annotations

from importlib import metadata

from ..backend import Backend, Shape, Storage, Strides
from ..hookspec import hookimpl
from ..ops import MAP_OPS, REDUCE_OPS, ZIP_OPS, unknown_op
from ..shape import index_to_position, prod, to_index


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
        fn = MAP_OPS.get(op)
        if fn is None:
            raise unknown_op("map", op, MAP_OPS)
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            value = float(a[index_to_position(index, a_strides)])
            out[index_to_position(index, out_strides)] = fn(value)

    def zip(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides, b: Storage, b_strides: Strides) -> None:
        fn = ZIP_OPS.get(op)
        if fn is None:
            raise unknown_op("zip", op, ZIP_OPS)
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            x = float(a[index_to_position(index, a_strides)])
            y = float(b[index_to_position(index, b_strides)])
            out[index_to_position(index, out_strides)] = fn(x, y)

    def where(self, out: Storage, out_strides: Strides, shape: Shape, cond: Storage,
              cond_strides: Strides, a: Storage, a_strides: Strides, b: Storage,
              b_strides: Strides) -> None:
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            pick_a = float(cond[index_to_position(index, cond_strides)]) != 0.0
            src, strides = (a, a_strides) if pick_a else (b, b_strides)
            out[index_to_position(index, out_strides)] = src[index_to_position(index, strides)]

    def reduce(self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
               a: Storage, a_strides: Strides, a_shape: Shape, dim: int) -> None:
        if op not in REDUCE_OPS:
            raise unknown_op("reduce", op, REDUCE_OPS)
        for ordinal in range(prod(out_shape)):
            index = to_index(ordinal, out_shape)
            base = index_to_position(index, a_strides)
            step = a_strides[dim]
            if op == "sum":
                acc = 0.0
                for j in range(a_shape[dim]):
                    acc += float(a[base + j * step])
            else:
                best, best_j = float(a[base]), 0
                for j in range(1, a_shape[dim]):
                    v = float(a[base + j * step])
                    if v > best or (v != v and best == best):  # nan wins, like max
                        best, best_j = v, j
                acc = best if op == "max" else float(best_j)
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


@hookimpl
def minitorch_register_backends() -> list[Backend]:
    return [ReferenceBackend()]
