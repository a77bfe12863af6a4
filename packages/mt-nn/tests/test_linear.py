"""Linear: forward, gradients, PyTorch's default init, shape errors, repr."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck


def test_forward_matches_numpy():
    layer = nn.Linear(4, 3)
    x = mt.randn(5, 4)
    expected = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    assert_close(layer(x), expected)


def test_leading_dimensions_and_no_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and len(list(layer.parameters())) == 1
    x = mt.randn(2, 4, 3)
    assert_close(layer(x), x.numpy() @ layer.weight.numpy().T)


def test_gradcheck_input_weight_and_bias():
    layer = nn.Linear(3, 2)
    gradcheck(F.linear, mt.randn(4, 3), layer.weight, layer.bias)


def test_module_gradients_match_functional():
    layer = nn.Linear(3, 2, dtype=mt.float64)
    x = mt.randn(4, 3, dtype=mt.float64)
    layer(x).sum().backward()
    # d/dW sum(x W^T + b) = 1^T x ; d/db = N
    assert_close(layer.weight.grad, np.tile(x.numpy().sum(0), (2, 1)))
    assert_close(layer.bias.grad, np.full(2, 4.0))


def test_default_init_is_pytorchs():
    layer = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-bound, bound) has std bound / sqrt(3); 2000 samples pin it to a few percent.
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    mt.manual_seed(3)
    again = nn.Linear(50, 40)
    mt.manual_seed(3)
    np.testing.assert_array_equal(again.weight.numpy(), nn.Linear(50, 40).weight.numpy())


def test_backend_and_dtype_arguments():
    layer = nn.Linear(2, 2, backend="python", dtype=mt.float64)
    assert layer.weight.dtype is mt.float64 and layer.weight.backend.name == "python"


def test_wrong_input_names_layer_and_shapes():
    layer = nn.Linear(4, 3)
    with pytest.raises(ValueError) as err:
        layer(mt.zeros(2, 5))
    assert str(err.value) == (
        "Linear(in_features=4, out_features=3, bias=True): expected input with last "
        "dimension 4 (*, 4), got (2, 5)"
    )


def test_repr():
    assert repr(nn.Linear(784, 10, bias=False)) == (
        "Linear(in_features=784, out_features=10, bias=False)"
    )


def test_against_torch():
    torch = pytest.importorskip("torch")
    layer = nn.Linear(3, 2, dtype=mt.float64)
    x = np.random.default_rng(0).standard_normal((4, 3))
    tl = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(layer.weight.numpy()))
        tl.bias.copy_(torch.from_numpy(layer.bias.numpy()))
    tx = torch.from_numpy(x).requires_grad_(True)
    (tl(tx) ** 2).sum().backward()
    mx = mt.tensor(x, dtype=mt.float64, requires_grad=True)
    (layer(mx) ** 2).sum().backward()
    assert_close(mx.grad, tx.grad.numpy())
    assert_close(layer.weight.grad, tl.weight.grad.numpy())
    assert_close(layer.bias.grad, tl.bias.grad.numpy())


def test_one_op_each_way_and_gradients_in_the_parameters_layout():
    """F.linear is one recorded op: x W^T reads W through swapped strides, and W.grad is
    made contiguous by the product itself (no copy kernel, as a composed x @ W.T + b needs)."""
    import minitorch.profiler as profiler

    layer = nn.Linear(6, 4)
    x = mt.randn(3, 6, requires_grad=True)
    with profiler.profile() as prof:
        layer(x).sum().backward()
    names = [e.name for e in prof.events()]
    assert names.count("Linear") == 1 and names.count("LinearBackward") == 1
    assert "map.id" not in names  # no layout copy anywhere
    assert layer.weight.grad.is_contiguous() and layer.weight.grad.shape == (4, 6)
    expected = np.ones((3, 4)).T @ x.detach().numpy()
    assert_close(layer.weight.grad, expected)
    assert_close(layer.bias.grad, np.full(4, 3.0))
    assert_close(x.grad, np.ones((3, 4)) @ layer.weight.detach().numpy())

