"""The offline GPU route (bench/gpu_offline.py), rehearsed on numba's CUDA simulator.

What a GPU machine without network gets: five wheels, installed with
`pip install --no-index --no-deps --target`, found only through that folder
on PYTHONPATH, and gpu_check.py run under a hard budget that writes one JSON
line per finished check. Here the same bundle runs with --simulate (tiny
shapes) under a Python that sees this environment's numba, numpy and pytest
but none of the workspace's own distributions, so the backends can only be
registered through the installed wheels' entry points.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
OFFLINE = ROOT / "bench" / "gpu_offline.py"
# The workspace's own distributions in this environment (editable installs).
OURS = ("mt_", "minitorch", "_editable_impl_", "__editable__")

pytestmark = [pytest.mark.cuda, pytest.mark.slow]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run([sys.executable, str(OFFLINE), "build", "--out", str(out)], check=True,
                   timeout=120, capture_output=True)
    return out


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory) -> Path:
    """A venv whose site-packages add this environment's third-party packages
    (through a .pth, so numba-cuda's own .pth still runs) but not ours."""
    where = tmp_path_factory.mktemp("clean")
    deps = where / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(OURS):
            (deps / entry.name).symlink_to(entry)
    venv.create(where / "venv", with_pip=False, symlinks=True)
    python = where / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True).stdout
    Path(site.strip(), "deps.pth").write_text(f"import site; site.addsitedir({str(deps)!r})\n")
    return python


def run_route(python: Path, bundle: Path, out: Path, *options: str) -> tuple[int, list[dict]]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_ENABLE_CUDASIM")}
    done = subprocess.run([str(python), str(bundle / "gpu_offline.py"), "run", "--simulate",
                           "--out", str(out), *options], env=env, capture_output=True, text=True,
                          timeout=300)
    lines = (out / "results.jsonl").read_text().splitlines()
    return done.returncode, [json.loads(line) for line in lines]


def test_the_route_on_the_simulator(clean_python, bundle, tmp_path):
    status, rows = run_route(clean_python, bundle, tmp_path, "--budget", "150")
    by_name = {row["name"]: row for row in rows}
    failed = [row for row in rows if row["status"] == "FAIL"]
    assert status == 0 and not failed, failed or (tmp_path / "gpu_check.log").read_text()[-3000:]
    site = str(tmp_path / "site")
    registered = by_name["backends registered through entry points"]
    assert registered["status"] == "PASS"
    # Every backend comes from the wheels installed with --target, nowhere else.
    assert {"cuda", "numba", "python"} <= registered["entry_points"].keys()
    assert all(where == site for where in registered["entry_points"].values())
    assert by_name["install wheels"]["detail"].endswith("(pip install --no-index --no-deps --target)")
    # One line per check, in the order gpu_check.py runs them.
    expected = ["install wheels", "versions", "cuda backend available", "kernels at GPU sizes",
                "matmul n=16 float32", "seed CNN forward and gradients: cuda vs python",
                "python worker", "numba worker", "seed CNN on cuda, batch 2", "seed CNN on numba",
                "seed CNN on PyTorch CUDA, batch 2", "device memory across training",
                "conformance kit on cuda", "package tests on the device",
                "compute-sanitizer racecheck", "summary"]
    names = [row["name"] for row in rows]
    positions = [next(i for i, n in enumerate(names) if n.startswith(e)) for e in expected]
    assert positions == sorted(positions), names
    assert by_name["seed CNN forward and gradients: cuda vs python"]["status"] == "PASS"
    assert by_name["conformance kit on cuda"]["detail"].startswith("4 passed")
    assert (tmp_path / "logs" / "conformance.log").read_text().strip()
    # numba's cold compile is capped: its worker either finished or was killed on time.
    worker = by_name["numba worker"]
    assert worker["status"] == "PASS" or "killed at its 6s cap" in worker["detail"]


def test_a_budget_running_out_keeps_every_finished_line(clean_python, bundle, tmp_path):
    # gpu_check is told it has 300 s; the hard limit of 12 s stops it mid-run.
    status, rows = run_route(clean_python, bundle, tmp_path, "--budget", "12",
                             "--check-budget", "300")
    assert status == 124
    names = [row["name"] for row in rows]
    assert names[0] == "install wheels" and names[-1] == "hard budget", names
    assert {"versions", "cuda backend available"} <= set(names)
    assert "summary" not in names
    # The whole session went, the worker subprocesses included.
    session = rows[-1]["session"]
    alive = [p for p in Path("/proc").iterdir() if p.name.isdigit()
             and _session_of(p) == session]
    assert not alive


def _session_of(proc: Path) -> int | None:
    """The session of a live process (None for a zombie or one that is gone)."""
    try:
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == "Z" else int(fields[3])
