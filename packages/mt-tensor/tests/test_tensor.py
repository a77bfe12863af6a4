"""The Tensor API on the reference backend: creation, shape, indexing, errors."""

import numpy as np
import pytest

import minitorch.tensor as mt

B = "python"


def test_creation_functions():
    assert mt.zeros(2, 3, backend=B).tolist() == [[0.0] * 3] * 2
    assert mt.ones((2,), backend=B).tolist() == [1.0, 1.0]
    assert mt.full((2, 2), 7.0, backend=B).sum().item() == 28.0
    assert mt.arange(4, backend=B).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert mt.arange(1, 7, 2, backend=B).tolist() == [1.0, 3.0, 5.0]
    x = mt.tensor([[1, 2], [3, 4]], backend=B)
    assert x.dtype is mt.int64 and x.shape == (2, 2)  # PyTorch: Python ints are int64
    assert mt.zeros_like(x).shape == (2, 2) and mt.ones_like(x).sum().item() == 4.0
    r = mt.rand(100, backend=B).numpy()
    assert r.min() >= 0.0 and r.max() < 1.0
    assert mt.tensor(np.zeros(3, dtype=np.float64), backend=B).dtype is mt.float64


def test_manual_seed_reproducible():
    mt.manual_seed(3)
    a = mt.randn(5, backend=B).numpy()
    mt.manual_seed(3)
    assert np.array_equal(a, mt.randn(5, backend=B).numpy())


def test_shape_api():
    x = mt.tensor(np.arange(24.0).reshape(2, 3, 4), backend=B)
    assert x.size() == (2, 3, 4) and x.size(-1) == 4 and x.dim() == 3 and x.numel() == 24
    assert x.view(6, 4).shape == (6, 4)
    assert x.view(-1).shape == (24,)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.unsqueeze(0).shape == (1, 2, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert x.unsqueeze(1).squeeze().shape == (2, 3, 4)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12)
    assert x[:, :1].expand(2, 5, 4).shape == (2, 5, 4)
    np.testing.assert_array_equal(x.transpose(0, 2).reshape(-1).numpy(),
                                  np.arange(24.0).reshape(2, 3, 4).transpose(2, 1, 0).reshape(-1))


def test_views_share_storage_and_setitem():
    x = mt.zeros(2, 3, backend=B)
    t = x.transpose(0, 1)
    t[2, 1] = 5.0
    assert x[1, 2].item() == 5.0
    x[0] = mt.tensor([1.0, 2.0, 3.0], backend=B)
    assert x.tolist() == [[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]]
    x[:, 0] = 9.0
    assert x[:, 0].tolist() == [9.0, 9.0]


def test_indexing_errors():
    x = mt.zeros(2, 3, backend=B)
    with pytest.raises(IndexError, match="dim 1 with size 3"):
        x[0, 3]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(ValueError, match="step must be positive"):
        x[::-1]


def test_item_and_len_and_repr():
    x = mt.tensor([[2.5]], backend=B)
    assert x.item() == 2.5 and float(x) == 2.5 and len(x) == 1
    assert "tensor(" in repr(x)
    y = mt.tensor([1.0], backend=B, requires_grad=True)
    assert "requires_grad=True" in repr(y)
    assert "grad_fn=<MulBackward>" in repr(y * 2)


def test_dtype_mixing_promotes_and_conversion():
    a = mt.ones(2, backend=B)
    b = mt.ones(2, dtype=mt.float64, backend=B)
    assert (a + b).dtype is mt.float64  # PyTorch promotes float32 + float64 to float64
    assert (a.double() + b).dtype is mt.float64
    assert (a + 1).dtype is mt.float32  # python numbers take the tensor's dtype
    assert a.to("float64").dtype is mt.float64


def test_unknown_backend_lists_installed():
    with pytest.raises(mt.BackendError, match="unknown backend 'nmba'; installed: .*python"):
        mt.zeros(2, backend="nmba")


def test_comparisons_give_bools():
    a = mt.tensor([1.0, 2.0, 3.0], backend=B)
    assert (a < 2).tolist() == [1.0, 0.0, 0.0]
    assert (a > 2).tolist() == [0.0, 0.0, 1.0]
    assert (a == 2).tolist() == [0.0, 1.0, 0.0]
    assert (a <= 2).tolist() == [1.0, 1.0, 0.0]
    assert (a >= 2).tolist() == [0.0, 1.0, 1.0]
    assert (a != 2).tolist() == [1.0, 0.0, 1.0]
    assert a.is_close(a + 1e-3).tolist() == [1.0, 1.0, 1.0]


def test_reductions_and_max_namedtuple():
    x = mt.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], backend=B)
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1.0, 0.0]  # first max wins
    assert x.max().item() == 7.0
    assert x.argmax().item() == 3.0
    assert x.sum().item() == 22.0 and x.mean(0).tolist() == [4.0, 2.5, 4.5]
    assert x.sum(1, keepdim=True).shape == (2, 1)


def test_inplace_ops_and_no_grad_guard():
    p = mt.ones(3, backend=B, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        p.add_(1.0)
    with mt.no_grad():
        p.mul_(3.0).sub_(mt.ones(3, backend=B), alpha=0.5).div_(2.0)
        p.add_(1.0)
    assert p.tolist() == [2.25, 2.25, 2.25]
    q = mt.zeros(2, 2, backend=B)
    q.copy_(mt.tensor([1.0, 2.0], backend=B))
    assert q.tolist() == [[1.0, 2.0], [1.0, 2.0]]
    q.zero_()
    assert q.sum().item() == 0.0


def test_matmul_vectors():
    a = mt.tensor([1.0, 2.0], backend=B)
    m = mt.tensor([[1.0, 0.0], [0.0, 2.0]], backend=B)
    assert (a @ m).tolist() == [1.0, 4.0]
    assert (m @ a).tolist() == [1.0, 4.0]
    assert (a @ a).item() == 5.0


def test_numerics_are_stable():
    x = mt.tensor([-1000.0, 0.0, 1000.0], backend=B)
    assert np.all(np.isfinite(x.sigmoid().numpy()))
    assert np.all(np.isfinite(x.softmax(0).numpy()))
    assert np.all(np.isfinite(x.log_softmax(0).numpy()))


def test_to_backend_and_dtype_together():
    x = mt.tensor([1.0, 2.0], backend=B)
    y = x.to(B, dtype=mt.float64)
    assert y.dtype is mt.float64 and y.backend.name == B
    with pytest.raises(ValueError, match="two dtypes"):
        x.to("float32", dtype=mt.float64)


def test_reductions_on_0d_tensors():
    x = mt.tensor(3.0, backend=B)
    values, indices = x.max(0)
    assert values.shape == () and values.item() == 3.0 and indices.item() == 0.0
    assert x.argmax(-1).item() == 0.0
    assert x.softmax(0).item() == 1.0 and x.log_softmax(0).item() == 0.0
    with pytest.raises(IndexError, match="max: dimension 1"):
        x.max(1)


def test_index_error_names_op_and_shape():
    expected = r"index: index 5 is out of bounds for dim 0 with size 2 \(tensor shape \(2, 3\)\)"
    with pytest.raises(IndexError, match=expected):
        mt.ones(2, 3, backend=B)[5]
