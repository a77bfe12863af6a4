"""pytest plugin (pytest11 entry point) that runs the conformance table.

A backend's tests opt in with one line in a test module::

    from minitorch.tensor.testing.plugin import conformance_suite
    TestConformance = conformance_suite("mybackend")
"""

from __future__ import annotations

from .conformance import conformance_suite

__all__ = ["conformance_suite"]


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "conformance: a minitorch backend conformance-kit test"
    )
