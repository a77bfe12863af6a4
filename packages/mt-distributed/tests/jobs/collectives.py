"""Every collective on 2 ranks, checked against numpy; prints OK lines rank 0 collects."""

import numpy as np

import minitorch.distributed as dist
import minitorch.tensor as mt

dist.init_process_group()
rank, world = dist.get_rank(), dist.get_world_size()
assert world == 2, world


def values(r, shape, dtype=np.float64):
    return (np.arange(np.prod(shape)).reshape(shape) * (r + 1) + r).astype(dtype)


# all_reduce: every op, float and int, contiguous and not
for op, combine in ((dist.ReduceOp.SUM, np.add), (dist.ReduceOp.MAX, np.maximum),
                    (dist.ReduceOp.MIN, np.minimum), (dist.ReduceOp.PRODUCT, np.multiply)):
    for dtype in ("float32", "float64", "int64", "int32"):
        t = mt.tensor(values(rank, (3, 4), dtype))
        dist.all_reduce(t, op=op)
        expected = combine(values(0, (3, 4), dtype), values(1, (3, 4), dtype))
        assert t.dtype.name == dtype and np.array_equal(t.numpy(), expected), (op, dtype)
t = mt.tensor(values(rank, (3, 4)))
dist.all_reduce(t, op=dist.ReduceOp.AVG)
assert np.allclose(t.numpy(), (values(0, (3, 4)) + values(1, (3, 4))) / 2)

# in place on a non-contiguous view: the base tensor sees the result
base = mt.tensor(values(rank, (4, 3)))
view = base.transpose(0, 1)
dist.all_reduce(view)
assert np.array_equal(base.numpy(), values(0, (4, 3)) + values(1, (4, 3)))

# the tensor's own storage is the message (no copy) for a contiguous host tensor
t = mt.tensor(values(rank, (5,)))
version = t._version
dist.all_reduce(t)
assert t._version == version + 1

# async
t = mt.tensor(values(rank, (6,)))
work = dist.all_reduce(t, async_op=True)
assert work.wait() and work.is_completed()
assert np.array_equal(t.numpy(), values(0, (6,)) + values(1, (6,)))

# broadcast
t = mt.tensor(values(rank, (2, 3)))
dist.broadcast(t, src=1)
assert np.array_equal(t.numpy(), values(1, (2, 3)))

# all_gather
out = [mt.zeros(2, 2, dtype=mt.float64) for _ in range(world)]
dist.all_gather(out, mt.tensor(values(rank, (2, 2))))
for r in range(world):
    assert np.array_equal(out[r].numpy(), values(r, (2, 2)))

# reduce_scatter
inputs = [mt.tensor(values(rank, (3,)) + 10 * i) for i in range(world)]
out = mt.zeros(3, dtype=mt.float64)
dist.reduce_scatter(out, inputs)
assert np.array_equal(out.numpy(), sum(values(r, (3,)) + 10 * rank for r in range(world)))

# objects
got = [None] * world
dist.all_gather_object(got, {"rank": rank})
assert got == [{"rank": 0}, {"rank": 1}]

# mismatched shapes: the same clear error on every rank, nobody hangs
try:
    dist.all_reduce(mt.zeros(4 if rank == 0 else 3))
except dist.DistributedError as err:
    message = str(err)
    assert "all_reduce" in message and "rank 0: float32 (4,)" in message, message
    assert "rank 1: float32 (3,)" in message, message
else:
    raise AssertionError("mismatched all_reduce did not raise")

try:
    dist.all_reduce(mt.tensor([1, 2]), op=dist.ReduceOp.AVG)
except TypeError as err:
    assert "AVG" in str(err) and "int64" in str(err)
else:
    raise AssertionError("AVG on int64 did not raise")

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"OK rank {rank}")
