"""TensorView: a tensor that shares (part of) another tensor's storage.

View-making Functions (views.py) and indexing return these, through
`dispatch.new_view`. What a view adds to a Tensor is the bookkeeping that
keeps autodiff right when the storage is written in place (inplace.py).
"""

from __future__ import annotations

from minitorch.autodiff import History

from .shape import TensorData
from .tensor import Tensor


class TensorView(Tensor):
    """A tensor over (part of) another's storage: made by view, reshape, permute,
    transpose, expand and indexing.

    It remembers its base (the tensor that is not itself a view) so that a
    recorded in-place write into it can also give the base a new history.
    When some tensor of the storage gets a new history from a recorded
    in-place write after this view was made (the storage's `rebases` count
    moved), the view's own history describes the old value: the next time
    autodiff looks at it, it becomes a window onto its base's new history.
    """

    _history: History | None
    _requires_grad: bool

    def __init__(self, data: TensorData, of: Tensor) -> None:
        self._base = of._base if of._base is not None else of
        self._epoch = data.version.rebases
        super().__init__(data, of.backend, of.dtype)

    def _refresh(self) -> None:
        self._epoch = self._data.version.rebases
        base = self._base
        assert base is not None
        if base.requires_grad:
            from .inplace import as_strided_history

            self._history = as_strided_history(self, base)
            self._requires_grad = True

    @property
    def history(self) -> History | None:
        if self._epoch != self._data.version.rebases:
            self._refresh()
        return self._history

    @history.setter
    def history(self, value: History | None) -> None:
        self._history = value
        self._epoch = self._data.version.rebases

    @property
    def requires_grad(self) -> bool:
        if self._epoch != self._data.version.rebases:
            self._refresh()
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._requires_grad = value
