"""Failure isolation: an exception, a timeout, a killed kernel and sys.exit(0)
in one batch; the other reports are still published and the exit status,
index and manifest say what failed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from aiadopt.cli import main
from aiadopt.report.runner import ReportLockedError, run_reports

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

INJECTED = """\
import os, sys, time
if department == "HR":
    raise RuntimeError("injected failure for HR")
if department == "IT":
    time.sleep(600)
if department == "Sales":
    os.kill(os.getpid(), 9)
if department == "Marketing":
    sys.exit(0)
"""


def _notebooks_with(tmp_path: Path, source: str, extra_param: str | None = None) -> Path:
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)
    path = folder / "department_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "report = Report(" in c.source) + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    if extra_param:
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        params.source += "\n" + extra_param
    nbformat.write(nb, path)
    return folder


def test_failures_are_isolated_and_reported(tmp_path, capsys):
    notebooks = _notebooks_with(tmp_path, INJECTED)
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            "--data",
            str(SAMPLE),
            "--out",
            str(out),
            "--workers",
            "2",
            # --timeout is per cell, and report.render() is one cell: room for a
            # whole report on a busy machine.
            "--timeout",
            "120",
            "--n-boot",
            "50",
            "--notebooks",
            str(notebooks),
            "--department",
            "HR",
            "--department",
            "IT",
            "--department",
            "Sales",
            "--department",
            "Marketing",
            "--department",
            "Finance",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    manifest = json.loads((out / "2026-10" / "manifest.json").read_text())
    status = {r["title"]: (r["status"], r["reason"]) for r in manifest["reports"]}
    assert status["Organisation"][0] == "ok" and status["Finance"][0] == "ok"
    assert (
        status["HR"][0] == "failed" and "RuntimeError: injected failure for HR" in status["HR"][1]
    )
    assert status["IT"][0] == "failed" and "timed out" in status["IT"][1]
    assert status["Sales"][0] == "failed" and "kernel died" in status["Sales"][1]
    assert status["Marketing"][0] == "failed" and "SystemExit: 0" in status["Marketing"][1]
    assert manifest["status"] == "partial"
    published = sorted(p.name for p in (out / "2026-10").iterdir())
    assert published == [
        "department-finance.html",
        "index.html",
        "manifest.json",
        "organisation.html",
        "results",
    ]
    index = (out / "2026-10" / "index.html").read_text()
    for name in ("HR", "IT", "Sales", "Marketing"):
        assert f'<td>{name}</td><td class="status-failed">failed</td>' in index
    for name in ("HR", "IT", "Sales", "Marketing"):
        assert f"- {name}: " in err


def test_bad_parameters_rejected_before_any_kernel(tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "--data", str(SAMPLE), "--out", str(out), "--param", "colour=blue"]) == 2
    assert "unknown parameter(s) ['colour']" in capsys.readouterr().err
    assert (
        main(["report", "--data", str(SAMPLE), "--out", str(out), "--department", "Atlantis"]) == 2
    )
    err = capsys.readouterr().err
    assert "unknown department(s) ['Atlantis']" in err and "Finance" in err
    assert main(["report", "--data", str(SAMPLE), "--out", str(out), "--param", "seed=3"]) == 2
    assert "set by aiadopt report itself" in capsys.readouterr().err
    assert main(["report", "--data", str(SAMPLE), "--out", str(out), "--min-group-size", "2"]) == 2
    assert not out.exists() or not any(out.iterdir())  # nothing started, nothing written


def test_string_ids_stay_strings(tmp_path, capsys):
    check = (
        "assert isinstance(team_code, str) and team_code == '0042', repr(team_code)\n"
        "assert isinstance(department, str)"
    )
    notebooks = _notebooks_with(tmp_path, check, extra_param='team_code: str = "x"  # a team code')
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            "--data",
            str(SAMPLE),
            "--out",
            str(out),
            "--n-boot",
            "20",
            "--notebooks",
            str(notebooks),
            "--department",
            "Legal",
            "--param",
            "team_code=0042",
        ]
    )
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "2026-10" / "manifest.json").read_text())
    assert all(r["status"] == "ok" for r in manifest["reports"])


def test_rerun_replaces_month_atomically_and_lock_blocks_a_second_run(tmp_path):
    out = tmp_path / "reports"
    first = run_reports(SAMPLE, out=out, departments=["Legal"], n_boot=20, progress=False)
    assert first.ok
    first_target = (out / "2026-10").resolve()
    second = run_reports(SAMPLE, out=out, departments=["Legal", "IT"], n_boot=20, progress=False)
    assert second.ok
    target = (out / "2026-10").resolve()
    assert target != first_target and not first_target.exists()  # old run removed
    assert sorted(p.name for p in (out / "2026-10").iterdir()) == [
        "department-it.html",
        "department-legal.html",
        "index.html",
        "manifest.json",
        "organisation.html",
        "results",
    ]
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or ".link-" in p.name]
    assert not leftovers
    with FileLock(str(out / ".2026-10.lock")):
        with pytest.raises(
            ReportLockedError, match="another aiadopt report run for 2026-10 is in progress"
        ):
            run_reports(SAMPLE, out=out, departments=["Legal"], n_boot=20, progress=False)
        assert (
            main(["report", "--data", str(SAMPLE), "--out", str(out), "--department", "Legal"]) == 3
        )
    assert (out / "2026-10").resolve() == target  # untouched by the blocked runs
