"""Autodiff over tensors: accumulation, broadcasting, graph release, DOT export."""

import gc
import weakref

import numpy as np
import pytest

import minitorch.tensor as mt

B = "python"


def test_broadcast_gradients_come_back_in_input_shape():
    a = mt.tensor(np.ones((2, 3)), backend=B, requires_grad=True)
    b = mt.tensor(np.ones((3,)), backend=B, requires_grad=True)
    c = mt.tensor(np.ones((2, 1)), backend=B, requires_grad=True)
    ((a * b + c) * 2.0).sum().backward()
    assert a.grad.shape == (2, 3) and b.grad.shape == (3,) and c.grad.shape == (2, 1)
    assert b.grad.tolist() == [4.0, 4.0, 4.0]
    assert c.grad.tolist() == [[6.0], [6.0]]


def test_gradients_accumulate_across_uses_and_calls():
    x = mt.tensor([2.0], backend=B, requires_grad=True)
    (x * x + x).sum().backward()
    assert x.grad.tolist() == [5.0]
    (x * 3.0).sum().backward()
    assert x.grad.tolist() == [8.0]
    x.zero_grad_()
    assert x.grad is None


def test_second_backward_raises_and_retain_graph_allows_it():
    x = mt.tensor([1.0, 2.0], backend=B, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.tolist() == [2.0 + 4.0, 4.0 + 8.0]


def test_graph_is_released_after_backward():
    gc.disable()
    try:
        x = mt.tensor([1.0, 2.0], backend=B, requires_grad=True)
        h = x * 2.0
        h2 = h.exp()
        loss = h2.sum()
        refs = [weakref.ref(h), weakref.ref(h2)]
        del h, h2
        loss.backward()
        assert all(r() is None for r in refs), "intermediates kept alive by the graph"
    finally:
        gc.enable()


def test_no_grad_and_detach():
    x = mt.tensor([1.0], backend=B, requires_grad=True)
    with mt.no_grad():
        y = x * 2.0
    assert not y.requires_grad
    assert not x.detach().requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_backward_needs_grad_for_non_scalar():
    x = mt.tensor([1.0, 2.0], backend=B, requires_grad=True)
    with pytest.raises(RuntimeError, match="one-element"):
        (x * 2.0).backward()
    (x * 2.0).backward(mt.tensor([1.0, 1.0], backend=B))
    assert x.grad.tolist() == [2.0, 2.0]


def test_to_dot_small_graph():
    x = mt.tensor([1.0], backend=B, requires_grad=True)
    dot = (x * x + x).to_dot()
    assert dot.startswith("digraph autodiff {")
    assert dot.count("->") == 4  # x->mul twice, mul->add, x->add
    assert "Add" in dot and "Mul" in dot and "leaf" in dot


def test_max_pool_fallback_gradient_goes_to_first_max():
    x = mt.tensor(np.ones((1, 1, 2, 2)), backend=B, requires_grad=True)
    mt.max_pool2d(x, 2).sum().backward()
    assert x.grad.numpy().reshape(-1).tolist() == [1.0, 0.0, 0.0, 0.0]


def test_leaf_gradients_own_their_memory():
    a = mt.tensor([1.0, 2.0, 3.0], backend=B, requires_grad=True)
    b = mt.tensor([1.0, 2.0, 3.0], backend=B, requires_grad=True)
    a.sum().backward()  # Sum's backward is a stride-0 broadcast view
    with mt.no_grad():
        a.grad.add_(mt.tensor([1.0, 2.0, 3.0], backend=B))
    assert a.grad.tolist() == [2.0, 3.0, 4.0]
    a.grad = None
    (a + b).sum().backward()  # Add hands one gradient to both inputs
    assert a.grad is not b.grad
    with mt.no_grad():
        a.grad.mul_(0.0)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]
    g = mt.tensor([5.0, 5.0, 5.0], backend=B)
    c = mt.tensor([0.0, 0.0, 0.0], backend=B, requires_grad=True)
    c.backward(g)  # a leaf root must not adopt the caller's tensor
    assert c.grad is not g and c.grad.tolist() == [5.0, 5.0, 5.0]


# -- hooks for the end of a backward (PyTorch: register_post_accumulate_grad_hook,
#    Variable._execution_engine.queue_callback) ----------------------------------------
def test_post_accumulate_grad_hook_sees_the_accumulated_grad_each_backward():
    from minitorch.autodiff import queue_callback

    w = mt.tensor([1.0, 2.0], requires_grad=True)
    seen, done = [], []

    def hook(p):
        seen.append(p.grad.tolist())
        queue_callback(lambda: done.append(len(seen)))

    handle = w.register_post_accumulate_grad_hook(hook)
    (w * 3.0).sum().backward()
    (w * w).sum().backward()
    assert seen == [[3.0, 3.0], [5.0, 7.0]]  # accumulated: 3 + 2w
    assert done == [1, 2]                    # each callback after its own pass
    handle.remove()
    (w * 1.0).sum().backward()
    assert len(seen) == 2 and w.grad.tolist() == [6.0, 8.0]


def test_post_accumulate_grad_hook_refuses_non_leaves_and_non_callables():
    w = mt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        (w * 2.0).register_post_accumulate_grad_hook(lambda p: None)
    with pytest.raises(TypeError, match="callable"):
        w.register_post_accumulate_grad_hook(3)


def test_queue_callback_outside_backward_raises_and_callbacks_record_no_graph():
    from minitorch.autodiff import queue_callback

    with pytest.raises(RuntimeError, match="no backward pass is running"):
        queue_callback(lambda: None)
    w = mt.tensor([2.0], requires_grad=True)
    made = []
    w.register_post_accumulate_grad_hook(
        lambda p: queue_callback(lambda: made.append(p * 2.0)))
    (w * w).sum().backward()
    assert made[0].requires_grad is False and mt.is_grad_enabled()
