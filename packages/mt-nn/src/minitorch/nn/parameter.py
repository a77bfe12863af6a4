"""Parameter: a Tensor that a Module registers as learnable state."""

from __future__ import annotations

import minitorch.tensor as mt
from minitorch.tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor with ``requires_grad=True`` that Modules collect.

    It *is* a Tensor (a subclass sharing the wrapped tensor's storage), so
    every tensor op accepts it and returns a plain Tensor. Assigning a
    Parameter to a Module attribute registers it in ``parameters()``.

    Args:
        data: the initial values; the Parameter shares its storage. ``None``
            gives an empty (0-element) float32 parameter.
        requires_grad: whether gradients are recorded (True by default).

    Example::

        w = Parameter(mt.zeros(3, 4))
        (w * 2).sum().backward()      # w.grad is all 2
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = mt.zeros(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter: expected a minitorch Tensor, got {type(data).__name__}; "
                "wrap numbers with minitorch.tensor.tensor(...) first"
            )
        # detach(): a Parameter is always a leaf, whatever graph `data` came from.
        leaf = data.detach()
        super().__init__(leaf._data, leaf.backend, leaf.dtype, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
