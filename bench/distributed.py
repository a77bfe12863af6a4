"""Distributed benchmark: minitorch.distributed against raw mpi4py, and 1 vs 2 ranks.

    python bench/distributed.py            # about a minute on 2 idle cores
    python bench/distributed.py --quick    # seconds: the smoke test

Rows:

- all_reduce bandwidth (GB/s of float32 payload, in place, SUM) of
  `minitorch.distributed.all_reduce` on a tensor against mpi4py's
  `Allreduce(IN_PLACE, ...)` on a numpy array of the same size, in one
  2-rank job, alternating the two, the median of repeats per size. The
  51,930-element row is the seed CNN's gradient (one DDP bucket).
- Seed-CNN training throughput (images/s, float32, Adam, the global batch
  64 either way) on one process with one thread against two ranks with one
  thread each and batch 32 per rank under DistributedDataParallel: the
  median over timed windows of full steps on fixed synthetic batches.

Ratios are minitorch / reference (above 1: faster). The load average is
printed with the table: numbers from a busy machine are not worth quoting.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOBAL_BATCH = 64
CNN_GRADIENT = 51_930  # float32 elements in the seed CNN's parameters


# -- workers (inside the MPI job) --------------------------------------------------------
def allreduce_worker(sizes: list[int], repeats: int) -> None:
    import numpy as np
    from mpi4py import MPI

    import minitorch.distributed as dist
    import minitorch.tensor as mt

    dist.init_process_group()
    comm = MPI.COMM_WORLD
    rows = []
    for n in sizes:
        array = np.ones(n, dtype=np.float32)
        tensor = mt.ones(n, dtype=mt.float32)
        ours, raw = [], []
        for _ in range(repeats):
            comm.Barrier()
            start = time.perf_counter()
            dist.all_reduce(tensor)
            ours.append(time.perf_counter() - start)
            comm.Barrier()
            start = time.perf_counter()
            comm.Allreduce(MPI.IN_PLACE, array, op=MPI.SUM)
            raw.append(time.perf_counter() - start)
            array.fill(1.0)
            tensor.fill_(1.0)
        rows.append({"n": n, "ours": statistics.median(ours), "raw": statistics.median(raw)})
    if dist.get_rank() == 0:
        print(json.dumps(rows))


def training_worker(warmup: int, windows: int, steps: int, global_batch: int = GLOBAL_BATCH) -> None:
    import numba
    import numpy as np

    numba.set_num_threads(1)
    sys.path.insert(0, str(ROOT / "examples"))
    from mnist_cnn import SeedCNN

    import minitorch.distributed as dist
    import minitorch.nn.functional as F
    import minitorch.tensor as mt
    from minitorch.optim import Adam

    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    per_rank = global_batch // world
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(4):
        x = rng.standard_normal((global_batch, 1, 28, 28)).astype(np.float32)
        y = rng.integers(0, 10, global_batch)
        share = slice(rank * per_rank, (rank + 1) * per_rank)
        batches.append((mt.tensor(x[share]), mt.tensor(y[share])))
    mt.manual_seed(0)
    model = SeedCNN()
    if world > 1:
        model = dist.DistributedDataParallel(model)
    optimizer = Adam(model.named_parameters(), lr=1e-3)

    def step(i: int) -> None:
        x, y = batches[i % len(batches)]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()

    for i in range(warmup):
        step(i)
    rates = []
    for _ in range(windows):
        dist.barrier()
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        dist.barrier()
        rates.append(global_batch * steps / (time.perf_counter() - start))
    if rank == 0:
        print(json.dumps({"ranks": world, "images_per_s": statistics.median(rates)}))


# -- the parent ---------------------------------------------------------------------------
def mpiexec() -> str:
    here = Path(sys.executable).parent / "mpiexec"
    found = str(here) if here.exists() else shutil.which("mpiexec")
    if found is None:
        raise SystemExit("bench/distributed.py: no mpiexec; pip install mpich mpi4py")
    return found


def run(ranks: int, *args: str) -> object:
    command = [sys.executable, __file__, "--worker", *args]
    if ranks > 1:
        command = [mpiexec(), "-n", str(ranks), *command]
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"bench job {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repeats")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "allreduce":
            allreduce_worker([int(n) for n in rest[1:]], int(rest[0]))
        else:
            training_worker(*(int(v) for v in rest))  # warmup, windows, steps[, batch]
        return

    if args.quick:
        sizes, repeats, timing = [1_000, CNN_GRADIENT], 5, ("1", "2", "2")
    else:
        sizes, repeats, timing = [1_000, CNN_GRADIENT, 1_000_000, 16_000_000], 30, ("5", "5", "20")
    reduce_rows = run(2, "allreduce", str(repeats), *map(str, sizes))
    one = run(1, "train", *timing)
    two = run(2, "train", *timing)
    half = run(1, "train", *timing, str(GLOBAL_BATCH // 2))  # one rank's share of the work

    print(f"load average before: {os.getloadavg()[0]:.2f}; 2 ranks, mpich, one thread per rank")
    print()
    print("| benchmark | minitorch | reference | ratio |")
    print("|---|---|---|---|")
    for row in reduce_rows:
        gb = row["n"] * 4 / 1e9
        print(f"| all_reduce float32 n={row['n']:,} (GB/s; reference: mpi4py Allreduce) | "
              f"{gb / row['ours']:.3f} | {gb / row['raw']:.3f} | {row['raw'] / row['ours']:.2f}x |")
    print(f"| seed CNN training, global batch {GLOBAL_BATCH} (img/s; reference: 1 rank) | "
          f"{two['images_per_s']:,.0f} on 2 ranks | {one['images_per_s']:,.0f} on 1 rank | "
          f"{two['images_per_s'] / one['images_per_s']:.2f}x |")
    ideal = 2 * half["images_per_s"]
    print(f"| the same, 2 ranks against twice one rank on batch {GLOBAL_BATCH // 2} (img/s) | "
          f"{two['images_per_s']:,.0f} | {ideal:,.0f} | {two['images_per_s'] / ideal:.2f}x |")
    cnn = next((r for r in reduce_rows if r["n"] == CNN_GRADIENT), None)
    if cnn is not None:
        step_ms = 1e3 * GLOBAL_BATCH / one["images_per_s"]
        half_ms = 1e3 * (GLOBAL_BATCH // 2) / half["images_per_s"]
        print()
        print(f"one rank: {step_ms:.1f} ms per step on batch {GLOBAL_BATCH}, {half_ms:.1f} ms on "
              f"batch {GLOBAL_BATCH // 2}; averaging the CNN's gradient "
              f"({CNN_GRADIENT * 4 / 1e3:.0f} kB) on 2 ranks: {1e3 * cnn['ours']:.3f} ms")


if __name__ == "__main__":
    main()
