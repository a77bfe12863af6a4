"""Cross-entropy's class targets read on the device: no one-hot, no host check.

`nll_rows` picks each row's -log p[n, t] (log-probabilities from the
log_softmax kernel) and `cross_entropy_backward` writes the gradient of the
logits, g[n] * (softmax - one_hot), in one pass, computing softmax as
exp(log p) and the one-hot as `c == t` on the fly.

A target out of [0, classes) cannot raise from a kernel (see elementwise.py),
and checking on the host would cost a device -> host copy per step: such a
row gets NaN instead, in the loss and in its gradient (PyTorch's CUDA kernel
reports it asynchronously as a device-side assert). A target equal to
`ignore_index` gives 0, as the composition does.
"""

from __future__ import annotations

import math

from numba import cuda

from . import device


@cuda.jit
def nll_rows_kernel(out, logp, target, rows, classes, ignore_index):
    """out[n] = -logp[n, target[n]]; 0 for an ignored target, NaN for one out of range."""
    for n in range(cuda.grid(1), rows, cuda.gridsize(1)):
        t = target[n]
        if t == ignore_index:
            out[n] = 0.0
        elif t < 0 or t >= classes:
            out[n] = math.nan
        else:
            out[n] = -logp[n * classes + t]


@cuda.jit
def cross_entropy_backward_kernel(grad_x, logp, target, grad_rows, grad_stride, rows,
                                  classes, ignore_index):
    """grad_x[n, c] = grad_rows[n] * (exp(logp[n, c]) - [c == target[n]])."""
    for e in range(cuda.grid(1), rows * classes, cuda.gridsize(1)):
        n = e // classes
        t = target[n]
        if t == ignore_index:
            grad_x[e] = 0.0
        elif t < 0 or t >= classes:
            grad_x[e] = math.nan
        else:
            hit = 1.0 if e - n * classes == t else 0.0
            grad_x[e] = grad_rows[n * grad_stride] * (math.exp(logp[e]) - hit)


def _check(op: str, logp, target) -> None:
    if logp.dtype.kind != "f":
        raise TypeError(f"cuda {op}: log-probabilities must be float32 or float64, got "
                        f"{logp.dtype}")
    if target.dtype.kind != "i":
        raise TypeError(f"cuda {op}: targets must be int32 or int64 class indices, got "
                        f"{target.dtype}")


def nll_rows_launch(out, logp, target, rows: int, classes: int,
                    ignore_index: int) -> device.Launch | None:
    """The launch for `CudaBackend.nll_rows`."""
    device.on_device(out=out, logp=logp, target=target)
    _check("nll_rows", logp, target)
    return device.per_element(nll_rows_kernel, int(rows),
                              (out, logp, target, int(rows), int(classes), int(ignore_index)))


def cross_entropy_backward_launch(grad_x, logp, target, grad_rows, grad_stride: int, rows: int,
                                  classes: int, ignore_index: int) -> device.Launch | None:
    """The launch for `CudaBackend.cross_entropy_backward`."""
    device.on_device(grad_x=grad_x, logp=logp, target=target, grad_rows=grad_rows)
    _check("cross_entropy_backward", logp, target)
    args = (grad_x, logp, target, grad_rows, int(grad_stride), int(rows), int(classes),
            int(ignore_index))
    return device.per_element(cross_entropy_backward_kernel, int(rows) * int(classes), args)
