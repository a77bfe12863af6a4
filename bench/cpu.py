"""CPU benchmark: minitorch's numba backend against numpy and PyTorch CPU, one table.

    python bench/cpu.py                 # about 2 minutes on 2 idle cores
    python bench/cpu.py --quick         # seconds: tiny sizes, for the smoke test

Rows:

- GEMM GFLOP/s of our matmul kernel against numpy's matmul at n = 256, 512,
  1024 in float32 and float64 (bench/gemm.py's timing), then the seed MLP's
  six float32 products at batch 64 (`gemm.MLP_PRODUCTS`), each against numpy
  on the same shapes and the same layouts (transposed views where the engine
  passes them). It runs in a subprocess with OPENBLAS_CORETYPE and
  OPENBLAS_L2_SIZE removed from its environment: on some machines they are
  set and slow a current numpy down.
- Training throughput (images/s, batch 64, float32) of the seed CNN (Adam)
  and the seed MLP (SGD): the median over timed windows of full steps
  (zero_grad, forward, cross entropy, backward, step, loss.item()) after
  warm-up steps, on fixed synthetic batches. minitorch-numba and PyTorch CPU
  (when importable) each run in their own subprocess with the same thread
  count: numba's and torch's OpenMP pools would fight over the cores if
  they shared one.
- Per-op overhead: microseconds per call of `a + b` on 2x2 tensors that
  require grad (the graph is recorded), and of `(w * b).sum().backward()` on
  4-element tensors, the median over windows of many calls; minitorch-numba
  and PyTorch each in its own subprocess. On tensors this small the time is
  the framework's Python and dispatch, not arithmetic.
- Start-up: seconds from process start to the end of the first seed-CNN
  training step, in fresh subprocesses: cold (an empty NUMBA_CACHE_DIR, so
  every kernel compiles) and warm (the second run over the same directory).

Ratios are minitorch / reference for throughputs (above 1: we are faster)
and reference / minitorch for seconds and microseconds. Timings on a shared machine are only
as good as its idle time; the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
BATCH = 64
FIRST_STEP_DONE = "first step done"


# -- workers: each runs in its own process and prints one JSON line -----------------------
def gemm_worker(sizes: list[int], repeats: int, settle: float) -> list[dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    import numpy as np
    from gemm import gflops, mlp_products, time_gemm

    from minitorch.backends.numba.plugin import NumbaBackend

    backend = NumbaBackend()
    rows = []
    for dtype in (np.float32, np.float64):
        for n in sizes:
            ours_s, numpy_s = time_gemm(backend, dtype, n, repeats, settle)
            rows.append({"label": f"GEMM {np.dtype(dtype).name} n={n}",
                         "ours": gflops(n, ours_s), "numpy": gflops(n, numpy_s)})
    for row in mlp_products(backend, repeats, settle):
        rows.append({"label": f"GEMM float32 MLP {row['label']}: {row['layout']}",
                     "ours": row["ours"], "numpy": row["numpy"]})
    return rows


def synthetic_batches(count: int):
    """Fixed (x, labels) numpy batches: standard-normal images, labels 0..9."""
    import numpy as np

    rng = np.random.default_rng(0)
    return [(rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32),
             rng.integers(0, 10, BATCH)) for _ in range(count)]


def images_per_second(step, warmup: int, windows: int, steps: int) -> float:
    """Median over `windows` timed windows of `steps` training steps each."""
    for i in range(warmup):
        step(i)
    rates = []
    for _ in range(windows):
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        rates.append(BATCH * steps / (time.perf_counter() - start))
    return statistics.median(rates)


def microseconds_per_call(fn, windows: int, calls: int) -> float:
    """Median over `windows` windows of `calls` calls each, after one warm-up window."""
    for _ in range(calls):
        fn()
    times = []
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(times)


def overhead_worker(library: str, windows: int, calls: int) -> dict:
    """Per-op overhead rows for one library: {"add": us, "backward": us}."""
    if library == "torch":
        import torch

        def make(values):
            return torch.tensor(values, requires_grad=True)
    else:
        import minitorch.tensor as mt

        def make(values):
            return mt.tensor(values, backend="numba", requires_grad=True)
    a, b = make([[1.0, 2.0], [3.0, 4.0]]), make([[0.5, 0.25], [2.0, 1.0]])
    w, v = make([1.0, 2.0, 3.0, 4.0]), make([0.5, 0.25, 2.0, 1.0])

    def add() -> None:
        a + b

    def backward() -> None:
        (w * v).sum().backward()

    return {"add": microseconds_per_call(add, windows, calls),
            "backward": microseconds_per_call(backward, windows, calls)}


def minitorch_worker(threads: int, warmup: int, windows: int, steps: int) -> dict:
    import numba

    numba.set_num_threads(threads)
    sys.path.insert(0, str(ROOT / "examples"))
    from mnist_cnn import SeedCNN
    from mnist_mlp import SeedMLP

    import minitorch.nn.functional as F
    import minitorch.tensor as mt
    from minitorch.optim import SGD, Adam

    batches = [(mt.tensor(x), mt.tensor(y)) for x, y in synthetic_batches(4)]
    result = {}
    for name, model_class, optim_class in (("cnn", SeedCNN, Adam), ("mlp", SeedMLP, SGD)):
        mt.manual_seed(0)
        model = model_class()
        optimizer = optim_class(model.named_parameters(), lr=1e-3)

        result[name] = images_per_second(training_step(batches, model, optimizer, F.cross_entropy),
                                         warmup, windows, steps)
    return result


def training_step(batches: list, model, optimizer, cross_entropy):
    """One full step on batch i; the same code drives minitorch and PyTorch (same API)."""

    def step(i: int) -> None:
        x, y = batches[i % len(batches)]
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()

    return step


def torch_models():
    """The seed CNN and MLP written for PyTorch, layer for layer as in examples/."""
    import torch
    from torch import nn

    cnn = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding="same"), nn.ReLU(),
        nn.Conv2d(4, 8, 3, padding="same"), nn.ReLU(),
        nn.MaxPool2d(4), nn.Flatten(1),
        nn.Linear(392, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10),
    )
    mlp = nn.Sequential(
        nn.Flatten(1),
        nn.Linear(784, 512), nn.ReLU(),
        nn.Linear(512, 256), nn.ReLU(),
        nn.Linear(256, 10),
    )
    return {"cnn": (cnn, torch.optim.Adam), "mlp": (mlp, torch.optim.SGD)}


def torch_worker(threads: int, warmup: int, windows: int, steps: int) -> dict:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in synthetic_batches(4)]
    result = {}
    for name, (model, optim_class) in torch_models().items():
        optimizer = optim_class(model.parameters(), lr=1e-3)

        result[name] = images_per_second(training_step(batches, model, optimizer, F.cross_entropy),
                                         warmup, windows, steps)
    return result


def first_step_worker(library: str) -> None:
    """Build the seed CNN and Adam, run one step, say so (the parent times it)."""
    if library == "torch":
        import torch
        import torch.nn.functional as F

        model, optim_class = torch_models()["cnn"]
        optimizer = optim_class(model.parameters(), lr=1e-3)
        (x, y), = synthetic_batches(1)
        x, y = torch.from_numpy(x), torch.from_numpy(y)
    else:
        sys.path.insert(0, str(ROOT / "examples"))
        from mnist_cnn import SeedCNN

        import minitorch.nn.functional as F
        import minitorch.tensor as mt
        from minitorch.optim import Adam

        model = SeedCNN()
        optimizer = Adam(model.named_parameters(), lr=1e-3)
        (x, y), = synthetic_batches(1)
        x, y = mt.tensor(x), mt.tensor(y)
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    loss.item()
    print(FIRST_STEP_DONE, flush=True)


# -- the parent: runs the workers, prints the table --------------------------------------
def run_worker(args: list[str], env: dict[str, str] | None = None) -> object:
    result = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                            text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"bench worker {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def seconds_to_first_step(library: str, cache_dir: str | None) -> float:
    """Wall time from spawning a fresh interpreter to its first finished step."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    with tempfile.TemporaryFile(mode="w+") as errors:  # a file: a full pipe would block the child
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, __file__, "--worker", "first-step", library],
                                   stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
        for line in process.stdout:
            if line.strip() == FIRST_STEP_DONE:
                elapsed = time.perf_counter() - start
                break
        else:
            process.wait()
            errors.seek(0)
            raise SystemExit(f"first-step worker ({library}) failed:\n{errors.read()}")
        process.wait()
    return elapsed


def torch_available() -> bool:
    try:
        metadata.version("torch")
    except metadata.PackageNotFoundError:
        return False
    return True


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}" if reference else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one window each (a smoke test; the numbers mean nothing)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numba and torch (default: numba's default, the core count)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, *rest = args.worker
        if kind == "first-step":
            first_step_worker(rest[0])
            return
        if kind == "overhead":
            print(json.dumps(overhead_worker(rest[0], int(rest[1]), int(rest[2]))))
            return
        numbers = [float(v) for v in rest]
        if kind == "gemm":
            print(json.dumps(gemm_worker([int(v) for v in numbers[2:]], int(numbers[0]), numbers[1])))
        elif kind == "minitorch":
            print(json.dumps(minitorch_worker(*(int(v) for v in numbers))))
        elif kind == "torch":
            print(json.dumps(torch_worker(*(int(v) for v in numbers))))
        return

    import numba

    threads = args.threads or numba.config.NUMBA_NUM_THREADS
    use_torch = torch_available() and not args.no_torch
    if args.quick:
        sizes, repeats, settle = [64], 1, 0.0
        train = [threads, 1, 1, 1]  # warm-up steps, windows, steps per window
        overhead = ["3", "50"]  # windows, calls per window
    else:
        sizes, repeats, settle = [256, 512, 1024], 7, 0.5
        train = [threads, 5, 7, 20]
        overhead = ["9", "2000"]
    load_before = os.getloadavg()[0]

    blas_set = [v for v in BLAS_VARIABLES if v in os.environ]
    gemm_env = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
    gemm = run_worker(["gemm", str(repeats), str(settle), *map(str, sizes)], env=gemm_env)
    ours = run_worker(["minitorch", *map(str, train)])
    theirs = run_worker(["torch", *map(str, train)]) if use_torch else {}
    our_overhead = run_worker(["overhead", "minitorch", *overhead])
    their_overhead = run_worker(["overhead", "torch", *overhead]) if use_torch else {}

    if args.quick:  # no cold compile in a smoke test: time the inherited cache twice
        cold = seconds_to_first_step("minitorch", None)
        warm = seconds_to_first_step("minitorch", None)
    else:
        with tempfile.TemporaryDirectory(prefix="mt-bench-cache-") as cache:
            cold = seconds_to_first_step("minitorch", cache)
            warm = seconds_to_first_step("minitorch", cache)
    torch_start = seconds_to_first_step("torch", None) if use_torch else None

    print(f"minitorch CPU benchmark, {date.today().isoformat()}: {cpu_model()}, "
          f"{os.cpu_count()} cores, {threads} threads (numba and torch), "
          f"Python {platform.python_version()}, numba {version('numba')}, numpy {version('numpy')}, "
          f"torch {version('torch') if use_torch else 'not used'}, "
          f"threading layer {os.environ.get('NUMBA_THREADING_LAYER', 'default')}")
    print(f"GEMM ran in a subprocess with {', '.join(BLAS_VARIABLES)} unset "
          f"({'they were set: ' + ', '.join(blas_set) if blas_set else 'neither was set here'}); "
          f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
          f"{'; QUICK RUN: tiny sizes, numbers mean nothing' if args.quick else ''}")
    print()
    print("| benchmark | unit | minitorch-numba | reference | reference value | ratio |")
    print("|---|---|---|---|---|---|")
    for row in gemm:
        print(f"| {row['label']} | GFLOP/s | {row['ours']:.1f} | numpy matmul | "
              f"{row['numpy']:.1f} | {ratio(row['ours'], row['numpy'])} |")
    for name, label in (("cnn", "seed CNN train step (Adam)"), ("mlp", "seed MLP train step (SGD)")):
        reference = theirs.get(name)
        print(f"| {label}, batch {BATCH}, float32 | images/s | {ours[name]:.0f} | PyTorch CPU | "
              f"{f'{reference:.0f}' if reference else '-'} | {ratio(ours[name], reference)} |")
    for name, label in (("add", "a + b, 2x2, requires_grad"),
                        ("backward", "(w * b).sum().backward(), 4 elements")):
        reference = their_overhead.get(name)
        print(f"| per-op overhead: {label} | us per call | {our_overhead[name]:.1f} | "
              f"PyTorch CPU | {f'{reference:.1f}' if reference else '-'} | "
              f"{ratio(reference, our_overhead[name]) if reference else '-'} |")
    start_reference = f"{torch_start:.2f}" if torch_start else "-"
    start_ratio = ratio(torch_start, cold) if torch_start else "-"
    print(f"| start to first CNN step, cold cache | s | {cold:.2f} | PyTorch CPU | {start_reference} | "
          f"{start_ratio} |")
    start_ratio = ratio(torch_start, warm) if torch_start else "-"
    print(f"| start to first CNN step, warm cache | s | {warm:.2f} | PyTorch CPU | {start_reference} | "
          f"{start_ratio} |")


if __name__ == "__main__":
    main()
