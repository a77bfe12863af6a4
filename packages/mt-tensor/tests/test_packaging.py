"""mt-autodiff + mt-tensor install alone (no numba) and compute on `python`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[2]

SMOKE = """
import importlib.util
import minitorch.tensor as mt
assert importlib.util.find_spec("numba") is None, "numba must not come with mt-tensor"
x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
(x @ x).relu().sum().backward()
assert mt.get_backend().name == "python"
print("ok", x.grad.tolist(), mt.__file__)
"""


def _run(cmd: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.mark.slow
def test_tensor_wheels_install_alone(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    for name in ("mt-autodiff", "mt-tensor"):
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
              "-w", str(wheels), str(PACKAGES / name)], cwd=tmp_path)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = str(venv / "bin" / "python")
    # numpy and pluggy come from the package index (or pip's cache).
    _run([python, "-m", "pip", "install", "-q", *map(str, wheels.glob("*.whl"))], cwd=tmp_path)
    out = _run([python, "-c", SMOKE], cwd=tmp_path)
    assert out.startswith("ok [[7.0, 11.0], [9.0, 13.0]]")
    assert str(venv) in out, "imported from the checkout instead of the venv"
