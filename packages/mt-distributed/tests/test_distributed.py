"""Real 2-rank MPI jobs (mpiexec, bounded by a timeout) and the sampler in process."""

from __future__ import annotations

import time

import pytest

from minitorch.distributed import DistributedSampler


def test_collectives_on_two_ranks_match_numpy(ok_job):
    out = ok_job("collectives.py")
    assert "OK rank 0" in out and "OK rank 1" in out


def test_world_of_one_without_a_launcher(ok_job):
    assert "OK world of one" in ok_job("world_of_one.py", ranks=0)


def test_ddp_on_two_ranks_equals_one_process_in_float64(ok_job):
    out = ok_job("ddp.py", timeout=300)
    assert "OK rank 0" in out and "OK rank 1" in out


def test_a_rank_that_raises_ends_the_job_with_its_error(job):
    start = time.monotonic()
    result = job("crash.py", timeout=60)
    assert result.returncode != 0
    assert "[rank 1]" in result.stderr and "ValueError: rank one gives up" in result.stderr
    assert "rank 0 should not get here" not in result.stdout
    assert time.monotonic() - start < 60


# -- DistributedSampler (no MPI needed with explicit rank / num_replicas) -------------------
@pytest.mark.parametrize("n, world, drop_last", [(10, 2, False), (10, 3, False), (10, 3, True),
                                                 (2, 4, False), (7, 1, False)])
def test_sampler_shards_are_disjoint_equal_and_cover(n, world, drop_last):
    data = list(range(n))
    shards = [list(DistributedSampler(data, world, r, shuffle=True, seed=3, drop_last=drop_last))
              for r in range(world)]
    lengths = {len(s) for s in shards}
    assert len(lengths) == 1
    length = lengths.pop()
    assert length == (n // world if drop_last else -(-n // world))
    flat = [i for s in shards for i in s]
    if drop_last:
        assert len(set(flat)) == len(flat)         # disjoint
    else:
        assert set(flat) == set(range(n))          # covers; padding repeats the start
        assert len(flat) - len(set(flat)) == world * length - n


def test_sampler_reshuffles_per_epoch_and_agrees_across_ranks():
    data = list(range(100))
    a0, a1 = (DistributedSampler(data, 2, r, seed=7) for r in range(2))
    first = list(a0) + list(a1)
    a0.set_epoch(1)
    a1.set_epoch(1)
    second = list(a0) + list(a1)
    assert sorted(first) == sorted(second) == data and first != second
    again = DistributedSampler(data, 2, 0, seed=7)
    again.set_epoch(1)
    assert list(again) == list(a0)


def test_sampler_without_shuffle_matches_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    for n, world, drop_last in ((10, 3, False), (10, 3, True), (9, 2, False)):
        for r in range(world):
            ours = list(DistributedSampler(list(range(n)), world, r, shuffle=False, drop_last=drop_last))
            theirs = list(TorchSampler(list(range(n)), world, r, shuffle=False, drop_last=drop_last))
            assert ours == theirs, (n, world, r, drop_last)
    del torch


def test_sampler_validates_rank():
    with pytest.raises(ValueError, match="invalid rank 2"):
        DistributedSampler(list(range(4)), num_replicas=2, rank=2)
