"""The losses of minitorch.nn.functional, with PyTorch's signatures, defaults and reductions.

Import them from `minitorch.nn.functional` (as `F.cross_entropy`, ...); they
live here to keep each file readable. They are composed from tensor ops on
the input's backend. Two have a backward of their own: binary_cross_entropy
(PyTorch's clamped gradient at 0 and 1) and binary_cross_entropy_with_logits
(the exact gradient at a logit of 0).

Where minitorch is stricter than PyTorch it says so: the regression losses
refuse a target whose shape differs from the input's (PyTorch broadcasts
with a warning). Where it is looser it says so too: class-index targets may
be int32 as well as int64, or a Python list of ints.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Function, Tensor
from minitorch.tensor import dispatch as K
from minitorch.tensor.cross_entropy import cross_entropy as fused_cross_entropy

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "check_reduction",
    "cross_entropy", "huber_loss", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss",
]

REDUCTIONS = ("mean", "sum", "none")
INDEX_DTYPES = (mt.int64, mt.int32)


# -- arguments shared by the losses ----------------------------------------------------
def check_reduction(reduction: str, op: str, size_average: bool | None = None,
                    reduce: bool | None = None) -> str:
    """The reduction to use (checked); PyTorch's deprecated size_average / reduce, when
    given, override it as in PyTorch: reduce=False -> "none", size_average=False -> "sum"."""
    for name, flag in (("size_average", size_average), ("reduce", reduce)):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"{op}: {name} must be a bool or None (deprecated), got {flag!r}; "
                            f"pass the reduction by keyword: reduction={flag!r}")
    if size_average is not None or reduce is not None:
        keep_dims = reduce is False
        reduction = "none" if keep_dims else ("sum" if size_average is False else "mean")
        warnings.warn(f"{op}: size_average and reduce are deprecated, please use "
                      f"reduction={reduction!r} instead", UserWarning, stacklevel=3)
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{op}: unknown reduction {reduction!r}; choose one of {', '.join(REDUCTIONS)}"
        )
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _like(value: Any, input: Tensor) -> Tensor:
    """A target as a tensor: a list or an array takes the input's dtype and backend."""
    if isinstance(value, Tensor):
        return value
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"target: expected a Tensor, list or array of numbers: {err}") from None
    return mt.tensor(array, dtype=input.dtype, backend=input.backend)


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: input shape {input.shape} and target shape {target.shape} must match "
            "(minitorch does not broadcast a loss's target)"
        )


def _elementwise_weight(weight: Tensor | None, input: Tensor, op: str) -> Tensor | None:
    """A per-element weight, broadcast to the input's shape (never beyond it)."""
    if weight is None:
        return None
    try:
        return weight.expand(*input.shape)
    except ValueError:
        raise ValueError(f"{op}: weight of shape {weight.shape} does not broadcast to the "
                         f"input's shape {input.shape}") from None


# -- classification --------------------------------------------------------------------
def _class_target(target: Any, input: Tensor, op: str) -> Tensor:
    """Class indices as an integer tensor; a list / int array of ints is accepted too."""
    if not isinstance(target, Tensor):
        array = np.asarray(target)
        if array.dtype.kind not in "iu":
            raise TypeError(f"{op}: expected int64 class indices as target (a Tensor), got "
                            f"{type(target).__name__} of {array.dtype}")
        return mt.tensor(array.astype(np.int64), dtype=mt.int64, backend=input.backend)
    if target.dtype not in INDEX_DTYPES:
        hint = (f"convert it with target.long() (class probabilities must have the input's "
                f"shape {input.shape})" if target.dtype.is_floating_point else "use .long()")
        raise TypeError(f"{op}: expected int64 class indices as target, got a "
                        f"{target.dtype.name} tensor of shape {target.shape}; {hint}")
    return target


def _class_weight(weight: Tensor | None, input: Tensor, classes: int, op: str) -> Tensor | None:
    if weight is None:
        return None
    if weight.shape != (classes,):
        raise ValueError(f"{op}: weight should hold one value for each of the {classes} "
                         f"classes, got shape {weight.shape}")
    return weight if weight.dtype is input.dtype else weight.to(input.dtype)


def _nll_terms(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
               op: str) -> tuple[Tensor, Tensor, Tensor]:
    """For input (N, C, d...) and target (N, d...): each target's -w[t] * input[n, t, d...],
    its weight w[t] (1 without weights) and whether it is kept; 0 where ignored."""
    expected = input.shape[:1] + input.shape[2:]
    if target.shape[:1] != input.shape[:1]:
        raise ValueError(f"{op}: Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0] if target.dim() else 'a 0-d target'})")
    if target.shape != expected:
        raise ValueError(f"{op}: Expected target size {expected}, got {target.shape} (input "
                         f"{input.shape}: the target drops the class dimension 1)")
    keep = target != ignore_index
    safe = mt.where(keep, target, 0)
    if safe.numel():
        low, high = int(safe.min().item()), int(safe.max().item())
        if low < 0 or high >= input.shape[1]:
            raise IndexError(f"{op}: Target {low if low < 0 else high} is out of bounds "
                             f"(input has {input.shape[1]} classes)")
    picked = -input.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = keep.to(input.dtype) if weight is None else weight[safe] * keep
    return picked * w, w, keep


def _as_batch(input: Tensor, target: Tensor, op: str) -> tuple[Tensor, Tensor]:
    """(C,) input with a 0-d (or one-element) target -> a batch of one."""
    if input.dim() == 0:
        raise ValueError(f"{op}: Expected 1 or more dimensions (got 0)")
    if input.dim() > 1:
        return input, target
    if target.numel() != 1 or target.dim() > 1:
        raise ValueError(f"{op}: for a 1-d input ({input.shape}) the target must be 0-d or hold "
                         f"one class index, got shape {target.shape}")
    return input.unsqueeze(0), target.reshape(1)


def _weighted_reduce(loss: Tensor, w: Tensor, reduction: str, shape: tuple[int, ...]) -> Tensor:
    """'mean' is PyTorch's weighted mean: divided by the kept targets' total weight
    (nan when every target is ignored)."""
    if reduction == "mean":
        return loss.sum() / w.sum()
    return loss.sum() if reduction == "sum" else loss.reshape(shape)


def nll_loss(input: Tensor, target: Any, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: -weight[t] * input[n, t] for t = target[n].

    Args:
        input: log-probabilities (N, C), (C,) for one sample, or (N, C, d1, ..., dk)
            (e.g. log_softmax's output along dim 1).
        target: int64 class indices (N,), 0-d, or (N, d1, ..., dk), each in [0, C)
            or equal to `ignore_index` (int32 and a list of ints are accepted too).
        weight: optional (C,) per-class weights.
        ignore_index: targets equal to it contribute nothing (nor to the mean's divisor).
        reduction: "mean" (weighted mean over the kept targets, PyTorch's), "sum" or
            "none" (the target's shape).

    Computed with `gather` on the input's own backend: no host round trip.
    """
    reduction = check_reduction(reduction, "nll_loss", size_average, reduce)
    target = _class_target(target, input, "nll_loss")
    shape = () if input.dim() == 1 else target.shape
    input, target = _as_batch(input, target, "nll_loss")
    weight = _class_weight(weight, input, input.shape[1], "nll_loss")
    loss, w, _ = _nll_terms(input, target, weight, ignore_index, "nll_loss")
    return _weighted_reduce(loss, w, reduction, shape)


def cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits: log_softmax along dim 1, then nll_loss.

    Args:
        input: logits (N, C), (C,) for one sample, or (N, C, d1, ..., dk).
        target: int64 class indices of the input's shape without dim 1 (see
            `nll_loss`; a float tensor of that shape is refused: call .long()),
            or float class probabilities with the input's own shape.
        weight: optional (C,) per-class weights.
        ignore_index: a class index that contributes nothing (class targets only).
        reduction: "mean", "sum" or "none". With class indices "mean" is the
            weighted mean over the kept targets; with probabilities it is the plain
            mean over the N * d1 * ... * dk samples.
        label_smoothing: ε in [0, 1]: the target becomes (1 - ε) one-hot + ε / C.
    """
    reduction = check_reduction(reduction, "cross_entropy", size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    if isinstance(target, Tensor) and target.shape == input.shape:
        return _soft_cross_entropy(input, target, weight, ignore_index, reduction,
                                   label_smoothing)
    target = _class_target(target, input, "cross_entropy")
    if (weight is None and label_smoothing == 0.0 and reduction != "none" and input.dim() == 2
            and target.shape == input.shape[:1] and target.backend is input.backend
            and not input.backend.is_gpu and input.dtype.is_floating_point):
        # The common case as one op (minitorch.tensor.cross_entropy); None: a batch
        # with an ignored target, which the composed route below handles.
        fused = fused_cross_entropy(input, target, ignore_index, reduction == "mean")
        if fused is not None:
            return fused
    if _on_device_rows(input, target, weight, label_smoothing):
        loss = _CrossEntropyRows.apply(input, target, ignore_index=ignore_index)
        return _weighted_reduce(loss, (target != ignore_index).to(input.dtype), reduction,
                                target.shape)
    shape = () if input.dim() == 1 else target.shape
    input, target = _as_batch(input, target, "cross_entropy")
    classes = input.shape[1]
    weight = _class_weight(weight, input, classes, "cross_entropy")
    logp = input.log_softmax(1)
    loss, w, keep = _nll_terms(logp, target, weight, ignore_index, "cross_entropy")
    if label_smoothing > 0.0:
        spread = logp if weight is None else logp * _per_class(weight, logp)
        smooth = mt.where(keep, -spread.sum(1), 0.0)
        loss = loss * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)
    return _weighted_reduce(loss, w, reduction, shape)


def _on_device_rows(input: Tensor, target: Tensor, weight: Tensor | None,
                    label_smoothing: float) -> bool:
    """Whether the backend's own cross-entropy kernels take this call: (N, C) logits,
    (N,) class indices on the same backend, no class weights or smoothing."""
    return (getattr(input.backend, "nll_rows", None) is not None
            and input.dim() == 2 and target.shape == input.shape[:1]
            and target.backend is input.backend and weight is None
            and label_smoothing == 0.0 and input.dtype.is_floating_point)


class _CrossEntropyRows(Function):
    """loss[n] = -log_softmax(x)[n, t[n]]; d/dx[n, c] = softmax(x)[n, c] - [c == t[n]].

    Runs on a backend with `nll_rows` / `cross_entropy_backward` kernels (the
    cuda backend): the targets are read on the device, with no one-hot and no
    host-side bounds check (a target out of range gives NaN; an ignored one, 0).
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, target: Tensor, ignore_index: int) -> Tensor:
        logp = K.contiguous(x.log_softmax(1))
        target = K.contiguous(target)
        rows, classes = x.shape
        out = K.output((rows,), x)
        backend: Any = x.backend  # a GPU backend's own kernel, not on Backend
        backend.nll_rows(K.buffer(out), K.buffer(logp), K.buffer(target), rows, classes,
                           ignore_index)
        ctx.save_for_backward(logp, target)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, None]:
        logp, target = ctx.saved_tensors
        rows, classes = logp.shape
        grad_x = K.output((rows, classes), logp)
        backend: Any = logp.backend
        backend.cross_entropy_backward(
            K.buffer(grad_x), K.buffer(logp), K.buffer(target), K.buffer(grad),
            grad._data.strides[0], rows, classes, ctx.params["ignore_index"])
        return grad_x, None


def _per_class(weight: Tensor, input: Tensor) -> Tensor:
    """(C,) weights shaped to broadcast along dim 1 of an (N, C, d...) input."""
    return weight.view(weight.shape[0], *([1] * (input.dim() - 2)))


def _soft_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None,
                        ignore_index: int, reduction: str, label_smoothing: float) -> Tensor:
    """Cross-entropy against class probabilities of the input's shape."""
    if not target.dtype.is_floating_point:
        raise TypeError(f"cross_entropy: a target of the input's shape {input.shape} holds class "
                        f"probabilities and must be floating point, got {target.dtype.name}")
    if ignore_index >= 0:
        raise ValueError("cross_entropy: ignore_index is not supported for class-probability "
                         "targets")
    if input.dim() == 0:
        raise ValueError("cross_entropy: Expected 1 or more dimensions (got 0)")
    dim = 1 if input.dim() > 1 else 0
    classes = input.shape[dim]
    weight = _class_weight(weight, input, classes, "cross_entropy")
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    terms = input.log_softmax(dim) * target
    if weight is not None:
        terms = terms * (weight if dim == 0 else _per_class(weight, input))
    return _reduce(-terms.sum(dim), reduction)


# PyTorch's floor under x (1 - x) in this gradient: 1e-12 rounded to float32, in every dtype.
_BCE_EPS = float(np.float32(1e-12))


class _BinaryCrossEntropy(Function):
    """loss = -(y log x + (1 - y) log(1 - x)), each log clamped at -100 (PyTorch's);
    d/dx = (x - y) / max(x (1 - x), ~1e-12), d/dy = log(1 - x) - log(x).

    A Function of its own so the gradient at x = 0 or 1 is PyTorch's large finite
    number, not the 0 * inf = nan that composing log and clamp gives.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, y: Tensor) -> Tensor:
        ctx.save_for_backward(x, y)
        log_x, log_rest = x.log().clamp(min=-100.0), (1.0 - x).log().clamp(min=-100.0)
        return -(y * log_x + (1.0 - y) * log_rest)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.saved_tensors
        dx = grad * (x - y) / (x * (1.0 - x)).clamp(min=_BCE_EPS)
        dy = grad * ((1.0 - x).log() - x.log()) if ctx.needs_input_grad[1] else None
        return dx, dy


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-[y log x + (1 - y) log(1 - x)] of probabilities x (e.g. sigmoid's output).

    Args:
        input: probabilities in [0, 1], any shape.
        target: floats in [0, 1] of the same shape (Tensor, list or array).
        weight: optional rescaling that broadcasts to the input's shape.
        reduction: "mean", "sum" or "none".

    Each log is clamped at -100, as PyTorch does, so x = 0 or 1 gives a finite loss.
    For logits use `binary_cross_entropy_with_logits` (stable, and no clamp).
    """
    op = "binary_cross_entropy"
    reduction = check_reduction(reduction, op, size_average, reduce)
    target = _like(target, input)
    _same_shape(input, target, op)
    low, high = (input.min().item(), input.max().item()) if input.numel() else (0.0, 1.0)
    if low < 0.0 or high > 1.0:
        raise ValueError(f"{op}: all elements of input should be between 0 and 1 (probabilities), "
                         f"got values in [{low:g}, {high:g}]; for logits use "
                         "binary_cross_entropy_with_logits")
    loss = _BinaryCrossEntropy.apply(input, target)
    weight = _elementwise_weight(weight, input, op)
    return _reduce(loss if weight is None else loss * weight, reduction)


class _BCEWithLogits(Function):
    """With s = softplus(-x) = log(1 + exp(-|x|)) + max(-x, 0) and pos_weight p:
    loss = (1 - y) x + (1 + (p - 1) y) s;
    d/dx = (1 - y + p y) sigmoid(x) - p y, d/dy = (p - 1) s - x, d/dp = y s.

    Without p it reads max(x, 0) - x y + log(1 + exp(-|x|)). A Function of its
    own because composing max and |x| gives the subgradient -y at x = 0 instead
    of the true 1/2 - y. `p`, when given, is the third input, expanded to x's shape.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, y: Tensor, *pos_weight: Tensor) -> Tensor:
        ctx.save_for_backward(x, y, *pos_weight)
        tail = ((-x.abs()).exp() + 1.0).log()
        if not pos_weight:
            return x.relu() - x * y + tail
        (p,) = pos_weight
        return (1.0 - y) * x + ((p - 1.0) * y + 1.0) * (tail + (-x).relu())

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, y, *pos_weight = ctx.saved_tensors
        wants = ctx.needs_input_grad
        if not pos_weight:
            return grad * (x.sigmoid() - y), grad * (-x) if wants[1] else None
        (p,) = pos_weight
        py = p * y
        softplus = ((-x.abs()).exp() + 1.0).log() + (-x).relu()
        dx = grad * ((1.0 - y + py) * x.sigmoid() - py)
        dy = grad * ((p - 1.0) * softplus - x) if wants[1] else None
        dp = grad * (y * softplus) if wants[2] else None
        return dx, dy, dp


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step (no overflow for |x| ~ 1e4).

    Args:
        input: logits, any shape.
        target: probabilities in [0, 1] of the same shape (Tensor, list or array).
        weight: optional rescaling that broadcasts to the input's shape.
        reduction: "mean", "sum" or "none".
        pos_weight: optional weight of the positive term, broadcast against the
            input (a (C,) tensor weighs each of C classes along the last dim):
            loss = -[p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))].
    """
    op = "binary_cross_entropy_with_logits"
    reduction = check_reduction(reduction, op, size_average, reduce)
    target = _like(target, input)
    if input.shape != target.shape:
        raise ValueError(f"{op}: Target size {target.shape} must be the same as input size "
                         f"{input.shape}")
    if pos_weight is None:
        loss = _BCEWithLogits.apply(input, target)
    else:
        try:
            p = pos_weight.expand(*input.shape)
        except ValueError:
            raise ValueError(f"{op}: pos_weight of shape {pos_weight.shape} does not broadcast "
                             f"to the input's shape {input.shape}") from None
        loss = _BCEWithLogits.apply(input, target, p)
    weight = _elementwise_weight(weight, input, op)
    return _reduce(loss if weight is None else loss * weight, reduction)


# -- regression ------------------------------------------------------------------------
def _difference(input: Tensor, target: Any, op: str) -> Tensor:
    target = _like(target, input)
    _same_shape(input, target, op)
    return input - target


def _weighted(loss: Tensor, weight: Tensor | None, reduction: str, op: str,
              mean_by_weight: bool = True) -> Tensor:
    """Reduce an elementwise loss, optionally weighted (weight must have the loss's shape).

    PyTorch divides a weighted 'mean' by the weights' sum for l1 and mse
    (``mean_by_weight``) and by the element count for huber.
    """
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != loss.shape:
        raise ValueError(f"{op}: weight must have the input's shape {loss.shape}, got "
                         f"{weight.shape}")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error |input - target|; d/dx at 0 is 0.

    Shapes must match: unlike PyTorch, no broadcasting of (N,) against (N, 1),
    which would silently compare every pair. ``weight`` (the input's shape)
    makes "mean" sum(w |d|) / sum(w).
    """
    reduction = check_reduction(reduction, "l1_loss", size_average, reduce)
    return _weighted(_difference(input, target, "l1_loss").abs(), weight, reduction, "l1_loss")


def mse_loss(input: Tensor, target: Any, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error (input - target)^2.

    Shapes must match (no silent broadcasting of (N,) against (N, 1), which
    PyTorch does with a warning). ``weight`` (the input's shape) makes "mean"
    sum(w d^2) / sum(w).
    """
    reduction = check_reduction(reduction, "mse_loss", size_average, reduce)
    diff = _difference(input, target, "mse_loss")
    return _weighted(diff * diff, weight, reduction, "mse_loss")


def smooth_l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target).

    ``beta=0`` is exactly l1_loss. Shapes must match (no broadcasting).
    """
    op = "smooth_l1_loss"
    reduction = check_reduction(reduction, op, size_average, reduce)
    if beta < 0:
        raise ValueError(f"{op}: beta must be >= 0 (0 means L1), got {beta}")
    d = _difference(input, target, op)
    size = d.abs()
    if beta == 0.0:
        return _reduce(size, reduction)
    return _reduce(mt.where(size < beta, d * d * (0.5 / beta), size - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta) (d = input - target).

    Equal to delta * smooth_l1_loss(beta=delta). Shapes must match (no
    broadcasting). ``weight`` (the input's shape) scales each element; its
    "mean" is over the elements, as PyTorch's.
    """
    op = "huber_loss"
    reduction = check_reduction(reduction, op)
    if delta <= 0:
        raise ValueError(f"{op}: delta must be positive, got {delta}")
    d = _difference(input, target, op)
    size = d.abs()
    loss = mt.where(size <= delta, d * d * 0.5, (size - 0.5 * delta) * delta)
    return _weighted(loss, weight, reduction, op, mean_by_weight=False)
