"""The training loop the MNIST examples share: data, epochs, metrics, plots, checkpoints.

`mnist_cnn.py`, `mnist_mlp.py` and `seed_ablation.py` build a model and an
optimizer, then hand them to `fit`, which runs the epochs with a progress
bar, evaluates on the whole test split after each one, and returns the
per-epoch history.

With ``--distributed`` (under ``mpiexec -n N``) the same loop is data-parallel:
`setup_distributed` joins the process group and splits the machine's cores
between its ranks, `wrap` puts the model in DistributedDataParallel, and
`fit` gives each rank its shard of every batch (the global batch stays
``--batch-size``), sums the metrics over the ranks, evaluates a shard of the
test split per rank, and has rank 0 alone print and write checkpoints.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

import minitorch.nn as nn
import minitorch.tensor as mt
from minitorch.data import MNIST, DataLoader, Subset


@dataclass
class EpochResult:
    epoch: int
    train_loss: float
    train_acc: float
    test_acc: float
    images_per_s: float
    seconds: float


def add_common_args(parser: argparse.ArgumentParser, epochs: int, batch_size: int, lr: float) -> None:
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--backend", default=None,
                        help="compute backend (default: the best available CPU backend)")
    parser.add_argument("--dataset", choices=["embedded", "mnist", "fashion-mnist"], default=None,
                        help="embedded: 4,000/1,000 real MNIST digits shipped with mt-nn (default); "
                             "mnist / fashion-mnist: the full sets from --data-dir or --download")
    parser.add_argument("--data-dir", default=None, help="folder with the four IDX files")
    parser.add_argument("--download", action="store_true", help="download the dataset if missing")
    parser.add_argument("--train-size", type=int, default=None, help="use only this many training images")
    parser.add_argument("--test-size", type=int, default=None, help="use only this many test images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default=None, help="checkpoint file written after every epoch")
    parser.add_argument("--resume", default=None, help="checkpoint file to continue from")
    parser.add_argument("--plot", default=None, help="write loss and accuracy curves to this PNG")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--profile", action="store_true",
                        help="record the first epoch with minitorch.profiler and print its table")
    parser.add_argument("--profile-trace", default=None, metavar="PATH",
                        help="with --profile: also write a chrome://tracing / Perfetto trace")
    parser.add_argument("--distributed", action="store_true",
                        help="data-parallel over MPI: run under `mpiexec -n N` (needs mt-distributed)")


# -- data parallel ---------------------------------------------------------------------
def _dist(args: argparse.Namespace) -> Any:
    """minitorch.distributed when the run is distributed, else None."""
    if not getattr(args, "distributed", False):
        return None
    import minitorch.distributed as dist

    return dist


def setup_distributed(args: argparse.Namespace) -> None:
    """Join the process group and give each rank on this machine its share of the cores."""
    dist = _dist(args)
    if dist is None:
        return
    dist.init_process_group()
    world = dist.get_world_size()
    if args.batch_size % world:
        raise SystemExit(f"--distributed: --batch-size {args.batch_size} must divide evenly "
                         f"between {world} ranks")
    try:
        import numba
    except ImportError:
        return
    numba.set_num_threads(max(1, (os.cpu_count() or 1) // dist.local_world_size()))


def is_main_process(args: argparse.Namespace) -> bool:
    dist = _dist(args)
    return dist is None or dist.get_rank() == 0


def wrap(model: nn.Module, args: argparse.Namespace) -> nn.Module:
    """The model as `fit` trains it: in DistributedDataParallel when distributed."""
    dist = _dist(args)
    return model if dist is None else dist.DistributedDataParallel(model)


def _unwrap(model: nn.Module) -> nn.Module:
    return getattr(model, "module", model)


def _subset(data: MNIST, size: int | None, seed: int) -> MNIST | Subset:
    """A class-balanced subset (the seed used 500 train / 200 test images)."""
    if size is None or size >= len(data):
        return data
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))
    labels = data.labels[order]
    # Round-robin over classes keeps the subset balanced even when small.
    by_class = [order[labels == c] for c in range(10)]
    picked = [cls[i] for i in range(max(len(c) for c in by_class)) for cls in by_class if i < len(cls)]
    return Subset(data, np.array(picked[:size]))


def load_data(args: argparse.Namespace, normalize: bool | tuple[float, float]) -> tuple[Any, Any]:
    """Train and test datasets as the command line asks."""
    dataset = args.dataset or ("mnist" if args.data_dir else "embedded")
    train = MNIST("train", dataset, data_dir=args.data_dir, download=args.download, normalize=normalize)
    test = MNIST("test", dataset, data_dir=args.data_dir, download=args.download, normalize=normalize)
    return _subset(train, args.train_size, args.seed), _subset(test, args.test_size, args.seed + 1)


def accuracy_count(logits: mt.Tensor, labels: mt.Tensor) -> int:
    return int((logits.argmax(1) == labels).sum().item())


def evaluate(model: nn.Module, data: Any, batch_size: int, backend: Any, dist: Any = None) -> float:
    """Accuracy on the whole of `data` (each rank a strided shard of it when distributed)."""
    model.eval()
    size = len(data)
    if dist is not None and dist.get_world_size() > 1:
        data = Subset(data, np.arange(dist.get_rank(), size, dist.get_world_size()))
    correct = 0
    with mt.no_grad():
        for x, y in DataLoader(data, batch_size=max(batch_size, 256), backend=backend):
            correct += accuracy_count(model(x), y)
    model.train()
    if dist is not None:
        total = mt.tensor([float(correct)], dtype=mt.float64)
        dist.all_reduce(total)
        correct = int(total.item())
    return correct / size


def _progress(total: int, desc: str, disable: bool):
    # A bar redraws itself with carriage returns: on a pipe or in a CI log every redraw
    # becomes text (hundreds of kilobytes a run). There the per-epoch line is enough.
    if disable or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a nicety; training works without it
        return None
    return tqdm(total=total, desc=desc, unit="batch", leave=False, disable=disable, file=sys.stderr)


def _profile(args: argparse.Namespace, first_epoch: bool) -> Any:
    """A started profile of this epoch's training steps, when --profile asks for one."""
    if not (getattr(args, "profile", False) and first_epoch):
        return None
    import minitorch.profiler as profiler

    prof = profiler.profile(record_shapes=True)
    prof.start()
    return prof


def _report_profile(prof: Any, args: argparse.Namespace, log: Callable[[str], None]) -> None:
    prof.stop()
    log("profile of the first epoch's training steps (the profiler's own cost slows this epoch):")
    log(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
    if args.profile_trace:
        prof.export_chrome_trace(args.profile_trace)
        log(f"trace written to {args.profile_trace} (open it in chrome://tracing or ui.perfetto.dev)")


def fit(model: nn.Module, optimizer: Any, loss_fn: Callable[[mt.Tensor, mt.Tensor], mt.Tensor],
        train: Any, test: Any, args: argparse.Namespace, scheduler: Any = None,
        start_epoch: int = 1, log: Callable[[str], None] = print,
        history: list[EpochResult] | None = None) -> list[EpochResult]:
    """Train for `args.epochs` epochs; checkpoint after each when `args.save` is set.

    `history` holds the epochs a resumed run already did. Ctrl-C stops after
    saving the weights of the last finished step; the checkpoint keeps the
    number of the last finished epoch, so a resume repeats the interrupted one.
    """
    backend = args.backend
    dist = _dist(args)
    sampler = None
    if dist is None:
        loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, backend=backend)
    else:
        sampler = dist.DistributedSampler(train, shuffle=True, seed=args.seed)
        loader = DataLoader(train, batch_size=args.batch_size // dist.get_world_size(),
                            sampler=sampler, backend=backend)
        if dist.get_rank() != 0:
            def log(line: str) -> None:
                return None
    history = list(history or [])
    state = {"epoch": start_epoch - 1}

    def save(tag: str) -> None:
        if args.save:
            writer = nn.save if dist is None else dist.save
            writer(args.save, model=_unwrap(model), optimizer=optimizer, scheduler=scheduler,
                   epoch=state["epoch"], history=[asdict(h) for h in history])
            log(f"{tag}: checkpoint written to {args.save}")

    try:
        for epoch in range(start_epoch, args.epochs + 1):
            model.train()
            if sampler is not None:
                sampler.set_epoch(epoch)
            bar = _progress(len(loader), f"epoch {epoch}/{args.epochs}",
                            args.no_progress or not is_main_process(args))
            total_loss, correct, seen = 0.0, 0, 0
            prof = _profile(args, epoch == start_epoch)
            start = time.perf_counter()
            for x, y in loader:
                optimizer.zero_grad()
                logits = model(x)
                loss = loss_fn(logits, y)
                loss.backward()
                optimizer.step()
                n = y.shape[0]
                total_loss += loss.item() * n
                correct += accuracy_count(logits.detach(), y)
                seen += n
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{total_loss / seen:.4f}")
            if dist is not None:  # the job's totals, not this rank's
                totals = mt.tensor([total_loss, float(correct), float(seen)], dtype=mt.float64)
                dist.all_reduce(totals)
                total_loss, correct, seen = totals[0].item(), int(totals[1].item()), int(totals[2].item())
            seconds = time.perf_counter() - start
            if bar is not None:
                bar.close()
            if prof is not None:
                _report_profile(prof, args, log)
            if scheduler is not None:
                scheduler.step()
            result = EpochResult(epoch, total_loss / seen, correct / seen,
                                 evaluate(model, test, args.batch_size, backend, dist), seen / seconds,
                                 seconds)
            history.append(result)
            state["epoch"] = epoch
            log(f"epoch {epoch:3d}  train loss {result.train_loss:.4f}  train acc {result.train_acc:.4f}  "
                f"test acc {result.test_acc:.4f}  {result.images_per_s:8.0f} img/s")
            if not math.isfinite(result.train_loss):
                log("training diverged (loss is not finite)")
            save(f"epoch {epoch}")
    except KeyboardInterrupt:
        save("interrupted")
        raise SystemExit(130) from None
    return history


def resume(args: argparse.Namespace, model: nn.Module, optimizer: Any,
           scheduler: Any = None) -> tuple[int, list[EpochResult]]:
    """Restore a checkpoint if `--resume` was given: the first epoch to run and the history so far."""
    if not args.resume:
        return 1, []
    dist = _dist(args)
    loader = nn.load if dist is None else dist.load
    meta = loader(args.resume, model=_unwrap(model), optimizer=optimizer, scheduler=scheduler)
    epoch = int(meta.get("epoch", 0))
    history = [EpochResult(**h) for h in meta.get("history", [])]
    if is_main_process(args):
        print(f"resumed from {args.resume} after epoch {epoch}")
    return epoch + 1, history


def plot_history(history: list[EpochResult], path: str, title: str) -> None:
    """Loss and accuracy curves, one figure, two panels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h.epoch for h in history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, [h.train_loss for h in history], marker="o")
    left.set(xlabel="epoch", ylabel="train loss", title="loss")
    right.plot(epochs, [h.train_acc for h in history], marker="o", label="train")
    right.plot(epochs, [h.test_acc for h in history], marker="o", label="test")
    right.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    right.legend()
    fig.suptitle(title)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def report(history: list[EpochResult], args: argparse.Namespace, title: str) -> None:
    """Write what `--plot` and `--metrics` asked for."""
    if args.plot and history:
        plot_history(history, args.plot, title)
    if getattr(args, "metrics", None):
        Path(args.metrics).write_text(json.dumps([asdict(h) for h in history], indent=1))


def install_sigint_default() -> None:
    """Make sure Ctrl-C raises KeyboardInterrupt even when started from a shell that ignores it."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
