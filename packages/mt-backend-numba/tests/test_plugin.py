"""The backend's identity, its entry point, and the registry finding it."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest

from minitorch.backends.numba.plugin import NumbaBackend, minitorch_register_backends
from minitorch.tensor.backend import Backend
from minitorch.tensor.ops import MAP_OPS, OPTIONAL_KERNELS, REDUCE_OPS, REQUIRED_KERNELS, ZIP_OPS


def test_identity() -> None:
    backend = NumbaBackend()
    assert isinstance(backend, Backend)
    assert backend.name == "numba"
    assert backend.priority == 50
    assert backend.dtypes == ("bool", "int32", "int64", "float32", "float64")
    assert backend.is_available() and backend.unavailable_reason() == ""
    assert backend.version == metadata.version("mt-backend-numba")


def test_hook_returns_one_backend() -> None:
    (backend,) = minitorch_register_backends()
    assert backend.name == "numba"


def test_entry_point_is_declared() -> None:
    eps = metadata.entry_points(group="minitorch.backends")
    assert "minitorch.backends.numba.plugin" in {ep.value for ep in eps if ep.name == "numba"}


def test_registry_lists_numba() -> None:
    from minitorch.tensor.registry import get_backend

    assert type(get_backend("numba")).__name__ == "NumbaBackend"


def test_every_named_op_and_optional_kernel_is_implemented() -> None:
    from minitorch.backends.numba.pointwise import MAP_CODES, ZIP_CODES
    from minitorch.backends.numba.reduce import REDUCE_CODES

    assert set(MAP_CODES) == set(MAP_OPS)
    assert set(ZIP_CODES) == set(ZIP_OPS)
    assert set(REDUCE_CODES) == set(REDUCE_OPS)
    for name in (*REQUIRED_KERNELS, *OPTIONAL_KERNELS):
        assert getattr(NumbaBackend, name) is not getattr(Backend, name, None), name


@pytest.mark.slow
def test_import_compiles_nothing() -> None:
    code = (
        "import minitorch.backends.numba as nb\n"
        "from minitorch.backends.numba import elementwise, indexing, matmul, reduce, conv\n"
        "kernels = [elementwise.map_tasks, elementwise.zip_parallel, elementwise.where_tasks,\n"
        "           matmul.matmul_blocked, reduce.reduce_lines_tasks, conv.conv2d_forward,\n"
        "           indexing.take_tasks, indexing.put_kernel, indexing.nonzero_kernel]\n"
        "print(sum(len(k.signatures) for k in kernels))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "0"
