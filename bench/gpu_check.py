#!/usr/bin/env python
"""One-command check of the cuda backend on a real NVIDIA GPU (about 3-5 minutes).

    bash dev.sh setup && .venv/bin/pip install -e 'packages/mt-backend-cuda[cu12]'
    .venv/bin/python bench/gpu_check.py [--budget 260] [--json result.json]

Pick the extra from the "CUDA Version" that `nvidia-smi` shows: 12.x -> [cu12],
13.x -> [cu13]. Sections, in order of importance; each is
guarded, so a failure is reported and the next section still runs, and each
stops early when the time budget runs short:

1. environment: GPU, driver, numba-cuda, what the backend reports;
2. kernel correctness against numpy at sizes the simulator cannot reach;
3. float32 matmul GFLOP/s at n = 1024 and 4096, and torch.matmul on the same
   GPU when torch with CUDA is importable;
4. the seed CNN (conv 1->4, conv 4->8, max-pool 4, linear 392->128, dropout,
   linear 128->10; cross-entropy, Adam, batch 256): ms per training step on
   cuda and on numba, and device memory before / after 200 cuda steps;
5. this package's test suite on the GPU (NUMBA_ENABLE_CUDASIM=0), then
   mt-tensor's conformance kit on cuda, with whatever time is left.

Exit status 0 when every check that ran passed. A JSON summary is the last
line of output (and goes to --json when given).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

# The simulator would make every number here meaningless.
if os.environ.pop("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0"):
    print("note: ignoring NUMBA_ENABLE_CUDASIM, this script needs the real GPU")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MATMUL_SIZES = ((1024, 20), (4096, 3))  # (n, timed repetitions)
CNN_BATCH, CNN_STEPS, CNN_IMAGE = 256, 200, 28
try:
    import minitorch.backends.cuda  # noqa: F401
except ImportError:  # not installed: use the checkout's sources (no entry points then)
    for src in sorted(ROOT.glob("packages/*/src")):
        sys.path.append(str(src))

from minitorch.backends.cuda import CudaBackend, device  # noqa: E402
from minitorch.tensor.dtype import float32  # noqa: E402


class Report:
    """Collects PASS / FAIL / SKIP / INFO lines and keeps the time budget."""

    def __init__(self, budget_s: float) -> None:
        self.start = time.perf_counter()
        self.deadline = self.start + budget_s
        self.rows: list[dict[str, object]] = []

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def add(self, status: str, name: str, detail: str = "", **data: object) -> None:
        self.rows.append({"status": status, "name": name, "detail": detail, **data})
        elapsed = time.perf_counter() - self.start
        print(f"[{elapsed:6.1f}s] {status:4s} {name}" + (f": {detail}" if detail else ""),
              flush=True)

    def check(self, name: str, fn, *args) -> None:
        """Run one correctness check; an exception or a mismatch is a FAIL."""
        try:
            fn(*args)
        except Exception as exc:  # report and go on: this run cannot be repeated
            self.add("FAIL", name, f"{type(exc).__name__}: {str(exc)[:600]}")
        else:
            self.add("PASS", name)

    def section(self, title: str, fn, *args) -> None:
        print(f"\n== {title}", flush=True)
        try:
            fn(*args)
        except Exception as exc:
            self.add("FAIL", title, f"{type(exc).__name__}: {exc}",
                     traceback=traceback.format_exc()[-3000:])

    @property
    def failed(self) -> bool:
        return any(r["status"] == "FAIL" for r in self.rows)


# -- 1. environment -----------------------------------------------------------------
def environment(rep: Report, be: CudaBackend) -> None:
    from importlib import metadata

    rep.add("INFO", "python", sys.version.split()[0])
    for dist in ("numba", "numba-cuda", "cuda-bindings", "mt-tensor", "mt-backend-cuda",
                 "torch"):
        try:
            rep.add("INFO", dist, metadata.version(dist))
        except metadata.PackageNotFoundError:
            rep.add("INFO", dist, "not installed")
    if not be.is_available():
        rep.add("FAIL", "cuda backend available", be.unavailable_reason())
        return
    rep.add("PASS", "cuda backend available", be.version)
    from numba import cuda

    rep.add("INFO", "device", device.describe_device())
    try:
        from numba.cuda.cudadrv import driver

        major, minor = driver.get_version()
        rep.add("INFO", "driver CUDA version", f"{major}.{minor}")
    except Exception as exc:  # informational only
        rep.add("INFO", "driver CUDA version", f"unknown ({type(exc).__name__})")
    free, total = cuda.current_context().get_memory_info()
    rep.add("INFO", "device memory", f"{free / 2**30:.1f} GiB free of {total / 2**30:.1f} GiB")


# -- 2. kernel correctness ----------------------------------------------------------
def _load_test_module(name: str):
    """A helper module of the package's tests, by path (tests/ is not a package)."""
    import importlib.util

    path = ROOT / "packages" / "mt-backend-cuda" / "tests" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"mt_backend_cuda_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def correctness(rep: Report, be: CudaBackend) -> None:
    if not be.is_available():
        rep.add("SKIP", "correctness", "backend unavailable")
        return
    ref = _load_test_module("numpy_reference")
    checks = _load_test_module("large_shapes").CHECKS
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for name, fn in checks:
            label = f"{name} [{np.dtype(dtype).name}]"
            if rep.left() < 150:
                rep.add("SKIP", label, "time budget")
                continue
            rep.check(label, fn, be, ref, rng, dtype)


# -- 3. matmul throughput -------------------------------------------------------------
def _time(fn, sync, reps: int) -> float:
    fn()  # warm-up: compiles on first use
    sync()
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    sync()
    return (time.perf_counter() - start) / reps


def matmul_speed(rep: Report, be: CudaBackend) -> None:
    if not be.is_available():
        rep.add("SKIP", "matmul GFLOP/s", "backend unavailable")
        return
    try:
        import torch

        has_torch = torch.cuda.is_available()
        why_not = "" if has_torch else "torch has no CUDA device"
    except ImportError:
        has_torch, why_not = False, "torch is not installed"
    rng = np.random.default_rng(1)
    for n, reps in MATMUL_SIZES:
        if rep.left() < 120:
            rep.add("SKIP", f"matmul n={n}", "time budget")
            continue
        a_host = rng.standard_normal((n, n), dtype=np.float32)
        b_host = rng.standard_normal((n, n), dtype=np.float32)
        a, b = be.from_numpy(a_host), be.from_numpy(b_host)
        out = be.zeros(n * n, float32)
        st = (0, n, 1)
        seconds = _time(lambda a=a, b=b, out=out, n=n, st=st: be.matmul(
            out, st, a, st, b, st, (1, n, n, n)), be.synchronize, reps)
        gflops = 2 * n**3 / seconds / 1e9
        rows = slice(0, 64)  # a row sample keeps the float64 reference cheap
        want = a_host[rows].astype(np.float64) @ b_host.astype(np.float64)
        got = be.to_numpy(out).reshape(n, n)[rows]
        err = np.linalg.norm(got - want) / np.linalg.norm(want)
        status = "PASS" if err < 1e-5 else "FAIL"
        rep.add(status, f"matmul n={n} float32", f"{gflops:.0f} GFLOP/s ({seconds * 1e3:.2f} ms),"
                f" rel. error {err:.1e}", gflops=gflops, ms=seconds * 1e3)
        if has_torch:
            ta = torch.from_numpy(a_host).cuda()
            tb = torch.from_numpy(b_host).cuda()
            t_sec = _time(lambda ta=ta, tb=tb: torch.matmul(ta, tb), torch.cuda.synchronize,
                          reps * 5)
            t_gflops = 2 * n**3 / t_sec / 1e9
            rep.add("INFO", f"torch.matmul n={n} float32",
                    f"{t_gflops:.0f} GFLOP/s ({t_sec * 1e3:.3f} ms); minitorch reaches "
                    f"{100 * gflops / t_gflops:.1f}% (tf32 allowed: "
                    f"{torch.backends.cuda.matmul.allow_tf32})", gflops=t_gflops)
            del ta, tb
        else:
            rep.add("SKIP", f"torch.matmul n={n}", why_not)
        del a, b, out


# -- 4. the seed CNN --------------------------------------------------------------------
def seed_cnn(mt, nn, image: int = 28):
    """The seed's CNN; `image` smaller than 28 only for quick smoke runs."""
    flat = 8 * (image // 4) ** 2
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
        nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(4), nn.Flatten(),
        nn.Linear(flat, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10),
    )


def _device_memory_used() -> int:
    from numba import cuda

    gc.collect()
    context = cuda.current_context()
    # numba frees device memory in batches; flush so "used" means "live".
    pending = getattr(context, "deallocations", None)
    if pending is not None:
        pending.clear()
    free, total = context.get_memory_info()
    return total - free


def train_steps(mt, nn, optim, backend, steps: int, batch: int, image: int, deadline: float,
                measure_memory: bool = False) -> dict[str, float]:
    """Adam steps on one fixed random batch; stops early at `deadline`
    (perf_counter seconds). The first step (kernel compilation) is not timed;
    with `measure_memory`, device memory is read after it and after the last
    step, the same live set of tensors both times, so a difference is a leak."""
    mt.manual_seed(0)
    rng = np.random.default_rng(0)
    model = seed_cnn(mt, nn, image).to(backend)
    model.train()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = mt.tensor(rng.random((batch, 1, image, image), dtype=np.float32), backend=backend)
    y = rng.integers(0, 10, size=batch)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    result = {"first_loss": step().item()}
    if measure_memory:
        result["memory_before"] = _device_memory_used()
    start = time.perf_counter()
    done = 0
    loss = None
    while done < steps and time.perf_counter() < deadline:
        loss = step()
        done += 1
    # .item() waits for the GPU to finish the queued steps.
    result["last_loss"] = loss.item() if loss is not None else result["first_loss"]
    result["seconds_per_step"] = (time.perf_counter() - start) / max(done, 1)
    result["steps"] = done
    if measure_memory:
        result["memory_after"] = _device_memory_used()
    return result


def cnn_training(rep: Report, be: CudaBackend) -> None:
    try:
        import minitorch.nn as nn
        import minitorch.optim as optim
        import minitorch.tensor as mt
    except ImportError as exc:
        rep.add("SKIP", "seed CNN training", f"minitorch.nn is not importable ({exc})")
        return
    if not be.is_available():
        rep.add("SKIP", "seed CNN training", "cuda backend unavailable")
        return
    batch, steps, image = CNN_BATCH, CNN_STEPS, CNN_IMAGE
    if rep.left() < 100:
        rep.add("SKIP", "seed CNN training", "time budget")
        return
    # The first (untimed) step compiles every kernel the model needs.
    deadline = time.perf_counter() + min(90.0, rep.left() - 75)
    r = train_steps(mt, nn, optim, be, steps, batch, image, deadline, measure_memory=True)
    sec, done = r["seconds_per_step"], r["steps"]
    first, last = r["first_loss"], r["last_loss"]
    before, after = r["memory_before"] / 2**20, r["memory_after"] / 2**20
    rep.add("INFO", "seed CNN on cuda", f"{sec * 1e3:.1f} ms/step over {done} steps, "
            f"{batch / sec:.0f} images/s", ms_per_step=sec * 1e3, steps=done)
    rep.add("PASS" if last < first else "FAIL", "seed CNN loss decreases on a fixed batch",
            f"{first:.3f} -> {last:.3f}")
    rep.add("PASS" if after - before < 64 else "FAIL", f"device memory across {done} steps",
            f"{before:.0f} MiB before, {after:.0f} MiB after ({after - before:+.1f} MiB)",
            before_mib=before, after_mib=after)
    if done < steps:
        rep.add("INFO", "seed CNN steps", f"only {done} of {steps} fitted in the time budget")
    try:
        numba_be = mt.get_backend("numba")
    except Exception as exc:
        rep.add("SKIP", "seed CNN on numba", f"numba backend unusable: {exc}")
        return
    # numba compiles its CPU kernels on the first step (tens of seconds).
    if rep.left() < 50:
        rep.add("SKIP", "seed CNN on numba", "time budget")
        return
    r = train_steps(mt, nn, optim, numba_be, 10, batch, image,
                    time.perf_counter() + min(25.0, rep.left() - 40))
    n_sec = r["seconds_per_step"]
    rep.add("INFO", "seed CNN on numba (CPU)", f"{n_sec * 1e3:.1f} ms/step over {r['steps']} "
            f"steps; cuda is {n_sec / sec:.1f}x faster", ms_per_step=n_sec * 1e3)
    # Same seed, same weights and dropout mask: the first losses must agree.
    agree = math.isclose(r["first_loss"], first, rel_tol=1e-4)
    rep.add("PASS" if agree else "FAIL", "first loss: cuda equals numba",
            f"{first:.6f} vs {r['first_loss']:.6f}")


# -- 5. the package tests on hardware -----------------------------------------------------
def _pytest(rep: Report, label: str, marker: str, min_seconds: float) -> None:
    """Run the package's tests selected by `marker` on the GPU, within the budget."""
    limit = rep.left() - 5
    if limit < min_seconds:
        rep.add("SKIP", label, "time budget")
        return
    tests = ROOT / "packages" / "mt-backend-cuda" / "tests"
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="0")
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                               "-m", marker, "--maxfail=10", "-rfE", str(tests)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        rep.add("SKIP", label, f"did not finish in {limit:.0f}s")
        return
    tail = (done.stdout + done.stderr).strip().splitlines()
    if done.returncode != 0:
        print("\n".join(tail[-80:]))
    counts = [line for line in tail if " in " in line and any(
        word in line for word in ("passed", "failed", "skipped", "error"))]
    rep.add("PASS" if done.returncode == 0 else "FAIL", label,
            counts[-1].strip("= ") if counts else f"exit status {done.returncode}",
            output_tail="\n".join(tail[-80:]))


def package_tests(rep: Report, be: CudaBackend) -> None:
    if not be.is_available():
        rep.add("SKIP", "package tests on the GPU", "backend unavailable")
        return
    _pytest(rep, "package tests on the GPU", "not conformance", 40)
    # mt-tensor's conformance kit: every tensor op and gradient on cuda.
    _pytest(rep, "conformance kit on the GPU", "conformance", 30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 260 s leaves room under five minutes for imports and the untimed first steps.
    parser.add_argument("--budget", type=float, default=260.0, help="seconds for everything")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()
    rep = Report(args.budget)
    be = CudaBackend()
    rep.section("1. environment", environment, rep, be)
    rep.section("2. kernel correctness at GPU sizes", correctness, rep, be)
    rep.section("3. float32 matmul throughput", matmul_speed, rep, be)
    rep.section("4. seed CNN training steps", cnn_training, rep, be)
    rep.section("5. package tests on the GPU", package_tests, rep, be)
    counts = {s: sum(r["status"] == s for r in rep.rows) for s in ("PASS", "FAIL", "SKIP")}
    print(f"\n{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped "
          f"in {time.perf_counter() - rep.start:.0f}s")
    summary = json.dumps({"counts": counts, "rows": rep.rows}, default=str)
    if args.json:
        args.json.write_text(summary)
    print(summary)
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
