"""The backend registry: entry points, broken plugins, environment variables.

Nothing is installed into the environment: a temporary directory holds a fake
distribution (`mt_fake_plugins-0.1.dist-info` with an `entry_points.txt`) and
its plugin modules, and goes on the `PYTHONPATH` of a fresh interpreter, so the
registry there loads from scratch. Its entry points:

    broken_import   the module raises while being imported
    broken_hook     the hook raises
    not_a_backend   the hook returns a string
    no_hook         the module has no hook at all
    toy             good: "toy" (priority 5), "toy_gpu" (is_gpu, priority 100)
                    and "toy_missing" (unavailable, priority 99)
    zz_duplicate    a good module that claims the name "python" again

The backends really installed here (python; numpy when examples/third-party-backend
is installed; numba, cuda when theirs are) must keep working beside them. Rules
that need no fake distribution run in process, on a private `Registry`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from minitorch.tensor.backend import Backend
from minitorch.tensor.backends.reference import ReferenceBackend
from minitorch.tensor.registry import ENV_DEFAULT, ENV_DISABLED, BackendError, Registry

# entry point -> (what the warning names it by, the error it reports)
BROKEN = {
    "broken_import": ("broken_import = mt_fake_broken_import",
                      "RuntimeError: cannot find libfrobnicate"),
    "broken_hook": ("broken_hook = mt_fake_broken_hook", "ValueError: hook exploded"),
    "not_a_backend": ("not_a_backend = mt_fake_not_a_backend",
                      "TypeError: hook returned 'not a backend', expected a named"),
    "no_hook": ("no_hook = mt_fake_no_hook",
                "TypeError: plugin implements no minitorch_register_backends hook"),
    "zz_duplicate": ("zz_duplicate = mt_fake_duplicate",
                     "backend name 'python' is claimed by entry points 'python' and 'zz_duplicate'"),
}
FAKE_BACKENDS = {"toy", "toy_gpu", "toy_missing"}

HAS_NUMPY_BACKEND = importlib.util.find_spec("mt_numpy_backend") is not None
# Backends each fresh interpreter computes with; numba and cuda are only listed,
# since compiling their kernels in every subprocess would cost seconds.
COMPUTE = ["python", "toy"] + (["numpy"] if HAS_NUMPY_BACKEND else [])
# The one picked by MINITORCH_BACKEND / hidden by MINITORCH_DISABLED_BACKENDS;
# toy stands in for numpy where the example distribution is not installed.
SELECTED = "numpy" if HAS_NUMPY_BACKEND else "toy"

PLUGIN_MODULES = {
    "mt_fake_broken_import": """
        raise RuntimeError("cannot find libfrobnicate")
    """,
    "mt_fake_broken_hook": """
        from minitorch.tensor import hookimpl

        @hookimpl
        def minitorch_register_backends():
            raise ValueError("hook exploded")
    """,
    "mt_fake_not_a_backend": """
        from minitorch.tensor import hookimpl

        @hookimpl
        def minitorch_register_backends():
            return "not a backend"
    """,
    "mt_fake_no_hook": """
        def minitorch_register_backends():  # no @hookimpl: not a hook
            return []
    """,
    "mt_fake_toy": """
        from minitorch.tensor import hookimpl
        from minitorch.tensor.backends.reference import ReferenceBackend

        class Toy(ReferenceBackend):
            name, priority = "toy", 5

            def __init__(self):
                self.version = "9.9"

        class ToyGpu(Toy):
            name, priority, is_gpu = "toy_gpu", 100, True

        class ToyMissing(Toy):
            name, priority = "toy_missing", 99

            def is_available(self):
                return False

            def unavailable_reason(self):
                return "needs a frobnicator"

        @hookimpl
        def minitorch_register_backends():
            return [Toy(), ToyGpu(), ToyMissing()]
    """,
    "mt_fake_duplicate": """
        from minitorch.tensor import hookimpl
        from minitorch.tensor.backends.reference import ReferenceBackend

        @hookimpl
        def minitorch_register_backends():
            return [ReferenceBackend()]  # a second "python"
    """,
}

ENTRY_POINTS = """\
[minitorch.backends]
broken_import = mt_fake_broken_import
broken_hook = mt_fake_broken_hook
not_a_backend = mt_fake_not_a_backend
no_hook = mt_fake_no_hook
toy = mt_fake_toy
zz_duplicate = mt_fake_duplicate
"""

# Runs in the fresh interpreter (argv: the backends to compute with) and
# prints one JSON report.
PROBE = """
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")  # so that a repeated warning would show
    import minitorch.tensor as mt
    report = {"warned_at_import": len(caught)}
    rows = mt.list_backends()
    mt.list_backends()
    report["rows"] = {r["name"]: r for r in rows}
    report["computed"] = {}
    for name in sys.argv[1:]:
        try:
            value = (mt.tensor([1.0, 2.0], backend=name) * 3.0).sum().item()
        except Exception as exc:
            value = f"{type(exc).__name__}: {exc}"
        report["computed"][name] = value
    for key, call in [("default", lambda: mt.get_backend().name),
                      ("created_on", lambda: mt.ones(2).backend.name),
                      ("unknown", lambda: mt.get_backend("nmpy"))]:
        try:
            report[key] = call()
        except mt.BackendError as exc:
            report[key] = f"BackendError: {exc}"
    report["failures"] = [[f.entry_point, f.error] for f in mt.REGISTRY.failures()]
report["warnings"] = [[w.category.__name__, str(w.message)] for w in caught]
print(json.dumps(report))
"""


# -- fixtures and helpers -----------------------------------------------------------
@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fake_plugins")
    info = root / "mt_fake_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mt-fake-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    for module, source in PLUGIN_MODULES.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))
    return root


def run(plugin_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python *args` in a fresh interpreter with the fake plugins on its path."""
    clean = {k: v for k, v in os.environ.items() if k not in (ENV_DEFAULT, ENV_DISABLED)}
    clean["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(plugin_dir), clean.get("PYTHONPATH")) if p)
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                            env={**clean, **env}, timeout=120, check=False)
    if result.returncode != 0:
        raise AssertionError(f"python {' '.join(args)} failed:\n{result.stderr}")
    return result


def probe(plugin_dir: Path, **env: str) -> dict:
    return json.loads(run(plugin_dir, "-c", PROBE, *COMPUTE, **env).stdout)


@pytest.fixture(scope="module")
def loaded(plugin_dir: Path) -> dict:
    """The report of one interpreter with every fake plugin and no environment."""
    return probe(plugin_dir)


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(ENV_DEFAULT, raising=False)
    monkeypatch.delenv(ENV_DISABLED, raising=False)
    return monkeypatch


@pytest.fixture(scope="module")
def installed() -> dict[str, Backend]:
    """The backends really installed here, loaded by a private registry."""
    with pytest.MonkeyPatch.context() as env:
        env.delenv(ENV_DISABLED, raising=False)
        registry = Registry()
        return {row["name"]: registry.get(row["name"]) for row in registry.describe()
                if row["status"] == "available"}


def best_cpu(backends: dict[str, Backend]) -> str:
    """The registry's rule: the highest (priority, name) among available CPU backends."""
    return max((b for b in backends.values() if not b.is_gpu),
               key=lambda b: (b.priority, b.name)).name


# -- broken plugins, in a fresh interpreter ---------------------------------------------
def test_importing_loads_no_plugin(loaded: dict) -> None:
    assert loaded["warned_at_import"] == 0


@pytest.mark.parametrize("entry_point", sorted(BROKEN))
def test_broken_plugin_warns_once_naming_entry_point_and_error(
        loaded: dict, entry_point: str) -> None:
    where, error = BROKEN[entry_point]
    mine = [(category, message) for category, message in loaded["warnings"]
            if f"'{entry_point} = " in message]
    assert len(mine) == 1, f"{entry_point}: expected one warning, got {mine}"
    category, message = mine[0]
    assert category == "BackendPluginWarning"
    assert message.startswith(f"minitorch backend plugin {where!r} failed and was skipped: ")
    assert error in message


def test_only_the_broken_plugins_warn(loaded: dict) -> None:
    assert len(loaded["warnings"]) == len(BROKEN), loaded["warnings"]
    assert sorted(ep.split(" = ")[0] for ep, _ in loaded["failures"]) == sorted(BROKEN)


def test_good_backends_still_list_and_compute(loaded: dict, installed: dict) -> None:
    for name in [*installed, "toy", "toy_gpu"]:
        assert loaded["rows"][name]["status"] == "available", loaded["rows"][name]
    for name in COMPUTE:
        assert loaded["computed"][name] == 9.0, name
    assert loaded["rows"]["python"]["distribution"] == "mt-tensor"  # not the impostor
    assert loaded["rows"]["toy"]["distribution"] == "mt-fake-plugins"
    assert loaded["rows"]["toy"]["version"] == "9.9"


def test_broken_plugins_register_nothing(loaded: dict) -> None:
    fakes = {name for name, row in loaded["rows"].items()
             if row["distribution"] == "mt-fake-plugins"}
    assert fakes == FAKE_BACKENDS


def test_unavailable_backend_is_listed_with_its_reason(loaded: dict) -> None:
    assert loaded["rows"]["toy_missing"]["status"] == "unavailable: needs a frobnicator"


def test_default_is_the_best_available_cpu_backend(loaded: dict, installed: dict) -> None:
    # toy_gpu (100) is a GPU backend and toy_missing (99) is unavailable: neither
    # becomes the default, though both outrank every CPU backend.
    toy = ReferenceBackend()
    toy.name, toy.priority = "toy", 5
    best = best_cpu({**installed, "toy": toy})
    assert loaded["default"] == loaded["created_on"] == best
    assert [name for name, row in loaded["rows"].items() if row["default"]] == [best]


def test_unknown_backend_lists_the_installed_ones(loaded: dict, installed: dict) -> None:
    message = loaded["unknown"]
    assert message.startswith("BackendError: unknown backend 'nmpy'; installed: ")
    listed = set(message.split("installed: ")[1].split(", "))
    assert {*installed, *FAKE_BACKENDS} <= listed
    assert not set(BROKEN) & listed


def test_listing_command_reports_failed_plugins(plugin_dir: Path, installed: dict) -> None:
    result = run(plugin_dir, "-m", "minitorch.tensor", "backends")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "distribution", "version", "status", "default"]
    listed = {line.split()[0] for line in lines[1:] if not line.startswith("failed plugin")}
    assert {*installed, *FAKE_BACKENDS} <= listed
    for entry_point, (where, error) in BROKEN.items():
        reported = [line for line in lines if line.startswith(f"failed plugin {entry_point} = ")]
        assert len(reported) == 1, lines
        assert reported[0].startswith(f"failed plugin {where}: {error}")
        assert result.stderr.count(f"'{entry_point} = ") == 1, result.stderr


def test_disabled_backends_are_hidden(plugin_dir: Path) -> None:
    report = probe(plugin_dir, **{ENV_DISABLED: f" {SELECTED} ,toy_gpu,toy"})
    for name in {SELECTED, "toy", "toy_gpu"}:
        assert report["rows"][name]["status"] == f"disabled by {ENV_DISABLED}"
        assert not report["rows"][name]["default"]
    for name in {SELECTED, "toy"}:
        assert report["computed"][name] == (
            f"BackendError: backend {name!r} is disabled by {ENV_DISABLED}")
    assert report["default"] not in (SELECTED, "toy")
    assert report["computed"]["python"] == 9.0


def test_env_backend_becomes_the_default(plugin_dir: Path) -> None:
    report = probe(plugin_dir, **{ENV_DEFAULT: SELECTED})
    assert report["default"] == report["created_on"] == SELECTED
    assert [name for name, row in report["rows"].items() if row["default"]] == [SELECTED]


def test_fakes_are_not_installed_here(installed: dict) -> None:
    assert not FAKE_BACKENDS & set(installed)


# -- the same rules in process, on a private registry -------------------------------------
class Named(ReferenceBackend):
    def __init__(self, name: str, priority: int = 0, is_gpu: bool = False,
                 available: bool = True) -> None:
        super().__init__()
        self.name, self.priority, self.is_gpu, self._available = name, priority, is_gpu, available

    def is_available(self) -> bool:
        return self._available

    def unavailable_reason(self) -> str:
        return "" if self._available else f"{self.name} is switched off"


@pytest.fixture
def registry(no_env: pytest.MonkeyPatch) -> Registry:
    """A private registry: the installed backends plus three registered by hand,
    which outrank all of them; only "hand_cpu" may become the default."""
    registry = Registry()
    registry.register(Named("hand_cpu", priority=1000))
    registry.register(Named("hand_gpu", priority=2000, is_gpu=True))
    registry.register(Named("hand_off", priority=3000, available=False))
    return registry


def test_default_skips_gpu_and_unavailable_backends(registry: Registry) -> None:
    assert registry.default().name == "hand_cpu"
    assert registry.get("hand_gpu").name == "hand_gpu"
    with pytest.raises(BackendError, match="backend 'hand_off' is not available: "
                                           "hand_off is switched off"):
        registry.get("hand_off")


def test_env_default_may_pick_a_gpu_backend(registry: Registry, no_env) -> None:
    no_env.setenv(ENV_DEFAULT, "hand_gpu")
    assert registry.default().name == "hand_gpu"


def test_env_default_that_is_disabled_is_an_error(registry: Registry, no_env) -> None:
    no_env.setenv(ENV_DEFAULT, "python")
    no_env.setenv(ENV_DISABLED, "python")
    with pytest.raises(BackendError, match=f"backend 'python' is disabled by {ENV_DISABLED}"):
        registry.default()


def test_env_default_unknown_lists_installed_and_listing_survives(
        registry: Registry, no_env) -> None:
    no_env.setenv(ENV_DEFAULT, "nmpy")
    with pytest.raises(BackendError, match="unknown backend 'nmpy'; installed: .*hand_cpu"):
        registry.default()
    rows = registry.describe()
    assert {"hand_cpu", "python"} <= {row["name"] for row in rows}
    assert not any(row["default"] for row in rows)


def test_no_cpu_backend_available_is_a_clear_error(registry: Registry, no_env) -> None:
    no_env.setenv(ENV_DISABLED, ",".join(registry.names()))
    with pytest.raises(BackendError, match="no CPU backend is available; installed: "):
        registry.default()


def test_disabling_the_default_later_changes_the_default(registry: Registry, no_env) -> None:
    assert registry.default().name == "hand_cpu"
    no_env.setenv(ENV_DISABLED, "hand_cpu")
    assert registry.default().name != "hand_cpu"


def test_register_and_unregister_by_hand(registry: Registry) -> None:
    backend = registry.get("hand_cpu")
    assert registry.get(backend) is backend
    with pytest.raises(BackendError, match="a backend named 'hand_cpu' is already registered"):
        registry.register(Named("hand_cpu"))
    registry.unregister("hand_cpu")
    with pytest.raises(BackendError, match="unknown backend 'hand_cpu'; installed: .*python"):
        registry.get("hand_cpu")
    assert registry.default().name != "hand_cpu"
