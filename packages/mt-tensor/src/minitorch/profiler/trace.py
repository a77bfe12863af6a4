"""Chrome's Trace Event Format: what chrome://tracing and Perfetto (ui.perfetto.dev) open.

One "X" (complete) event per recorded call: name, cat (its kind), ph, ts
(start, microseconds since the profile started), dur (microseconds), pid,
tid, and args {shapes, dtype, backend, compiled, cache_loads, compile_us}.
An event that ran inside another on the same thread starts no earlier and
ends no later, so viewers draw it nested. Times are rounded to the
nanosecond; the end is rounded once and dur derived from it, so rounding
never pushes a child past its parent's end.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .events import FunctionEvent


def _us(ns: int) -> float:
    return round(ns / 1e3, 3)


def trace_event(event: FunctionEvent, origin_ns: int, pid: int) -> dict[str, Any]:
    start = _us(event.start_ns - origin_ns)
    end = _us(event.end_ns - origin_ns)
    return {
        "name": event.name,
        "cat": event.kind,
        "ph": "X",
        "ts": start,
        "dur": round(end - start, 3),
        "pid": pid,
        "tid": event.thread,
        "args": {
            "shapes": [list(s) for s in event.input_shapes or []],
            "dtype": event.dtype,
            "backend": event.backend,
            "compiled": event.compiled,
            "cache_loads": event.cache_loads,
            "compile_us": _us(event.compile_ns),
        },
    }


def chrome_trace(events: list[FunctionEvent], origin_ns: int | None = None) -> dict[str, Any]:
    """The trace as a JSON-ready dict; `origin_ns` is time zero (default: the first start)."""
    if origin_ns is None or origin_ns == 0:
        origin_ns = min((e.start_ns for e in events), default=0)
    pid = os.getpid()
    meta = {"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {"name": "minitorch"}}
    return {
        "traceEvents": [meta, *(trace_event(e, origin_ns, pid) for e in events)],
        "displayTimeUnit": "ms",
    }


def write_chrome_trace(events: list[FunctionEvent], path: str, origin_ns: int | None = None) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(chrome_trace(events, origin_ns), f)
