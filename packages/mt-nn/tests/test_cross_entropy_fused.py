"""cross_entropy's common case runs as one op (minitorch.tensor.cross_entropy): same values
and gradients as the composed route and as PyTorch, a handful of kernels, and the composed
route whenever the batch or the options need it."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn.functional as F
import minitorch.profiler as profiler
import minitorch.tensor as mt
from minitorch.tensor.testing import assert_close, gradcheck

BACKENDS = [b["name"] for b in mt.list_backends()
            if b["status"] == "available" and b["name"] in ("python", "numba")]


def _log_softmax(x: np.ndarray) -> np.ndarray:
    s = x - x.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _expected(x: np.ndarray, t: np.ndarray, mean: bool) -> tuple[float, np.ndarray]:
    """PyTorch's loss and d loss / d logits, written out: -mean/sum of log p[n, t_n] and
    (softmax - onehot) / N (or not divided, for the sum)."""
    logp = _log_softmax(x)
    n = x.shape[0]
    picked = logp[np.arange(n), t]
    grad = np.exp(logp)
    grad[np.arange(n), t] -= 1.0
    return (-picked.mean(), grad / n) if mean else (-picked.sum(), grad)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_one_op_with_the_composed_routes_values(backend: str, reduction: str, dtype) -> None:
    rng = np.random.default_rng(1)
    xn, tn = rng.standard_normal((7, 5)) * 3, rng.integers(0, 5, 7)
    x = mt.tensor(xn, dtype=dtype, backend=backend, requires_grad=True)
    loss = F.cross_entropy(x, mt.tensor(tn, backend=backend), reduction=reduction)
    assert loss.history.name == "CrossEntropy" and loss.shape == () and loss.dtype is dtype
    loss.backward()
    value, grad = _expected(xn, tn, reduction == "mean")
    tol = 1e-5 if dtype is mt.float32 else 1e-12
    assert abs(loss.item() - value) <= tol * max(1.0, abs(value))
    assert_close(x.grad, grad, rtol=tol, atol=tol)


@pytest.mark.parametrize("backend", BACKENDS)
def test_few_kernels_each_way(backend: str) -> None:
    x = mt.randn(16, 10, backend=backend, requires_grad=True)
    t = mt.randint(0, 10, (16,), backend=backend)
    F.cross_entropy(x, t).backward()  # warm up
    with profiler.profile() as prof:
        F.cross_entropy(x, t).backward()
    ops = [e.name for e in prof.events() if e.kind in ("forward", "backward")]
    kernels = [e.name for e in prof.events() if e.kind == "kernel"]
    assert ops == ["CrossEntropy", "CrossEntropyBackward"], ops
    # 4 forward, 4 backward and the backward seed's fill; a backend without a
    # log_softmax kernel composes it from 6.
    fused_softmax = getattr(x.backend, "log_softmax", None) is not None
    assert len(kernels) <= (9 if fused_softmax else 14), kernels


def test_gradcheck_float64_and_non_contiguous_logits() -> None:
    t = mt.tensor([1, 0, 2, 2])
    gradcheck(lambda a: F.cross_entropy(a, t), mt.randn(4, 3))
    gradcheck(lambda a: F.cross_entropy(a.T, t, reduction="sum"), mt.randn(3, 4))
    gradcheck(lambda a: F.cross_entropy(a[:, ::2], t), mt.randn(4, 6))


def test_int32_targets_and_ignored_targets_take_their_routes() -> None:
    x = mt.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, mt.tensor([0, 2, 1, 1], dtype=mt.int32))
    assert loss.history.name == "CrossEntropy"
    value, _ = _expected(x.detach().numpy().astype(np.float64), np.array([0, 2, 1, 1]), True)
    assert abs(loss.item() - value) < 1e-5
    # An ignored target: the composed route, PyTorch's mean over the kept targets.
    loss = F.cross_entropy(x, mt.tensor([0, -100, 1, 1]))
    assert loss.history.name != "CrossEntropy"
    kept = _expected(x.detach().numpy()[[0, 2, 3]].astype(np.float64), np.array([0, 1, 1]), True)
    assert abs(loss.item() - kept[0]) < 1e-5
    # Options the fused op does not take go the composed way too.
    for kwargs in ({"weight": mt.ones(3)}, {"label_smoothing": 0.1}, {"reduction": "none"}):
        assert F.cross_entropy(x, mt.tensor([0, 2, 1, 1]), **kwargs).history.name != "CrossEntropy"


def test_a_target_out_of_range_raises_before_recording() -> None:
    x = mt.randn(3, 4, requires_grad=True)
    for bad, shown in (([0, 4, 1], 4), ([0, -1, 1], -1)):
        with pytest.raises(IndexError, match=f"Target {shown} is out of bounds"):
            F.cross_entropy(x, mt.tensor(bad))
    assert x.grad is None


def test_against_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    xn, tn = rng.standard_normal((9, 4)), rng.integers(0, 4, 9)
    x = mt.tensor(xn, dtype=mt.float64, requires_grad=True)
    loss = F.cross_entropy(x, mt.tensor(tn))
    loss.backward()
    tx = torch.tensor(xn, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tx, torch.tensor(tn))
    expected.backward()
    assert abs(loss.item() - expected.item()) < 1e-12
    assert_close(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
