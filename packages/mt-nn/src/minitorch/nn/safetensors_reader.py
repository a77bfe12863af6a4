"""A strict, self-contained reader of the safetensors format.

A safetensors file is::

    <8 bytes: N, little-endian uint64> <N bytes: JSON header> <data buffer>

The header maps each tensor name to ``{"dtype": "F32", "shape": [2, 3],
"data_offsets": [begin, end]}`` (offsets into the data buffer) and may hold
one ``"__metadata__"`` map of strings to strings. The tensors must tile the
buffer exactly: no overlaps, no holes, nothing after the last one.

Every way a file can be wrong is checked here, before any array is built,
and reported as one CheckpointError naming the file and the problem — a
truncated download or a corrupted disk block must never surface as a
KeyError or a numpy error deep inside loading. Nothing is unpickled or
executed.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

# Headers beyond this are refused: a corrupted length field must not make us
# allocate gigabytes (the safetensors library uses the same limit).
MAX_HEADER_BYTES = 100 * 1024 * 1024

# The element types minitorch tensors hold (little-endian, as the format says).
DTYPES: dict[str, np.dtype] = {
    "F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"), "BOOL": np.dtype("?"),
}
DTYPE_NAMES: dict[str, str] = {
    "float32": "F32", "float64": "F64", "int64": "I64", "int32": "I32", "bool": "BOOL",
}


class CheckpointError(ValueError):
    """A checkpoint file is malformed or does not fit the model/optimizer/scheduler.

    Attributes:
        path: the file.
        problem: what is wrong, without the file name.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _read_header(data: bytes, path: str | os.PathLike[str]) -> tuple[dict[str, Any], int]:
    """The decoded JSON header and where the data buffer starts."""
    if len(data) < 8:
        raise CheckpointError(
            path, f"truncated: {len(data)} bytes, but a safetensors file starts with an "
            "8-byte header length"
        )
    size = int.from_bytes(data[:8], "little")
    if size > MAX_HEADER_BYTES:
        raise CheckpointError(
            path, f"header length field says {size} bytes, over the {MAX_HEADER_BYTES} byte "
            "limit (corrupted, or not a safetensors file)"
        )
    if 8 + size > len(data):
        raise CheckpointError(
            path, f"truncated: the header should be {size} bytes but only {len(data) - 8} "
            "bytes follow the length field"
        )
    try:
        header = json.loads(data[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise CheckpointError(path, f"the header is not valid UTF-8 JSON: {err}") from None
    if not isinstance(header, dict):
        raise CheckpointError(
            path, f"the header is a JSON {type(header).__name__}, expected an object"
        )
    return header, 8 + size


def _metadata(header: dict[str, Any], path: str | os.PathLike[str]) -> dict[str, str]:
    metadata = header.pop("__metadata__", None)
    if metadata is None:
        return {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise CheckpointError(path, "__metadata__ must be a JSON object of strings to strings")
    return metadata


def _entry(name: str, info: Any, buffer_size: int,
           path: str | os.PathLike[str]) -> tuple[np.dtype, tuple[int, ...], int, int]:
    """Validate one tensor entry: (dtype, shape, begin, end)."""
    if not isinstance(info, dict):
        raise CheckpointError(
            path, f"tensor {name!r}: entry is a JSON {type(info).__name__}, expected an object "
            "with dtype, shape and data_offsets"
        )
    fields = {"dtype", "shape", "data_offsets"}
    if set(info) != fields:
        raise CheckpointError(
            path, f"tensor {name!r}: fields {sorted(info)}, expected exactly {sorted(fields)}"
        )
    dtype = info["dtype"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise CheckpointError(
            path, f"tensor {name!r}: unsupported dtype {dtype!r}; minitorch tensors hold "
            f"{', '.join(DTYPES)} (convert it before saving, e.g. with .float() in PyTorch)"
        )
    shape = info["shape"]
    if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
        raise CheckpointError(
            path, f"tensor {name!r}: shape {shape!r} is not a list of non-negative ints"
        )
    offsets = info["data_offsets"]
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_int, offsets))):
        raise CheckpointError(
            path, f"tensor {name!r}: data_offsets {offsets!r} is not a pair of ints"
        )
    begin, end = offsets
    if not 0 <= begin <= end <= buffer_size:
        raise CheckpointError(
            path, f"tensor {name!r}: data_offsets [{begin}, {end}] are out of range for a "
            f"data buffer of {buffer_size} bytes (truncated file?)"
        )
    np_dtype = DTYPES[dtype]
    needed = math.prod(shape) * np_dtype.itemsize
    if end - begin != needed:
        raise CheckpointError(
            path, f"tensor {name!r}: shape {tuple(shape)} of {dtype} needs {needed} bytes but "
            f"data_offsets [{begin}, {end}] span {end - begin}"
        )
    return np_dtype, tuple(shape), begin, end


def _check_tiling(spans: list[tuple[int, int, str]], buffer_size: int,
                  path: str | os.PathLike[str]) -> None:
    """The tensors cover the data buffer exactly once, in some order.

    Overlaps are looked for first: they are the more telling problem (two
    tensors sharing bytes) when a file has both.
    """
    spans = sorted(spans)
    reach, owner = 0, None
    for begin, end, name in spans:
        if begin < reach:
            raise CheckpointError(
                path, f"tensors {owner!r} and {name!r} overlap in the data buffer "
                f"(byte {begin} is before {reach})"
            )
        if end > reach or owner is None:
            reach, owner = end, name
    position = 0
    for begin, end, _ in spans:
        if begin > position:
            raise CheckpointError(
                path, f"bytes {position}..{begin} of the data buffer belong to no tensor"
            )
        position = max(position, end)
    if position != buffer_size:
        raise CheckpointError(
            path, f"{buffer_size - position} trailing bytes after the last tensor's data"
        )


def parse_safetensors(data: bytes, path: str | os.PathLike[str] = "<bytes>"
                      ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Decode a whole safetensors file held in memory.

    Args:
        data: the file's bytes.
        path: names the source in errors.

    Returns:
        ``(tensors, metadata)``: name -> native-endian array of one of `DTYPES`
        (each its own writable copy), and the ``__metadata__`` map.

    Raises:
        CheckpointError: for any malformation (see the module docstring).
    """
    header, start = _read_header(data, path)
    metadata = _metadata(header, path)
    buffer = memoryview(data)[start:]
    entries = {name: _entry(name, info, len(buffer), path) for name, info in header.items()}
    _check_tiling([(b, e, name) for name, (_, _, b, e) in entries.items()], len(buffer), path)
    tensors = {}
    for name, (dtype, shape, begin, end) in entries.items():
        if dtype.kind == "b" and (np.frombuffer(buffer[begin:end], dtype=np.uint8) > 1).any():
            # numpy would take any byte as a bool; the format allows only 0 and 1.
            raise CheckpointError(path, f"tensor {name!r}: BOOL data holds bytes other than 0 and 1")
        flat = np.frombuffer(buffer, dtype=dtype, count=math.prod(shape), offset=begin)
        tensors[name] = flat.astype(dtype.newbyteorder("="), copy=True).reshape(shape)
    return tensors, metadata


def read_safetensors(path: str | os.PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read and validate a safetensors file; see `parse_safetensors`.

    Raises:
        FileNotFoundError: ``path`` does not exist (so "no checkpoint yet"
            can be told apart from a broken one).
        CheckpointError: the file cannot be read or is malformed.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise
    except OSError as err:
        raise CheckpointError(path, f"cannot read the file: {err}") from None
    return parse_safetensors(data, path)
