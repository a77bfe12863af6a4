"""One flat vector for a list of parameters, and back: for optimizers and
analyses that see the model as a single point in parameter space."""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce

import minitorch.tensor as mt
from minitorch.tensor import Tensor


def _on_one_device(parameters: Iterable[Tensor], op: str) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: parameters must be tensors, item {i} is a {type(p).__name__}")
        if p.backend is not params[0].backend:
            # PyTorch's error type for this (its message: two parameters on different devices).
            raise TypeError(
                f"{op}: parameters are on different devices: item 0 is on {params[0].device} "
                f"({params[0].backend.name}), item {i} on {p.device} ({p.backend.name})"
            )
    return params


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated, in order, into one 1-D tensor.

    A new tensor (a copy) that records the graph: gradients flow back to each
    parameter. Mixed dtypes promote, as torch.cat does; non-contiguous tensors
    are accepted (PyTorch's ``view(-1)`` would refuse them).

    Shape:
        parameters of shapes s_1, ..., s_k -> (sum of numel(s_i),)

    Raises:
        TypeError: an item is not a tensor, or two are on different devices.
        RuntimeError: there are no parameters.
    """
    params = _on_one_device(parameters, "parameters_to_vector")
    if not params:
        raise RuntimeError("parameters_to_vector: expected a non-empty list of parameters")
    dtype = reduce(mt.promote_types, (p.dtype for p in params))
    return mt.cat([p.reshape(-1).to(dtype) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give the parameters, in order, consecutive slices of `vec` as their values.

    As PyTorch, each parameter's ``.data`` becomes a slice of `vec` shaped
    like it: the parameters take `vec`'s dtype and device, and share its
    memory (when `vec` is contiguous; a strided `vec` is copied). A parameter
    keeps its identity, so optimizers holding it see the new values.

    Shape:
        vec (sum of numel(s_i),), parameters of shapes s_1, ..., s_k

    Raises:
        TypeError: `vec` is not a tensor, an item is not a tensor, two
            parameters are on different devices, or `vec` is not floating
            point while a parameter requires grad.
        RuntimeError: `vec` is not 1-D or its length is not the parameters'
            total number of elements (PyTorch ignores a longer `vec`'s tail;
            minitorch refuses it). Nothing is changed then.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a minitorch Tensor for vec, "
                        f"but got: {type(vec).__name__}")
    params = _on_one_device(parameters, "vector_to_parameters")
    needed = sum(p.numel() for p in params)
    if not vec.dtype.is_floating_point and any(p.requires_grad for p in params):
        raise TypeError(f"vector_to_parameters: vec is {vec.dtype.name}, but parameters that "
                        "require grad must stay floating point")
    if vec.dim() != 1 or vec.numel() != needed:
        raise RuntimeError(
            f"vector_to_parameters: vec must be 1-D with {needed} elements (the parameters' "
            f"total, shapes {[p.shape for p in params]}), got shape {vec.shape}"
        )
    flat = vec.detach()
    start = 0
    for p in params:
        p.data = flat[start:start + p.numel()].reshape(p.shape)
        start += p.numel()
