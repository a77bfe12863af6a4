"""The scalar-autodiff example trains to a useful accuracy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "scalar_classifier.py"


@pytest.mark.slow
def test_scalar_classifier_learns_a_linear_split() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            *"--dataset diag --points 40 --epochs 20".split(),
            *"--seed 0 --log-every 5".split(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"epoch\s+5\s+loss \d+\.\d+\s+accuracy", result.stdout), result.stdout
    final = re.search(r"final accuracy (\d\.\d+)", result.stdout)
    assert final is not None, result.stdout
    assert float(final.group(1)) > 0.8, result.stdout


def test_scalar_classifier_rejects_bad_arguments() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--points", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "must be positive" in result.stderr
