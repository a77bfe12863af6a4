"""Fused optimizer updates: one pass over a parameter instead of a dozen launches.

The semantics are those of `minitorch.tensor.updates` (its compositions are
the reference). Each element is read once, updated in float64 registers and
written back in the storage dtype, so the float32 result can differ from the
composition (which rounds after every op) in the last bits.

`*_run` updates elements lo .. hi on the calling thread; `*_parallel` cuts
the parameter into chunks of `chunk` elements and spreads them over numba's
threads.
"""

from __future__ import annotations

import math

from numba import njit, prange

from .pointwise import JIT


@njit(**JIT)
def adam_run(p, g, m, v, lo, hi, lr, beta1, beta2, eps, weight_decay, decoupled,
             bias1, bias2_sqrt):
    """Adam / AdamW on elements lo .. hi (bias1 = 1 - beta1^t, bias2_sqrt = sqrt(1 - beta2^t))."""
    ps = p[lo:hi]
    gs = g[lo:hi]
    ms = m[lo:hi]
    vs = v[lo:hi]
    shrink = 1.0 - lr * weight_decay if decoupled else 1.0
    l2 = 0.0 if decoupled else weight_decay
    step_size = lr / bias1
    for i in range(hi - lo):
        x = ps[i] * shrink
        grad = gs[i] + l2 * x
        mi = beta1 * ms[i] + (1.0 - beta1) * grad
        vi = beta2 * vs[i] + (1.0 - beta2) * grad * grad
        ms[i] = mi
        vs[i] = vi
        ps[i] = x - step_size * (mi / (math.sqrt(vi) / bias2_sqrt + eps))


@njit(parallel=True, **JIT)
def adam_parallel(p, g, m, v, size, chunk, lr, beta1, beta2, eps, weight_decay, decoupled,
                  bias1, bias2_sqrt):
    for c in prange((size + chunk - 1) // chunk):
        lo = c * chunk
        adam_run(p, g, m, v, lo, min(lo + chunk, size), lr, beta1, beta2, eps, weight_decay,
                 decoupled, bias1, bias2_sqrt)


@njit(**JIT)
def sgd_run(p, g, buf, lo, hi, lr, momentum, dampening, weight_decay, nesterov, first):
    """SGD on elements lo .. hi; `buf` is read and written only when momentum != 0."""
    ps = p[lo:hi]
    gs = g[lo:hi]
    if momentum == 0.0:
        for i in range(hi - lo):
            x = ps[i]
            ps[i] = x - lr * (gs[i] + weight_decay * x)
        return
    bs = buf[lo:hi]
    if first:  # b = g: the buffer's old contents are never read
        for i in range(hi - lo):
            bs[i] = gs[i] + weight_decay * ps[i]
    else:
        for i in range(hi - lo):
            bs[i] = momentum * bs[i] + (1.0 - dampening) * (gs[i] + weight_decay * ps[i])
    for i in range(hi - lo):
        x = ps[i]
        if nesterov:
            ps[i] = x - lr * (gs[i] + weight_decay * x + momentum * bs[i])
        else:
            ps[i] = x - lr * bs[i]


@njit(parallel=True, **JIT)
def sgd_parallel(p, g, buf, size, chunk, lr, momentum, dampening, weight_decay, nesterov, first):
    for c in prange((size + chunk - 1) // chunk):
        lo = c * chunk
        sgd_run(p, g, buf, lo, min(lo + chunk, size), lr, momentum, dampening, weight_decay,
                nesterov, first)
