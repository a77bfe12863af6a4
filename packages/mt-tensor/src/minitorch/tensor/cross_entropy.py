"""Softmax cross-entropy of (N, C) logits against class indices, as one op.

Composed from tensor ops, ``cross_entropy(logits, target)`` is about twenty
recorded ops (log_softmax, the ignore mask, a gather, the weighted mean) and
as many kernels each way. Its common form, no class weights, no label
smoothing, a mean or a sum, and no ignored target in the batch, is this one
op with four kernels forward and four backward:

    logp   = log_softmax(logits)                  forward
    loss   = -sum_n logp[n, t_n]  (/ N for the mean)
    dlogits = (exp(logp) - onehot(t)) * g  (/ N)  backward: the one-hot is a
                                                  `put` of -1 at each target

Nothing is copied to or from the host but the targets, which are read once
to check their range (PyTorch raises IndexError for a class outside [0, C))
and to see whether any is ignored; a batch with an ignored target returns
None and the caller takes the composed route, which handles every case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitorch.autodiff import Context, Function

from . import dispatch as K
from .creation import _scalar
from .dtype import int64
from .softmax import _log_softmax_forward

if TYPE_CHECKING:
    from .tensor import Tensor


class CrossEntropy(Function):
    """d/dlogits = (softmax(logits) - onehot(target)) * g, divided by N for the mean."""

    @staticmethod
    def forward(ctx: Context, logits: Tensor, target: Tensor, mean: bool) -> Tensor:
        n, c = logits.shape
        logp = _log_softmax_forward(logits, 1)
        picked = K.take_op(logp, (c,), (n,), target, target._data.strides)
        total = K.reduce_op("sum", picked, 0)
        scale = _scalar(-1.0 / n if mean else -1.0, logits.backend, logits.dtype)
        loss = K.zip_op("mul", K.new_tensor(total._data.restrided((), ()), total), scale)
        ctx.save_for_backward(logp, target)
        return loss

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        logp, target = ctx.saved_tensors
        n, c = logp.shape
        probs = K.map_op("exp", logp)
        minus_one = _scalar(-1.0, logp.backend, logp.dtype)
        K.put_write("add", probs, (c,), (n,), minus_one, target, target._data.strides)
        g = grad if not ctx.params["mean"] else K.zip_op(
            "mul", grad, _scalar(1.0 / n, logp.backend, logp.dtype))
        K.zip_write("mul", probs, probs, g)
        return probs, None


def cross_entropy(logits: Tensor, target: Tensor, ignore_index: int, mean: bool) -> Tensor | None:
    """The fused loss of (N, C) logits and (N,) integer targets on one host backend,
    or None when this batch needs the composed route (an ignored target, or no
    sample at all: PyTorch's mean of nothing is nan).

    Raises:
        IndexError: a target outside [0, C) that is not `ignore_index`, with
            PyTorch's message.
    """
    n, c = logits.shape
    values = target.numpy()
    if n == 0 or (values == ignore_index).any():
        return None
    low, high = int(values.min()), int(values.max())
    if low < 0 or high >= c:
        raise IndexError(f"cross_entropy: Target {low if low < 0 else high} is out of bounds "
                         f"(input has {c} classes)")
    if target.dtype is not int64:
        target = K.cast(target, int64)
    return CrossEntropy.apply(logits, target, mean=mean)

