"""Optimizer updates in place: a backend's fused kernel when present, else a composition.

An Adam step composed from tensor ops launches about a dozen elementwise
kernels per parameter (and allocates as many temporaries); a backend's
optional `adam_step` / `sgd_step` kernel does the whole update in one pass
over the parameter. The compositions below are the reference semantics the
kernels must match, and what runs on a backend without them. Both run on
leaf tensors outside autodiff (the optimizers call them under no_grad).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import dispatch as K

if TYPE_CHECKING:
    from .tensor import Tensor


def _storages(p: Tensor, *others: Tensor) -> list | None:
    """Flat storages for a fused kernel, or None when the operands do not fit one
    (another backend or dtype, or a non-contiguous parameter or state)."""
    storages = []
    for t in (p, *others):
        if t.backend is not p.backend or t.dtype is not p.dtype or t.shape != p.shape:
            return None
        if not t._data.is_contiguous():
            if t is not others[0]:
                return None
            t = K.contiguous(t)  # the gradient is read only: a copy will do
        storages.append(K.buffer(t))
    return storages


def _wrote(*tensors: Tensor) -> None:
    """A fused kernel wrote these in place: bump their versions, as every in-place write does."""
    for t in {id(t): t for t in tensors}.values():
        t._data.version.writes += 1


def adam_step_(p: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, step: int,
               lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
               decoupled: bool) -> None:
    """One Adam (or, with `decoupled`, AdamW) update of `p`, `exp_avg` and `exp_avg_sq`.

    With g the gradient and t = `step` (from 1)::

        p = p * (1 - lr * wd)             if decoupled (AdamW)
        g = g + wd * p                    otherwise (L2 in the gradient)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g^2
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """
    kernel = K.optional_kernel(p.backend, "adam_step")
    storages = None if kernel is None else _storages(p, grad, exp_avg, exp_avg_sq)
    if kernel is None or storages is None:
        _adam_step_composed(p, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
                            weight_decay, decoupled)
        return
    kernel(*storages, p.numel(), step, lr, beta1, beta2, eps, weight_decay, decoupled)
    _wrote(p, exp_avg, exp_avg_sq)


def _adam_step_composed(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, step: int, lr: float,
                        beta1: float, beta2: float, eps: float, weight_decay: float,
                        decoupled: bool) -> None:
    if weight_decay != 0:
        if decoupled:
            p.mul_(1.0 - lr * weight_decay)
        else:
            grad = grad + p * weight_decay
    m.mul_(beta1).add_(grad, alpha=1.0 - beta1)
    v.mul_(beta2).add_(grad * grad, alpha=1.0 - beta2)
    bias1 = 1.0 - beta1**step
    bias2 = 1.0 - beta2**step
    denom = v.sqrt() / math.sqrt(bias2) + eps
    p.sub_(m / denom, alpha=lr / bias1)


def sgd_step_(p: Tensor, grad: Tensor, momentum_buffer: Tensor | None, lr: float,
              momentum: float, dampening: float, weight_decay: float, nesterov: bool,
              first: bool) -> None:
    """One SGD update of `p` (and of `momentum_buffer` when momentum is not 0).

    With g the gradient and b the buffer::

        g = g + wd * p
        b = g                                  on the `first` step
        b = momentum * b + (1 - dampening) * g later
        g = g + momentum * b if nesterov else b   (when momentum != 0)
        p = p - lr * g

    `momentum_buffer` must be given (any contents when `first`) if momentum != 0.
    """
    if momentum != 0 and momentum_buffer is None:
        raise ValueError(f"sgd_step_: momentum {momentum} needs a momentum_buffer")
    kernel = K.optional_kernel(p.backend, "sgd_step")
    # With momentum 0 the kernel never reads the buffer: pass p in its place.
    buffer = momentum_buffer if momentum_buffer is not None and momentum != 0 else p
    storages = None if kernel is None else _storages(p, grad, buffer)
    if kernel is None or storages is None:
        _sgd_step_composed(p, grad, momentum_buffer, lr, momentum, dampening, weight_decay,
                           nesterov, first)
        return
    kernel(*storages, p.numel(), lr, momentum, dampening, weight_decay, nesterov, first)
    _wrote(p, buffer)


def _sgd_step_composed(p: Tensor, grad: Tensor, buf: Tensor | None, lr: float, momentum: float,
                       dampening: float, weight_decay: float, nesterov: bool,
                       first: bool) -> None:
    if weight_decay != 0:
        grad = grad + p * weight_decay
    if momentum != 0:
        assert buf is not None  # checked by sgd_step_
        if first:
            buf.copy_(grad)
        else:
            buf.mul_(momentum).add_(grad, alpha=1.0 - dampening)
        grad = grad + buf * momentum if nesterov else buf
    p.sub_(grad, alpha=lr)
