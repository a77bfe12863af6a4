"""Reproduce the seed's ablation study (§6 and §8) and write its plots.

    python examples/seed_ablation.py                 # the seed's scale: 500 train, 200 test, batch 50
    python examples/seed_ablation.py --scale full    # the whole train split of the chosen dataset

Studies: Z-score vs raw pixels; Adam vs SGD; uniform / He / zero init; L2
off / small / large; CE / BCE / MSE x SGD / Adam; CNN vs MLP. Each study
writes one PNG (train and test accuracy per epoch, one line per setting);
all of them share one markdown table of final accuracies.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from mnist_cnn import SeedCNN
from mnist_mlp import RAW_PIXELS, SeedMLP, initialize, make_loss, make_optimizer
from training import EpochResult, add_common_args, fit, load_data

import minitorch.tensor as mt


@dataclass(frozen=True)
class Setting:
    label: str
    model: str = "mlp"  # mlp | cnn
    optim: str = "sgd"
    lr: float = 0.1
    loss: str = "ce"
    init: str = "he"  # uniform | he | zero | default (PyTorch's, for the CNN)
    init_range: float = 0.05
    weight_decay: float = 0.0  # PyTorch's; the seed's L2 lambda is half of it
    normalize: bool = True


@dataclass
class Run:
    study: str
    setting: Setting
    params: int
    history: list[EpochResult] = field(default_factory=list)


ADAM = {"optim": "adam", "lr": 1e-3}
STUDIES: dict[str, list[Setting]] = {
    # §5E / §6B.1: raw 0..255 pixels need a tiny init and lr; Z-scored ones a 10x larger one.
    "zscore": [
        Setting("raw pixels, U[-0.005, 0.005], lr 0.01", init="uniform", init_range=0.005, lr=0.01,
                normalize=False),
        Setting("Z-score, U[-0.05, 0.05], lr 0.1", init="uniform", init_range=0.05, lr=0.1),
    ],
    # §6B.2
    "optimizer": [Setting("SGD lr 0.1"), Setting("Adam lr 1e-3", **ADAM)],
    # §6B.3
    "init": [
        Setting("uniform U[-0.05, 0.05]", init="uniform"),
        Setting("He U[-sqrt(6/fan_in), +]", init="he"),
        Setting("zero", init="zero"),
    ],
    # §6B.4: weight_decay = 2 * lambda
    "l2": [
        Setting("no L2"),
        Setting("L2 lambda 1e-3", weight_decay=2e-3),
        Setting("L2 lambda 5e-2", weight_decay=1e-1),
    ],
    # §6B.5
    "loss": [
        Setting("CE + SGD", loss="ce"), Setting("BCE + SGD", loss="bce"),
        Setting("BCE + SGD lr 1.0", loss="bce", lr=1.0), Setting("MSE + SGD", loss="mse"),
        Setting("CE + Adam", loss="ce", **ADAM), Setting("BCE + Adam", loss="bce", **ADAM),
        Setting("MSE + Adam", loss="mse", **ADAM),
    ],
    # §8: Adam and cross entropy for both
    "cnn_vs_mlp": [
        Setting("MLP", **ADAM),
        Setting("CNN (PyTorch's default init)", model="cnn", init="default", **ADAM),
        Setting("CNN (He init)", model="cnn", init="he", **ADAM),
    ],
}


def run_setting(study: str, s: Setting, args: argparse.Namespace, data: dict) -> Run:
    mt.manual_seed(args.seed)
    model = SeedCNN() if s.model == "cnn" else SeedMLP()
    if s.init != "default":
        initialize(model, s.init, s.init_range)
    if args.backend:
        model.to(args.backend)
    optimizer = make_optimizer(s.optim, model, s.lr, s.weight_decay)
    run = Run(study, s, sum(p.numel() for p in model.parameters()))
    train, test = data[s.normalize]
    quiet = argparse.Namespace(**{**vars(args), "save": None, "no_progress": True})
    print(f"[{study}] {s.label}")
    run.history = fit(model, optimizer, make_loss(s.loss), train, test, quiet,
                      log=lambda line: print("    " + line))
    return run


def plot_study(study: str, runs: list[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for run in runs:
        epochs = [h.epoch for h in run.history]
        left.plot(epochs, [h.train_acc for h in run.history], marker=".", label=run.setting.label)
        right.plot(epochs, [h.test_acc for h in run.history], marker=".", label=run.setting.label)
    left.set(xlabel="epoch", ylabel="accuracy", title="train accuracy")
    right.set(xlabel="epoch", title="test accuracy")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    right.legend(fontsize=8, loc="lower right")
    fig.suptitle(f"seed ablation: {study}")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def markdown_table(runs: list[Run]) -> str:
    lines = ["| study | setting | parameters | final train acc | final test acc | best test acc |",
             "|---|---|---:|---:|---:|---:|"]
    for r in runs:
        last = r.history[-1]
        best = max(h.test_acc for h in r.history)
        lines.append(f"| {r.study} | {r.setting.label} | {r.params:,} | {last.train_acc:.3f} | "
                     f"{last.test_acc:.3f} | {best:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[Run]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser, epochs=10, batch_size=50, lr=0.1)
    parser.add_argument("--scale", choices=["seed", "full"], default="seed",
                        help="seed: 500 train / 200 test images as in the seed; full: the whole splits")
    parser.add_argument("--studies", default=",".join(STUDIES), help="comma-separated subset of studies")
    parser.add_argument("--out", default="out/ablation", help="folder for the PNGs, table and JSON")
    args = parser.parse_args(argv)
    if args.scale == "seed":
        args.train_size = args.train_size or 500
        args.test_size = args.test_size or 200
    wanted = [s for s in args.studies.split(",") if s]
    unknown = [s for s in wanted if s not in STUDIES]
    if unknown:
        parser.error(f"unknown studies {unknown}; known: {', '.join(STUDIES)}")

    data = {True: load_data(args, normalize=True), False: load_data(args, normalize=RAW_PIXELS)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for study in wanted:
        study_runs = [run_setting(study, s, args, data) for s in STUDIES[study]]
        plot_study(study, study_runs, out / f"{study}.png")
        runs.extend(study_runs)
    table = markdown_table(runs)
    (out / "results.md").write_text(table)
    (out / "results.json").write_text(json.dumps(
        [{"study": r.study, "setting": r.setting.label, "params": r.params,
          "history": [h.__dict__ for h in r.history]} for r in runs], indent=1))
    print(table)
    return runs


if __name__ == "__main__":
    main()
