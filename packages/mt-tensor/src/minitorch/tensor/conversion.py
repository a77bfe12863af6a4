"""The Tensor methods that convert: to another backend or device, to another dtype.

`Tensor` inherits these (a mixin: see tensor.py). A dtype conversion runs the
backend's cast kernel (`id` into an output of the new dtype) and is recorded
between floating point dtypes (`promotion.Cast`); a move between backends
goes through host memory and is recorded by `_ConvertFunction`.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, cast

from minitorch.autodiff import Function

from .backend import Backend
from .device import device as Device
from .dtype import DType, as_dtype, bool_, float32, float64, int32, int64
from .promotion import convert

if TYPE_CHECKING:
    from .tensor import Tensor


class ConversionMethods:
    """`to`, `cpu`, `cuda` and the dtype shorthands of `Tensor`."""

    if TYPE_CHECKING:  # what these methods use from the rest of Tensor
        backend: Backend
        dtype: DType
        requires_grad: builtins.bool
        def numpy(self) -> Any: ...

    def to(self, target: str | Backend | Device | DType | Any = None, dtype: Any = None, *,
           device: str | Backend | Device | None = None) -> Tensor:
        """Move to a device or backend (`.to("cuda")`, `.to("numba")`, `.to(device=d)`)
        and/or convert dtype (`.to(float64)`)."""
        from .registry import BackendError, get_backend

        backend = self.backend
        if device is not None:
            if target is not None and not isinstance(target, DType):
                raise ValueError(f"to: got a device twice, {target!r} and device={device!r}")
            backend = get_backend(device)
        if isinstance(target, (Device, Backend)):
            backend, target = get_backend(target), None
        if target is not None:
            # `target` is a dtype or a backend; only a backend name can fail as_dtype.
            try:
                target_dtype = as_dtype(target)
            except TypeError as not_a_dtype:
                try:
                    backend = get_backend(cast("str | Backend", target))
                except BackendError as not_a_backend:
                    raise ValueError(
                        f"to: {target!r} is neither a dtype nor a backend ({not_a_dtype}; "
                        f"{not_a_backend})"
                    ) from None
            else:
                if dtype is not None and as_dtype(dtype) is not target_dtype:
                    raise ValueError(f"to: got two dtypes, {target!r} and {dtype!r}")
                dtype = target_dtype
        new_dtype = as_dtype(dtype) if dtype is not None else self.dtype
        out = cast("Tensor", self)
        if backend is not self.backend:
            from .creation import _from_numpy

            moved = _from_numpy(self.numpy(), backend, self.dtype)
            out = _ConvertFunction.apply(self, out=moved) if self.requires_grad else moved
        return convert(out, new_dtype)

    def cpu(self) -> Tensor:
        """This tensor on the CPU: itself when it is there already, else a copy on "cpu"."""
        return cast("Tensor", self) if not self.backend.is_gpu else self.to("cpu")

    def cuda(self, device: str | int | Device | None = None) -> Tensor:
        """This tensor on the CUDA backend (`device` may be 0, "cuda:0", ...)."""
        if isinstance(device, int):
            device = f"cuda:{device}"
        where = Device("cuda" if device is None else device)
        if where.type != "cuda":
            raise ValueError(f"cuda: {device!r} is not a CUDA device")
        return self.to(where)

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def long(self) -> Tensor:
        return self.to(int64)

    def int(self) -> Tensor:
        return self.to(int32)

    def bool(self) -> Tensor:
        return self.to(bool_)

    def is_floating_point(self) -> builtins.bool:
        return self.dtype.is_floating_point


class _ConvertFunction(Function):
    """A move to another backend; the gradient moves back."""

    @staticmethod
    def forward(ctx, a: Tensor, out: Tensor) -> Tensor:
        ctx.params["source"] = (a.backend, a.dtype)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        backend, dtype = ctx.params["source"]
        from .creation import _from_numpy

        return _from_numpy(grad.numpy(), backend, dtype)
