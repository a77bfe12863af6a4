"""Functions and methods PyTorch scripts use, each against a stated PyTorch
behaviour (run on torch too where it is installed; see testing/oracle.py)."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.tensor as mt
from minitorch.tensor.testing import gradcheck
from minitorch.tensor.testing.oracle import backends, check_raises, check_value, torch

BACKENDS = backends()
X = [[1.0, 5.0, -2.0], [3.0, 2.0, 0.5]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_and_min_as_functions_take_the_three_pytorch_forms(backend):
    # torch.max(x) is the largest element; torch.max(x, 1) is (values, indices);
    # torch.max(x, y) is the elementwise maximum. torch.min likewise.
    check_value(lambda lib: lib.ns.max(lib.tensor(X)), backend, 5.0)
    check_value(lambda lib: tuple(lib.ns.max(lib.tensor(X), 1)), backend, ([5.0, 3.0], [1, 0]))
    check_value(lambda lib: lib.ns.max(lib.tensor(X), lib.ones(2, 3)), backend,
                np.maximum(X, 1.0))
    check_value(lambda lib: tuple(lib.ns.min(lib.tensor(X), 0, True)), backend,
                ([[1.0, 2.0, -2.0]], [[0, 1, 0]]))


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
@pytest.mark.parametrize("backend", BACKENDS)
def test_var_and_std_use_bessels_correction_by_default(backend):
    # PyTorch: var/std divide by N - 1 unless unbiased=False or correction= says
    # otherwise; one element gives nan (0 / 0).
    x = np.array(X)
    check_value(lambda lib: lib.tensor(X).var(), backend, x.var(ddof=1))
    check_value(lambda lib: lib.tensor(X).std(1, keepdim=True), backend, x.std(1, ddof=1, keepdims=True))
    check_value(lambda lib: lib.tensor(X).var(0, unbiased=False), backend, x.var(0))
    check_value(lambda lib: lib.tensor(X).var(1, correction=0), backend, x.var(1))
    check_value(lambda lib: lib.ns.std(lib.tensor(X), 0), backend, x.std(0, ddof=1))
    check_value(lambda lib: lib.ones(1).var(), backend, np.nan)


def test_var_and_std_gradients_match_central_differences():
    gradcheck(lambda t: t.var(1), mt.randn(3, 4, dtype=mt.float64))
    gradcheck(lambda t: t.std(), mt.randn(3, 4, dtype=mt.float64) + 3.0)
    gradcheck(lambda t: t.std(0), mt.randn(4, 3, dtype=mt.float64).permute(1, 0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_split_and_chunk_give_views_of_consecutive_pieces(backend):
    # PyTorch: split(2) of 5 gives lengths 2, 2, 1; split([1, 4]) those lengths;
    # chunk(3) of 5 gives 2, 2, 1; chunk(4) of 6 gives three pieces of 2; an empty
    # dim chunks into `chunks` empty pieces.
    x = np.arange(10.0).reshape(2, 5)
    check_value(lambda lib: lib.tensor(x).split(2, 1), backend, (x[:, :2], x[:, 2:4], x[:, 4:]))
    check_value(lambda lib: lib.ns.split(lib.tensor(x), [1, 4], 1), backend, (x[:, :1], x[:, 1:]))
    check_value(lambda lib: lib.tensor(x).chunk(3, 1), backend, (x[:, :2], x[:, 2:4], x[:, 4:]))
    check_value(lambda lib: lib.ns.chunk(lib.arange(6), 4), backend, ([0, 1], [2, 3], [4, 5]))
    check_value(lambda lib: [p.shape[0] for p in lib.zeros(0).chunk(2)], backend, [0, 0])
    whole = mt.tensor(x, backend=backend)
    whole.split(2, 1)[1].fill_(-1.0)  # the pieces are views: a write shows in the whole
    assert whole[:, 2:4].tolist() == [[-1.0, -1.0], [-1.0, -1.0]] and whole[0, 1].item() == 1.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_split_and_chunk_refuse_bad_sizes_like_pytorch(backend):
    check_raises(lambda lib: lib.ones(3).split(0), backend, ValueError, "split_size",
                 "split_size can only be 0")
    check_raises(lambda lib: lib.ones(3).split([1, 1]), backend, ValueError, "sum exactly to 3",
                 "sum exactly to 3")
    check_raises(lambda lib: lib.ones(3).chunk(0), backend, ValueError,
                 "chunks` to be greater than 0", "chunks` to be greater than 0")


def test_split_pieces_carry_gradients_to_their_part():
    x = mt.randn(2, 5, dtype=mt.float64)
    gradcheck(lambda t: t.split([2, 3], 1)[1] * 2.0, x)
    gradcheck(lambda t: t.chunk(2, 0)[0].exp(), x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_repeat_tiles_like_pytorch_not_numpy(backend):
    # PyTorch: x.repeat(2, 1, 2) of a (2, 3) tensor is (2, 2, 6), np.tile's layout;
    # fewer sizes than dims is an error.
    x = np.arange(6.0).reshape(2, 3)
    check_value(lambda lib: lib.tensor(x).repeat(2, 1, 2), backend, np.tile(x, (2, 1, 2)))
    check_value(lambda lib: lib.tensor(x).repeat((1, 0)).shape[1], backend, 0)
    check_raises(lambda lib: lib.tensor(x).repeat(2), backend, ValueError,
                 "can not be smaller than the number of dims", "can not be smaller than number")
    gradcheck(lambda t: t.repeat(3, 2), mt.randn(2, 3, dtype=mt.float64))


@pytest.mark.parametrize("backend", BACKENDS)
def test_creation_functions_of_the_torch_namespace(backend):
    # PyTorch: linspace includes both ends; eye(n, m) is the identity; empty has
    # the shape asked for (minitorch zero-fills it; PyTorch leaves garbage).
    check_value(lambda lib: lib.ns.linspace(-1.0, 1.0, 5, device=lib.device), backend,
                np.linspace(-1, 1, 5))
    check_value(lambda lib: lib.ns.linspace(2.0, 3.0, 1, device=lib.device), backend, [2.0])
    check_value(lambda lib: lib.ns.eye(2, 3, device=lib.device), backend, np.eye(2, 3))
    check_value(lambda lib: lib.ns.empty(2, 3, device=lib.device).shape, backend, (2, 3))
    assert mt.empty(2, backend=backend).tolist() == [0.0, 0.0]
    like = mt.ones(2, 3, backend=backend, dtype=mt.float64)
    for fn in (mt.rand_like, mt.randn_like):
        made = fn(like)
        assert (made.shape, made.dtype, made.backend) == (like.shape, like.dtype, like.backend)
    assert mt.is_tensor(like) and not mt.is_tensor(like.numpy())
    if torch is not None:
        assert torch.is_tensor(torch.ones(1)) and not torch.is_tensor(np.ones(1))


@pytest.mark.parametrize("backend", BACKENDS)
def test_new_tensors_take_this_ones_dtype_and_device(backend):
    # PyTorch: x.new_zeros(2, 3) / new_ones / new_full / new_empty / new_tensor
    # keep x's dtype and device unless dtype= is given; type_as converts.
    x = mt.ones(1, dtype=mt.float64, backend=backend)
    for made in (x.new_zeros(2, 3), x.new_ones((2, 3)), x.new_full((2, 3), 7.0),
                 x.new_empty(2, 3)):
        assert (made.shape, made.dtype, made.backend) == ((2, 3), mt.float64, x.backend)
    assert x.new_full((1,), 7.0).item() == 7.0 and x.new_ones(2).tolist() == [1.0, 1.0]
    assert x.new_tensor([1.0, 2.0]).dtype is mt.float64
    assert x.new_zeros(2, dtype=mt.float32).dtype is mt.float32
    assert mt.ones(2, backend=backend).type_as(x).dtype is mt.float64
    if torch is not None:
        t = torch.ones(1, dtype=torch.float64)
        assert t.new_zeros(2, 3).dtype == torch.float64 and t.new_ones((2,)).shape == (2,)


@pytest.mark.parametrize("backend", BACKENDS)
def test_number_protocols(backend):
    # PyTorch: f"{loss:.4f}" formats a 0-d tensor as its number; a format spec on a
    # tensor with dims is a TypeError; int() truncates toward zero.
    loss = mt.tensor(0.123456, backend=backend)
    assert f"{loss:.3f}" == "0.123" and f"{mt.tensor(-3.7, backend=backend):.1f}" == "-3.7"
    assert int(mt.tensor(3.7, backend=backend)) == 3 and int(mt.tensor(-3.7, backend=backend)) == -3
    assert f"{mt.ones(2, backend=backend)}" == str(mt.ones(2, backend=backend))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{mt.ones(1, backend=backend):.3f}"
    with pytest.raises(ValueError, match="only a one-element tensor"):
        int(mt.ones(2, backend=backend))
    if torch is not None:
        assert f"{torch.tensor(0.123456):.3f}" == "0.123" and int(torch.tensor(-3.7)) == -3
        with pytest.raises(TypeError, match="unsupported format string"):
            f"{torch.ones(1):.3f}"


def test_dtype_aliases():
    # PyTorch: torch.float is torch.float32, torch.double is torch.float64.
    assert mt.float is mt.float32 and mt.double is mt.float64
    assert mt.ones(1, dtype=mt.double).dtype is mt.float64
