"""Embedding: lookups of any index shape, padding_idx, from_pretrained, max_norm,
gradient accumulation, errors, and PyTorch where it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.nn.embedding import Embedding, embedding
from minitorch.tensor.testing import assert_close, gradcheck

TABLE = np.arange(15, dtype=np.float64).reshape(5, 3)


def table():
    return mt.tensor(TABLE, dtype=mt.float64, requires_grad=True)


@pytest.mark.parametrize("dtype", [mt.int64, mt.int32])
def test_lookup_of_any_index_shape(dtype):
    idx = [[0, 4, 2], [2, 2, 1]]
    out = embedding(mt.tensor(idx, dtype=dtype), table())
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.numpy(), TABLE[np.array(idx)])
    assert embedding(mt.tensor(3), table()).shape == (3,)
    assert embedding(mt.tensor([], dtype=mt.int64), table()).shape == (0, 3)


def test_repeated_indices_accumulate_their_gradients():
    w = table()
    embedding(mt.tensor([[1, 3, 1], [1, 0, 3]]), w).sum().backward()
    # Row 1 is read three times, row 3 twice, row 0 once, rows 2 and 4 never.
    expected = np.array([1.0, 3.0, 0.0, 2.0, 0.0])[:, None] * np.ones((1, 3))
    np.testing.assert_array_equal(w.grad.numpy(), expected)


def test_gradcheck_with_strided_weight_and_indices():
    weight = mt.randn(3, 4, dtype=mt.float64).T   # (4, 3), non-contiguous
    idx = mt.tensor([[0, 3], [3, 1], [2, 3]]).T   # (2, 3), non-contiguous
    np.testing.assert_array_equal(embedding(idx, weight).numpy(),
                                  weight.numpy()[idx.numpy()])
    gradcheck(lambda w: embedding(idx, w), weight)


def test_padding_row_reads_as_is_but_gets_no_gradient():
    w = table()
    out = embedding(mt.tensor([2, 0, 2, 4]), w, padding_idx=2)
    np.testing.assert_array_equal(out.numpy(), TABLE[[2, 0, 2, 4]])  # values unchanged
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1.0, 0.0, 0.0, 0.0, 1.0])
    w.grad = None
    embedding(mt.tensor([4, 1]), w, padding_idx=-1).sum().backward()  # -1 is row 4
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [0.0, 1.0, 0.0, 0.0, 0.0])


def test_module_init_is_standard_normal_with_a_zero_padding_row():
    emb = Embedding(400, 5, padding_idx=-2)
    assert emb.padding_idx == 398 and emb.weight.shape == (400, 5) and emb.weight.requires_grad
    values = np.delete(emb.weight.numpy(), 398, axis=0)
    assert abs(values.mean()) < 0.1 and abs(values.std() - 1.0) < 0.1
    np.testing.assert_array_equal(emb.weight.numpy()[398], 0.0)
    emb(mt.tensor([398, 3, 398])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[398], 0.0)
    np.testing.assert_array_equal(emb.weight.grad.numpy()[3], 1.0)
    assert list(emb.state_dict()) == ["weight"]
    assert repr(emb) == "Embedding(400, 5, padding_idx=398)"
    assert repr(Embedding(3, 2, max_norm=1.0)) == "Embedding(3, 2, max_norm=1.0)"


def test_from_pretrained_shares_and_freezes_by_default():
    weights = mt.tensor(TABLE, dtype=mt.float64)
    emb = Embedding.from_pretrained(weights, padding_idx=1)
    assert (emb.num_embeddings, emb.embedding_dim) == (5, 3) and not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(mt.tensor([1])).numpy(), TABLE[[1]])  # row kept as given
    with mt.no_grad():
        weights.fill_(2.0)
    assert emb.weight.numpy().max() == 2.0  # the storage is shared, as in PyTorch
    trainable = Embedding.from_pretrained(weights, freeze=False)
    assert trainable.weight.requires_grad
    with pytest.raises(ValueError, match="2-d"):
        Embedding.from_pretrained(mt.zeros(3))
    with pytest.raises(ValueError, match=r"_weight has shape \(5, 3\)"):
        Embedding(4, 3, _weight=weights)


def test_max_norm_rescales_the_rows_looked_up_in_place():
    w = mt.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]], dtype=mt.float64)
    out = embedding(mt.tensor([0, 1, 0]), w, max_norm=1.0)
    assert_close(out, np.array([[0.6, 0.8], [0.3, 0.4], [0.6, 0.8]]), atol=1e-6)
    # Row 0 was renormed in the table itself; row 2 was not looked up and is untouched.
    assert_close(w, np.array([[0.6, 0.8], [0.3, 0.4], [6.0, 8.0]]), atol=1e-6)


def test_errors_name_embedding_and_the_sizes():
    w = table()
    with pytest.raises(IndexError, match=r"embedding: index 5 is out of range for an "
                                         r"embedding of 5 rows \(weight shape \(5, 3\)\)"):
        embedding(mt.tensor([0, 5]), w)
    with pytest.raises(IndexError, match="index -1 is out of range"):
        embedding(mt.tensor([-1]), w)
    with pytest.raises(TypeError, match="int64 or int32 tensor, got float32"):
        embedding(mt.tensor([1.0]), w)
    with pytest.raises(TypeError, match="must be a Tensor"):
        Embedding(5, 3)([1, 2])
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        Embedding(5, 3, padding_idx=5)
    with pytest.raises(ValueError, match="weight must be 2-d"):
        embedding(mt.tensor([0]), mt.zeros(3))
    with pytest.raises(NotImplementedError, match="sparse"):
        Embedding(5, 3, sparse=True)


def test_matches_torch_with_padding_and_repeats():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    ours = Embedding(6, 4, padding_idx=2, dtype=mt.float64)
    theirs = torch.nn.Embedding(6, 4, padding_idx=2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
    idx = np.array([[0, 2, 5, 5], [2, 1, 5, 0], [3, 3, 3, 2]])
    g = rng.standard_normal((3, 4, 4))
    out, expected = ours(mt.tensor(idx)), theirs(torch.tensor(idx))
    assert_close(out, expected.detach().numpy())
    out.backward(mt.tensor(g, dtype=mt.float64))
    expected.backward(torch.tensor(g))
    assert_close(ours.weight.grad, theirs.weight.grad.numpy())


def test_max_norm_matches_torch():
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(1).standard_normal((5, 3)) * 2.0
    ours, theirs = mt.tensor(w, dtype=mt.float64), torch.tensor(w)
    idx = [[4, 0], [0, 2]]
    out = embedding(mt.tensor(idx), ours, max_norm=1.5, norm_type=3.0)
    expected = torch.nn.functional.embedding(torch.tensor(idx), theirs, max_norm=1.5,
                                             norm_type=3.0)
    assert_close(out, expected.numpy())
    assert_close(ours, theirs.numpy())
