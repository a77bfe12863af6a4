"""Datasets, the DataLoader, random_split and the MNIST wrapper."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.data as data
import minitorch.tensor as mt
from minitorch.data import MNIST, DataLoader, Dataset, Subset, TensorDataset, random_split

X = np.arange(20, dtype=np.float32).reshape(10, 2)
Y = np.arange(10) % 3


class CountingDataset(TensorDataset):
    """Records how samples are fetched."""

    def __init__(self, *arrays):
        super().__init__(*arrays)
        self.item_calls = 0
        self.batch_calls = 0

    def __getitem__(self, index):
        self.item_calls += 1
        return super().__getitem__(index)

    def get_batch(self, indices):
        self.batch_calls += 1
        return super().get_batch(indices)


class Squares(Dataset):
    """A plain map-style dataset without get_batch of its own."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return mt.tensor([float(i), float(i * i)]), i % 2


def test_tensor_dataset_items_and_errors():
    ds = TensorDataset(mt.tensor(X), Y)
    assert len(ds) == 10
    x, y = ds[-1]
    assert isinstance(x, mt.Tensor) and x.tolist() == [18.0, 19.0] and y.item() == 0.0
    with pytest.raises(IndexError, match="out of range for 10"):
        ds[10]
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(X, Y[:3])


def test_batches_are_built_in_one_fetch_per_batch():
    ds = CountingDataset(X, Y)
    batches = list(DataLoader(ds, batch_size=4))
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert ds.item_calls == 0 and ds.batch_calls == 3
    x, y = batches[0]
    assert x.dtype is mt.float32 and y.dtype is mt.int64  # integer labels stay int64, as torch
    assert x.tolist() == X[:4].tolist() and y.tolist() == Y[:4].tolist()


def test_drop_last_and_len():
    assert len(DataLoader(TensorDataset(X), batch_size=4)) == 3
    loader = DataLoader(TensorDataset(X), batch_size=4, drop_last=True)
    assert len(loader) == 2 and len(list(loader)) == 2
    (single,) = next(iter(DataLoader(TensorDataset(X), batch_size=4)))
    assert single.shape == (4, 2)


def test_shuffle_with_seed_is_reproducible_and_changes_per_epoch():
    def epochs(loader, n=2):
        return [np.concatenate([y.numpy() for _, y in loader]) for _ in range(n)]

    ds = TensorDataset(X, np.arange(10))
    first = epochs(DataLoader(ds, batch_size=3, shuffle=True, seed=5))
    second = epochs(DataLoader(ds, batch_size=3, shuffle=True, seed=5))
    np.testing.assert_array_equal(first, second)
    assert sorted(first[0]) == list(range(10))
    assert not np.array_equal(first[0], first[1])
    gen = epochs(DataLoader(ds, batch_size=3, shuffle=True,
                            generator=np.random.default_rng(5)))
    np.testing.assert_array_equal(gen, first)


def test_shuffle_without_seed_follows_manual_seed():
    ds = TensorDataset(np.arange(10))
    mt.manual_seed(1)
    a = [y.tolist() for (y,) in DataLoader(ds, batch_size=10, shuffle=True)]
    mt.manual_seed(1)
    b = [y.tolist() for (y,) in DataLoader(ds, batch_size=10, shuffle=True)]
    assert a == b


def test_generic_dataset_is_collated_per_sample():
    x, y = next(iter(DataLoader(Squares(), batch_size=5)))
    assert x.shape == (5, 2) and x.tolist()[3] == [3.0, 9.0]
    assert y.tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]


def test_loader_backend_and_dtype():
    loader = DataLoader(TensorDataset(X), batch_size=2, backend="python", dtype=mt.float64)
    (x,) = next(iter(loader))
    assert x.dtype is mt.float64 and x.backend.name == "python"
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(TensorDataset(X), batch_size=0)


def test_random_split_counts_fractions_and_seed():
    ds = TensorDataset(np.arange(10))
    a, b = random_split(ds, [7, 3], seed=0)
    assert len(a) == 7 and len(b) == 3
    assert sorted(np.concatenate([a.indices, b.indices]).tolist()) == list(range(10))
    again, _ = random_split(ds, [7, 3], seed=0)
    np.testing.assert_array_equal(a.indices, again.indices)
    parts = random_split(ds, [0.5, 0.25, 0.25], seed=1)
    assert [len(p) for p in parts] == [6, 2, 2]  # floor gives 5+2+2, the remainder goes first
    with pytest.raises(ValueError, match="sum to 10"):
        random_split(ds, [5, 4])


def test_subset_batches_go_through_the_parent():
    ds = CountingDataset(X, Y)
    sub = Subset(ds, [9, 0, 4])
    (x, y), = list(DataLoader(sub, batch_size=3))
    assert x.tolist() == X[[9, 0, 4]].tolist() and ds.item_calls == 0
    assert sub[0][0].tolist() == X[9].tolist()
    with pytest.raises(IndexError):
        Subset(ds, [10])


def test_mnist_wrapper():
    ds = MNIST("test")
    assert len(ds) == 1000 and "test" in repr(ds)
    image, label = ds[0]
    assert image.shape == (1, 28, 28) and isinstance(label, int)
    x, y = next(iter(DataLoader(ds, batch_size=16)))
    pixels = x.numpy()
    assert x.shape == (16, 1, 28, 28) and pixels.min() >= 0 and pixels.max() <= 1
    assert y.shape == (16,)
    normalized = MNIST("test", normalize=True).get_batch(np.arange(200))[0]
    assert abs(normalized.mean()) < 0.2 and 0.8 < normalized.std() < 1.2
    custom = MNIST("test", normalize=(0.5, 0.5)).get_batch(np.arange(2))[0]
    np.testing.assert_allclose(custom, (ds.get_batch(np.arange(2))[0] - 0.5) / 0.5, rtol=1e-6)


def test_reexports_the_readers():
    for name in ("read_idx", "write_idx", "IDXError", "load_mnist", "download_mnist",
                 "DataLoader", "TensorDataset", "random_split", "MNIST"):
        assert hasattr(data, name) and name in data.__all__


def test_a_minitorch_generator_shuffles_reproducibly():
    order = [DataLoader(TensorDataset(X), batch_size=10, shuffle=True,
                        generator=mt.Generator().manual_seed(5)) for _ in range(2)]
    first, second = (next(iter(loader))[0].tolist() for loader in order)
    assert first == second and sorted(first) == X.tolist()
