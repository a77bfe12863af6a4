"""`linear`: y = x W^T + b as one differentiable op, the one `nn.Linear` runs.

Written with `@`, `.T` and `+`, a linear layer records three ops and its
weight gradient comes out of backward as the transpose of a product, which
the engine then copies to give ``W.grad`` W's own layout. As one op, forward
reads W^T through swapped strides (no copy), and backward computes each
gradient directly in its input's layout:

    dx = g @ W           (N, out) @ (out, in)
    dW = g^T @ x         (out, N) @ (N, in): contiguous, like W
    db = sum of g over the batch

Inputs of more than two dims are flattened to (N, in) and the result viewed
back, as PyTorch's linear does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitorch.autodiff import Context, Function

from . import dispatch as K

if TYPE_CHECKING:
    from .tensor import Tensor


class Linear(Function):
    """d/dx (x W^T + b) = G W, d/dW = G^T x, d/db = sum over rows of G."""

    @staticmethod
    def forward(ctx: Context, x: Tensor, weight: Tensor, *bias: Tensor) -> Tensor:
        ctx.save_for_backward(x, weight)
        out = K.mm_op(x, weight, transpose_b=True)
        if bias:
            K.zip_write("add", out, out, bias[0])
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = K.mm_op(grad, weight) if needs[0] else None
        gw = K.mm_op(grad, x, transpose_a=True) if needs[1] else None
        if len(needs) == 2:
            return gx, gw
        gb = None
        if needs[2]:
            gb = K.reduce_op("sum", grad, 0)
            gb = K.new_tensor(gb._data.restrided(grad.shape[1:], gb._data.strides[1:]), gb)
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x W^T + b for x (*, in), W (out, in), b (out,) of one backend and dtype.

    Shapes are the caller's to check (`nn.functional.linear` does, with its
    messages); mixed dtypes or backends take the composed route, whose ops
    promote or refuse as they always do.
    """
    same = input.dtype is weight.dtype and input.backend is weight.backend
    if bias is not None:
        same = same and bias.dtype is input.dtype and bias.backend is input.backend
    if not same or input.dim() == 0:
        out = input @ weight.T
        return out if bias is None else out + bias
    lead = input.shape[:-1]
    x = input if input.dim() == 2 else input.reshape(-1, input.shape[-1])
    out = Linear.apply(x, weight) if bias is None else Linear.apply(x, weight, bias)
    return out if input.dim() == 2 else out.view(*lead, weight.shape[0])
