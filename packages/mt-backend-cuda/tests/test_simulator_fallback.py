"""The safety net of conftest.py: if another package's tests imported numba.cuda
against the real driver before our conftest could select the simulator, every
other test here is skipped and this one re-runs the directory in a fresh
interpreter where the simulator can still be chosen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from minitorch.backends.cuda import device

pytestmark = pytest.mark.cuda

HERE = Path(__file__).resolve().parent


@pytest.mark.any_numba_mode
def test_rerun_in_a_fresh_interpreter_when_numba_cuda_was_preimported():
    want_simulator = os.environ.get("NUMBA_ENABLE_CUDASIM", "").strip() != "0"
    if device.simulator_enabled() == want_simulator:
        pytest.skip("numba.cuda runs in the wanted mode in this process; nothing to re-run")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    # The workspace root holds the pytest configuration (import mode, markers).
    root = next((p for p in HERE.parents if (p / "pyproject.toml").exists()
                 and (p / "packages").is_dir()), HERE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE)],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
