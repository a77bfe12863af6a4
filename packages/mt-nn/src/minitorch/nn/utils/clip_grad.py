"""Gradient clipping: scale all gradients to a maximum total norm, or clamp each value.

Both work in place on ``p.grad`` under no_grad, between ``loss.backward()``
and ``opt.step()``, with tensor ops on the gradients' own backends.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import reduce

import minitorch.tensor as mt
from minitorch.tensor import Tensor

TensorOrTensors = Tensor | Iterable[Tensor]


def gradients(parameters: TensorOrTensors, op: str) -> list[Tensor]:
    """The ``.grad`` of each parameter that has one (a single tensor is a list of one)."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            hint = (" (pass model.parameters(), not named_parameters())"
                    if isinstance(p, tuple) else "")
            raise TypeError(f"{op}: parameters must be tensors, item {i} is a "
                            f"{type(p).__name__}{hint}")
    return [p.grad for p in params if p.grad is not None]


def vector_norm(t: Tensor, norm_type: float) -> Tensor:
    """torch.linalg.vector_norm of all of `t`'s elements, as a 0-d tensor.

    ``(sum |x|^p)^(1/p)``; p = inf is ``max |x|``, -inf ``min |x|``, and 0 the
    number of non-zero elements.
    """
    magnitude = t.abs()
    if norm_type == math.inf:
        return magnitude.max()
    if norm_type == -math.inf:
        return magnitude.min()
    if norm_type == 0:
        return (t != 0).sum().to(t.dtype)
    if norm_type == 1:
        return magnitude.sum()
    if norm_type == 2:
        return (magnitude * magnitude).sum().sqrt()
    return (magnitude ** norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients in place so that their total norm is at most `max_norm`.

    The total norm is the norm of all gradients taken together, as if
    concatenated into one vector: the `norm_type` norm of the vector of
    per-tensor norms. Every gradient is multiplied by
    ``min(1, max_norm / (total_norm + 1e-6))``, as PyTorch does.

    Args:
        parameters: a tensor or an iterable of tensors; those without a
            ``.grad`` are skipped.
        max_norm: the largest total norm allowed.
        norm_type: p of the p-norm (2.0 by default); ``float("inf")`` (or
            ``"inf"``) for the largest absolute value.
        error_if_nonfinite: raise instead of scaling when the total norm is
            nan or inf.
        foreach: accepted for PyTorch code; minitorch has no fused
            multi-tensor kernels, so the result is the same either way.

    Returns:
        The total norm before clipping, a 0-d tensor on the first gradient's
        backend (``tensor(0.)`` when no parameter has a gradient).

    Raises:
        RuntimeError: `error_if_nonfinite` and the total norm is nan or inf
            (no gradient is changed).
    """
    del foreach
    grads = gradients(parameters, "clip_grad_norm_")
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return mt.tensor(0.0)
    with mt.no_grad():
        backend = grads[0].backend
        dtype = reduce(mt.promote_types, (g.dtype for g in grads))
        norms = [vector_norm(g, norm_type).to(backend, dtype) for g in grads]
        total = vector_norm(mt.stack(norms), norm_type)
        if error_if_nonfinite and not math.isfinite(total.item()):
            raise RuntimeError(
                f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                f"{total.item()}, so they cannot be clipped; pass error_if_nonfinite=False to "
                "scale them by it anyway"
            )
        scale = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(scale.to(g.backend, g.dtype))
    return total


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place.

    Args:
        parameters: a tensor or an iterable of tensors; those without a
            ``.grad`` are skipped.
        clip_value: the largest magnitude allowed.
        foreach: accepted for PyTorch code; the result is the same either way.
    """
    del foreach
    grads = gradients(parameters, "clip_grad_value_")
    clip_value = float(clip_value)
    with mt.no_grad():
        for g in grads:
            g.copy_(g.clamp(-clip_value, clip_value))
