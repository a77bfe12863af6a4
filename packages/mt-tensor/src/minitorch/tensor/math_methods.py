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
from .dtype import DType, bool_, require_float
from .promotion import floating, operands, widened
from .shape import normalize_dim, prod

if TYPE_CHECKING:
    from .tensor import Tensor

MaxResult = namedtuple("MaxResult", ["values", "indices"])


class MathMethods:
    """Arithmetic, comparisons, elementwise functions and reductions of `Tensor`."""

    if TYPE_CHECKING:  # what these methods use from the rest of Tensor
        @property
        def shape(self) -> tuple[int, ...]: ...
        dtype: DType
        def dim(self) -> int: ...
        def numel(self) -> int: ...
        def _wrap(self, other: Any) -> Tensor: ...
        def _constant(self, value: float) -> Tensor: ...
        def detach(self) -> Tensor: ...
        def clone(self) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def view(self, *shape: Any) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...

    # -- arithmetic: operands first meet PyTorch's type promotion (promotion.py) --------
    def _arith(self, o: Any, op: str) -> tuple[Tensor, Tensor]:
        a, b = operands(cast("Tensor", self), o)
        if a.dtype is bool_:  # minitorch computes bool arithmetic in int64 (see design notes)
            if op in ("sub", "neg"):
                raise TypeError(f"{op}: subtraction / negation of bool tensors is not "
                                f"supported; use ~ or logical_xor")
            a, b = widened(a), widened(b)
        return a, b

    def __add__(self, o: Any) -> Tensor:
        if isinstance(o, MathMethods) and o.dtype is self.dtype is not bool_:  # fast path
            return F.Add.apply(self, o)
        return F.Add.apply(*self._arith(o, "add"))

    def __radd__(self, o: Any) -> Tensor:
        a, b = self._arith(o, "add")
        return F.Add.apply(b, a)

    def __sub__(self, o: Any) -> Tensor:
        if isinstance(o, MathMethods) and o.dtype is self.dtype is not bool_:  # fast path
            return F.Sub.apply(self, o)
        return F.Sub.apply(*self._arith(o, "sub"))

    def __rsub__(self, o: Any) -> Tensor:
        a, b = self._arith(o, "sub")
        return F.Sub.apply(b, a)

    def __mul__(self, o: Any) -> Tensor:
        if isinstance(o, MathMethods) and o.dtype is self.dtype is not bool_:  # fast path
            return F.Mul.apply(self, o)
        return F.Mul.apply(*self._arith(o, "mul"))

    def __rmul__(self, o: Any) -> Tensor:
        a, b = self._arith(o, "mul")
        return F.Mul.apply(b, a)

    def __truediv__(self, o: Any) -> Tensor:
        if isinstance(o, MathMethods) and o.dtype is self.dtype and self.dtype.category == 2:
            return F.Div.apply(self, o)
        a, b = operands(cast("Tensor", self), o)
        return F.Div.apply(floating(a), floating(b))

    def __rtruediv__(self, o: Any) -> Tensor:
        a, b = operands(cast("Tensor", self), o)
        return F.Div.apply(floating(b), floating(a))

    def __floordiv__(self, o: Any) -> Tensor:
        a, b = self._arith(o, "floordiv")
        return K.zip_op("floordiv", a, b)

    def __rfloordiv__(self, o: Any) -> Tensor:
        a, b = self._arith(o, "floordiv")
        return K.zip_op("floordiv", b, a)

    def __mod__(self, o: Any) -> Tensor:
        a, b = self._arith(o, "mod")
        return K.zip_op("mod", a, b)

    def __rmod__(self, o: Any) -> Tensor:
        a, b = self._arith(o, "mod")
        return K.zip_op("mod", b, a)

    def __neg__(self) -> Tensor:
        if self.dtype is bool_:
            raise TypeError("neg: negation, the `-` operator, on a bool tensor is not "
                            "supported; use ~ instead")
        return F.Neg.apply(self)

    def __pow__(self, exponent: Any) -> Tensor:
        return F.Pow.apply(*self._arith(exponent, "pow"))

    def __rpow__(self, base: Any) -> Tensor:
        a, b = self._arith(base, "pow")
        return F.Pow.apply(b, a)

    def pow(self, exponent: Any) -> Tensor:
        return self ** exponent

    def __matmul__(self, o: Tensor) -> Tensor:
        return self.matmul(o)

    def matmul(self, other: Tensor) -> Tensor:
        if self.dim() == 0 or other.dim() == 0:
            raise ValueError(f"matmul: both operands need at least 1 dim, got {self.shape} and {other.shape}")
        a, other = operands(cast("Tensor", self), other)
        a = a.unsqueeze(0) if self.dim() == 1 else a
        b = other.unsqueeze(-1) if other.dim() == 1 else other
        out = F.MatMul.apply(a, b)
        if self.dim() == 1:
            out = out.squeeze(-2)
        if other.dim() == 1:
            out = out.squeeze(-1)
        return out

    # -- comparisons and logic: bool results, never recorded -------------------------------
    def _compare(self, op: str, o: Any) -> Tensor:
        return K.zip_op(op, *operands(cast("Tensor", self), o))

    def __lt__(self, o: Any) -> Tensor:
        return self._compare("lt", o)

    def __gt__(self, o: Any) -> Tensor:
        return self._compare("gt", o)

    def __le__(self, o: Any) -> Tensor:
        return self._compare("le", o)

    def __ge__(self, o: Any) -> Tensor:
        return self._compare("ge", o)

    def __eq__(self, o: Any) -> Tensor:  # type: ignore[override]
        return self._compare("eq", o)

    def __ne__(self, o: Any) -> Tensor:  # type: ignore[override]
        return self._compare("ne", o)

    __hash__ = object.__hash__

    def eq(self, o: Any) -> Tensor:
        return self == o

    def ne(self, o: Any) -> Tensor:
        return self != o

    def lt(self, o: Any) -> Tensor:
        return self < o

    def le(self, o: Any) -> Tensor:
        return self <= o

    def gt(self, o: Any) -> Tensor:
        return self > o

    def ge(self, o: Any) -> Tensor:
        return self >= o

    def is_close(self, o: Any) -> Tensor:
        return self._compare("is_close", o)

    def _logic(self, op: str, o: Any) -> Tensor:
        a, b = operands(cast("Tensor", self), o)
        if a.dtype is not bool_:
            raise TypeError(f"{op}: minitorch's &, |, ^ and ~ take bool tensors, got "
                            f"{a.dtype.name}")
        return K.zip_op(op, a, b)

    def __and__(self, o: Any) -> Tensor:
        return self._logic("and", o)

    def __or__(self, o: Any) -> Tensor:
        return self._logic("or", o)

    def __xor__(self, o: Any) -> Tensor:
        return self._logic("xor", o)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self.dtype is not bool_:
            raise TypeError(f"invert: minitorch's ~ takes bool tensors, got {self.dtype.name}")
        return K.map_op("not", cast("Tensor", self))

    def logical_not(self) -> Tensor:
        return K.map_op("not", K.cast(cast("Tensor", self), bool_))

    def logical_and(self, o: Any) -> Tensor:
        return K.cast(cast("Tensor", self), bool_)._logic("and", K.cast(self._wrap(o), bool_))

    def logical_or(self, o: Any) -> Tensor:
        return K.cast(cast("Tensor", self), bool_)._logic("or", K.cast(self._wrap(o), bool_))

    def maximum(self, o: Any) -> Tensor:
        a, b = operands(cast("Tensor", self), o)
        if a.dtype is bool_:
            return K.zip_op("or", a, b)
        return F.Maximum.apply(a, b)

    def minimum(self, o: Any) -> Tensor:
        a, b = operands(cast("Tensor", self), o)
        if a.dtype is bool_:
            return K.zip_op("and", a, b)
        return -F.Maximum.apply(-a, -b)

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
        if self.dtype is bool_:
            return _as_bool(widened(cast("Tensor", self)).min(dim, keepdim))
        if dim is None:
            return -(-self)._max_all()
        values, indices = (-self)._max_dim(dim, keepdim)
        return MaxResult(-values, indices)

    # -- elementwise functions -------------------------------------------------------
    def exp(self) -> Tensor:
        return F.Exp.apply(floating(cast("Tensor", self)))

    def log(self) -> Tensor:
        return F.Log.apply(floating(cast("Tensor", self)))

    def sqrt(self) -> Tensor:
        return F.Sqrt.apply(floating(cast("Tensor", self)))

    def abs(self) -> Tensor:
        return F.Abs.apply(self)

    def relu(self) -> Tensor:
        return F.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return F.Sigmoid.apply(floating(cast("Tensor", self)))

    def tanh(self) -> Tensor:
        return F.Tanh.apply(floating(cast("Tensor", self)))

    def sin(self) -> Tensor:
        return F.Sin.apply(floating(cast("Tensor", self)))

    def cos(self) -> Tensor:
        return F.Cos.apply(floating(cast("Tensor", self)))

    def reciprocal(self) -> Tensor:
        return F.Inv.apply(floating(cast("Tensor", self)))

    def sign(self) -> Tensor:
        return K.map_op("sign", cast("Tensor", self))

    def __abs__(self) -> Tensor:
        return self.abs()

    def softmax(self, dim: int) -> Tensor:
        from .softmax import softmax

        require_float(self.dtype, "softmax")
        return softmax(cast("Tensor", self), dim)

    def log_softmax(self, dim: int) -> Tensor:
        from .softmax import log_softmax

        require_float(self.dtype, "log_softmax")
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
            return widened(self.clone())  # a new tensor, as every reduction returns
        dims = self._dims(dim, "sum")
        out = widened(cast("Tensor", self))  # bool and int32 sum to int64, as in PyTorch
        for d in dims:
            out = F.Sum.apply(out, dim=d)
        return out if keepdim else out._drop(dims)

    def var(self, dim: int | tuple[int, ...] | None = None, unbiased: bool | None = None,
            keepdim: bool = False, *, correction: float | None = None) -> Tensor:
        """Variance over `dim` with `correction` (default 1: Bessel's), as PyTorch."""
        if unbiased is not None and correction is not None:
            raise ValueError("var: give unbiased= or correction=, not both")
        c = correction if correction is not None else (0.0 if unbiased is False else 1.0)
        require_float(self.dtype, "var")
        count = prod([self.shape[d] for d in self._dims(dim, "var")]) if self.dim() else 1
        centered = self - self.mean(dim, keepdim=True)
        return (centered * centered).sum(dim, keepdim) / max(float(count) - c, 0.0)

    def std(self, dim: int | tuple[int, ...] | None = None, unbiased: bool | None = None,
            keepdim: bool = False, *, correction: float | None = None) -> Tensor:
        """Standard deviation: the square root of `var`."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def mean(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        if not self.dtype.is_floating_point:
            raise TypeError(f"mean(): could not infer output dtype. Input dtype must be a "
                            f"floating point dtype, got {self.dtype.name}; use .float().mean()")
        count = prod([self.shape[d] for d in self._dims(dim, "mean")]) if self.dim() else 1
        return self.sum(dim, keepdim) / float(count)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MaxResult:
        """Without `dim`: the largest element. With `dim`: (values, indices), as PyTorch."""
        if self.dtype is bool_:
            return _as_bool(widened(cast("Tensor", self)).max(dim, keepdim))
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
        """Index of the first maximum, as an int64 tensor."""
        if self.dtype is bool_:
            return widened(cast("Tensor", self)).argmax(dim, keepdim)
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

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the first minimum, as an int64 tensor."""
        return (-widened(cast("Tensor", self))).argmax(dim, keepdim)

    def _drop(self, dims: list[int]) -> Tensor:
        shape = tuple(s for i, s in enumerate(self.shape) if i not in dims)
        return self.view(*shape)


def _as_bool(result: Any) -> Any:
    """A max / min computed on int64 copies of bools, with bool values again."""
    if isinstance(result, MaxResult):
        return MaxResult(K.cast(result.values, bool_), result.indices)
    return K.cast(result, bool_)
