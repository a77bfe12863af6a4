"""Bringing operands to one dtype before an op runs: PyTorch's type promotion.

Kernels only ever see operands of one dtype (see `minitorch.tensor.ops`), so
every Tensor method that takes two operands starts here. `operands` applies
`dtype.result_type` (tensor and tensor) or `dtype.scalar_dtype` (tensor and
Python number) and converts what needs converting. A conversion between
floating point dtypes is recorded (`Cast`), so the gradient of a float32
input that met a float64 one comes back float32; integer and bool tensors
never require grad, so converting them records nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minitorch.autodiff import Context, Function, is_grad_enabled

from . import dispatch as K
from .dtype import DEFAULT_DTYPE, DType, int64, result_type, scalar_dtype

if TYPE_CHECKING:
    from .tensor import Tensor

_Tensor: Any = None  # bound on first use (tensor.py imports this module)

NUMBERS = (int, float, bool, np.number, np.bool_)


class Cast(Function):
    """A dtype conversion between floating point dtypes; the gradient converts back."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dtype: DType) -> Tensor:
        ctx.params["source"] = a.dtype
        return K.map_op("id", a, dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return K.cast(grad, ctx.params["source"])


def convert(t: Tensor, dtype: DType) -> Tensor:
    """`t` as `dtype`: itself when it has it, a recorded cast when autodiff needs one."""
    if t.dtype is dtype:
        return t
    if t.requires_grad and dtype.is_floating_point and is_grad_enabled():
        return Cast.apply(t, dtype=dtype)
    return K.cast(t, dtype)


def operands(a: Tensor, other: Any) -> tuple[Tensor, Tensor]:
    """`a` and `other` (a Tensor or a Python number) as two tensors of one dtype."""
    global _Tensor
    if _Tensor is None:
        from .tensor import Tensor as _Tensor
    kind = type(other)
    if kind is float and a.dtype.category == 2:  # the common case: x * 0.5
        return a, a._constant(other)
    if kind is _Tensor or isinstance(other, _Tensor):
        if other.dtype is a.dtype:
            return a, other
        dtype = result_type(a.dtype, len(a.shape), other.dtype, len(other.shape))
        return convert(a, dtype), convert(other, dtype)
    if isinstance(other, NUMBERS):
        dtype = scalar_dtype(other, a.dtype)
        return convert(a, dtype), a._constant(other, dtype)
    raise TypeError(f"unsupported operand type {type(other).__name__} for a Tensor op")


def inplace_operand(target: Tensor, other: Any, op: str) -> Tensor:
    """`other` converted to `target`'s dtype for an in-place op, if the op's result type
    can be cast to it (PyTorch: no float result into an integer tensor, no int into bool)."""
    global _Tensor
    if _Tensor is None:
        from .tensor import Tensor as _Tensor
    if isinstance(other, _Tensor):
        dtype = result_type(target.dtype, len(target.shape), other.dtype, len(other.shape))
    elif isinstance(other, NUMBERS):
        dtype = scalar_dtype(other, target.dtype)
    else:
        raise TypeError(f"{op}: unsupported operand type {type(other).__name__}")
    if dtype.category > target.dtype.category:
        raise RuntimeError(f"{op}: result type {dtype.name} can't be cast to the desired "
                           f"output type {target.dtype.name}")
    if isinstance(other, _Tensor):
        return convert(other, target.dtype)
    return target._constant(other)


def floating(t: Tensor) -> Tensor:
    """`t` itself when floating point, else converted to the default float dtype
    (PyTorch: ``exp``, ``sqrt``, ``/`` ... of an integer tensor are float32)."""
    return t if t.dtype.is_floating_point else K.cast(t, DEFAULT_DTYPE)


def widened(t: Tensor) -> Tensor:
    """bool and int32 as int64, for sums and integer arithmetic on bools (PyTorch's sum)."""
    return t if t.dtype.is_floating_point or t.dtype is int64 else K.cast(t, int64)
