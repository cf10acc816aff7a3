"""pyproject.toml and environment.yml must list the same packages and floors."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge name -> PyPI name, where they differ.
CONDA_TO_PYPI: dict[str, str] = {}


def _split(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(meta["dependencies"])
    for extra in meta.get("optional-dependencies", {}).values():
        specs += extra
    return dict(_split(s) for s in specs)


def _conda() -> tuple[dict[str, str], str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out, python = {}, ""
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # a pip: section
            for s in dep.get("pip", []):
                name, spec = _split(s)
                out[name] = spec
            continue
        name, spec = _split(dep)
        if name == "python":
            python = spec
        elif name != "pip":
            out[CONDA_TO_PYPI.get(name, name)] = spec
    return out, python


def test_same_packages_and_floors():
    pyproject, (conda, _) = _pyproject(), _conda()
    assert sorted(pyproject) == sorted(conda), (
        f"only in pyproject: {sorted(set(pyproject) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pyproject))}"
    )
    differ = {n: (pyproject[n], conda[n]) for n in pyproject if pyproject[n] != conda[n]}
    assert not differ, f"version floors differ (pyproject, environment.yml): {differ}"


def test_same_python():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    _, python = _conda()
    assert python == meta["requires-python"].replace(" ", "")
