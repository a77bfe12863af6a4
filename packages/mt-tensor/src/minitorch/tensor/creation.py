"""Creating tensors: from data, constants, ranges and random numbers.

Random numbers come from one module-level numpy Generator that
`manual_seed` resets, so runs are reproducible on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .backend import Backend
from .device import device as Device
from .dtype import DType, as_dtype
from .registry import get_backend
from .shape import TensorData
from .tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed minitorch's random number generator (rand, randn, dropout, init)."""
    global _rng
    _rng = np.random.default_rng(seed)


def get_rng_state() -> dict:
    return dict(_rng.bit_generator.state)


def set_rng_state(state: dict) -> None:
    _rng.bit_generator.state = state


def generator() -> np.random.Generator:
    return _rng


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"sizes must be non-negative ints, got {tuple(size)}")
    return tuple(int(s) for s in size)


def _from_numpy(array: np.ndarray, backend: Backend, dtype: DType,
                requires_grad: bool = False) -> Tensor:
    if dtype.name not in backend.dtypes:
        raise TypeError(
            f"backend {backend.name!r} does not support {dtype.name}; it supports "
            f"{', '.join(backend.dtypes)}"
        )
    shape = tuple(np.shape(array))  # ascontiguousarray would turn 0-d into (1,)
    array = np.ascontiguousarray(array, dtype=dtype.numpy)
    flat = array.reshape(-1) if array.size else np.zeros(1, dtype=dtype.numpy)
    storage = backend.from_numpy(flat)
    data = TensorData.contiguous(storage, shape)
    return Tensor(data, backend, dtype, requires_grad=requires_grad)


_constants: dict[tuple, Tensor] = {}


def _scalar(value: float, backend: Backend, dtype: DType) -> Tensor:
    """A 0-d constant, cached: Python numbers in tensor math become these.

    Keyed by the number's bits, so -0.0 and 0.0 (equal as floats) stay apart.
    Never handed to users: nothing writes into a cached constant.
    """
    key = (backend.name, dtype.name, float(value).hex())
    t = _constants.get(key)
    if t is None or t.backend is not backend:
        if len(_constants) > 4096:
            _constants.clear()
        t = _from_numpy(np.array(value), backend, dtype)
        _constants[key] = t
    return t


# Where a tensor goes: a backend (name or object) or a device ("cpu", "cuda:0",
# a `device`). Creation functions take it as `device=` (PyTorch's name) or as
# `backend=` (minitorch's); the two mean the same.
Place = str | Backend | Device | None


def _resolve(dtype: Any, backend: Place, device: Place = None, op: str = "tensor"
             ) -> tuple[DType, Backend]:
    if backend is not None and device is not None:
        raise ValueError(f"{op}: give device= or backend=, not both (got {device!r} and {backend!r})")
    return as_dtype(dtype), get_backend(device if backend is None else backend)


def tensor(data: Any, dtype: Any = None, backend: Place = None, device: Place = None,
           requires_grad: bool = False) -> Tensor:
    """A tensor holding a copy of `data` (nested lists, numbers, numpy arrays, Tensors)."""
    if isinstance(data, Tensor):
        data = data.numpy()
    array = np.asarray(data)
    if array.dtype == object:
        raise ValueError("tensor: data must be a rectangular nested list of numbers")
    if dtype is None and isinstance(data, np.ndarray) and data.dtype.name in ("float32", "float64"):
        dtype = data.dtype
    dt, be = _resolve(dtype, backend, device, "tensor")
    return _from_numpy(array.astype(dt.numpy), be, dt, requires_grad)


def from_numpy(array: np.ndarray, backend: Place = None, device: Place = None) -> Tensor:
    return tensor(array, backend=backend, device=device)


def full(size: Sequence[int], fill_value: float, dtype: Any = None,
         backend: Place = None, device: Place = None, requires_grad: bool = False) -> Tensor:
    dt, be = _resolve(dtype, backend, device, "full")
    return _from_numpy(np.full(_shape((size,) if isinstance(size, int) else tuple(size)),
                               fill_value, dtype=dt.numpy), be, dt, requires_grad)


def zeros(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
          requires_grad: bool = False) -> Tensor:
    return full(_shape(size), 0.0, dtype, backend, device, requires_grad)


def ones(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
         requires_grad: bool = False) -> Tensor:
    return full(_shape(size), 1.0, dtype, backend, device, requires_grad)


def _like(t: Tensor, dtype: Any, backend: Place, device: Place) -> tuple[Any, Place]:
    """`t`'s dtype and backend unless the call names others (PyTorch's *_like)."""
    return (t.dtype if dtype is None else dtype,
            t.backend if backend is None and device is None else (backend or device))


def zeros_like(t: Tensor, *, dtype: Any = None, backend: Place = None, device: Place = None,
               requires_grad: bool = False) -> Tensor:
    dt, where = _like(t, dtype, backend, device)
    return zeros(*t.shape, dtype=dt, backend=where, requires_grad=requires_grad)


def ones_like(t: Tensor, *, dtype: Any = None, backend: Place = None, device: Place = None,
              requires_grad: bool = False) -> Tensor:
    dt, where = _like(t, dtype, backend, device)
    return ones(*t.shape, dtype=dt, backend=where, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: float, *, dtype: Any = None, backend: Place = None,
              device: Place = None, requires_grad: bool = False) -> Tensor:
    dt, where = _like(t, dtype, backend, device)
    return full(t.shape, fill_value, dtype=dt, backend=where, requires_grad=requires_grad)


def rand(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    dt, be = _resolve(dtype, backend, device, "rand")
    return _from_numpy(_rng.random(_shape(size)), be, dt, requires_grad)


def randn(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    dt, be = _resolve(dtype, backend, device, "randn")
    return _from_numpy(_rng.standard_normal(_shape(size)), be, dt, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           backend: Place = None, device: Place = None) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    dt, be = _resolve(dtype, backend, device, "arange")
    return _from_numpy(np.arange(start, end, step), be, dt)


def empty(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor whose values the caller will overwrite. PyTorch leaves them
    uninitialised; minitorch zero-fills them, so no run depends on leftovers."""
    return full(_shape(size), 0.0, dtype, backend, device, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, backend: Place = None,
        device: Place = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m defaults to n)."""
    m = n if m is None else m
    if n < 0 or m < 0:
        raise ValueError(f"eye: n and m must be non-negative, got n={n}, m={m}")
    dt, be = _resolve(dtype, backend, device, "eye")
    return _from_numpy(np.eye(n, m), be, dt, requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, backend: Place = None,
             device: Place = None, requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, both included."""
    if steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    dt, be = _resolve(dtype, backend, device, "linspace")
    return _from_numpy(np.linspace(start, end, steps), be, dt, requires_grad)


def rand_like(t: Tensor, *, dtype: Any = None, backend: Place = None, device: Place = None,
              requires_grad: bool = False) -> Tensor:
    dt, where = _like(t, dtype, backend, device)
    return rand(*t.shape, dtype=dt, backend=where, requires_grad=requires_grad)


def randn_like(t: Tensor, *, dtype: Any = None, backend: Place = None, device: Place = None,
               requires_grad: bool = False) -> Tensor:
    dt, where = _like(t, dtype, backend, device)
    return randn(*t.shape, dtype=dt, backend=where, requires_grad=requires_grad)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)
