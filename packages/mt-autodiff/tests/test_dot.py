"""to_dot: exact, deterministic Graphviz text."""

from __future__ import annotations

import pytest

from minitorch.autodiff import Scalar, to_dot

EXPECTED = """\
digraph autodiff {
    rankdir=LR;
    node [shape=box];
    n0 [label="x = 2"];
    n1 [label="y = 3"];
    n2 [label="Mul = 6"];
    n3 [label="Add = 8"];
    n0 -> n2;
    n1 -> n2;
    n2 -> n3;
    n0 -> n3;
}
"""


def _graph() -> Scalar:
    x = Scalar(2.0, name="x")
    y = Scalar(3.0, name="y")
    return (x * y) + x


def test_to_dot_exact_text() -> None:
    assert to_dot(_graph()) == EXPECTED


def test_to_dot_is_deterministic() -> None:
    assert to_dot(_graph()) == to_dot(_graph())


def test_to_dot_labels_constants_unnamed_leaves_and_named_results() -> None:
    x = Scalar(0.5)
    z = x * 2
    z.name = 'my "z"'
    text = to_dot(z.sigmoid(), graph_name="g")
    assert text.startswith("digraph g {\n")
    assert 'n0 [label="leaf = 0.5"];' in text
    assert 'n1 [label="const = 2"];' in text
    assert 'n2 [label="my \\"z\\": Mul = 1"];' in text
    assert 'n3 [label="Sigmoid = 0.731059"];' in text
    assert "n2 -> n3;" in text


def test_to_dot_of_a_leaf() -> None:
    assert 'n0 [label="w = 1"];' in to_dot(Scalar(1.0, name="w"))


def test_to_dot_after_backward_says_the_graph_was_released() -> None:
    out = _graph()
    out.backward()
    with pytest.raises(RuntimeError, match="released"):
        to_dot(out)
