"""The element types a minitorch tensor can hold, and how they combine.

A dtype is a small named object (``minitorch.tensor.float32``) that knows its
numpy equivalent; numpy is the storage container, so every backend can map a
dtype onto its own buffers through ``dtype.numpy``.

Five dtypes, in three categories (PyTorch's names and defaults):

    bool                      category 0
    int32, int64 (= long)     category 1; int64 is the default integer dtype
    float32 (= float), float64 (= double)
                              category 2; float32 is the default float dtype

`result_type` is PyTorch's type promotion for these five: the higher
category wins, and within a category the wider dtype. Python numbers and 0-d
tensors only take part when their category is higher than that of every
tensor with dimensions (``int_tensor * 2.5`` is float32, ``float32_tensor *
float64_scalar_tensor`` stays float32).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DType:
    """A tensor element type (`float32` is the default)."""

    name: str
    numpy: type
    itemsize: int
    category: int  # 0 bool, 1 integer, 2 floating point
    rank: int  # total order for promotion: bool < int32 < int64 < float32 < float64

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"

    @property
    def is_floating_point(self) -> bool:
        return self.category == 2

    @property
    def is_signed(self) -> bool:
        return self.category != 0


bool_ = DType("bool", np.bool_, 1, 0, 0)
int32 = DType("int32", np.int32, 4, 1, 1)
int64 = DType("int64", np.int64, 8, 1, 2)
float32 = DType("float32", np.float32, 4, 2, 3)
float64 = DType("float64", np.float64, 8, 2, 4)

DTYPES: dict[str, DType] = {d.name: d for d in (bool_, int32, int64, float32, float64)}
FLOAT_DTYPES: tuple[str, ...] = ("float32", "float64")
DEFAULT_DTYPE = float32
# The dtype a Python number of each category becomes (bool, int, float).
_CATEGORY_DEFAULT = (bool_, int64, DEFAULT_DTYPE)

# PyTorch's aliases, accepted wherever a dtype is.
_ALIASES: dict[str, DType] = {"long": int64, "int": int32, "float": float32,
                              "double": float64, "bool_": bool_}


def as_dtype(value: object) -> DType:
    """Accept a DType, its name or alias, a numpy dtype, or a Python type.

    Python's ``float`` is float64 and ``int`` int64 (numpy's reading), ``bool``
    is bool.
    """
    if isinstance(value, DType):
        return value
    if value is None:
        return DEFAULT_DTYPE
    if isinstance(value, str):
        found = DTYPES.get(value) or _ALIASES.get(value)
        if found is not None:
            return found
    if value is float:
        return float64
    if value is int:
        return int64
    if value is bool:
        return bool_
    try:
        name = np.dtype(value).name  # type: ignore[call-overload]
    except TypeError:
        name = None
    if name in DTYPES:
        return DTYPES[name]
    raise TypeError(
        f"unsupported dtype {value!r}; minitorch tensors hold {', '.join(DTYPES)}"
    )


def scalar_category(value: object) -> int:
    """The category of a Python number: 0 bool, 1 int, 2 float."""
    if isinstance(value, (bool, np.bool_)):
        return 0
    if isinstance(value, (int, np.integer)):
        return 1
    return 2


def scalar_dtype(value: object, tensor_dtype: DType) -> DType:
    """The dtype a Python number takes next to a tensor of `tensor_dtype`.

    The tensor's own dtype unless the number's category is higher: then the
    default dtype of that category (``int_tensor + 0.5`` is float32).
    """
    category = scalar_category(value)
    if category <= tensor_dtype.category:
        return tensor_dtype
    return _CATEGORY_DEFAULT[category]


def result_type(a: DType, a_dims: int, b: DType, b_dims: int) -> DType:
    """PyTorch's promotion of two tensor operands (`a_dims`: a's number of dims).

    A 0-d operand only counts when its category is higher than a dimensioned one's.
    """
    if a is b:
        return a
    if (a_dims == 0) == (b_dims == 0):
        return a if a.rank > b.rank else b
    dims, zero = (a, b) if b_dims == 0 else (b, a)
    return zero if zero.category > dims.category else dims


def promote(a: DType, b: DType, op: str) -> DType:
    """The dtype two equal-dtype kernel operands share; different ones are a bug upstream."""
    if a is b:
        return a
    raise TypeError(
        f"{op}: dtype mismatch {a.name} and {b.name} reached a kernel; operands are "
        f"converted to a common dtype before this point (convert one side explicitly with "
        f".to({b.name}))"
    )


def require_float(dtype: DType, op: str) -> None:
    """Refuse an integer or bool dtype where only floating point makes sense."""
    if not dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating point tensor, got {dtype.name}")
