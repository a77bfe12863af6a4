"""The op codes come from mt-tensor's op tables, and an unknown code is loud."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minitorch.backends.numba import pointwise, reduce
from minitorch.backends.numba.pointwise import MAP_CODES, ZIP_CODES, map_value, zip_value
from minitorch.tensor import ops
from minitorch.tensor.ops import op_codes


def test_codes_are_the_positions_in_ops() -> None:
    assert MAP_CODES == op_codes(ops.MAP_OPS)
    assert ZIP_CODES == op_codes(ops.ZIP_OPS)
    assert reduce.REDUCE_CODES == op_codes(ops.REDUCE_OPS)


@pytest.mark.parametrize("table, codes", [(ops.MAP_OPS, MAP_CODES), (ops.ZIP_OPS, ZIP_CODES)])
def test_each_constant_is_its_ops_code(table, codes) -> None:
    """ID, NEG, ... ADD, ... are looked up by name, not numbered a second time."""
    for name in table:
        assert getattr(pointwise, name.upper()) == codes[name], name


def test_reduce_constants_are_their_ops_codes() -> None:
    for name in ops.REDUCE_OPS:
        assert getattr(reduce, name.upper()) == reduce.REDUCE_CODES[name], name


def test_no_second_op_list() -> None:
    # The numba package keeps no copy of the names; they live in ops.py only.
    for module in (pointwise, reduce):
        for attr in ("MAP_OPS", "ZIP_OPS", "REDUCE_OPS"):
            assert not hasattr(module, attr), (module.__name__, attr)


@pytest.mark.parametrize("name", list(ops.MAP_OPS))
def test_map_value_matches_the_reference(name: str) -> None:
    for x in (-2.0, -0.5, 0.0, 0.25, 3.0):
        got = map_value(MAP_CODES[name], x)
        want = ops.MAP_OPS[name](x)
        assert got == pytest.approx(want, rel=1e-12, abs=0, nan_ok=True), (name, x)


def test_relu_value_lets_nan_through() -> None:
    assert math.isnan(map_value(MAP_CODES["relu"], math.nan))
    assert map_value(MAP_CODES["relu"], -math.inf) == 0.0
    assert map_value(MAP_CODES["relu"], math.inf) == math.inf
    assert math.copysign(1.0, map_value(MAP_CODES["relu"], -0.0)) == 1.0
    assert zip_value(ZIP_CODES["relu_back"], math.nan, 5.0) == 0.0


def test_max_value_lets_nan_win() -> None:
    assert math.isnan(zip_value(ZIP_CODES["max"], math.nan, 1.0))
    assert math.isnan(zip_value(ZIP_CODES["max"], 1.0, math.nan))


@pytest.mark.parametrize("code", [-1, len(ops.MAP_OPS), 1000])
def test_unknown_map_code_raises(code: int) -> None:
    with pytest.raises(ValueError, match="unknown op code"):
        map_value(code, 1.0)


@pytest.mark.parametrize("code", [-1, len(ops.ZIP_OPS), 1000])
def test_unknown_zip_code_raises(code: int) -> None:
    with pytest.raises(ValueError, match="unknown op code"):
        zip_value(code, 1.0, 2.0)


def test_unknown_reduce_code_raises() -> None:
    a = np.arange(4.0)
    out = np.zeros(1)
    code = len(ops.REDUCE_OPS)
    with pytest.raises(ValueError, match="unknown op code"):
        reduce.reduce_lines_tasks(code, out, np.array([1]), np.array([1]), a, np.array([1]),
                                  0, 4, 0, 1)
    with pytest.raises(ValueError, match="unknown op code"):
        reduce.reduce_columns_tasks(code, out, a, 2, 2, 0, 0, 2, 2, 0, 1)
