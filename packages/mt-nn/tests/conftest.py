"""Shared fixtures for the mt-nn tests.

Everything runs on the pure-Python reference backend unless a test names
another one (it is slow: keep shapes tiny), and every test starts from the
same random state. ``@pytest.mark.needs_backend("numba")`` skips a test
when that backend is not installed and available.
"""

from __future__ import annotations

import pytest

import minitorch.tensor as mt


def backend_available(name: str) -> bool:
    return any(row["name"] == name and row["status"] == "available" for row in mt.list_backends())


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_backend(name): skip unless that backend is available")


def pytest_runtest_setup(item):
    for mark in item.iter_markers(name="needs_backend"):
        if not backend_available(mark.args[0]):
            pytest.skip(f"backend {mark.args[0]!r} is not available")


@pytest.fixture(autouse=True)
def reference_backend_and_seed(monkeypatch):
    monkeypatch.setenv("MINITORCH_BACKEND", "python")
    mt.manual_seed(0)
