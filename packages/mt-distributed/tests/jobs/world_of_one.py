"""No launcher: init_process_group gives a world of one, and collectives are identities."""

import minitorch.distributed as dist
import minitorch.nn as nn
import minitorch.tensor as mt

try:
    dist.all_reduce(mt.zeros(2))
except dist.DistributedError as err:
    assert "init_process_group" in str(err) and "mpiexec" in str(err), err
else:
    raise AssertionError("a collective before init_process_group did not raise")

dist.init_process_group()
assert (dist.get_rank(), dist.get_world_size()) == (0, 1)
t = mt.tensor([1.0, 2.0])
dist.all_reduce(t, op=dist.ReduceOp.AVG)
assert t.tolist() == [1.0, 2.0]
model = dist.DistributedDataParallel(nn.Linear(3, 2))
model(mt.randn(4, 3)).sum().backward()
assert model.module.weight.grad is not None
print("OK world of one")
