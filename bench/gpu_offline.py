#!/usr/bin/env python
"""The GPU check for a machine without network: build a bundle here, run it there.

Here (the workspace's .venv has hatchling; no network needed either):

    .venv/bin/python bench/gpu_offline.py build [--out dist/gpu-bundle]

writes the five pure-Python wheels (mt-autodiff, mt-tensor, mt-backend-numba,
mt-backend-cuda, mt-nn) to <out>/wheels, and gpu_check.py with its helpers
(gpu_cnn.py, gpu_suites.py), this script and mt-backend-cuda's tests beside
them. There (Python with numba, numba-cuda, numpy, pluggy, pytest,
safetensors and the NVIDIA driver and toolkit already installed; torch and
compute-sanitizer optional):

    python3 dist/gpu-bundle/gpu_offline.py run [--budget 540] [--out gpu-results]

installs the wheels with `pip install --no-index --no-deps --target
<out>/site` (the .dist-info folders come along, so the `minitorch.backends`
entry points are found once <out>/site is on PYTHONPATH), points numba-cuda
at the machine's own CUDA toolkit (CUDA_HOME, NUMBA_CUDA_INCLUDE_PATH) and
runs gpu_check.py, killing it and everything it started when the budget
(all of it, install included) runs out. <out>/results.jsonl gets one JSON
line per finished check as it finishes; <out>/logs holds every subprocess's
output. `run --simulate` rehearses the route on numba's CUDA simulator with
tiny shapes (packages/mt-backend-cuda/tests/test_offline_route.py does, in CI).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = ("mt-autodiff", "mt-tensor", "mt-backend-numba", "mt-backend-cuda", "mt-nn")
SCRIPTS = ("gpu_check.py", "gpu_cnn.py", "gpu_suites.py", "gpu_offline.py")
NOT_BUNDLED = ("test_offline_route.py",)  # the rehearsal itself does not go to the GPU
SHUTDOWN_S = 15.0  # of the budget (at most a tenth), kept for gpu_check's last lines


def build(out: Path) -> list[Path]:
    """The bundle: wheels, the check scripts, mt-backend-cuda's tests. Returns the wheels."""
    root = HERE.parent
    if out.exists():
        shutil.rmtree(out)
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    # One pip for all five (one start-up); hatchling comes from this environment.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check",
                    "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels),
                    *(str(root / "packages" / name) for name in PACKAGES)], check=True)
    for script in SCRIPTS:
        shutil.copy2(HERE / script, out / script)
    tests = out / "tests"
    tests.mkdir()
    for path in sorted((root / "packages" / "mt-backend-cuda" / "tests").glob("*.py")):
        if path.name not in NOT_BUNDLED:
            shutil.copy2(path, tests / path.name)
    built = sorted(wheels.glob("*.whl"))
    if len(built) != len(PACKAGES):
        raise SystemExit(f"expected {len(PACKAGES)} wheels, pip built {[p.name for p in built]}")
    return built


def record(results: Path, status: str, name: str, detail: str = "", **data: object) -> None:
    """One line of results.jsonl, the format gpu_check.py writes."""
    row = {"status": status, "name": name, "detail": detail, **data}
    print(f"{status:4s} {name}" + (f": {detail}" if detail else ""), flush=True)
    with results.open("a") as out:
        out.write(json.dumps(row, default=str) + "\n")
        out.flush()
        os.fsync(out.fileno())


def install(wheels: list[Path], target: Path, seconds: float) -> str:
    """`pip install --no-index --no-deps --target`; without pip, unpack the
    wheels (a pure-Python wheel is a zip of exactly what pip would put there).
    Returns how it was done."""
    if target.exists():
        shutil.rmtree(target)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           "--no-index", "--no-deps", "--target", str(target), *map(str, wheels)],
                          capture_output=True, text=True, timeout=seconds)
    if done.returncode == 0:
        return "pip install --no-index --no-deps --target"
    if "No module named pip" not in done.stderr:
        raise RuntimeError(f"pip install failed: {done.stderr[-1500:]}")
    target.mkdir(parents=True)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    return "unzipped (this Python has no pip)"


def find_toolkit() -> Path | None:
    """The machine's CUDA toolkit: CUDA_HOME / CUDA_PATH when set, else the first
    folder holding nvvm/ of: where nvcc on PATH lives (an nvcc that is a
    wrapper script resolves elsewhere, hence the check), /usr/local/cuda, the
    newest /usr/local/cuda-*."""
    for name in ("CUDA_HOME", "CUDA_PATH"):
        if os.environ.get(name):
            return Path(os.environ[name])
    candidates = []
    nvcc = shutil.which("nvcc")
    if nvcc:
        candidates.append(Path(nvcc).resolve().parent.parent)
    candidates.append(Path("/usr/local/cuda"))
    candidates += sorted(Path("/usr/local").glob("cuda-*"), reverse=True)
    return next((c for c in candidates if (c / "nvvm").is_dir()), None)


def toolkit_env(env: dict[str, str], home: Path) -> dict[str, str]:
    """What numba-cuda 0.30 reads to use a system toolkit rather than pip's
    nvidia-* wheels: CUDA_HOME for NVVM (nvvm/lib64), libdevice
    (nvvm/libdevice) and the runtime libraries (lib64), NUMBA_CUDA_INCLUDE_PATH
    for the headers NVRTC compiles against; bin/ on PATH for compute-sanitizer."""
    env = dict(env, CUDA_HOME=str(home))
    if (home / "include").is_dir():
        env["NUMBA_CUDA_INCLUDE_PATH"] = str(home / "include")
    env["PATH"] = os.pathsep.join([str(home / "bin"), env.get("PATH", "")])
    return env


def _session_members(session: int) -> list[int]:
    """Every process in `session` (Linux /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp session
        if int(fields[3]) == session and fields[0] != "Z":  # a zombie is gone, only unreaped
            members.append(int(entry.name))
    return members


def kill_session(session: int) -> None:
    """Kill gpu_check and everything it started: its children run in their own
    process groups (so it can time them out) but stay in its session."""
    if not Path("/proc/self/stat").exists():
        os.killpg(session, signal.SIGKILL)
        return
    for _ in range(50):
        members = _session_members(session)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def run(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.budget
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    results.unlink(missing_ok=True)
    bundle = args.bundle.resolve()
    wheels = sorted((bundle / "wheels").glob("*.whl"))
    if not wheels:
        raise SystemExit(f"no wheels in {bundle / 'wheels'}: build the bundle first "
                         "(bench/gpu_offline.py build) and run the copy of this script in it")
    target = (args.target or out / "site").resolve()
    start = time.monotonic()
    try:
        how = install(wheels, target, max(1.0, deadline - time.monotonic()))
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        record(results, "FAIL", "install wheels", f"{type(exc).__name__}: {exc}")
        return 1
    record(results, "PASS", "install wheels", f"{len(wheels)} wheels into {target} in "
           f"{time.monotonic() - start:.1f}s ({how})", wheels=[w.name for w in wheels])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target), env.get("PYTHONPATH")) if p)
    env.setdefault("NUMBA_CACHE_DIR", str(out / "numba_cache"))
    env.setdefault("NUMBA_THREADING_LAYER", "omp")
    if args.simulate:
        record(results, "INFO", "CUDA toolkit", "not needed: numba's CUDA simulator")
    else:
        home = find_toolkit()
        if home is None:
            record(results, "INFO", "CUDA toolkit", "none found; numba-cuda searches itself")
        else:
            env = toolkit_env(env, home)
            record(results, "INFO", "CUDA toolkit", f"CUDA_HOME={home}", cuda_home=str(home))
    soft = args.check_budget or deadline - time.monotonic() - min(SHUTDOWN_S, args.budget / 10)
    cmd = [sys.executable, str(bundle / "gpu_check.py"), "--budget", f"{max(1.0, soft):.0f}",
           "--results", str(results), "--logs", str(out / "logs"), "--tests", str(bundle / "tests")]
    if args.simulate:
        cmd.append("--simulate")
    with (out / "gpu_check.log").open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            status = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            kill_session(proc.pid)
            proc.wait()
            record(results, "FAIL", "hard budget",
                   f"killed gpu_check and its subprocesses at the {args.budget:.0f}s budget; "
                   "every line above is a check that finished", session=proc.pid)
            status = 124
    print(f"results: {results} (exit status {status})")
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="wheels, scripts and tests into one folder")
    make.add_argument("--out", type=Path, default=HERE.parent / "dist" / "gpu-bundle")
    check = commands.add_parser("run", help="install the bundle offline and run gpu_check.py")
    check.add_argument("--bundle", type=Path, default=HERE, help="the bundle (default: here)")
    check.add_argument("--budget", type=float, default=540.0,
                       help="hard limit in seconds for everything, install included (default 540)")
    check.add_argument("--out", type=Path, default=Path("gpu-results"),
                       help="results.jsonl, logs/, gpu_check.log, the install (default ./gpu-results)")
    check.add_argument("--target", type=Path, help="install here (default <out>/site)")
    check.add_argument("--check-budget", type=float,
                       help="gpu_check.py's own budget (default: what is left, less a margin); "
                       "more than --budget only to rehearse the hard limit")
    check.add_argument("--simulate", action="store_true",
                       help="rehearse on numba's CUDA simulator with tiny shapes")
    args = parser.parse_args()
    if args.command == "build":
        for wheel in build(args.out):
            print(wheel)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
