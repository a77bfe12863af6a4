"""The PyTorch oracle: run one small program on minitorch and, where installed, on torch.

A test states PyTorch's behaviour (a value, or an error and its message) and
checks minitorch against that statement; when torch is importable the same
program also runs on torch, so the statement itself is checked. A program
takes a `lib` with the few creation functions it needs (`MiniLib` binds
them to one backend, `TorchLib` to torch). torch is never a dependency.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

import numpy as np

import minitorch.tensor as mt


def _optional_torch() -> Any:
    """torch if it is importable (an optional oracle: never a dependency), else None."""
    try:
        return importlib.import_module("torch")
    except ImportError:  # pragma: no cover - depends on the machine
        return None


torch: Any = _optional_torch()


def backends() -> list[str]:
    """The CPU backends these tests run on: python always, numba when installed."""
    names = {row["name"] for row in mt.list_backends() if row["status"] == "available"}
    return [b for b in ("python", "numba") if b in names]


class MiniLib:
    """minitorch with creation functions bound to one backend."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.no_grad = mt.no_grad
        self.where = mt.where
        self.ns = mt  # the namespace, for torch.* functions: lib.ns.max(...)
        self.device = backend  # what `device=` takes for this run

    def tensor(self, data: Any, requires_grad: bool = False) -> mt.Tensor:
        return mt.tensor(data, dtype=mt.float32, backend=self.backend,
                         requires_grad=requires_grad)

    def raw(self, data: Any, dtype: Any = None) -> mt.Tensor:
        """`tensor(data)` with the dtype inferred (or given by name: "int64", ...)."""
        return mt.tensor(data, dtype=getattr(mt, dtype) if dtype else None, backend=self.backend)

    def ones(self, *shape: int, requires_grad: bool = False) -> mt.Tensor:
        return mt.ones(*shape, backend=self.backend, requires_grad=requires_grad)

    def zeros(self, *shape: int, requires_grad: bool = False) -> mt.Tensor:
        return mt.zeros(*shape, backend=self.backend, requires_grad=requires_grad)

    def arange(self, n: int) -> mt.Tensor:
        return mt.arange(n, backend=self.backend)


class TorchLib:
    """The same functions on torch, float32 as minitorch's default."""

    def __init__(self) -> None:
        self.no_grad = torch.no_grad
        self.where = torch.where
        self.ns = torch
        self.device = "cpu"

    def tensor(self, data: Any, requires_grad: bool = False) -> Any:
        return torch.tensor(data, dtype=torch.float32, requires_grad=requires_grad)

    def raw(self, data: Any, dtype: Any = None) -> Any:
        return torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None)

    def ones(self, *shape: int, requires_grad: bool = False) -> Any:
        return torch.ones(*shape, requires_grad=requires_grad)

    def zeros(self, *shape: int, requires_grad: bool = False) -> Any:
        return torch.zeros(*shape, requires_grad=requires_grad)

    def arange(self, n: int) -> Any:
        return torch.arange(n, dtype=torch.float32)


def as_array(value: Any) -> Any:
    """Tensors (of either library) and tuples of them as numpy, for comparison."""
    if isinstance(value, (tuple, list)):
        return type(value)(as_array(v) for v in value)
    if isinstance(value, mt.Tensor):
        return value.numpy()
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().numpy()
    return value


def _assert_same(actual: Any, expected: Any, what: str) -> None:
    if isinstance(expected, (tuple, list)):
        assert len(actual) == len(expected), what
        for a, e in zip(actual, expected):
            _assert_same(a, e, what)
        return
    if isinstance(expected, (bool, str, type(None), int)) and not isinstance(actual, np.ndarray):
        assert actual == expected, f"{what}: {actual!r} != {expected!r}"
        return
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-6, equal_nan=True, err_msg=what)
    # Signed zeros must agree too (where is a selection, -0.0 keeps its sign).
    np.testing.assert_array_equal(np.signbit(a[a == 0]), np.signbit(e[e == 0]), err_msg=what)


def check_value(program: Callable[[Any], Any], backend: str, expected: Any) -> None:
    """`program` gives `expected` on minitorch (and on torch, where installed)."""
    _assert_same(as_array(program(MiniLib(backend))), expected, f"minitorch on {backend}")
    if torch is not None:
        _assert_same(as_array(program(TorchLib())), expected, "torch (the stated behaviour)")


def check_raises(program: Callable[[Any], Any], backend: str, error: type[BaseException],
                 match: str, torch_match: str | None = None) -> BaseException:
    """`program` raises `error` matching `match` on minitorch; torch raises too
    (matching `torch_match`, default `match`)."""
    caught = _raised(program, MiniLib(backend))
    assert isinstance(caught, error), f"minitorch on {backend}: expected {error.__name__}, got {caught!r}"
    assert re.search(match, str(caught)), f"{str(caught)!r} does not match {match!r}"
    if torch is not None:
        theirs = _raised(program, TorchLib())
        assert theirs is not None, "torch did not raise: the stated behaviour is wrong"
        assert re.search(torch_match or match, str(theirs)), f"torch said {str(theirs)!r}"
    return caught


def _raised(program: Callable[[Any], Any], lib: Any) -> BaseException | None:
    try:
        program(lib)
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return exc
    return None
