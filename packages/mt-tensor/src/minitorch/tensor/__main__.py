"""`python -m minitorch.tensor backends`: list installed backends."""

from __future__ import annotations

import sys

from .registry import REGISTRY


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["backends"]):
        print("usage: python -m minitorch.tensor backends", file=sys.stderr)
        return 2
    rows = REGISTRY.describe()
    header = ("name", "distribution", "version", "status", "default")
    table = [header] + [
        (str(r["name"]), str(r["distribution"]), str(r["version"]), str(r["status"]),
         "*" if r["default"] else "")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    for failure in REGISTRY.failures():
        print(f"failed plugin {failure.entry_point}: {failure.error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
