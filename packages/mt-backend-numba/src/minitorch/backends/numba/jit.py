"""Counting numba's compiler work, for the profiler (`NumbaBackend.jit_stats`).

numba announces its work through `numba.core.event`: "numba:compiler_lock"
spans the time a thread waits for and holds the compiler lock, which numba
takes both to compile a kernel specialization and to load one from the
on-disk cache (NUMBA_CACHE_DIR); "numba:compile" spans a compilation from
source. Both nest (compiling a kernel types and compiles what it calls), so
only the outermost lock span of each thread is counted: one span is one
kernel made ready, *compiled* when a compile event happened inside it, else
*loaded* from the cache. Counting starts on the first `jit_stats()` call:
importing this module registers nothing.
"""

from __future__ import annotations

import threading
import time

from minitorch.tensor.backend import JitStats
from numba.core import event

LOCK_EVENT = "numba:compiler_lock"
COMPILE_EVENT = "numba:compile"


class _ThreadState(threading.local):
    depth = 0  # nesting of lock spans in this thread
    start = 0.0  # perf_counter() when the outermost span began
    compiled = False  # whether a compile event happened in the outermost span


class JitCounter(event.Listener):
    """A numba event listener that keeps running totals of compiles and cache loads."""

    def __init__(self) -> None:
        self.compiled = 0
        self.cache_loads = 0
        self.seconds = 0.0
        self._thread = _ThreadState()

    def on_start(self, e: event.Event) -> None:
        state = self._thread
        if e.kind == COMPILE_EVENT:
            state.compiled = True
            return
        state.depth += 1
        if state.depth == 1:
            state.start = time.perf_counter()
            state.compiled = False

    def on_end(self, e: event.Event) -> None:
        state = self._thread
        if e.kind == COMPILE_EVENT or state.depth == 0:
            return  # depth 0: a span that began before the counter was registered
        state.depth -= 1
        if state.depth == 0:
            self.seconds += time.perf_counter() - state.start
            if state.compiled:
                self.compiled += 1
            else:
                self.cache_loads += 1

    def stats(self) -> JitStats:
        return JitStats(self.compiled, self.cache_loads, self.seconds)


_counter: JitCounter | None = None
_register_lock = threading.Lock()


def jit_stats() -> JitStats:
    """numba's compiles, cache loads and seconds spent on them since counting began."""
    global _counter
    if _counter is None:
        with _register_lock:
            if _counter is None:
                counter = JitCounter()
                event.register(LOCK_EVENT, counter)
                event.register(COMPILE_EVENT, counter)
                _counter = counter
    return _counter.stats()
