"""MNIST and Fashion-MNIST as numpy arrays.

Three sources, one function, :func:`load_mnist`:

- ``dataset="embedded"`` (the default): 4,000 training and 1,000 test digits
  of MNIST shipped inside this package (``embedded/README.md`` says how they
  were chosen), so examples run offline with nothing to fetch;
- ``dataset="mnist"`` or ``"fashion-mnist"`` with ``data_dir=DIR``: the four
  standard IDX files (gzipped or not) in ``DIR``;
- the same without ``data_dir``: the cache folder (:func:`cache_dir`), then
  system-wide installs (Debian's ``dataset-fashion-mnist`` package puts
  Fashion-MNIST in ``/usr/share/datasets/fashion-mnist``); with
  ``download=True`` missing files are fetched by :func:`download_mnist`.

Examples:
    >>> images, labels = load_mnist("train")
    >>> images.shape, images.dtype, labels.shape, labels.dtype
    ((4000, 28, 28), dtype('uint8'), (4000,), dtype('int64'))
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from minitorch.data.idx import IDXError, read_idx

__all__ = [
    "CHECKSUMS",
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "MIRRORS",
    "DownloadError",
    "cache_dir",
    "download_mnist",
    "load_mnist",
    "load_mnist_files",
]

DATASETS = ("embedded", "mnist", "fashion-mnist")
SPLITS = ("train", "test")

# (images, labels) base names per split; each may exist as NAME or NAME.gz.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

EMBEDDED_DIR = Path(__file__).with_name("embedded")

# Where distributions install the files (Debian: dataset-fashion-mnist).
SYSTEM_DIRS: dict[str, tuple[Path, ...]] = {
    "mnist": (),
    "fashion-mnist": (Path("/usr/share/datasets/fashion-mnist"),),
}

# The folder torchvision downloads into under its root, so a torchvision
# root passed as data_dir works too.
TORCHVISION_DIRS = {"mnist": "MNIST/raw", "fashion-mnist": "FashionMNIST/raw"}

MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": (
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        # S3 website endpoints serve plain http only; the MD5 check covers it.
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ),
}

# Published MD5 sums of the gzipped files (the ones torchvision also checks).
CHECKSUMS: dict[str, dict[str, str]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
)  # fmt: skip

DATA_ENV = "MINITORCH_DATA"
MIRRORS_ENV = "MINITORCH_MNIST_MIRRORS"
USER_AGENT = "minitorch-data/0.1 (Python urllib)"
IMAGE_SIZE = (28, 28)


class DownloadError(OSError):
    """No mirror delivered a file with the published checksum."""


class _MirrorFailure(Exception):
    """One mirror gave a bad file; the next mirror is tried."""


def _check_choice(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        known = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; choose one of {known}")


def data_root() -> Path:
    """The folder that holds one cache folder per dataset.

    ``$MINITORCH_DATA`` if set, else ``$XDG_CACHE_HOME/minitorch/data``, else
    ``~/.cache/minitorch/data``.
    """
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says to ignore a relative XDG_CACHE_HOME.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "minitorch" / "data"


def cache_dir(dataset: str) -> Path:
    """The cache folder of ``dataset`` ("mnist" or "fashion-mnist"): ``data_root() / dataset``."""
    _check_choice("dataset", dataset, DATASETS[1:])
    return data_root() / dataset


def _find_split_files(folder: Path, split: str) -> tuple[list[Path], list[str]]:
    """The split's (images, labels) files in ``folder``, and the base names not found."""
    found, missing = [], []
    for base in IDX_FILES[split]:
        hits = [folder / name for name in (base + ".gz", base) if (folder / name).is_file()]
        if hits:
            found.append(hits[0])
        else:
            missing.append(base)
    return found, missing


def _search_dirs(dataset: str, data_dir: str | os.PathLike[str] | None) -> list[Path]:
    if data_dir is not None:
        root = Path(data_dir).expanduser()
        return [root, root / TORCHVISION_DIRS[dataset]]
    return [cache_dir(dataset), *SYSTEM_DIRS[dataset]]


def _not_found_message(dataset: str, split: str, dirs: list[Path], partial: list[str]) -> str:
    images, labels = IDX_FILES[split]
    lines = [
        f"{dataset} {split} files not found: looked for {images}[.gz] and {labels}[.gz] in",
        *(f"  {d}" for d in dirs),
        *partial,
        "Fix: pass download=True to fetch them into the cache folder "
        f"{cache_dir(dataset)}, or pass data_dir=DIR (the examples' --data-dir DIR) "
        "naming a folder that holds them; dataset='embedded' needs no files.",
    ]
    return "\n".join(lines)


def load_mnist_files(
    images_path: str | os.PathLike[str], labels_path: str | os.PathLike[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Read one MNIST-format pair of IDX files and check that they fit together.

    Returns:
        ``(images, labels)``: uint8 of shape (N, 28, 28) and int64 of shape (N,).

    Raises:
        IDXError: a malformed file, images that are not (N, 28, 28) ubyte,
            labels that are not (N,) ubyte, or counts that differ.
    """
    images = read_idx(images_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SIZE:
        raise IDXError(
            images_path,
            f"expected MNIST images: a 3-D ubyte array of shape (N, 28, 28), "
            f"got a {images.ndim}-D {images.dtype} array of shape {images.shape}",
        )
    labels = read_idx(labels_path)
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise IDXError(
            labels_path,
            f"expected MNIST labels: a 1-D ubyte array, "
            f"got a {labels.ndim}-D {labels.dtype} array of shape {labels.shape}",
        )
    if len(images) != len(labels):
        raise IDXError(
            labels_path,
            f"has {len(labels)} labels but {os.fspath(images_path)} has {len(images)} images",
        )
    return images, labels.astype(np.int64)


def load_mnist(
    split: str = "train",
    dataset: str = "embedded",
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Load a split of MNIST or Fashion-MNIST as numpy arrays.

    Args:
        split: "train" or "test".
        dataset: "embedded" (4,000/1,000 MNIST digits shipped with the
            package, the default), "mnist" or "fashion-mnist".
        data_dir: a folder with the standard IDX files (``train-images-
            idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-
            idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each raw or ``.gz``);
            by default the cache folder and system installs are searched.
            Not allowed with "embedded".
        download: fetch missing files (into ``data_dir`` if given, else the
            cache folder) with :func:`download_mnist`. Ignored for "embedded".

    Returns:
        ``(images, labels)``: uint8 of shape (N, 28, 28) with pixels in
        [0, 255], and int64 class indices in [0, 9] of shape (N,).

    Raises:
        ValueError: an unknown split or dataset, or data_dir with "embedded".
        FileNotFoundError: the files are missing and download is false; the
            message lists where it looked and how to fix it.
        IDXError: a file is malformed or the pair does not fit together.
        DownloadError: download was requested and no mirror delivered.
    """
    _check_choice("split", split, SPLITS)
    _check_choice("dataset", dataset, DATASETS)
    if dataset == "embedded":
        if data_dir is not None:
            raise ValueError(
                "data_dir is not used by dataset='embedded' (its files ship inside the "
                "package); pass dataset='mnist' or 'fashion-mnist' to read files from "
                f"{os.fspath(data_dir)}"
            )
        dirs = [EMBEDDED_DIR]
    else:
        dirs = _search_dirs(dataset, data_dir)

    partial = []
    for folder in dirs:
        found, missing = _find_split_files(folder, split)
        if not missing:
            return load_mnist_files(*found)
        if found:
            partial.append(f"{folder} has {found[0].name} but not {' or '.join(missing)}[.gz]")

    if dataset == "embedded":
        raise FileNotFoundError(
            f"the embedded MNIST files are missing from {EMBEDDED_DIR}; reinstall mt-nn "
            "or regenerate them with scripts/make_embedded_mnist.py"
        )
    if download:
        found, _ = _find_split_files(download_mnist(dataset, root=dirs[0]), split)
        return load_mnist_files(*found)
    raise FileNotFoundError(_not_found_message(dataset, split, dirs, partial))


def _md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _mirror_list(dataset: str, mirrors: Sequence[str] | None) -> list[str]:
    if mirrors is None:
        configured = os.environ.get(MIRRORS_ENV, "")
        mirrors = [m.strip() for m in configured.split(",") if m.strip()] or MIRRORS[dataset]
    if isinstance(mirrors, str) or not mirrors:
        raise ValueError(f"mirrors must be a non-empty list of base URLs, got {mirrors!r}")
    return list(mirrors)


def _fetch(url: str, dest: Path, expected_md5: str, timeout: float) -> None:
    """Download ``url`` to ``dest`` via a temp file beside it, renamed only once verified."""
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        digest = hashlib.md5(usedforsecurity=False)
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as resp:
            announced = resp.headers.get("Content-Length")
            while chunk := resp.read(1 << 16):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
        # http.client returns a short body without complaint when the server
        # closes early, so the length is checked here.
        if announced is not None and announced.isdigit() and received != int(announced):
            raise _MirrorFailure(f"transfer interrupted: received {received} of {announced} bytes")
        if digest.hexdigest() != expected_md5:
            raise _MirrorFailure(
                f"MD5 checksum mismatch: got {digest.hexdigest()}, published {expected_md5} "
                "(corrupt or altered file)"
            )
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def download_mnist(
    dataset: str = "mnist",
    root: str | os.PathLike[str] | None = None,
    mirrors: Sequence[str] | None = None,
    timeout: float = 60.0,
    verbose: bool = True,
) -> Path:
    """Download the four gzipped IDX files of ``dataset``, verifying their MD5 sums.

    Each file goes to a temp file in ``root`` and is renamed into place only
    after its checksum matches, so an interrupted or corrupt transfer leaves
    nothing behind. Files already present with the right checksum are kept.

    Args:
        dataset: "mnist" or "fashion-mnist".
        root: destination folder (created if needed); default
            :func:`cache_dir` of ``dataset``.
        mirrors: base URLs tried in order for each file; default
            ``$MINITORCH_MNIST_MIRRORS`` (comma-separated) if set, else
            :data:`MIRRORS`.
        timeout: seconds to wait on a stalled connection.
        verbose: print one line per download to stderr.

    Returns:
        The folder holding the files.

    Raises:
        ValueError: an unknown dataset or an empty mirror list.
        DownloadError: every mirror failed for some file; the message lists
            each mirror's error and the offline fixes (``--data-dir``, the
            cache folder).
    """
    _check_choice("dataset", dataset, DATASETS[1:])
    urls = _mirror_list(dataset, mirrors)
    folder = Path(root).expanduser() if root is not None else cache_dir(dataset)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder):
        pass  # an unwritable folder is a local error, not a mirror failure
    for name, md5 in CHECKSUMS[dataset].items():
        dest = folder / name
        if dest.is_file() and _md5_of(dest) == md5:
            continue
        failures = []
        for base in urls:
            url = base.rstrip("/") + "/" + name
            if verbose:
                print(f"downloading {url}", file=sys.stderr)
            try:
                _fetch(url, dest, md5, timeout)
                break
            except (OSError, http.client.HTTPException, ValueError, _MirrorFailure) as err:
                failures.append(f"  {url}: {err}")
        else:
            raise DownloadError(_download_failed_message(dataset, name, failures, folder))
    return folder


def _download_failed_message(dataset: str, name: str, failures: list[str], folder: Path) -> str:
    cache = cache_dir(dataset)
    places = f"{cache}" if folder == cache else f"{folder} or the cache folder {cache}"
    return "\n".join(
        [
            f"could not download {name} ({dataset}): every mirror failed",
            *failures,
            "If this machine is offline, fetch the four files elsewhere "
            f"({', '.join(CHECKSUMS[dataset])}) and either pass --data-dir DIR "
            f"(load_mnist(dataset={dataset!r}, data_dir=DIR)) naming their folder, "
            f"or copy them into {places}.",
            f"Other mirrors can be given in ${MIRRORS_ENV} (comma-separated base URLs).",
        ]
    )
