"""The mt-autodiff wheel installs alone into an empty environment and works."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]

SMOKE = """
import minitorch.autodiff as ad
from minitorch.autodiff import Scalar
x = Scalar(2.0)
y = x * x + x.log()
y.backward()
assert abs(x.grad - 4.5) < 1e-12, x.grad
print("ok", ad.__file__)
"""


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing from this checkout may leak onto sys.path.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.mark.slow
def test_wheel_installs_into_an_empty_venv(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = "-m pip wheel --no-deps --no-build-isolation -w".split()
    _run([sys.executable, *build, str(wheels), str(PACKAGE)], cwd=tmp_path)
    (wheel,) = wheels.glob("mt_autodiff-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    # PEP 420: the shared namespace must not be claimed by any one distribution.
    assert "minitorch/__init__.py" not in names
    assert "minitorch/autodiff/__init__.py" in names
    assert not any(n.startswith("tests/") for n in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([str(python), "-m", "pip", "install", "--no-index", str(wheel)], cwd=tmp_path)
    result = _run([str(python), "-c", SMOKE], cwd=tmp_path)
    assert result.stdout.startswith("ok ")
    assert str(venv) in result.stdout, "imported from the checkout instead of the venv"
