"""Integer and bool dtypes and PyTorch's type promotion, each against a stated
PyTorch behaviour (run on torch too where it is installed; see testing/oracle.py)."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.tensor.testing.oracle import backends, check_raises, check_value

BACKENDS = backends()


def name(t):
    """A dtype's bare name on either library: "int64", "float32", "bool"."""
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("data,expected", [
    ([1, 2], "int64"), ([1.0, 2], "float32"), ([True, False], "bool"), (3, "int64"),
    (2.5, "float32"), ([[1, 2], [3, 4]], "int64"),
])
def test_tensor_infers_the_dtype_from_its_data(backend, data, expected):
    check_value(lambda lib: name(lib.raw(data)), backend, expected)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("a,b,expected", [
    ("int64", "float32", "float32"), ("int32", "int64", "int64"), ("float32", "float64", "float64"),
    ("bool", "int32", "int32"), ("bool", "float64", "float64"), ("int32", "float32", "float32"),
])
def test_tensor_tensor_promotion(backend, a, b, expected):
    check_value(lambda lib: name(lib.raw([1, 2], a) + lib.raw([3, 4], b)), backend, expected)
    check_value(lambda lib: name(lib.raw([3, 4], b) * lib.raw([1, 2], a)), backend, expected)


@pytest.mark.parametrize("backend", BACKENDS)
def test_python_numbers_keep_the_tensor_dtype_unless_their_kind_is_higher(backend):
    check_value(lambda lib: name(lib.raw([1, 2]) * 2), backend, "int64")
    check_value(lambda lib: name(lib.raw([1, 2], "int32") + 1), backend, "int32")
    check_value(lambda lib: name(lib.raw([1, 2]) * 2.5), backend, "float32")
    check_value(lambda lib: name(lib.raw([1.0], "float64") + 1.5), backend, "float64")
    check_value(lambda lib: name(lib.raw([True]) + 1), backend, "int64")
    check_value(lambda lib: (lib.raw([1, 2]) * 2.5).tolist(), backend, [2.5, 5.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_zero_dim_tensors_only_promote_across_kinds(backend):
    # torch: a 0-d float64 tensor does not widen a float32 tensor with dims,
    # but a 0-d float tensor does turn an integer tensor into floats.
    check_value(lambda lib: name(lib.raw([1.0, 2.0]) + lib.raw(1.0, "float64")), backend,
                "float32")
    check_value(lambda lib: name(lib.raw([1, 2]) + lib.raw(1.5, "float64")), backend, "float64")
    check_value(lambda lib: name(lib.raw([1, 2], "int32") + lib.raw(7)), backend, "int32")


@pytest.mark.parametrize("backend", BACKENDS)
def test_division_of_integers_is_true_division_in_the_default_float(backend):
    check_value(lambda lib: name(lib.raw([1, 2]) / lib.raw([2, 4])), backend, "float32")
    check_value(lambda lib: (lib.raw([1, 3]) / 2).tolist(), backend, [0.5, 1.5])
    check_value(lambda lib: (lib.raw([7, -7]) // 2).tolist(), backend, [3, -4])
    check_value(lambda lib: (lib.raw([7, -7]) % 3).tolist(), backend, [1, 2])
    check_value(lambda lib: name(lib.raw([1, 4]).sqrt()), backend, "float32")


@pytest.mark.parametrize("backend", BACKENDS)
def test_comparisons_return_bool_and_bools_sum_to_int64(backend):
    def correct(lib):
        pred = lib.raw([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]).argmax(1)
        target = lib.raw([1, 0, 0])
        hits = pred.eq(target.view_as(pred))
        return name(pred), name(hits), name(hits.sum()), hits.sum().item()
    check_value(correct, backend, ("int64", "bool", "int64", 2))
    check_value(lambda lib: type(lib.raw([3, 4]).sum().item()).__name__, backend, "int")
    check_value(lambda lib: type((lib.raw([1.0]) > 0).item()).__name__, backend, "bool")


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_arithmetic_is_exact_beyond_float_precision(backend):
    big = 2**60 + 1
    check_value(lambda lib: (lib.raw([big]) + 2).tolist(), backend, [big + 2])
    check_value(lambda lib: lib.raw([big, 3]).sum().item(), backend, big + 3)


def test_argmax_is_exact_beyond_2_to_the_24():
    # float32 indices round above 2**24: the argmax returned 16777216.
    n = 2**24 + 3
    x = mt.zeros(n, backend=BACKENDS[-1])
    x[n - 1] = 1.0
    assert x.argmax().item() == n - 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_conversions_and_item(backend):
    check_value(lambda lib: lib.raw([1.7, -1.7]).long().tolist(), backend, [1, -1])
    check_value(lambda lib: lib.raw([0.0, 2.0]).bool().tolist(), backend, [False, True])
    check_value(lambda lib: name(lib.raw([1, 2]).float()), backend, "float32")
    check_value(lambda lib: name(lib.raw([1, 2]).double()), backend, "float64")
    check_value(lambda lib: name(lib.raw([1, 2]).int()), backend, "int32")
    check_value(lambda lib: name(lib.raw([1.0]).to(lib.ns.int64)), backend, "int64")
    check_value(lambda lib: int(lib.raw(7)), backend, 7)
    check_value(lambda lib: ["a", "b", "c"][lib.raw(2)], backend, "c")
    check_value(lambda lib: f"{lib.raw(0.12345):.3f}", backend, "0.123")


@pytest.mark.parametrize("backend", BACKENDS)
def test_creation_dtypes(backend):
    check_value(lambda lib: name(lib.ns.arange(5, device=lib.device)), backend, "int64")
    check_value(lambda lib: name(lib.ns.arange(0.0, 1.0, 0.5, device=lib.device)), backend,
                "float32")
    check_value(lambda lib: name(lib.ns.full((2,), 7, device=lib.device)), backend, "int64")
    check_value(lambda lib: name(lib.ns.full((2,), True, device=lib.device)), backend, "bool")
    check_value(lambda lib: name(lib.ns.zeros(2, dtype=lib.ns.long, device=lib.device)), backend,
                "int64")
    check_value(lambda lib: name(lib.ns.randint(0, 10, (3,), device=lib.device)), backend, "int64")
    check_value(lambda lib: name(lib.ns.zeros_like(lib.raw([1, 2]))), backend, "int64")


@pytest.mark.parametrize("backend", BACKENDS)
def test_randint_and_generators(backend):
    values = mt.randint(3, 7, (1000,), backend=backend).numpy()
    assert values.min() == 3 and values.max() == 6
    assert mt.randint(5, (4,), backend=backend).shape == (4,)
    g1, g2 = mt.Generator().manual_seed(3), mt.Generator().manual_seed(3)
    a = mt.rand(5, generator=g1, backend=backend).numpy()
    b = mt.rand(5, generator=g2, backend=backend).numpy()
    assert np.array_equal(a, b) and g1.initial_seed() == 3
    assert sorted(mt.randperm(6, generator=g1, backend=backend).tolist()) == list(range(6))


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_tensors_cannot_require_grad(backend):
    check_raises(lambda lib: lib.raw([1, 2]).requires_grad_(), backend, RuntimeError,
                 "only Tensors of floating point dtype can require gradients")


@pytest.mark.parametrize("backend", BACKENDS)
def test_in_place_ops_refuse_a_result_the_target_cannot_hold(backend):
    check_raises(lambda lib: lib.raw([1, 2]).add_(0.5), backend, RuntimeError,
                 "result type float32 can't be cast to the desired output type int64",
                 "result type Float can't be cast to the desired output type Long")
    def widening(lib):
        x = lib.raw([1.0, 2.0])
        x += lib.raw([1, 1])  # an int source into a float target is fine
        x *= lib.raw([2.0, 2.0], "float64")  # so is float64 into float32
        return name(x), x.tolist()
    check_value(widening, backend, ("float32", [4.0, 6.0]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_precision_gradients_come_back_in_each_inputs_dtype(backend):
    a = mt.tensor([1.0, 2.0], backend=backend, requires_grad=True)
    b = mt.tensor([3.0, 4.0], dtype=mt.float64, backend=backend, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype is mt.float32 and b.grad.dtype is mt.float64
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_bool_logic(backend):
    check_value(lambda lib: (~lib.raw([True, False])).tolist(), backend, [False, True])
    check_value(lambda lib: (lib.raw([True, False]) & lib.raw([True, True])).tolist(), backend,
                [True, False])
    check_value(lambda lib: (lib.raw([True, False]) | lib.raw([False, False])).tolist(), backend,
                [True, False])
    check_value(lambda lib: (lib.raw([1.0, -1.0]) * (lib.raw([1.0, -1.0]) > 0)).tolist(),
                backend, [1.0, -0.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_size_is_a_tuple_with_pytorchs_repr(backend):
    x = mt.zeros(2, 3, backend=backend)
    assert isinstance(x.shape, mt.Size) and isinstance(x.shape, tuple)
    assert x.shape == (2, 3) and repr(x.shape) == "minitorch.Size([2, 3])"
    assert x.size() == (2, 3) and x.shape.numel() == 6


def test_cat_promotes_mixed_dtypes_like_torch_cat():
    # torch.cat([float32, float64]) is float64, [int64, bool] int64, [int64, float32] float32;
    # the gradient comes back in each input's own dtype.
    a = mt.ones(2, requires_grad=True)
    b = mt.ones(2, dtype=mt.float64, requires_grad=True)
    joined = mt.cat([a, b])
    assert joined.dtype is mt.float64
    joined.sum().backward()
    assert a.grad.dtype is mt.float32 and b.grad.dtype is mt.float64
    assert mt.cat([mt.tensor([1, 2]), mt.tensor([True])]).dtype is mt.int64
    assert mt.cat([mt.tensor([1, 2]), mt.tensor([0.5])]).dtype is mt.float32
