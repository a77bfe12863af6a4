"""Checkpoints in a data-parallel job: rank 0 writes, every rank can resume.

`save` has rank 0 write the ordinary mt-nn checkpoint (atomically: a crash
leaves the old file or the new one) and tells every rank whether it worked,
so a failed write raises on all ranks instead of leaving them waiting.
`load` is `minitorch.nn.load` on every rank; all ranks read the same file.
"""

from __future__ import annotations

import os
from typing import Any

from minitorch import nn

from . import process_group as pg

__all__ = ["load", "save"]


def save(path: str | os.PathLike[str], model: nn.Module | None = None, optimizer: Any = None,
         scheduler: Any = None, **meta: Any) -> None:
    """Rank 0 writes ``nn.save(path, ...)``; every rank returns once the file is complete.

    Pass the wrapped model (``ddp.module``) so the file loads into a plain
    model as well. Every rank must call it (it synchronizes).

    Raises:
        RuntimeError: on every rank, when rank 0 could not write the file
            (rank 0 re-raises its own error).
    """
    g = pg._require("save")
    error: str | None = None
    if g.rank == 0:
        try:
            nn.save(path, model=model, optimizer=optimizer, scheduler=scheduler, **meta)
        except BaseException as err:  # noqa: BLE001 - every rank must hear about it
            error = f"{type(err).__name__}: {err}"
            g.comm.bcast(error, root=0)
            raise
    error = g.comm.bcast(error, root=0)
    if error is not None:
        raise RuntimeError(f"save: rank 0 could not write {os.fspath(path)!r}: {error}")


def load(path: str | os.PathLike[str], model: nn.Module | None = None, optimizer: Any = None,
         scheduler: Any = None, restore_rng: bool = True) -> dict[str, Any]:
    """``nn.load`` on every rank (they read the same file); returns the saved meta.

    The saved RNG state is rank 0's; ranks seeded alike draw alike, so every
    rank restoring it continues as an uninterrupted run would.
    """
    pg._require("load")
    meta = nn.load(path, model=model, optimizer=optimizer, scheduler=scheduler,
                   restore_rng=restore_rng)
    pg.barrier()
    return meta
