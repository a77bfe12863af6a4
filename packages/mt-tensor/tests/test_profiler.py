"""minitorch.profiler: rows and counts of a known sequence, the trace format, the off state,
record_function ranges, schedules, and compile detection (a fake JIT backend here, numba's
real compiler in a subprocess with an empty cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import minitorch.profiler as profiler
import minitorch.tensor as mt
from minitorch.autodiff import Scalar, function
from minitorch.profiler import recorder
from minitorch.tensor.backend import JitStats
from minitorch.tensor.backends.reference import ReferenceBackend
from minitorch.tensor.registry import REGISTRY

BACKENDS = [b for b in ("python", "numba")
            if any(r["name"] == b and r["status"] == "available" for r in mt.list_backends())]
needs_numba = pytest.mark.skipif("numba" not in BACKENDS, reason="mt-backend-numba not installed")


def _known_sequence(backend: str):
    """3 adds, 1 matmul, a sum and its backward: the rows every test below expects."""
    a = mt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend, requires_grad=True)
    b = mt.ones(2, 3, backend=backend)
    w = mt.ones(3, 4, backend=backend, requires_grad=True)
    (a + b + b + b) @ w  # warm-up outside the profile: compile/load kernels first
    with profiler.profile(record_shapes=True) as prof:
        c = a + b
        c = c + b
        c = c + b
        loss = (c @ w).sum()
        loss.backward()
    return prof


def _by_name(events, name):
    return [e for e in events if e.name == name]


@pytest.mark.parametrize("backend", BACKENDS)
def test_known_sequence_gives_the_expected_rows_and_counts(backend: str) -> None:
    prof = _known_sequence(backend)
    events = prof.events()
    adds = _by_name(events, "Add")
    assert len(adds) == 3 and all(e.kind == "forward" for e in adds)
    # Each Add launched exactly one zip.add kernel, nested inside it.
    for add in adds:
        assert [k.name for k in add.children] == ["zip.add"]
        kernel = add.children[0]
        assert kernel.kind == "kernel" and kernel.parent is add and kernel.backend == backend
        assert kernel.input_shapes == [(2, 3)] and kernel.dtype == "float32"
        assert add.input_shapes == [(2, 3), (2, 3)] and add.backend == backend
    (matmul,) = _by_name(events, "MatMul")
    assert [k.name for k in matmul.children] == ["matmul"]
    assert matmul.children[0].input_shapes == [(1, 2, 3), (1, 3, 4)]
    # The backward pass: one row per recorded op, each with its incoming gradient's shape.
    assert len(_by_name(events, "AddBackward")) == 3
    (mm_back,) = _by_name(events, "MatMulBackward")
    assert mm_back.kind == "backward" and mm_back.input_shapes == [(2, 4)]
    assert len(_by_name(events, "SumBackward")) >= 1

    rows = {r.key: r for r in prof.key_averages()}
    assert rows["Add"].count == 3 and rows["AddBackward"].count == 3
    assert rows["MatMul"].count == 1 and rows["MatMulBackward"].count == 1
    assert rows["zip.add"].count >= 3 and rows["matmul"].count >= 3  # forward + 2 grad products
    for r in rows.values():
        assert 0 <= r.self_cpu_time_total <= r.cpu_time_total + 1e-6
        assert r.compiles == 0  # warmed up before the profile
    # Self times add up to the time the top-level events cover.
    top = sum(e.cpu_time_total for e in events if e.parent is None)
    assert prof.key_averages().self_cpu_time_total == pytest.approx(top, rel=1e-6)

    grouped = prof.key_averages(group_by_input_shape=True)
    (add_row,) = [r for r in grouped if r.key == "Add"]
    assert (add_row.count, add_row.input_shapes, add_row.dtype, add_row.backend) == (
        3, [(2, 3), (2, 3)], "float32", backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_table_has_pytorchs_columns_and_sorts(backend: str) -> None:
    prof = _known_sequence(backend)
    table = prof.key_averages().table(sort_by="count", row_limit=3)
    lines = table.splitlines()
    header = lines[1]
    for title in ("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                  "Compile", "# Compiled", "# of Calls"):
        assert title in header
    body = lines[3:3 + 3]
    assert len(body) == 3 and lines[3 + 3].startswith("---")  # row_limit rows, then the rule
    counts = [int(line.split()[-1]) for line in body]
    assert counts == sorted(counts, reverse=True)
    assert "Self CPU time total:" in table and "Compile time total:" in table
    by_self = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=-1)
    assert "AddBackward" in by_self and "zip.add" in by_self
    shaped = prof.key_averages(group_by_input_shape=True).table(sort_by="cpu_time_total")
    assert "Input Shapes" in shaped and "[[2, 3], [2, 3]]" in shaped and backend in shaped
    with pytest.raises(ValueError, match="unknown sort_by 'cuda_time'.*cpu_time_total"):
        prof.key_averages().table(sort_by="cuda_time")


def test_group_by_input_shape_needs_record_shapes() -> None:
    with profiler.profile() as prof:
        mt.ones(2, backend="python") + 1.0
    assert prof.events()[0].input_shapes is None
    with pytest.raises(ValueError, match="record_shapes=True"):
        prof.key_averages(group_by_input_shape=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_chrome_trace_is_valid_trace_event_json_and_nests(backend: str, tmp_path: Path) -> None:
    prof = _known_sequence(backend)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    complete = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert len(complete) == len(prof.events())
    for e in complete:
        assert {"name", "ph", "ts", "dur", "pid", "tid", "args"} <= set(e)
        assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0 and e["dur"] >= 0
        assert {"shapes", "dtype", "backend", "compiled"} <= set(e["args"])
        assert e["pid"] == os.getpid()

    def span(e):  # integer nanoseconds: what viewers compare
        return round(e["ts"] * 1000), round((e["ts"] + e["dur"]) * 1000)

    # On one thread, two complete events either nest or do not overlap at all.
    spans = sorted((span(e) for e in complete), key=lambda s: (s[0], -s[1]))
    open_ends: list[int] = []
    for start, end in spans:
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        assert not open_ends or end <= open_ends[-1], "events overlap without nesting"
        open_ends.append(end)
    # Each Add's kernel lies inside it.
    adds = [span(e) for e in complete if e["name"] == "Add"]
    kernels = [span(e) for e in complete if e["name"] == "zip.add"]
    for start, end in adds:
        assert any(start <= ks and ke <= end for ks, ke in kernels)
    (first_add,) = [e for e in complete if e["name"] == "Add"][:1]
    assert first_add["args"]["shapes"] == [[2, 3], [2, 3]] and first_add["args"]["backend"] == backend


def test_nothing_is_recorded_outside_the_profile_and_hooks_are_removed() -> None:
    backend = REGISTRY.get("python")
    a = mt.ones(2, 2, backend="python", requires_grad=True)
    with profiler.profile() as prof:
        assert recorder.ACTIVE is not None and function.OBSERVER is not None
        assert "zip" in vars(backend)  # the kernel is wrapped while recording
        a + a
    recorded = len(prof.events())
    assert recorded == 2  # Add and its zip.add
    (a * a).sum().backward()  # after the profile: nothing more
    assert len(prof.events()) == recorded
    assert recorder.ACTIVE is None and function.OBSERVER is None
    assert not any(name in vars(backend) for name in recorder.KERNELS)


def test_an_exception_inside_the_profile_still_removes_the_hooks() -> None:
    a = mt.ones(2, 3, backend="python")
    with pytest.raises(ValueError), profiler.profile() as prof:
        a @ a  # inner sizes differ
    assert recorder.ACTIVE is None and function.OBSERVER is None
    assert all(e.end_ns >= e.start_ns > 0 for e in prof.events())


def test_profiles_do_not_nest() -> None:
    with profiler.profile():
        with pytest.raises(RuntimeError, match="already recording"):
            profiler.profile().start()
    assert recorder.ACTIVE is None


def test_record_function_ranges_appear_and_hold_their_ops() -> None:
    a = mt.ones(2, 2, backend="python", requires_grad=True)

    @profiler.record_function("loss")
    def loss_of(x):
        return (x * x).sum()

    with profiler.record_function("outside"):  # no profile: records nothing, fails nothing
        a + a
    with profiler.profile() as prof:
        with profiler.record_function("forward pass"):
            loss = loss_of(a)
        loss.backward()
    events = prof.events()
    assert not _by_name(events, "outside")
    (outer,) = _by_name(events, "forward pass")
    (inner,) = _by_name(events, "loss")
    assert outer.kind == inner.kind == "user" and inner.parent is outer
    assert {c.name for c in inner.children} >= {"Mul", "Sum"}
    assert outer.start_ns <= inner.start_ns and inner.end_ns <= outer.end_ns
    assert "MulBackward" in {e.name for e in events if e.parent is None}


def test_a_schedule_records_only_its_active_steps() -> None:
    ready: list[list[str]] = []
    x = mt.ones(2, backend="python")
    with profiler.profile(schedule=profiler.schedule(wait=1, warmup=1, active=2, repeat=1),
                          on_trace_ready=lambda p: ready.append([e.name for e in p.events()])) as prof:
        for _ in range(6):
            x + x
            prof.step()
    assert len(ready) == 1
    names = ready[0]
    assert [n for n in names if n.startswith("ProfilerStep#")] == ["ProfilerStep#2", "ProfilerStep#3"]
    assert names.count("Add") == 2
    steps = [e for e in prof.events() if e.name.startswith("ProfilerStep#")]
    assert all(any(c.name == "Add" for c in s.children) for s in steps)


def test_schedule_actions_follow_torch() -> None:
    act = profiler.schedule(wait=1, warmup=1, active=2, repeat=1, skip_first=1)
    A = profiler.ProfilerAction
    assert [act(i) for i in range(7)] == [A.NONE, A.NONE, A.WARMUP, A.RECORD, A.RECORD_AND_SAVE,
                                          A.NONE, A.NONE]
    with pytest.raises(ValueError, match="active > 0"):
        profiler.schedule(wait=0, warmup=0, active=0)


def test_torch_only_options_are_accepted_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="with_stack not implemented"):
        profiler.profile(activities=[profiler.ProfilerActivity.CPU], with_stack=True)
    with pytest.raises(TypeError, match="no_such_option"):
        profiler.profile(no_such_option=1)


def test_scalar_functions_are_recorded_too() -> None:
    x = Scalar(2.0, requires_grad=True)
    with profiler.profile() as prof:
        (x * x).backward()
    names = [e.name for e in prof.events()]
    assert "Mul" in names and "MulBackward" in names


class _FakeJit(ReferenceBackend):
    """The python backend, pretending each op's first `map` compiles for 2 ms."""

    name = "fakejit"

    def __init__(self) -> None:
        self.compiled: set[str] = set()
        self.total = JitStats(0, 0, 0.0)

    def jit_stats(self) -> JitStats:
        return self.total

    def map(self, op, *args) -> None:
        if op not in self.compiled:
            self.compiled.add(op)
            self.total = JitStats(self.total.compiled + 1, self.total.cache_loads,
                                  self.total.seconds + 0.002)
        super().map(op, *args)


def test_compile_detection_uses_the_backends_jit_stats() -> None:
    fake = _FakeJit()
    REGISTRY.register(fake)
    try:
        x = mt.ones(3, backend="fakejit")
        with profiler.profile() as prof:
            x.exp()
            x.exp()
            negated = -x
        assert negated.tolist() == [-1.0, -1.0, -1.0]
        kernels = [e for e in prof.events() if e.kind == "kernel"]
        assert [(k.name, k.compiled) for k in kernels] == [
            ("map.exp", True), ("map.exp", False), ("map.neg", True)]
        assert kernels[0].compile_time_total == pytest.approx(2000.0)
        # The Function around it reports the compile of what ran inside.
        assert kernels[0].parent is not None and kernels[0].parent.compiles == 1
        row = {r.key: r for r in prof.key_averages()}["map.exp"]
        assert (row.count, row.compiles) == (2, 1)
        assert "(2 kernels compiled, 0 loaded from cache)" in prof.key_averages().table()
    finally:
        REGISTRY.unregister("fakejit")


@needs_numba
def test_numba_repeated_call_compiles_nothing() -> None:
    a = mt.ones(3, 3, backend="numba")
    a @ a
    with profiler.profile() as prof:
        a @ a
    (kernel,) = [e for e in prof.events() if e.kind == "kernel"]
    assert (kernel.compiles, kernel.cache_loads, kernel.compile_time_total) == (0, 0, 0.0)


FIRST_MATMULS = textwrap.dedent("""
    import json
    import minitorch.tensor as mt
    import minitorch.profiler as profiler
    a = mt.ones(2, 2, backend="numba", dtype=mt.float64)
    with profiler.profile() as prof:
        a @ a
        a @ a
    print(json.dumps([[e.compiles, e.cache_loads, e.compile_time_total, e.cpu_time_total]
                      for e in prof.events() if e.name == "matmul"]))
""")


@needs_numba
def test_numba_first_specialization_compiles_then_loads_from_cache(tmp_path: Path) -> None:
    # An empty NUMBA_CACHE_DIR: the first process must compile (about a second).
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}

    def run() -> list[list[float]]:
        done = subprocess.run([sys.executable, "-c", FIRST_MATMULS], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    (compiles, loads, compile_us, total_us), again = run()
    assert compiles >= 1 and 0 < compile_us <= total_us
    assert again[:3] == [0, 0, 0.0]
    (compiles, loads, compile_us, total_us), _ = run()  # same cache, new process
    assert compiles == 0 and loads >= 1 and 0 < compile_us <= total_us
