"""End to end: small models learn (loss falls) on the reference backend, and
on numba when it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt
from minitorch.data import MNIST, DataLoader, Subset, TensorDataset


def blobs(n=32, seed=0):
    """Two Gaussian blobs in 2-D, labels 0/1."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    points = rng.standard_normal((n, 2)) * 0.5 + np.where(labels[:, None] == 1, 1.0, -1.0)
    return points.astype(np.float32), labels


def bars(n=16, seed=0):
    """6x6 images holding a vertical (0) or horizontal (1) bar, with noise."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 0.2, (n, 1, 6, 6)).astype(np.float32)
    labels = np.arange(n) % 2
    for i, label in enumerate(labels):
        k = rng.integers(1, 5)
        if label == 0:
            images[i, 0, :, k] = 1.0
        else:
            images[i, 0, k, :] = 1.0
    return images, labels


def train(model, loader, opt, loss_fn, epochs):
    losses = []
    for _ in range(epochs):
        total = 0.0
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item()
        losses.append(total / len(loader))
    return losses


def test_mlp_learns_on_the_reference_backend():
    x, y = blobs()
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True, seed=0)
    opt = optim.SGD(model.named_parameters(), lr=0.2, momentum=0.9)
    losses = train(model, loader, opt, nn.CrossEntropyLoss(), epochs=8)
    assert losses[-1] < 0.5 * losses[0]
    model.eval()
    accuracy = (model(mt.tensor(x)).argmax(1).numpy() == y).mean()
    assert accuracy > 0.9


def test_cnn_learns_on_the_reference_backend():
    x, y = bars()
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Dropout(0.25), nn.Linear(18, 2),
    )
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True, seed=1)
    opt = optim.Adam(model.named_parameters(), lr=0.05)
    losses = train(model, loader, opt, nn.CrossEntropyLoss(), epochs=6)
    assert losses[-1] < 0.6 * losses[0]


def test_bce_and_mse_heads_learn():
    x, y = blobs(16)
    model = nn.Sequential(nn.Linear(2, 1))
    loader = DataLoader(TensorDataset(x, y.astype(np.float32)[:, None]), batch_size=16)
    opt = optim.AdamW(model.named_parameters(), lr=0.1)
    losses = train(model, loader, opt, nn.BCEWithLogitsLoss(), epochs=15)
    assert losses[-1] < 0.5 * losses[0]
    regressor = nn.Linear(2, 1)
    opt = optim.SGD(regressor.parameters(), lr=0.1)
    losses = train(regressor, loader, opt, nn.MSELoss(), epochs=15)
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.needs_backend("numba")
def test_seed_cnn_learns_mnist_on_numba():
    mt.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding="same"), nn.ReLU(),
        nn.Conv2d(4, 8, 3, padding="same"), nn.ReLU(),
        nn.MaxPool2d(4), nn.Flatten(),
        nn.Linear(392, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10),
    ).to("numba")
    data = Subset(MNIST("train"), np.arange(256))
    loader = DataLoader(data, batch_size=32, shuffle=True, seed=0, backend="numba")
    opt = optim.Adam(model.named_parameters(), lr=1e-2)
    losses = train(model, loader, opt, nn.CrossEntropyLoss(), epochs=4)
    assert losses[-1] < 0.7 * losses[0]
    assert all(p.backend.name == "numba" for p in model.parameters())
