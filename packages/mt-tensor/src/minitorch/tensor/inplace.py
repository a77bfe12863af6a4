"""In-place writes, with autodiff when a write takes part in the graph.

Every in-place method (`add_`, `copy_`, `x[i] = v`, `+=`, ...) goes through
`write`. It checks the write first (shapes, dtypes, the overlap rules of
`overlap.py`), so a refused write changes nothing. Then:

- When nothing records (grad mode is off, or neither the target nor a
  source requires grad) it runs the kernel in place. Each write bumps the
  storage's version counter: a tensor saved for backward that is written
  afterwards makes backward raise (`Context.check_saved`), as in PyTorch.
- Otherwise the op is recorded as PyTorch records it. The new value is
  computed out of place by the op's ordinary Function (so its backward is
  the one out-of-place code already tests), saved values that live in the
  target's memory are replaced by copies (backward needs the values from
  before the write), the result is copied in, and the target's history
  becomes the op's: the tensor object now stands for its new value, while
  everything recorded earlier still points at the old history. A write
  into a view also gives the view's base a new history, `CopySlices`: the
  base's old value outside the view, the new value inside it.

Views made before such a write would still carry the history of the old
value; a view refreshes itself (`AsStrided` of its base's new history) the
next time autodiff looks at it (see `TensorView` in tensor_view.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from minitorch.autodiff import Context, Function, History, is_grad_enabled

from . import dispatch as K
from .functions import sum_to_shape
from .shape import expand_strides

if TYPE_CHECKING:
    from .tensor import Tensor


def write(target: Tensor, op: str, fn: type[Function], sources: tuple[Tensor, ...],
          kernel: Callable[..., None], params: dict[str, Any] | None = None,
          shape: tuple[int, ...] | None = None) -> Tensor:
    """Write `fn(target, *sources)` into `target`'s memory; return `target`.

    Args:
        op: the name the user called (for errors).
        fn: the out-of-place Function with the same result, used when recording.
        kernel: does the write without autodiff, given the sources `prepare_write`
            returned (it must not check again: `K.map_write` / `K.zip_write`).
        shape: what the sources broadcast to, when not the target's shape (indexed writes).
    """
    checked = K.prepare_write(op, target, *sources, shape=shape)
    if not (is_grad_enabled() and (target.requires_grad or any(s.requires_grad for s in sources))):
        kernel(*checked)
        return target
    _check_recordable(op, target)
    new = fn.apply(target, *sources, **(params or {}))
    assert new.history is not None
    _copy_saved_aliases(new.history.ctx, target)
    K.copy_into(target, new, op)
    base = target._base
    if base is None:
        target.history = new.history
    else:
        layout = region_of(target, base)
        base.history = History(CopySlices, Context(params=layout), (base, new))
        base.requires_grad = True
    target._data.version.rebases += 1
    if base is not None:
        target.history = as_strided_history(target, base)
    target.requires_grad = True
    return target


def _check_recordable(op: str, target: Tensor) -> None:
    base = target._base
    where = f"{op} on a tensor of shape {target.shape}"
    if target.is_leaf and target.requires_grad:
        raise RuntimeError(
            f"a leaf Variable that requires grad is being used in an in-place operation ({where}). "
            "Update parameters under `with no_grad():`, or compute the new value out of place."
        )
    if base is not None and base.is_leaf and base.requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation "
            f"({where}, a view of shape {base.shape}). Do it under `with no_grad():`, or clone() "
            "the leaf first."
        )
    if base is not None and not (base._data.is_contiguous()):
        raise RuntimeError(
            f"{op}: recording an in-place write into a view needs a contiguous base tensor; the "
            f"base here has shape {base.shape} and strides {base._data.strides}. clone() it first."
        )


def _copy_saved_aliases(ctx: Context | None, target: Tensor) -> None:
    """Replace saved tensors that share `target`'s memory with copies made before the write."""
    if ctx is None or not ctx.saved_values:
        return
    storage = target._data.storage

    def shares(v: Any) -> bool:
        data = getattr(v, "_data", None)
        return data is not None and data.storage is storage

    saved = ctx.saved_values
    if any(shares(v) for v in saved):
        ctx.save_for_backward(*(K.contiguous_copy(v) if shares(v) else v for v in saved))


def region_of(view: Tensor, base: Tensor) -> dict[str, Any]:
    """Where `view` lies in a contiguous `base`: its shape, strides and offset in base's layout."""
    d = view._data
    return {"shape": d.shape, "strides": d.strides, "offset": d.offset - base._data.offset,
            "base_shape": base.shape}


def as_strided_history(view: Tensor, base: Tensor) -> History:
    """A history for `view` as a strided window onto `base`'s current value."""
    if not base._data.is_contiguous():
        raise RuntimeError(
            f"a view of shape {view.shape} lost its history: its base (shape {base.shape}, "
            f"strides {base._data.strides}) was written in place while recording and is not "
            "contiguous. Make the view again after the in-place write."
        )
    return History(AsStrided, Context(params=region_of(view, base)), (base,))


def _region(t: Tensor, params: dict[str, Any], shape: tuple[int, ...] | None = None) -> Tensor:
    """The window `params` describes, over a contiguous tensor `t` of the base's shape."""
    data = t._data.restrided(shape or params["shape"], params["strides"], params["offset"])
    return K.new_view(data, t)


class AsStrided(Function):
    """A view as a window onto its base; the gradient lands in the window (zeros elsewhere).

    Only recorded (by `as_strided_history`), never applied: the view exists already.
    """

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        p = ctx.params
        # Elements of a broadcast (stride-0) dim share one base element: sum them.
        shape = list(p["shape"])
        for d, (n, s) in enumerate(zip(p["shape"], p["strides"])):
            if s == 0 and n > 1:
                grad = K.reduce_op("sum", grad, d)
                shape[d] = 1
        out = K.empty(p["base_shape"], grad)
        K.copy_into(_region(out, p, tuple(shape)), grad)
        return out


class CopySlices(Function):
    """A base after a write into one of its views: its old value outside the
    window, the written value inside. Inputs: (old base, new window value).

    Only recorded (by `write`), never applied: the write happened in memory.
    """

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        p = ctx.params
        g = K.contiguous_copy(grad)
        window = _region(g, p)
        g_new = K.contiguous_copy(window) if ctx.needs_input_grad[1] else None
        if not ctx.needs_input_grad[0]:
            return None, g_new
        K.copy_into(window, g._constant(0.0))
        return g, g_new


class CopyFrom(Function):
    """`target.copy_(src)` out of place: src broadcast to target's shape.

    d/d target = 0 (overwritten), d/d src = the gradient summed to src's shape.
    """

    @staticmethod
    def forward(ctx: Context, target: Tensor, src: Tensor) -> Tensor:
        ctx.params["src_shape"] = src.shape
        d = src._data
        spread = K.new_view(d.restrided(target.shape, expand_strides(src.shape, d.strides,
                                                                       target.shape)), src)
        return K.map_op("id", spread)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[None, Tensor]:
        return None, sum_to_shape(grad, ctx.params["src_shape"])
