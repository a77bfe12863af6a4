"""Workspace invariants every distribution must keep."""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 has no tomllib; tomli is its backport
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECTS = sorted(ROOT.glob("packages/*/pyproject.toml"))


def _source_roots() -> list[Path]:
    return sorted(ROOT.glob("packages/*/src")) + sorted(ROOT.glob("examples/*/src"))


def test_workspace_has_packages() -> None:
    assert PYPROJECTS, f"no packages/*/pyproject.toml under {ROOT}"


@pytest.mark.parametrize("namespace", ["minitorch", "minitorch/backends"])
def test_shared_namespaces_have_no_init(namespace: str) -> None:
    # minitorch and minitorch.backends are PEP 420 namespaces shared by several
    # distributions; an __init__.py in one of them would shadow all the others.
    offenders = [
        str(init.relative_to(ROOT))
        for src in _source_roots()
        if (init := src / namespace / "__init__.py").exists()
    ]
    assert not offenders, f"delete these, the namespace must stay PEP 420: {offenders}"


@pytest.mark.parametrize("pyproject", PYPROJECTS, ids=[p.parent.name for p in PYPROJECTS])
def test_package_pyproject(pyproject: Path) -> None:
    data = tomllib.loads(pyproject.read_text())
    project = data.get("project", {})
    assert project.get("name"), f"{pyproject}: [project] needs a name"
    # Each distribution is versioned on its own, not through a shared dynamic version.
    assert isinstance(project.get("version"), str) and project["version"], (
        f"{pyproject}: [project] needs its own static version"
    )
    assert "version" not in project.get("dynamic", [])
    wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {}).get("wheel")
    assert wheel is not None, f"{pyproject}: missing [tool.hatch.build.targets.wheel]"
    assert wheel.get("packages") == ["src/minitorch"], (
        f'{pyproject}: wheel must ship packages = ["src/minitorch"], got {wheel.get("packages")}'
    )
