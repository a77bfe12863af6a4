#!/usr/bin/env python
"""The cuda backend on a real NVIDIA GPU, in one bounded run (9 minutes by default).

On a machine without network use the offline route (bench/gpu_offline.py,
described in packages/mt-backend-cuda/README.md), which installs the wheels
and runs this script under a hard time limit. Directly:

    python bench/gpu_check.py [--budget 540] [--results results.jsonl] [--logs DIR]

Checks, in order of importance; each is guarded (a failure is a FAIL line and
the next check still runs) and each gets a time slot it cannot overrun:

1. environment: versions, the backends found through entry points, the CUDA
   toolkit numba-cuda uses, the GPU;
2. the CPU workers start: numba computes the seed CNN's reference case, then
   trains it for CPU speed, in a capped subprocess (bench/gpu_cnn.py) while
   the GPU checks 3-5 run (a cold numba compile takes a minute or two);
3. every kernel against numpy at GPU sizes (tests/large_shapes.py);
4. float32 matmul GFLOP/s at n = 1024 and 4096, and torch.matmul (TF32 off);
5. the seed CNN's logits, loss and every gradient (float64, batch 64) on cuda
   against the numba worker's;
6. seed-CNN training images/s at batch 64 and 256 on cuda, numba (same host,
   measured by the worker) and PyTorch CUDA, once the worker is done;
7. device memory across 500 training steps;
8. mt-tensor's conformance kit on cuda;
9. the package's tests under compute-sanitizer memcheck, then the
   shared-memory kernels' tests under racecheck.

Every finished check is one JSON line appended to --results at once, and
every subprocess (the workers, pytest, compute-sanitizer) writes its output
to a file under --logs, so a run killed at any point keeps all it finished.
--simulate rehearses all of this on numba's CUDA simulator with tiny shapes
(a CI test does). Exit status 0 when every check that ran passed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np
from gpu_cnn import cnn_case, cnn_speed, memory, torch_cuda
from gpu_suites import conformance, sanitized

HERE = Path(__file__).resolve().parent
CHECKOUT_TESTS = HERE.parent / "packages" / "mt-backend-cuda" / "tests"
DEFAULT_BUDGET = 540.0

FULL = {"matmul": ((1024, 20), (4096, 3)), "image": 28, "width": 4, "case_batch": 64, "batches": (64, 256),
        "steps": 30, "memory_steps": 500, "memory_batch": 64, "kernels_at_size": True,
        # (backend, reference case?, batches timed, seconds) per worker process
        "workers": (("numba", True, (64, 256), 150),),
        "conformance": ["-m", "conformance"], "memcheck": ["-m", "not conformance"],
        "racecheck": ["test_reduce.py", "test_softmax.py", "test_matmul.py", "test_conv.py"]}
TINY = {"matmul": ((16, 1),), "image": 4, "width": 1, "case_batch": 2, "batches": (2,), "steps": 0,
        "memory_steps": 3, "memory_batch": 2, "kernels_at_size": False,
        "workers": (("python", True, (), 25), ("numba", False, (2,), 6)),
        "conformance": ["-m", "conformance", "-k", "test_forward and relu and float32 and contiguous"],
        "memcheck": ["test_device.py", "-k", "shared"], "racecheck": ["test_device.py", "-k", "shared"]}
# Seconds per slot at the default budget; a bigger --budget scales them.
SLOTS = {"kernels": 50, "matmul": 35, "speed": 40, "torch": 20, "memory": 35,
         "conformance": 100, "memcheck": 60, "racecheck": 45}
TINY_SLOTS = {"kernels": 5, "matmul": 10, "speed": 15, "torch": 5,
              "memory": 10, "conformance": 25, "memcheck": 25, "racecheck": 20}


class Report:
    """PASS / FAIL / SKIP / INFO lines, each appended to the results file as it
    is made; keeps the time budget."""

    def __init__(self, budget_s: float, results: Path | None, slots: dict[str, float],
                 scale: float) -> None:
        self.start = time.perf_counter()
        self.deadline = self.start + budget_s
        self.results = results
        self.slots = {name: seconds * scale for name, seconds in slots.items()}
        self.slots["scale"] = scale
        self.rows: list[dict[str, object]] = []

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def slot(self, name: str, seconds: float | None = None) -> float:
        """Seconds the next step called `name` may take: its share (`seconds` at
        the default budget when given), or what is left."""
        share = self.slots[name] if seconds is None else seconds * self.slots["scale"]
        return max(0.0, min(share, self.left() - 3))

    def add(self, status: str, name: str, detail: str = "", **data: object) -> None:
        elapsed = time.perf_counter() - self.start
        row = {"status": status, "name": name, "detail": detail, "t": round(elapsed, 1), **data}
        self.rows.append(row)
        print(f"[{elapsed:6.1f}s] {status:4s} {name}" + (f": {detail}" if detail else ""),
              flush=True)
        if self.results is not None:
            with self.results.open("a") as out:
                out.write(json.dumps(row, default=str) + "\n")
                out.flush()
                os.fsync(out.fileno())

    def section(self, title: str, fn, *args) -> None:
        print(f"\n== {title}", flush=True)
        if self.left() < 3:
            self.add("SKIP", title, "time budget")
            return
        try:
            fn(self, *args)
        except Exception as exc:  # report and go on: a GPU run is not cheap to repeat
            self.add("FAIL", title, f"{type(exc).__name__}: {str(exc)[:600]}",
                     traceback=traceback.format_exc()[-3000:])

    @property
    def failed(self) -> bool:
        return any(r["status"] == "FAIL" for r in self.rows)


class Job:
    """A subprocess started by `Run.start`: killed, with its children, at `deadline`."""

    def __init__(self, proc: subprocess.Popen, log: Path, seconds: float) -> None:
        self.proc, self.log, self.seconds = proc, log, seconds
        self.deadline = time.perf_counter() + seconds


class Run:
    """What every check needs: the options, the sizes, the backend, the CPU workers."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sizes = TINY if args.simulate else FULL
        self.logs: Path = args.logs
        self.tests: Path = args.tests
        from minitorch.backends.cuda import CudaBackend

        self.be = CudaBackend()
        self.jobs: dict[str, Job] = {}  # backend name -> its worker, until collected
        self.workers: dict[str, dict] = {}  # backend name -> what its worker finished

    def start(self, cmd: list[str], log_name: str, seconds: float,
              env: dict[str, str] | None = None) -> Job:
        """Start `cmd` with its output in logs/<log_name>, in a process group of
        its own (so it can be killed with its children) but this session."""
        log = self.logs / log_name
        group = {"process_group": 0} if sys.version_info >= (3, 11) else {"preexec_fn": os.setpgrp}
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=self.tests,
                                    env=env, **group)
        return Job(proc, log, seconds)

    def finish(self, job: Job) -> tuple[int | None, str]:
        """Wait for `job` until its deadline; (exit status or None when killed, its output)."""
        try:
            status: int | None = job.proc.wait(timeout=max(0.0, job.deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            os.killpg(job.proc.pid, signal.SIGKILL)
            job.proc.wait()
            status = None
        return status, job.log.read_text(errors="replace")

    def bounded(self, cmd: list[str], log_name: str, seconds: float,
                env: dict[str, str] | None = None) -> tuple[int | None, str]:
        """Run `cmd` for at most `seconds` (see `start`)."""
        return self.finish(self.start(cmd, log_name, seconds, env))

    def worker_result(self, backend: str) -> dict:
        """What the worker for `backend` has written so far."""
        out = self.logs / f"worker-{backend}.json"
        return json.loads(out.read_text()) if out.exists() else {}

    def wait_for_case(self) -> tuple[str | None, dict | None]:
        """(backend, reference case) once a worker has written it, or (None, None)
        when every worker that was to write one ended or ran out of time."""
        while True:
            pending = False
            for backend, job in self.jobs.items():
                case = self.worker_result(backend).get("case")
                if case is not None:
                    return backend, case
                alive = job.proc.poll() is None and time.perf_counter() < job.deadline
                pending = pending or (alive and backend in self.case_workers)
            if not pending:
                return None, None
            time.sleep(0.2)

    @property
    def case_workers(self) -> set[str]:
        return {backend for backend, case, _, _ in self.sizes["workers"] if case}

    def collect_workers(self, rep: Report) -> None:
        """Wait for every CPU worker (each until its cap) and report it."""
        for backend, job in list(self.jobs.items()):
            status, text = self.finish(job)
            del self.jobs[backend]
            finished = self.workers[backend] = self.worker_result(backend)
            what = ", ".join(k for k in ("case", "speed") if k in finished) or "nothing"
            log = f"worker-{backend}.log"
            if status == 0:
                rep.add("PASS", f"{backend} worker", f"finished ({what})", log=log)
            elif status is None:
                rep.add("SKIP", f"{backend} worker", f"killed at its {job.seconds:.0f}s cap (cold "
                        f"compile); finished: {what}", log=log)
            else:
                rep.add("FAIL", f"{backend} worker", f"exit status {status}: {text[-800:]}", log=log)


# -- 1. environment ---------------------------------------------------------------------
def environment(rep: Report, run: Run) -> None:
    from importlib import metadata

    rep.add("INFO", "python", sys.version.split()[0], executable=sys.executable)
    versions = {}
    for dist in ("numba", "numba-cuda", "cuda-bindings", "cuda-pathfinder", "numpy", "torch",
                 "mt-autodiff", "mt-tensor", "mt-backend-numba", "mt-backend-cuda", "mt-nn"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    rep.add("INFO", "versions", ", ".join(f"{k} {v}" for k, v in versions.items()), **versions)
    found = {ep.name: str(ep.dist.locate_file("")) if ep.dist else "?"
             for ep in metadata.entry_points(group="minitorch.backends")}
    import minitorch.tensor as mt

    listed = {row["name"]: row for row in mt.list_backends()}
    ok = {"cuda", "numba"} <= found.keys() and "cuda" in listed
    rep.add("PASS" if ok else "FAIL", "backends registered through entry points",
            ", ".join(f"{name} ({where})" for name, where in sorted(found.items())),
            entry_points=found, listed=sorted(listed))
    rep.add("INFO", "CUDA toolkit", f"CUDA_HOME={os.environ.get('CUDA_HOME')}",
            **{k: os.environ.get(k) for k in ("CUDA_HOME", "CUDA_PATH", "NUMBA_CUDA_INCLUDE_PATH",
                                              "NUMBA_ENABLE_CUDASIM")})
    if not run.be.is_available():
        rep.add("FAIL", "cuda backend available", run.be.unavailable_reason())
        return
    rep.add("PASS", "cuda backend available", run.be.version)
    if run.args.simulate:
        return
    from numba import cuda
    from numba.cuda import cuda_paths
    from numba.cuda.cudadrv import driver

    from minitorch.backends.cuda import device

    try:
        paths = "; ".join(f"{k}: {v}" for k, v in cuda_paths.get_cuda_paths().items())
    except Exception as exc:  # a library pathfinder cannot find: say which, go on
        paths = f"{type(exc).__name__}: {str(exc)[:300]}"
    rep.add("INFO", "numba-cuda toolkit paths", paths)
    rep.add("INFO", "device", device.describe_device())
    major, minor = driver.get_version()
    free, total = cuda.current_context().get_memory_info()
    rep.add("INFO", "driver", f"CUDA {major}.{minor}; {free / 2**30:.1f} of "
            f"{total / 2**30:.1f} GiB free")


# -- 2. correctness at size -------------------------------------------------------------------
def _load_test_module(run: Run, name: str):
    """A helper module of the package's tests, by path (tests/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"mt_backend_cuda_{name}",
                                                  run.tests / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kernels_at_size(rep: Report, run: Run) -> None:
    if not run.sizes["kernels_at_size"]:
        rep.add("SKIP", "kernels at GPU sizes", "too large for the simulator")
        return
    ref = _load_test_module(run, "numpy_reference")
    checks = _load_test_module(run, "large_shapes").CHECKS
    rng = np.random.default_rng(0)
    end = time.perf_counter() + rep.slot("kernels")
    for dtype in (np.float32, np.float64):
        for name, fn in checks:
            label = f"{name} [{np.dtype(dtype).name}]"
            if time.perf_counter() > end:
                rep.add("SKIP", label, "time slot used up")
                continue
            try:
                fn(run.be, ref, rng, dtype)
            except Exception as exc:
                rep.add("FAIL", label, f"{type(exc).__name__}: {str(exc)[:600]}")
            else:
                rep.add("PASS", label)


def start_workers(rep: Report, run: Run) -> None:
    """The CPU side in capped subprocesses, started now so that numba compiles
    while the GPU checks run: the reference case first, then CPU training speed
    (collected before the GPU's own training speed is timed)."""
    image, case_batch = run.sizes["image"], run.sizes["case_batch"]
    for backend, case, batches, share in run.sizes["workers"]:
        seconds = rep.slot("worker", share)
        (run.logs / f"worker-{backend}.json").unlink(missing_ok=True)
        cmd = [sys.executable, str(HERE / "gpu_cnn.py"), "worker", "--backend", backend,
               "--image", str(image), "--width", str(run.sizes["width"]),
               "--batch-case", str(case_batch if case else 0),
               "--batches", ",".join(map(str, batches)), "--steps", str(run.sizes["steps"]),
               "--seconds-per-batch", str(max(1.0, seconds / 8)),
               "--out", str(run.logs / f"worker-{backend}.json")]
        run.jobs[backend] = run.start(cmd, f"worker-{backend}.log", seconds,
                                      env=dict(os.environ, NUMBA_ENABLE_CUDASIM="0"))
        print(f"started the {backend} worker (cap {seconds:.0f}s)", flush=True)


# -- 3. matmul --------------------------------------------------------------------------------
def _time(fn, sync, reps: int) -> float:
    fn()  # warm-up: compiles on first use
    sync()
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    sync()
    return (time.perf_counter() - start) / reps


def matmul_speed(rep: Report, run: Run) -> None:
    from minitorch.tensor.dtype import float32

    be = run.be
    torch, why_not = torch_cuda()
    rng = np.random.default_rng(1)
    end = time.perf_counter() + rep.slot("matmul")
    for n, reps in run.sizes["matmul"]:
        if time.perf_counter() > end:
            rep.add("SKIP", f"matmul n={n} float32", "time slot used up")
            continue
        a_host = rng.standard_normal((n, n), dtype=np.float32)
        b_host = rng.standard_normal((n, n), dtype=np.float32)
        a, b, out = be.from_numpy(a_host), be.from_numpy(b_host), be.zeros(n * n, float32)
        st = (0, n, 1)
        seconds = _time(lambda a=a, b=b, out=out, n=n, st=st: be.matmul(
            out, st, a, st, b, st, (1, n, n, n)), be.synchronize, reps)
        gflops = 2 * n**3 / seconds / 1e9
        rows = slice(0, 64)  # a row sample keeps the float64 reference cheap
        want = a_host[rows].astype(np.float64) @ b_host.astype(np.float64)
        err = np.linalg.norm(be.to_numpy(out).reshape(n, n)[rows] - want) / np.linalg.norm(want)
        detail = f"{gflops:.0f} GFLOP/s ({seconds * 1e3:.2f} ms), rel. error {err:.1e}"
        if torch is not None:
            torch.backends.cuda.matmul.allow_tf32 = False  # FP32 against FP32
            ta, tb = torch.from_numpy(a_host).cuda(), torch.from_numpy(b_host).cuda()
            t_sec = _time(lambda ta=ta, tb=tb: torch.matmul(ta, tb), torch.cuda.synchronize,
                          reps * 5)
            t_gflops = 2 * n**3 / t_sec / 1e9
            detail += (f"; torch.matmul FP32 (TF32 off) {t_gflops:.0f} GFLOP/s, minitorch reaches "
                       f"{100 * gflops / t_gflops:.1f}%")
        else:
            t_gflops = None
            detail += f"; no torch comparison: {why_not}"
        rep.add("PASS" if err < 1e-5 else "FAIL", f"matmul n={n} float32", detail, gflops=gflops,
                ms=seconds * 1e3, torch_gflops=t_gflops, rel_error=err)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET,
                        help="seconds for everything (default 540)")
    parser.add_argument("--results", type=Path, help="append one JSON line per check here")
    parser.add_argument("--logs", type=Path, help="subprocess output (default: beside --results)")
    parser.add_argument("--tests", type=Path, default=CHECKOUT_TESTS,
                        help="mt-backend-cuda's tests folder (default: the checkout's)")
    parser.add_argument("--simulate", action="store_true",
                        help="rehearse on numba's CUDA simulator with tiny shapes")
    args = parser.parse_args(argv)
    if args.logs is None:
        args.logs = args.results.parent / "logs" if args.results else Path("gpu-check-logs")
    args.logs.mkdir(parents=True, exist_ok=True)
    args.tests = args.tests.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Before anything imports numba.cuda: the simulator would make every number
    # here meaningless, unless a rehearsal asks for it.
    if args.simulate:
        os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
        # Simulated threads poll at barriers; a short switch interval wakes them
        # sooner (the package's conftest does the same).
        sys.setswitchinterval(1e-4)
    elif os.environ.pop("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0"):
        print("note: ignoring NUMBA_ENABLE_CUDASIM, this script needs the real GPU")
    slots = TINY_SLOTS if args.simulate else SLOTS
    rep = Report(args.budget, args.results, slots,
                 1.0 if args.simulate else max(1.0, args.budget / DEFAULT_BUDGET))
    run = Run(args)
    rep.section("1. environment", environment, run)
    if not run.be.is_available():
        return 1
    rep.section("2. CPU workers: the reference case, CPU training speed", start_workers, run)
    rep.section("3. kernels at GPU sizes", kernels_at_size, run)
    rep.section("4. float32 matmul throughput", matmul_speed, run)
    rep.section("5. seed CNN forward and gradients", cnn_case, run)
    rep.section("6. seed CNN training speed", cnn_speed, run)
    rep.section("7. device memory across training", memory, run)
    rep.section("8. conformance kit", conformance, run)
    rep.section("9a. compute-sanitizer memcheck", sanitized, run, "memcheck")
    rep.section("9b. compute-sanitizer racecheck", sanitized, run, "racecheck")
    run.collect_workers(rep)  # only when a section failed before collecting them
    counts = {s: sum(r["status"] == s for r in rep.rows) for s in ("PASS", "FAIL", "SKIP")}
    rep.add("FAIL" if rep.failed else "PASS", "summary",
            f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped in "
            f"{time.perf_counter() - rep.start:.0f}s", counts=counts)
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
