"""DistributedDataParallel: the same model on every rank, gradients averaged in buckets.

    model = DistributedDataParallel(SeedCNN())    # rank 0's weights everywhere
    loss_fn(model(x), y).backward()               # grads now the mean over ranks
    optimizer.step()                              # identical step on every rank

How it works. At construction every rank checks that it holds the same
parameter shapes, then takes rank 0's parameters and buffers. The
parameters that need gradients are split into a few buckets (in reverse
order of registration, the order backward tends to finish them, up to
`bucket_cap_mb` each); each bucket owns one flat tensor. A hook on every
parameter (`register_post_accumulate_grad_hook`) notes when backward has
finished its gradient; when a whole bucket is finished its gradients are
copied into the flat tensor and a non-blocking MPI all-reduce starts on it.
Buckets start strictly in order, so every rank issues the same messages in
the same order whatever its graph looked like. When backward is done (an
engine callback) the remaining buckets start, all of them are waited for,
divided by the world size and copied back into ``.grad``.

A parameter that took no part in this backward contributes zeros, so ranks
whose graphs differ still agree (PyTorch needs ``find_unused_parameters``
for that; here it is always on and costs nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import minitorch.tensor as mt
from minitorch.autodiff import queue_callback
from minitorch.nn import Module
from minitorch.tensor import Tensor

from . import process_group as pg

__all__ = ["DistributedDataParallel"]


class _Bucket:
    """Some parameters of one dtype and backend, and the flat tensor their gradients share."""

    def __init__(self, params: list[Tensor]) -> None:
        self.params = params
        self.offsets: list[tuple[int, int]] = []
        start = 0
        for p in params:
            self.offsets.append((start, start + p.numel()))
            start += p.numel()
        first = params[0]
        self.flat = mt.zeros(start, dtype=first.dtype, backend=first.backend)
        self.ready: set[int] = set()
        self.message: pg._Message | None = None
        self.request: Any = None

    def nbytes(self) -> int:
        return self.flat.numel() * self.flat.dtype.itemsize

    def pack(self) -> None:
        """Gradients into the flat tensor (zeros for a parameter backward did not reach)."""
        for p, (a, b) in zip(self.params, self.offsets):
            part = self.flat[a:b]
            if p.grad is None:
                part.zero_()
            else:
                part.copy_(p.grad.reshape(-1))

    def unpack(self, world: int) -> None:
        self.flat.div_(world)
        for p, (a, b) in zip(self.params, self.offsets):
            mean = self.flat[a:b].view(*p.shape)
            if p.grad is None or p.grad.shape != p.shape or p.grad.dtype is not p.dtype:
                p.grad = mean.clone()
            else:
                p.grad.copy_(mean)


def _buckets(params: list[Tensor], cap_bytes: int) -> list[_Bucket]:
    groups: list[list[Tensor]] = []
    size = 0
    for p in reversed(params):
        current = groups[-1] if groups else None
        fits = current is not None and size + p.numel() * p.dtype.itemsize <= cap_bytes
        if current is not None and fits and current[0].dtype is p.dtype and (
                current[0].backend is p.backend):
            current.append(p)
            size += p.numel() * p.dtype.itemsize
        else:
            groups.append([p])
            size = p.numel() * p.dtype.itemsize
    return [_Bucket(g) for g in groups]


class DistributedDataParallel(Module):
    """Wrap `module` so that ``backward()`` leaves every rank the mean gradient over ranks.

    Args:
        module: the model; the same architecture on every rank.
        device_ids, output_device, dim, gradient_as_bucket_view, static_graph:
            PyTorch's arguments, accepted and not needed (one device per
            process; the backend of the module's parameters decides).
        broadcast_buffers: copy rank 0's buffers (BatchNorm's running
            statistics) to every rank at the start of each forward.
        bucket_cap_mb: the largest bucket, in MiB (PyTorch's default 25):
            fewer, larger messages are faster; a few buckets let the first
            all-reduce start while backward still runs.
        find_unused_parameters: accepted; unused parameters are always
            handled (they contribute zeros).

    With the same seed, N ranks each on batch B/N end with the parameters
    one process reaches on batch B (to float rounding), because the mean of
    the per-rank mean gradients is the full batch's mean gradient.

    Raises:
        DistributedError: no process group, or the ranks' models differ.
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, bucket_cap_mb: float = 25.0,
                 find_unused_parameters: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False) -> None:
        super().__init__()
        group = pg._require("DistributedDataParallel")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got "
                            f"{type(module).__name__}")
        if bucket_cap_mb <= 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got "
                             f"{bucket_cap_mb}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        named = list(module.named_parameters())
        pg._agree(group, "DistributedDataParallel (parameters)",
                  [(tuple(p.shape), f"{name}:{p.dtype.name}") for name, p in named])
        pg._agree(group, "DistributedDataParallel (buffers)",
                  [(tuple(b.shape), f"{name}:{b.dtype.name}") for name, b in module.named_buffers()])
        with mt.no_grad():
            for _, p in named:
                pg._broadcast_checked(group, p, 0)
            self._sync_buffers()
        trained = [p for _, p in named if p.requires_grad]
        object.__setattr__(self, "_buckets", _buckets(trained, int(bucket_cap_mb * 2**20))
                           if trained else [])
        object.__setattr__(self, "_where", {})
        for i, bucket in enumerate(self._buckets):
            for p in bucket.params:
                self._where[id(p)] = i
        object.__setattr__(self, "_pending", False)
        object.__setattr__(self, "_next", 0)
        object.__setattr__(self, "_handles",
                           [p.register_post_accumulate_grad_hook(self._on_grad) for p in trained])

    # -- forward ---------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        # As PyTorch: buffers follow rank 0 before a forward that will be averaged.
        if self.broadcast_buffers and mt.is_grad_enabled() and self.require_backward_grad_sync:
            with mt.no_grad():
                self._sync_buffers()
        return self.module(*args, **kwargs)

    def _sync_buffers(self) -> None:
        """Rank 0's buffers everywhere (their shapes were checked at construction)."""
        group = pg._require("DistributedDataParallel")
        if group.size == 1:
            return
        for b in self.module.buffers():
            pg._broadcast_checked(group, b, 0)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward inside this block only accumulates locally (gradient accumulation);
        the first backward after it averages everything accumulated."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    # -- the reducer -----------------------------------------------------------------
    def _on_grad(self, p: Tensor) -> None:
        if not self.require_backward_grad_sync:
            return
        if not self._pending:
            object.__setattr__(self, "_pending", True)
            queue_callback(self._finish)
        bucket = self._buckets[self._where[id(p)]]
        bucket.ready.add(id(p))
        self._start_ready()

    def _start_ready(self) -> None:
        while self._next < len(self._buckets):
            bucket = self._buckets[self._next]
            if len(bucket.ready) < len(bucket.params):
                return
            self._start(bucket)

    def _start(self, bucket: _Bucket) -> None:
        g = pg._require("DistributedDataParallel")
        bucket.pack()
        bucket.message = pg._Message(bucket.flat, writes=True)
        bucket.request = g.comm.Iallreduce(g.mpi.IN_PLACE, bucket.message.array, op=g.mpi.SUM)
        object.__setattr__(self, "_next", self._next + 1)

    def _finish(self) -> None:
        world = pg.get_world_size()
        try:
            while self._next < len(self._buckets):
                self._start(self._buckets[self._next])
            for bucket in self._buckets:
                bucket.request.Wait()
                assert bucket.message is not None
                bucket.message.done()
                bucket.unpack(world)
        finally:
            for bucket in self._buckets:
                bucket.ready.clear()
                bucket.message = bucket.request = None
            object.__setattr__(self, "_pending", False)
            object.__setattr__(self, "_next", 0)

    def bucket_sizes(self) -> list[int]:
        """Bytes in each gradient bucket, in the order they are all-reduced."""
        return [b.nbytes() for b in self._buckets]

    def extra_repr(self) -> str:
        return f"buckets={len(self._buckets)}, broadcast_buffers={self.broadcast_buffers}"
