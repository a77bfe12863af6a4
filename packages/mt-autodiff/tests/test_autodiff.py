"""topological_sort, backpropagate, Context, History and the freeing of the graph."""

from __future__ import annotations

import gc
import math
import weakref

import pytest

from minitorch.autodiff import (
    Add,
    Context,
    History,
    Scalar,
    ScalarFunction,
    Variable,
    backpropagate,
    topological_sort,
)


def test_context_saves_values_unless_no_grad() -> None:
    ctx = Context()
    ctx.save_for_backward(1.0, 2.0)
    assert ctx.saved_values == (1.0, 2.0)
    quiet = Context(no_grad=True)
    quiet.save_for_backward(1.0)
    assert quiet.saved_values == ()


def test_scalar_follows_the_variable_protocol() -> None:
    assert isinstance(Scalar(1.0), Variable)


def test_topological_sort_puts_every_node_before_its_inputs() -> None:
    x, y = Scalar(1.0), Scalar(2.0)
    a = x * y
    b = a + x
    c = b * a
    order = topological_sort(c)
    # Recorded ops appear as their History, leaves as themselves.
    assert order[0] is c.history
    assert {id(v) for v in order} == {id(v) for v in (x, y, a.history, b.history, c.history)}
    position = {id(v): i for i, v in enumerate(order)}
    for node in order:
        if isinstance(node, History):
            for parent in node.parents:
                assert position[id(node)] < position[id(parent)]


def test_topological_sort_skips_constants() -> None:
    x = Scalar(1.0)
    y = x * 2.0
    assert topological_sort(y) == [y.history, x]
    assert topological_sort(Scalar(1.0, requires_grad=False)) == []


def test_history_records_the_parents_inputs_had_when_it_was_made() -> None:
    x = Scalar(3.0)
    h = x * 2.0
    y = h + 1.0
    (edge_h, edge_const) = y.history.parents
    assert edge_h is h.history and edge_const is None
    assert x.history is None and h.history.parents == (x, None)
    # Re-pointing h at a new history later does not rewire what y recorded.
    h.history = (x * 5.0).history
    y.backward()
    assert x.grad == 2.0


def test_context_records_needs_input_grad() -> None:
    x = Scalar(1.0)
    y = x * 2.0
    assert y.history.ctx.needs_input_grad == (True, False)


def test_accumulates_when_a_variable_is_used_twice() -> None:
    x = Scalar(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0


def test_diamond_graph_sums_both_paths() -> None:
    x = Scalar(2.0)
    a = x.exp()
    b = a * a + a.log()  # = e^{2x} + x, db/dx = 2 e^{2x} + 1
    b.backward()
    assert math.isclose(x.grad, 2 * math.exp(4.0) + 1.0)


def test_grad_accumulates_across_backward_calls() -> None:
    x = Scalar(1.0)
    (x * 2).backward()
    (x * 3).backward()
    assert x.grad == 5.0


def test_backward_with_d_output() -> None:
    x = Scalar(1.0)
    (x * 2).backward(0.5)
    assert x.grad == 1.0


def test_backward_on_a_leaf_sets_its_own_grad() -> None:
    x = Scalar(1.0)
    x.backward()
    assert x.grad == 1.0


def test_interior_nodes_keep_no_grad() -> None:
    x = Scalar(1.0)
    h = x * 2
    (h + 1).backward()
    assert h.grad is None


def test_constant_inputs_get_no_grad() -> None:
    x = Scalar(2.0)
    c = Scalar(5.0, requires_grad=False)
    (x * c).backward()
    assert x.grad == 5.0 and c.grad is None


def test_deep_chain_does_not_hit_the_recursion_limit() -> None:
    x = Scalar(0.0)
    y = x
    for _ in range(5000):
        y = y + 1.0
    y = y * 2.0
    assert y.data == 10000.0
    y.backward()
    assert x.grad == 2.0


def test_backward_frees_every_intermediate() -> None:
    gc.disable()
    try:
        x = Scalar(0.5)
        a = x * 2.0
        b = a.exp()
        c = b + a
        d = c.sigmoid()
        y = d.log() * x
        refs = [weakref.ref(v) for v in (a, b, c, d)]
        del a, b, c, d
        assert all(r() is not None for r in refs), "the graph keeps intermediates until backward"
        y.backward()
        assert [r() for r in refs] == [None] * 4
        assert x.grad is not None
    finally:
        gc.enable()


def test_retain_graph_keeps_intermediates_and_allows_a_second_backward() -> None:
    gc.disable()
    try:
        x = Scalar(2.0)
        h = x * x
        ref = weakref.ref(h)
        y = h + x
        del h
        y.backward(retain_graph=True)
        assert ref() is not None
        y.backward()
        assert x.grad == 10.0
        assert ref() is None
    finally:
        gc.enable()


def test_second_backward_through_a_released_graph_raises() -> None:
    x = Scalar(2.0)
    y = x * x + 1
    y.backward()
    with pytest.raises(RuntimeError, match=r"released.*backward\(retain_graph=True\)"):
        y.backward()
    assert x.grad == 4.0, "a failed backward must not touch the leaves"


def test_new_expression_over_a_released_intermediate_raises_on_backward() -> None:
    x = Scalar(2.0)
    h = x * 3
    (h + 1).backward()
    z = h * 2  # forward still works: it only needs h.data
    assert z.data == 12.0
    with pytest.raises(RuntimeError, match="released"):
        z.backward()


def test_backward_returning_the_wrong_arity_is_a_clear_error() -> None:
    class Broken(ScalarFunction):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, d_out):
            return d_out

    with pytest.raises(RuntimeError, match="returned 1 gradient.*for 2 input"):
        Broken.apply(Scalar(1.0), Scalar(2.0)).backward()


def test_backpropagate_directly() -> None:
    x, y = Scalar(1.0), Scalar(4.0)
    z = Add.apply(x, y)
    backpropagate(z, 3.0)
    assert x.grad == 3.0 and y.grad == 3.0


class _Versioned:
    """A stand-in for a tensor: something with a write counter."""

    def __init__(self) -> None:
        self._version = 0
        self.shape = (3,)


def test_saved_values_with_a_version_are_checked() -> None:
    ctx = Context()
    v = _Versioned()
    ctx.save_for_backward(v, 2.0)
    ctx.check_saved("Mul")
    v._version += 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: .*shape \(3,\).*saved by Mul, "
                       r"is at version 1; expected version 0"):
        ctx.check_saved("Mul")


def test_a_modified_saved_value_stops_backward_before_any_leaf_is_touched() -> None:
    class Keep(ScalarFunction):
        """Saves a versioned object; its backward would pass d_out through."""

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(box)
            return a

        @staticmethod
        def backward(ctx, d_out):
            return d_out

    box = _Versioned()
    x = Scalar(1.0)
    y = Keep.apply(x) + x
    box._version = 5
    with pytest.raises(RuntimeError, match="saved by Keep"):
        y.backward()
    assert x.grad is None


def test_forward_returning_its_input_is_an_error() -> None:
    from minitorch.autodiff import Function

    class Same(Function):
        @staticmethod
        def forward(ctx, a):
            return a

    with pytest.raises(RuntimeError, match="returned one of its inputs"):
        Same.apply(Scalar(1.0))


def test_backpropagate_on_a_constant_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        backpropagate(Scalar(1.0, requires_grad=False), 1.0)
