"""Train the seed's MLP on MNIST (the seed's §5 and §6).

    python examples/mnist_mlp.py                                   # Adam, He init, Z-score, CE
    python examples/mnist_mlp.py --optim sgd --loss mse --init uniform --init-range 0.05 --lr 0.1

784 -> 512 -> 256 -> 10 with ReLU and no output activation, so the three
losses can be compared: softmax + cross entropy, sigmoid + BCE on one-hot
targets, and MSE on one-hot targets.
"""

from __future__ import annotations

import argparse
import math

from training import add_common_args, fit, install_sigint_default, load_data, report, resume

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.nn.init as init
import minitorch.tensor as mt
from minitorch.optim import SGD, Adam


class SeedMLP(nn.Module):
    """784 -> 512 -> 256 -> 10, ReLU between layers: 535,818 parameters."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.l1 = nn.Linear(28 * 28, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, classes)

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        x = x.reshape(x.shape[0], 28 * 28)
        x = self.l1(x).relu()
        x = self.l2(x).relu()
        return self.l3(x)


def initialize(model: nn.Module, scheme: str, r: float) -> None:
    """The seed's three initializations (§5D), applied to every Linear and Conv2d.

    uniform: weights and biases from U[-r, r]; he: U[-sqrt(6 / fan_in), +] weights,
    zero biases; zero: everything 0 (symmetric: the network cannot learn).
    """
    for layer in model.modules():
        if not isinstance(layer, (nn.Linear, nn.Conv2d)):
            continue
        if scheme == "uniform":
            init.uniform_(layer.weight, -r, r)
            init.uniform_(layer.bias, -r, r)
        elif scheme == "he":
            fan_in, _ = init.calculate_fan_in_and_fan_out(layer.weight)
            bound = math.sqrt(6.0 / fan_in)
            init.uniform_(layer.weight, -bound, bound)
            init.zeros_(layer.bias)
        elif scheme == "zero":
            init.zeros_(layer.weight)
            init.zeros_(layer.bias)
        else:
            raise ValueError(f"unknown init {scheme!r}; choose uniform, he or zero")


def make_loss(name: str, classes: int = 10):
    """The seed's three losses (§5C) over raw logits and integer labels."""
    if name == "ce":
        return lambda logits, y: F.cross_entropy(logits, y)
    if name == "bce":
        return lambda logits, y: F.binary_cross_entropy_with_logits(
            logits, F.one_hot(y, classes).to(logits.dtype))
    if name == "mse":
        return lambda logits, y: F.mse_loss(
            logits, F.one_hot(y, classes).to(logits.dtype))
    raise ValueError(f"unknown loss {name!r}; choose ce, bce or mse")


def make_optimizer(name: str, model: nn.Module, lr: float, weight_decay: float):
    if name == "sgd":
        return SGD(model.named_parameters(), lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return Adam(model.named_parameters(), lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose sgd or adam")


# Raw pixels, as the seed fed them: 0..255 (x / (1/255) undoes the loader's scaling).
RAW_PIXELS = (0.0, 1.0 / 255.0)


def main(argv: list[str] | None = None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser, epochs=10, batch_size=64, lr=1e-3)
    parser.add_argument("--loss", choices=["ce", "bce", "mse"], default="ce")
    parser.add_argument("--optim", choices=["sgd", "adam"], default="adam")
    parser.add_argument("--init", choices=["uniform", "he", "zero"], default="he")
    parser.add_argument("--init-range", type=float, default=0.05, help="r of the uniform init U[-r, r]")
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="PyTorch's weight decay; the seed's L2 coefficient is half of it")
    parser.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True,
                        help="Z-score the pixels (--no-normalize feeds raw 0..255 values)")
    parser.add_argument("--metrics", default=None, help="write per-epoch metrics as JSON here")
    args = parser.parse_args(argv)
    install_sigint_default()

    mt.manual_seed(args.seed)
    train, test = load_data(args, normalize=True if args.normalize else RAW_PIXELS)
    model = SeedMLP()
    initialize(model, args.init, args.init_range)
    if args.backend:
        model.to(args.backend)
    optimizer = make_optimizer(args.optim, model, args.lr, args.weight_decay)
    start, done = resume(args, model, optimizer)
    params = sum(p.numel() for p in model.parameters())
    print(f"seed MLP, {params:,} parameters, {args.optim}, {args.loss} loss, {args.init} init, "
          f"backend {mt.get_backend(args.backend).name}, {len(train)} train / {len(test)} test images")

    history = fit(model, optimizer, make_loss(args.loss), train, test, args, start_epoch=start, history=done)
    report(history, args, "seed MLP on MNIST")
    return history


if __name__ == "__main__":
    main()
