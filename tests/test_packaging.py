"""The package as users get it: an sdist and wheels built from a copy of the
source tree, a wheel installed (not editable) into a fresh virtual environment,
and ``aiadopt report`` run from an unrelated folder.

The builds run without build isolation, with the setuptools of the test
environment (the ``test`` extra declares it). The fresh environment sees the
test environment's third-party packages through a ``.pth`` file and their
Jupyter data files (nbconvert's templates) through ``JUPYTER_PATH``, so nothing
is downloaded; ``aiadopt`` itself comes only from the installed wheel.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import site as sitemod
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from aiadopt.report.runner import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SOURCE = ["pyproject.toml", "README.md", "aiadopt", "notebooks"]


def _run(
    cmd: list[str], *, cwd: Path, env: dict | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


def _clean_env() -> dict:
    """The environment without anything that would import ``aiadopt`` from the
    source tree (pytest runs with the worktree on PYTHONPATH)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """An sdist and two wheels (one from the source tree, as ``pip install .``
    builds it; one from the sdist), built from a copy so the checkout gets no
    ``build/`` or ``*.egg-info``."""
    base = tmp_path_factory.mktemp("dist")
    src = base / "src"
    src.mkdir()
    for name in SOURCE:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name,
                src / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        else:
            shutil.copy2(ROOT / name, src / name)
    env = _clean_env()
    build_sdist = "import setuptools.build_meta as b, sys; print(b.build_sdist(sys.argv[1]))"
    name = (
        _run([sys.executable, "-c", build_sdist, str(base / "sdist")], cwd=src, env=env)
        .stdout.strip()
        .splitlines()[-1]
    )
    pip_wheel = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-q",
    ]
    _run(pip_wheel + ["-w", str(base / "from_tree"), str(src)], cwd=base, env=env)
    _run(
        pip_wheel + ["-w", str(base / "from_sdist"), str(base / "sdist" / name)], cwd=base, env=env
    )
    return {
        "sdist": base / "sdist" / name,
        "wheel_from_tree": next((base / "from_tree").glob("aiadopt-*.whl")),
        "wheel_from_sdist": next((base / "from_sdist").glob("aiadopt-*.whl")),
    }


def test_packaged_notebooks_are_links_to_the_top_level_ones():
    """One copy of each notebook: ``aiadopt/notebooks/`` links to the
    ``notebooks/`` analysts open, so the two can never drift apart."""
    packaged = ROOT / "aiadopt" / "notebooks"
    assert sorted(p.name for p in packaged.glob("*.ipynb")) == sorted(NOTEBOOKS.values())
    # explore.ipynb is for analysts in JupyterLab, not a report template: not shipped.
    assert sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) == sorted(
        [*NOTEBOOKS.values(), "explore.ipynb"]
    )
    for name in NOTEBOOKS.values():
        assert (packaged / name).is_symlink(), (
            f"aiadopt/notebooks/{name} must be a link to ../../notebooks/{name}"
        )
        assert os.readlink(packaged / name) == f"../../notebooks/{name}"
        assert not (ROOT / "notebooks" / name).is_symlink()


@pytest.mark.parametrize("kind", ["sdist", "wheel_from_tree", "wheel_from_sdist"])
def test_distributions_carry_the_notebooks_as_files(dists, kind):
    path = dists[kind]
    if kind == "sdist":
        with tarfile.open(path) as tar:
            prefix = tar.getnames()[0].split("/")[0]
            members = {m.name.removeprefix(prefix + "/"): m for m in tar.getmembers()}
            for name in NOTEBOOKS.values():
                member = members[f"aiadopt/notebooks/{name}"]
                assert member.isfile(), f"{name} is stored as a link in the sdist"
                assert tar.extractfile(member).read() == (ROOT / "notebooks" / name).read_bytes()
    else:
        with zipfile.ZipFile(path) as whl:
            for name in NOTEBOOKS.values():
                assert (
                    whl.read(f"aiadopt/notebooks/{name}")
                    == (ROOT / "notebooks" / name).read_bytes()
                )
            assert {"aiadopt/data/codebook.yaml", "aiadopt/data/labels/report.yaml"} <= set(
                whl.namelist()
            )
            templates = {
                f"aiadopt/report/templates/aiadopt_report/{n}"
                for n in ("conf.json", "index.html.j2", "page.css")
            }
            assert templates <= set(whl.namelist())


def test_installed_wheel_publishes_a_report_from_another_folder(dists, tmp_path):
    """``pip install`` (not editable) into a fresh venv, then ``aiadopt report``
    from a folder that is neither the checkout nor the install."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=tmp_path,
        ).stdout.strip()
    )
    # The test environment's site directories (the .pth files inside them are
    # not run, so an editable install of aiadopt there stays invisible).
    (site / "test-env-packages.pth").write_text(
        "".join(f"{d}\n" for d in sitemod.getsitepackages())
    )
    jupyter_data = dict.fromkeys(
        str(Path(prefix) / "share" / "jupyter") for prefix in (sys.prefix, sys.base_prefix)
    )
    env = {**_clean_env(), "JUPYTER_PATH": os.pathsep.join(jupyter_data)}
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            str(dists["wheel_from_sdist"]),
        ],
        cwd=tmp_path,
        env=env,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        [str(python), "-c", "import aiadopt; print(aiadopt.__file__)"], cwd=elsewhere, env=env
    ).stdout.strip()
    assert Path(where).is_relative_to(site), where

    out = tmp_path / "reports"
    _run(
        [
            str(env_dir / "bin" / "aiadopt"),
            "report",
            "--data",
            str(SAMPLE.resolve()),
            "--out",
            str(out),
            "--department",
            "Finance",
            "--n-boot",
            "20",
        ],
        cwd=elsewhere,
        env=env,
        timeout=900,
    )
    month = next(p for p in out.iterdir() if not p.name.startswith("."))
    assert sorted(p.name for p in month.iterdir()) == [
        "department-finance.html",
        "index.html",
        "manifest.json",
        "organisation.html",
        "results",
    ]
    manifest = json.loads((month / "manifest.json").read_text())
    assert all(r["status"] == "ok" for r in manifest["reports"]), manifest["reports"]
    # The manifest names notebooks by file name and checksum only (no paths):
    # the checksums must be those of the notebooks inside the installed wheel.
    shipped = Path(
        _run(
            [
                str(python),
                "-c",
                "from aiadopt.report.runner import default_notebooks_dir as d; print(d())",
            ],
            cwd=elsewhere,
            env=env,
        ).stdout.strip()
    )
    assert shipped.is_relative_to(site), shipped
    for kind, name in NOTEBOOKS.items():
        assert not (shipped / name).is_symlink()
        assert manifest["notebooks"][kind] == {
            "file": name,
            "sha256": hashlib.sha256((shipped / name).read_bytes()).hexdigest(),
        }
