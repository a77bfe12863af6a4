"""The pluggy contract between mt-tensor and backend plugins.

A plugin is a module named by an entry point in the group
``minitorch.backends``; it implements one hook that returns its backends::

    from minitorch.tensor.hookspec import hookimpl

    @hookimpl
    def minitorch_register_backends():
        return [MyBackend()]

The hook runs once, when the registry first loads; nothing on the per-op
path goes through pluggy.
"""

from __future__ import annotations

import pluggy

PROJECT = "minitorch"
ENTRY_POINT_GROUP = "minitorch.backends"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class BackendSpec:
    """Hook specifications a backend plugin may implement."""

    @hookspec
    def minitorch_register_backends(self) -> list:  # type: ignore[empty-body]
        """Return the `minitorch.tensor.backend.Backend` instances this plugin provides."""
