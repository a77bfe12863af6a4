"""Finding backends: entry points, loaded lazily, each plugin in its own try.

The first lookup loads every entry point of the group ``minitorch.backends``
and asks each plugin's hook for its backends. A plugin that fails to import,
whose hook raises, or that returns something that is not a Backend is
reported once with a warning naming the entry point and the error, and
skipped; the others keep working.
"""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass
from importlib import metadata

import pluggy

from .backend import Backend
from .device import device, parse_device
from .hookspec import ENTRY_POINT_GROUP, PROJECT, BackendSpec

ENV_DEFAULT = "MINITORCH_BACKEND"
ENV_DISABLED = "MINITORCH_DISABLED_BACKENDS"


class BackendError(LookupError):
    """An unknown, disabled or unavailable backend was requested."""


class BackendPluginWarning(UserWarning):
    """A backend plugin failed to load and was skipped."""


@dataclass
class PluginFailure:
    entry_point: str
    error: str


class Registry:
    """All backends known to this process."""

    def __init__(self) -> None:
        self._backends: dict[str, Backend] | None = None
        self._failures: list[PluginFailure] = []
        self._lock = threading.Lock()
        self._default_cache: tuple[frozenset[str], Backend] | None = None
        self._claimed_by: dict[str, str] = {}  # backend name -> "name = value" of its entry point

    # -- loading --------------------------------------------------------------
    def _load(self) -> dict[str, Backend]:
        with self._lock:
            if self._backends is not None:
                return self._backends
            manager = pluggy.PluginManager(PROJECT)
            manager.add_hookspecs(BackendSpec)
            found: dict[str, Backend] = {}
            for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                source = getattr(ep, "dist", None)
                dist = source.name if source is not None else None
                try:
                    backends = self._call_plugin(manager, ep)
                except Exception as exc:  # any plugin failure is isolated
                    self._fail(f"{ep.name} = {ep.value}", f"{type(exc).__name__}: {exc}")
                    continue
                for backend in backends:
                    if backend.distribution is None:
                        backend.distribution = dist
                    if backend.name in found:
                        # A name clash: the entry point named after the backend keeps
                        # it, so a stray plugin cannot shadow e.g. "python".
                        previous = self._claimed_by[backend.name]
                        current = f"{ep.name} = {ep.value}"
                        keep_previous = previous.split(" = ")[0] == backend.name or ep.name != backend.name
                        self._fail(
                            current if keep_previous else previous,
                            f"backend name {backend.name!r} is claimed by entry points "
                            f"{previous.split(' = ')[0]!r} and {ep.name!r}; the one named after "
                            "the backend wins",
                        )
                        if keep_previous:
                            continue
                    found[backend.name] = backend
                    self._claimed_by[backend.name] = f"{ep.name} = {ep.value}"
            self._backends = found
            return found

    @staticmethod
    def _call_plugin(manager: pluggy.PluginManager, ep: metadata.EntryPoint) -> list[Backend]:
        module = ep.load()
        manager.register(module, name=ep.name)
        try:
            impls = [i for i in manager.hook.minitorch_register_backends.get_hookimpls()
                     if i.plugin_name == ep.name]
            if not impls:
                raise TypeError("plugin implements no minitorch_register_backends hook")
            backends: list[Backend] = []
            for impl in impls:
                result = impl.function()
                items = list(result) if isinstance(result, (list, tuple)) else [result]
                for item in items:
                    if not isinstance(item, Backend) or not item.name:
                        raise TypeError(
                            f"hook returned {item!r}, expected a named "
                            "minitorch.tensor.backend.Backend instance"
                        )
                    backends.append(item)
            return backends
        except Exception:
            manager.unregister(name=ep.name)  # no half-registered plugin
            raise

    def _fail(self, where: str, error: str) -> None:
        self._failures.append(PluginFailure(where, error))
        warnings.warn(
            f"minitorch backend plugin {where!r} failed and was skipped: {error}",
            BackendPluginWarning,
            stacklevel=4,
        )

    def register(self, backend: Backend) -> None:
        """Add a backend by hand (tests, notebooks); entry points are the normal way."""
        found = self._load()
        if backend.name in found:
            raise BackendError(f"a backend named {backend.name!r} is already registered")
        found[backend.name] = backend
        self._claimed_by[backend.name] = f"{backend.name} = (registered by hand)"
        self._default_cache = None

    def unregister(self, name: str) -> None:
        self._load().pop(name, None)
        self._default_cache = None

    # -- lookup ---------------------------------------------------------------
    @staticmethod
    def _disabled() -> set[str]:
        raw = os.environ.get(ENV_DISABLED, "")
        return {n.strip() for n in raw.split(",") if n.strip()}

    def names(self) -> list[str]:
        return sorted(self._load())

    def backends(self) -> list[Backend]:
        """Every registered backend object, available or not (loading the plugins first)."""
        return list(self._load().values())

    def failures(self) -> list[PluginFailure]:
        self._load()
        return list(self._failures)

    def get(self, name: str | Backend | device | None = None) -> Backend:
        """The backend called `name` (None: the default), ready to use.

        `name` may also be a device, or a device string as PyTorch code writes
        it: "cpu" is the best CPU backend, "cuda" / "cuda:0" the CUDA backend.
        """
        if isinstance(name, Backend):
            return name
        if name is None:
            return self.default()
        if isinstance(name, device):
            name = name.spec
        kind, _, backend_name = parse_device(name)
        if kind == "cpu":
            return self.cpu()
        name = backend_name or "cuda"
        backends = self._load()
        if name not in backends:
            raise BackendError(
                f"unknown backend {name!r}; installed: {', '.join(sorted(backends)) or 'none'}"
            )
        if name in self._disabled():
            raise BackendError(f"backend {name!r} is disabled by {ENV_DISABLED}")
        backend = backends[name]
        if not backend.is_available():
            raise BackendError(
                f"backend {name!r} is not available: {backend.unavailable_reason()}"
            )
        return backend

    def default(self) -> Backend:
        """MINITORCH_BACKEND if set, else the highest-priority available CPU backend."""
        wanted = os.environ.get(ENV_DEFAULT)
        if wanted:
            return self.get(wanted)
        return self._best_cpu()

    def cpu(self) -> Backend:
        """The device "cpu": MINITORCH_BACKEND when it names a CPU backend, else the best one."""
        wanted = os.environ.get(ENV_DEFAULT)
        if wanted and wanted not in ("cpu", "cuda") and not wanted.startswith("cuda:"):
            backend = self.get(wanted)
            if not backend.is_gpu:
                return backend
        return self._best_cpu()

    def _best_cpu(self) -> Backend:
        disabled = frozenset(self._disabled())
        if self._default_cache is not None and self._default_cache[0] == disabled:
            return self._default_cache[1]
        candidates = [
            b for b in self._load().values()
            if not b.is_gpu and b.name not in disabled and b.is_available()
        ]
        if not candidates:
            raise BackendError(
                "no CPU backend is available; installed: "
                f"{', '.join(self.names()) or 'none'} (is mt-tensor installed?)"
            )
        best = max(candidates, key=lambda b: (b.priority, b.name))
        self._default_cache = (disabled, best)
        return best

    def describe(self) -> list[dict[str, object]]:
        """One row per backend for listings: name, distribution, version, status."""
        rows = []
        disabled = self._disabled()
        try:
            default_name = self.default().name
        except BackendError:
            default_name = None
        for name in self.names():
            b = self._load()[name]
            if name in disabled:
                status = f"disabled by {ENV_DISABLED}"
            elif b.is_available():
                status = "available"
            else:
                status = f"unavailable: {b.unavailable_reason()}"
            rows.append({
                "name": name, "distribution": b.distribution or "?", "version": b.version,
                "status": status, "default": name == default_name,
            })
        return rows


REGISTRY = Registry()


def get_backend(name: str | Backend | device | None = None) -> Backend:
    return REGISTRY.get(name)


def list_backends() -> list[dict[str, object]]:
    return REGISTRY.describe()
