"""Where one training step's time goes, from minitorch.profiler: per kernel, per op, and Python.

    python bench/profile_step.py              # seed CNN (Adam) and seed MLP (SGD), batch 64
    python bench/profile_step.py --model cnn --steps 50 --rows 30

The same steps as bench/cpu.py (fixed synthetic batches, full steps with
zero_grad, forward, cross entropy, backward, step, loss.item()), after
warm-up steps so nothing compiles inside the profile. Printed per model:

- the step time without the profiler (median of windows) and with it, so the
  profiler's own cost is visible;
- per profiled step: time inside backend kernels, and everything else (the
  engine, tensor bookkeeping, the optimizer's Python, the profiler's hooks);
- the profiler's table of kernels and ops, sorted by self time, with counts
  per step.

docs/benchmarks.md's per-op breakdown comes from this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "examples"))

from cpu import BATCH, synthetic_batches, training_step  # noqa: E402


def step_ms(step, windows: int, steps: int) -> float:
    times = []
    for _ in range(windows):
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        times.append((time.perf_counter() - start) / steps * 1e3)
    return statistics.median(times)


def profile_model(name: str, steps: int, rows: int, threads: int | None) -> None:
    import minitorch.nn.functional as F
    import minitorch.profiler as profiler
    import minitorch.tensor as mt
    from minitorch.optim import SGD, Adam

    if threads:
        import numba

        numba.set_num_threads(threads)
    from mnist_cnn import SeedCNN
    from mnist_mlp import SeedMLP

    model_class, optim_class = {"cnn": (SeedCNN, Adam), "mlp": (SeedMLP, SGD)}[name]
    mt.manual_seed(0)
    model = model_class()
    optimizer = optim_class(model.named_parameters(), lr=1e-3)
    batches = [(mt.tensor(x), mt.tensor(y)) for x, y in synthetic_batches(4)]
    step = training_step(batches, model, optimizer, F.cross_entropy)
    for i in range(10):
        step(i)
    plain = step_ms(step, 5, steps)
    with profiler.profile(record_shapes=True) as prof:
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        profiled = (time.perf_counter() - start) / steps * 1e3
    events = prof.events()
    kernels = sum(e.cpu_time_total for e in events if e.kind == "kernel") / steps / 1e3
    launches = sum(1 for e in events if e.kind == "kernel") / steps
    ops = sum(1 for e in events if e.kind in ("forward", "backward")) / steps
    print(f"## seed {name.upper()}, batch {BATCH}, float32, {steps} profiled steps")
    print(f"step without the profiler: {plain:.2f} ms (median of 5 windows); with it: "
          f"{profiled:.2f} ms")
    print(f"per profiled step: {kernels:.2f} ms in {launches:.0f} kernel calls; the other "
          f"{profiled - kernels:.2f} ms is Python around {ops:.0f} op calls (forward and "
          f"backward), the optimizer and the profiler's own hooks")
    print(prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total",
                                                             row_limit=rows))
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["cnn", "mlp", "both"], default="both")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rows", type=int, default=25)
    parser.add_argument("--threads", type=int, default=None, help="numba threads (default: all)")
    args = parser.parse_args(argv)
    for name in (["cnn", "mlp"] if args.model == "both" else [args.model]):
        profile_model(name, args.steps, args.rows, args.threads)


if __name__ == "__main__":
    main()
