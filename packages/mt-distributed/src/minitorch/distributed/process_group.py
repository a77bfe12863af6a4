"""The process group and its collectives, `torch.distributed`'s shape, over MPI.

    import minitorch.distributed as dist
    dist.init_process_group()             # rank and world size from mpiexec / srun
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    dist.destroy_process_group()

MPI (through mpi4py) is the engine: it starts the processes, connects them
(shared memory on one machine, the network across machines) and moves the
bytes. This module adds what a PyTorch user expects on top: tensors of any
backend in place, `ReduceOp.AVG`, errors that name the collective, the rank
and the shapes, and a job that ends when one rank raises.

Host tensors are handed to MPI through the buffer protocol: a contiguous
tensor's own storage is the message, no copy. A non-contiguous tensor, or one
on a GPU, is staged through a host array and copied back (CUDA-aware MPI,
which reads device memory directly, is not used).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor

__all__ = [
    "DistributedError", "ReduceOp", "Work", "all_gather", "all_gather_object", "all_reduce",
    "barrier", "broadcast", "broadcast_object_list", "destroy_process_group", "get_rank",
    "get_world_size", "init_process_group", "is_available", "is_initialized", "local_world_size",
    "reduce_scatter",
]

HOW_TO_START = (
    "call minitorch.distributed.init_process_group() first; start N processes with "
    "`mpiexec -n N python script.py` (or `srun` under Slurm); without a launcher the "
    "world is one process"
)


class DistributedError(RuntimeError):
    """A collective was misused: ranks disagree on shapes, or no process group exists."""


class ReduceOp:
    """How `all_reduce` / `reduce_scatter` combine the ranks' values (as `torch.distributed.ReduceOp`).

    AVG is SUM divided by the world size; it needs a floating-point tensor.
    """

    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"
    PRODUCT = "product"

    ALL = (SUM, AVG, MAX, MIN, PRODUCT)


class _Group:
    """The one process group: MPI's world communicator, and who we are in it."""

    def __init__(self, comm: Any, mpi: Any) -> None:
        self.comm = comm
        self.mpi = mpi
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.previous_excepthook: Callable[..., Any] | None = None


_GROUP: _Group | None = None


def is_available() -> bool:
    """Whether mpi4py (and an MPI library under it) can be imported."""
    try:
        from mpi4py import MPI  # noqa: F401
    except ImportError:
        return False
    return True


def init_process_group(backend: str = "mpi", init_method: str | None = None,
                       world_size: int = -1, rank: int = -1, timeout: Any = None) -> None:
    """Join the job's process group: every process of the job must call it.

    The rank and world size come from the MPI launcher (`mpiexec`, `srun`);
    run without one, the process is a world of one. `world_size` and `rank`,
    if given, are checked against what the launcher says; `init_method` and
    `timeout` exist for PyTorch's signature and are not used (MPI connects
    the processes itself).

    Once the group has more than one process, an exception that ends a rank
    prints its traceback (prefixed with the rank) and aborts the whole job,
    so the others never wait forever in a collective.

    Raises:
        ValueError: an unknown backend, or rank / world_size that contradict the launcher.
        RuntimeError: the group already exists, or mpi4py is missing.
    """
    global _GROUP
    if backend != "mpi":
        raise ValueError(f"init_process_group: backend {backend!r} is not available; minitorch "
                         "runs its collectives over MPI (backend='mpi')")
    if _GROUP is not None:
        raise RuntimeError("init_process_group: the default process group is already initialized "
                           "(call destroy_process_group() first to start another)")
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise RuntimeError("init_process_group: mpi4py is not importable; install it and an MPI "
                           "(`pip install mpi4py mpich`)") from err
    group = _Group(MPI.COMM_WORLD, MPI)
    for name, asked, actual in (("world_size", world_size, group.size), ("rank", rank, group.rank)):
        if asked not in (-1, None) and asked != actual:
            raise ValueError(f"init_process_group: {name}={asked} was passed but the launcher "
                             f"started this process with {name} {actual}")
    if group.size > 1:
        group.previous_excepthook = sys.excepthook
        sys.excepthook = _abort_job_hook(group)
    _GROUP = group


def _abort_job_hook(group: _Group) -> Callable[..., None]:
    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write("".join(f"[rank {group.rank}] {line}\n" for line in text.splitlines()))
        sys.stderr.write(f"[rank {group.rank}] aborting the job ({group.size} ranks)\n")
        sys.stderr.flush()
        group.comm.Abort(1)

    return hook


def destroy_process_group(group: Any = None) -> None:
    """Leave the process group (MPI itself shuts down when the process exits)."""
    global _GROUP
    g = _require("destroy_process_group", group)
    if g.previous_excepthook is not None:
        sys.excepthook = g.previous_excepthook
    _GROUP = None


def is_initialized() -> bool:
    return _GROUP is not None


def _require(op: str, group: Any = None) -> _Group:
    if group is not None:
        raise ValueError(f"{op}: only the default process group exists (pass group=None)")
    if _GROUP is None:
        raise DistributedError(f"{op}: the default process group is not initialized; {HOW_TO_START}")
    return _GROUP


def get_rank(group: Any = None) -> int:
    return _require("get_rank", group).rank


def get_world_size(group: Any = None) -> int:
    return _require("get_world_size", group).size


def local_world_size() -> int:
    """How many ranks of the job run on this machine (to split its cores between them)."""
    g = _require("local_world_size")
    local = g.comm.Split_type(g.mpi.COMM_TYPE_SHARED)
    try:
        return int(local.Get_size())
    finally:
        local.Free()


def barrier(group: Any = None) -> None:
    """Wait until every rank has reached this call."""
    _require("barrier", group).comm.Barrier()


# -- tensors as MPI messages ---------------------------------------------------------
_NUMERIC = ("float32", "float64", "int32", "int64")


def _check_tensor(op: str, t: Any, rank: int) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a minitorch Tensor on rank {rank}, got {type(t).__name__}")
    if t.dtype.name not in _NUMERIC:
        raise TypeError(f"{op}: {t.dtype.name} tensors cannot be reduced or sent; use one of "
                        f"{', '.join(_NUMERIC)} (rank {rank}, shape {tuple(t.shape)})")


def _is_own_host_memory(t: Tensor) -> bool:
    d = t._data
    return (not t.backend.is_gpu and isinstance(d.storage, np.ndarray) and d.is_contiguous())


class _Message:
    """A tensor's elements as one contiguous host array MPI can read and write.

    A contiguous host tensor lends its own storage (MPI writes land in the
    tensor); anything else is copied out, and `done()` copies the result back.
    """

    def __init__(self, t: Tensor, writes: bool) -> None:
        self.tensor = t
        self.writes = writes
        if _is_own_host_memory(t):
            d = t._data
            self.array = d.storage[d.offset:d.offset + t.numel()]
            self.staged = False
        else:
            self.array = np.ascontiguousarray(t.numpy().reshape(-1))
            self.staged = True

    def done(self) -> None:
        if not self.writes:
            return
        t = self.tensor
        if self.staged:
            with mt.no_grad():
                t.copy_(mt.tensor(self.array.reshape(t.shape), dtype=t.dtype, backend=t.backend))
        else:
            t._data.version.writes += 1  # an in-place write: saved-for-backward checks see it


def _describe(meta: tuple[tuple[int, ...], str]) -> str:
    shape, dtype = meta
    return f"{dtype} {shape}"


_CODES = {name: i for i, name in enumerate(_NUMERIC)}
_MAX_DIMS = 8


def _agree_one(g: _Group, op: str, t: Tensor) -> None:
    """`_agree` for one tensor, in one small fixed-size message (no pickling):
    its dtype, its dimension count and up to eight sizes."""
    if g.size == 1:
        return
    shape = tuple(t.shape)
    if len(shape) > _MAX_DIMS:
        _agree(g, op, [_meta(t)])
        return
    mine = np.full(2 + _MAX_DIMS, -1, dtype=np.int64)
    mine[0], mine[1] = _CODES[t.dtype.name], len(shape)
    mine[2:2 + len(shape)] = shape
    everyone = np.empty((g.size, mine.size), dtype=np.int64)
    g.comm.Allgather(mine, everyone)
    if (everyone == mine).all():
        return
    _agree(g, op, [_meta(t)])  # slow path, only to build the message
    raise AssertionError("unreachable: the ranks disagreed")


def _agree(g: _Group, op: str, metas: Sequence[tuple[tuple[int, ...], str]]) -> None:
    """Raise the same error on every rank when the ranks' tensors differ."""
    if g.size == 1:
        return
    everyone = g.comm.allgather(tuple(metas))
    if all(m == everyone[0] for m in everyone):
        return
    lines = ", ".join(
        f"rank {r}: " + "; ".join(_describe(m) for m in ms) for r, ms in enumerate(everyone)
    )
    raise DistributedError(f"{op}: the ranks' tensors differ ({lines}); this is rank {g.rank}")


def _meta(t: Tensor) -> tuple[tuple[int, ...], str]:
    return (tuple(t.shape), t.dtype.name)


def _mpi_op(g: _Group, op: str, name: str, t: Tensor) -> Any:
    if op not in ReduceOp.ALL:
        raise ValueError(f"{name}: unknown reduce op {op!r}; use one of ReduceOp.SUM, AVG, MAX, "
                         "MIN, PRODUCT")
    if op == ReduceOp.AVG and not t.dtype.is_floating_point:
        raise TypeError(f"{name}: ReduceOp.AVG needs a floating-point tensor, got {t.dtype.name} "
                        f"{tuple(t.shape)} (rank {g.rank}); use SUM and divide")
    return {ReduceOp.SUM: g.mpi.SUM, ReduceOp.AVG: g.mpi.SUM, ReduceOp.MAX: g.mpi.MAX,
            ReduceOp.MIN: g.mpi.MIN, ReduceOp.PRODUCT: g.mpi.PROD}[op]


def _average(t: Tensor, op: str, world: int) -> None:
    if op == ReduceOp.AVG and world > 1:
        with mt.no_grad():
            t.div_(world)


class Work:
    """What an ``async_op=True`` collective returns: `wait()` completes it."""

    def __init__(self, request: Any, finish: Callable[[], None]) -> None:
        self._request = request
        self._finish: Callable[[], None] | None = finish

    def wait(self) -> bool:
        if self._finish is not None:
            self._request.Wait()
            finish, self._finish = self._finish, None
            finish()
        return True

    def is_completed(self) -> bool:
        return self._finish is None


def all_reduce(tensor: Tensor, op: str = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Combine `tensor` across all ranks, in place: afterwards every rank holds the result.

    Raises:
        DistributedError: the ranks' tensors differ in shape or dtype, or no group exists.
        TypeError: a bool tensor, or AVG on an integer tensor.
    """
    g = _require("all_reduce", group)
    _check_tensor("all_reduce", tensor, g.rank)
    mpi_op = _mpi_op(g, op, "all_reduce", tensor)
    _agree_one(g, "all_reduce", tensor)
    message = _Message(tensor, writes=True)

    def finish() -> None:
        message.done()
        _average(tensor, op, g.size)

    if async_op:
        return Work(g.comm.Iallreduce(g.mpi.IN_PLACE, message.array, op=mpi_op), finish)
    g.comm.Allreduce(g.mpi.IN_PLACE, message.array, op=mpi_op)
    finish()
    return None


def broadcast(tensor: Tensor, src: int = 0, group: Any = None, async_op: bool = False) -> Work | None:
    """Copy rank `src`'s `tensor` into every rank's `tensor`, in place."""
    g = _require("broadcast", group)
    _check_tensor("broadcast", tensor, g.rank)
    if not 0 <= src < g.size:
        raise ValueError(f"broadcast: src={src} is not a rank of this {g.size}-rank job")
    _agree_one(g, "broadcast", tensor)
    if async_op:
        message = _Message(tensor, writes=g.rank != src)
        return Work(g.comm.Ibcast(message.array, root=src), message.done)
    _broadcast_checked(g, tensor, src)
    return None


def _broadcast_checked(g: _Group, tensor: Tensor, src: int) -> None:
    """Broadcast a tensor whose shape every rank is known to share."""
    message = _Message(tensor, writes=g.rank != src)
    g.comm.Bcast(message.array, root=src)
    message.done()


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None) -> None:
    """Fill ``tensor_list[r]`` with rank r's `tensor`, on every rank.

    `tensor_list` holds world-size tensors of `tensor`'s shape and dtype.
    """
    g = _require("all_gather", group)
    _check_tensor("all_gather", tensor, g.rank)
    _check_list("all_gather", "tensor_list", tensor_list, tensor, g)
    _agree_one(g, "all_gather", tensor)
    send = _Message(tensor, writes=False)
    received = np.empty((g.size, tensor.numel()), dtype=send.array.dtype)
    g.comm.Allgather(send.array, received)
    with mt.no_grad():
        for out, values in zip(tensor_list, received):
            out.copy_(mt.tensor(values.reshape(tensor.shape), dtype=tensor.dtype,
                                backend=out.backend))


def reduce_scatter(output: Tensor, input_list: list[Tensor], op: str = ReduceOp.SUM,
                   group: Any = None) -> None:
    """Reduce ``input_list[r]`` over the ranks and leave the result in rank r's `output`."""
    g = _require("reduce_scatter", group)
    _check_tensor("reduce_scatter", output, g.rank)
    _check_list("reduce_scatter", "input_list", input_list, output, g)
    mpi_op = _mpi_op(g, op, "reduce_scatter", output)
    _agree_one(g, "reduce_scatter", output)
    # One contiguous send buffer: rank r's block is input_list[r].
    send = _Message(mt.cat([t.reshape(-1) for t in input_list]).detach(), writes=False)
    message = _Message(output, writes=True)
    g.comm.Reduce_scatter_block(send.array, message.array, op=mpi_op)
    message.done()
    _average(output, op, g.size)


def _check_list(op: str, what: str, tensors: Sequence[Tensor], like: Tensor, g: _Group) -> None:
    if len(tensors) != g.size:
        raise ValueError(f"{op}: {what} must hold one tensor per rank ({g.size}), got "
                         f"{len(tensors)} (rank {g.rank})")
    for i, t in enumerate(tensors):
        _check_tensor(op, t, g.rank)
        if tuple(t.shape) != tuple(like.shape) or t.dtype is not like.dtype:
            raise ValueError(f"{op}: {what}[{i}] is {t.dtype.name} {tuple(t.shape)} but the tensor "
                             f"is {like.dtype.name} {tuple(like.shape)} (rank {g.rank})")


# -- Python objects (small: metrics, flags, file names) ----------------------------------
def all_gather_object(object_list: list[Any], obj: Any, group: Any = None) -> None:
    """Fill ``object_list[r]`` with rank r's `obj` (any picklable value)."""
    g = _require("all_gather_object", group)
    if len(object_list) != g.size:
        raise ValueError(f"all_gather_object: object_list must have {g.size} entries, got "
                         f"{len(object_list)} (rank {g.rank})")
    object_list[:] = g.comm.allgather(obj)


def broadcast_object_list(object_list: list[Any], src: int = 0, group: Any = None) -> None:
    """Replace every rank's `object_list` entries with rank `src`'s."""
    g = _require("broadcast_object_list", group)
    values = g.comm.bcast(list(object_list) if g.rank == src else None, root=src)
    if len(values) != len(object_list):
        raise ValueError(f"broadcast_object_list: rank {src} sent {len(values)} objects, rank "
                         f"{g.rank} has room for {len(object_list)}")
    object_list[:] = values

