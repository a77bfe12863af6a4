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
    with pytest.raises(ValueError, match="Size mismatch between tensors"):
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
    with pytest.raises(ValueError, match="Sum of input lengths"):
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


# --- default_collate / default_convert: PyTorch's structures and dtypes ----------------------

Point = __import__("collections").namedtuple("Point", "x y")


def describe(value):
    """A torch- or minitorch-independent picture of a collated structure."""
    if type(value).__name__ == "Tensor":
        dtype = str(value.dtype).rsplit(".", 1)[-1].replace("bool_", "bool")
        return ("tensor", dtype, tuple(value.shape), value.tolist())
    if isinstance(value, dict):
        return (type(value).__name__, {k: describe(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [describe(v) for v in value])
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.tolist())
    return (type(value).__name__, value)


COLLATE_CASES = {
    "tuples": [(1, 2.0), (3, 4.0)],
    "lists": [[1, 2.0], [3, 4.0]],
    "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
    "dicts": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    "arrays": [np.zeros(2, np.float32), np.ones(2, np.float32)],
    "numpy scalars": [np.int32(1), np.int32(2)],
    "bools": [True, False],
    "strings": ["a", "b"],
    "nested": [(np.zeros((2, 2)), 1, "s", {"k": [1.5, True]})] * 3,
    "ints and floats": [[1, 2.5], [3, 4]],
}


@pytest.mark.parametrize("name", sorted(COLLATE_CASES))
def test_default_collate_matches_torch(name):
    pytest.importorskip("torch")
    from torch.utils.data import default_collate

    batch = COLLATE_CASES[name]
    assert describe(data.default_collate(batch)) == describe(default_collate(batch))


@pytest.mark.parametrize("sample", [(1, 2.0), np.zeros(2), np.float32(1.0), "x", Point(np.zeros(1), 2),
                                    {"a": np.zeros(1)}, np.array(["a"]), 5])
def test_default_convert_matches_torch(sample):
    pytest.importorskip("torch")
    from torch.utils.data import default_convert

    assert describe(data.default_convert(sample)) == describe(default_convert(sample))


def test_default_collate_stated_behaviour():
    x, y = data.default_collate([(mt.tensor([1.0, 2.0]), 0), (mt.tensor([3.0, 4.0]), 1)])
    assert x.dtype is mt.float32 and x.shape == (2, 2) and y.dtype is mt.int64
    first, second = data.default_collate([(1, 2.0), (3, 4.0)])  # a list of fields, as torch
    assert first.dtype is mt.int64 and second.dtype is mt.float64  # Python floats: float64
    point = data.default_collate([Point(1, 2), Point(3, 4)])
    assert isinstance(point, Point) and point.x.tolist() == [1, 3]
    batch = data.default_collate([{"a": np.int32(1), "s": "p"}, {"a": np.int32(2), "s": "q"}])
    assert batch["a"].dtype is mt.int32 and batch["s"] == ["p", "q"]
    assert data.default_convert((np.zeros(2), 3))[1] == 3  # Python numbers are left alone
    with pytest.raises(RuntimeError, match="equal size"):
        data.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match=r"\[2\] at entry 0 and \[3\] at entry 1"):
        data.default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        data.default_collate([None, None])


# --- samplers ---------------------------------------------------------------------------------

def test_sequential_and_batch_samplers():
    assert list(data.SequentialSampler(range(4))) == [0, 1, 2, 3]
    sampler = data.BatchSampler(data.SequentialSampler(range(5)), 2, drop_last=False)
    assert list(sampler) == [[0, 1], [2, 3], [4]] and len(sampler) == 3
    dropping = data.BatchSampler(range(5), 2, drop_last=True)
    assert list(dropping) == [[0, 1], [2, 3]] and len(dropping) == 2
    for bad in (0, True, 1.5):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            data.BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        data.BatchSampler(range(3), 2, 1)


def test_random_sampler_permutes_and_follows_manual_seed():
    mt.manual_seed(3)
    first = list(data.RandomSampler(range(10)))
    mt.manual_seed(3)
    assert list(data.RandomSampler(range(10))) == first and sorted(first) == list(range(10))
    g = mt.Generator().manual_seed(1)
    a = list(data.RandomSampler(range(10), generator=g))
    assert a == list(data.RandomSampler(range(10), generator=mt.Generator().manual_seed(1)))
    assert a == np.random.default_rng(1).permutation(10).tolist()  # numpy generators work too
    chained = data.RandomSampler(range(3), num_samples=7)
    counts = np.bincount(list(chained))  # two whole permutations, then 1 of a third
    assert len(chained) == 7 and sorted(counts) == [2, 2, 3]
    drawn = list(data.RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2}
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        data.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        data.RandomSampler([])
    with pytest.raises(TypeError, match="generator"):
        data.RandomSampler(range(3), generator=5)


def test_subset_and_weighted_samplers():
    picked = list(data.SubsetRandomSampler([7, 8, 9], generator=mt.Generator().manual_seed(0)))
    assert sorted(picked) == [7, 8, 9]
    weighted = data.WeightedRandomSampler([0.0, 1.0, 3.0], 4000,
                                          generator=mt.Generator().manual_seed(0))
    counts = np.bincount(list(weighted), minlength=3)
    assert len(weighted) == 4000 and counts[0] == 0 and 2.6 < counts[2] / counts[1] < 3.4
    unique = list(data.WeightedRandomSampler([1, 1, 0, 1], 3, replacement=False))
    assert sorted(unique) == [0, 1, 3]
    with pytest.raises(ValueError, match="1d sequence"):
        data.WeightedRandomSampler([[1, 2]], 2)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        data.WeightedRandomSampler([1, 2], 0)
    with pytest.raises(RuntimeError, match="invalid multinomial"):
        data.WeightedRandomSampler([1, -1], 2)
    with pytest.raises(RuntimeError, match="without replacement"):
        data.WeightedRandomSampler([1, 0], 2, replacement=False)


def test_samplers_match_torch_properties():
    torch = pytest.importorskip("torch")
    tdata = torch.utils.data
    for ours, theirs in ((data.BatchSampler(range(7), 3, False), tdata.BatchSampler(range(7), 3, False)),
                         (data.BatchSampler(range(7), 3, True), tdata.BatchSampler(range(7), 3, True))):
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert len(data.RandomSampler(range(3), num_samples=7)) == len(
        tdata.RandomSampler(range(3), num_samples=7))


# --- DataLoader arguments -----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(shuffle=True, sampler=[0]), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "disables auto-batching"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used"),
    (dict(num_workers=1, multiprocessing_context="nope"), "valid start method"),
    (dict(generator=np.random.default_rng(0), seed=1), "generator or seed"),
])
def test_loader_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(list(range(4)), **kwargs)


def test_loader_argument_errors_match_torch():
    torch = pytest.importorskip("torch")
    for kwargs in (dict(shuffle=True, sampler=[0]), dict(batch_sampler=[[0]], batch_size=2),
                   dict(batch_size=None, drop_last=True), dict(num_workers=-1), dict(timeout=-1),
                   dict(prefetch_factor=2), dict(persistent_workers=True)):
        with pytest.raises(ValueError):
            torch.utils.data.DataLoader(list(range(4)), **kwargs)
        with pytest.raises(ValueError):
            DataLoader(list(range(4)), **kwargs)


def test_loader_attributes_are_frozen_and_lengths():
    loader = DataLoader(list(range(5)), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3
    assert len(loader) == 3 and len(DataLoader(list(range(5)), batch_size=2, drop_last=True)) == 2
    assert len(DataLoader(list(range(5)), batch_size=None)) == 5
    assert isinstance(loader.batch_sampler, data.BatchSampler)
    assert isinstance(loader.sampler, data.SequentialSampler)
    assert isinstance(DataLoader(list(range(5)), shuffle=True).sampler, data.RandomSampler)


def test_loader_batch_structure_matches_torch():
    torch = pytest.importorskip("torch")
    xs, ys = np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6)
    ours = [describe(b) for b in DataLoader(TensorDataset(xs, ys), batch_size=4)]
    theirs = [describe(b) for b in torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(xs), torch.tensor(ys)), batch_size=4)]
    assert ours == theirs
    samples = [{"a": i, "b": float(i)} for i in range(5)]
    assert ([describe(b) for b in DataLoader(samples, batch_size=2)]
            == [describe(b) for b in torch.utils.data.DataLoader(samples, batch_size=2)])
    assert list(DataLoader(range(4), batch_size=None)) == list(
        torch.utils.data.DataLoader(range(4), batch_size=None))


def test_loader_without_batching_custom_collate_and_samplers():
    assert list(DataLoader(list(range(4)), batch_size=None)) == [0, 1, 2, 3]
    x, y = next(iter(DataLoader(TensorDataset(X, Y), batch_size=None)))
    assert x.tolist() == [0.0, 1.0] and y.shape == ()
    ds = CountingDataset(X, Y)
    seen = []
    batches = list(DataLoader(ds, batch_size=4, collate_fn=lambda s: seen.append(len(s)) or s))
    assert seen == [4, 4, 2] and ds.batch_calls == 0 and ds.item_calls == 10
    assert isinstance(batches[0], list) and isinstance(batches[0][0], tuple)  # untouched samples
    (y,) = [b[1] for b in DataLoader(ds, sampler=[9, 0, 4], batch_size=3)]
    assert y.tolist() == Y[[9, 0, 4]].tolist() and ds.batch_calls == 1  # get_batch still used
    order = [b[1].tolist() for b in DataLoader(ds, batch_sampler=[[3, 1], [0]])]
    assert order == [Y[[3, 1]].tolist(), Y[[0]].tolist()]
    explicit = next(iter(DataLoader(ds, batch_size=2, collate_fn=data.default_collate)))
    assert explicit[0].tolist() == X[:2].tolist() and ds.batch_calls == 4


def test_loader_generators_and_epoch_seeds():
    ds = TensorDataset(np.arange(10))
    mt_gen = [y.tolist() for (y,) in DataLoader(ds, batch_size=10, shuffle=True,
                                               generator=mt.Generator().manual_seed(4))]
    np_gen = [y.tolist() for (y,) in DataLoader(ds, batch_size=10, shuffle=True,
                                               generator=np.random.default_rng(4))]
    seeded = [y.tolist() for (y,) in DataLoader(ds, batch_size=10, shuffle=True, seed=4)]
    assert mt_gen == np_gen == seeded
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, shuffle=True, generator="seed")


# --- datasets -----------------------------------------------------------------------------------

def test_tensor_dataset_slices_and_index_arrays():
    ds = TensorDataset(X, Y)
    x, y = ds[2:5]
    assert x.tolist() == X[2:5].tolist() and y.tolist() == Y[2:5].tolist()
    x, y = ds[[0, 3]]
    assert x.shape == (2, 2) and y.tolist() == Y[[0, 3]].tolist()
    assert ds[mt.tensor([1, 2])][1].tolist() == Y[[1, 2]].tolist()
    assert ds[np.arange(10) < 2][0].shape == (2, 2)
    assert [t.shape for t in ds.tensors] == [(10, 2), (10,)]
    with pytest.raises(IndexError):
        ds[[0, 11]]


def test_tensor_dataset_indexing_matches_torch():
    torch = pytest.importorskip("torch")
    ours = TensorDataset(X, Y)
    theirs = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y))
    for index in (3, -1, slice(2, 5), [0, 3]):
        assert [describe(t) for t in ours[index]] == [describe(t) for t in theirs[index]]


class Numbers(Dataset):
    """0..n-1 offset by `start`, with a get_batch that counts its calls."""

    def __init__(self, start, n):
        self.start, self.n, self.batch_calls = start, n, 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.start + data.dataset._check_index(i, self.n, "Numbers")

    def get_batch(self, indices):
        self.batch_calls += 1
        return self.start + np.asarray(indices)


def test_concat_dataset():
    a, b = Numbers(0, 3), Numbers(100, 4)
    both = a + b
    assert isinstance(both, data.ConcatDataset) and both.cumulative_sizes == [3, 7]
    assert len(both) == 7 and both[2] == 2 and both[3] == 100 and both[-1] == 103
    with pytest.raises(IndexError):
        both[7]
    with pytest.raises(ValueError, match="absolute value of index"):
        both[-8]
    (batch,) = list(DataLoader(both, batch_size=7, sampler=[5, 0, 6, 1, -7]))
    assert batch.tolist() == [102, 0, 103, 1, 0] and (a.batch_calls, b.batch_calls) == (1, 1)
    shuffled = np.concatenate([t.numpy() for t in DataLoader(both, batch_size=3, shuffle=True)])
    assert sorted(shuffled.tolist()) == [0, 1, 2, 100, 101, 102, 103]
    pairs = data.ConcatDataset([TensorDataset(X[:4], Y[:4]), TensorDataset(X[4:], Y[4:])])
    x, y = next(iter(DataLoader(pairs, batch_size=10, sampler=[9, 0, 5])))
    assert x.tolist() == X[[9, 0, 5]].tolist() and y.tolist() == Y[[9, 0, 5]].tolist()
    with pytest.raises(ValueError, match="empty"):
        data.ConcatDataset([])


def test_concat_dataset_matches_torch():
    torch = pytest.importorskip("torch")
    ours = data.ConcatDataset([range(3), range(10, 14)])
    theirs = torch.utils.data.ConcatDataset([range(3), range(10, 14)])
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]


class Stream(data.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_datasets_in_the_main_process():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [
        [0, 1, 2], [3, 4, 5]]
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]
    chain = Stream(2) + Stream(3)
    assert isinstance(chain, data.ChainDataset) and list(chain) == [0, 1, 0, 1, 2]
    assert len(chain) == 5
    for kwargs in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
            DataLoader(Stream(3), **kwargs)
    with pytest.raises(TypeError, match="IterableDataset"):
        data.ConcatDataset([Stream(3)])


def test_stack_dataset_and_subset_semantics():
    stacked = data.StackDataset(TensorDataset(X), Numbers(0, 10))
    (x,), n = stacked[4]
    assert x.tolist() == X[4].tolist() and n == 4
    named = data.StackDataset(x=Numbers(0, 10), y=Numbers(50, 10))
    batch = next(iter(DataLoader(named, batch_size=3)))
    assert batch["y"].tolist() == [50, 51, 52]
    with pytest.raises(ValueError, match="Size mismatch"):
        data.StackDataset(Numbers(0, 2), Numbers(0, 3))
    sub = Subset(Numbers(0, 10), [9, -1, 3])
    assert [sub[i] for i in range(3)] == [9, 9, 3] and sub[-1] == 3
    assert next(iter(DataLoader(sub, batch_size=3))).tolist() == [9, 9, 3]


def test_random_split_sizes_and_generators():
    assert [len(p) for p in random_split(range(7), [0.3, 0.3, 0.4], seed=0)] == [3, 2, 2]
    assert [len(p) for p in random_split(range(11), [0.1] * 10, seed=0)] == [2] + [1] * 9
    a = random_split(range(10), [5, 5], mt.Generator().manual_seed(2))[0].indices
    b = random_split(range(10), [5, 5], generator=np.random.default_rng(2))[0].indices
    np.testing.assert_array_equal(a, b)
    mt.manual_seed(8)
    c = random_split(range(10), [5, 5])[0].indices
    mt.manual_seed(8)
    np.testing.assert_array_equal(c, random_split(range(10), [5, 5])[0].indices)
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [0.3, 0.3])


def test_random_split_sizes_match_torch():
    torch = pytest.importorskip("torch")
    for n, lengths in ((10, [0.5, 0.25, 0.25]), (7, [0.3, 0.3, 0.4]), (11, [0.1] * 10), (10, [3, 7])):
        ours = [len(p) for p in random_split(range(n), lengths, seed=0)]
        assert ours == [len(p) for p in torch.utils.data.random_split(range(n), lengths)]
