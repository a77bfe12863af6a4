"""torch.save / torch.load over safetensors: save(obj, f) and load(f).

    torch.save(model.state_dict(), "model.safetensors")
    model.load_state_dict(torch.load("model.safetensors"))

Nothing is pickled, so loading a file can never run code. What can be saved
is what a state_dict or a training snapshot holds: Tensors (every minitorch
dtype), None, bools, ints, floats, strings, and lists, tuples and dicts
(str or int keys) of those, nested to any depth.

Layout of the file (a plain safetensors file):

- A dict of str -> Tensor (a model's ``state_dict()``) is stored with the
  dict's keys as the tensor names, so ``safetensors.numpy.load_file`` and
  ``safetensors.torch.load_file`` read it as the same dict. Anything else
  (an optimizer's state_dict, ``{"model": ..., "optimizer": ..., "epoch": 3}``)
  stores its tensors under generated names ``"0"``, ``"1"``, ... in the order
  they are reached.
- ``__metadata__`` holds ``"format": "pt"`` (what PyTorch tools expect of a
  state_dict file), ``"minitorch.version": "1"`` and ``"minitorch.object"``:
  the saved object as JSON, in which

  - ``null``, ``true``, an int, a finite float, a string and a list stand for themselves;
  - ``{"tensor": name}`` is the tensor stored under ``name`` (with
    ``"requires_grad": true`` and ``"parameter": true`` when they apply);
  - ``{"dict": [[key, value], ...]}`` is a dict in its key order (with
    ``"type": "OrderedDict"`` for an OrderedDict); ``{"tuple": [...]}`` a tuple;
    ``{"float": "inf"}`` (or ``"-inf"``, ``"nan"``) a non-finite float.

A safetensors file without ``minitorch.object`` (one written by
``safetensors.torch.save_file``, say) loads as a dict of its tensors in the
order its header lists them.

Deviations from PyTorch: a tensor reached twice is stored twice and loads as
two independent tensors (PyTorch keeps the sharing); tuple subclasses
(namedtuples) load as plain tuples and numpy scalars as Python numbers; and
``load`` places every tensor on one device (``map_location``), since a file
does not record where its tensors were.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import safetensors
import safetensors.numpy

import minitorch.tensor as mt
from minitorch.tensor import Backend, Tensor

from .checkpoint import host_array, write_atomically
from .parameter import Parameter
from .safetensors_reader import CheckpointError, parse_safetensors

__all__ = ["load", "save"]

VERSION = "1"
OBJECT, VERSION_KEY = "minitorch.object", "minitorch.version"
# safetensors' names for the dtypes minitorch tensors hold.
DTYPES: dict[str, mt.DType] = {"BOOL": mt.bool_, "I32": mt.int32, "I64": mt.int64,
                               "F32": mt.float32, "F64": mt.float64}
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}

FileLike = str | os.PathLike[str] | IO[bytes]


# -- saving: the object as JSON plus arrays, checked in full before any write ---------
class _Encoder:
    """Turns an object into JSON-ready data, collecting its tensors' host copies."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._open: set[int] = set()  # containers being encoded: a cycle is an error

    def tensor(self, t: Tensor, name: str) -> dict[str, Any]:
        self.arrays[name] = host_array(t)
        ref: dict[str, Any] = {"tensor": name}
        if t.requires_grad:
            ref["requires_grad"] = True
        if isinstance(t, Parameter):
            ref["parameter"] = True
        return ref

    def encode(self, value: Any, where: str) -> Any:
        if isinstance(value, Tensor):
            return self.tensor(value, str(len(self.arrays)))
        if isinstance(value, np.generic) and not isinstance(value, (np.str_, np.bytes_, np.void)):
            value = value.item()  # np.float32(0.1) -> 0.1: numbers, not arrays
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"float": repr(value)}
        if not isinstance(value, (list, tuple, Mapping)):
            raise _unsupported(value, where)
        if id(value) in self._open:
            raise TypeError(f"save: {where} contains itself; only trees can be saved")
        self._open.add(id(value))
        try:
            if isinstance(value, Mapping):
                return self._mapping(value, where)
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"tuple": items} if isinstance(value, tuple) else items
        finally:
            self._open.discard(id(value))

    def _mapping(self, value: Mapping[Any, Any], where: str) -> dict[str, Any]:
        pairs = []
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(
                    f"save: {where} has the key {key!r} of type {type(key).__name__}; "
                    "saved dicts need str or int keys"
                )
            pairs.append([key, self.encode(item, f"{where}[{key!r}]")])
        out: dict[str, Any] = {"dict": pairs}
        if isinstance(value, OrderedDict):
            out["type"] = "OrderedDict"
        return out


def _unsupported(value: Any, where: str) -> TypeError:
    kind = type(value).__name__
    if callable(getattr(value, "state_dict", None)):
        return TypeError(f"save: {where} is a {kind}; save its state_dict() instead, e.g. "
                         "torch.save(model.state_dict(), path)")
    if isinstance(value, np.ndarray):
        return TypeError(f"save: {where} is a numpy array; make it a tensor first "
                         "(minitorch.tensor.tensor(array))")
    return TypeError(f"save: {where} is a {kind}; minitorch saves tensors, numbers, strings, "
                     "None, and lists, tuples and dicts of them (it never pickles)")


def _is_flat_state_dict(obj: Any) -> bool:
    """A str -> Tensor dict whose keys can be the tensor names as they are."""
    return isinstance(obj, Mapping) and all(
        isinstance(k, str) and k != "__metadata__" and isinstance(v, Tensor)
        for k, v in obj.items()
    )


def _encode(obj: Any) -> bytes:
    """The whole file, in memory; raises TypeError for anything unsaveable."""
    encoder = _Encoder()
    if _is_flat_state_dict(obj):
        document: Any = {"dict": [[k, encoder.tensor(v, k)] for k, v in obj.items()]}
        if isinstance(obj, OrderedDict):
            document["type"] = "OrderedDict"
    else:
        document = encoder.encode(obj, "obj")
    metadata = {"format": "pt", VERSION_KEY: VERSION,
                OBJECT: json.dumps(document, allow_nan=False, separators=(",", ":"))}
    return safetensors.numpy.save(encoder.arrays, metadata=metadata)


def save(obj: Any, f: FileLike) -> None:
    """Save `obj` (a state_dict, or any tree of tensors, numbers and containers) to `f`.

    The whole object is checked and encoded before anything is written: an
    unsupported value raises TypeError and leaves `f` untouched. Tensors are
    saved from contiguous host copies, so views, transposed and CUDA tensors
    all save as their values.

    Args:
        obj: what to save; see the module docstring for what can be saved.
        f: a path (str or os.PathLike), written atomically: a temp file in the
            same folder, fsynced, then renamed over the target, so a failed
            save leaves neither a partial file nor the temp file; or a binary
            file object (``io.BytesIO()``, ``open(p, "wb")``), written at its
            position.

    Raises:
        TypeError: `obj` holds something that cannot be saved (the message
            names where, e.g. ``obj['model']['fc']``), or `f` is neither a
            path nor a binary file object.
    """
    if isinstance(f, (str, os.PathLike)):
        write_atomically(Path(os.fspath(f)), _encode(obj))
        return
    if isinstance(f, io.TextIOBase) or not callable(getattr(f, "write", None)):
        raise TypeError(f"save: f must be a path or a file object opened in binary mode "
                        f"('wb'), got {type(f).__name__}")
    f.write(_encode(obj))


# -- loading --------------------------------------------------------------------------
def _read(f: FileLike) -> tuple[bytes, str]:
    """The file's bytes and the name errors give it."""
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        try:
            with open(name, "rb") as file:
                return file.read(), name
        except (FileNotFoundError, IsADirectoryError):
            raise
        except OSError as err:
            raise CheckpointError(name, f"cannot read the file: {err}") from None
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"load: f must be a path or a binary file object, got {type(f).__name__}")
    label = getattr(f, "name", None)
    name = os.fspath(label) if isinstance(label, (str, os.PathLike)) else f"<{type(f).__name__}>"
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"load: {name} is open in text mode; open it with 'rb'")
    data = f.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"load: reading {name} gave {type(data).__name__}, not bytes; open "
                        "it in binary mode ('rb')")
    return bytes(data), name


def _refuse_pickle(data: bytes, name: str, is_path: bool) -> None:
    """PyTorch's own .pt/.pth files: a zip archive, or (legacy) a bare pickle stream.

    A safetensors file has '{' at byte 8, where neither format can.
    """
    if data[8:9] == b"{":
        return
    if data[:4] == b"PK\x03\x04":
        kind = "a zip archive, torch.save's format"
    elif data[:1] == b"\x80":
        kind = "a legacy pickle stream"
    else:
        return
    source = name if is_path else "model.pt"
    target = str(Path(source).with_suffix(".safetensors"))
    raise CheckpointError(
        name, f"this is a PyTorch pickle file ({kind}), not safetensors. minitorch never "
        "unpickles: unpickling can run arbitrary code. Convert a state_dict in PyTorch with "
        f"`from safetensors.torch import save_file; save_file(torch.load({source!r}), "
        f"{target!r})` and load the .safetensors file"
    )


def _arrays(data: bytes, name: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Tensors in header order, and the metadata; every malformation a CheckpointError."""
    return parse_safetensors(data, name)


class _Decoder:
    """Rebuilds the saved object from its JSON and the file's arrays."""

    def __init__(self, arrays: dict[str, np.ndarray], backend: Backend, name: str) -> None:
        self.arrays, self.backend, self.name = arrays, backend, name
        self.used: set[str] = set()

    def fail(self, where: str, problem: str) -> CheckpointError:
        return CheckpointError(self.name, f"{OBJECT} metadata, at {where}: {problem}")

    def decode(self, node: Any, where: str) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node)]
        if isinstance(node, dict):
            if "tensor" in node:
                return self.tensor(node, where)
            if set(node) == {"tuple"} and isinstance(node["tuple"], list):
                return tuple(self.decode(v, f"{where}[{i}]") for i, v in enumerate(node["tuple"]))
            if "dict" in node:
                return self.mapping(node, where)
            if set(node) == {"float"} and node["float"] in _NON_FINITE:
                return _NON_FINITE[node["float"]]
        raise self.fail(where, f"unknown entry {json.dumps(node)[:80]}")

    def tensor(self, node: dict[str, Any], where: str) -> Tensor:
        key = node["tensor"]
        flags = {k: node.get(k, False) for k in ("requires_grad", "parameter")}
        if set(node) - {"tensor", *flags} or not all(isinstance(v, bool) for v in flags.values()):
            raise self.fail(where, f"malformed tensor reference {json.dumps(node)[:80]}")
        if not isinstance(key, str) or key not in self.arrays:
            raise self.fail(where, f"refers to tensor {key!r}, which the file does not hold")
        self.used.add(key)
        array = self.arrays[key]
        if flags["requires_grad"] and array.dtype.kind != "f":
            raise self.fail(where, f"tensor {key!r} of {array.dtype} cannot require grad")
        t = _tensor(array, self.backend)
        if flags["parameter"]:
            return Parameter(t, requires_grad=flags["requires_grad"])
        return t.requires_grad_(True) if flags["requires_grad"] else t

    def mapping(self, node: dict[str, Any], where: str) -> dict[Any, Any]:
        pairs, kind = node["dict"], node.get("type")
        if set(node) - {"dict", "type"} or kind not in (None, "OrderedDict") or not isinstance(
                pairs, list):
            raise self.fail(where, f"malformed dict entry {json.dumps(node)[:80]}")
        out: dict[Any, Any] = OrderedDict() if kind else {}
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))
                    and not isinstance(pair[0], bool)):
                raise self.fail(where, f"a dict item must be [str or int key, value], got "
                                f"{json.dumps(pair)[:80]}")
            out[pair[0]] = self.decode(pair[1], f"{where}[{pair[0]!r}]")
        return out


def _tensor(array: np.ndarray, backend: Backend) -> Tensor:
    return mt.tensor(array, dtype=array.dtype, backend=backend)  # the array's own dtype


def _backend(map_location: Any) -> Backend:
    if map_location is None:
        return mt.get_backend("cpu")
    if isinstance(map_location, (str, mt.device, Backend)):
        return mt.get_backend(map_location)
    raise TypeError(
        f"load: map_location must be a device ('cpu', 'cuda', mt.device), a backend name or a "
        f"Backend, got {type(map_location).__name__}; a file does not record where its tensors "
        "were saved, so there is nothing to remap by a dict or function"
    )


def load(f: FileLike, map_location: Any = None, *, weights_only: bool | None = True) -> Any:
    """Load what `save` wrote (or any safetensors file of minitorch dtypes).

    Args:
        f: a path (str or os.PathLike) or a binary file object, read from its position.
        map_location: where the tensors are created: None or "cpu" (the
            default CPU backend), a device ("cuda", ``mt.device("cuda:0")``),
            a backend name ("numba") or a Backend.
        weights_only: accepted for PyTorch code; True and False load the same
            way, and both safely: nothing is ever unpickled, only tensors and
            JSON are read.

    Returns:
        The saved object, equal to what was saved: dict key order, int keys,
        tuples, OrderedDicts, dtypes, requires_grad and Parameters come back.
        A safetensors file written elsewhere loads as a dict of its tensors.

    Raises:
        FileNotFoundError: the path does not exist.
        CheckpointError: (a ValueError) naming the file: a PyTorch .pt/.pth
            pickle (the message says how to convert it), a training checkpoint
            of ``minitorch.nn.save``, or any malformed file.
        TypeError: `f` or `map_location` is of the wrong kind.
    """
    if weights_only is not None and not isinstance(weights_only, bool):
        raise TypeError(f"load: weights_only must be a bool, got {type(weights_only).__name__}")
    backend = _backend(map_location)
    data, name = _read(f)
    _refuse_pickle(data, name, isinstance(f, (str, os.PathLike)))
    arrays, metadata = _arrays(data, name)
    if OBJECT not in metadata:
        if metadata.get("format") == "minitorch.checkpoint":
            raise CheckpointError(name, "this is a training checkpoint written by "
                                  "minitorch.nn.save; restore it with minitorch.nn.load(path, "
                                  "model=..., optimizer=...)")
        return {k: _tensor(a, backend) for k, a in arrays.items()}
    if metadata.get(VERSION_KEY) != VERSION:
        raise CheckpointError(name, f"layout version {metadata.get(VERSION_KEY)!r}; this "
                              f"minitorch reads version {VERSION}")
    try:
        document = json.loads(metadata[OBJECT])
    except (ValueError, RecursionError) as err:
        raise CheckpointError(name, f"{OBJECT} metadata is not valid JSON: {err}") from None
    decoder = _Decoder(arrays, backend, name)
    try:
        obj = decoder.decode(document, "obj")
    except RecursionError:
        raise CheckpointError(name, f"{OBJECT} metadata is nested too deeply") from None
    unused = [k for k in arrays if k not in decoder.used]
    if unused:
        raise CheckpointError(name, f"tensors {unused[:5]} are in the file but not in the "
                              "saved object")
    return obj
