"""Devices, spelled the way PyTorch code spells them.

A device is where a tensor's storage lives, which in minitorch means which
backend computes on it. PyTorch code names devices by kind: ``"cpu"``,
``"cuda"``, ``"cuda:0"``, ``torch.device("cuda")``. minitorch accepts those
and its own backend names (``"numba"``, ``"python"``) wherever it takes a
device or a backend:

- ``"cpu"`` is the best available CPU backend (``MINITORCH_BACKEND`` when it
  names a CPU backend, else the highest-priority one);
- ``"cuda"`` and ``"cuda:0"`` are the CUDA backend; it drives one GPU, so
  any other index is refused;
- a backend name is that backend, a CPU or a GPU device by its kind.

Deviation from PyTorch: a device without an index equals one with an index
of the same kind (``device("cuda") == device("cuda:0")``, False in
PyTorch), and ``"cpu"`` equals every CPU backend's device, so that
``t.device == what_was_asked_for`` holds for whatever was asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import Backend

KINDS = ("cpu", "cuda")


def parse_device(spec: str) -> tuple[str | None, int | None, str | None]:
    """``"cuda:0"`` -> ("cuda", 0, None); ``"numba"`` -> (None, None, "numba").

    The first item is the kind when the string names one, the last the backend
    name when it names a backend instead (its kind is the backend's).
    """
    name, colon, index_text = spec.partition(":")
    if name not in KINDS:
        if colon:
            raise ValueError(f"device: {spec!r} is not a device; an index only follows "
                             f"'cpu' or 'cuda' ('cuda:0')")
        return None, None, spec
    index = None
    if colon:
        if not index_text.isdigit():
            raise ValueError(f"device: invalid device string {spec!r}; expected e.g. 'cuda:0'")
        index = int(index_text)
        if index != 0:
            raise ValueError(f"device: {spec!r} is not available; minitorch's {name} backend "
                             f"drives one device, {name}:0")
    return name, index, None


class device:  # noqa: N801 - PyTorch's name
    """``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 0)``, ``device("numba")``."""

    __slots__ = ("type", "index", "backend_name")
    type: str  # "cpu" or "cuda"
    index: int | None
    backend_name: str | None  # None: any backend of this kind ("cpu": the best one)

    def __init__(self, spec: str | device, index: int | None = None) -> None:
        if isinstance(spec, device):
            if index is not None:
                raise ValueError("device: give the index in the device or as index=, not both")
            self.type, self.index, self.backend_name = spec.type, spec.index, spec.backend_name
            return
        if not isinstance(spec, str):
            raise TypeError(f"device: expected a string or a device, got {type(spec).__name__}")
        kind, parsed_index, backend_name = parse_device(spec)
        if index is not None:
            if parsed_index is not None:
                raise ValueError(f"device: {spec!r} already has an index; got index={index} too")
            kind, parsed_index, backend_name = parse_device(f"{spec}:{index}")
        if kind is None:
            from .registry import get_backend

            kind = "cuda" if get_backend(backend_name).is_gpu else "cpu"
        self.type = kind
        self.index = parsed_index
        self.backend_name = backend_name

    @classmethod
    def of(cls, backend: Backend) -> device:
        """The device of tensors on `backend`."""
        d = cls.__new__(cls)
        d.type = "cuda" if backend.is_gpu else "cpu"
        d.index = 0 if backend.is_gpu else None
        d.backend_name = backend.name
        return d

    @property
    def backend(self) -> Backend:
        """The backend this device computes on."""
        from .registry import get_backend

        return get_backend(self.spec)

    @property
    def spec(self) -> str:
        """What the backend registry resolves: the backend name, or the kind."""
        return self.backend_name or self.type

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (ValueError, LookupError):
                return False
        if not isinstance(other, device) or self.type != other.type:
            return False
        if self.index is not None and other.index is not None and self.index != other.index:
            return False
        return (self.backend_name is None or other.backend_name is None
                or self.backend_name == other.backend_name)

    def __hash__(self) -> int:
        return hash(self.type)  # equal devices always share a kind

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        parts = [f"type={self.type!r}"]
        if self.index is not None:
            parts.append(f"index={self.index}")
        if self.backend_name is not None and self.backend_name != self.type:
            parts.append(f"backend={self.backend_name!r}")
        return f"device({', '.join(parts)})"
