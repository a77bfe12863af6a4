"""Every kernel compiles for real hardware (PTX, compute capability 9.0).

Runs tests/aot_compile.py in a fresh interpreter without the simulator; it
skips when NVVM/NVRTC are not installed (pip install 'mt-backend-cuda[cu12]'
or '[cu13]' provides them) and needs no GPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.cuda, pytest.mark.slow]


@pytest.mark.any_numba_mode
def test_every_kernel_compiles_to_ptx():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    script = Path(__file__).with_name("aot_compile.py")
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if "skip" in report:
        pytest.skip(f"cannot compile for CUDA here: {report['skip'][:300]}")
    assert report["failed"] == {}
    # 15 float launches x 2 dtypes, then the integer / bool / indexing ones.
    assert len(report["compiled"]) == report["expected"] > 30
