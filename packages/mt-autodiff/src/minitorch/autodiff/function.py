"""Function, Context and History: one differentiable operation and its record.

A `Function` subclass is one op with `forward` and `backward` side by side.
`Function.apply` runs `forward` with recording off and, when grad mode is on
and an input requires grad, attaches a `History` to the result: PyTorch's
``grad_fn``. A History points at the histories its inputs had *when it was
recorded* (or at the input itself, for a leaf), so the graph is a graph of
recorded operations: an in-place op that later gives a tensor a new history
cannot rewrite what earlier operations saw.

The same classes serve `Scalar` here and `Tensor` in mt-tensor; what a
variable must provide is the `Variable` protocol in `autodiff.py`. A profiler
watches every op through `set_observer`; with none set, the cost is one
global check per forward and per backward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .grad_mode import STATE

if TYPE_CHECKING:
    from .autodiff import Variable


class Observer(Protocol):
    """What a profiler gives `set_observer`: it stands in for each op's forward and backward."""

    def forward(self, function: type[Function]) -> Callable[[Context, tuple[Any, ...], dict[str, Any]], Any]:
        """A callable that does what ``function._forward`` does (and times it)."""
        ...

    def backward(self, function: type[Function], ctx: Context, grad: Any) -> Any:
        """What ``function.backward(ctx, grad)`` returns (and times it)."""
        ...


# The observer of every op, or None (the normal state): `Function.apply` and
# `Function.gradients` pay one global check for it. minitorch.profiler sets it
# while a profile records.
OBSERVER: Observer | None = None


def set_observer(observer: Observer | None) -> Observer | None:
    """Route every op's forward and backward through `observer` (None: stop); return
    the previous one."""
    global OBSERVER
    previous, OBSERVER = OBSERVER, observer
    return previous


class Context:
    """What an op's `forward` leaves for its `backward`.

    Attributes:
        no_grad: nothing will call backward, so `save_for_backward` keeps nothing.
        params: the keyword arguments the op was applied with.
        needs_input_grad: one bool per input, set when the op is recorded
            (PyTorch's ``ctx.needs_input_grad``): backward may skip the others.
    """

    __slots__ = ("no_grad", "params", "needs_input_grad", "_saved", "_versions")

    def __init__(self, no_grad: bool = False, params: dict[str, Any] | None = None) -> None:
        self.no_grad = no_grad
        self.params: dict[str, Any] = {} if params is None else params
        self.needs_input_grad: tuple[bool, ...] = ()
        self._saved: tuple[Any, ...] = ()
        self._versions: tuple[int | None, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        """Keep `values` for backward, with the version each one has now.

        A value with a ``_version`` (a tensor: the write count of its
        storage) is checked again before backward uses it; if an in-place
        write changed it in between, backward raises instead of computing
        a wrong gradient.
        """
        if not self.no_grad:
            self._saved = values
            self._versions = tuple(getattr(v, "_version", None) for v in values)

    @property
    def saved_values(self) -> tuple[Any, ...]:
        """The values given to `save_for_backward`, in order."""
        return self._saved

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """PyTorch's name for `saved_values`."""
        return self._saved

    def check_saved(self, function: str) -> None:
        """Raise if a saved value was modified in place since it was saved."""
        for value, version in zip(self._saved, self._versions):
            if version is not None and value._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: {_describe(value)}, saved by {function}, is at "
                    f"version {value._version}; expected version {version} instead. Hint: "
                    "clone() it before the in-place operation, or do the operation out of place."
                )

    def __repr__(self) -> str:
        return f"Context(saved_values={self._saved!r}, params={self.params!r})"


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    if shape is None:
        return f"[{type(value).__name__}]"
    dtype = getattr(value, "dtype", None)
    kind = f"{getattr(dtype, 'name', dtype)} " if dtype is not None else ""
    return f"[a {kind}{type(value).__name__.lower()} of shape {tuple(shape)}]"


class History:
    """One recorded application of a Function (PyTorch's ``grad_fn`` node).

    Attributes:
        function: the Function subclass that ran.
        ctx: what its forward saved (None once released).
        inputs: the variables it was applied to, constants included.
        parents: one entry per input: the input's History at record time, the
            input itself if it was a leaf that requires grad, or None when the
            input needed no gradient.
        released: set when backward freed the record.
    """

    __slots__ = ("function", "ctx", "inputs", "parents", "released")

    def __init__(self, function: type[Function], ctx: Context, inputs: tuple[Any, ...]) -> None:
        parents: list[Any] = []
        for x in inputs:
            if not x.requires_grad:
                parents.append(None)
            else:
                h = x.history
                parents.append(x if h is None else h)
        self.function = function
        self.ctx: Context | None = ctx
        self.inputs = inputs
        self.parents: tuple[Any, ...] = tuple(parents)
        self.released = False
        ctx.needs_input_grad = tuple(p is not None for p in parents)

    @property
    def name(self) -> str:
        return self.function.__name__

    def release(self) -> None:
        """Drop the saved values and the links to inputs (backward is done with them)."""
        self.ctx = None
        self.inputs = ()
        self.parents = ()
        self.released = True

    def __repr__(self) -> str:
        state = ", released" if self.released else ""
        return f"<{self.name}Backward{state}>"


class Function:
    """Base class of differentiable ops; call ``Op.apply(*inputs, **params)``.

    `forward(ctx, *inputs, **params)` computes the result (recording is off
    while it runs) and saves on `ctx` only what backward needs.
    `backward(ctx, grad)` returns d output / d input times `grad` for every
    input, one per input (a tuple when there are several), None for an input
    that needs no gradient. Both run with recording off.
    """

    if TYPE_CHECKING:
        # Each op names its own arguments, so the type checker sees these
        # loosely; at run time the definitions below raise until overridden.
        forward: Callable[..., Any]
        backward: Callable[..., Any]
    else:

        @staticmethod
        def forward(ctx, *inputs, **params):
            raise NotImplementedError(f"{type(ctx).__name__}: this Function has no forward")

        @staticmethod
        def backward(ctx, grad):
            raise NotImplementedError("this Function has no backward")

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the op; record it when grad mode is on and an input requires grad."""
        if not STATE.enabled:  # inside backward or no_grad(): nothing to record
            ctx = Context(True, params)
            if OBSERVER is None:
                return cls._forward(ctx, inputs, params)
            return OBSERVER.forward(cls)(ctx, inputs, params)
        track = False
        for x in inputs:
            if x.requires_grad:
                track = True
                break
        ctx = Context(not track, params)
        forward = cls._forward if OBSERVER is None else OBSERVER.forward(cls)
        STATE.enabled = False
        try:
            out = forward(ctx, inputs, params)
        finally:
            STATE.enabled = True
        if track:
            cls._record(ctx, inputs, out)
        return out

    @classmethod
    def _forward(cls, ctx: Context, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
        """Call `forward`; a variable type whose forward works on raw values overrides this."""
        return cls.forward(ctx, *inputs, **params)

    @classmethod
    def _record(cls, ctx: Context, inputs: tuple[Any, ...], out: Variable) -> None:
        for x in inputs:
            if out is x:
                raise RuntimeError(
                    f"{cls.__name__}.forward returned one of its inputs; return a new "
                    "variable (a view or a copy) so the input keeps its own history"
                )
        history = History(cls, ctx, inputs)
        saved = ctx._saved
        if saved and any(v is out for v in saved):
            # The output would hold its History, which holds ctx, which holds
            # the output: a cycle only the garbage collector frees. Keep a
            # detached alias instead (same storage, so the same version).
            alias = out.detach()
            ctx._saved = tuple(alias if v is out else v for v in saved)
        out.history = history
        out.requires_grad = True

    @classmethod
    def gradients(cls, ctx: Context | None, grad: Any, n_inputs: int) -> tuple[Any, ...]:
        """`backward`'s result as a tuple with exactly one entry per input."""
        if ctx is None:
            raise RuntimeError(f"{cls.__name__}: its record was released; it cannot backward again")
        d = cls.backward(ctx, grad) if OBSERVER is None else OBSERVER.backward(cls, ctx, grad)
        ds = d if isinstance(d, tuple) else (d,)
        if len(ds) != n_inputs:
            raise RuntimeError(
                f"{cls.__name__}.backward returned {len(ds)} gradient(s) for {n_inputs} "
                "input(s); return one per input (None for an input that needs none)"
            )
        return ds
