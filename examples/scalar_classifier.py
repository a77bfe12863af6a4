"""Train a tiny network built from Scalars on a 2-D toy dataset.

Every weight is a ``minitorch.autodiff.Scalar`` and every forward step is
scalar arithmetic, so this is slow by design: it shows autodiff working on
its own, before tensors exist. A 2 -> hidden -> 1 network (tanh hidden
units, a sigmoid on the output logit inside the loss) learns a binary label
for points in the unit square, by mini-batch gradient descent.

    python examples/scalar_classifier.py --dataset xor --epochs 300 --points 50
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable

from minitorch.autodiff import Scalar, no_grad

Point = tuple[float, float]

# Label rules for points in the unit square (the MiniTorch toy datasets).
DATASETS: dict[str, Callable[[float, float], int]] = {
    "simple": lambda x1, x2: int(x1 < 0.5),
    "diag": lambda x1, x2: int(x1 + x2 < 0.5),
    "split": lambda x1, x2: int(x1 < 0.2 or x1 > 0.8),
    "xor": lambda x1, x2: int((x1 < 0.5) != (x2 < 0.5)),
}


def make_points(name: str, n: int, rng: random.Random) -> tuple[list[Point], list[int]]:
    """``n`` uniform points in the unit square and their labels under ``name``."""
    label = DATASETS[name]
    points = [(rng.random(), rng.random()) for _ in range(n)]
    return points, [label(x1, x2) for x1, x2 in points]


class Linear:
    """``out_j = b_j + sum_i w_ij * in_i`` over Scalars."""

    def __init__(self, n_in: int, n_out: int, rng: random.Random) -> None:
        # Uniform in [-r, r] with r = 1/sqrt(n_in) keeps initial pre-activations
        # of order 1, where tanh still has a useful slope.
        r = 1.0 / math.sqrt(n_in)
        self.weights = [[Scalar(rng.uniform(-r, r)) for _ in range(n_out)] for _ in range(n_in)]
        self.bias = [Scalar(rng.uniform(-r, r)) for _ in range(n_out)]

    def parameters(self) -> list[Scalar]:
        return [w for row in self.weights for w in row] + self.bias

    def __call__(self, inputs: list[Scalar | float]) -> list[Scalar]:
        outputs = []
        for j, b in enumerate(self.bias):
            total = b
            for i, x in enumerate(inputs):
                total = total + self.weights[i][j] * x
            outputs.append(total)
        return outputs


class Network:
    """Two inputs, one hidden tanh layer, one logit out."""

    def __init__(self, hidden: int, rng: random.Random) -> None:
        self.layer1 = Linear(2, hidden, rng)
        self.layer2 = Linear(hidden, 1, rng)

    def parameters(self) -> list[Scalar]:
        return self.layer1.parameters() + self.layer2.parameters()

    def logit(self, point: Point) -> Scalar:
        # tanh rather than sigmoid: zero-centred hidden units make XOR train
        # in a few hundred epochs instead of a few thousand.
        hidden = [h.tanh() for h in self.layer1(list(point))]
        return self.layer2(hidden)[0]


def bce_with_logit(z: Scalar, y: int) -> Scalar:
    """Binary cross-entropy of label ``y`` given logit ``z``.

    ``-log sigmoid(z)`` for y = 1 and ``-log sigmoid(-z)`` for y = 0: the
    stable sigmoid keeps this finite for any logit a float can reach without
    underflow, unlike ``log(p)`` and ``log(1 - p)`` of a rounded ``p``.
    """
    return -(z if y == 1 else -z).sigmoid().log()


def accuracy(model: Network, points: list[Point], labels: list[int]) -> float:
    with no_grad():
        hits = sum(
            int((model.logit(p).data > 0) == bool(y)) for p, y in zip(points, labels, strict=True)
        )
    return hits / len(points)


def train(args: argparse.Namespace) -> float:
    rng = random.Random(args.seed)
    points, labels = make_points(args.dataset, args.points, rng)
    model = Network(args.hidden, rng)
    params = model.parameters()
    print(
        f"dataset={args.dataset} points={args.points} hidden={args.hidden} "
        f"parameters={len(params)} lr={args.lr} batch_size={args.batch_size}"
    )
    start = time.perf_counter()
    order = list(range(len(points)))
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(order)
        # One graph and one backward per mini-batch; backward frees the graph,
        # so memory stays flat however long training runs.
        total = 0.0
        for first in range(0, len(order), args.batch_size):
            batch = order[first : first + args.batch_size]
            loss = sum(bce_with_logit(model.logit(points[i]), labels[i]) for i in batch)
            loss = loss * (1.0 / len(batch))
            for w in params:
                w.grad = None
            loss.backward()
            for w in params:
                w.data -= args.lr * w.grad
            total += loss.data * len(batch)
        loss_value = total / len(points)
        if epoch % args.log_every == 0 or epoch == 1 or epoch == args.epochs:
            acc = accuracy(model, points, labels)
            print(f"epoch {epoch:4d}  loss {loss_value:.4f}  accuracy {acc:.3f}")
    final = accuracy(model, points, labels)
    print(f"final accuracy {final:.3f} ({time.perf_counter() - start:.1f} s)")
    return final


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="xor")
    parser.add_argument("--points", type=int, default=50, help="number of training points")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=10, help="points per update")
    parser.add_argument("--hidden", type=int, default=6, help="hidden units")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=25, help="epochs between reports")
    args = parser.parse_args(argv)
    if min(args.points, args.epochs, args.hidden, args.batch_size, args.log_every) < 1:
        parser.error("--points, --epochs, --hidden, --batch-size and --log-every must be positive")
    train(args)


if __name__ == "__main__":
    main()
