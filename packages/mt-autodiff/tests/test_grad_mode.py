"""Grad mode: context managers, decorators, per-thread state, as torch's are."""

from __future__ import annotations

import threading

import pytest

from minitorch.autodiff import (
    Scalar,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)


def test_no_grad_as_context_manager_and_nested_enable_grad() -> None:
    x = Scalar(1.0)
    with no_grad():
        assert not is_grad_enabled()
        assert not (x * 2).requires_grad
        with enable_grad():
            assert (x * 2).requires_grad
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_modes_work_as_decorators_with_and_without_parentheses() -> None:
    @no_grad()
    def f() -> bool:
        return is_grad_enabled()

    @no_grad
    def g() -> bool:
        return is_grad_enabled()

    @inference_mode()
    def h() -> bool:
        return is_grad_enabled()

    assert (f(), g(), h()) == (False, False, False)
    assert f.__name__ == "f"
    assert is_grad_enabled()


def test_set_grad_enabled_as_call_context_and_decorator() -> None:
    set_grad_enabled(False)
    try:
        assert not is_grad_enabled()
    finally:
        set_grad_enabled(True)
    with set_grad_enabled(False):
        assert not is_grad_enabled()
    assert is_grad_enabled()

    @set_grad_enabled(False)
    def f() -> bool:
        return is_grad_enabled()

    assert is_grad_enabled(), "decorating must not switch the mode"
    assert f() is False
    with pytest.raises(TypeError, match="bool"):
        set_grad_enabled("no")  # type: ignore[arg-type]


def test_inference_mode_false_records() -> None:
    with inference_mode(False):
        assert is_grad_enabled()
    with inference_mode():
        assert not is_grad_enabled()


def test_the_mode_is_restored_when_the_block_raises() -> None:
    with pytest.raises(ValueError), no_grad():
        raise ValueError
    assert is_grad_enabled()


def test_one_manager_instance_can_be_reused_and_nested() -> None:
    quiet = no_grad()
    with quiet:
        with quiet:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    seen: list[bool] = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]
