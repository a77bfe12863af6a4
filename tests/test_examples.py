"""The MNIST examples run end to end on a tiny slice, and their outputs hold up."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TINY = ["--train-size", "200", "--test-size", "100", "--epochs", "1", "--no-progress"]


def run(script: str, *args: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(f"{script} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_mnist_cnn_tiny_run_saves_plots_and_resumes(tmp_path: Path) -> None:
    out = run("mnist_cnn.py", *TINY, "--save", "cnn.safetensors", "--plot", "cnn.png",
              "--metrics", "m.json", cwd=tmp_path)
    assert "51,930 parameters" in out and "epoch   1" in out
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert len(metrics) == 1 and 0.0 <= metrics[0]["test_acc"] <= 1.0
    assert metrics[0]["images_per_s"] > 0
    assert is_png(tmp_path / "cnn.png")
    assert (tmp_path / "cnn.safetensors").stat().st_size > 51_930 * 4

    out = run("mnist_cnn.py", *TINY[:-3], "--epochs", "2", "--no-progress",
              "--resume", "cnn.safetensors", "--metrics", "m2.json", cwd=tmp_path)
    assert "resumed from cnn.safetensors after epoch 1" in out
    assert [m["epoch"] for m in json.loads((tmp_path / "m2.json").read_text())] == [1, 2]


@pytest.mark.slow
@pytest.mark.parametrize("flags", [
    ["--loss", "bce", "--optim", "sgd", "--lr", "0.1", "--init", "uniform"],
    ["--loss", "mse", "--no-normalize", "--init", "uniform", "--init-range", "0.005", "--lr", "0.01",
     "--optim", "sgd", "--weight-decay", "0.002"],
])
def test_mnist_mlp_tiny_run(tmp_path: Path, flags: list[str]) -> None:
    out = run("mnist_mlp.py", *TINY, *flags, "--metrics", "m.json", "--plot", "mlp.png", cwd=tmp_path)
    assert "535,818 parameters" in out
    (epoch,) = json.loads((tmp_path / "m.json").read_text())
    assert epoch["train_loss"] == epoch["train_loss"]  # finite, not NaN
    assert is_png(tmp_path / "mlp.png")


@pytest.mark.slow
def test_profile_flag_prints_the_table_and_writes_a_trace(tmp_path: Path) -> None:
    out = run("mnist_mlp.py", *TINY, "--profile", "--profile-trace", "trace.json", cwd=tmp_path)
    table = out[out.index("profile of the first epoch"):]
    for column in ("Name", "Self CPU", "CPU total", "# of Calls"):
        assert column in table
    # 200 images at batch 64 are 4 steps: one Linear op per layer (3) each way, per step.
    assert re.search(r"^Linear\s.*\s12\s*$", table, re.MULTILINE), table
    assert re.search(r"^LinearBackward\s.*\s12\s*$", table, re.MULTILINE), table
    events = json.loads((tmp_path / "trace.json").read_text())["traceEvents"]
    assert any(e.get("name") == "matmul" and e.get("ph") == "X" for e in events)
    assert "epoch   1" in out


@pytest.mark.slow
def test_seed_ablation_tiny_run(tmp_path: Path) -> None:
    out = run("seed_ablation.py", "--studies", "init,cnn_vs_mlp", "--epochs", "1", "--train-size", "100",
              "--test-size", "50", "--out", "abl", cwd=tmp_path)
    table = (tmp_path / "abl" / "results.md").read_text()
    assert table.count("\n") == 2 + 6  # header + 3 init settings + 3 models
    assert "| init | zero |" in table and "51,930" in table and "535,818" in table
    assert is_png(tmp_path / "abl" / "init.png") and is_png(tmp_path / "abl" / "cnn_vs_mlp.png")
    assert "| study |" in out


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "mnist_cnn.py"), "--train-size", "200", "--test-size", "50",
         "--epochs", "1000", "--no-progress", "--save", "ck.safetensors"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        for line in proc.stdout:
            if line.startswith("epoch   1"):
                break
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=120)[0]
    finally:
        proc.kill()
    assert proc.returncode == 130, rest
    assert "interrupted: checkpoint written to ck.safetensors" in rest
    assert (tmp_path / "ck.safetensors").exists()
