"""Train the seed's CNN on MNIST (the seed's §7).

    python examples/mnist_cnn.py                 # embedded 4,000/1,000 digits, 15 epochs
    python examples/mnist_cnn.py --dataset mnist --download --epochs 3
    python examples/mnist_cnn.py --init pytorch --schedule none --lr 1e-3 --epochs 10  # the old recipe
    mpiexec -n 2 python examples/mnist_cnn.py --distributed   # data-parallel on 2 ranks

conv 1->4 3x3 same, ReLU, conv 4->8 3x3 same, ReLU, max-pool 4x4 (8x7x7),
flatten (392), linear 392->128, ReLU, dropout 0.25, linear 128->10;
cross entropy; Adam.

The default recipe is what the seed's §6 study points to: He initialization
(the CNN trains poorly from PyTorch's default init at this scale), Adam at
3e-3 annealed to 0 over the run with a cosine schedule, 15 epochs. It ends at
95.9-96.6% test accuracy on seeds 0-4; the old recipe (PyTorch's init, a
constant 1e-3, 10 epochs) at 94.3-95.8%.
"""

from __future__ import annotations

import argparse

from mnist_mlp import initialize
from training import (
    add_common_args,
    fit,
    install_sigint_default,
    is_main_process,
    load_data,
    report,
    resume,
    setup_distributed,
    wrap,
)

import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.tensor as mt
from minitorch.optim import Adam
from minitorch.optim.lr_scheduler import CosineAnnealingLR


class SeedCNN(nn.Module):
    """The seed's network: 51,930 parameters (the seed's 51,858 counts conv2's
    4*8*3*3 = 288 weights as 216)."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding="same")
        self.conv2 = nn.Conv2d(4, 8, 3, padding="same")
        self.pool = nn.MaxPool2d(4)
        self.fc1 = nn.Linear(392, 128)
        self.dropout = nn.Dropout(0.25)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        x = self.conv1(x).relu()
        x = self.conv2(x).relu()
        x = self.pool(x).flatten(1)
        x = self.dropout(self.fc1(x).relu())
        return self.fc2(x)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def main(argv: list[str] | None = None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser, epochs=15, batch_size=64, lr=3e-3)
    parser.add_argument("--init", choices=["he", "pytorch"], default="he",
                        help="he: U[-sqrt(6/fan_in), +] weights and zero biases (default); "
                             "pytorch: the layers' own PyTorch-style init")
    parser.add_argument("--schedule", choices=["cosine", "none"], default="cosine",
                        help="cosine: anneal the learning rate to 0 over the epochs (default)")
    parser.add_argument("--metrics", default=None, help="write per-epoch metrics as JSON here")
    args = parser.parse_args(argv)
    install_sigint_default()
    setup_distributed(args)

    mt.manual_seed(args.seed)
    train, test = load_data(args, normalize=True)
    model = SeedCNN()
    if args.init == "he":
        initialize(model, "he", 0.0)
    if args.backend:
        model.to(args.backend)
    optimizer = Adam(model.named_parameters(), lr=args.lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs) if args.schedule == "cosine" else None
    start, done = resume(args, model, optimizer, scheduler)
    backend = mt.get_backend(args.backend).name
    if is_main_process(args):
        print(f"seed CNN, {parameter_count(model):,} parameters, backend {backend}, "
              f"{len(train)} train / {len(test)} test images")

    history = fit(wrap(model, args), optimizer, lambda logits, y: F.cross_entropy(logits, y), train, test, args,
                  scheduler=scheduler, start_epoch=start, history=done)
    if is_main_process(args):
        report(history, args, "seed CNN on MNIST")
    return history


if __name__ == "__main__":
    main()
