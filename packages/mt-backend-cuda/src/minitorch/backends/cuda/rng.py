"""Random numbers drawn on the device: dropout's keep mask from a counter-based hash.

Each element's number is a pure function of (key, element index): a
stateless, counter-based generator in the manner of Philox or splitmix, so
threads need no state and no order, and a mask costs one launch and no
copy. The 64-bit key is drawn from minitorch's own generator on the host
(`rng.integers`), once per mask: `mt.manual_seed` therefore replays GPU masks
too (not the same masks as a CPU backend, which draws every element from
numpy's stream).

The hash is `mix32` (Chris Wellons' "lowbias32": xor-shift, multiply, twice)
applied twice, to (index ^ key_lo) and then with the index's high word and
key_hi mixed in; its 32-bit output, divided by 2**32, is the uniform u in
[0, 1), and an element is kept when u >= p. The multiplications are done
mod 2**32 in 16-bit halves (`mul32`): every intermediate fits an int64, so
nothing overflows and the simulator, which runs this as Python, gives the
same numbers as the GPU.
"""

from __future__ import annotations

import numpy as np
from numba import cuda, int64

from . import device

MASK32 = 0xFFFFFFFF


@cuda.jit(device=True)
def mul32(x, c):
    """(x * c) mod 2**32 for 32-bit x and c, without leaving int64."""
    lo = x & 0xFFFF
    hi = x >> 16
    return (lo * c + (((hi * (c & 0xFFFF)) & 0xFFFF) << 16)) & MASK32


@cuda.jit(device=True)
def mix32(x):
    """A 32-bit integer hash with full avalanche (lowbias32)."""
    x ^= x >> 16
    x = mul32(x, 0x7FEB352D)
    x ^= x >> 15
    x = mul32(x, 0x846CA68B)
    x ^= x >> 16
    return x


@cuda.jit(device=True)
def uniform(index, key_lo, key_hi):
    """The uniform number in [0, 1) of element `index` under the key (key_lo, key_hi)."""
    i = int64(index)
    h = mix32(mix32((i & MASK32) ^ key_lo) ^ (i >> 32) ^ key_hi)
    return h * (1.0 / 4294967296.0)


@cuda.jit
def dropout_mask_kernel(out, size, p, scale, key_lo, key_hi):
    """out[i] = scale if uniform(i) >= p else 0, for i < size."""
    for i in range(cuda.grid(1), size, cuda.gridsize(1)):
        out[i] = scale if uniform(i, key_lo, key_hi) >= p else 0.0


def draw_key(rng: np.random.Generator) -> tuple[int, int]:
    """Two 32-bit words of key from minitorch's generator."""
    lo, hi = rng.integers(0, 2**32, size=2, dtype=np.uint64)
    return int(lo), int(hi)


def dropout_mask_launch(out, size: int, p: float,
                        key: tuple[int, int]) -> device.Launch | None:
    """The launch that writes dropout's scaled keep mask into out[:size]."""
    device.on_device(out=out)
    if out.dtype.kind != "f":
        raise TypeError(f"cuda dropout_mask: the mask must be float32 or float64, got {out.dtype}")
    if not 0.0 < p < 1.0:
        raise ValueError(f"cuda dropout_mask: p must be in (0, 1), got {p}")
    return device.per_element(dropout_mask_kernel, int(size),
                              (out, int(size), float(p), 1.0 / (1.0 - p), key[0], key[1]))
