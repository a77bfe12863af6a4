"""Differentiable layout ops: views that share storage, and copies.

permute / view / expand / indexing only change shape, strides and offset;
their backward rules move the gradient back into the input's layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitorch.autodiff import Context, Function

from . import dispatch as K
from .functions import sum_to_shape
from .shape import TensorData, expand_strides

if TYPE_CHECKING:
    from .tensor import Tensor


def _view(t: Tensor, shape, strides, offset=None) -> Tensor:
    return K.new_view(t._data.restrided(tuple(shape), tuple(strides), offset), t)


class Permute(Function):
    """The gradient of a permutation is the inverse permutation of the gradient."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, order: tuple[int, ...]) -> Tensor:
        return K.new_view(a._data.permute(*order), a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        order = ctx.params["order"]
        inverse = [0] * len(order)
        for i, o in enumerate(order):
            inverse[o] = i
        return K.new_view(grad._data.permute(*inverse), grad)


class View(Function):
    """Reshape without copying; the gradient is reshaped back."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, shape: tuple[int, ...]) -> Tensor:
        strides = a._data.view_strides(shape)
        if strides is None:
            raise RuntimeError(
                f"view: cannot view a tensor of shape {a.shape} with strides "
                f"{a._data.strides} as {shape} without copying; use .contiguous().view(...) "
                "or .reshape(...)"
            )
        ctx.params["in_shape"] = a.shape
        return _view(a, shape, strides)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        shape = ctx.params["in_shape"]
        strides = grad._data.view_strides(shape)
        if strides is None:
            grad = K.contiguous(grad)
            strides = grad._data.view_strides(shape)
        return _view(grad, shape, strides)


class Expand(Function):
    """Broadcast a tensor to a larger shape (stride 0); backward sums."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, shape: tuple[int, ...]) -> Tensor:
        ctx.params["in_shape"] = a.shape
        return _view(a, shape, expand_strides(a.shape, a._data.strides, shape))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return sum_to_shape(grad, ctx.params["in_shape"])


class Copy(Function):
    """A contiguous copy; the gradient passes through unchanged."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        return K.map_op("id", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad


Selection = tuple[tuple[int, int, int, bool], ...]  # per dim: start, size, step, drop


def select_layout(data: TensorData, selection: Selection) -> TensorData:
    """The layout of `data` restricted by a per-dim selection (same storage)."""
    shape, strides, offset = [], [], data.offset
    for (start, size, step, drop), stride in zip(selection, data.strides):
        offset += start * stride
        if not drop:
            shape.append(size)
            strides.append(stride * step)
    return data.restrided(tuple(shape), tuple(strides), offset)


class Index(Function):
    """A strided sub-view (ints and slices); backward scatters into zeros."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, selection: Selection) -> Tensor:
        ctx.params["in_shape"] = a.shape
        return K.new_view(select_layout(a._data, selection), a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        out = K.empty(ctx.params["in_shape"], grad)
        K.copy_into(K.new_view(select_layout(out._data, ctx.params["selection"]), out), grad)
        return out


class Pad2d(Function):
    """Constant padding of the last two dims; backward crops the gradient."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, padding: tuple[int, int], value: float) -> Tensor:
        ph, pw = padding
        h, w = a.shape[-2], a.shape[-1]
        shape = a.shape[:-2] + (h + 2 * ph, w + 2 * pw)
        out = K.empty(shape, a)
        if value != 0.0:
            K.copy_into(out, a._constant(value))
        K.copy_into(_interior(out, ph, pw, h, w), a)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        ph, pw = ctx.params["padding"]
        h, w = grad.shape[-2] - 2 * ph, grad.shape[-1] - 2 * pw
        return _interior(grad, ph, pw, h, w)


def _interior(t: Tensor, ph: int, pw: int, h: int, w: int) -> Tensor:
    d = t._data
    offset = d.offset + ph * d.strides[-2] + pw * d.strides[-1]
    return _view(t, d.shape[:-2] + (h, w), d.strides, offset)


class Cat(Function):
    """Join tensors along `dim`; each input's gradient is its slice of the output's."""

    @staticmethod
    def forward(ctx: Context, *parts: Tensor, dim: int) -> Tensor:
        first = parts[0]
        size = 0
        for p in parts:
            K.check_same_backend("cat", first, p)
            if p.dim() != first.dim() or any(
                a != b for d, (a, b) in enumerate(zip(p.shape, first.shape)) if d != dim
            ):
                raise ValueError(
                    f"cat: shapes {first.shape} and {p.shape} differ outside dimension {dim}"
                )
            size += p.shape[dim]
        out = K.empty(first.shape[:dim] + (size,) + first.shape[dim + 1:], first)
        sizes = []
        start = 0
        for p in parts:
            K.copy_into(_slice_dim(out, dim, start, p.shape[dim]), p)
            sizes.append(p.shape[dim])
            start += p.shape[dim]
        ctx.params["sizes"] = sizes
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, ...]:
        dim, grads, start = ctx.params["dim"], [], 0
        for size in ctx.params["sizes"]:
            grads.append(_slice_dim(grad, dim, start, size))
            start += size
        return tuple(grads)


def _slice_dim(t: Tensor, dim: int, start: int, size: int) -> Tensor:
    d = t._data
    shape = d.shape[:dim] + (size,) + d.shape[dim + 1:]
    return _view(t, shape, d.strides, d.offset + start * d.strides[dim])
