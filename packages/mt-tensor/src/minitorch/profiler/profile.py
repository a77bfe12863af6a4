"""`profile`, `record_function` and `schedule`, shaped like `torch.profiler`'s.

`profile` records from `start()` (or entering its ``with`` block) to `stop()`;
with a `schedule` it records only the steps the schedule marks active
(`step()` advances it), keeps the last finished cycle's events and hands each
finished cycle to `on_trace_ready`. Recording is done by `recorder.Recorder`.
"""

from __future__ import annotations

import enum
import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from . import recorder
from .events import EventList, FunctionEvent
from .recorder import Recorder
from .trace import write_chrome_trace

F = TypeVar("F", bound=Callable[..., Any])


class ProfilerActivity(enum.Enum):
    """What to record. CPU: host wall time, always recorded. CUDA: also wait for a GPU
    backend after each of its kernels, so kernel times are device run times."""

    CPU = "cpu"
    CUDA = "cuda"


def supported_activities() -> set[ProfilerActivity]:
    return {ProfilerActivity.CPU, ProfilerActivity.CUDA}


class ProfilerAction(enum.Enum):
    """What a schedule says to do in one step."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0,
             skip_first: int = 0) -> Callable[[int], ProfilerAction]:
    """A step -> action function, as torch.profiler.schedule's.

    After `skip_first` steps, cycles of `wait` idle steps, `warmup` steps, and
    `active` recorded steps (the last one saves: the cycle's events go to
    `on_trace_ready`); `repeat` cycles (0: without end). Warm-up records
    nothing here: there is no tracer to warm up.
    """
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise ValueError(f"schedule: need wait, warmup, repeat, skip_first >= 0 and active > 0 "
                         f"(got wait={wait}, warmup={warmup}, active={active}, repeat={repeat}, "
                         f"skip_first={skip_first})")
    cycle = wait + warmup + active

    def action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if repeat and step // cycle >= repeat:
            return ProfilerAction.NONE
        at = step % cycle
        if at < wait:
            return ProfilerAction.NONE
        if at < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD_AND_SAVE if at == cycle - 1 else ProfilerAction.RECORD

    return action


def _records(action: ProfilerAction) -> bool:
    return action in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


# torch.profiler.profile options this profiler accepts but does not implement.
_UNUSED = ("profile_memory", "with_stack", "with_flops", "with_modules", "experimental_config",
           "execution_trace_observer", "acc_events", "custom_trace_id_callback")


class profile:
    """Record every backend kernel and autograd Function call, with times.

    Args:
        activities: `ProfilerActivity` values; CPU is always recorded, CUDA
            makes GPU kernels synchronous while recording (see ProfilerActivity).
        schedule: a step -> `ProfilerAction` function (see `schedule`); None
            records everything from start to stop.
        on_trace_ready: called with this profile when a cycle finishes (at
            stop() without a schedule).
        record_shapes: keep input shapes (for group_by_input_shape and the trace).
        use_cuda: the old spelling of activities including CUDA.
        profile_memory, with_stack, with_flops, with_modules, ...: accepted for
            torch's signature; setting one warns that it is not implemented.

    Example::

        with minitorch.profiler.profile(record_shapes=True) as prof:
            loss = model(x).sum()
            loss.backward()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))
        prof.export_chrome_trace("trace.json")
    """

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[[profile], Any] | None = None,
                 record_shapes: bool = False, use_cuda: bool | None = None,
                 **unused: Any) -> None:
        unknown = sorted(set(unused) - set(_UNUSED))
        if unknown:
            raise TypeError(f"profile: unexpected keyword argument(s) {', '.join(unknown)}")
        ignored = sorted(k for k, v in unused.items() if v not in (None, False))
        if ignored:
            warnings.warn(f"profile: {', '.join(ignored)} not implemented; ignored", UserWarning,
                          stacklevel=2)
        self.activities = set(activities) if activities is not None else supported_activities()
        if use_cuda:
            self.activities.add(ProfilerActivity.CUDA)
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.step_num = 0
        self._action = ProfilerAction.NONE
        self._recorder: Recorder | None = None
        self._step_range: FunctionEvent | None = None
        self._events = EventList()
        self._origin_ns = 0

    # -- recording -------------------------------------------------------------------------
    def start(self) -> None:
        self.step_num = 0
        self._action = self._next_action()
        if _records(self._action):
            self._begin()

    def stop(self) -> None:
        if self._recorder is not None:
            self._finish()
        self._action = ProfilerAction.NONE

    def step(self) -> None:
        """Mark the end of one training step (advances the schedule)."""
        previous = self._action
        self.step_num += 1
        self._action = self._next_action()
        if self._recorder is not None:
            if previous is ProfilerAction.RECORD_AND_SAVE or not _records(self._action):
                self._finish()
            else:
                self._open_step_range()
        if self._recorder is None and _records(self._action):
            self._begin()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_action(self) -> ProfilerAction:
        return ProfilerAction.RECORD if self.schedule is None else self.schedule(self.step_num)

    def _begin(self) -> None:
        self._recorder = Recorder(self.record_shapes, ProfilerActivity.CUDA in self.activities)
        self._recorder.start()
        self._open_step_range()

    def _open_step_range(self) -> None:
        # With a schedule each step is a range, "ProfilerStep#N", as in PyTorch.
        assert self._recorder is not None
        if self.schedule is None:
            return
        if self._step_range is not None:
            self._recorder.close(self._step_range)
        self._step_range = self._recorder.open(f"ProfilerStep#{self.step_num}", "user",
                                               None, "", "")

    def _finish(self) -> None:
        done = self._recorder
        assert done is not None
        if self._step_range is not None:
            done.close(self._step_range)
            self._step_range = None
        done.stop()
        self._recorder = None
        self._events = EventList(done.events)
        self._origin_ns = done.start_ns
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    # -- results ---------------------------------------------------------------------------
    def events(self) -> EventList:
        """The raw events of the last finished recording, in start order."""
        if self._recorder is not None:
            raise RuntimeError("profile: still recording; read the events after the with block "
                               "(or in on_trace_ready)")
        return self._events

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """The events added up per name (per name, shapes, dtype and backend when
        `group_by_input_shape`); `group_by_stack_n` is accepted, stacks are not kept."""
        if group_by_input_shape and not self.record_shapes:
            raise ValueError("key_averages: group_by_input_shape needs profile(record_shapes=True)")
        return self.events().key_averages(group_by_input_shape)

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as Trace Event Format JSON (chrome://tracing, Perfetto)."""
        write_chrome_trace(list(self.events()), path, self._origin_ns)


class record_function:
    """A named range in the profile: a context manager, or a decorator.

    Costs one check when no profile records. `args` is accepted for torch's
    signature and not kept.
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._event: FunctionEvent | None = None
        self._recorder: Recorder | None = None

    def __enter__(self) -> record_function:
        active = recorder.ACTIVE
        if active is not None:
            self._recorder = active
            self._event = active.open(self.name, "user", None, "", "")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._event is not None and self._recorder is not None:
            self._recorder.close(self._event)
        self._event = self._recorder = None

    def __call__(self, fn: F) -> F:
        name, args = self.name, self.args

        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            with record_function(name, args):  # a fresh range per call: recursion nests
                return fn(*a, **k)

        return wrapper  # type: ignore[return-value]
