"""The package's test suites on the device, for bench/gpu_check.py: mt-tensor's
conformance kit, and this package's tests under compute-sanitizer (memcheck,
then racecheck over the shared-memory kernels). Each runs as a bounded
subprocess (`Run.bounded`) whose output goes to a file under --logs, so a run
stopped at its time slot still reports how far it got.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gpu_check import Report, Run


def _pytest_summary(text: str) -> str:
    finals = re.findall(r"(\d+ (?:passed|failed|skipped|errors?|deselected)\b[^\n]*? in [\d.]+s)",
                        text)
    if finals:
        return finals[-1]
    dots = "".join(line.rsplit(" [", 1)[0] for line in text.splitlines()
                   if re.search(r"\[\s*\d+%\]\s*$", line))
    return (f"unfinished: {dots.count('.')} passed, {dots.count('F')} failed, "
            f"{dots.count('E')} errors, {dots.count('s')} skipped so far")


def _failures(summary: str) -> int:
    return sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)\b", summary))


def _pytest(run: Run, selection: list[str]) -> list[str]:
    ini = run.logs / "pytest.ini"  # the checkout's settings need not travel with tests/
    ini.write_text("[pytest]\nmarkers =\n    cuda: needs the CUDA backend\n    slow: slow\n"
                   "filterwarnings =\n    ignore::DeprecationWarning:numba.*\n")
    return [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(run.tests),
            "-p", "no:cacheprovider", "--import-mode=importlib", "-q", "-rfE", "--maxfail=25",
            *selection]


def _test_env(run: Run) -> dict[str, str]:
    sim = "1" if run.args.simulate else "0"
    return dict(os.environ, NUMBA_ENABLE_CUDASIM=sim, MINITORCH_CUDA_CONFORMANCE="1")


def conformance(rep: Report, run: Run) -> None:
    seconds = rep.slot("conformance")
    status, text = run.bounded(_pytest(run, ["test_conformance.py", *run.sizes["conformance"]]),
                               "conformance.log", seconds, _test_env(run))
    summary = _pytest_summary(text)
    if status is None:
        summary += f" (stopped at its {seconds:.0f}s slot)"
    unfinished = status is None and _failures(summary) == 0
    rep.add("PASS" if status == 0 else ("SKIP" if unfinished else "FAIL"), "conformance kit on cuda",
            summary, log="conformance.log", tail=text[-1500:])


def _sanitizer() -> str | None:
    found = shutil.which("compute-sanitizer")
    home = os.environ.get("CUDA_HOME")
    if found is None and home and Path(home, "bin", "compute-sanitizer").exists():
        found = str(Path(home, "bin", "compute-sanitizer"))
    return found


def sanitized(rep: Report, run: Run, tool: str) -> None:
    """The package's tests under compute-sanitizer `tool`; without the sanitizer
    (or on the simulator) the memcheck selection runs plain, so the package's
    tests still run on the device."""
    selection = run.sizes[tool]
    sanitizer = None if run.args.simulate else _sanitizer()
    if sanitizer is None:
        if tool != "memcheck":
            rep.add("SKIP", f"compute-sanitizer {tool}", "no compute-sanitizer (or the simulator)")
            return
        label, prefix = "package tests on the device", []
    else:
        label = f"package tests under compute-sanitizer {tool}"
        prefix = [sanitizer, "--tool", tool, "--target-processes", "all", "--print-limit", "30",
                  "--error-exitcode", "86"]
    seconds = rep.slot(tool)
    status, text = run.bounded(prefix + _pytest(run, selection), f"{tool}.log", seconds,
                               _test_env(run))
    summary = _pytest_summary(text)
    hazards = re.findall(r"(?:ERROR|RACECHECK) SUMMARY: ([^\n]*)", text)
    reported = len(re.findall(r"^=+ (?:Invalid|Race reported|Error|Warning)", text, re.M))
    detail = summary + (f"; sanitizer: {hazards[-1]}" if hazards else "") + (
        f"; {reported} sanitizer reports so far" if sanitizer and not hazards else "")
    if status is None:
        detail += f" (stopped at its {seconds:.0f}s slot)"
    clean = reported == 0 and _failures(summary) == 0
    rep.add("PASS" if status == 0 else ("SKIP" if status is None and clean else "FAIL"), label,
            detail, exit_status=status, log=f"{tool}.log", tail=text[-1500:])
