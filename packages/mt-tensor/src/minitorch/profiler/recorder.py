"""Recording: the one active profile's events and its hooks into the engine and backends.

Nothing here runs while no profile records. A `Recorder` that starts:

- becomes the autodiff engine's observer (`minitorch.autodiff.function.
  set_observer`), so every `Function` forward and backward opens and closes
  an event (the engine's only cost when no profile is active is one global
  check per op);
- shadows each registered backend's kernel methods (the names in
  `ops.REQUIRED_KERNELS` and `ops.OPTIONAL_KERNELS`) with timing wrappers,
  set on the backend object itself; stopping deletes them again, so the
  kernel path costs nothing at all when no profile is active;
- reads each backend's `jit_stats()` before and after every kernel call:
  the difference is what that call compiled (or loaded from a cache), and
  how long that took.

Each thread keeps its own stack of open events, so events nest by thread;
a backend or engine call from any thread is recorded. Known limits: a
backend registered after the profile started is not timed, and a kernel
compiled by another thread while a kernel runs is counted for both.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from minitorch.autodiff.function import Context, Function, set_observer
from minitorch.tensor.backend import Backend
from minitorch.tensor.ops import OPTIONAL_KERNELS, REQUIRED_KERNELS
from minitorch.tensor.registry import REGISTRY

from .events import FunctionEvent, Shapes

# The recorder of the profile now recording, or None.
ACTIVE: Recorder | None = None

KERNELS = REQUIRED_KERNELS + OPTIONAL_KERNELS

# How to read a kernel's arguments (signatures in `minitorch.tensor.backend`):
# (position of its op name or None, positions of its shape arguments, position
# of the storage whose dtype is reported).
KERNEL_ARGS: dict[str, tuple[int | None, tuple[int, ...], int]] = {
    "map": (0, (3,), 4),
    "zip": (0, (3,), 4),
    "where": (None, (2,), 5),
    "reduce": (0, (6,), 4),
    "matmul": (None, (6,), 2),
    "take": (None, (2,), 3),
    "put": (0, (3,), 4),
    "nonzero": (None, (3,), 1),
    "conv2d_forward": (None, (3, 4), 1),
    "conv2d_backward_input": (None, (3, 4), 1),
    "conv2d_backward_weight": (None, (3, 4), 1),
    "max_pool2d_forward": (None, (2,), 1),
    "max_pool2d_backward": (None, (3,), 1),
    "max_pool2d_forward_indices": (None, (3,), 2),
    "max_pool2d_backward_indices": (None, (3, 4), 1),
    "avg_pool2d_forward": (None, (2,), 1),
    "avg_pool2d_backward": (None, (2,), 1),
    "softmax": (None, (2,), 1),
    "log_softmax": (None, (2,), 1),
    "adam_step": (None, (4,), 0),
    "sgd_step": (None, (3,), 0),
}

_MISSING = object()


def _no_sync() -> None:
    return None


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.open: list[FunctionEvent] = []
        self.thread = threading.get_native_id()


def _dtype_name(storage: Any) -> str:
    dtype = getattr(storage, "dtype", None)
    return "" if dtype is None else str(getattr(dtype, "name", dtype))


def _shape(value: Any) -> tuple[int, ...]:
    return (value,) if isinstance(value, int) else tuple(value)


def describe_kernel(name: str, args: tuple[Any, ...],
                    with_shapes: bool) -> tuple[str, Shapes | None, str]:
    """(event name, shapes or None, dtype) of one kernel call."""
    layout = KERNEL_ARGS.get(name)
    if layout is None:
        return name, ([] if with_shapes else None), ""
    op_at, shapes_at, dtype_at = layout
    label = name
    if op_at is not None and op_at < len(args):
        label = f"{name}.{args[op_at]}"
    dtype = _dtype_name(args[dtype_at]) if dtype_at < len(args) else ""
    if not with_shapes:
        return label, None, dtype
    if name == "matmul" and len(args) > 6:
        batch, n, k, m = args[6]
        return label, [(batch, n, k), (batch, k, m)], dtype
    return label, [_shape(args[i]) for i in shapes_at if i < len(args)], dtype


def describe_values(values: Any, with_shapes: bool) -> tuple[Shapes | None, str, str]:
    """(shapes or None, dtype, backend) of a Function's inputs: its tensors' own."""
    shapes: Shapes | None = [] if with_shapes else None
    dtype = backend = ""
    for value in values:
        shape = getattr(value, "shape", None)
        if shape is None:
            continue
        if shapes is not None:
            shapes.append(tuple(shape))
        if not dtype:
            dtype = getattr(getattr(value, "dtype", None), "name", "")
            backend = getattr(getattr(value, "backend", None), "name", "")
    return shapes, dtype, backend


class Recorder:
    """The events of one recording, and the hooks that make them.

    Args:
        record_shapes: keep each event's input shapes.
        sync_gpu: after each kernel of a GPU backend, wait for the device
            (its `synchronize()`), so kernel times are run times, not launch times.
    """

    def __init__(self, record_shapes: bool = False, sync_gpu: bool = False) -> None:
        self.record_shapes = record_shapes
        self.sync_gpu = sync_gpu
        self.events: list[FunctionEvent] = []
        self.start_ns = 0
        self.stop_ns = 0
        self._ids = itertools.count()
        self._threads = _ThreadState()
        self._patched: list[tuple[Backend, str, Any]] = []
        self._previous_observer: Any = None

    # -- events ----------------------------------------------------------------------------
    def open(self, name: str, kind: str, shapes: Shapes | None, dtype: str,
             backend: str) -> FunctionEvent:
        """Start an event inside this thread's innermost open one."""
        state = self._threads
        stack = state.open
        parent = stack[-1] if stack else None
        event = FunctionEvent(next(self._ids), name, kind, state.thread, shapes, dtype, backend,
                              parent)
        if parent is not None:
            parent.children.append(event)
        self.events.append(event)
        stack.append(event)
        event.start_ns = time.perf_counter_ns()
        return event

    def close(self, event: FunctionEvent, end_ns: int | None = None) -> None:
        """End `event` (and any event still open inside it); closing twice does nothing."""
        end = time.perf_counter_ns() if end_ns is None else end_ns
        if event.end_ns:
            return
        stack = self._threads.open
        if event not in stack:
            event.end_ns = end  # opened on another thread
            return
        while stack:
            top = stack.pop()
            top.end_ns = end
            parent = top.parent
            # A kernel's compile counts come from the backend and already hold
            # everything inside it; other events add up their children's.
            if parent is not None and parent.kind != "kernel":
                parent.compiles += top.compiles
                parent.cache_loads += top.cache_loads
                parent.compile_ns += top.compile_ns
            if top is event:
                break

    # -- the autodiff observer (see minitorch.autodiff.function.Observer) --------------------
    def forward(self, function: type[Function]) -> Callable[[Context, tuple[Any, ...], dict[str, Any]], Any]:
        def run(ctx: Context, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
            shapes, dtype, backend = describe_values(inputs, self.record_shapes)
            event = self.open(function.__name__, "forward", shapes, dtype, backend)
            try:
                return function._forward(ctx, inputs, params)
            finally:
                self.close(event)

        return run

    def backward(self, function: type[Function], ctx: Context, grad: Any) -> Any:
        grads = grad if isinstance(grad, tuple) else (grad,)
        shapes, dtype, backend = describe_values(grads, self.record_shapes)
        event = self.open(f"{function.__name__}Backward", "backward", shapes, dtype, backend)
        try:
            return function.backward(ctx, grad)
        finally:
            self.close(event)

    # -- kernels ---------------------------------------------------------------------------
    def kernel(self, backend: Backend, name: str, method: Callable[..., Any],
               args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Call one backend kernel as an event, with what it compiled."""
        label, shapes, dtype = describe_kernel(name, args, self.record_shapes)
        before = backend.jit_stats()
        event = self.open(label, "kernel", shapes, dtype, backend.name)
        try:
            result = method(*args, **kwargs)
            if self.sync_gpu and backend.is_gpu:
                getattr(backend, "synchronize", _no_sync)()
        finally:
            end = time.perf_counter_ns()
            if before is not None:
                after = backend.jit_stats()
                if after is not None and after != before:
                    event.compiles = after.compiled - before.compiled
                    event.cache_loads = after.cache_loads - before.cache_loads
                    event.compile_ns = int((after.seconds - before.seconds) * 1e9)
            self.close(event, end)
        return result

    def _time_kernels(self, backend: Backend) -> None:
        for name in KERNELS:
            method = getattr(backend, name, None)
            if method is None or not callable(method):
                continue
            previous = vars(backend).get(name, _MISSING) if hasattr(backend, "__dict__") else _MISSING
            try:
                setattr(backend, name, _timed_kernel(self, backend, name, method))
            except AttributeError:  # a backend without an instance dict: not timed
                return
            self._patched.append((backend, name, previous))

    # -- start / stop ----------------------------------------------------------------------
    def start(self) -> None:
        """Install the hooks; raise if another profile is recording."""
        global ACTIVE
        if ACTIVE is not None:
            raise RuntimeError("profile: another profile is already recording; "
                               "stop it first (profiles do not nest)")
        backends = REGISTRY.backends()
        for backend in backends:
            backend.jit_stats()  # starts the counting where a backend needs that
        for backend in backends:
            self._time_kernels(backend)
        self._previous_observer = set_observer(self)
        ACTIVE = self
        self.start_ns = time.perf_counter_ns()

    def stop(self) -> None:
        """Remove the hooks and close whatever is still open."""
        global ACTIVE
        self.stop_ns = time.perf_counter_ns()
        ACTIVE = None
        set_observer(self._previous_observer)
        for backend, name, previous in reversed(self._patched):
            if previous is _MISSING:
                vars(backend).pop(name, None)
            else:
                setattr(backend, name, previous)
        self._patched.clear()
        stack = self._threads.open
        if stack:
            self.close(stack[0], self.stop_ns)
        for event in self.events:
            if not event.end_ns:
                event.end_ns = self.stop_ns  # still open on another thread


def _timed_kernel(recorder: Recorder, backend: Backend, name: str,
                  method: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(*args: Any, **kwargs: Any) -> Any:
        return recorder.kernel(backend, name, method, args, kwargs)

    kernel.__wrapped__ = method  # type: ignore[attr-defined]
    kernel.__name__ = name
    return kernel
