"""Embedding: a lookup table from integer ids to learned vectors.

Looking a batch of ids up is ``index_select`` on the weight's rows, whose
backward adds each output row's gradient back into the row it came from, so
an id used twice collects both gradients. A ``padding_idx`` row is read as
usual but receives no gradient, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Embedding", "embedding"]


def _padding_index(padding_idx: int | None, rows: int, op: str) -> int | None:
    """`padding_idx` as a row number in [0, rows) (negative counts from the end)."""
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise ValueError(f"{op}: padding_idx must be within num_embeddings ({rows}), "
                         f"got {padding_idx}")
    return padding_idx + rows if padding_idx < 0 else padding_idx


def _check_indices(input: Any, weight: Tensor) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding: input must be a Tensor of int64 or int32 indices, "
                        f"got {type(input).__name__}")
    if input.dtype not in (mt.int64, mt.int32):
        raise TypeError(f"embedding: indices must be an int64 or int32 tensor, got "
                        f"{input.dtype.name}; convert them with .long()")
    if input.numel() == 0:
        return
    rows = weight.shape[0]
    high, low = int(input.max().item()), int(input.min().item())
    if high >= rows or low < 0:
        bad = high if high >= rows else low
        raise IndexError(f"embedding: index {bad} is out of range for an embedding of "
                         f"{rows} rows (weight shape {weight.shape}); indices must be in "
                         f"[0, {rows})")


def _renorm_(weight: Tensor, flat: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale, in place, each row named in `flat` whose `norm_type`-norm exceeds `max_norm`
    down to norm `max_norm` (PyTorch's embedding_renorm_)."""
    with mt.no_grad():
        norms = (weight.abs() ** norm_type).sum(1) ** (1.0 / norm_type)
        used = weight.new_zeros(weight.shape[0]).scatter_(0, flat, value=1.0)
        too_long = (used > 0) & (norms > max_norm)
        scale = mt.where(too_long, max_norm / (norms + 1e-7), weight._constant(1.0))
        weight.mul_(scale.unsqueeze(1))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of `weight` at the ids in `input`.

    Args:
        input: int64 or int32 ids of any shape, each in [0, num_embeddings).
        weight: (num_embeddings, embedding_dim).
        padding_idx: a row that receives no gradient (its value is returned as is).
        max_norm: if given, every row looked up whose ``norm_type``-norm is
            above it is first rescaled in place to norm ``max_norm``.
        norm_type: the p of the p-norm for ``max_norm`` (default 2).
        scale_grad_by_freq, sparse: not supported (must be False).

    Shape:
        input (*) -> output (*, embedding_dim).
    """
    if weight.dim() != 2:
        raise ValueError(f"embedding: weight must be 2-d (num_embeddings, embedding_dim), "
                         f"got shape {weight.shape}")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are "
                                  "not supported")
    _check_indices(input, weight)
    padding_idx = _padding_index(padding_idx, weight.shape[0], "embedding")
    flat = input.reshape(-1)
    if max_norm is not None:
        _renorm_(weight, flat, max_norm, norm_type)
    rows = weight.index_select(0, flat)
    if padding_idx is not None:
        # The same values either way; only the detached branch is taken at padding ids,
        # so no gradient reaches the padding row.
        rows = mt.where((flat != padding_idx).unsqueeze(1), rows, rows.detach())
    return rows.reshape(*input.shape, weight.shape[1])


class Embedding(Module):
    """A table of `num_embeddings` learned vectors of size `embedding_dim`, indexed by id.

    Args:
        num_embeddings: the number of rows (the vocabulary size).
        embedding_dim: the size of each vector.
        padding_idx: a row initialized to zeros that receives no gradient, so
            it stays what it is (e.g. the padding token's vector).
        max_norm, norm_type: renormalize looked-up rows, see `embedding`.
        scale_grad_by_freq, sparse: not supported (must be False).
        _weight: use this (num_embeddings, embedding_dim) tensor as the
            initial weight (shared, not copied) instead of a random one.
        _freeze: with ``_weight``: the weight does not require grad.
        backend, dtype: where and how the weight is created.

    Shape:
        input (*) of int64/int32 ids -> output (*, embedding_dim).

    Init:
        weight ~ N(0, 1), the padding row zeroed, as PyTorch.

    Example::

        emb = Embedding(10, 3, padding_idx=0)
        emb(mt.tensor([[1, 2, 0], [4, 4, 9]])).shape    # (2, 3, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False, backend: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if num_embeddings < 0 or embedding_dim < 0:
            raise ValueError(f"Embedding: sizes must be >= 0, got {num_embeddings}, "
                             f"{embedding_dim}")
        if scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: scale_grad_by_freq and sparse gradients are "
                                      "not supported")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "Embedding")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(mt.zeros(num_embeddings, embedding_dim, dtype=dtype,
                                             backend=backend))
            self.reset_parameters()
        else:
            if _weight.shape != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {_weight.shape}, expected "
                                 f"(num_embeddings, embedding_dim) = "
                                 f"{(num_embeddings, embedding_dim)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with mt.no_grad():
                self.weight[self.padding_idx] = 0.0

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose weight is `embeddings` (2-d, shared, not copied); with
        ``freeze`` (the default) it is not trained. The padding row is kept as given."""
        if not isinstance(embeddings, Tensor) or embeddings.dim() != 2:
            shape = getattr(embeddings, "shape", type(embeddings).__name__)
            raise ValueError(f"Embedding.from_pretrained: embeddings must be a 2-d Tensor "
                             f"(num_embeddings, embedding_dim), got {shape}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=embeddings,
                   _freeze=freeze)

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2.0:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text
