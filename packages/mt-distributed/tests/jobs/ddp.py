"""DDP on 2 ranks against one process in float64, with the seed CNN."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "examples"))
from mnist_cnn import SeedCNN  # noqa: E402

import minitorch.distributed as dist  # noqa: E402
import minitorch.nn as nn  # noqa: E402
import minitorch.nn.functional as F  # noqa: E402
import minitorch.tensor as mt  # noqa: E402
from minitorch.optim import SGD, Adam  # noqa: E402

dist.init_process_group()
rank, world = dist.get_rank(), dist.get_world_size()
BATCH = 8  # global batch; each rank takes BATCH // world

rng = np.random.default_rng(42)
xs = rng.standard_normal((3, BATCH, 1, 28, 28))
ys = rng.integers(0, 10, (3, BATCH))


def cnn(seed):
    mt.manual_seed(seed)
    model = SeedCNN().double()
    model.dropout.p = 0.0  # masks would differ between one big batch and two halves
    return model


def max_diff(a, b):
    return max(float(np.abs(p.numpy() - q.numpy()).max()) for p, q in
               zip(a.parameters(), b.parameters()))


for make_opt, cap in ((lambda m: SGD(m.named_parameters(), lr=0.1, momentum=0.9), 25.0),
                      (lambda m: Adam(m.named_parameters(), lr=1e-2), 0.01)):
    reference = cnn(0)
    model = dist.DistributedDataParallel(cnn(rank), bucket_cap_mb=cap)  # rank 0's weights win
    assert max_diff(model.module, reference) == 0.0
    if cap < 1:
        assert len(model.bucket_sizes()) > 1, model.bucket_sizes()
    ref_opt, opt = make_opt(reference), make_opt(model.module)
    share = slice(rank * BATCH // world, (rank + 1) * BATCH // world)
    for x, y in zip(xs, ys):
        ref_opt.zero_grad()
        F.cross_entropy(reference(mt.tensor(x)), mt.tensor(y)).backward()
        ref_opt.step()
        opt.zero_grad()
        F.cross_entropy(model(mt.tensor(x[share])), mt.tensor(y[share])).backward()
        opt.step()
    diff = max_diff(model.module, reference)
    assert diff < 1e-12, (cap, diff)
    print(f"rank {rank}: bucket cap {cap} MiB, {len(model.bucket_sizes())} buckets, "
          f"max |param - single process| = {diff:.2e}")

# no_sync: the first synchronized backward averages everything accumulated
model = dist.DistributedDataParallel(cnn(0))
x, y = mt.tensor(xs[0]), mt.tensor(ys[0])
half = BATCH // (2 * world)
mine = [slice(rank * 2 * half + k * half, rank * 2 * half + (k + 1) * half) for k in range(2)]
with model.no_sync():
    F.cross_entropy(model(x[mine[0]]), y[mine[0]]).backward()
local = model.module.fc2.weight.grad.numpy()
everyone = [None] * world
dist.all_gather_object(everyone, local)
assert not np.allclose(everyone[0], everyone[1]), "no_sync still averaged"
F.cross_entropy(model(x[mine[1]]), y[mine[1]]).backward()
reference = cnn(0)
for r in range(world):
    for k in range(2):
        part = slice(r * 2 * half + k * half, r * 2 * half + (k + 1) * half)
        (F.cross_entropy(reference(x[part]), y[part]) / world).backward()
for p, q in zip(model.module.parameters(), reference.parameters()):
    assert np.allclose(p.grad.numpy(), q.grad.numpy(), rtol=0, atol=1e-12)


# buffers follow rank 0 at each forward
class WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.register_buffer("seen", mt.tensor([float(rank)]))

    def forward(self, x):
        return self.fc(x)


model = dist.DistributedDataParallel(WithBuffer())
model.module.seen.fill_(10.0 + rank)
model(mt.randn(3, 2))
assert model.module.seen.tolist() == [10.0], model.module.seen.tolist()
assert list(model.state_dict())[0].startswith("module."), list(model.state_dict())
print(f"OK rank {rank}")
