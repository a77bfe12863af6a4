"""The bench scripts still run end to end (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_cpu_bench_quick_prints_one_table() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "cpu.py"), "--quick"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| benchmark |")
    names = " ".join(rows)
    for name in ("GEMM float32 n=64", "GEMM float64 n=64", "seed CNN train step",
                 "seed MLP train step", "cold cache", "warm cache"):
        assert name in names, name
    assert "unset" in result.stdout  # says what it did with the OpenBLAS variables


@pytest.mark.slow
def test_engine_bench_quick_compares_two_trees() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("bench/engine.py checks out a git revision; this tree is not a git checkout")
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "engine.py"), "--quick"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| measure |")
    names = " ".join(rows)
    for name in ("add (no grad)", "add_ in place", "chain fwd+bwd per op", "seed CNN images/s"):
        assert name in names, name


@pytest.mark.slow
def test_profile_step_prints_kernels_and_ops() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "profile_step.py"), "--model",
                             "mlp", "--steps", "2", "--rows", "5"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "## seed MLP" in out and "kernel calls" in out and "op calls" in out
    assert "matmul" in out and "Self CPU" in out
