"""`from minitorch.data.vision import datasets, transforms`: torchvision's MNIST
and its three transforms, the pieces PyTorch's MNIST examples use.

`datasets.MNIST(root, train=..., download=..., transform=...)` is minitorch's
`MNIST` behind torchvision's signature. By default it holds the embedded digits
that ship with mt-nn (4,000 train / 1,000 test; `root` and `download` are then
not needed and are ignored); ``dataset="mnist"`` or ``"fashion-mnist"`` reads the
full sets from `root` (fetching them with ``download=True``).

The transforms work on numpy arrays of any leading shape, so the loader applies
them to a whole batch at once (`get_batch`) instead of once per image:
`ToTensor` turns uint8 (..., H, W) pixels into float32 (..., 1, H, W) in [0, 1],
`Normalize(mean, std)` standardizes, `Compose` chains them.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import minitorch.tensor as mt

from .dataset import MNIST as _MNIST
from .dataset import _check_index


class ToTensor:
    """uint8 pixels (..., H, W) -> float32 (..., 1, H, W) scaled to [0, 1]."""

    def __call__(self, images: np.ndarray) -> np.ndarray:
        x = np.asarray(images)
        scaled = x.astype(np.float32) / np.float32(255.0) if x.dtype == np.uint8 else x
        return scaled[..., None, :, :].astype(np.float32)


class Normalize:
    """(x - mean) / std per channel (one channel here: MNIST is grey)."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {list(std)}")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std


class Compose:
    """Apply transforms in order."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x


class MNIST(_MNIST):
    """torchvision's ``MNIST(root, train=True, transform=None, target_transform=None,
    download=False)`` over minitorch's digits (see the module docstring)."""

    def __init__(self, root: str | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 download: bool = False, dataset: str = "embedded") -> None:
        embedded = dataset == "embedded"
        super().__init__("train" if train else "test", dataset,
                         data_dir=None if embedded else root, download=download and not embedded)
        self.transform = transform or ToTensor()
        self.target_transform = target_transform

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        i = _check_index(index, len(self), "MNIST")
        image = mt.tensor(self.transform(self.images[i]))
        label = int(self.labels[i])
        return image, self.target_transform(label) if self.target_transform else label

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        labels = self.labels[indices]
        if self.target_transform is not None:
            labels = np.asarray([self.target_transform(int(v)) for v in labels])
        return self.transform(self.images[indices]), labels


datasets = types.SimpleNamespace(MNIST=MNIST)
transforms = types.SimpleNamespace(Compose=Compose, ToTensor=ToTensor, Normalize=Normalize)

__all__ = ["MNIST", "Compose", "Normalize", "ToTensor", "datasets", "transforms"]
