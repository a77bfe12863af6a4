"""What one seed-CNN training step costs the GPU: launches, copies, driver allocations.

The numbers are held here: after warm-up, one step at batch 8 (Adam,
cross_entropy, dropout on) makes at most 64 kernel launches, no host ->
device copy, exactly one device -> host copy (`loss.item()`) and no driver
allocation.

What is counted does not depend on what the kernels compute (no host code
branches on a value except `loss.item()`, which is read back either way),
and simulating the step's convolutions at batch 8 takes minutes. So the
kernels are launched but not simulated: `Launch.run` is replaced by one that
counts and returns, in a fresh interpreter. Storage, copies and the caching
pool run as usual.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import minitorch.tensor as mt

pytestmark = pytest.mark.cuda

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

# Run in a fresh interpreter: tensors made while kernels only count (cached
# 0-d constants among them) hold garbage and must not reach other tests.
ONE_STEP = """
import json, sys
import numpy as np
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.backends.cuda import device, memory
from minitorch.optim import Adam
from mnist_cnn import SeedCNN

def count_only(self):
    memory.count("launches")

device.Launch.run = count_only
mt.manual_seed(0)
model = SeedCNN()
model.to("cuda")
model.train()
optimizer = Adam(model.named_parameters(), lr=1e-3)
x = mt.randn(8, 1, 28, 28, backend="cuda")
y = mt.tensor(np.arange(8) % 10, dtype=mt.int64, backend="cuda")

def step():
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()

for _ in range(2):  # Adam's state is created in the first step
    step()
backend = x.backend
backend.reset_counters()
step()
print(json.dumps(backend.counters()))
"""


def test_one_training_step_after_warm_up(backend):
    if not (EXAMPLES / "mnist_cnn.py").exists():
        pytest.skip("examples/mnist_cnn.py is not in this checkout")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1",
           "PYTHONPATH": os.pathsep.join([str(EXAMPLES), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", ONE_STEP], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["launches"] <= 64, counts
    assert counts["host_to_device"] == 0, counts
    assert counts["device_to_host"] == 1, counts
    assert counts["allocations"] == 0, counts


def test_a_real_launch_is_counted(backend):
    storage = backend.empty(5, mt.float32)
    backend.reset_counters()
    backend.zeros(5, mt.float32)
    backend.map("neg", storage, (1,), (5,), storage, (1,))
    assert backend.counters()["launches"] == 2
