"""The text table of `EventList.table`: PyTorch's columns, plus compile time and count.

Percentages are of the sum of every row's self time (the time the profile
covered), over all rows, not only the ones printed. With shapes (a profile
with record_shapes=True averaged with group_by_input_shape=True, or the raw
events of one) the table adds Backend, Dtype and Input Shapes columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .events import SORT_KEYS

WIDTH = 12  # the least width of a number column


def format_time(us: float) -> str:
    """Microseconds as PyTorch prints them: 12.345us, 1.234ms, 2.000s."""
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole > 0 else "0.00%"


def _shapes(shapes: Any) -> str:
    return str([list(s) for s in shapes]) if shapes is not None else ""


def _sorted(rows: list[Any], sort_by: str | None) -> list[Any]:
    if sort_by is None:
        return rows
    if sort_by not in SORT_KEYS:
        raise ValueError(f"table: unknown sort_by {sort_by!r}; known: {', '.join(SORT_KEYS)}")
    return sorted(rows, key=lambda r: getattr(r, sort_by), reverse=True)


def format_table(rows: list[Any], sort_by: str | None, row_limit: int, name_width: int,
                 header: str | None) -> str:
    """Render `rows` (events or averages); see `EventList.table`."""
    total_self = sum(r.self_cpu_time_total for r in rows)
    # Compiling happens inside kernels (enclosing rows repeat their compile time).
    kernels = [r for r in rows if r.kind == "kernel"]
    total_compile = sum(r.compile_time_total for r in kernels)
    compiles = sum(r.compiles for r in kernels)
    loads = sum(r.cache_loads for r in kernels)
    shown = _sorted(rows, sort_by)
    if row_limit >= 0:
        shown = shown[:row_limit]
    with_shapes = any(r.input_shapes is not None for r in rows)

    def name(r: Any) -> str:
        text = r.key
        return text if len(text) <= name_width else text[:name_width - 3] + "..."

    # (title, cell, left-aligned): names and text read left to right, numbers line up right.
    columns: list[tuple[str, Callable[[Any], str], bool]] = [
        ("Name", name, True),
        ("Self CPU %", lambda r: _percent(r.self_cpu_time_total, total_self), False),
        ("Self CPU", lambda r: format_time(r.self_cpu_time_total), False),
        ("CPU total %", lambda r: _percent(r.cpu_time_total, total_self), False),
        ("CPU total", lambda r: format_time(r.cpu_time_total), False),
        ("CPU time avg", lambda r: format_time(r.cpu_time_total / max(r.count, 1)), False),
        ("Compile", lambda r: format_time(r.compile_time_total), False),
        ("# Compiled", lambda r: str(r.compiles), False),
        ("# of Calls", lambda r: str(r.count), False),
    ]
    if with_shapes:
        columns += [("Backend", lambda r: r.backend, True), ("Dtype", lambda r: r.dtype, True),
                    ("Input Shapes", lambda r: _shapes(r.input_shapes), True)]
    cells = [[cell(r) for _, cell, _ in columns] for r in shown]
    widths = [max([len(title) if left else max(len(title), WIDTH), *(len(row[i]) for row in cells)])
              for i, (title, _, left) in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) if left else v.rjust(w)
                         for v, w, (_, _, left) in zip(values, widths, columns)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [header] if header else []
    out += [rule, line([title for title, _, _ in columns]), rule, *(line(c) for c in cells), rule]
    out.append(f"Self CPU time total: {format_time(total_self)}")
    out.append(f"Compile time total: {format_time(total_compile)} ({compiles} kernels compiled, "
               f"{loads} loaded from cache)")
    return "\n".join(out) + "\n"

