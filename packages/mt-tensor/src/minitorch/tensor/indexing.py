"""Turning `t[key]` into a per-dimension selection (ints, slices, Ellipsis)."""

from __future__ import annotations

from typing import Any

from .views import Selection


def parse_index(key: Any, shape: tuple[int, ...]) -> Selection:
    """Ints drop their dim, slices (positive step) keep it; missing dims are whole."""
    if not isinstance(key, tuple):
        key = (key,)
    if any(k is Ellipsis for k in key):
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        fill = len(shape) - (len(key) - 1)
        key = key[:at] + (slice(None),) * fill + key[at + 1:]
    if len(key) > len(shape):
        raise IndexError(f"index: too many indices for a tensor of shape {shape}: got {len(key)}")
    selection = []
    for d, size in enumerate(shape):
        k = key[d] if d < len(key) else slice(None)
        if isinstance(k, bool) or not isinstance(k, (int, slice)) and not hasattr(k, "__index__"):
            raise TypeError(
                f"index: only ints, slices and ... are supported, got {type(k).__name__} at dim {d}"
            )
        if isinstance(k, slice):
            start, stop, step = k.indices(size)
            if step <= 0:
                raise ValueError(f"index: slice step must be positive, got {step} at dim {d}")
            count = max(0, (stop - start + step - 1) // step)
            selection.append((start if count else 0, count, step, False))
        else:
            i = int(k)
            if not -size <= i < size:
                raise IndexError(
                    f"index: index {i} is out of bounds for dim {d} with size {size} "
                    f"(tensor shape {shape})"
                )
            selection.append((i % size, 1, 1, True))
    return tuple(selection)
