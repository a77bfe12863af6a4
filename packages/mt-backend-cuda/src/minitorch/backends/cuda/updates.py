"""Fused optimizer updates: one launch per parameter instead of about a dozen.

The semantics are those of `minitorch.tensor.updates` (its compositions are
the reference, and its docstrings hold the formulas). Each element is read
once, updated in registers of the storage's own dtype and written back.

Every hyper-parameter reaches the kernel as a Python number in the launch's
argument list, the quantities that change per step included (the bias
corrections): nothing is uploaded to the device per step. The host folds
them first (`lr / (1 - beta1^t)`, `1 - beta1`, ...) and the kernel rounds each
once to its dtype, so float32 parameters are updated in float32 arithmetic,
as PyTorch's fused Adam does.

One kernel per dtype (`_make_update_kernels`): numba types a Python float
argument as float64, and the casts to the storage's dtype must be known
when the kernel compiles.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float32, float64

from . import device


def _make_update_kernels(ftype):
    """Adam and SGD kernels whose arithmetic is in numba float type `ftype`."""

    @cuda.jit
    def adam_kernel(p, g, m, v, size, shrink, l2, beta1, one_minus_beta1, beta2,
                    one_minus_beta2, step_size, bias2_sqrt, eps):
        """Adam / AdamW on p[:size], m, v (see minitorch.tensor.updates.adam_step_)."""
        shrink_ = ftype(shrink)
        l2_ = ftype(l2)
        b1 = ftype(beta1)
        c1 = ftype(one_minus_beta1)
        b2 = ftype(beta2)
        c2 = ftype(one_minus_beta2)
        step_ = ftype(step_size)
        bias2_ = ftype(bias2_sqrt)
        eps_ = ftype(eps)
        for i in range(cuda.grid(1), size, cuda.gridsize(1)):
            x = p[i] * shrink_
            grad = g[i] + l2_ * x
            mi = b1 * m[i] + c1 * grad
            vi = b2 * v[i] + c2 * grad * grad
            m[i] = mi
            v[i] = vi
            p[i] = x - step_ * (mi / (math.sqrt(vi) / bias2_ + eps_))

    @cuda.jit
    def sgd_kernel(p, g, buf, size, lr, momentum, one_minus_dampening, weight_decay,
                   nesterov, first, use_buffer):
        """SGD on p[:size]; `buf` is read and written only when `use_buffer`
        (momentum != 0), and its old contents are not read when `first`."""
        lr_ = ftype(lr)
        mom = ftype(momentum)
        keep = ftype(one_minus_dampening)
        wd = ftype(weight_decay)
        for i in range(cuda.grid(1), size, cuda.gridsize(1)):
            x = p[i]
            grad = g[i] + wd * x
            if use_buffer:
                b = grad if first else mom * buf[i] + keep * grad
                buf[i] = b
                grad = grad + mom * b if nesterov else b
            p[i] = x - lr_ * grad

    return adam_kernel, sgd_kernel


adam_kernel_f32, sgd_kernel_f32 = _make_update_kernels(float32)
adam_kernel_f64, sgd_kernel_f64 = _make_update_kernels(float64)
_ADAM = {np.dtype(np.float32): adam_kernel_f32, np.dtype(np.float64): adam_kernel_f64}
_SGD = {np.dtype(np.float32): sgd_kernel_f32, np.dtype(np.float64): sgd_kernel_f64}


def _kernel_for(table: dict, op: str, p, *others) -> object:
    kernel = table.get(np.dtype(p.dtype))
    if kernel is None:
        raise TypeError(f"cuda {op}: parameters must be float32 or float64, got {p.dtype}")
    for other in others:
        if other.dtype != p.dtype:
            raise TypeError(f"cuda {op}: every storage must have the parameter's dtype "
                            f"{p.dtype}, got {other.dtype}")
    return kernel


def adam_step_launch(p, grad, exp_avg, exp_avg_sq, size: int, step: int, lr: float,
                     beta1: float, beta2: float, eps: float, weight_decay: float,
                     decoupled: bool) -> device.Launch | None:
    """The launch for `Backend.adam_step` (None when `size` is 0)."""
    device.on_device(p=p, grad=grad, exp_avg=exp_avg, exp_avg_sq=exp_avg_sq)
    kernel = _kernel_for(_ADAM, "adam_step", p, grad, exp_avg, exp_avg_sq)
    if step < 1:
        raise ValueError(f"cuda adam_step: step counts from 1, got {step}")
    shrink = 1.0 - lr * weight_decay if decoupled else 1.0
    l2 = 0.0 if decoupled else float(weight_decay)
    step_size = lr / (1.0 - beta1**step)
    bias2_sqrt = math.sqrt(1.0 - beta2**step)
    args = (p, grad, exp_avg, exp_avg_sq, int(size), float(shrink), l2, float(beta1),
            1.0 - beta1, float(beta2), 1.0 - beta2, float(step_size), bias2_sqrt, float(eps))
    return device.per_element(kernel, int(size), args)


def sgd_step_launch(p, grad, momentum_buffer, size: int, lr: float, momentum: float,
                    dampening: float, weight_decay: float, nesterov: bool,
                    first: bool) -> device.Launch | None:
    """The launch for `Backend.sgd_step` (None when `size` is 0)."""
    device.on_device(p=p, grad=grad, momentum_buffer=momentum_buffer)
    kernel = _kernel_for(_SGD, "sgd_step", p, grad, momentum_buffer)
    args = (p, grad, momentum_buffer, int(size), float(lr), float(momentum),
            1.0 - dampening, float(weight_decay), bool(nesterov), bool(first),
            momentum != 0)
    return device.per_element(kernel, int(size), args)
