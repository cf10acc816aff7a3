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


def _imported_distributions(folder: Path) -> dict[str, set[str]]:
    """Distribution name -> files under ``folder`` that import it (third-party
    imports only, including those inside functions)."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    # The project's own modules: the package, the tests package and helper
    # modules that sit next to the files importing them (tests/hostile.py).
    local = {"aiadopt", "tests", "__future__"} | {p.stem for p in folder.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                for dist in owners.get(top, [top]):
                    found.setdefault(_split(dist)[0].replace("_", "-"), set()).add(
                        str(path.relative_to(ROOT))
                    )
    return found


def test_every_imported_package_is_declared():
    """What the code imports is a declared dependency, not something another
    package happens to pull in (the package: runtime dependencies, and the
    workshop extra in aiadopt/workshop/ only; tests and benchmarks: those plus
    the test extra)."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = {k: {_split(s)[0] for s in v} for k, v in meta["optional-dependencies"].items()}
    runtime = {_split(s)[0] for s in meta["dependencies"]}
    test = runtime | extras["test"] | extras["workshop"] | extras["cluster"]
    # The optional extras are used only where they belong: the workshop's own
    # modules, and the runner's --scheduler path.
    where = {"workshop": "aiadopt/workshop/", "cluster": "aiadopt/report/runner.py"}
    undeclared: dict[str, list[str]] = {}
    for folder, declared in (
        (ROOT / "aiadopt", runtime | extras["workshop"] | extras["cluster"]),
        (ROOT / "tests", test),
        (ROOT / "benchmarks", test),
    ):
        for dist, files in _imported_distributions(folder).items():
            if dist not in declared:
                undeclared.setdefault(dist, []).extend(sorted(files))
                continue
            for extra, place in where.items():
                if dist in extras[extra] - runtime and folder.name == "aiadopt":
                    outside = [f for f in files if not f.startswith(place)]
                    if outside:
                        undeclared.setdefault(f"{dist} (outside {place})", []).extend(outside)
    assert not undeclared, (
        f"imported but not declared in pyproject.toml (and environment.yml): {undeclared}"
    )


def test_the_runner_imports_dask_only_with_a_scheduler():
    """``aiadopt report`` without ``--scheduler`` needs no dask: distributed is
    imported lazily, only to reach a cluster."""
    import subprocess
    import sys

    code = (
        "import sys; import aiadopt.cli, aiadopt.report.runner; "
        "bad = [m for m in ('dask', 'distributed') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_board_works_without_the_workshop_extra():
    """``import aiadopt.workshop`` (the board) needs no Panel: only the views do."""
    import subprocess
    import sys

    code = (
        "import sys; import aiadopt.workshop, aiadopt.cli; "
        "bad = [m for m in ('panel', 'bokeh', 'segno') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
