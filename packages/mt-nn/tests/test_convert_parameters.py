"""nn.utils.parameters_to_vector / vector_to_parameters: values, gradients, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt
from minitorch.nn.utils import parameters_to_vector, vector_to_parameters
from minitorch.tensor.testing import gradcheck


def test_parameters_to_vector_concatenates_the_flattened_parameters_in_order():
    model = nn.Linear(3, 2)
    vec = parameters_to_vector(model.parameters())
    expected = np.concatenate([model.weight.numpy().ravel(), model.bias.numpy()])
    assert vec.shape == (8,)
    np.testing.assert_array_equal(vec.numpy(), expected)


def test_parameters_to_vector_is_differentiable_also_through_non_contiguous_inputs():
    a, b = mt.randn(2, 3, dtype=mt.float64), mt.randn(2, dtype=mt.float64)
    gradcheck(lambda x, y: parameters_to_vector([x.transpose(0, 1), y]) * 3.0, a, b)


def test_mixed_dtypes_promote_as_torch_cat():
    torch = pytest.importorskip("torch")
    vec = parameters_to_vector([mt.ones(2), mt.zeros(1, dtype=mt.float64)])
    reference = torch.nn.utils.parameters_to_vector(
        [torch.ones(2), torch.zeros(1, dtype=torch.float64)])
    assert vec.dtype is mt.float64 and reference.dtype == torch.float64
    np.testing.assert_array_equal(vec.numpy(), reference.numpy())


def test_vector_to_parameters_gives_each_parameter_its_slice_and_keeps_its_identity():
    model = nn.Linear(2, 2)
    weight = model.weight
    opt = optim.SGD(model.parameters(), lr=1.0)
    vector_to_parameters(mt.arange(6.0), model.parameters())
    assert model.weight is weight
    np.testing.assert_array_equal(model.weight.numpy(), [[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(model.bias.numpy(), [4.0, 5.0])
    model(mt.ones(1, 2)).sum().backward()
    opt.step()  # the optimizer still updates the same parameter objects
    np.testing.assert_array_equal(model.bias.numpy(), [3.0, 4.0])


def test_vector_to_parameters_shares_vec_memory_as_torch_does():
    torch = pytest.importorskip("torch")
    params, vec = [nn.Parameter(mt.zeros(2, 2)), nn.Parameter(mt.zeros(1))], mt.arange(5.0)
    reference = [torch.nn.Parameter(torch.zeros(2, 2)), torch.nn.Parameter(torch.zeros(1))]
    torch_vec = torch.arange(5.0)
    vector_to_parameters(vec, params)
    torch.nn.utils.vector_to_parameters(torch_vec, reference)
    vec[4] = 10.0
    torch_vec[4] = 10.0
    for p, r in zip(params, reference, strict=True):
        np.testing.assert_array_equal(p.numpy(), r.detach().numpy())
    np.testing.assert_array_equal(params[1].numpy(), [10.0])


def test_a_round_trip_through_a_vector_restores_the_parameters():
    source, target = nn.Linear(3, 2), nn.Linear(3, 2)
    vector_to_parameters(parameters_to_vector(source.parameters()), target.parameters())
    x = mt.randn(2, 3)
    np.testing.assert_array_equal(target(x).numpy(), source(x).numpy())


def test_a_strided_vector_is_accepted():
    params = [nn.Parameter(mt.zeros(2, 2))]
    vector_to_parameters(mt.arange(8.0)[::2], params)
    np.testing.assert_array_equal(params[0].numpy(), [[0.0, 2.0], [4.0, 6.0]])


@pytest.mark.parametrize("vec,error,match", [
    ("not a tensor", TypeError, "but got: str"),
    (mt.arange(5.0), RuntimeError, "6 elements"),
    (mt.arange(7.0), RuntimeError, "6 elements"),
    (mt.arange(6.0).reshape(2, 3), RuntimeError, "1-D"),
    (mt.arange(6), TypeError, "floating point"),
])
def test_vector_to_parameters_refuses_a_bad_vector_and_changes_nothing(vec, error, match):
    model = nn.Linear(2, 2)
    before = [p.numpy() for p in model.parameters()]
    with pytest.raises(error, match=match):
        vector_to_parameters(vec, model.parameters())
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.numpy(), b)


def test_bad_parameter_lists_are_refused():
    with pytest.raises(RuntimeError, match="non-empty"):
        parameters_to_vector([])
    with pytest.raises(TypeError, match="item 1 is a list"):
        parameters_to_vector([mt.ones(1), [1.0]])


@pytest.mark.needs_backend("numba")
def test_parameters_on_two_devices_are_refused():
    params = [mt.ones(1, backend="python"), mt.ones(1, backend="numba")]
    with pytest.raises(TypeError, match="different devices"):
        parameters_to_vector(params)
    with pytest.raises(TypeError, match="different devices"):
        vector_to_parameters(mt.ones(2), params)
