"""The Tensor methods that compute: operators, elementwise functions, reductions.

`Tensor` inherits these (a mixin: see tensor.py). Each method is one line
over a Function in `functions.py` or a kernel in `dispatch`; the in-place
operators (`+=`, ...) live with the other in-place methods on `Tensor`
itself (tensor.py).
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any, cast

from . import dispatch as K
from . import functions as F
from .shape import normalize_dim, prod

if TYPE_CHECKING:
    from .tensor import Tensor

MaxResult = namedtuple("MaxResult", ["values", "indices"])


class MathMethods:
    """Arithmetic, comparisons, elementwise functions and reductions of `Tensor`."""

    if TYPE_CHECKING:  # what these methods use from the rest of Tensor
        @property
        def shape(self) -> tuple[int, ...]: ...
        def dim(self) -> int: ...
        def numel(self) -> int: ...
        def _wrap(self, other: Any) -> Tensor: ...
        def _constant(self, value: float) -> Tensor: ...
        def detach(self) -> Tensor: ...
        def clone(self) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def view(self, *shape: Any) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...

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
        if isinstance(exponent, MathMethods):
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
        return K.zip_op(op, cast("Tensor", self), self._wrap(o), name)

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
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        out = cast("Tensor", self)
        if min is not None:
            out = out.maximum(min)
        if max is not None:
            out = out.minimum(max)
        return out

    def min(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MaxResult:
        """Smallest element, or (values, indices) along `dim`, as PyTorch."""
        if dim is None:
            return -(-self)._max_all()
        values, indices = (-self)._max_dim(dim, keepdim)
        return MaxResult(-values, indices)

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

        return softmax(cast("Tensor", self), dim)

    def log_softmax(self, dim: int) -> Tensor:
        from .softmax import log_softmax

        return log_softmax(cast("Tensor", self), dim)

    # -- reductions ----------------------------------------------------------------------
    def _dims(self, dim: int | tuple[int, ...] | None, op: str) -> list[int]:
        if dim is None:
            return list(range(self.dim()))
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        return sorted({normalize_dim(d, self.dim(), op) for d in dims})

    def sum(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        if self.dim() == 0:
            if dim is not None:
                for d in dim if isinstance(dim, (tuple, list)) else (dim,):
                    normalize_dim(d, 0, "sum")
            return self.clone()  # a new tensor, as every reduction returns
        dims = self._dims(dim, "sum")
        out = cast("Tensor", self)
        for d in dims:
            out = F.Sum.apply(out, dim=d)
        return out if keepdim else out._drop(dims)

    def var(self, dim: int | tuple[int, ...] | None = None, unbiased: bool | None = None,
            keepdim: bool = False, *, correction: float | None = None) -> Tensor:
        """Variance over `dim` with `correction` (default 1: Bessel's), as PyTorch."""
        if unbiased is not None and correction is not None:
            raise ValueError("var: give unbiased= or correction=, not both")
        c = correction if correction is not None else (0.0 if unbiased is False else 1.0)
        count = prod([self.shape[d] for d in self._dims(dim, "var")]) if self.dim() else 1
        centered = self - self.mean(dim, keepdim=True)
        return (centered * centered).sum(dim, keepdim) / max(float(count) - c, 0.0)

    def std(self, dim: int | tuple[int, ...] | None = None, unbiased: bool | None = None,
            keepdim: bool = False, *, correction: float | None = None) -> Tensor:
        """Standard deviation: the square root of `var`."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def mean(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        count = prod([self.shape[d] for d in self._dims(dim, "mean")]) if self.dim() else 1
        return self.sum(dim, keepdim) / float(count)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MaxResult:
        """Without `dim`: the largest element. With `dim`: (values, indices), as PyTorch."""
        return self._max_all() if dim is None else self._max_dim(dim, keepdim)

    def _max_all(self) -> Tensor:
        if self.numel() == 0:
            raise RuntimeError(
                f"max(): Expected reduction dim to be specified for input.numel() == 0 "
                f"(shape {self.shape}); give dim="
            )
        flat = self.reshape(-1) if self.dim() != 1 else self
        return F.Max.apply(flat, dim=0).reshape(())

    def _max_dim(self, dim: int, keepdim: bool) -> MaxResult:
        if self.dim() == 0:  # PyTorch accepts dim 0 / -1 on a 0-d tensor
            normalize_dim(dim, 0, "max")
            values, indices = self.reshape(1)._max_dim(0, False)
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
            if self.numel() == 0:
                raise RuntimeError(f"argmax(): Expected reduction dim to be specified for "
                                   f"input.numel() == 0 (shape {self.shape})")
            return K.reduce_op("argmax", self.detach().reshape(-1), 0).reshape(())
        d = normalize_dim(dim, self.dim(), "argmax")
        out = K.reduce_op("argmax", self.detach(), d)
        return out if keepdim else out._drop([d])

    def _drop(self, dims: list[int]) -> Tensor:
        shape = tuple(s for i, s in enumerate(self.shape) if i not in dims)
        return self.view(*shape)
