"""Edge cases where minitorch once differed from PyTorch; each states what PyTorch does.

Runs on the python and numba backends, and on torch where it is installed
(minitorch.tensor.testing.oracle).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.tensor.testing.oracle import backends, check_raises, check_value

pytestmark = pytest.mark.parametrize("backend", backends())
NAN, INF = math.nan, math.inf


# -- where is a selection ---------------------------------------------------------------
def test_where_does_not_leak_the_branch_not_taken(backend):
    # PyTorch: where(x > 0, x.log(), 0) is 0 for x < 0, and the gradient there is -0.0.
    def program(lib):
        x = lib.tensor([-1.0, 2.0], requires_grad=True)
        y = lib.where(x > 0, x.log(), lib.zeros(2))
        y.sum().backward()
        return y, x.grad

    check_value(program, backend, ([0.0, math.log(2.0)], [-0.0, 0.5]))


def test_where_keeps_signed_zeros_and_infinities_and_broadcasts(backend):
    def program(lib):
        cond = lib.tensor([[1.0], [0.0]])
        a = lib.tensor([-0.0, INF, NAN])
        b = lib.tensor([1.0, -INF, 2.0])
        return lib.where(cond > 0, a, b)

    check_value(program, backend, [[-0.0, INF, NAN], [1.0, -INF, 2.0]])


def test_where_gradients_sum_over_broadcast_dims(backend):
    cond = mt.tensor([[True, False], [False, True]], backend=backend)
    a = mt.tensor([2.0, 3.0], backend=backend, requires_grad=True)
    b = mt.tensor(5.0, backend=backend, requires_grad=True)
    mt.where(cond, a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.item() == 2.0


# -- signed zeros and nan -----------------------------------------------------------------
def test_negative_zero_constants_keep_their_sign(backend):
    # PyTorch: 1.0 / (x * -0.0) is -inf for positive x.
    check_value(lambda lib: 1.0 / (lib.ones(2) * -0.0), backend, [-INF, -INF])
    check_value(lambda lib: 1.0 / (lib.ones(2) * 0.0), backend, [INF, INF])


def test_relu_max_clamp_and_sigmoid_propagate_nan(backend):
    def program(lib):
        x = lib.tensor([NAN, 1.0, -1.0])
        return (x.relu(), x.max(), x.clamp(0.0, 0.5), x.sigmoid(),
                x.maximum(lib.tensor([0.0, NAN, 0.0])))

    check_value(program, backend, ([NAN, 1.0, 0.0], NAN, [NAN, 0.5, 0.0],
                                   [NAN, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))],
                                   [NAN, NAN, 0.0]))


def test_max_along_a_dim_points_at_the_first_nan(backend):
    values, indices = mt.tensor([[1.0, NAN, 3.0, NAN]], backend=backend).max(1)
    assert math.isnan(values.item()) and indices.item() == 1.0


# -- shapes that do not fit ----------------------------------------------------------------
@pytest.mark.parametrize("source,sizes,match,torch_match", [
    ((3,), (-1, 3), "-1 isn't allowed in a leading, non-existing dimension 0",
     r"\(-1\) isn't allowed in a leading, non-existing dimension 0"),
    ((2, 3), (4, 3), "size 4 must match the existing size 2 at non-singleton dimension 0",
     r"\(4\) must match the existing size \(2\) at non-singleton dimension 0"),
    ((2, 3), (2, -2), "size -2 must match the existing size 3 at non-singleton dimension 1",
     r"\(-2\) must match the existing size \(3\) at non-singleton dimension 1"),
])
def test_expand_refuses_sizes_that_do_not_fit(backend, source, sizes, match, torch_match):
    check_raises(lambda lib: lib.ones(*source).expand(*sizes), backend, ValueError, match,
                 torch_match=torch_match)


def test_view_refuses_negative_sizes_other_than_minus_one(backend):
    check_raises(lambda lib: lib.ones(2, 3).view(-2, -3), backend, ValueError,
                 "invalid shape dimension -2")


def test_empty_tensors_reshape(backend):
    # PyTorch: zeros(0, 3).T.reshape(-1) has shape (0,); reshape(-1, 0) is ambiguous.
    check_value(lambda lib: lib.zeros(0, 3).T.reshape(-1).shape == (0,), backend, True)
    check_raises(lambda lib: lib.zeros(0, 3).reshape(-1, 0), backend, ValueError,
                 "-1 could be any size", torch_match="ambiguous")


# -- reductions -------------------------------------------------------------------------------
def test_reductions_of_a_0d_tensor_are_new_tensors(backend):
    # PyTorch: t.sum() is not t, so an in-place edit of the sum leaves t alone.
    def program(lib):
        t = lib.tensor(2.0)
        s = t.sum()
        s.add_(1.0)
        return s is t, t, s

    check_value(program, backend, (False, 2.0, 3.0))


def test_max_over_an_empty_dimension_raises(backend):
    # PyTorch: IndexError "max(): Expected reduction dim 0 to have non-zero size."
    check_raises(lambda lib: lib.zeros(0, 3).max(0), backend, IndexError,
                 r"max\(\): Expected reduction dim 0 to have non-zero size")
    check_raises(lambda lib: lib.zeros(0, 3).argmax(0), backend, IndexError,
                 r"argmax\(\): Expected reduction dim 0 to have non-zero size")
    check_raises(lambda lib: lib.zeros(0, 3).max(), backend, RuntimeError,
                 r"max\(\): Expected reduction dim to be specified for input.numel\(\) == 0")
    check_value(lambda lib: lib.zeros(0, 3).sum(0), backend, [0.0, 0.0, 0.0])


# -- windows ------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda x: mt.max_pool2d(x, 2, stride=0), "max_pool2d: stride must be positive"),
    (lambda x: mt.avg_pool2d(x, 0), "avg_pool2d: kernel_size must be positive"),
    (lambda x: mt.conv2d(x, mt.ones(1, 1, 2, 2, backend=x.backend), stride=0),
     "conv2d: stride must be positive"),
    (lambda x: mt.conv2d(x, mt.ones(1, 1, 0, 2, backend=x.backend)),
     r"conv2d: the kernel size \(weight shape \(1, 1, 0, 2\)\) must be positive"),
    (lambda x: mt.max_pool2d(x, 5), r"max_pool2d: kernel \(5, 5\) is larger than the padded input"),
])
def test_zero_strides_and_kernels_are_refused_by_name(backend, call, match):
    # PyTorch refuses these too ("stride should not be zero", "non-positive stride",
    # "kernel size should be greater than zero").
    with pytest.raises(ValueError, match=match):
        call(mt.ones(1, 1, 4, 4, backend=backend))


# -- conversions and layouts ---------------------------------------------------------------------
def test_to_an_unknown_name_says_it_is_neither_dtype_nor_backend(backend):
    with pytest.raises(ValueError, match="'int33' is neither a dtype nor a backend"):
        mt.ones(2, backend=backend).to("int33")


@pytest.mark.parametrize("shape,strides,offset,match", [
    ((3, 5), (6,), 0, r"strides \(6,\) have 1 entries but shape \(3, 5\) has 2"),
    ((3, 5), (6, 1), 0, "reaches element 16 of a storage of 15 elements"),
    ((3,), (1,), 13, "reaches element 15 of a storage of 15 elements"),
    ((3,), (-1,), 2, "must be non-negative"),
])
def test_a_layout_that_does_not_fit_its_storage_is_refused_where_it_is_made(
        backend, shape, strides, offset, match):
    # Cornell's MiniTorch raises IndexingError here; the kernels trust layouts blindly.
    storage = mt.get_backend(backend).zeros(15, mt.float32)
    with pytest.raises(ValueError, match=match):
        mt.TensorData(storage, shape, strides, offset)
    assert mt.TensorData(storage, (3, 5), (5, 1)).shape == (3, 5)
    assert mt.TensorData(storage, (0, 7), (7, 1)).shape == (0, 7)  # empty: nothing is read


def test_ops_on_a_valid_strided_layout_match_numpy(backend):
    storage = mt.get_backend(backend).from_numpy(np.arange(15.0, dtype=np.float32))
    t = mt.Tensor(mt.TensorData(storage, (3, 2), (5, 2), 1), mt.get_backend(backend), mt.float32)
    np.testing.assert_array_equal((t * 2.0).numpy(), np.arange(15.0)[1:].reshape(-1)[
        np.array([[0, 2], [5, 7], [10, 12]])] * 2.0)
