"""The Tensor class: the PyTorch-shaped surface over TensorData and Functions.

Nothing here loops over elements: math goes through `functions` (autodiff)
and `dispatch` (kernels); this file is API only.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from . import dispatch as K
from . import functions as F
from . import views as V
from .autograd import Function, History, is_grad_enabled, run_backward
from .backend import Backend
from .dtype import DType, as_dtype, float32, float64
from .layout_methods import LayoutMethods
from .shape import TensorData, normalize_dim, prod

MaxResult = namedtuple("MaxResult", ["values", "indices"])


class Tensor(LayoutMethods):
    """A strided n-dimensional array on one backend, with autodiff.

    Create tensors with `minitorch.tensor.tensor(...)`, `zeros`, `randn`, ...
    """

    __array_priority__ = 1000  # numpy scalars defer to Tensor's operators

    def __init__(self, data: TensorData, backend: Backend, dtype: DType,
                 requires_grad: bool = False) -> None:
        self._data = data
        self.backend = backend
        self.dtype = dtype
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self._history: History | None = None
        self._released = False

    # -- basic properties ----------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        if dim is None:
            return self.shape
        return self.shape[normalize_dim(dim, self.dim(), "size")]

    def dim(self) -> int:
        return len(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numel(self) -> int:
        return prod(self.shape)

    @property
    def is_leaf(self) -> bool:
        return self._history is None and not self._released

    @property
    def device(self) -> str:
        return self.backend.name

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # -- host data -------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """A host copy with this tensor's shape (never shares memory)."""
        d = self._data
        flat = self.backend.to_numpy(K.buffer(self))
        item = flat.itemsize
        if not d.shape:
            return np.array(flat[0], dtype=self.dtype.numpy)
        if self.numel() == 0:
            return np.zeros(d.shape, dtype=self.dtype.numpy)
        view = np.lib.stride_tricks.as_strided(
            flat, shape=d.shape, strides=tuple(s * item for s in d.strides), writeable=False
        )
        return np.array(view, dtype=self.dtype.numpy, copy=True)

    def tolist(self) -> Any:
        return self.numpy().tolist()

    def item(self) -> float:
        if self.numel() != 1:
            raise ValueError(
                f"item: only a one-element tensor can be converted to a number, "
                f"this one has shape {self.shape}"
            )
        return self.backend.read(self._data.storage, self._data.offset)

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor with {self.numel()} elements is ambiguous "
                f"(shape {self.shape}); use .sum(), .max() or .item()"
            )
        return self.item() != 0.0

    def __repr__(self) -> str:
        body = np.array2string(self.numpy(), precision=4, separator=", ", prefix="tensor(")
        extras = []
        if self.dtype is not float32:
            extras.append(f"dtype={self.dtype!r}")
        if self.backend.name != "python" and self.backend.is_gpu:
            extras.append(f"backend={self.backend.name!r}")
        if self._history is not None:
            extras.append(f"grad_fn=<{self._history.function.__name__}Backward>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # -- conversion --------------------------------------------------------------
    def to(self, target: str | Backend | DType | Any = None, dtype: Any = None) -> Tensor:
        """Move to a backend (`.to("numba")`) and/or convert dtype (`.to(float64)`)."""
        from .registry import get_backend

        backend = self.backend
        if target is not None:
            # `target` is a dtype or a backend; only a backend name can fail as_dtype.
            try:
                target_dtype = as_dtype(target)
            except TypeError:
                backend = get_backend(target)
            else:
                if dtype is not None and as_dtype(dtype) is not target_dtype:
                    raise ValueError(f"to: got two dtypes, {target!r} and {dtype!r}")
                dtype = target_dtype
        new_dtype = as_dtype(dtype) if dtype is not None else self.dtype
        if backend is self.backend and new_dtype is self.dtype:
            return self
        from .creation import _from_numpy

        out = _from_numpy(self.numpy().astype(new_dtype.numpy), backend, new_dtype)
        if self.requires_grad and is_grad_enabled():
            return _ConvertFunction.apply(self, out=out)
        return out

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def contiguous(self) -> Tensor:
        if self._data.is_contiguous() and self._data.offset == 0:
            return self
        return V.Copy.apply(self)

    def clone(self) -> Tensor:
        return V.Copy.apply(self)

    def detach(self) -> Tensor:
        return Tensor(self._data, self.backend, self.dtype)

    @property
    def data(self) -> Tensor:
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        if value.shape != self.shape:
            raise ValueError(f"data: cannot assign shape {value.shape} to shape {self.shape}")
        self._data, self.backend, self.dtype = value._data, value.backend, value.dtype

    def _constant(self, value: float) -> Tensor:
        from .creation import _scalar

        return _scalar(value, self.backend, self.dtype)

    def _wrap(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, np.number)):
            return self._constant(float(other))
        raise TypeError(f"unsupported operand type {type(other).__name__} for a Tensor op")

    # -- autodiff -----------------------------------------------------------------
    def backward(self, grad: Tensor | None = None, retain_graph: bool = False) -> None:
        if grad is None:
            if self.numel() != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for one-element outputs; "
                    f"this one has shape {self.shape}, pass grad="
                )
            from .creation import ones

            grad = ones(*self.shape, dtype=self.dtype, backend=self.backend)
        elif grad.shape != self.shape:
            raise ValueError(f"backward: grad shape {grad.shape} != tensor shape {self.shape}")
        run_backward(self, grad, retain_graph=retain_graph)

    def zero_grad_(self) -> None:
        self.grad = None

    def requires_grad_(self, flag: bool = True) -> Tensor:
        self.requires_grad = flag
        return self

    # -- arithmetic -------------------------------------------------------------------
    def __add__(self, o: Any) -> Tensor:
        return F.Add.apply(self, self._wrap(o))

    def __radd__(self, o: Any) -> Tensor:
        return F.Add.apply(self._wrap(o), self)

    def __sub__(self, o: Any) -> Tensor:
        return F.Sub.apply(self, self._wrap(o))

    def __rsub__(self, o: Any) -> Tensor:
        return F.Sub.apply(self._wrap(o), self)

    def __mul__(self, o: Any) -> Tensor:
        return F.Mul.apply(self, self._wrap(o))

    def __rmul__(self, o: Any) -> Tensor:
        return F.Mul.apply(self._wrap(o), self)

    def __truediv__(self, o: Any) -> Tensor:
        return F.Div.apply(self, self._wrap(o))

    def __rtruediv__(self, o: Any) -> Tensor:
        return F.Div.apply(self._wrap(o), self)

    def __neg__(self) -> Tensor:
        return F.Neg.apply(self)

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor):
            raise TypeError("pow: only a scalar exponent is supported (t ** 2.0)")
        return F.Pow.apply(self, self._constant(float(exponent)))

    def __matmul__(self, o: Tensor) -> Tensor:
        return self.matmul(o)

    def matmul(self, other: Tensor) -> Tensor:
        if self.dim() == 0 or other.dim() == 0:
            raise ValueError(f"matmul: both operands need at least 1 dim, got {self.shape} and {other.shape}")
        a = self.unsqueeze(0) if self.dim() == 1 else self
        b = other.unsqueeze(-1) if other.dim() == 1 else other
        out = F.MatMul.apply(a, b)
        if self.dim() == 1:
            out = out.squeeze(-2)
        if other.dim() == 1:
            out = out.squeeze(-1)
        return out

    def _compare(self, op: str, o: Any, name: str) -> Tensor:
        return K.zip_op(op, self, self._wrap(o), name)

    def __lt__(self, o: Any) -> Tensor:
        return self._compare("lt", o, "lt")

    def __gt__(self, o: Any) -> Tensor:
        return self._compare("gt", o, "gt")

    def __le__(self, o: Any) -> Tensor:
        return K.map_op("neg", self._compare("gt", o, "le")) + 1.0

    def __ge__(self, o: Any) -> Tensor:
        return K.map_op("neg", self._compare("lt", o, "ge")) + 1.0

    def __eq__(self, o: Any) -> Tensor:  # type: ignore[override]
        return self._compare("eq", o, "eq")

    def __ne__(self, o: Any) -> Tensor:  # type: ignore[override]
        return K.map_op("neg", self._compare("eq", o, "ne")) + 1.0

    __hash__ = object.__hash__

    def eq(self, o: Any) -> Tensor:
        return self == o

    def lt(self, o: Any) -> Tensor:
        return self < o

    def gt(self, o: Any) -> Tensor:
        return self > o

    def is_close(self, o: Any) -> Tensor:
        return self._compare("is_close", o, "is_close")

    def maximum(self, o: Any) -> Tensor:
        return F.Maximum.apply(self, self._wrap(o))

    def minimum(self, o: Any) -> Tensor:
        return -F.Maximum.apply(-self, -self._wrap(o))

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        out = self
        if min is not None:
            out = out.maximum(min)
        if max is not None:
            out = out.minimum(max)
        return out

    def min(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MaxResult:
        """Smallest element, or (values, indices) along `dim`, as PyTorch."""
        result = (-self).max(dim, keepdim)
        if dim is None:
            return -result
        return MaxResult(-result.values, result.indices)

    # -- elementwise functions -------------------------------------------------------
    def exp(self) -> Tensor:
        return F.Exp.apply(self)

    def log(self) -> Tensor:
        return F.Log.apply(self)

    def sqrt(self) -> Tensor:
        return F.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return F.Abs.apply(self)

    def relu(self) -> Tensor:
        return F.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return F.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return F.Tanh.apply(self)

    def __abs__(self) -> Tensor:
        return self.abs()

    def softmax(self, dim: int) -> Tensor:
        from .softmax import softmax

        return softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        from .softmax import log_softmax

        return log_softmax(self, dim)

    # -- reductions ----------------------------------------------------------------------
    def _dims(self, dim: int | tuple[int, ...] | None, op: str) -> list[int]:
        if dim is None:
            return list(range(self.dim()))
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        return sorted({normalize_dim(d, self.dim(), op) for d in dims})

    def sum(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        if self.dim() == 0:
            return self
        dims = self._dims(dim, "sum")
        out = self
        for d in dims:
            out = F.Sum.apply(out, dim=d)
        return out if keepdim else out._drop(dims)

    def mean(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        count = prod([self.shape[d] for d in self._dims(dim, "mean")]) if self.dim() else 1
        return self.sum(dim, keepdim) / float(count)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MaxResult:
        """Without `dim`: the largest element. With `dim`: (values, indices), as PyTorch."""
        if dim is None:
            flat = self.reshape(-1) if self.dim() != 1 else self
            return F.Max.apply(flat, dim=0).reshape(())
        if self.dim() == 0:  # PyTorch accepts dim 0 / -1 on a 0-d tensor
            normalize_dim(dim, 0, "max")
            values, indices = self.reshape(1).max(0)
            return MaxResult(values.reshape(()), indices.reshape(()))
        d = normalize_dim(dim, self.dim(), "max")
        values = F.Max.apply(self, dim=d)
        indices = K.reduce_op("argmax", self.detach(), d)
        if not keepdim:
            values, indices = values._drop([d]), indices._drop([d])
        return MaxResult(values, indices)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the first maximum, as a float tensor of this dtype."""
        if dim is None or self.dim() == 0:
            if dim is not None:
                normalize_dim(dim, 0, "argmax")
            return K.reduce_op("argmax", self.detach().reshape(-1), 0).reshape(())
        d = normalize_dim(dim, self.dim(), "argmax")
        out = K.reduce_op("argmax", self.detach(), d)
        return out if keepdim else out._drop([d])

    def _drop(self, dims: list[int]) -> Tensor:
        shape = tuple(s for i, s in enumerate(self.shape) if i not in dims)
        return self.view(*shape)

    # -- graph export -------------------------------------------------------------------
    def to_dot(self) -> str:
        from .dot import tensor_to_dot

        return tensor_to_dot(self)


class _ConvertFunction(Function):
    """Backend or dtype conversion; the gradient converts back."""

    @staticmethod
    def forward(ctx, a: Tensor, out: Tensor) -> Tensor:
        ctx.params["source"] = (a.backend, a.dtype)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        backend, dtype = ctx.params["source"]
        from .creation import _from_numpy

        return _from_numpy(grad.numpy().astype(dtype.numpy), backend, dtype)
