"""DataLoader(num_workers > 0): worker processes, their seeds, errors and shutdown.

Tiny datasets throughout; the workers are forked (the test module's classes and
functions then need no pickling), except in the one spawn test.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
import time

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="the worker tests fork")

FORK = dict(multiprocessing_context="fork")
X = np.arange(40, dtype=np.float32).reshape(20, 2)
Y = np.arange(20)


def as_lists(loader):
    return [[field.tolist() for field in batch] for batch in loader]


@pytest.fixture(autouse=True)
def no_leftover_workers():
    yield
    gc.collect()
    deadline = time.monotonic() + 3
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


class WhoLoads(Dataset):
    """Each sample says which process and worker made it, and with what seeds."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = get_worker_info()
        return {"index": i, "pid": os.getpid(), "worker": info.id, "seed": info.seed,
                "workers": info.num_workers, "init_pid": INIT_PIDS.get(info.id, -1),
                "python": random.random(), "numpy": float(np.random.rand()),
                "minitorch": float(mt.rand(1).item())}


INIT_PIDS: dict[int, int] = {}  # filled inside each worker by record_init


def record_init(worker_id):
    INIT_PIDS[worker_id] = os.getpid()


def test_workers_give_the_same_batches_as_the_main_process():
    ds = TensorDataset(X, Y)
    main = as_lists(DataLoader(ds, batch_size=3, shuffle=True, seed=7))
    workers = as_lists(DataLoader(ds, batch_size=3, shuffle=True, seed=7, num_workers=2, **FORK))
    again = as_lists(DataLoader(ds, batch_size=3, shuffle=True, seed=7, num_workers=3,
                                prefetch_factor=1, **FORK))
    assert workers == main == again
    assert sorted(sum((b[1] for b in main), [])) == Y.tolist()
    x, y = next(iter(DataLoader(ds, batch_size=4, num_workers=2, backend="python",
                                dtype=mt.float64, **FORK)))
    assert x.dtype is mt.float64 and x.backend.name == "python" and y.dtype is mt.int64


def test_default_generator_replays_with_workers():
    ds = TensorDataset(X, Y)
    runs = []
    for workers in (0, 2, 2):
        mt.manual_seed(11)
        loader = DataLoader(ds, batch_size=5, shuffle=True, num_workers=workers,
                            **(FORK if workers else {}))
        runs.append([as_lists(loader) for _ in range(2)])  # two epochs
    assert runs[0] == runs[1] == runs[2] and runs[0][0] != runs[0][1]


def rows_of(loader):
    """The samples of a loader over WhoLoads, one dict each."""
    return [{key: values.tolist()[j] for key, values in batch.items()}
            for batch in loader for j in range(len(batch["index"]))]


def test_worker_info_seeds_and_init_fn():
    assert get_worker_info() is None
    rows = rows_of(DataLoader(WhoLoads(), batch_size=2, num_workers=2, worker_init_fn=record_init,
                              generator=mt.Generator().manual_seed(0), **FORK))
    assert [r["index"] for r in rows] == list(range(12))
    assert {r["workers"] for r in rows} == {2}
    # Batches go round-robin: batch k (samples 2k, 2k+1) is worker k % 2's.
    assert [r["worker"] for r in rows] == [(r["index"] // 2) % 2 for r in rows]
    pids = {r["worker"]: r["pid"] for r in rows}
    assert os.getpid() not in pids.values() and len(set(pids.values())) == 2
    assert all(r["init_pid"] == r["pid"] for r in rows)  # worker_init_fn ran in that worker
    (base,) = {r["seed"] - r["worker"] for r in rows}  # seed = base_seed + worker_id
    random.seed(base)  # worker 0's Python generator was seeded with base + 0
    assert rows[0]["python"] == random.random()
    assert rows[0]["minitorch"] != rows[2]["minitorch"]  # worker 0 vs worker 1
    again = rows_of(DataLoader(WhoLoads(), batch_size=2, num_workers=2,
                               generator=mt.Generator().manual_seed(0), **FORK))
    assert [r["numpy"] for r in again] == [r["numpy"] for r in rows]  # replayable


class FailsAt(Dataset):
    def __init__(self, bad):
        self.bad = bad

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"sample {i} is broken")
        return i


def test_a_worker_error_names_the_worker_and_carries_its_traceback():
    loader = DataLoader(FailsAt(3), batch_size=2, num_workers=2, **FORK)  # batch 1: worker 1
    with pytest.raises(ValueError) as caught:
        list(loader)
    message = str(caught.value)
    assert "Caught ValueError in DataLoader worker process 1" in message
    assert "Original Traceback (most recent call last)" in message
    assert "sample 3 is broken" in message and "__getitem__" in message


def test_a_failing_worker_init_fn_is_reported():
    def init(worker_id):
        raise KeyError(f"no config for worker {worker_id}")

    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        list(DataLoader(FailsAt(-1), batch_size=2, num_workers=2, worker_init_fn=init, **FORK))


class DiesAt(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            os._exit(3)
        return i


def test_a_dead_worker_raises_instead_of_hanging():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker 0 \(pid \d+\) exited unexpectedly "
                                           r"with exit code 3"):
        list(DataLoader(DiesAt(), batch_size=2, num_workers=2, **FORK))  # batch 2: worker 0
    assert time.monotonic() - start < 10


class SlowAt(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            time.sleep(3)
        return i


def test_timeout_on_a_slow_batch():
    loader = DataLoader(SlowAt(), batch_size=1, num_workers=1, timeout=0.3, **FORK)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        list(loader)
    assert time.monotonic() - start < 2.5  # the stuck worker is terminated, not waited for


def test_workers_exit_when_exhausted_or_broken_out_of():
    loader = DataLoader(TensorDataset(X, Y), batch_size=2, num_workers=2, **FORK)
    iterator = iter(loader)
    assert len(multiprocessing.active_children()) == 2
    assert len(list(iterator)) == 10
    assert multiprocessing.active_children() == []  # gone at the end of the epoch
    for _ in loader:
        assert len(multiprocessing.active_children()) == 2
        break
    gc.collect()
    assert multiprocessing.active_children() == []  # and after a `break`


def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(WhoLoads(), batch_size=3, num_workers=2, persistent_workers=True,
                        shuffle=True, seed=0, **FORK)
    epochs = [next(iter(loader)) for _ in range(2)]  # the second starts mid-way: resumed
    epochs += [batch for batch in loader]
    pids = {pid for batch in epochs for pid in batch["pid"].tolist()}
    assert len(pids) == 2 and set(pids) == {p.pid for p in multiprocessing.active_children()}
    assert sorted(i for batch in epochs[2:] for i in batch["index"].tolist()) == list(range(12))
    fresh = DataLoader(WhoLoads(), batch_size=6, num_workers=1, **FORK)
    first, second = ({pid for b in fresh for pid in b["pid"].tolist()} for _ in range(2))
    assert first != second  # without persistent_workers every epoch forks anew
    del loader, epochs
    gc.collect()


class Shard(IterableDataset):
    def __init__(self, n, split):
        self.n, self.split = n, split

    def __iter__(self):
        info = get_worker_info()
        if not self.split or info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_dataset_in_workers():
    split = [b.tolist() for b in DataLoader(Shard(10, True), batch_size=3, num_workers=2, **FORK)]
    assert split == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]  # as torch interleaves them
    copies = [b.tolist() for b in DataLoader(Shard(4, False), batch_size=2, num_workers=2, **FORK)]
    assert copies == [[0, 1], [0, 1], [2, 3], [2, 3]]  # every worker iterates its own copy
    single = list(DataLoader(Shard(3, False), batch_size=None, num_workers=2, **FORK))
    assert sorted(single) == [0, 0, 1, 1, 2, 2]
    persistent = DataLoader(Shard(6, True), batch_size=2, num_workers=2, persistent_workers=True,
                            **FORK)
    assert [[b.tolist() for b in persistent] for _ in range(2)] == [[[0, 2], [1, 3], [4], [5]]] * 2
    del persistent
    gc.collect()


def test_custom_collate_and_out_of_order_delivery():
    def pairs(samples):  # returns Tensors, which travel back from the workers as values
        return mt.tensor([s[0][0].item() for s in samples]), [int(s[1].item()) for s in samples]

    x, labels = next(iter(DataLoader(TensorDataset(X, Y), batch_size=4, num_workers=2,
                                     collate_fn=pairs, **FORK)))
    assert x.tolist() == X[:4, 0].tolist() and labels == [0, 1, 2, 3]
    loader = DataLoader(TensorDataset(Y), batch_size=3, num_workers=2, in_order=False, **FORK)
    assert sorted(v for (b,) in loader for v in b.tolist()) == Y.tolist()


def test_spawned_workers():
    loader = DataLoader(TensorDataset(X, Y), batch_size=7, num_workers=2,
                        multiprocessing_context="spawn")
    assert as_lists(loader) == as_lists(DataLoader(TensorDataset(X, Y), batch_size=7))


class MatmulPerSample(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        x = mt.rand(64, 64, backend="numba")
        return float((x @ x).sum().item())


@pytest.mark.needs_backend("numba")
def test_a_forked_worker_killed_by_openmp_says_why():
    numba = pytest.importorskip("numba")
    x = mt.rand(64, 64, backend="numba")
    (x @ x).sum().item()  # the main process has now run a parallel kernel
    if numba.threading_layer() != "omp":
        pytest.skip("numba's OpenMP layer is not the one in use")
    with pytest.raises(RuntimeError, match="multiprocessing_context='forkserver'"):
        list(DataLoader(MatmulPerSample(), batch_size=2, num_workers=1, **FORK))
