"""A two-layer network trains on the reference backend: its loss falls."""

import numpy as np

import minitorch.tensor as mt


def test_two_layer_network_loss_falls():
    mt.manual_seed(0)
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(32, 2))
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.float64).reshape(-1, 1)
    x = mt.tensor(points, dtype=mt.float32, backend="python")
    y = mt.tensor(labels, dtype=mt.float32, backend="python")
    w1 = (mt.randn(2, 8, backend="python") * 0.8).detach().requires_grad_()
    b1 = mt.zeros(8, backend="python", requires_grad=True)
    w2 = (mt.randn(8, 1, backend="python") * 0.8).detach().requires_grad_()
    b2 = mt.zeros(1, backend="python", requires_grad=True)
    params = [w1, b1, w2, b2]
    losses = []
    for _ in range(200):
        p = ((x @ w1 + b1).tanh() @ w2 + b2).sigmoid()
        loss = -(y * p.log() + (1.0 - y) * (1.0 - p).log()).mean()
        for t in params:
            t.grad = None
        loss.backward()
        with mt.no_grad():
            for t in params:
                t.sub_(t.grad * 1.0)
        losses.append(loss.item())
    assert losses[-1] < 0.6 * losses[0], losses[::20]
