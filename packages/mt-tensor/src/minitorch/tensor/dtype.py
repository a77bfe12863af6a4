"""The two floating-point dtypes a minitorch tensor can hold.

A dtype is a small named object (``minitorch.tensor.float32``) that knows its
numpy equivalent; numpy is the storage container, so every backend can map a
dtype onto its own buffers through ``dtype.numpy``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DType:
    """A tensor element type: ``float32`` (the default) or ``float64``."""

    name: str
    numpy: type
    itemsize: int

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"


float32 = DType("float32", np.float32, 4)
float64 = DType("float64", np.float64, 8)

DTYPES: dict[str, DType] = {"float32": float32, "float64": float64}
DEFAULT_DTYPE = float32


def as_dtype(value: object) -> DType:
    """Accept a DType, its name, a numpy dtype, or ``float`` (=float64 as in numpy)."""
    if isinstance(value, DType):
        return value
    if value is None:
        return DEFAULT_DTYPE
    if isinstance(value, str) and value in DTYPES:
        return DTYPES[value]
    if value is float:
        return float64
    try:
        name = np.dtype(value).name  # type: ignore[call-overload]
    except TypeError:
        name = None
    if name in DTYPES:
        return DTYPES[name]
    raise TypeError(
        f"unsupported dtype {value!r}; minitorch tensors hold {', '.join(DTYPES)}"
    )


def promote(a: DType, b: DType, op: str) -> DType:
    """Tensor-tensor ops need equal dtypes; mixing them is an error, not a silent cast."""
    if a is b:
        return a
    raise TypeError(
        f"{op}: dtype mismatch {a.name} and {b.name}; convert one side explicitly "
        f"with .to({b.name}) / .float() / .double()"
    )
