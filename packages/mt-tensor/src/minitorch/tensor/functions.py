"""One class per differentiable tensor op: forward and backward side by side.

Forward runs kernels through `dispatch`; backward is written with tensor
operations (recording is off while it runs). Each class's docstring states
its derivative. Gradients come back in each input's own shape: broadcasting
in forward becomes a sum in backward (`sum_to_shape`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitorch.autodiff import Context, Function

from . import dispatch as K

if TYPE_CHECKING:
    from .tensor import Tensor


def sum_to_shape(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Undo broadcasting: sum `grad` down to `shape`."""
    if grad.shape == shape:
        return grad
    lead = grad.dim() - len(shape)
    for _ in range(lead):
        grad = K.reduce_op("sum", grad, 0)
        grad = _drop_dim(grad, 0)
    for d, size in enumerate(shape):
        if size == 1 and grad.shape[d] != 1:
            grad = K.reduce_op("sum", grad, d)
    return grad


def _drop_dim(t: Tensor, dim: int) -> Tensor:
    d = t._data
    return K.new_view(d.restrided(d.shape[:dim] + d.shape[dim + 1:],
                                  d.strides[:dim] + d.strides[dim + 1:]), t)


# -- unary -------------------------------------------------------------------
class Neg(Function):
    """d/dx -x = -1."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        return K.map_op("neg", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return K.map_op("neg", grad)


class Exp(Function):
    """d/dx exp(x) = exp(x)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = K.map_op("exp", a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return K.zip_op("mul", grad, out)


class Log(Function):
    """d/dx log(x) = 1 / x."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return K.map_op("log", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return K.zip_op("log_back", a, grad)


class ReLU(Function):
    """d/dx relu(x) = 1[x > 0]."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return K.map_op("relu", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return K.zip_op("relu_back", a, grad)


class Sigmoid(Function):
    """d/dx sigmoid(x) = s (1 - s) with s = sigmoid(x)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = K.map_op("sigmoid", a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return K.zip_op("sigmoid_back", out, grad)


class Tanh(Function):
    """d/dx tanh(x) = 1 - tanh(x)^2."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = K.map_op("tanh", a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return K.zip_op("tanh_back", out, grad)


class Inv(Function):
    """d/dx 1/x = -1 / x^2."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return K.map_op("inv", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return K.zip_op("inv_back", a, grad)


class Sqrt(Function):
    """d/dx sqrt(x) = 1 / (2 sqrt(x))."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = K.map_op("sqrt", a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return K.zip_op("div", grad, out * 2.0)


class Sin(Function):
    """d/dx sin(x) = cos(x)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return K.map_op("sin", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return K.zip_op("mul", grad, K.map_op("cos", a))


class Cos(Function):
    """d/dx cos(x) = -sin(x)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return K.map_op("cos", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return K.zip_op("mul", grad, K.map_op("neg", K.map_op("sin", a)))


class Abs(Function):
    """d/dx |x| = sign(x) (0 at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return K.map_op("abs", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return K.zip_op("mul", grad, K.map_op("sign", a))


# -- binary (broadcasting) ---------------------------------------------------
class Add(Function):
    """d/da (a + b) = 1, d/db = 1."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.params["shapes"] = (a.shape, b.shape)
        return K.zip_op("add", a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor]:
        sa, sb = ctx.params["shapes"]
        return sum_to_shape(grad, sa), sum_to_shape(grad, sb)


class Sub(Function):
    """d/da (a - b) = 1, d/db = -1."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.params["shapes"] = (a.shape, b.shape)
        return K.zip_op("sub", a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor]:
        sa, sb = ctx.params["shapes"]
        return sum_to_shape(grad, sa), sum_to_shape(K.map_op("neg", grad), sb)


class Mul(Function):
    """d/da (a b) = b, d/db = a."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return K.zip_op("mul", a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        ga = sum_to_shape(K.zip_op("mul", grad, b), a.shape) if needs_a else None
        gb = sum_to_shape(K.zip_op("mul", grad, a), b.shape) if needs_b else None
        return ga, gb


class Div(Function):
    """d/da (a / b) = 1 / b, d/db = -a / b^2."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return K.zip_op("div", a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        ga = sum_to_shape(K.zip_op("div", grad, b), a.shape) if needs_a else None
        gb = None
        if needs_b:
            gb = sum_to_shape(K.zip_op("mul", K.zip_op("inv_back", b, grad), a), b.shape)
        return ga, gb


class Pow(Function):
    """d/da a^p = p a^(p - 1), d/dp a^p = a^p log(a)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, p: Tensor) -> Tensor:
        out = K.zip_op("pow", a, p)
        ctx.save_for_backward(a, p, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, p, out = ctx.saved_tensors
        needs_a, needs_p = ctx.needs_input_grad
        ga = gp = None
        if needs_a:
            local = K.zip_op("mul", K.zip_op("pow", a, K.zip_op("sub", p, p._constant(1.0))), p)
            ga = sum_to_shape(K.zip_op("mul", grad, local), a.shape)
        if needs_p:
            zero = a._constant(0.0)
            # 0 ** p has no log; PyTorch makes its exponent gradient 0 there.
            local = K.where_op(K.zip_op("eq", a, zero), zero,
                               K.zip_op("mul", out, K.map_op("log", a)))
            gp = sum_to_shape(K.zip_op("mul", grad, local), p.shape)
        return ga, gp


class Maximum(Function):
    """d/da max(a, b) = 1[a >= b], d/db = 1[a < b] (ties go to a)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return K.zip_op("max", a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor]:
        a, b = ctx.saved_tensors
        b_wins = K.zip_op("lt", a, b)
        gb = K.where_op(b_wins, grad, grad._constant(0.0))
        ga = K.zip_op("sub", grad, gb)
        return sum_to_shape(ga, a.shape), sum_to_shape(gb, b.shape)


class Where(Function):
    """d/da where(c, a, b) = 1[c], d/db = 1[not c]: the gradient is selected, never multiplied
    (an inf or nan in the branch not taken does not leak into the gradient)."""

    @staticmethod
    def forward(ctx: Context, cond: Tensor, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(cond)
        ctx.params["shapes"] = (a.shape, b.shape)
        return K.where_op(cond, a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[None, Tensor | None, Tensor | None]:
        (cond,) = ctx.saved_tensors
        sa, sb = ctx.params["shapes"]
        _, needs_a, needs_b = ctx.needs_input_grad
        zero = grad._constant(0.0)
        ga = sum_to_shape(K.where_op(cond, grad, zero), sa) if needs_a else None
        gb = sum_to_shape(K.where_op(cond, zero, grad), sb) if needs_b else None
        return None, ga, gb


class MatMul(Function):
    """d/dA (A @ B) = G @ B^T, d/dB = A^T @ G (summed over broadcast batches)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return K.matmul_op(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        ga = gb = None
        if needs_a:
            ga = sum_to_shape(K.matmul_op(grad, b.transpose(-1, -2)), a.shape)
        if needs_b:
            if a.dim() == 2 and b.dim() == 2 and _column_major(b):
                # b is a transposed view (x @ W.T): make its gradient in that same
                # layout, so the transpose's backward hands W a contiguous gradient.
                gt = K.mm_op(grad, a, transpose_a=True)
                gb = K.new_tensor(gt._data.restrided(b.shape, b._data.strides), gt)
            else:
                gb = sum_to_shape(K.matmul_op(a.transpose(-1, -2), grad), b.shape)
        return ga, gb


def _column_major(t: Tensor) -> bool:
    rows, cols = t.shape
    return rows > 1 and cols > 1 and t._data.strides == (1, rows)


# -- reductions --------------------------------------------------------------
class Sum(Function):
    """d/dx_i sum(x) = 1: the gradient is broadcast back along `dim`."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int) -> Tensor:
        ctx.params["shape"] = a.shape
        return K.reduce_op("sum", a, dim)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad.expand(*ctx.params["shape"])


class Max(Function):
    """d/dx_i max(x) = 1 at the first maximum along `dim`, else 0."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int) -> Tensor:
        out = K.reduce_op("max", a, dim)
        ctx.save_for_backward(K.reduce_op("argmax", a, dim))
        ctx.params["shape"] = a.shape
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (index,) = ctx.saved_tensors
        shape, dim = ctx.params["shape"], ctx.params["dim"]
        from .creation import arange

        view = [1] * len(shape)
        view[dim] = shape[dim]
        positions = arange(shape[dim], backend=grad.backend).view(*view)
        mask = K.zip_op("eq", positions, index)
        return K.where_op(mask, grad, grad._constant(0.0))
