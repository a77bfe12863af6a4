"""examples/mnist_cnn.py --distributed on 2 ranks: one log, and resume equals an uninterrupted run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

ROOT = Path(__file__).resolve().parents[3]
# A constant learning rate: a cosine schedule's length depends on --epochs, so a
# 1-epoch run followed by a resume would not be the 2-epoch run.
TINY = ["--train-size", "256", "--test-size", "100", "--no-progress", "--distributed",
        "--schedule", "none"]


def run_cnn(mpiexec: str, tmp_path: Path, *args: str) -> str:
    command = [mpiexec, "-n", "2", sys.executable, str(ROOT / "examples" / "mnist_cnn.py"), *TINY, *args]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NUMBA_NUM_THREADS": "1"})
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.mark.slow
def test_distributed_cnn_logs_once_and_resumes_like_an_uninterrupted_run(tmp_path: Path, launcher) -> None:
    out = run_cnn(launcher, tmp_path, "--epochs", "2", "--save", "full.safetensors",
                  "--metrics", "full.json")
    assert out.count("seed CNN, 51,930 parameters") == 1       # rank 0 alone prints
    assert out.count("epoch   2") == 1
    full = json.loads((tmp_path / "full.json").read_text())
    assert [m["epoch"] for m in full] == [1, 2]
    assert full[-1]["test_acc"] > 0.3                          # it learned (chance is 0.1)

    run_cnn(launcher, tmp_path, "--epochs", "1", "--save", "part.safetensors")
    out = run_cnn(launcher, tmp_path, "--epochs", "2", "--resume", "part.safetensors",
                  "--save", "part.safetensors", "--metrics", "part.json")
    assert out.count("resumed from part.safetensors after epoch 1") == 1
    a, b = load_file(str(tmp_path / "full.safetensors")), load_file(str(tmp_path / "part.safetensors"))
    weights = [k for k in a if k.startswith("model/")]
    assert weights and all(np.array_equal(a[k], b[k]) for k in weights)
    assert json.loads((tmp_path / "part.json").read_text())[-1]["test_acc"] == full[-1]["test_acc"]
