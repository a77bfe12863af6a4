"""minitorch.distributed: data-parallel training over MPI, `torch.distributed`'s shape.

    import minitorch.distributed as dist
    dist.init_process_group()                       # under `mpiexec -n N`, or a world of one
    model = dist.DistributedDataParallel(model)     # rank 0's weights, averaged gradients
    sampler = dist.DistributedSampler(train)        # each rank its own shard
    loader = DataLoader(train, batch_size=B // dist.get_world_size(), sampler=sampler)
    dist.all_reduce(loss_sum, op=dist.ReduceOp.SUM) # metrics over the job
    dist.save("ckpt.safetensors", model=model.module, optimizer=opt)   # rank 0 writes

Run it with ``mpiexec -n 2 python train.py`` on one machine; across machines
with a host file (``mpiexec -n 8 -f hosts python train.py``) or ``srun`` under
Slurm. MPI comes from the package index (the ``mpich`` wheel), so nothing is
needed from the operating system.
"""

from .checkpoint import load, save
from .ddp import DistributedDataParallel
from .process_group import (
    DistributedError,
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    destroy_process_group,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    local_world_size,
    reduce_scatter,
)
from .sampler import DistributedSampler

__all__ = [
    "DistributedDataParallel", "DistributedError", "DistributedSampler", "ReduceOp", "Work",
    "all_gather", "all_gather_object", "all_reduce", "barrier", "broadcast",
    "broadcast_object_list", "destroy_process_group", "get_rank", "get_world_size",
    "init_process_group", "is_available", "is_initialized", "load", "local_world_size",
    "reduce_scatter", "save",
]
