"""Module and Parameter: registration, traversal, modes, placement, state dicts, repr."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.drop = nn.Dropout(0.5)
        self.register_buffer("count", mt.zeros(1))
        self.register_buffer("scratch", mt.zeros(2), persistent=False)

    def forward(self, x):
        return self.drop(self.fc(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(mt.ones(1))
        self.block = Block()
        self.head = nn.Linear(2, 1, bias=False)

    def forward(self, x):
        return self.head(self.block(x)) * self.scale


def test_parameter_is_a_leaf_tensor_that_requires_grad():
    base = mt.ones(2) * 3.0
    p = nn.Parameter(base)
    assert isinstance(p, mt.Tensor) and p.requires_grad and p.is_leaf
    out = (p * p).sum() + p.exp().sum()
    out.backward()
    np.testing.assert_allclose(p.grad.numpy(), 2 * 3.0 + np.exp(3.0), rtol=1e-6)
    assert repr(p).startswith("Parameter containing:\ntensor(")
    with pytest.raises(TypeError, match="minitorch Tensor"):
        nn.Parameter([1.0, 2.0])


def test_named_parameters_in_registration_order():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["scale", "block.fc.weight", "block.fc.bias", "head.weight"]
    assert len(list(Net().parameters())) == 4
    assert [n for n, _ in Net().named_parameters(recurse=False)] == ["scale"]


def test_children_and_modules():
    net = Net()
    assert list(net.children()) == [net.block, net.head]
    assert [n for n, _ in net.named_modules()] == ["", "block", "block.fc", "block.drop", "head"]
    assert list(net.modules())[0] is net


def test_shared_parameter_is_listed_once():
    a = nn.Linear(2, 2)
    model = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3  # Sequential, the shared Linear, ReLU


def test_train_eval_propagate():
    net = Net()
    assert net.training and net.block.drop.training
    assert net.eval() is net
    assert not net.training and not net.block.drop.training
    net.train()
    assert net.block.drop.training


def test_zero_grad_both_ways():
    net = Net().eval()
    net(mt.ones(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_reassigning_none_unregisters():
    lin = nn.Linear(2, 2)
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    assert lin.bias is None


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign a Tensor to 'weight'.*nn.Parameter"):
        lin.weight = lin.weight * 2
    lin.weight = nn.Parameter(mt.zeros(2, 2))
    assert lin.weight.numpy().sum() == 0 and len(list(lin.parameters())) == 2


def test_forgetting_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_forward_missing_is_explained():
    with pytest.raises(NotImplementedError, match="no forward"):
        nn.Module()(1)


def test_to_dtype_keeps_parameter_identity_for_the_optimizer():
    net = Net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    before = [id(p) for p in net.parameters()]
    net.to(mt.float64)
    assert [id(p) for p in net.parameters()] == before
    assert all(p.dtype is mt.float64 for p in net.parameters())
    assert net.block.count.dtype is mt.float64
    x = mt.ones(2, 3, dtype=mt.float64)
    old = net.head.weight.numpy()
    net.eval()(x).sum().backward()
    opt.step()
    assert not np.array_equal(net.head.weight.numpy(), old)


@pytest.mark.needs_backend("numba")
def test_to_numba_backend_moves_parameters_and_buffers():
    net = Net()
    values = [p.numpy() for p in net.parameters()]
    net.to("numba")
    assert all(p.backend.name == "numba" for p in net.parameters())
    assert net.block.count.backend.name == "numba"
    for v, p in zip(values, net.parameters(), strict=True):
        np.testing.assert_array_equal(v, p.numpy())


def test_cpu_moves_everything_to_the_cpu_device_and_returns_the_module():
    # PyTorch: module.cpu() returns the module itself, parameters on device "cpu";
    # a device object works with .to() as well.
    net = Net().to("python")
    assert net.cpu() is net
    assert all(p.device == mt.device("cpu") and p.backend is mt.get_backend("cpu")
               for p in net.parameters())
    assert net.block.count.device == "cpu"
    assert net.to(mt.device("python")) is net
    assert all(p.backend.name == "python" for p in net.parameters())


@pytest.mark.skipif(mt.cuda.is_available(), reason="checks the machine without a GPU")
def test_cuda_without_a_gpu_says_why_and_moves_nothing():
    net = Net().to("python")
    with pytest.raises(mt.BackendError, match="cuda"):
        net.cuda()
    assert all(p.backend.name == "python" for p in net.parameters())
    with pytest.raises(ValueError, match="cuda: 'cpu' is not a CUDA device"):
        net.cuda("cpu")


def test_state_dict_keys_and_round_trip():
    net = Net()
    state = net.state_dict()
    # PyTorch's order: a module's own parameters and buffers, then its children's.
    assert list(state) == ["scale", "block.count", "block.fc.weight", "block.fc.bias",
                           "head.weight"]
    other = Net()
    other.load_state_dict({k: v.numpy() for k, v in state.items()})
    for (_, a), (_, b) in zip(net.named_parameters(), other.named_parameters(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # load_state_dict copies: the source is not aliased.
    with mt.no_grad():
        other.scale.fill_(5.0)
    assert net.scale.item() == 1.0


def test_load_state_dict_reports_every_problem_at_once():
    net = Net()
    state = dict(net.state_dict())
    del state["head.weight"]
    del state["scale"]
    state["extra.weight"] = mt.zeros(1)
    state["block.fc.weight"] = mt.zeros(3, 2)
    before = net.block.fc.bias.numpy()
    state["block.fc.bias"] = mt.full((2,), 7.0)
    with pytest.raises(nn.StateDictError) as err:
        net.load_state_dict(state)
    message = str(err.value)
    for needle in ("missing keys: scale, head.weight", "unexpected keys: extra.weight",
                   "block.fc.weight: checkpoint shape (3, 2), model shape (2, 3)"):
        assert needle in message
    # Nothing was loaded, not even the entries that fit.
    np.testing.assert_array_equal(net.block.fc.bias.numpy(), before)


def test_load_state_dict_not_strict_returns_the_keys():
    net = Net()
    state = dict(net.state_dict())
    del state["scale"]
    state["bogus"] = mt.zeros(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["bogus"]
    state["head.weight"] = mt.zeros(5)
    with pytest.raises(nn.StateDictError, match="head.weight"):
        net.load_state_dict(state, strict=False)


def test_repr_is_built_from_extra_repr():
    text = repr(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.25)))
    assert text == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.25)\n"
        ")"
    )
    nested = repr(Net())
    assert "  (block): Block(\n    (fc): Linear(in_features=3" in nested


def test_sequential_and_module_list_containers():
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    head = seq[1:]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert seq(mt.ones(5, 3)).shape == (5, 2)
    with pytest.raises(IndexError):
        seq[3]
    with pytest.raises(TypeError, match="must be a Module"):
        nn.Sequential(nn.ReLU(), "relu")
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    holder = nn.Module()
    holder.layers = layers
    assert len(list(holder.parameters())) == 6
    assert layers[1] is list(layers)[1]


def test_apply_and_requires_grad():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and "Linear" in seen
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


# -- the rest of PyTorch's Module API ---------------------------------------------------------
def test_apply_visits_children_recursively_first_then_self():
    net = Net()
    order = []
    assert net.apply(lambda m: order.append(m)) is net
    assert order == [net.block.fc, net.block.drop, net.block, net.head, net]


def test_named_modules_dedup_prefix_and_remove_duplicate():
    a = nn.Linear(2, 2)
    model = nn.Sequential(a, nn.ReLU(), a)
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in model.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert [n for n, _ in model.named_modules(prefix="m")] == ["m", "m.0", "m.1"]
    assert [n for n, _ in model.named_children()] == ["0", "1"]  # the shared one once
    names = [n for n, _ in model.named_parameters(remove_duplicate=False)]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_named_parameters_and_buffers_with_prefix_and_recurse():
    net = Net()
    assert [n for n, _ in net.named_parameters(prefix="net")][:2] == ["net.scale",
                                                                     "net.block.fc.weight"]
    # named_buffers lists non-persistent buffers too (state_dict does not).
    assert [n for n, _ in net.named_buffers()] == ["block.count", "block.scratch"]
    assert [n for n, _ in net.block.named_buffers(prefix="b", recurse=False)] == ["b.count",
                                                                                 "b.scratch"]
    assert list(net.buffers(recurse=False)) == []
    assert len(list(net.buffers())) == 2


def test_get_submodule_parameter_and_buffer():
    net = Net()
    assert net.get_submodule("") is net and net.get_submodule("block.fc") is net.block.fc
    assert net.get_parameter("block.fc.bias") is net.block.fc.bias
    assert net.get_parameter("scale") is net.scale
    assert net.get_buffer("block.count") is net.block.count
    with pytest.raises(AttributeError, match="Block has no attribute `nope`"):
        net.get_submodule("block.nope")
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        net.get_submodule("head.weight")
    with pytest.raises(AttributeError, match="`fc` is not an nn.Parameter"):
        net.get_parameter("block.fc")
    with pytest.raises(AttributeError, match="`weight` is not a buffer"):
        net.get_buffer("head.weight")


def test_train_recurses_through_children_train_and_wants_a_bool():
    class Frozen(nn.Module):
        def train(self, mode=True):  # an override, as a layer with a fixed mode would do
            return super().train(False)

        def forward(self, x):
            return x

    model = nn.Sequential(nn.Dropout(0.5), Frozen())
    assert model.train() is model and model.eval() is model
    model.train()
    assert model.training and model[0].training and not model[1].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train("yes")


def test_state_dict_prefix_keep_vars_destination_and_shared_modules():
    net = Net()
    assert list(net.state_dict(prefix="model."))[:2] == ["model.scale", "model.block.count"]
    kept = net.state_dict(keep_vars=True)
    assert kept["scale"] is net.scale and kept["block.count"] is net.block.count
    detached = net.state_dict()["scale"]
    assert detached is not net.scale and not detached.requires_grad
    target = {"extra": mt.zeros(1)}
    assert net.head.state_dict(destination=target, prefix="head.") is target
    assert list(target) == ["extra", "head.weight"]
    a = nn.Linear(2, 2)
    shared = nn.Sequential(a, nn.ReLU(), a)
    # PyTorch: a module registered twice is saved (and loaded) under both names.
    assert list(shared.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    shared.load_state_dict(shared.state_dict())


def test_load_state_dict_ignores_non_persistent_buffers_and_wants_a_mapping():
    net = Net()
    state = dict(net.state_dict())
    assert "block.scratch" not in state
    state["block.scratch"] = mt.ones(2)
    result = net.load_state_dict(state, strict=False)
    assert result.unexpected_keys == ["block.scratch"]
    np.testing.assert_array_equal(net.block.scratch.numpy(), [0.0, 0.0])
    with pytest.raises(nn.StateDictError, match="unexpected keys: block.scratch"):
        net.load_state_dict(state)
    with pytest.raises(TypeError, match="dict-like"):
        net.load_state_dict([("scale", mt.ones(1))])


def test_registration_checks_names_and_kinds():
    m = nn.Module()
    m.plain = 3
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", mt.zeros(1))
    with pytest.raises(KeyError, match="without '.'"):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="nn.Parameter or None required"):
        m.register_parameter("w", mt.zeros(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("sub", mt.zeros(1))
    m.register_parameter("w", None)
    m.register_parameter("w", nn.Parameter(mt.ones(1)))  # re-registering is fine
    m.register_module("sub", nn.ReLU())
    assert [n for n, _ in m.named_parameters()] == ["w"] and isinstance(m.sub, nn.ReLU)


def test_to_takes_device_and_dtype_keywords_or_a_tensor():
    net = Net()
    assert net.to(device="python", dtype=mt.float64) is net
    assert all(p.dtype is mt.float64 and p.backend.name == "python" for p in net.parameters())
    net.to(mt.zeros(1, dtype=mt.float32))
    assert net.block.count.dtype is mt.float32
    with pytest.raises(TypeError, match="floating point"):
        net.to(dtype=mt.int32)


def test_requires_grad_returns_the_module():
    net = Net()
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    assert net.requires_grad_() is net and all(p.requires_grad for p in net.parameters())


def test_tree_walks_match_torch():
    torch = pytest.importorskip("torch")

    def build(lib):
        shared = lib.Linear(2, 2)
        inner = lib.Sequential(shared, lib.ReLU())
        model = lib.Sequential(inner, lib.Linear(2, 3), shared)
        model.register_buffer("steps", (torch.zeros if lib is torch.nn else mt.zeros)(1))
        return model

    ours, theirs = build(nn), build(torch.nn)

    def walks(model):
        applied = []
        model.apply(lambda m: applied.append(type(m).__name__))
        return {
            "modules": [n for n, _ in model.named_modules()],
            "all_modules": [n for n, _ in model.named_modules(remove_duplicate=False)],
            "children": [n for n, _ in model.named_children()],
            "parameters": [n for n, _ in model.named_parameters()],
            "own": [n for n, _ in model.named_parameters(recurse=False)],
            "buffers": [n for n, _ in model.named_buffers(prefix="p")],
            "state": list(model.state_dict(prefix="x.")),
            "applied": applied,
        }

    assert walks(ours) == walks(theirs)
