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
from ..ops import MAP_OPS, ZIP_OPS
from ..shape import index_to_position, prod, to_index


def _lookup(table: dict, op: str, kind: str):
    try:
        return table[op]
    except KeyError:
        raise ValueError(f"{kind}: unknown op {op!r}; known: {', '.join(table)}") from None


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
        fn = _lookup(MAP_OPS, op, "map")
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            value = float(a[index_to_position(index, a_strides)])
            out[index_to_position(index, out_strides)] = fn(value)

    def zip(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides, b: Storage, b_strides: Strides) -> None:
        fn = _lookup(ZIP_OPS, op, "zip")
        for ordinal in range(prod(shape)):
            index = to_index(ordinal, shape)
            x = float(a[index_to_position(index, a_strides)])
            y = float(b[index_to_position(index, b_strides)])
            out[index_to_position(index, out_strides)] = fn(x, y)

    def reduce(self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
               a: Storage, a_strides: Strides, a_shape: Shape, dim: int) -> None:
        if op not in ("sum", "max", "argmax"):
            raise ValueError(f"reduce: unknown op {op!r}; known: sum, max, argmax")
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
                    if v > best or (v != v and best == best):  # NaN wins, like max
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
