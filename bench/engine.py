"""What the autodiff engine costs: this tree against another git revision, one table.

    python bench/engine.py --against HEAD~3     # about 3 minutes on 2 idle cores
    python bench/engine.py --quick              # seconds: the smoke test (against HEAD)

Both sides run the same worker code (this file and examples/) in fresh
subprocesses, taking turns, with only the minitorch packages swapped: the
other revision is checked out into a temporary git worktree and put first on
PYTHONPATH. Rows, all on the numba backend, float32:

- microseconds per small-tensor op (4 elements, so Python-side dispatch and
  graph recording are the whole cost): `a + b` with and without grad, an
  in-place `a.add_(b)`, and forward + backward of a 20-op chain per op;
- training throughput (images/s, batch 64) of the seed CNN with Adam, as in
  bench/cpu.py.

Each figure is the median of the rounds; the ratio is other / this tree for
times and this tree / other for throughput, so above 1 always means this tree
is faster. Noise on a shared machine is a few percent: compare against HEAD
itself (the default) to see it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mt-autodiff", "mt-tensor", "mt-backend-numba", "mt-nn")


# -- the worker: runs in a subprocess over one tree's packages ---------------------------
def per_op_microseconds(fn, calls: int) -> float:
    fn()  # compile and warm
    best = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best.append((time.perf_counter() - start) / calls * 1e6)
    return min(best)


def ops_worker(calls: int) -> dict:
    import minitorch.tensor as mt

    a = mt.ones(4, backend="numba")
    b = mt.ones(4, backend="numba")
    w = mt.ones(4, backend="numba", requires_grad=True)
    target = mt.ones(4, backend="numba")

    def chain() -> None:
        y = w
        for _ in range(10):
            y = (y * 1.0001) + 0.5
        y.sum().backward()

    with mt.no_grad():
        plain = per_op_microseconds(lambda: a + b, calls)
        inplace = per_op_microseconds(lambda: target.add_(b), calls)
    return {
        "add (no grad)": plain,
        "add (recorded)": per_op_microseconds(lambda: w + b, calls),
        "add_ in place": inplace,
        "chain fwd+bwd per op": per_op_microseconds(chain, max(1, calls // 20)) / 21,
        "_where": mt.__file__,
    }


def cnn_worker(warmup: int, windows: int, steps: int) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from cpu import images_per_second, synthetic_batches, training_step

    sys.path.insert(0, str(ROOT / "examples"))
    from mnist_cnn import SeedCNN

    import minitorch.nn.functional as F
    import minitorch.tensor as mt
    from minitorch.optim import Adam

    batches = [(mt.tensor(x), mt.tensor(y)) for x, y in synthetic_batches(4)]
    mt.manual_seed(0)
    model = SeedCNN()
    optimizer = Adam(model.named_parameters(), lr=1e-3)
    step = training_step(batches, model, optimizer, F.cross_entropy)
    return {"seed CNN images/s": images_per_second(step, warmup, windows, steps)}


# -- the parent -----------------------------------------------------------------------------
def package_path(tree: Path) -> str:
    return os.pathsep.join(str(tree / "packages" / p / "src") for p in PACKAGES)


def run_worker(tree: Path, args: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=package_path(tree))
    env.setdefault("NUMBA_THREADING_LAYER", "omp")
    result = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                            text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"worker {args} over {tree} failed:\n{result.stdout}\n{result.stderr}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    where = out.pop("_where", None)
    if where is not None and not where.startswith(str(tree)):
        raise SystemExit(f"worker over {tree} imported minitorch.tensor from {where}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", default="HEAD", help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="tiny counts, for the smoke test")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *numbers = args.worker
        worker = ops_worker if kind == "ops" else cnn_worker
        print(json.dumps(worker(*map(int, numbers))))
        return

    rounds = 1 if args.quick else args.rounds
    ops_args = ["ops", "20" if args.quick else "4000"]
    cnn_args = ["cnn"] + (["1", "1", "1"] if args.quick else ["5", "3", "10"])
    with tempfile.TemporaryDirectory() as scratch:
        other = Path(scratch) / "other"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--quiet", "--detach",
                        str(other), args.against], check=True)
        try:
            samples: dict[str, dict[str, list[float]]] = {"this": {}, "other": {}}
            for _ in range(rounds):
                for side, tree in (("this", ROOT), ("other", other)):
                    for worker_args in (ops_args, cnn_args):
                        for name, value in run_worker(tree, worker_args).items():
                            samples[side].setdefault(name, []).append(value)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                           check=False)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"this tree vs {args.against}, median of {rounds} round(s), load average {load:.2f}\n")
    print("| measure | this tree | other | ratio (>1: this tree faster) |")
    print("|---|---|---|---|")
    for name, values in samples["this"].items():
        mine = statistics.median(values)
        theirs = statistics.median(samples["other"][name])
        ratio = mine / theirs if name.endswith("/s") else theirs / mine
        unit = "" if name.endswith("/s") else " µs"
        print(f"| {name} | {mine:.1f}{unit} | {theirs:.1f}{unit} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
