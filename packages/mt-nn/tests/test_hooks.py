"""Forward pre-hooks and forward hooks: what they see, what they may replace, their
order, and removal through the handle (also as a context manager)."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.tensor as mt
from minitorch.nn.module import RemovableHandle


class Scale(nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x, shift=0.0):
        return x * self.factor + shift


def test_pre_hook_sees_the_positional_args_and_may_replace_them():
    layer = Scale(2.0)
    seen = []
    layer.register_forward_pre_hook(lambda m, args: seen.append((m, args)))
    x = mt.tensor([1.0, 2.0])
    layer(x, shift=1.0)  # keyword arguments go to forward, not to the hooks
    assert seen[0][0] is layer and len(seen[0][1]) == 1 and seen[0][1][0] is x
    handle = layer.register_forward_pre_hook(lambda m, args: (args[0] + 1.0,))
    np.testing.assert_array_equal(layer(x).numpy(), [4.0, 6.0])
    handle.remove()
    # A single (non-tuple) value becomes the only argument.
    layer.register_forward_pre_hook(lambda m, args: mt.tensor([10.0]))
    np.testing.assert_array_equal(layer(x).numpy(), [20.0])


def test_forward_hook_sees_args_and_output_and_may_replace_the_output():
    layer = Scale(3.0)
    seen = []
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 0.0 + 1.0,))
    layer.register_forward_hook(lambda m, args, out: seen.append((args[0].numpy(), out.numpy())))
    layer.register_forward_hook(lambda m, args, out: out - 3.0)
    layer.register_forward_hook(lambda m, args, out: seen.append(out.numpy()))
    result = layer(mt.tensor([5.0]))
    # The args are those the pre-hook produced; the third hook sees the replaced output.
    np.testing.assert_array_equal(seen[0][0], [1.0])
    np.testing.assert_array_equal(seen[0][1], [3.0])
    np.testing.assert_array_equal(seen[1], [0.0])
    np.testing.assert_array_equal(result.numpy(), [0.0])


def test_hooks_run_in_registration_order_unless_prepended():
    layer = Scale(1.0)
    order = []
    layer.register_forward_hook(lambda *a: order.append("first"))
    layer.register_forward_hook(lambda *a: order.append("second"))
    layer.register_forward_hook(lambda *a: order.append("front"), prepend=True)
    layer.register_forward_pre_hook(lambda *a: order.append("pre"))
    layer(mt.ones(1))
    assert order == ["pre", "front", "first", "second"]


def test_handles_remove_once_and_work_as_context_managers():
    layer = Scale(1.0)
    calls = []
    handle = layer.register_forward_hook(lambda *a: calls.append(1))
    assert isinstance(handle, RemovableHandle)
    layer(mt.ones(1))
    handle.remove()
    handle.remove()  # a second remove does nothing
    layer(mt.ones(1))
    assert calls == [1]
    with layer.register_forward_pre_hook(lambda *a: calls.append(2)) as inner:
        assert isinstance(inner, RemovableHandle)
        layer(mt.ones(1))
    layer(mt.ones(1))
    assert calls == [1, 2]
    other = layer.register_forward_hook(lambda *a: None)
    assert other.id != handle.id


def test_a_hook_may_remove_itself_while_running():
    layer = Scale(1.0)
    calls = []

    def once(module, args, output):
        calls.append("once")
        handle.remove()

    handle = layer.register_forward_hook(once)
    layer.register_forward_hook(lambda *a: calls.append("always"))
    layer(mt.ones(1))
    layer(mt.ones(1))
    assert calls == ["once", "always", "always"]


def test_hooks_on_sub_modules_capture_activations():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    captured = {}

    def keep(name):
        def hook(module, args, output):
            captured[name] = output.shape  # returns None: the output is left as it is
        return hook

    for name, module in model.named_children():
        module.register_forward_hook(keep(name))
    model(mt.ones(5, 3))
    assert captured == {"0": (5, 4), "1": (5, 4), "2": (5, 2)}


def test_a_handle_does_not_keep_the_module_alive():
    layer = Scale(1.0)
    handle = layer.register_forward_hook(lambda *a: None)
    del layer
    gc.collect()
    handle.remove()  # nothing to remove from any more; no error


def test_non_callable_hooks_are_refused():
    with pytest.raises(TypeError, match="must be callable"):
        Scale(1.0).register_forward_hook("print")


def test_same_order_and_replacements_as_torch():
    torch = pytest.importorskip("torch")

    def trace(module_cls, linear, make, to_list):
        log = []
        model = module_cls(linear(2, 2), linear(2, 2))
        model[0].register_forward_pre_hook(lambda m, args: log.append("pre0"))
        model[0].register_forward_hook(lambda m, args, out: out * 0.0)
        model[1].register_forward_pre_hook(lambda m, args: log.append(to_list(args[0])))
        model.register_forward_hook(lambda m, args, out: log.append("outer"), prepend=True)
        with model.register_forward_hook(lambda m, args, out: log.append("gone")):
            pass
        model(make([[1.0, 2.0]]))
        return log

    ours = trace(nn.Sequential, nn.Linear, mt.tensor, lambda t: t.numpy().tolist())
    theirs = trace(torch.nn.Sequential, torch.nn.Linear, torch.tensor,
                   lambda t: t.detach().numpy().tolist())
    assert ours == theirs == ["pre0", [[0.0, 0.0]], "outer"]
