"""The losses and the functional fixes against PyTorch itself: values and gradients in
float64 for every reduction and option, K-dim and non-contiguous inputs, the Modules'
buffers, and the PyTorch behaviours a script swapped over relies on (softmax's implicit
dim, in-place relu / dropout, one_hot)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from minitorch.tensor.testing import assert_close

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(7)
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])
REDUCTIONS = ("mean", "sum", "none")


def run_both(ours, theirs, arrays, grads=(0,), transposed=()):
    """Call ours(*minitorch tensors) and theirs(*torch tensors) on float64 copies of
    `arrays`; compare the values and the gradients of the inputs listed in `grads`.

    An index in `transposed` means the array is stored transposed and passed as
    ``.transpose(0, 1)``: a non-contiguous view.
    """
    mine, tops = [], []
    for i, a in enumerate(arrays):
        floating = np.asarray(a).dtype.kind == "f"
        dtype = mt.float64 if floating else mt.int64
        m = mt.tensor(np.array(a.T if i in transposed else a), dtype=dtype,
                      requires_grad=i in grads)
        t = torch.tensor(np.array(a.T if i in transposed else a),
                         requires_grad=i in grads)
        mine.append(m)
        tops.append(t)
    view = [m.transpose(0, 1) if i in transposed else m for i, m in enumerate(mine)]
    tview = [t.transpose(0, 1) if i in transposed else t for i, t in enumerate(tops)]
    out, expected = ours(*view), theirs(*tview)
    assert out.shape == tuple(expected.shape)
    assert_close(out, expected.detach().numpy())
    if grads:
        seed = np.random.default_rng(0).standard_normal(out.shape)
        out.backward(mt.tensor(seed, dtype=mt.float64))
        expected.backward(torch.tensor(seed))
        for i in grads:
            assert_close(mine[i].grad, tops[i].grad.numpy(), what=f"gradient of input {i}")


def weight_pair(use):
    return (mt.tensor(WEIGHT), torch.tensor(WEIGHT)) if use else (None, None)


# -- cross_entropy / nll_loss ------------------------------------------------------------
@pytest.mark.parametrize(("reduction", "weighted", "ignore_index", "smoothing"),
                         list(itertools.product(REDUCTIONS, (False, True), (-100, 1), (0.0, 0.25))))
def test_cross_entropy_class_indices(reduction, weighted, ignore_index, smoothing):
    logits_cn = RNG.standard_normal((4, 5))  # stored (C, N): the input is a transposed view
    target = np.array([1, 0, 3, 1, 2])
    w, tw = weight_pair(weighted)
    kw = {"ignore_index": ignore_index, "reduction": reduction, "label_smoothing": smoothing}
    run_both(lambda x, y: F.cross_entropy(x, y, w, **kw),
             lambda x, y: TF.cross_entropy(x, y, tw, **kw),
             [logits_cn.T, target], transposed=(0,))


@pytest.mark.parametrize(("reduction", "weighted", "smoothing"),
                         list(itertools.product(REDUCTIONS, (False, True), (0.0, 0.2))))
def test_cross_entropy_k_dim(reduction, weighted, smoothing):
    logits = RNG.standard_normal((2, 4, 3, 2))
    target = RNG.integers(0, 4, (2, 3, 2))
    target[0, 1, 0] = target[1, 2, 1] = -100
    w, tw = weight_pair(weighted)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    run_both(lambda x, y: F.cross_entropy(x, y, w, **kw),
             lambda x, y: TF.cross_entropy(x, y, tw, **kw), [logits, target])


@pytest.mark.parametrize(("reduction", "weighted", "smoothing", "k_dim"),
                         list(itertools.product(REDUCTIONS, (False, True), (0.0, 0.3), (False, True))))
def test_cross_entropy_probability_targets(reduction, weighted, smoothing, k_dim):
    shape = (3, 4, 2) if k_dim else (3, 4)
    logits = RNG.standard_normal(shape)
    probs = RNG.random(shape)
    probs /= probs.sum(1, keepdims=True)
    w, tw = weight_pair(weighted)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    run_both(lambda x, y: F.cross_entropy(x, y, w, **kw),
             lambda x, y: TF.cross_entropy(x, y, tw, **kw), [logits, probs], grads=(0, 1))


@pytest.mark.parametrize(("reduction", "smoothing"), list(itertools.product(REDUCTIONS, (0.0, 0.1))))
def test_cross_entropy_single_sample(reduction, smoothing):
    w, tw = weight_pair(True)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    run_both(lambda x, y: F.cross_entropy(x, y, w, **kw),
             lambda x, y: TF.cross_entropy(x, y, tw, **kw),
             [RNG.standard_normal(4), np.array(3)])
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    run_both(lambda x, y: F.cross_entropy(x, y, w, **kw),
             lambda x, y: TF.cross_entropy(x, y, tw, **kw),
             [RNG.standard_normal(4), probs], grads=(0, 1))


@pytest.mark.parametrize(("reduction", "weighted", "ignore_index"),
                         list(itertools.product(REDUCTIONS, (False, True), (-100, 0))))
def test_nll_loss_k_dim_and_transposed(reduction, weighted, ignore_index):
    logp = np.log(RNG.dirichlet(np.ones(4), (2, 3)).transpose(0, 2, 1))  # (N, C, d) = (2, 4, 3)
    target = RNG.integers(0, 4, (2, 3))
    w, tw = weight_pair(weighted)
    kw = {"ignore_index": ignore_index, "reduction": reduction}
    run_both(lambda x, y: F.nll_loss(x, y, w, **kw), lambda x, y: TF.nll_loss(x, y, tw, **kw),
             [logp, target])
    logp_cn = np.log(RNG.dirichlet(np.ones(4), 5)).T  # stored (C, N)
    run_both(lambda x, y: F.nll_loss(x, y, w, **kw), lambda x, y: TF.nll_loss(x, y, tw, **kw),
             [logp_cn.T, RNG.integers(0, 4, 5)], transposed=(0,))


def test_everything_ignored_is_nan_for_mean_and_zero_for_sum():
    logits, target = RNG.standard_normal((3, 4)), np.full(3, -100)
    for kw in ({}, {"label_smoothing": 0.2}, {"reduction": "sum"}):
        ours = F.cross_entropy(mt.tensor(logits), mt.tensor(target), **kw).item()
        theirs = TF.cross_entropy(torch.tensor(logits), torch.tensor(target), **kw).item()
        assert ours == theirs or (np.isnan(ours) and np.isnan(theirs))


# -- binary cross-entropy ----------------------------------------------------------------
@pytest.mark.parametrize(("reduction", "weight"),
                         list(itertools.product(REDUCTIONS, (None, "row", "full"))))
def test_binary_cross_entropy(reduction, weight):
    x = np.array([[0.0, 0.3, 1.0, 0.9], [0.5, 1.0, 0.0, 0.02], [0.7, 0.4, 0.6, 0.8]])
    y = np.array([[1.0, 0.2, 0.0, 1.0], [0.5, 1.0, 0.0, 0.3], [0.0, 1.0, 0.25, 0.8]])
    ws = {None: None, "row": WEIGHT, "full": RNG.random((3, 4))}[weight]
    w, tw = (None, None) if ws is None else (mt.tensor(ws), torch.tensor(ws))
    run_both(lambda a, b: F.binary_cross_entropy(a, b, w, reduction=reduction),
             lambda a, b: TF.binary_cross_entropy(a, b, tw, reduction=reduction), [x, y])
    # the target's gradient, away from x in {0, 1} where it is infinite
    run_both(lambda a, b: BCELoss(w, reduction=reduction)(a, b),
             lambda a, b: torch.nn.BCELoss(tw, reduction=reduction)(a, b),
             [np.clip(x, 0.1, 0.9), y], grads=(0, 1))


@pytest.mark.parametrize(("reduction", "weighted", "pos_weight"),
                         list(itertools.product(REDUCTIONS, (False, True), (None, "row", "scalar"))))
def test_binary_cross_entropy_with_logits(reduction, weighted, pos_weight):
    x_cn = np.array([[0.0, -2.0, 30.0], [1.5, 0.0, -0.5], [-40.0, 0.25, 0.0], [3.0, -1.0, 2.0]])
    y = RNG.random((3, 4))
    y[0, 0] = 1.0
    w, tw = weight_pair(weighted)
    pw = {None: None, "row": np.array([1.0, 3.0, 0.5, 2.0]), "scalar": np.array([4.0])}[pos_weight]
    p, tp = (None, None) if pw is None else (mt.tensor(pw), torch.tensor(pw))
    kw = {"reduction": reduction}
    run_both(lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, pos_weight=p, **kw),
             lambda a, b: TF.binary_cross_entropy_with_logits(a, b, tw, pos_weight=tp, **kw),
             [x_cn.T, y], grads=(0, 1), transposed=(0,))
    run_both(lambda a, b: BCEWithLogitsLoss(w, pos_weight=p, **kw)(a, b),
             lambda a, b: torch.nn.BCEWithLogitsLoss(tw, pos_weight=tp, **kw)(a, b),
             [x_cn.T.copy(), y], grads=(0, 1))


# -- regression --------------------------------------------------------------------------
# differences d = x - y of exactly 0, ±0.5, ±1 and ±2: the kinks of every loss below
X = np.array([[0.0, 0.5, -0.5, 1.0], [-1.0, 2.0, -2.0, 0.3], [1.7, -0.2, 4.0, -3.5]])
Y = np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.2, 0.1, -1.0, 0.5]])
PAIRS = {"l1": (F.l1_loss, TF.l1_loss), "mse": (F.mse_loss, TF.mse_loss),
         "smooth_l1": (F.smooth_l1_loss, TF.smooth_l1_loss), "huber": (F.huber_loss, TF.huber_loss)}
REGRESSION = [("l1", {}), ("mse", {}), ("smooth_l1", {"beta": 0.0}), ("smooth_l1", {"beta": 0.5}),
              ("smooth_l1", {"beta": 1.0}), ("huber", {"delta": 0.5}), ("huber", {"delta": 1.0}),
              ("huber", {"delta": 2.0})]


@pytest.mark.parametrize(("name", "options", "reduction"),
                         [(n, o, r) for (n, o), r in itertools.product(REGRESSION, REDUCTIONS)])
def test_regression_losses_including_their_kinks(name, options, reduction):
    ours, theirs = PAIRS[name]
    kw = {"reduction": reduction, **options}
    run_both(lambda a, b: ours(a, b, **kw), lambda a, b: theirs(a, b, **kw),
             [X.T.copy(), Y.T.copy()], grads=(0, 1), transposed=(0, 1))


@pytest.mark.parametrize(("name", "reduction"),
                         list(itertools.product(("l1", "mse", "huber"), REDUCTIONS)))
def test_weighted_regression_losses(name, reduction):
    ours, theirs = PAIRS[name]
    ws = RNG.random(X.shape) + 0.1
    run_both(lambda a, b: ours(a, b, reduction=reduction, weight=mt.tensor(ws)),
             lambda a, b: theirs(a, b, reduction=reduction, weight=torch.tensor(ws)),
             [X, Y], grads=(0, 1))


@pytest.mark.parametrize(("ours", "theirs"), [
    (lambda: L1Loss(reduction="sum"), lambda: torch.nn.L1Loss(reduction="sum")),
    (lambda: MSELoss(), lambda: torch.nn.MSELoss()),
    (lambda: SmoothL1Loss(beta=0.5), lambda: torch.nn.SmoothL1Loss(beta=0.5)),
    (lambda: HuberLoss("none", 2.0), lambda: torch.nn.HuberLoss("none", 2.0)),
], ids=["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss"])
def test_regression_modules(ours, theirs):
    run_both(lambda a, b: ours()(a, b), lambda a, b: theirs()(a, b), [X, Y], grads=(0, 1))


# -- the Modules ---------------------------------------------------------------------------
def test_class_losses_match_torch_and_keep_their_weights_as_buffers():
    w, tw = weight_pair(True)
    logits, target = RNG.standard_normal((5, 4)), np.array([0, 3, 3, 1, 2])
    run_both(lambda a, b: CrossEntropyLoss(w, ignore_index=3, label_smoothing=0.1)(a, b),
             lambda a, b: torch.nn.CrossEntropyLoss(tw, ignore_index=3, label_smoothing=0.1)(a, b),
             [logits, target])
    run_both(lambda a, b: NLLLoss(w, reduction="sum")(a.log_softmax(1), b),
             lambda a, b: torch.nn.NLLLoss(tw, reduction="sum")(a.log_softmax(1), b),
             [logits, target])
    pairs = [(CrossEntropyLoss(w), torch.nn.CrossEntropyLoss(tw)), (NLLLoss(), torch.nn.NLLLoss()),
             (BCELoss(w), torch.nn.BCELoss(tw)),
             (BCEWithLogitsLoss(pos_weight=w), torch.nn.BCEWithLogitsLoss(pos_weight=tw))]
    for ours, theirs in pairs:
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert list(ours.parameters()) == []


def test_legacy_size_average_and_reduce_map_as_in_torch():
    logits, target = RNG.standard_normal((3, 4)), np.array([0, 1, 2])
    for size_average, reduce in [(False, None), (None, False), (True, True), (False, True)]:
        with pytest.warns(UserWarning, match="deprecated"):
            ours = F.cross_entropy(mt.tensor(logits), mt.tensor(target), None, size_average, -100,
                                   reduce)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = TF.cross_entropy(torch.tensor(logits), torch.tensor(target), None,
                                      size_average, -100, reduce)
            module = torch.nn.L1Loss(size_average, reduce)
        assert_close(ours, theirs.numpy())
        with pytest.warns(UserWarning):
            assert L1Loss(size_average, reduce).reduction == module.reduction


# -- functional fixes ----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4), (2, 3, 2, 2)])
def test_softmax_implicit_dim_is_torchs_legacy_choice(shape):
    x = RNG.standard_normal(shape)
    for ours, theirs in ((F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)):
        with pytest.warns(UserWarning, match="Implicit dimension choice for") as caught:
            out = ours(mt.tensor(x))
        assert caught[0].filename == __file__  # points at the caller, as PyTorch's does
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_close(out, theirs(torch.tensor(x)).numpy())


def test_softmax_dtype_casts_first():
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    out = F.log_softmax(mt.tensor(x), 1, dtype=mt.float64)
    assert out.dtype is mt.float64
    assert_close(out, TF.log_softmax(torch.tensor(x), 1, dtype=torch.float64).numpy())


def test_relu_and_dropout_in_place_follow_torchs_autograd_rules():
    leaf = mt.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(leaf, inplace=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.dropout(leaf, 0.5, inplace=True)
    assert F.dropout(leaf, 0.5, training=False, inplace=True) is leaf

    x = np.array([-1.0, 0.5, 2.0])
    m, t = mt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mid, tmid = m * 2.0, t * 2.0
    assert F.relu(mid, inplace=True) is mid
    TF.relu(tmid, inplace=True)
    assert_close(mid, tmid.detach().numpy())
    (mid * mid).sum().backward()
    (tmid * tmid).sum().backward()
    assert_close(m.grad, t.grad.numpy())


@pytest.mark.parametrize(("values", "classes"),
                         [([2, 0, 1], -1), ([[1, 0], [3, 3]], 5), (2, 4), ([], 3)])
def test_one_hot(values, classes):
    ours = F.one_hot(mt.tensor(values, dtype=mt.int64), classes)
    theirs = TF.one_hot(torch.tensor(values, dtype=torch.int64), classes)
    assert ours.dtype is mt.int64
    assert_close(ours, theirs.numpy())
