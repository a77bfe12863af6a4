"""Functions of the torch namespace built from Tensor methods: topk, bmm, einsum,
and the function forms of methods (``mt.sin(x)``, ``mt.gather(x, 1, idx)``).

Nothing here computes on elements: each function composes Tensor methods, so
autodiff and every backend come for free.
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from . import advanced
from . import dispatch as K
from .dtype import DEFAULT_DTYPE, DType, as_dtype, result_type, scalar_dtype
from .shape import Size, normalize_dim

if TYPE_CHECKING:
    from .tensor import Tensor

TopK = namedtuple("TopK", ["values", "indices"])


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopK:  # noqa: A002
    """The `k` largest (or smallest) entries along `dim`, in order, and their indices.

    Found by k rounds of argmax (each masks its pick), so it suits the small k
    of top-k accuracy and beam search; NaN counts as the largest, as in PyTorch.
    """
    from minitorch.tensor import cat

    from .promotion import widened

    d = normalize_dim(dim, max(x.dim(), 1), "topk")
    n = x.shape[d] if x.dim() else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k={k} out of range for dim {d} of size {n}")
    work = widened(x.detach()) if x.dtype.name == "bool" else x.detach()
    work = K.contiguous_copy(work if largest else -work)
    if work.dtype.is_floating_point:
        lowest: Any = -float("inf")
    else:
        lowest = int(np.iinfo(work.dtype.numpy).min)
    picks = []
    for _ in range(k):
        index = K.reduce_op("argmax", work, d)
        picks.append(index)
        advanced.scatter_(work, d, index, lowest)
    shape = list(x.shape)
    shape[d] = 0
    indices = cat(picks, d) if picks else K.empty(tuple(shape), x).long()
    return TopK(x.gather(d, indices), indices)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product of (B, n, k) and (B, k, m) tensors (no broadcasting)."""
    if a.dim() != 3 or b.dim() != 3 or a.shape[0] != b.shape[0]:
        raise RuntimeError(f"bmm: expected 3-d tensors with the same batch size, got {a.shape} "
                           f"and {b.shape}")
    return a.matmul(b)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation (``einsum("bij,bjk->bik", a, b)``), without ``...``.

    Computed as one broadcast product over all subscripts, summed over those not
    in the output: differentiable on every backend, but it holds the full
    product in memory (use matmul for large contractions).
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    if "." in eq:
        raise ValueError(f"einsum: ellipsis ('...') is not supported, got {equation!r}")
    inputs, arrow, output = eq.partition("->")
    subs = inputs.split(",")
    if len(subs) != len(operands):
        raise ValueError(f"einsum: {equation!r} names {len(subs)} operands, got {len(operands)}")
    for s, t in zip(subs, operands):
        if len(s) != t.dim() or not s.isalpha():
            raise ValueError(f"einsum: subscripts {s!r} do not fit an operand of shape {t.shape}")
    if not arrow:  # implicit output: the letters used once, alphabetically
        counts = {c: inputs.count(c) for c in set(inputs) - {","}}
        output = "".join(sorted(c for c, n in counts.items() if n == 1))
    letters = list(dict.fromkeys(output + "".join(subs)))
    if len(set(output)) != len(output) or any(c not in inputs for c in output):
        raise ValueError(f"einsum: bad output subscripts {output!r} in {equation!r}")
    sizes: dict[str, int] = {}
    product: Tensor | None = None
    for s, t in zip(subs, operands):
        t = _diagonals(s, t, sizes)
        s = "".join(dict.fromkeys(s))
        for c, n in zip(s, t.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise ValueError(f"einsum: subscript {c!r} has sizes {sizes[c]} and {n}")
            sizes[c] = builtins.max(sizes[c], n)
        order = sorted(range(len(s)), key=lambda i: letters.index(s[i]))
        t = t.permute(*order) if order != list(range(len(s))) else t
        placed = [c for c in letters if c in s]
        t = t.reshape(*[sizes[c] if c in placed else 1 for c in letters]) if letters else t
        product = t if product is None else product * t
    assert product is not None
    summed = [i for i, c in enumerate(letters) if c not in output]
    out = product.sum(tuple(summed)) if summed else product
    return out.expand(*[sizes[c] for c in output]) if output else out


def _diagonals(s: str, t: Tensor, sizes: dict[str, int]) -> Tensor:
    """A repeated subscript within one operand ("ii") keeps only the diagonal: multiply
    by an identity mask and sum the second occurrence out."""
    from .creation import eye

    while len(set(s)) != len(s):
        c = next(c for c in s if s.count(c) > 1)
        i, j = s.index(c), s.index(c, s.index(c) + 1)
        n = t.shape[i]
        if t.shape[j] != n:
            raise ValueError(f"einsum: repeated subscript {c!r} needs equal sizes, got "
                             f"{t.shape[i]} and {t.shape[j]}")
        mask_shape = [1] * t.dim()
        mask_shape[i], mask_shape[j] = n, n
        mask = eye(n, dtype=t.dtype if t.dtype.is_floating_point else DEFAULT_DTYPE,
                   backend=t.backend).reshape(*mask_shape)
        t = (t * mask).sum(j)
        s = s[:j] + s[j + 1:]
    return t


def promote_types(a: Any, b: Any) -> DType:
    """The dtype two tensors of dtypes `a` and `b` (both with dims) combine to."""
    return result_type(as_dtype(a), 1, as_dtype(b), 1)


def result_type_of(a: Any, b: Any) -> DType:
    """PyTorch's ``result_type`` for tensors and Python numbers."""
    from .tensor import Tensor

    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return result_type(a.dtype, a.dim(), b.dtype, b.dim())
    if isinstance(a, Tensor):
        return scalar_dtype(b, a.dtype)
    if isinstance(b, Tensor):
        return scalar_dtype(a, b.dtype)
    raise TypeError("result_type: at least one argument must be a tensor")


def get_default_dtype() -> DType:
    return DEFAULT_DTYPE


def _method(name: str) -> Any:
    def fn(t: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(t, name)(*args, **kwargs)
    fn.__name__ = name
    fn.__doc__ = f"``mt.{name}(t, ...)`` is ``t.{name}(...)``."
    return fn


# Function forms of Tensor methods, as the torch namespace has them.
METHOD_FUNCTIONS = (
    "sin", "cos", "pow", "eq", "ne", "lt", "le", "gt", "ge", "logical_not", "logical_and",
    "logical_or", "argmin", "clamp", "minimum", "reciprocal", "sign", "gather", "scatter",
    "scatter_add", "index_select", "masked_fill", "masked_select", "numel", "reshape",
    "transpose", "permute", "squeeze", "unsqueeze", "log_softmax", "softmax", "is_floating_point",
)
FUNCTIONS = {name: _method(name) for name in METHOD_FUNCTIONS}


def nonzero(t: Tensor, *, as_tuple: bool = False) -> Any:
    return advanced.nonzero(t, as_tuple)


def floor_divide(a: Tensor, b: Any) -> Tensor:
    return a // b


def remainder(a: Tensor, b: Any) -> Tensor:
    return a % b


__all__ = ["Size", "TopK", "bmm", "einsum", "floor_divide", "get_default_dtype", "nonzero",
           "promote_types", "remainder", "result_type_of", "topk"]
