"""load_mnist: the embedded subset, local IDX folders, the cache, system installs."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from minitorch.data import mnist
from minitorch.data.idx import IDXError, write_idx
from minitorch.data.mnist import cache_dir, load_mnist, load_mnist_files

FASHION_SYSTEM_DIR = mnist.SYSTEM_DIRS["fashion-mnist"][0]


@pytest.fixture(autouse=True)
def empty_cache(tmp_path_factory, monkeypatch):
    """Point the cache at an empty folder so a real user cache never leaks in."""
    root = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("MINITORCH_DATA", str(root))
    return root


def write_split(folder, split="train", n=6, compress=True, images=None, labels=None):
    """Write a small MNIST-format split into ``folder``; return what was written."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) if images is None else images
    labels = (np.arange(n) % 10).astype(np.uint8) if labels is None else labels
    suffix = ".gz" if compress else ""
    image_name, label_name = mnist.IDX_FILES[split]
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / (image_name + suffix), images, compress=compress)
    write_idx(folder / (label_name + suffix), labels, compress=compress)
    return images, labels


# --- the embedded subset


@pytest.mark.parametrize(("split", "per_class"), [("train", 400), ("test", 100)])
def test_embedded_shapes_dtypes_and_balance(split, per_class):
    images, labels = load_mnist(split)
    assert images.shape == (10 * per_class, 28, 28)
    assert images.dtype == np.uint8
    assert labels.shape == (10 * per_class,)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [per_class] * 10)
    assert images.min() == 0 and images.max() == 255
    # Shuffled, not sorted by class.
    assert (np.diff(labels) != 0).sum() > 10 * per_class // 2


def test_embedded_is_the_default():
    images, labels = load_mnist()
    expected_images, expected_labels = load_mnist("train", "embedded")
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)


def test_embedded_train_and_test_share_no_image():
    train = {image.tobytes() for image in load_mnist("train")[0]}
    test = {image.tobytes() for image in load_mnist("test")[0]}
    assert len(train) == 4000 and len(test) == 1000
    assert not train & test


def test_embedded_files_match_the_readme_checksums():
    readme = (mnist.EMBEDDED_DIR / "README.md").read_text()
    listed = dict(
        (name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M)
    )
    assert set(listed) == {name + ".gz" for names in mnist.IDX_FILES.values() for name in names}
    for name, digest in listed.items():
        assert hashlib.sha256((mnist.EMBEDDED_DIR / name).read_bytes()).hexdigest() == digest


def test_missing_embedded_files_say_how_to_regenerate(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "EMBEDDED_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="embedded MNIST files are missing.*make_embedded"):
        load_mnist("test")


def test_embedded_refuses_data_dir(tmp_path):
    with pytest.raises(ValueError, match="data_dir is not used by dataset='embedded'"):
        load_mnist("train", data_dir=tmp_path)


def test_unknown_split_and_dataset_list_the_choices():
    with pytest.raises(ValueError, match="unknown split 'valid'; choose one of 'train', 'test'"):
        load_mnist("valid")
    with pytest.raises(ValueError, match="unknown dataset 'fashion_mnist'.*'fashion-mnist'"):
        load_mnist("train", "fashion_mnist")


# --- a data_dir of IDX files


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("split", ["train", "test"])
def test_reads_data_dir(tmp_path, compress, split):
    images, labels = write_split(tmp_path, split, compress=compress)
    got_images, got_labels = load_mnist(split, "mnist", data_dir=tmp_path)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    assert got_labels.dtype == np.int64


def test_reads_a_torchvision_root(tmp_path):
    images, _ = write_split(tmp_path / "FashionMNIST" / "raw", "test")
    np.testing.assert_array_equal(load_mnist("test", "fashion-mnist", data_dir=tmp_path)[0], images)


def test_missing_files_say_where_and_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist("test", "mnist", data_dir=tmp_path)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte[.gz]" in message and str(tmp_path) in message
    assert "download=True" in message and "--data-dir" in message


def test_half_a_split_is_reported(tmp_path):
    write_split(tmp_path, "train")
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="has train-images-idx3-ubyte.gz but not train-l"):
        load_mnist("train", "mnist", data_dir=tmp_path)


def test_images_with_wrong_ndim_are_rejected(tmp_path):
    flat = np.zeros((5, 784), dtype=np.uint8)
    write_split(tmp_path, images=flat, labels=np.zeros(5, dtype=np.uint8))
    with pytest.raises(
        IDXError, match=r"expected MNIST images.*got a 2-D uint8 array .*\(5, 784\)"
    ):
        load_mnist("train", "mnist", data_dir=tmp_path)


def test_labels_with_wrong_type_are_rejected(tmp_path):
    write_split(tmp_path, n=3, labels=np.zeros(3, dtype=np.int32))
    with pytest.raises(IDXError, match="expected MNIST labels: a 1-D ubyte array, got a 1-D int32"):
        load_mnist("train", "mnist", data_dir=tmp_path)


def test_mismatched_counts_are_rejected(tmp_path):
    write_split(tmp_path, n=6, labels=np.zeros(5, dtype=np.uint8))
    with pytest.raises(IDXError) as info:
        load_mnist("train", "mnist", data_dir=tmp_path)
    assert "train-labels-idx1-ubyte.gz: has 5 labels but" in str(info.value)
    assert "train-images-idx3-ubyte.gz has 6 images" in str(info.value)


def test_load_mnist_files_reads_any_pair(tmp_path):
    images, labels = write_split(tmp_path, "test", n=3)
    got = load_mnist_files(
        tmp_path / "t10k-images-idx3-ubyte.gz", tmp_path / "t10k-labels-idx1-ubyte.gz"
    )
    np.testing.assert_array_equal(got[0], images)
    np.testing.assert_array_equal(got[1], labels)


# --- the cache folder and system installs


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MINITORCH_DATA", str(tmp_path / "data"))
    assert cache_dir("mnist") == tmp_path / "data" / "mnist"
    monkeypatch.delenv("MINITORCH_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir("fashion-mnist") == tmp_path / "xdg" / "minitorch" / "data" / "fashion-mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir("mnist") == tmp_path / "home" / ".cache" / "minitorch" / "data" / "mnist"


def test_reads_the_cache_without_data_dir(empty_cache):
    images, _ = write_split(empty_cache / "mnist", "test")
    np.testing.assert_array_equal(load_mnist("test", "mnist")[0], images)


def test_reads_a_system_install(tmp_path, monkeypatch):
    monkeypatch.setitem(mnist.SYSTEM_DIRS, "mnist", (tmp_path / "usr-share",))
    images, _ = write_split(tmp_path / "usr-share", "train")
    np.testing.assert_array_equal(load_mnist("train", "mnist")[0], images)


@pytest.mark.skipif(
    not (FASHION_SYSTEM_DIR / "t10k-labels-idx1-ubyte.gz").is_file(),
    reason="Debian's dataset-fashion-mnist is not installed",
)
def test_debian_fashion_mnist_package():
    images, labels = load_mnist("test", "fashion-mnist")
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(labels), [1000] * 10)
    assert len(mnist.FASHION_MNIST_CLASSES) == 10
