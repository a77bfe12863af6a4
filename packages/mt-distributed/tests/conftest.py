"""Run small MPI jobs from pytest: `mpiexec -n N python jobs/<script>.py`, bounded by a timeout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

JOBS = Path(__file__).parent / "jobs"


def mpiexec() -> str | None:
    """The launcher next to this interpreter (the mpich wheel puts it there), else on PATH."""
    here = Path(sys.executable).parent / "mpiexec"
    return str(here) if here.exists() else shutil.which("mpiexec")


pytest.importorskip("mpi4py", reason="mt-distributed's tests need mpi4py")
if mpiexec() is None:
    pytest.skip("no mpiexec (pip install mpich)", allow_module_level=True)


def run_job(script: str, *args: str, ranks: int = 2, timeout: float = 120.0,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run jobs/`script` on `ranks` processes (ranks=0: plain python, no launcher)."""
    command = [sys.executable, str(JOBS / script), *args]
    if ranks:
        command = [mpiexec(), "-n", str(ranks), *command]
    full_env = {**os.environ, "NUMBA_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=full_env)


def check(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"job failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def job():
    """`job(script, *args, ranks=2, timeout=...)`: the finished process (any exit status)."""
    return run_job


@pytest.fixture
def ok_job():
    """Like `job`, but the job must succeed; returns its stdout."""
    return lambda *args, **kwargs: check(run_job(*args, **kwargs))


@pytest.fixture
def launcher() -> str:
    """The path of mpiexec."""
    found = mpiexec()
    assert found is not None
    return found
