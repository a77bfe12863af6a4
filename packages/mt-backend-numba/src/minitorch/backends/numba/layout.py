"""Python-side planning of an elementwise launch: coalesce, then cut into tasks.

Everything here runs in plain Python on tuples, before a kernel is called,
and its result is memoized per (shape, strides...) key: a training loop
repeats the same few layouts, so the steady-state cost of planning is one
dict lookup. What it decides:

- drop size-1 dimensions and merge neighbours that every operand walks
  contiguously (`stride[d] == stride[d+1] * shape[d+1]`), so a contiguous
  tensor, whatever its rank, becomes one long row;
- operands that share the same dense but permuted layout (e.g. all
  transposed) are also one long row: elementwise order does not matter;
- how many tasks, how many per parallel unit, and whether the launch is
  small enough to run on the calling thread (thread start-up costs more
  than a few thousand elements take).
"""

from __future__ import annotations

import numpy as np

Shape = tuple[int, ...]
Strides = tuple[int, ...]

# A task covers at most this many elements of one row; a parallel unit
# groups tasks until it holds about this many too.
TASK_ELEMENTS = 16384
# Below this many elements the kernel runs on the calling thread: measured
# on 2 cores, a contiguous float32 mul of 50k elements takes the same 7 us
# on one thread as on two, and waking a sleeping worker can cost far more
# when another process holds the other core.
SERIAL_ELEMENTS = 65536
_CACHE_LIMIT = 4096


class ElementwisePlan:
    """Kernel arguments for one (shape, strides...) layout.

    Attributes:
        shape: coalesced shape as int64 (at least 1-D).
        strides: one coalesced int64 stride array per operand (out first).
        ntasks, per_unit, chunk: the task split (see `elementwise.py`).
        serial: run `*_tasks` on the calling thread instead of `*_parallel`.
        size: number of elements (0: nothing to do).
    """

    __slots__ = ("shape", "strides", "ntasks", "per_unit", "chunk", "serial", "size")

    def __init__(self, shape: Shape, strides: list[Strides]) -> None:
        size = 1
        for extent in shape:
            size *= extent
        self.size = size
        shape, strides = coalesce(shape, strides)
        self.shape = np.array(shape, dtype=np.int64)
        self.strides = [np.array(s, dtype=np.int64) for s in strides]
        n = shape[-1]
        rows = size // n if n else 0
        self.chunk = min(n, TASK_ELEMENTS) if n else 1
        per_row = -(-n // self.chunk) if n else 0
        self.ntasks = rows * per_row
        self.per_unit = max(1, TASK_ELEMENTS // max(self.chunk, 1))
        self.serial = size < SERIAL_ELEMENTS


def coalesce(shape: Shape, strides: list[Strides]) -> tuple[Shape, list[Strides]]:
    """The smallest equivalent (shape, strides) for a group of operands.

    The element order may change (operands sharing one permuted dense layout
    become a single row in memory order): fine for elementwise kernels.
    `merge_dims` is the order-preserving version."""
    if _same_dense_layout(shape, strides):
        size = 1
        for extent in shape:
            size *= extent
        return (size,), [(1,)] * len(strides)
    return merge_dims(shape, strides)


def merge_dims(shape: Shape, strides: list[Strides]) -> tuple[Shape, list[Strides]]:
    """(shape, strides) with size-1 dimensions dropped and neighbours merged where
    every operand allows it; row-major element order is preserved (the order
    `put` "add" accumulates in). At least 1-D."""
    keep = [d for d, extent in enumerate(shape) if extent != 1]
    if not keep:
        # One element: every operand sits at its offset 0.
        return (1,), [(1,)] * len(strides)
    out_shape = [shape[keep[0]]]
    out_strides = [[s[keep[0]]] for s in strides]
    for d in keep[1:]:
        extent = shape[d]
        if all(os[-1] == s[d] * extent for os, s in zip(out_strides, strides)):
            out_shape[-1] *= extent
            for os, s in zip(out_strides, strides):
                os[-1] = s[d]
        else:
            out_shape.append(extent)
            for os, s in zip(out_strides, strides):
                os.append(s[d])
    return tuple(out_shape), [tuple(s) for s in out_strides]


def _same_dense_layout(shape: Shape, strides: list[Strides]) -> bool:
    """All operands have identical strides that tile their storage exactly."""
    first = strides[0]
    if any(s != first for s in strides[1:]):
        return False
    dims = sorted((st, extent) for st, extent in zip(first, shape) if extent != 1)
    expected = 1
    for st, extent in dims:
        if st != expected:
            return False
        expected *= extent
    return True


_plans: dict[tuple, ElementwisePlan] = {}


def elementwise_plan(shape: Shape, *strides: Strides) -> ElementwisePlan:
    """The memoized plan for `shape` and the operands' strides (out first)."""
    key = (shape, strides)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) >= _CACHE_LIMIT:
            _plans.clear()  # a pathological stream of layouts: start over
        for s in strides:
            if len(s) != len(shape):
                raise ValueError(
                    f"strides {s} do not match shape {shape}: "
                    f"{len(s)} strides for {len(shape)} dimensions"
                )
        plan = ElementwisePlan(tuple(shape), list(strides))
        _plans[key] = plan
    return plan
