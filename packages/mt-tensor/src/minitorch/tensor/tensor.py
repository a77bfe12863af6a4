"""The Tensor class: the PyTorch-shaped surface over TensorData and Functions.

Nothing here loops over elements: math goes through `functions` (autodiff)
and `dispatch` (kernels); this file is API only. A Tensor is a `Variable` of
minitorch.autodiff's engine, the same one `Scalar` trains through: it has a
`history` (None for a leaf), `requires_grad`, and the three methods the engine
calls (`accumulate_grad`, `validate_grad`, `detach`).
"""

from __future__ import annotations

import builtins
from collections import OrderedDict
from typing import Any

import numpy as np

from minitorch.autodiff import History, RemovableHandle, backpropagate
from minitorch.autodiff.hooks import register

from . import advanced, inplace
from . import dispatch as K
from . import functions as F
from . import views as V
from .advanced import IndexMethods, is_advanced
from .backend import Backend
from .conversion import ConversionMethods
from .device import device as Device
from .dtype import DType, bool_, float32, int64
from .indexing import parse_index
from .layout_methods import LayoutMethods
from .math_methods import MathMethods
from .promotion import NUMBERS, convert, inplace_operand
from .shape import TensorData, normalize_dim, prod

# creation.py imports this module; its constant cache is looked up on first use
# and kept, because `_constant` runs on every op with a Python number.
_scalar: Any = None


def _bind_creation() -> None:
    global _scalar
    from .creation import _scalar


class Tensor(MathMethods, LayoutMethods, IndexMethods, ConversionMethods):
    """A strided n-dimensional array on one backend, with autodiff.

    Create tensors with `minitorch.tensor.tensor(...)`, `zeros`, `randn`, ...
    """

    __array_priority__ = 1000  # numpy scalars defer to Tensor's operators
    _base: Tensor | None = None  # the tensor whose storage a view shares (see tensor_view.py)
    _grad_hooks: OrderedDict[int, Any] | None = None  # post-accumulate-grad hooks, made on first use

    def __init__(self, data: TensorData, backend: Backend, dtype: DType,
                 requires_grad: bool = False) -> None:
        self._data = data
        self.backend = backend
        self.dtype = dtype
        if requires_grad and not dtype.is_floating_point:
            _refuse_grad(dtype)
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self.history: History | None = None

    # -- basic properties ----------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        if dim is None:
            return self.shape
        return self.shape[normalize_dim(dim, self.dim(), "size")]

    def dim(self) -> int:
        return len(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numel(self) -> int:
        return prod(self.shape)

    @property
    def is_leaf(self) -> bool:
        """True for tensors no recorded op produced (made by the user, or not requiring grad)."""
        return self.history is None

    @property
    def grad_fn(self) -> History | None:
        """The record of the op that made this tensor (PyTorch's name for `history`)."""
        return self.history

    @property
    def _version(self) -> int:
        """How many in-place writes the storage has seen (shared by all its views)."""
        return self._data.version.writes

    @property
    def device(self) -> Device:
        """Where the storage lives: equals "cpu" (or "cuda"), and its backend's name."""
        return Device.of(self.backend)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # -- host data -------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """A host copy with this tensor's shape (never shares memory)."""
        d = self._data
        flat = self.backend.to_numpy(K.buffer(self))
        item = flat.itemsize
        if not d.shape:
            return np.array(flat[0], dtype=self.dtype.numpy)
        if self.numel() == 0:
            return np.zeros(d.shape, dtype=self.dtype.numpy)
        view = np.lib.stride_tricks.as_strided(
            flat, shape=d.shape, strides=tuple(s * item for s in d.strides), writeable=False
        )
        return np.array(view, dtype=self.dtype.numpy, copy=True)

    def tolist(self) -> Any:
        return self.numpy().tolist()

    def item(self) -> Any:
        """The one element as a Python float, int or bool (by dtype)."""
        if self.numel() != 1:
            raise ValueError(
                f"item: only a one-element tensor can be converted to a number, "
                f"this one has shape {self.shape}"
            )
        return self.backend.read(self._data.storage, self._data.offset)

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return builtins.int(self.item())  # truncates toward zero: int(tensor(-3.7)) == -3

    def __index__(self) -> int:
        """`classes[label]`, `range(t)`: one-element integer (or bool) tensors only."""
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index (got {self.dtype.name} of shape {self.shape})")
        return builtins.int(self.item())

    def __format__(self, spec: str) -> str:
        # PyTorch: a 0-d tensor formats as its number (f"{loss:.4f}"); others only with "".
        if self.dim() == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string {spec!r} passed to Tensor.__format__ "
                            f"(shape {self.shape}; only 0-d tensors format as numbers)")
        return str(self)

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor with {self.numel()} elements is ambiguous "
                f"(shape {self.shape}); use .sum(), .max() or .item()"
            )
        return builtins.bool(self.item())

    def __repr__(self) -> str:
        body = np.array2string(self.numpy(), precision=4, separator=", ", prefix="tensor(")
        extras = []
        if self.dtype not in (float32, int64, bool_):  # PyTorch omits the defaults
            extras.append(f"dtype={self.dtype!r}")
        if self.backend.name != "python" and self.backend.is_gpu:
            extras.append(f"backend={self.backend.name!r}")
        if self.history is not None:
            extras.append(f"grad_fn=<{self.history.name}Backward>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def is_contiguous(self) -> bool:
        """Row-major with no gaps, as PyTorch's: where the view starts does not matter,
        size-1 dims are ignored, and an empty tensor is always contiguous."""
        return self.numel() == 0 or self._data.is_contiguous()

    def contiguous(self) -> Tensor:
        if self._data.is_contiguous() and self._data.offset == 0:
            return self
        return V.Copy.apply(self)

    def clone(self) -> Tensor:
        return V.Copy.apply(self)

    def detach(self) -> Tensor:
        """The same memory with no history (writes show through both)."""
        return Tensor(self._data, self.backend, self.dtype)

    @property
    def data(self) -> Tensor:
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        if value.shape != self.shape:
            raise ValueError(f"data: cannot assign shape {value.shape} to shape {self.shape}")
        self._data, self.backend, self.dtype = value._data, value.backend, value.dtype

    def _constant(self, value: Any, dtype: DType | None = None) -> Tensor:
        """A cached 0-d tensor holding `value`, on this backend, of this dtype (or `dtype`)."""
        if _scalar is None:
            _bind_creation()
        return _scalar(value, self.backend, dtype or self.dtype)

    def _wrap(self, other: Any) -> Tensor:
        """`other` as a tensor to write into this one: a number takes this dtype."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, NUMBERS):
            return self._constant(other)
        raise TypeError(f"unsupported operand type {type(other).__name__} for a Tensor op")

    def __setitem__(self, key: Any, value: Any) -> None:
        """``self[key] = value``: a copy into the selected window, recorded when it needs to be."""
        if is_advanced(key):
            return advanced.setitem(self, key, value)
        window = K.new_view(V.select_layout(self._data, parse_index(key, self.shape)), self)
        src = convert(self._wrap(value), self.dtype)
        inplace.write(window, "setitem", inplace.CopyFrom, (src,),
                      lambda s: K.map_write("id", window, s))

    # -- in-place ---------------------------------------------------------------------------
    def copy_(self, src: Any) -> Tensor:
        src = convert(self._wrap(src), self.dtype)
        return inplace.write(self, "copy_", inplace.CopyFrom, (src,),
                             lambda s: K.map_write("id", self, s))

    def fill_(self, value: builtins.float | Tensor) -> Tensor:
        if isinstance(value, Tensor) and value.numel() != 1:
            raise ValueError(f"fill_: the value must be a number or a one-element tensor, got "
                             f"shape {value.shape}")
        return self.copy_(value)

    def zero_(self) -> Tensor:
        return self.fill_(0.0)

    def _zip_(self, op: str, fn: type, other: Any) -> Tensor:
        if self.dtype is bool_:
            raise TypeError(f"{op}_: in-place arithmetic on a bool tensor is not supported "
                            f"(minitorch computes bool arithmetic in int64); use .long() first")
        if not (isinstance(other, Tensor) and other.dtype is self.dtype):
            other = inplace_operand(self, other, op + "_")
        return inplace.write(self, op + "_", fn, (other,),
                             lambda o: K.zip_write(op, self, self, o))

    def _map_(self, op: str, fn: type) -> Tensor:
        return inplace.write(self, op + "_", fn, (), lambda: K.map_write(op, self, self))

    def add_(self, other: Any, alpha: builtins.float = 1.0) -> Tensor:
        if alpha != 1.0:
            other = self._wrap(other) * alpha
        return self._zip_("add", F.Add, other)

    def sub_(self, other: Any, alpha: builtins.float = 1.0) -> Tensor:
        if alpha != 1.0:
            other = self._wrap(other) * alpha
        return self._zip_("sub", F.Sub, other)

    def mul_(self, other: Any) -> Tensor:
        return self._zip_("mul", F.Mul, other)

    def div_(self, other: Any) -> Tensor:
        if not self.dtype.is_floating_point:
            raise RuntimeError(f"div_: result type Float can't be cast to the desired output "
                               f"type {self.dtype.name} (true division of an integer tensor)")
        return self._zip_("div", F.Div, other)

    def relu_(self) -> Tensor:
        return self._map_("relu", F.ReLU)

    def neg_(self) -> Tensor:
        return self._map_("neg", F.Neg)

    # Python's augmented assignment: in place on tensors, as in PyTorch, so
    # `with no_grad(): p -= lr * p.grad` updates the parameter itself.
    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    # -- autodiff ------------------------------------------------------------------
    def backward(self, gradient: Tensor | None = None, retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False) -> None:
        """Accumulate d self / d leaf into every leaf's ``.grad`` (times `gradient`)."""
        if create_graph:
            raise NotImplementedError("backward(create_graph=True): higher-order gradients are "
                                      "not supported; the graph of a backward is not recorded")
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph (no grad_fn); "
                "set requires_grad=True on an input before computing it"
            )
        claimed: set[int] = set()
        if gradient is None:
            if self.numel() != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for one-element outputs; "
                    f"this one has shape {self.shape}, pass a gradient"
                )
            from .creation import ones

            gradient = ones(*self.shape, dtype=self.dtype, backend=self.backend)
        elif gradient.shape != self.shape or gradient.dtype is not self.dtype:
            raise ValueError(f"backward: gradient {gradient.dtype.name} {gradient.shape} does not "
                             f"match the tensor's dtype and shape ({self.dtype.name} {self.shape})")
        else:
            claimed.add(id(gradient._data.storage))  # the caller's: no leaf may keep it
        backpropagate(self, gradient, retain_graph=bool(retain_graph), claimed=claimed)

    def accumulate_grad(self, grad: Tensor, claimed: set[builtins.int]) -> None:
        """Add `grad` into ``.grad``; a new ``.grad`` owns its memory (users update it in place).

        Then runs the post-accumulate-grad hooks, in registration order."""
        if self.grad is not None:
            if self.grad.shape == grad.shape and self.grad.dtype is grad.dtype:
                K.zip_into("add", self.grad, self.grad, grad)
            else:
                self.grad = self.grad + grad
        else:
            d = grad._data
            if id(d.storage) in claimed or d.offset or not d.is_contiguous():
                grad = K.contiguous_copy(grad)
            elif grad._base is not None:
                grad = Tensor(d, grad.backend, grad.dtype)  # a plain tensor, not a view of a temporary
            claimed.add(id(grad._data.storage))
            self.grad = grad
        if self._grad_hooks:
            for hook in list(self._grad_hooks.values()):
                hook(self)

    def register_post_accumulate_grad_hook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(self)`` each time backward has added into this leaf's ``.grad``.

        As in PyTorch: leaves only, the hook sees the accumulated ``.grad`` and
        returns nothing. Data-parallel training starts averaging a gradient here.
        """
        if self.history is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: only leaf tensors have "
                               "their .grad accumulated; this one was made by "
                               f"{self.history.name}")
        if self._grad_hooks is None:
            self._grad_hooks = OrderedDict()
        return register(self._grad_hooks, hook, "register_post_accumulate_grad_hook")

    def validate_grad(self, grad: Tensor, producer: str) -> Tensor:
        if grad.shape != self.shape:
            raise RuntimeError(
                f"{producer}.backward returned a gradient of shape {grad.shape} for an input of "
                f"shape {self.shape}"
            )
        if grad.dtype is not self.dtype:
            raise RuntimeError(
                f"{producer}.backward returned a {grad.dtype.name} gradient for a "
                f"{self.dtype.name} input"
            )
        return grad

    def zero_grad_(self) -> None:
        self.grad = None

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        if not requires_grad and not self.is_leaf:
            raise RuntimeError(
                "requires_grad_: you can only change requires_grad flags of leaf variables; "
                "use detach() for a tensor outside the graph"
            )
        if requires_grad and not self.dtype.is_floating_point:
            _refuse_grad(self.dtype)
        self.requires_grad = requires_grad
        return self

    # -- graph export -------------------------------------------------------------------
    def to_dot(self) -> str:
        """The autodiff graph behind this tensor as Graphviz DOT text."""
        from minitorch.autodiff import to_dot

        return to_dot(self)

    def _dot_value(self) -> str:
        return f"{'x'.join(map(str, self.shape)) or 'scalar'} {self.dtype.name}"


def _refuse_grad(dtype: DType) -> None:
    raise RuntimeError(f"only Tensors of floating point dtype can require gradients "
                       f"(got {dtype.name})")
