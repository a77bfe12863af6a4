"""Which writes are safe when memory is shared: PyTorch's overlap rules.

A kernel writes its output element by element (on several threads), so a
write is only well defined when no two output elements share memory, and
when every input element it reads is either its own output element or not
written at all. `check_write` enforces that before an in-place write:

- an output in which several elements share memory (an `expand`ed tensor)
  is refused, as PyTorch refuses it;
- an input laid out exactly like the output (``x.mul_(x)``) or in memory the
  output does not touch is fine;
- an input that overlaps the output otherwise is refused when both are dense
  (every element of a block, in some order: PyTorch's "partial overlap"
  error, e.g. ``x[1:] = x[:-1]`` or ``x.add_(x.T)``); when either is strided
  with gaps, the caller copies the input first, which gives numpy's result
  (PyTorch computes these in place; where elements truly alias, its result
  depends on the kernel's order).
"""

from __future__ import annotations

from .shape import TensorData, expand_strides, prod

_CLONE_HINT = "Please clone() the tensor before performing the operation."


def _extent(d: TensorData) -> tuple[int, int]:
    """First and last storage position the layout touches."""
    return d.offset, d.offset + sum((n - 1) * s for n, s in zip(d.shape, d.strides))


def has_internal_overlap(d: TensorData) -> bool:
    """True unless the layout provably gives every element its own memory.

    With the dims of size > 1 sorted by stride, each stride must step past
    everything the faster dims reach; a stride-0 (broadcast) dim never does.
    """
    reach = 0
    for stride, size in sorted((s, n) for n, s in zip(d.shape, d.strides) if n > 1):
        if stride <= reach:
            return True
        reach += (size - 1) * stride
    return False


def is_dense(d: TensorData) -> bool:
    """Every element of a block of `numel` positions, in some order of dims."""
    expected = 1
    for stride, size in sorted((s, n) for n, s in zip(d.shape, d.strides) if n > 1):
        if stride != expected:
            return False
        expected *= size
    return True


def check_target(op: str, out: TensorData) -> None:
    """Refuse to write into a layout whose elements share memory."""
    if prod(out.shape) > 1 and has_internal_overlap(out):
        raise RuntimeError(
            f"{op}: unsupported operation: more than one element of the written-to tensor "
            f"refers to a single memory location (it has shape {out.shape} and strides "
            f"{out.strides}). " + _CLONE_HINT
        )


def source_overlaps(op: str, out: TensorData, src: TensorData) -> bool:
    """Whether `src` must be copied before it is written into `out`.

    False when the write is safe as it is; True when the source overlaps the
    output in a strided pattern (copy it first); raises for a dense partial
    overlap, as PyTorch does.
    """
    if src.storage is not out.storage or prod(out.shape) == 0 or prod(src.shape) == 0:
        return False
    if src.offset == out.offset and _reads_in_place(out, src):
        return False
    lo_out, hi_out = _extent(out)
    lo_src, hi_src = _extent(src)
    if hi_src < lo_out or hi_out < lo_src:
        return False
    if is_dense(out) and is_dense(src):
        raise RuntimeError(
            f"{op}: unsupported operation: some elements of the input tensor (shape "
            f"{src.shape}) and the written-to tensor (shape {out.shape}) refer to a single "
            "memory location. " + _CLONE_HINT
        )
    return True


def _reads_in_place(out: TensorData, src: TensorData) -> bool:
    """True when, broadcast to `out`'s shape, `src` reads each output element's own memory."""
    if len(src.shape) > len(out.shape):
        return False
    strides = expand_strides(src.shape, src.strides, out.shape)
    return all(a == b for a, b, n in zip(strides, out.strides, out.shape) if n > 1)
