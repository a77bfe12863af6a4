"""Seed-CNN test accuracy per seed: minitorch against PyTorch on identical data.

    python bench/cnn_accuracy.py --seeds 0 1 2 3 4

Both frameworks train the seed CNN with examples/mnist_cnn.py's default recipe
(He-uniform weights and zero biases, Adam 3e-3 with a per-epoch cosine schedule
to 0, batch 64, 15 epochs) on the embedded 4,000/1,000 digits with the same
Z-scored pixels; initial weights and batch order come from each framework's own
seeded generator, so the runs differ only by randomness. PyTorch runs in its own
process. Prints the final and best test accuracy per seed and their means.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TORCH_RUN = r"""
import json, sys
import numpy as np, torch, torch.nn.functional as F
from minitorch.data import MNIST
sys.path.insert(0, sys.argv[3])
from cpu import torch_models
seed, epochs = int(sys.argv[1]), int(sys.argv[2])
torch.manual_seed(seed); torch.set_num_threads(2)
train, test = MNIST("train", normalize=True), MNIST("test", normalize=True)
xtr, ytr = (torch.tensor(a) for a in train.get_batch(np.arange(len(train))))
xte, yte = (torch.tensor(a) for a in test.get_batch(np.arange(len(test))))
model = torch_models()["cnn"][0]
for layer in model.modules():
    if isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d)):
        torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
accs = []
for _ in range(epochs):
    model.train()
    for idx in torch.randperm(len(ytr)).split(64):
        opt.zero_grad(); F.cross_entropy(model(xtr[idx]), ytr[idx]).backward(); opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        accs.append((model(xte).argmax(1) == yte).float().mean().item())
print(json.dumps(accs))
"""


def minitorch_run(seed: int, epochs: int) -> list[float]:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "mnist_cnn.py"), "--seed", str(seed),
                          "--epochs", str(epochs), "--no-progress", "--metrics", "/dev/stdout"],
                         capture_output=True, text=True, check=True).stdout
    return [e["test_acc"] for e in json.loads(out[out.index("["):])]


def torch_run(seed: int, epochs: int) -> list[float] | None:
    result = subprocess.run([sys.executable, "-c", TORCH_RUN, str(seed), str(epochs), str(ROOT / "bench")],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    rows = {"minitorch": [], "pytorch": []}
    print("| seed | minitorch final | minitorch best | PyTorch final | PyTorch best |")
    print("|---:|---:|---:|---:|---:|")
    for seed in args.seeds:
        ours, theirs = minitorch_run(seed, args.epochs), torch_run(seed, args.epochs)
        rows["minitorch"].append(ours)
        cells = [f"{ours[-1]:.3f}", f"{max(ours):.3f}"]
        if theirs is not None:
            rows["pytorch"].append(theirs)
            cells += [f"{theirs[-1]:.3f}", f"{max(theirs):.3f}"]
        else:
            cells += ["(no torch)", ""]
        print(f"| {seed} | " + " | ".join(cells) + " |")
    for name, runs in rows.items():
        if runs:
            print(f"{name}: mean final {statistics.mean(r[-1] for r in runs):.4f}, "
                  f"mean best {statistics.mean(max(r) for r in runs):.4f} over {len(runs)} seeds")


if __name__ == "__main__":
    main()
