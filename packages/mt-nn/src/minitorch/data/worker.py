"""Loading batches in worker processes: ``DataLoader(..., num_workers=n)``.

The main process runs the sampler and hands each worker index batches
through its own queue, at most ``prefetch_factor`` batches per worker in
flight. A worker fetches and collates a batch into numpy arrays (the
dataset's ``get_batch`` where it can) and sends it back pickled through one
shared result queue; the main process turns the arrays into Tensors on the
loader's backend and yields batches in the sampler's order, whichever worker
finishes first. So a seeded loader gives the same batches with any number of
workers.

Each worker seeds Python's ``random``, numpy's global generator and
minitorch's default generator from ``base_seed + worker_id`` (the base seed
is drawn from the loader's generator when an epoch's iterator is made), sets
`get_worker_info`, then runs ``worker_init_fn(worker_id)``. An exception in a
worker is raised again in the main process with the worker's traceback; a
worker that dies, or a batch slower than ``timeout``, raises RuntimeError.

Forked workers (Linux's default) start at once and need nothing pickled, but
with numba's OpenMP threading layer a forked worker cannot run parallel
kernels once the main process has; datasets that do tensor math per sample
want ``multiprocessing_context="forkserver"`` (or "spawn": then the script
needs its ``if __name__ == "__main__":`` guard, and the dataset, collate_fn
and worker_init_fn must be picklable).
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import signal
import sys
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from .collate import map_leaves
from .fetch import FetchSpec

__all__ = ["WorkerInfo", "get_worker_info"]

POLL_SECONDS = 0.1  # how often a waiting process checks that the other side is alive
SHUTDOWN_SECONDS = 2.0  # how long workers get to exit before they are terminated
RESUME = "resume"  # main -> persistent worker: a new epoch starts


@dataclass(frozen=True)
class WorkerInfo:
    """What `get_worker_info` tells code running in a worker.

    Attributes:
        id: this worker's number, 0 .. num_workers - 1.
        num_workers: how many workers the loader runs.
        seed: the seed of this worker's generators (base seed + id).
        dataset: this worker's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The current worker's `WorkerInfo` inside a DataLoader worker; None in the
    main process. An IterableDataset uses it to split its stream between workers."""
    return _worker_info


# --- messages between the processes ------------------------------------------------------

@dataclass
class WorkerDone:
    """A worker's IterableDataset copy is exhausted."""

    worker_id: int


@dataclass
class Resumed:
    """A persistent worker has started a new epoch."""

    worker_id: int


@dataclass
class TensorPayload:
    """A Tensor on its way from a worker: its values, made a Tensor again on arrival."""

    array: np.ndarray


class _Verbatim(str):
    """A KeyError message that prints as is (KeyError shows the repr of its argument)."""

    def __repr__(self) -> str:
        return str(self)


class ExceptionWrapper:
    """An exception caught in a worker, carried as text (its type by name)."""

    def __init__(self, where: str) -> None:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None, "ExceptionWrapper is made inside an except block"
        self.type_module, self.type_name = exc_type.__module__, exc_type.__qualname__
        self.where = where
        self.traceback = "".join(traceback.format_exception(exc_type, exc, tb))

    def _exception_type(self) -> type[Exception]:
        found: Any = sys.modules.get(self.type_module)
        for part in self.type_name.split("."):
            found = getattr(found, part, None)
        return found if isinstance(found, type) and issubclass(found, Exception) else RuntimeError

    def reraise(self) -> NoReturn:
        message = (f"Caught {self.type_name.rsplit('.', 1)[-1]} {self.where}.\n"
                   f"Original {self.traceback}")
        exc_type = self._exception_type()
        if exc_type is KeyError:
            raise KeyError(_Verbatim(message))
        try:
            error = exc_type(message)
        except Exception:
            error = RuntimeError(message)
        raise error


def encode(data: Any) -> Any:
    return map_leaves(lambda v: TensorPayload(v.numpy()) if isinstance(v, Tensor) else v, data)


def decode(data: Any, backend: Any) -> Any:
    return map_leaves(lambda v: mt.tensor(v.array, backend=backend)
                      if isinstance(v, TensorPayload) else v, data)


def _pickled(idx: int | None, data: Any, where: str) -> bytes:
    # Pickled here, not by the queue's feeder thread, so a failure is reported, not lost.
    try:
        return pickle.dumps((idx, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps((idx, ExceptionWrapper(where + " (sending its batch)")))


# --- the worker process ------------------------------------------------------------------

def _seed_generators(seed: int, worker_id: int, base_seed: int) -> None:
    random.seed(seed)
    mt.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))


def worker_loop(spec: FetchSpec, worker_id: int, num_workers: int, base_seed: int,
                init_fn: Callable[[int], None] | None, index_queue: Any, result_queue: Any,
                done_event: Any, parent_pid: int) -> None:
    """A worker's life: answer ``(idx, key)`` tasks until None (or the parent is gone)."""
    global _worker_info
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    seed = base_seed + worker_id
    _seed_generators(seed, worker_id, base_seed)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, spec.dataset)
    result_queue.cancel_join_thread()  # exit without waiting for unread results to flush
    where = f"in DataLoader worker process {worker_id}"
    failed_start, fetcher = None, None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = spec.make()
    except Exception:
        failed_start = ExceptionWrapper(where)
    exhausted = False
    while True:
        try:
            message = index_queue.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process died
                return
            continue
        if message is None:
            return
        if message == RESUME:
            exhausted = False
            if failed_start is None:
                fetcher = spec.make()
            result_queue.put(_pickled(None, Resumed(worker_id), where))
            continue
        if done_event.is_set() or exhausted:
            continue
        idx, key = message
        if failed_start is not None or fetcher is None:
            data: Any = failed_start
        else:
            try:
                data = encode(fetcher.fetch(key))
            except StopIteration:
                if not spec.iterable:
                    data = ExceptionWrapper(where)
                else:
                    data, exhausted = WorkerDone(worker_id), True
            except Exception:
                data = ExceptionWrapper(where)
        result_queue.put(_pickled(idx, data, where))
        del data


def shutdown_workers(workers: list[Any], index_queues: list[Any], result_queue: Any,
                     done_event: Any, wait: float = SHUTDOWN_SECONDS) -> None:
    """Ask every worker to exit, give them `wait` seconds, terminate the rest, close the queues."""
    done_event.set()
    for q in index_queues:
        try:
            q.put(None)
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + wait
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))
    for w in workers:
        if w.is_alive():
            w.terminate()
            w.join()
    for q in (*index_queues, result_queue):
        q.cancel_join_thread()
        q.close()


def _openmp_fork_hint(start_method: str) -> str:
    """Why a forked worker may have died: numba's OpenMP layer aborts a forked child
    that runs a parallel kernel once the parent has run one."""
    numba = sys.modules.get("numba")
    if numba is None or start_method != "fork":
        return ""
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run in this process
        return ""
    if layer != "omp":
        return ""
    return ("; numba runs on OpenMP here, and a forked worker cannot run parallel kernels "
            "after the main process has: keep tensor math out of the dataset (numpy is fine) "
            "or pass multiprocessing_context='forkserver' or 'spawn'")


def _death_note(worker_id: int, process: Any, start_method: str) -> str:
    code = process.exitcode
    how = f"exit code {code}"
    if code is not None and code < 0:
        try:
            how = f"signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"signal {-code}"
    return (f"DataLoader worker {worker_id} (pid {process.pid}) exited unexpectedly with "
            f"{how}{_openmp_fork_hint(start_method)}")


# --- the main process's side -------------------------------------------------------------

class MultiProcessIterator:
    """One epoch (or, with persistent workers, every epoch) of a loader's batches
    fetched by worker processes. Made by ``iter(loader)``."""

    def __init__(self, loader: Any, base_seed: int) -> None:
        self._finish = loader._finisher()
        self._backend = loader.backend
        self._num_workers, self._prefetch = loader.num_workers, loader.prefetch_factor
        self._timeout, self._in_order = loader.timeout, loader.in_order
        self._persistent = loader.persistent_workers
        self._length = loader._length_fn()
        ctx = loader._context()
        self._start_method = ctx.get_start_method()
        self._results = ctx.Queue()
        done = ctx.Event()
        spec = loader._fetch_spec()
        self._index_queues: list[Any] = []
        self._workers: list[Any] = []
        # Runs once: when the epoch ends, on an error, when the iterator is collected
        # (a `break` out of the loop) or at interpreter exit; made first so that the
        # workers started so far are stopped if starting the next one fails.
        self._shutdown = weakref.finalize(self, shutdown_workers, self._workers,
                                          self._index_queues, self._results, done)
        for wid in range(self._num_workers):
            index_queue = ctx.Queue()
            worker = ctx.Process(target=worker_loop, daemon=True, name=f"DataLoader worker {wid}",
                                 args=(spec, wid, self._num_workers, base_seed,
                                       loader.worker_init_fn, index_queue, self._results, done,
                                       os.getpid()))
            self._index_queues.append(index_queue)
            worker.start()
            self._workers.append(worker)
        self._start_epoch(loader._index_sampler)

    @property
    def alive(self) -> bool:
        return self._shutdown.alive

    def _abort(self) -> None:
        """Shut down at once after an error: a stuck worker is not waited for."""
        found = self._shutdown.detach()
        if found is not None:
            workers, index_queues, result_queue, done_event = found[2]
            shutdown_workers(workers, index_queues, result_queue, done_event, wait=POLL_SECONDS)

    def __iter__(self) -> MultiProcessIterator:
        return self

    def __len__(self) -> int:
        return self._length()

    def restart(self, loader: Any) -> None:
        """A new epoch on the same (persistent) workers."""
        for q in self._index_queues:
            q.put(RESUME)
        waiting = set(range(self._num_workers))
        while waiting:  # everything before the acknowledgements is last epoch's: dropped
            _, data = self._receive()
            if isinstance(data, Resumed):
                waiting.discard(data.worker_id)
        self._start_epoch(loader._index_sampler)

    def _start_epoch(self, index_sampler: Any) -> None:
        self._keys = iter(index_sampler)
        self._send_idx = self._rcvd_idx = 0
        self._tasks: dict[int, tuple] = {}  # idx -> (worker id,) or (worker id, data)
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._next_worker = 0
        for _ in range(self._prefetch * self._num_workers):
            self._send_task()

    def _send_task(self) -> None:
        if self._outstanding >= self._prefetch * self._num_workers:
            return
        for _ in range(self._num_workers):
            wid, self._next_worker = self._next_worker, (self._next_worker + 1) % self._num_workers
            if self._active[wid]:
                break
        else:
            return
        try:
            key = next(self._keys)
        except StopIteration:
            return
        self._index_queues[wid].put((self._send_idx, key))
        self._tasks[self._send_idx] = (wid,)
        self._outstanding += 1
        self._send_idx += 1

    def _receive(self) -> tuple[int | None, Any]:
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = POLL_SECONDS if deadline is None else max(
                0.0, min(POLL_SECONDS, deadline - time.monotonic()))
            try:
                return pickle.loads(self._results.get(timeout=wait))
            except queue.Empty:
                pass
            for wid, worker in enumerate(self._workers):
                if not worker.is_alive():
                    self._abort()
                    raise RuntimeError(_death_note(wid, worker, self._start_method))
            if deadline is not None and time.monotonic() >= deadline:
                self._abort()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds waiting "
                                   f"for a batch from its workers")

    def __next__(self) -> Any:
        if not self.alive:
            raise StopIteration
        while True:
            while self._rcvd_idx < self._send_idx:  # skip what exhausted workers won't answer
                task = self._tasks.get(self._rcvd_idx)
                if task is not None and (len(task) == 2 or self._active[task[0]]):
                    break
                if task is not None:
                    del self._tasks[self._rcvd_idx]
                    self._outstanding -= 1
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            task = self._tasks[self._rcvd_idx]
            if len(task) == 2:
                return self._deliver(self._rcvd_idx, task[1])
            idx, data = self._receive()
            if idx is None:  # a late acknowledgement
                continue
            self._outstanding -= 1
            if isinstance(data, WorkerDone):
                self._active[data.worker_id] = False
                del self._tasks[idx]
                self._send_task()
            elif idx == self._rcvd_idx or not self._in_order:
                return self._deliver(idx, data)
            else:
                self._tasks[idx] = (self._tasks[idx][0], data)

    def _deliver(self, idx: int, data: Any) -> Any:
        del self._tasks[idx]
        if idx == self._rcvd_idx:
            self._rcvd_idx += 1
        self._send_task()
        if isinstance(data, ExceptionWrapper):
            self._abort()
            data.reraise()
        return self._finish(decode(data, self._backend))
