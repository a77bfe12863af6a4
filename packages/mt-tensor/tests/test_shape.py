"""TensorData layout arithmetic: strides, positions, broadcasting, views."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minitorch.tensor.shape import (
    TensorData,
    broadcast_index,
    expand_strides,
    index_to_position,
    is_contiguous,
    shape_broadcast,
    strides_from_shape,
    to_index,
)

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def test_strides_from_shape():
    assert strides_from_shape((2, 3, 4)) == (12, 4, 1)
    assert strides_from_shape(()) == ()


@settings(max_examples=50, deadline=None)
@given(shapes)
def test_to_index_round_trip(shape):
    strides = strides_from_shape(shape)
    for ordinal in range(int(np.prod(shape))):
        assert index_to_position(to_index(ordinal, shape), strides) == ordinal


@settings(max_examples=50, deadline=None)
@given(shapes, shapes)
def test_shape_broadcast_matches_numpy(a, b):
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        with pytest.raises(ValueError, match="cannot broadcast"):
            shape_broadcast(a, b)
    else:
        assert shape_broadcast(a, b) == expected


def test_broadcast_error_names_op_shapes_and_dim():
    with pytest.raises(ValueError) as err:
        shape_broadcast((2, 3), (4,), "add")
    assert str(err.value) == "add: cannot broadcast (2, 3) with (4,): sizes 3 and 4 differ at dimension -1"


def test_broadcast_index_and_expand_strides():
    assert broadcast_index([1, 2, 3], (2, 3, 4), (3, 1)) == [2, 0]
    assert expand_strides((3, 1), (1, 1), (2, 3, 4)) == (0, 1, 0)


def test_permute_and_contiguity():
    d = TensorData(np.arange(6.0), (2, 3), (3, 1))
    assert d.is_contiguous()
    p = d.permute(1, 0)
    assert p.shape == (3, 2) and p.strides == (1, 3) and not p.is_contiguous()
    assert p.storage is d.storage  # a view shares storage
    with pytest.raises(ValueError, match="not a permutation"):
        d.permute(0, 0)
    assert is_contiguous((1, 3), (99, 1))  # size-1 dims don't matter


def test_position_checks_bounds():
    d = TensorData(np.arange(6.0), (2, 3), (3, 1))
    assert d.position((1, 2)) == 5
    assert d.position((-1, -1)) == 5
    with pytest.raises(IndexError, match="dim 1 with size 3"):
        d.position((0, 3))
    with pytest.raises(IndexError, match="2 dims"):
        d.position((0,))


@pytest.mark.parametrize(
    "shape,strides,new,expected",
    [
        ((2, 3), (3, 1), (6,), (1,)),
        ((3, 2), (1, 3), (6,), None),  # transposed: needs a copy
        ((3, 1, 2), (1, 6, 3), (3, 2), (1, 3)),  # squeeze of a permuted view
        ((2, 3, 4), (12, 4, 1), (2, 12), (12, 1)),
        ((4, 3), (1, 4), (2, 2, 3), (2, 1, 4)),  # split an outer, non-contiguous dim
    ],
)
def test_view_strides(shape, strides, new, expected):
    d = TensorData(np.zeros(24), shape, strides)
    assert d.view_strides(new) == expected
