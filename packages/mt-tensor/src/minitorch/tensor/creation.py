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
from .dtype import DEFAULT_DTYPE, DTYPES, DType, as_dtype, bool_, int64, scalar_category
from .registry import get_backend
from .shape import TensorData
from .tensor import Tensor


class Generator:
    """A seedable source of random numbers, as ``torch.Generator``: pass one as
    ``generator=`` to rand / randn / randint / randperm (and to a DataLoader) to
    draw from it instead of the default generator that `manual_seed` seeds."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = Device(device)
        self._seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy; return the new seed."""
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2**63))).initial_seed()  # type: ignore[operator]

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        return dict(self.rng.bit_generator.state)

    def set_state(self, state: dict) -> Generator:
        self.rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed minitorch's default generator (rand, randn, randint, dropout, init, shuffling)."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


def generator(gen: Generator | None = None) -> np.random.Generator:
    """The numpy generator behind `gen` (the default generator when None)."""
    if gen is None:
        return default_generator.rng
    if not isinstance(gen, Generator):
        raise TypeError(f"generator: expected a minitorch Generator, got {type(gen).__name__}")
    return gen.rng


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
    exact = value if isinstance(value, (int, np.integer)) else float(value).hex()
    key = (backend.name, dtype.name, type(exact), exact)
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
        dtype = data.dtype if dtype is None else dtype
        data = data.numpy()
    array = _host_data(data)
    if dtype is None:
        dtype = infer_dtype(array, isinstance(data, (np.ndarray, np.generic)))
    dt, be = _resolve(dtype, backend, device, "tensor")
    return _from_numpy(array.astype(dt.numpy), be, dt, requires_grad)


def _host_data(data: Any) -> np.ndarray:
    """Nested lists / numbers / arrays (tensors inside included) as one numpy array."""
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [x.numpy() if isinstance(x, Tensor) else x for x in data]
    array = np.asarray(data)
    if array.dtype == object:
        raise ValueError("tensor: data must be a rectangular nested list of numbers")
    return array


def infer_dtype(array: np.ndarray, from_numpy: bool) -> DType:
    """PyTorch's choice for `tensor(data)`: bools are bool, integers int64, Python
    floats the default float dtype; a numpy array keeps a dtype minitorch has."""
    kind = array.dtype.kind
    if from_numpy and array.dtype.name in DTYPES:
        return DTYPES[array.dtype.name]
    if kind == "b":
        return bool_
    if kind in "iu":
        return int64
    if kind == "f":
        return DEFAULT_DTYPE
    raise TypeError(f"tensor: cannot hold data of numpy dtype {array.dtype} "
                    f"(minitorch holds {', '.join(DTYPES)})")


def from_numpy(array: np.ndarray, backend: Place = None, device: Place = None) -> Tensor:
    return tensor(array, backend=backend, device=device)


def full(size: Sequence[int], fill_value: float, dtype: Any = None,
         backend: Place = None, device: Place = None, requires_grad: bool = False) -> Tensor:
    """A tensor of `fill_value`; its dtype follows the value (bool, int64, float32), as PyTorch."""
    if dtype is None:
        dtype = (bool_, int64, DEFAULT_DTYPE)[scalar_category(fill_value)]
    dt, be = _resolve(dtype, backend, device, "full")
    return _from_numpy(np.full(_shape((size,) if isinstance(size, int) else tuple(size)),
                               fill_value, dtype=dt.numpy), be, dt, requires_grad)


def zeros(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
          requires_grad: bool = False) -> Tensor:
    return full(_shape(size), 0.0, dtype or DEFAULT_DTYPE, backend, device, requires_grad)


def ones(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
         requires_grad: bool = False) -> Tensor:
    return full(_shape(size), 1.0, dtype or DEFAULT_DTYPE, backend, device, requires_grad)


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


def _float_resolve(dtype: Any, backend: Place, device: Place, op: str) -> tuple[DType, Backend]:
    dt, be = _resolve(dtype, backend, device, op)
    if not dt.is_floating_point:
        raise TypeError(f"{op}: expected a floating point dtype, got {dt.name}")
    return dt, be


def rand(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
         requires_grad: bool = False, generator: Generator | None = None) -> Tensor:
    """Uniform on [0, 1)."""
    dt, be = _float_resolve(dtype, backend, device, "rand")
    return _from_numpy(_numpy_rng(generator).random(_shape(size)), be, dt, requires_grad)


def randn(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
          requires_grad: bool = False, generator: Generator | None = None) -> Tensor:
    """Standard normal."""
    dt, be = _float_resolve(dtype, backend, device, "randn")
    return _from_numpy(_numpy_rng(generator).standard_normal(_shape(size)), be, dt, requires_grad)


def randint(low: int, high: int | None = None, size: Any = None, *,
            generator: Generator | None = None, dtype: Any = None, backend: Place = None,
            device: Place = None, requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high) (int64 by default); ``randint(high, size)`` too."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint: missing the size argument, e.g. randint(0, 10, (3,))")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: random_ expects 'from' < 'to', got from={low} >= to={high}")
    dt, be = _resolve(dtype or int64, backend, device, "randint")
    shape = _shape((size,) if isinstance(size, int) else tuple(size))
    values = _numpy_rng(generator).integers(low, high, size=shape)
    return _from_numpy(values, be, dt, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             backend: Place = None, device: Place = None) -> Tensor:
    """A random permutation of 0 .. n-1 (int64 by default)."""
    if n < 0:
        raise ValueError(f"randperm: n must be non-negative, got {n}")
    dt, be = _resolve(dtype or int64, backend, device, "randperm")
    return _from_numpy(_numpy_rng(generator).permutation(n), be, dt)


def _numpy_rng(gen: Generator | None) -> np.random.Generator:
    return generator(gen)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           backend: Place = None, device: Place = None) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if dtype is None:  # int64 when start, end and step are all integers, as PyTorch
        whole = all(scalar_category(v) == 1 for v in (start, end, step))
        dtype = int64 if whole else DEFAULT_DTYPE
    dt, be = _resolve(dtype, backend, device, "arange")
    return _from_numpy(np.arange(start, end, step), be, dt)


def empty(*size: Any, dtype: Any = None, backend: Place = None, device: Place = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor whose values the caller will overwrite. PyTorch leaves them
    uninitialised; minitorch zero-fills them, so no run depends on leftovers."""
    return full(_shape(size), 0.0, dtype or DEFAULT_DTYPE, backend, device, requires_grad)


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
