"""In-place writes: version counters, in-place operators, aliasing, recorded writes.

Every case states what PyTorch does and runs on the python and numba
backends; where torch is installed it runs there too (torch_oracle.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.autodiff as ad
import minitorch.tensor as mt
from minitorch.tensor.testing.oracle import backends, check_raises, check_value

pytestmark = pytest.mark.parametrize("backend", backends())

MODIFIED = "modified by an inplace operation"
OVERLAP = "refer to a single memory location. Please clone"
INTERNAL = "more than one element of the written-to tensor refers to a single memory location"


# -- version counters: a saved tensor written in place stops backward --------------------
def test_input_saved_by_mul_then_written(backend):
    # PyTorch: RuntimeError "one of the variables needed for gradient computation has
    # been modified by an inplace operation".
    def program(lib):
        w, x = lib.ones(3, requires_grad=True), lib.ones(3)
        y = (w * x).sum()
        x.mul_(5)
        y.backward()

    check_raises(program, backend, RuntimeError, MODIFIED)


def test_parameter_written_under_no_grad_before_backward(backend):
    def program(lib):
        w = lib.ones(3, requires_grad=True)
        y = (w * w).sum()
        with lib.no_grad():
            w.mul_(3)
        y.backward()

    err = check_raises(program, backend, RuntimeError, MODIFIED)
    assert "Mul" in str(err) and "(3,)" in str(err), "the error names the op and the shape"


def test_saved_output_written_through_a_detached_alias(backend):
    def program(lib):
        w = lib.ones(3, requires_grad=True)
        y = w.exp()
        s = y.sum()
        y.detach().mul_(0)
        s.backward()

    check_raises(program, backend, RuntimeError, MODIFIED)


def test_a_refused_backward_leaves_the_leaves_alone(backend):
    w = mt.ones(3, backend=backend, requires_grad=True)
    y = (w * 2.0).sum() + (w * w).sum()
    with mt.no_grad():
        w.add_(1.0)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()
    assert w.grad is None


def test_versions_count_writes_and_views_share_them(backend):
    # PyTorch: x._version is 0, then 1 after one in-place op, shared with views.
    x = mt.zeros(2, 3, backend=backend)
    view = x[0]
    assert x._version == 0
    x.add_(1.0)
    view.mul_(2.0)
    x[1] = 5.0
    assert x._version == view._version == 3
    assert (x + 1.0)._version == 0


# -- Python's augmented assignment is in place ------------------------------------------
def test_minus_equals_updates_the_parameter_itself(backend):
    # PyTorch's nn tutorial: `with torch.no_grad(): p -= lr * p.grad`.
    def program(lib):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        (p * p).sum().backward()
        same = p
        with lib.no_grad():
            p -= 0.5 * p.grad
            p += 1.0
            p *= 2.0
            p /= 4.0
        return same is p, p

    check_value(program, backend, (True, [0.5, 0.5]))


def test_augmented_assignment_on_a_leaf_that_requires_grad_raises(backend):
    def program(lib):
        w = lib.ones(3, requires_grad=True)
        w += 1

    check_raises(program, backend, RuntimeError,
                 "a leaf Variable that requires grad is being used in an in-place operation")


def test_augmented_assignment_on_an_intermediate_is_recorded(backend):
    def program(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = w * 2.0
        h += w
        h *= w
        h.sum().backward()
        return h, w.grad

    check_value(program, backend, ([3.0, 12.0, 27.0], [6.0, 12.0, 18.0]))


def test_squaring_an_intermediate_in_place_gives_the_true_gradient(backend):
    # A documented deviation: PyTorch raises here (the saved `other` is the
    # written tensor); minitorch saves copies of what the write overwrites,
    # so the gradient is exact: d/dw (2w)^2 = 8w.
    w = mt.tensor([1.0, 2.0], backend=backend, requires_grad=True)
    h = w * 2.0
    h.mul_(h)
    h.sum().backward()
    assert h.tolist() == [4.0, 16.0] and w.grad.tolist() == [8.0, 16.0]


def test_mul_by_a_tensor_that_requires_grad_keeps_the_old_value_for_backward(backend):
    # PyTorch saves the value `a` had before the write: b.grad is the old a.
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True) * 1.0
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        a.mul_(b)
        a.sum().backward()
        return a, b.grad

    check_value(program, backend, ([3.0, 8.0], [1.0, 2.0]))


# -- aliasing ----------------------------------------------------------------------------
def test_shifted_copy_of_itself_raises_like_pytorch(backend):
    def program(lib):
        x = lib.arange(5)
        x[1:] = x[:-1]

    check_raises(program, backend, RuntimeError, OVERLAP)


def test_adding_the_transpose_in_place_raises(backend):
    def program(lib):
        x = lib.arange(400 * 400).reshape(400, 400)
        x.add_(x.T)

    check_raises(program, backend, RuntimeError, OVERLAP)


def test_adding_a_row_of_itself_raises(backend):
    def program(lib):
        x = lib.arange(6).reshape(2, 3)
        x.add_(x[0])

    check_raises(program, backend, RuntimeError, OVERLAP)


def test_writing_into_an_expanded_tensor_raises(backend):
    def program(lib):
        lib.zeros(1, 70000).expand(4, 70000).add_(1)

    check_raises(program, backend, RuntimeError, INTERNAL)


def test_a_refused_write_changes_nothing(backend):
    x = mt.arange(5, backend=backend)
    with pytest.raises(RuntimeError, match=OVERLAP):
        x[1:] = x[:-1]
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0] and x._version == 0


@pytest.mark.parametrize("case", ["columns", "strided halves", "disjoint rows", "itself"])
def test_overlapping_strided_writes_give_numpys_result(backend, case):
    # Strided sources that share memory with the target: PyTorch computes these
    # in place; minitorch copies the source first, which is numpy's answer.
    def program(lib):
        x = lib.arange(6).reshape(2, 3)
        if case == "columns":
            x[:, 0] = x[:, 1]
        elif case == "strided halves":
            x = lib.arange(6)
            x[::2] = x[1::2]
        elif case == "disjoint rows":
            x[0].add_(x[1])
        else:
            x.mul_(x)
        return x

    expected = np.arange(6.0).reshape(2, 3)
    if case == "columns":
        expected[:, 0] = expected[:, 1]
    elif case == "strided halves":
        expected = np.arange(6.0)
        expected[::2] = expected[1::2].copy()
    elif case == "disjoint rows":
        expected[0] += expected[1]
    else:
        expected = expected * expected
    check_value(program, backend, expected)


# -- recorded writes (indexed assignment and in-place ops in the graph) -------------------
def test_setitem_of_a_result_records_the_graph(backend):
    def program(lib):
        buf = lib.zeros(3)
        w = lib.ones(2, requires_grad=True)
        buf[0] = (w * 2).sum()
        buf.sum().backward()
        return buf, w.grad

    check_value(program, backend, ([4.0, 0.0, 0.0], [2.0, 2.0]))


def test_setitem_sends_gradients_to_the_source_and_the_rest_of_the_target(backend):
    def program(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = lib.tensor([5.0], requires_grad=True)
        a = w * 1.0
        a[1:2] = v * 3.0
        (a * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        return w.grad, v.grad

    check_value(program, backend, ([1.0, 0.0, 100.0], [30.0]))


def test_in_place_op_on_a_view_updates_the_base_graph(backend):
    def program(lib):
        w = lib.ones(3, requires_grad=True)
        c = w * 1
        c[0:2].mul_(2)
        c.sum().backward()
        return c, w.grad

    check_value(program, backend, ([2.0, 2.0, 1.0], [2.0, 2.0, 1.0]))


def test_results_computed_before_a_write_keep_their_gradient(backend):
    def program(lib):
        w = lib.ones(3, requires_grad=True)
        c = w * 1
        s = c[0:2] + 3
        c.mul_(2)
        s.sum().backward()
        return w.grad

    check_value(program, backend, [1.0, 1.0, 0.0])


def test_a_view_made_before_its_base_was_written_sees_the_new_value(backend):
    def program(lib):
        w = lib.ones(3, requires_grad=True)
        c = w * 1
        v = c[0:2]
        c.mul_(2)
        v.sum().backward()
        return v, w.grad

    check_value(program, backend, ([2.0, 2.0], [2.0, 2.0, 0.0]))


def test_a_view_of_a_buffer_joins_the_graph_after_a_recorded_write(backend):
    def program(lib):
        buf = lib.zeros(3)
        v = buf[1:]
        w = lib.ones(1, requires_grad=True)
        buf[1:2] = w * 2
        (v * v).sum().backward()
        return v.requires_grad, w.grad

    check_value(program, backend, (True, [8.0]))


def test_in_place_on_a_view_of_a_leaf_that_requires_grad_raises(backend):
    def program(lib):
        w = lib.ones(3, requires_grad=True)
        w[0:2].add_(1)

    check_raises(program, backend, RuntimeError,
                 "a view of a leaf Variable that requires grad is being used in an in-place operation")


def test_in_place_relu_is_recorded(backend):
    x = mt.tensor([-1.0, 2.0], backend=backend, requires_grad=True)
    h = x * 3.0
    h.relu_()
    h.sum().backward()
    assert h.tolist() == [0.0, 6.0] and x.grad.tolist() == [0.0, 3.0]


# -- one engine, one grad mode ---------------------------------------------------------------
def test_autodiff_no_grad_stops_tensor_recording_and_the_reverse(backend):
    w = mt.ones(2, backend=backend, requires_grad=True)
    with ad.no_grad():
        assert not (w * 2.0).requires_grad
    with mt.no_grad():
        assert not (ad.Scalar(1.0) * 2.0).requires_grad
    assert mt.no_grad is ad.no_grad and mt.Function is ad.Function


def test_tensor_graph_nodes_are_the_engines_histories(backend):
    x = mt.ones(2, backend=backend, requires_grad=True)
    y = (x * 2.0).exp()
    assert isinstance(y.grad_fn, ad.History) and y.grad_fn.name == "Exp"
    assert ad.topological_sort(y)[0] is y.grad_fn and ad.topological_sort(y)[-1] is x
