"""Training checkpoints as safetensors files: save() and load().

One file holds everything needed to resume bit for bit: the model's
parameters and buffers, the optimizer's state, the scheduler's state,
minitorch's random generator (so dropout masks continue the same stream)
and whatever the caller adds (``step=``, ``epoch=``, ...).

Layout of the file:

- tensors ``model/<name>`` (the model's state_dict) and
  ``optimizer/<parameter name>/<key>`` (momentum buffers, Adam moments), as
  arrays of the tensors' own dtypes (F32, F64, I64, I32, BOOL);
- ``__metadata__`` strings: ``format``, ``format_version``, and JSON for
  ``optimizer`` (hyper-parameters, step counts), ``scheduler``, ``rng`` and
  ``meta``.

Saving writes a temp file in the same folder, fsyncs it and renames it over
the target (atomic on POSIX and Windows), so a crash mid-save leaves the old
checkpoint intact. Loading parses and validates the whole file and checks
it against the model, optimizer and scheduler before changing any of them;
every problem is a CheckpointError that names the file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import safetensors.numpy

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor.creation import generator

from .module import Module
from .safetensors_reader import DTYPE_NAMES, CheckpointError, read_safetensors

__all__ = ["CheckpointError", "checkpoint_metadata", "load", "save"]

FORMAT = "minitorch.checkpoint"
FORMAT_VERSION = "1"
MODEL, OPTIMIZER = "model/", "optimizer/"


# -- saving ---------------------------------------------------------------------------
def host_array(t: Tensor) -> np.ndarray:
    """A C-contiguous host copy of `t`'s values, ready for safetensors."""
    return np.require(t.detach().numpy(), requirements='C')  # keeps 0-d shapes, unlike ascontiguousarray


def _json(value: Any, what: str) -> str:
    try:
        # allow_nan: ReduceLROnPlateau's initial best is inf; Python's json round-trips it.
        return json.dumps(value, allow_nan=True, sort_keys=True)
    except (TypeError, ValueError) as err:
        raise TypeError(f"save: {what} is not JSON-serializable: {err}") from None


def _optimizer_entries(optimizer: Any) -> tuple[dict[str, np.ndarray], str]:
    """Split the optimizer's state into tensors and a JSON document."""
    state_dict = optimizer.state_dict()
    tensors: dict[str, np.ndarray] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for name, entry in state_dict["state"].items():
        if "/" in name:
            raise ValueError(f"save: parameter name {name!r} contains '/'")
        scalars[name] = {}
        for key, value in entry.items():
            if isinstance(value, Tensor):
                tensors[f"{OPTIMIZER}{name}/{key}"] = host_array(value)
            else:
                scalars[name][key] = value
    document = {"param_groups": state_dict["param_groups"], "state": scalars}
    return tensors, _json(document, "the optimizer state")


def save(path: str | os.PathLike[str], model: Module | None = None, optimizer: Any = None,
         scheduler: Any = None, **meta: Any) -> None:
    """Write a checkpoint atomically.

    Args:
        path: the file to write (replaced if it exists; its folder must exist).
        model: a Module whose ``state_dict()`` is saved.
        optimizer: an Optimizer whose state (keyed by parameter name) is saved.
        scheduler: a learning-rate scheduler whose ``state_dict()`` is saved.
        **meta: JSON-serializable extras, e.g. ``step=1200, epoch=3``;
            ``load`` returns them. minitorch's RNG state is always saved.

    Raises:
        TypeError: a meta value (or scheduler state) is not JSON-serializable.
    """
    tensors: dict[str, np.ndarray] = {}
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "rng": _json(mt.get_rng_state(), "the RNG state"),
                "meta": _json(meta, "meta")}
    if model is not None:
        tensors.update({MODEL + k: host_array(v) for k, v in model.state_dict().items()})
        metadata["model_class"] = type(model).__name__
    if optimizer is not None:
        optimizer_tensors, metadata["optimizer"] = _optimizer_entries(optimizer)
        tensors.update(optimizer_tensors)
    if scheduler is not None:
        metadata["scheduler"] = _json(scheduler.state_dict(), "the scheduler state")
    write_atomically(Path(path), safetensors.numpy.save(tensors, metadata=metadata))


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder, fsync and rename:
    a crash leaves the old file or the new one, never a half-written one."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    try:
        # Make the rename itself durable; not possible on every OS (Windows).
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# -- loading: decode and check everything first ---------------------------------------
def _decode(metadata: dict[str, str], key: str, kind: type, path: Any) -> Any:
    if key not in metadata:
        return None
    try:
        value = json.loads(metadata[key])
    except (ValueError, RecursionError) as err:
        raise CheckpointError(path, f"metadata {key!r} is not valid JSON: {err}") from None
    if not isinstance(value, kind):
        raise CheckpointError(
            path, f"metadata {key!r} is a {type(value).__name__}, expected {kind.__name__}"
        )
    return value


def _model_problems(model: Module, saved: dict[str, np.ndarray]) -> list[str]:
    own = model.state_dict()
    problems = [f"missing key {k!r}" for k in own if k not in saved]
    problems += [f"unexpected key {k!r}" for k in saved if k not in own]
    for key, target in own.items():
        if key not in saved:
            continue
        array = saved[key]
        if tuple(array.shape) != target.shape:
            problems.append(
                f"{key!r}: checkpoint shape {tuple(array.shape)}, model shape {target.shape}"
            )
        elif array.dtype != np.dtype(target.dtype.numpy):
            problems.append(
                f"{key!r}: checkpoint dtype {DTYPE_NAMES[array.dtype.name]}, model dtype "
                f"{DTYPE_NAMES[target.dtype.name]} (convert the model with .to() first)"
            )
    return problems


def _optimizer_state(document: dict[str, Any], tensors: dict[str, np.ndarray],
                     path: Any) -> dict[str, Any]:
    """Reassemble ``{"state", "param_groups"}`` from the JSON part and the tensors."""
    if set(document) != {"param_groups", "state"} or not isinstance(document["state"], dict):
        raise CheckpointError(
            path, "optimizer metadata must hold 'param_groups' and a 'state' object"
        )
    state: dict[str, dict[str, Any]] = {}
    for name, entry in document["state"].items():
        if not isinstance(entry, dict):
            raise CheckpointError(path, f"optimizer state for {name!r} is not an object")
        state[name] = dict(entry)
    for key, array in tensors.items():
        parts = key[len(OPTIMIZER):].split("/")
        if len(parts) != 2:
            raise CheckpointError(
                path, f"tensor {key!r}: expected a name optimizer/<parameter>/<state key>"
            )
        state.setdefault(parts[0], {})[parts[1]] = array
    return {"state": state, "param_groups": document["param_groups"]}


def _optimizer_problems(optimizer: Any, state_dict: dict[str, Any]) -> list[str]:
    problems = optimizer.state_dict_problems(state_dict)
    params = dict(optimizer.named_parameters())
    for name, entry in state_dict["state"].items():
        for key, value in entry.items():
            p = params.get(name)
            if p is None or not isinstance(value, np.ndarray):
                continue
            if value.dtype != np.dtype(p.dtype.numpy):
                problems.append(
                    f"optimizer state {name}/{key}: dtype {DTYPE_NAMES[value.dtype.name]}, "
                    f"parameter dtype {DTYPE_NAMES[p.dtype.name]}"
                )
    return problems


def _check_rng(state: dict[str, Any], path: Any) -> None:
    """Try the saved RNG state on a scratch generator of the same kind."""
    scratch = type(generator().bit_generator)()
    try:
        scratch.state = state
    except Exception as err:  # numpy raises TypeError/ValueError/KeyError/OverflowError
        raise CheckpointError(path, f"invalid RNG state: {type(err).__name__}: {err}") from None


def _prepare(path: Any, model: Module | None, optimizer: Any, scheduler: Any,
             restore_rng: bool) -> dict[str, Any]:
    """Read the file and check it against every target; change nothing."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != FORMAT:
        raise CheckpointError(
            path, f"not a minitorch checkpoint (format {metadata.get('format')!r})"
        )
    if metadata.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            path, f"checkpoint format version {metadata.get('format_version')!r}; this "
            f"minitorch reads version {FORMAT_VERSION}"
        )
    unknown = [k for k in tensors if not k.startswith((MODEL, OPTIMIZER))]
    if unknown:
        raise CheckpointError(path, f"unexpected tensors {unknown[:5]}")
    plan: dict[str, Any] = {"meta": _decode(metadata, "meta", dict, path)}
    if plan["meta"] is None:
        raise CheckpointError(path, "the metadata has no 'meta' entry")
    if model is not None:
        saved = {k[len(MODEL):]: v for k, v in tensors.items() if k.startswith(MODEL)}
        problems = _model_problems(model, saved)
        if problems:
            raise CheckpointError(
                path, f"does not fit {type(model).__name__}:\n  " + "\n  ".join(problems)
            )
        plan["model"] = saved
    if optimizer is not None:
        document = _decode(metadata, "optimizer", dict, path)
        if document is None:
            raise CheckpointError(path, "has no optimizer state")
        opt_tensors = {k: v for k, v in tensors.items() if k.startswith(OPTIMIZER)}
        state_dict = _optimizer_state(document, opt_tensors, path)
        problems = _optimizer_problems(optimizer, state_dict)
        if problems:
            raise CheckpointError(
                path, f"optimizer state does not fit {type(optimizer).__name__}:\n  "
                + "\n  ".join(problems)
            )
        plan["optimizer"] = state_dict
    if scheduler is not None:
        state = _decode(metadata, "scheduler", dict, path)
        if state is None:
            raise CheckpointError(path, "has no scheduler state")
        problems = scheduler.state_dict_problems(state)
        if problems:
            raise CheckpointError(path, "scheduler state: " + "; ".join(problems))
        plan["scheduler"] = state
    if restore_rng:
        rng = _decode(metadata, "rng", dict, path)
        if rng is None:
            raise CheckpointError(path, "has no RNG state (pass restore_rng=False to skip it)")
        _check_rng(rng, path)
        plan["rng"] = rng
    return plan


def load(path: str | os.PathLike[str], model: Module | None = None, optimizer: Any = None,
         scheduler: Any = None, restore_rng: bool = True) -> dict[str, Any]:
    """Restore a checkpoint written by `save` into the given objects.

    The file is validated in full and checked against every target first
    (keys, shapes, dtypes, optimizer parameter names, scheduler type), so on
    any error nothing has been changed.

    Args:
        path: the checkpoint file.
        model: receives the saved parameters and buffers (strictly: every
            missing, unexpected, shape- or dtype-mismatched key is listed).
        optimizer: receives the saved state, matched by parameter name.
        scheduler: receives the saved schedule state.
        restore_rng: also restore minitorch's random generator (default).

    Returns:
        The ``**meta`` given to `save` (e.g. ``{"step": 1200, "epoch": 3}``).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        CheckpointError: anything else that is wrong, naming the file and
            the problem; never another exception type for a bad file.
    """
    try:
        plan = _prepare(path, model, optimizer, scheduler, restore_rng)
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise
    except Exception as err:
        # A failure our checks did not anticipate is still a bad file to the
        # caller: keep the promise of a single exception type.
        raise CheckpointError(path, f"unreadable checkpoint ({type(err).__name__}: {err})") from err
    if model is not None:
        model.load_state_dict(plan["model"])
    if optimizer is not None:
        optimizer.load_state_dict(plan["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(plan["scheduler"])
    if restore_rng:
        mt.set_rng_state(plan["rng"])
    return plan["meta"]


def checkpoint_metadata(path: str | os.PathLike[str]) -> Mapping[str, str]:
    """The raw ``__metadata__`` strings of a checkpoint (for inspection tools)."""
    _, metadata = read_safetensors(path)
    return metadata
