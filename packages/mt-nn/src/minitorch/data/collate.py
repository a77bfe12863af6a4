"""Collating samples into batches, as PyTorch's ``default_collate`` and ``default_convert``.

Collation runs in two steps so that worker processes can do the first one:

1. `collate` / `convert` build the batch's structure with numpy arrays where
   the tensors will be (a worker sends this back through a pipe);
2. `to_tensors` turns those arrays into Tensors, in the process that owns
   the batch, on the loader's backend.

`default_collate` and `default_convert` are the two steps together.
The structure follows PyTorch: a batch of tuples gives a *list* of
collated fields, a batch of namedtuples a namedtuple, of dicts a dict, of
lists a list; Python ints give int64, floats float64, bools bool; numpy
arrays and Tensors keep their dtype; strings and bytes stay a list.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor

__all__ = ["collate", "convert", "default_collate", "default_convert", "to_tensors"]

_NOT_COLLATABLE = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                   "or lists; found {}")


def _is_text_array(array: np.ndarray) -> bool:
    return array.dtype.kind in "SaUO"


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    first = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} "
                               f"at entry 0 and {list(a.shape)} at entry {i}")
    return np.stack(arrays)


def _python_numbers(batch: Sequence[Any], kind: type) -> np.ndarray:
    if kind is float:
        return np.asarray(batch, dtype=np.float64)
    values = np.asarray(batch)
    if values.dtype.kind == "f":  # ints mixed with floats: torch.tensor gives the default float
        return values.astype(np.float32)
    return values if values.dtype.kind == "b" else values.astype(np.int64)


def _rebuild_mapping(like: Mapping, items: dict) -> Any:
    if isinstance(like, MutableMapping):
        out = copy.copy(like)  # keeps subclasses such as defaultdict / OrderedDict
        out.update(items)
        return out
    make: Any = type(like)
    try:
        return make(items)
    except TypeError:
        return items


def _rebuild_sequence(like: Sequence, items: list) -> Any:
    if isinstance(like, MutableSequence):
        out = copy.copy(like)
        for i, item in enumerate(items):
            out[i] = item
        return out
    make: Any = type(like)
    try:
        return make(items)
    except TypeError:
        return items


def collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into one batch whose leaves are numpy arrays.

    Tensors and numpy arrays are stacked along a new first dimension (all
    samples need the same shape); numbers become 1-D arrays; strings and
    bytes stay a list; dicts, namedtuples and sequences are collated field
    by field, as PyTorch's ``default_collate`` does (tuples become lists).
    """
    if len(batch) == 0:
        raise ValueError("collate: no samples")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([np.asarray(s.numpy() if isinstance(s, Tensor) else s) for s in batch])
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, np.ndarray):
        if _is_text_array(elem):
            raise TypeError(_NOT_COLLATABLE.format(elem.dtype))
        return _stack([np.asarray(s) for s in batch])
    if isinstance(elem, np.generic):
        values = np.asarray(batch)
        if _is_text_array(values):
            raise TypeError(_NOT_COLLATABLE.format(values.dtype))
        return values
    if isinstance(elem, bool):
        return _python_numbers(batch, bool)
    if isinstance(elem, (int, float)):
        return _python_numbers(batch, float if isinstance(elem, float) else int)
    if isinstance(elem, Mapping):
        return _rebuild_mapping(elem, {key: collate([d[key] for d in batch]) for key in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [collate(field) for field in zip(*batch)]  # strings stay zip's tuples, as in torch
        return fields if isinstance(elem, tuple) else _rebuild_sequence(elem, fields)
    raise TypeError(_NOT_COLLATABLE.format(type(elem)))


def convert(data: Any) -> Any:
    """One sample as ``default_convert`` leaves it, with numpy arrays where tensors go.

    numpy arrays and numpy scalars become (0-d) arrays to be made tensors;
    Tensors, Python numbers and strings stay as they are; tuples become lists.
    """
    if isinstance(data, (Tensor, str, bytes)):
        return data
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, Mapping):
        return _rebuild_mapping(data, {key: convert(value) for key, value in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(convert(value) for value in data))
    if isinstance(data, tuple):
        return [convert(value) for value in data]
    if isinstance(data, Sequence):
        return _rebuild_sequence(data, [convert(value) for value in data])
    return data


def map_leaves(fn: Callable[[Any], Any], data: Any) -> Any:
    """Apply `fn` to every leaf of nested lists, tuples, namedtuples and dicts."""
    if isinstance(data, Mapping):
        return _rebuild_mapping(data, {key: map_leaves(fn, value) for key, value in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(map_leaves(fn, value) for value in data))
    if isinstance(data, (list, tuple)):
        return type(data)(map_leaves(fn, value) for value in data)
    return fn(data)


def _array_to_tensor(array: np.ndarray, backend: Any, dtype: Any) -> Tensor:
    kind = array.dtype.kind
    if kind == "b":
        return mt.tensor(array, dtype=mt.bool_, backend=backend)
    if kind in "iu":
        # minitorch has int32 and int64; other integer types widen to int64.
        wanted = mt.int32 if array.dtype == np.int32 else mt.int64
        return mt.tensor(array, dtype=wanted, backend=backend)
    if kind == "f":
        wanted = dtype or (mt.float64 if array.dtype == np.float64 else mt.float32)
        return mt.tensor(array, dtype=wanted, backend=backend)
    raise TypeError(f"collate: minitorch tensors hold floats, ints and bools; got an array of "
                    f"{array.dtype}")


def to_tensors(data: Any, backend: Any = None, dtype: Any = None) -> Any:
    """Turn every numeric numpy array in a collated structure into a Tensor.

    Args:
        data: what `collate` or `convert` returned.
        backend: where the tensors are made (the default backend when None).
        dtype: the dtype for float arrays (their own, float32 or float64, when
            None); integer arrays give int64 (int32 stays int32), bools bool.
    """
    def leaf(value: Any) -> Any:
        if isinstance(value, np.ndarray) and not _is_text_array(value):
            return _array_to_tensor(value, backend, dtype)
        return value

    return map_leaves(leaf, data)


def default_collate(batch: Sequence[Any]) -> Any:
    """PyTorch's default collate: a list of samples -> one batch of Tensors.

    ``default_collate([(x0, 0), (x1, 1)])`` is ``[stack([x0, x1]), tensor([0, 1])]``
    (a list, as in PyTorch); dicts and namedtuples keep their type; Python
    floats give float64 and ints int64 tensors; strings stay a list.
    """
    return to_tensors(collate(batch))


def default_convert(data: Any) -> Any:
    """PyTorch's default convert (used when ``batch_size=None``): numpy arrays
    and numpy scalars inside `data` become Tensors; tuples become lists;
    everything else is returned as it is."""
    return to_tensors(convert(data))
