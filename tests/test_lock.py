"""The lock (`constraints.txt`) covers every dependency `pyproject.toml` names, and the suites run on it."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            found[canonicalize_name(name)] = version
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = list(project["project"]["dependencies"]) + list(project["build-system"]["requires"])
    for extra in project["project"]["optional-dependencies"].values():
        names += extra
    return [Requirement(r) for r in names]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    locked = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is in pyproject.toml but not in constraints.txt: run tests/lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"constraints.txt pins {requirement.name}=={locked[name]}, outside {requirement}: run tests/lock"
        )


def test_the_suites_run_on_the_locked_releases() -> None:
    locked = pins()
    differ = []
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name in locked and dist.version != locked[name] and name not in ("setuptools", "wheel"):
            differ.append(f"{name} {dist.version} (locked {locked[name]})")
    assert not differ, "installed releases differ from constraints.txt (tests/run installs from it): " + ", ".join(
        sorted(differ)
    )
