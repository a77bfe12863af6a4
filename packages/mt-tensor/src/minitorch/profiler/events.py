"""What a profile recorded: one `FunctionEvent` per call, averages per name, the table.

Times are kept as `time.perf_counter_ns()` readings; the properties give
microseconds, as PyTorch's do. An event's *total* time runs from its start to
its end; its *self* time is the total minus its children's totals (the events
that ran inside it on the same thread). Compile time is part of both: it is
reported on its own so that run time is total minus compile.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Shapes = list[tuple[int, ...]]


class FunctionEvent:
    """One recorded call: an op's forward or backward, a kernel, or a user range.

    Attributes:
        id: the event's number in the profile, in start order.
        name: ``"Add"`` (a Function's forward), ``"AddBackward"`` (its backward),
            ``"zip.add"`` (a kernel and the op it ran), ``"matmul"`` (a kernel
            without an op name), or a `record_function` name.
        kind: ``"forward"``, ``"backward"``, ``"kernel"`` or ``"user"``.
        thread: the native id of the thread it ran on.
        start_ns, end_ns: `time.perf_counter_ns()` at its start and end.
        input_shapes: None unless the profile records shapes; else a Function's
            tensor input shapes, a backward's incoming gradient shape, or a
            kernel's shapes (its iteration shape; matmul's two operands; conv's
            input and weight).
        dtype: the dtype of the first tensor input ("" when there is none).
        backend: the backend that ran it ("" for a user range).
        compiles: kernels compiled from source during the call (children included).
        cache_loads: compiled kernels loaded from an on-disk cache during the call.
        compile_ns: nanoseconds spent on both (part of the call's own time).
        parent: the event this one ran inside (same thread), or None.
        children: the events that ran directly inside this one.
    """

    __slots__ = ("id", "name", "kind", "thread", "start_ns", "end_ns", "input_shapes", "dtype",
                 "backend", "compiles", "cache_loads", "compile_ns", "parent", "children")

    def __init__(self, id: int, name: str, kind: str, thread: int, input_shapes: Shapes | None,
                 dtype: str, backend: str, parent: FunctionEvent | None) -> None:
        self.id = id
        self.name = name
        self.kind = kind
        self.thread = thread
        self.start_ns = 0
        self.end_ns = 0
        self.input_shapes = input_shapes
        self.dtype = dtype
        self.backend = backend
        self.compiles = 0
        self.cache_loads = 0
        self.compile_ns = 0
        self.parent = parent
        self.children: list[FunctionEvent] = []

    @property
    def key(self) -> str:
        return self.name

    @property
    def count(self) -> int:
        return 1

    @property
    def compiled(self) -> bool:
        """Whether a kernel was compiled from source during this call."""
        return self.compiles > 0

    @property
    def cpu_time_total(self) -> float:
        """Wall time from start to end, in microseconds."""
        return (self.end_ns - self.start_ns) / 1e3

    @property
    def self_cpu_time_total(self) -> float:
        """Total time minus the children's, in microseconds."""
        inside = sum(c.end_ns - c.start_ns for c in self.children)
        return (self.end_ns - self.start_ns - inside) / 1e3

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total

    @property
    def compile_time_total(self) -> float:
        """Time spent compiling or loading kernels during the call, in microseconds."""
        return self.compile_ns / 1e3

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name!r} kind={self.kind} "
                f"cpu_time_total={self.cpu_time_total:.3f}us shapes={self.input_shapes} "
                f"dtype={self.dtype!r} backend={self.backend!r} compiles={self.compiles}>")


class FunctionEventAvg:
    """The events of one key added up: what one row of `key_averages()` shows.

    Attributes:
        key: the events' name.
        kind: their kind (see `FunctionEvent`).
        count: how many events.
        cpu_time_total, self_cpu_time_total, compile_time_total: sums, in microseconds.
        compiles, cache_loads: sums.
        input_shapes, dtype, backend: the group's, when grouped by input shape
            (input_shapes is None otherwise, and dtype / backend list every
            value seen, comma-separated).
    """

    def __init__(self, key: str, kind: str, input_shapes: Shapes | None = None) -> None:
        self.key = key
        self.kind = kind
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.compile_time_total = 0.0
        self.compiles = 0
        self.cache_loads = 0
        self.input_shapes = input_shapes
        self._dtypes: list[str] = []
        self._backends: list[str] = []

    def add(self, event: FunctionEvent) -> None:
        self.count += 1
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.compile_time_total += event.compile_time_total
        self.compiles += event.compiles
        self.cache_loads += event.cache_loads
        if event.dtype and event.dtype not in self._dtypes:
            self._dtypes.append(event.dtype)
        if event.backend and event.backend not in self._backends:
            self._backends.append(event.backend)

    @property
    def name(self) -> str:
        return self.key

    @property
    def dtype(self) -> str:
        return ", ".join(self._dtypes)

    @property
    def backend(self) -> str:
        return ", ".join(self._backends)

    @property
    def cpu_time(self) -> float:
        """Average total time per call, in microseconds."""
        return self.cpu_time_total / max(self.count, 1)

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key!r} count={self.count} "
                f"cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us compiles={self.compiles}>")


# sort_by names accepted by `table`; larger first, as in PyTorch.
SORT_KEYS = ("cpu_time", "cpu_time_total", "self_cpu_time_total", "compile_time_total", "count")


class EventList(list):
    """A list of events (or of averages) that can average itself and print a table."""

    def key_averages(self, group_by_input_shape: bool = False) -> EventList:
        """One `FunctionEventAvg` per name (per name, shapes, dtype and backend when
        `group_by_input_shape`), in order of first appearance."""
        groups: dict[Any, FunctionEventAvg] = {}
        for event in self:
            if group_by_input_shape:
                shapes = event.input_shapes
                key: Any = (event.name, tuple(shapes or ()), event.dtype, event.backend)
                if key not in groups:
                    groups[key] = FunctionEventAvg(event.name, event.kind,
                                                   None if shapes is None else list(shapes))
            else:
                key = event.name
                if key not in groups:
                    groups[key] = FunctionEventAvg(event.name, event.kind)
            groups[key].add(event)
        return EventList(groups.values())

    @property
    def self_cpu_time_total(self) -> float:
        """Sum of every row's self time (the profiled wall time), in microseconds."""
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_name_column_width: int = 55, header: str | None = None) -> str:
        """The rows as a text table, PyTorch's columns plus compile time.

        Args:
            sort_by: one of `SORT_KEYS` (largest first); None keeps the order.
            row_limit: print at most this many rows (-1: all).
            max_name_column_width: names longer than this are cut with "...".
            header: a line printed above the table.
        """
        from .table import format_table

        return format_table(list(self), sort_by, row_limit, max_name_column_width, header)

    def export_chrome_trace(self, path: str) -> None:
        """Write these events (not averages) as a Trace Event Format JSON file."""
        from .trace import write_chrome_trace

        write_chrome_trace(_events_only(self), path)


def _events_only(rows: Iterable[Any]) -> list[FunctionEvent]:
    events = list(rows)
    if any(not isinstance(e, FunctionEvent) for e in events):
        raise TypeError("export_chrome_trace: needs the events (prof.events()), not averages")
    return events
