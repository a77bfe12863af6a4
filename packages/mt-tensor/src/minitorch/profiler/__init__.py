"""minitorch.profiler: where the time goes, per op and per kernel, as torch.profiler shows it.

    import minitorch.profiler as profiler

    with profiler.profile(record_shapes=True) as prof:
        with profiler.record_function("step"):
            loss = model(x).sum()
            loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))
    print(prof.key_averages(group_by_input_shape=True).table(sort_by="cpu_time_total"))
    prof.export_chrome_trace("trace.json")   # chrome://tracing or ui.perfetto.dev

What is recorded, while a profile records and on every backend:

- every autograd `Function`: its forward (named after the class, ``Add``)
  and its backward (``AddBackward``), with input shapes, dtype and backend;
- every backend kernel call (``zip.add``, ``map.exp``, ``reduce.sum``,
  ``matmul``, ``conv2d_forward``, ...), nested inside the op that made it;
- what each kernel call compiled: a backend that compiles on first use
  (numba) reports, through `Backend.jit_stats`, how many kernels the call
  compiled or loaded from the on-disk cache and how long that took. Compile
  time is part of the call's time and is shown on its own ("Compile");
- `record_function("name")` ranges, and "ProfilerStep#N" with a schedule.

Off by default and free when off: the engine checks one global per op, and
the backends' kernel methods are only wrapped while a profile records.
Modules: `profile.py` (profile, record_function, schedule), `recorder.py`
(the hooks), `events.py` (events, averages), `table.py`, `trace.py`.
"""

from .events import EventList, FunctionEvent, FunctionEventAvg
from .profile import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    supported_activities,
)
from .table import format_time
from .trace import chrome_trace

__all__ = [
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
    "ProfilerAction",
    "ProfilerActivity",
    "chrome_trace",
    "format_time",
    "profile",
    "record_function",
    "schedule",
    "supported_activities",
]
