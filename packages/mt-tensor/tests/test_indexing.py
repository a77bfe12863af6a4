"""Advanced indexing and the indexing ops (gather, scatter, scatter_add,
index_select, masked_fill, nonzero), each against a stated PyTorch behaviour
(run on torch too where it is installed; see testing/oracle.py)."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.tensor.testing import gradcheck
from minitorch.tensor.testing.oracle import backends, check_raises, check_value

BACKENDS = backends()
X = np.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key", [
    "rows", "range_and_tensor", "mask", "column_list", "negative", "matrix_index",
    "separated", "none_and_ellipsis", "row_mask",
])
def test_reads_follow_numpy_and_pytorch(backend, key):
    keys = {
        "rows": lambda lib: [0, 2],
        "range_and_tensor": lambda lib: (range(3), lib.raw([1, 2, 3])),
        "mask": lambda lib: lib.tensor(X) > 5,
        "column_list": lambda lib: (slice(None), [3, 0]),
        "negative": lambda lib: lib.raw([-1, 0]),
        "matrix_index": lambda lib: lib.raw([[0, 1], [2, -1]]),
        "separated": lambda lib: (lib.raw([0, 2]), slice(1, 3)),
        "none_and_ellipsis": lambda lib: (None, Ellipsis, [1, 2]),
        "row_mask": lambda lib: lib.raw([True, False, True]),
    }
    np_keys = {
        "rows": [0, 2], "range_and_tensor": (range(3), [1, 2, 3]), "mask": X > 5,
        "column_list": (slice(None), [3, 0]), "negative": [-1, 0],
        "matrix_index": [[0, 1], [2, -1]], "separated": ([0, 2], slice(1, 3)),
        "none_and_ellipsis": (None, Ellipsis, [1, 2]), "row_mask": [True, False, True],
    }
    check_value(lambda lib: lib.tensor(X)[keys[key](lib)], backend, X[np_keys[key]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_index_tensors_that_are_not_adjacent_put_their_dim_first(backend):
    x = np.arange(24.0).reshape(2, 3, 4)
    check_value(lambda lib: lib.tensor(x)[[0, 1], :, [2, 3]], backend, x[[0, 1], :, [2, 3]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_writes_with_index_tensors_and_masks(backend):
    def program(lib):
        y = lib.tensor(X).clone()
        y[[0, 2]] = -1.0
        y[y > 8] = 0.0
        y[lib.raw([1, 1]), lib.raw([0, 3])] = lib.tensor([5.0, 6.0])
        y[:, [1]] += 100.0
        return y
    expected = X.copy()
    expected[[0, 2]] = -1.0
    expected[expected > 8] = 0.0
    expected[[1, 1], [0, 3]] = [5.0, 6.0]
    expected[:, [1]] += 100.0
    check_value(program, backend, expected)


@pytest.mark.parametrize("backend", BACKENDS)
def test_indexed_reads_are_differentiable_and_duplicates_accumulate(backend):
    def program(lib):
        w = lib.tensor(X, requires_grad=True)
        (w[[0, 0, 2], [1, 1, 3]] * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return w.grad
    expected = np.zeros_like(X)
    expected[0, 1], expected[2, 3] = 3.0, 3.0
    check_value(program, backend, expected)
    gradcheck(lambda x: x[[2, 0]][:, [1, 1, 0]], mt.tensor(X, backend=backend))
    mask = mt.tensor(X > 3.0, backend=backend)
    gradcheck(lambda x: x[mask], mt.tensor(X, backend=backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_indexed_write_records_its_gradient(backend):
    def program(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        buf = lib.zeros(3, 2)
        buf[[2, 0]] = w * 3.0
        (buf * lib.tensor([[1.0, 1.0], [5.0, 5.0], [2.0, 2.0]])).sum().backward()
        return w.grad
    check_value(program, backend, [9.0, 9.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_gather_scatter_and_scatter_add(backend):
    idx = [[0, 1], [1, 0], [3, 3]]
    check_value(lambda lib: lib.tensor(X).gather(1, lib.raw(idx)), backend,
                np.take_along_axis(X, np.array(idx), 1))
    expected = np.zeros((3, 4))
    np.put_along_axis(expected, np.array(idx)[:, :1], 7.0, 1)
    check_value(lambda lib: lib.zeros(3, 4).scatter(1, lib.raw(idx)[:, :1], 7.0), backend,
                expected)
    added = np.zeros((3, 4))
    for i, row in enumerate(idx):
        for j in row:
            added[i, j] += 1.0
    check_value(lambda lib: lib.zeros(3, 4).scatter_add(1, lib.raw(idx), lib.ones(3, 2)), backend,
                added)
    check_value(lambda lib: lib.zeros(3, 4).scatter_add_(1, lib.raw(idx), lib.ones(3, 2)),
                backend, added)
    gradcheck(lambda x: x.gather(1, mt.tensor(idx, backend=backend)), mt.tensor(X, backend=backend))
    gradcheck(lambda x, s: x.scatter_add(1, mt.tensor(idx, backend=backend), s),
              mt.tensor(X, backend=backend), mt.ones(3, 2, backend=backend))
    gradcheck(lambda x, s: x.scatter(0, mt.tensor([[2, 0, 1, 0]], backend=backend), s),
              mt.tensor(X, backend=backend), mt.ones(1, 4, backend=backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_select_masked_fill_and_nonzero(backend):
    check_value(lambda lib: lib.tensor(X).index_select(1, lib.raw([3, 0, 3])), backend,
                X[:, [3, 0, 3]])
    check_value(lambda lib: lib.tensor(X).masked_fill(lib.tensor(X) > 6, -1.0), backend,
                np.where(X > 6, -1.0, X))
    check_value(lambda lib: lib.tensor(X).masked_fill_(lib.raw([True, False, True, False]), 0.0),
                backend, np.where([True, False, True, False], 0.0, X))
    check_value(lambda lib: (lib.tensor(X) > 8).nonzero(), backend, np.argwhere(X > 8))
    check_value(lambda lib: lib.ns.nonzero(lib.tensor(X) > 8, as_tuple=True), backend,
                np.nonzero(X > 8))
    check_value(lambda lib: lib.tensor(X).masked_select(lib.tensor(X) < 2), backend, [0.0, 1.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_indices_raise_before_anything_is_written(backend):
    check_raises(lambda lib: lib.tensor(X)[[0, 3]], backend, IndexError,
                 "index 3 is out of bounds for dimension 0 with size 3")
    check_raises(lambda lib: lib.tensor(X)[lib.raw([1.0])], backend, IndexError,
                 "tensors used as indices must be long, int")
    check_raises(lambda lib: lib.tensor(X)[lib.raw([True, False])], backend, IndexError,
                 "shape of the mask")
    check_raises(lambda lib: lib.tensor(X).gather(1, lib.raw([[4]])), backend, RuntimeError,
                 "out of bounds", "out of bounds")
    y = mt.tensor(X, backend=backend)
    with pytest.raises(IndexError):
        y[[0, 5]] = 1.0
    assert np.array_equal(y.numpy(), X)


@pytest.mark.parametrize("backend", BACKENDS)
def test_topk_bmm_einsum(backend):
    data = [[3.0, 1.0, 4.0, 1.5, 5.0], [9.0, 2.0, 6.0, 5.0, 3.0]]
    check_value(lambda lib: tuple(lib.ns.topk(lib.tensor(data), 2)), backend,
                ([[5.0, 4.0], [9.0, 6.0]], [[4, 2], [0, 2]]))
    check_value(lambda lib: tuple(lib.tensor(data).topk(2, dim=0, largest=False)), backend,
                ([[3.0, 1.0, 4.0, 1.5, 3.0], [9.0, 2.0, 6.0, 5.0, 5.0]],
                 [[0, 0, 0, 0, 1], [1, 1, 1, 1, 0]]))
    a, b = np.random.default_rng(0).standard_normal((2, 2, 3, 4))
    check_value(lambda lib: lib.ns.bmm(lib.tensor(a), lib.tensor(b).transpose(1, 2)), backend,
                a @ b.transpose(0, 2, 1))
    check_value(lambda lib: lib.ns.einsum("bij,bkj->bik", lib.tensor(a), lib.tensor(b)), backend,
                np.einsum("bij,bkj->bik", a, b))
    m = a[0, :, :3]
    check_value(lambda lib: lib.ns.einsum("ii->i", lib.tensor(m)), backend, np.diagonal(m))
    check_value(lambda lib: lib.ns.einsum("ij", lib.tensor(m)), backend, m)
    gradcheck(lambda x, y: mt.einsum("bij,bkj->bik", x, y), mt.tensor(a, backend=backend),
              mt.tensor(b, backend=backend))


def test_pow_with_a_tensor_exponent_is_differentiable_in_both():
    gradcheck(lambda a, p: a ** p, mt.tensor([[0.5, 2.0], [1.5, 3.0]]),
              mt.tensor([[1.5, -0.5], [2.0, 0.3]]))
    assert (2 ** mt.tensor([1.0, 3.0])).tolist() == [2.0, 8.0]
