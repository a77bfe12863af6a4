"""Host storage: keep freed activation buffers in the heap between training steps.

A training step allocates tens of megabytes of activations and gradients and
frees them all at its end. With glibc's defaults, blocks over 128 KiB (one
seed-CNN activation is 1.6 MB) come from fresh mmap()s or from heap top that
free() hands back to the kernel, so every step pays a page fault per 4 KiB
page touched again: a fifth of the seed CNN's step on 2 cores, where each
elementwise kernel on those maps was 3-4x slower than on warm memory.

`retain_freed_memory` raises glibc's mmap and trim thresholds (mallopt) so
blocks up to 32 MiB come from the heap and up to 256 MiB of free heap top is
kept for reuse: the caching a GPU framework does for device memory, here
done by the C allocator. It runs once, when the backend first allocates; it
does nothing off glibc, when MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_
are set in the environment (the user chose), or when
MINITORCH_NUMBA_KEEP_HEAP=0.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit
TRIM_THRESHOLD = 256 << 20

_done = False


def retain_freed_memory() -> bool:
    """Tune glibc's allocator once per process; True when it was tuned now."""
    global _done
    if _done:
        return False
    _done = True
    if (sys.platform != "linux" or os.environ.get("MINITORCH_NUMBA_KEEP_HEAP") == "0"
            or "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # musl or another C library: leave it alone
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
