"""Publishing never loses a report: what ``aiadopt report`` may delete, what
a failed run publishes, interrupted and killed runs, unwritable output, file
permissions and the manifest.

The runs use tiny notebooks (the real notebooks' ``parameters`` cell, one
cell whose behaviour per report is read from a JSON file, the completion
mark), so a kernel runs for a second, not a minute.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from filelock import FileLock

from aiadopt.cli import main
from aiadopt.report.runner import (
    NOTEBOOKS,
    OutputError,
    ParameterError,
    default_notebooks_dir,
    run_reports,
)
from aiadopt.report.sections import COMPLETION_MARK

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PERIOD = "2026-10"

BODY = """\
import json, os, pathlib, time
from IPython.display import HTML, display
_who = globals().get("department") or "Organisation"
_cfg = json.loads(pathlib.Path({behaviour!r}).read_text())
_do = _cfg.get(_who, "ok")
if _do == "fail":
    raise RuntimeError("injected failure for " + _who)
if _do == "sleep":
    pathlib.Path({behaviour!r}).with_name("kernel-" + _who + ".pid").write_text(str(os.getpid()))
    time.sleep(600)
display(HTML("<p class='made-by'>" + _who + " " + _cfg["version"] + "</p>"))
"""


@pytest.fixture
def tiny(tmp_path):
    """Tiny report notebooks and a ``set(version, **behaviour)`` to steer them."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    behaviour = tmp_path / "behaviour.json"
    for name in NOTEBOOKS.values():
        real = nbformat.read(default_notebooks_dir() / name, as_version=4)
        params = next(c for c in real.cells if "parameters" in c.metadata.get("tags", []))
        nb = nbformat.v4.new_notebook()
        nb.metadata = real.metadata
        nb.cells = [
            nbformat.v4.new_code_cell(
                params.source + "\nratio: float = 1.0  # a float for the tests",
                metadata=params.metadata,
            ),
            nbformat.v4.new_code_cell(BODY.format(behaviour=str(behaviour))),
            nbformat.v4.new_code_cell(f"print({COMPLETION_MARK!r})"),
        ]
        nbformat.write(nb, folder / name)

    def steer(version: str, **what: str) -> None:
        behaviour.write_text(json.dumps({"version": version, **what}))

    steer("v1")
    return folder, steer


def report(out: Path, notebooks: Path, *more: str) -> int:
    """``aiadopt report`` of the sample's latest month. ``--force``: these
    tests re-run a month on the same data (the steering file changes what the
    notebooks do), which the run history would otherwise call stale
    (tests/test_history.py)."""
    return main(
        [
            "report",
            "--data",
            str(SAMPLE),
            "--out",
            str(out),
            "--notebooks",
            str(notebooks),
            "--n-boot",
            "0",
            "--department",
            "HR",
            "--department",
            "Legal",
            "--force",
            *more,
        ]
    )


def snapshot(month: Path) -> dict[str, bytes]:
    """Where the month's link points and every file it shows (the results store's too)."""
    return {
        "->": os.readlink(month).encode(),
        **{
            str(p.relative_to(month)): p.read_bytes()
            for p in sorted(month.rglob("*"))
            if p.is_file()
        },
    }


def leftovers(out: Path) -> list[str]:
    return [
        p.name
        for p in out.rglob("*")
        if p.name.endswith(".tmp") or ".link-" in p.name or "probe" in p.name
    ]


# -- aiadopt deletes only what it created --------------------------------------------------------


@pytest.mark.parametrize("kind", ["folder", "file", "foreign link"])
def test_a_month_aiadopt_did_not_create_is_never_touched(tmp_path, tiny, capsys, kind):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    out.mkdir()
    month = out / PERIOD
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    if kind == "folder":
        month.mkdir()
        (month / "notes.txt").write_text("my notes")
        expected = "is a folder with 1 entry (notes.txt), which aiadopt did not create"
    elif kind == "file":
        month.write_text("12345")
        expected = "is a file of 5 bytes, which aiadopt did not create"
    else:
        month.symlink_to(elsewhere)
        expected = f"is a link to {str(elsewhere)!r}, which aiadopt did not create"
    before = month.read_bytes() if kind == "file" else sorted(p.name for p in month.iterdir())
    assert report(out, notebooks) == 2
    err = capsys.readouterr().err
    assert expected in err and "Move or rename" in err and "Traceback" not in err
    after = month.read_bytes() if kind == "file" else sorted(p.name for p in month.iterdir())
    assert after == before and (elsewhere / "keep.txt").read_text() == "mine"
    assert not (out / ".runs").exists()  # refused before any run folder or kernel


def test_only_aiadopts_own_run_folders_are_cleaned_up(tmp_path, tiny):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    assert report(out, notebooks) == 0
    first = (out / PERIOD).resolve()
    stranger = out / ".runs" / f"{PERIOD}-my-backup"
    stranger.mkdir()
    assert report(out, notebooks) == 0
    assert not first.exists() and stranger.is_dir()
    assert sorted(p.name for p in (out / ".runs").iterdir()) == sorted(
        [stranger.name, (out / PERIOD).resolve().name]
    )


# -- a failed run never loses a report ------------------------------------------------------------


def test_a_run_where_every_report_fails_publishes_nothing(tmp_path, tiny, capsys):
    notebooks, steer = tiny
    out = tmp_path / "reports"
    assert report(out, notebooks) == 0
    before = snapshot(out / PERIOD)
    steer("v2", Organisation="fail", HR="fail", Legal="fail")
    capsys.readouterr()
    assert report(out, notebooks) == 1
    err = capsys.readouterr().err
    assert "all 3 reports failed; nothing published" in err and "injected failure for HR" in err
    assert snapshot(out / PERIOD) == before
    assert len(list((out / ".runs").iterdir())) == 1  # the failed run's folder is gone
    assert not leftovers(out)


def test_a_failed_report_keeps_its_earlier_version(tmp_path, tiny, capsys):
    notebooks, steer = tiny
    out = tmp_path / "reports"
    old_umask = os.umask(0o027)
    try:
        assert report(out, notebooks) == 0
        month = out / PERIOD
        first = json.loads((month / "manifest.json").read_text())
        steer("v2", HR="fail")
        assert report(out, notebooks, "--lang", "nl") == 1
        assert "HR: RuntimeError: injected failure for HR" in capsys.readouterr().err
        manifest = json.loads((month / "manifest.json").read_text())
        hr = next(r for r in manifest["reports"] if r["department"] == "HR")
        assert manifest["status"] == "partial"
        assert hr["status"] == "failed" and hr["earlier_run"] == first["finished_at"]
        assert hr["file"] == "department-hr.html" and "injected failure" in hr["reason"]
        page = (month / "department-hr.html").read_text()
        assert "HR v1" in page and hr["sha256"] == next(
            r["sha256"] for r in first["reports"] if r["department"] == "HR"
        )
        assert "Legal v2" in (month / "department-legal.html").read_text()
        index = (month / "index.html").read_text()
        assert (
            '<a href="department-hr.html">HR</a></td><td class="status-failed">failed</td>' in index
        )
        assert f"de versie uit de eerdere run van {first['finished_at']}" in index
        # A third run where HR fails again still shows the first run's page, with its time.
        steer("v3", HR="fail")
        assert report(out, notebooks) == 1
        third = json.loads((month / "manifest.json").read_text())
        assert (
            next(r for r in third["reports"] if r["department"] == "HR")["earlier_run"]
            == first["finished_at"]
        )
        assert "HR v1" in (month / "department-hr.html").read_text()
        assert (
            f"Shown: the version from the earlier run of {first['finished_at']}"
            in (month / "index.html").read_text()
        )
        # Every file and the run folder have the umask's permissions (027: rw-r----- and rwxr-x---).
        assert stat.S_IMODE(month.resolve().stat().st_mode) == 0o750
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in month.rglob("*") if p.is_file()}
        folders = {p.name: stat.S_IMODE(p.stat().st_mode) for p in month.rglob("*") if p.is_dir()}
        assert "results.json" in files and set(files.values()) == {0o640}, files
        assert folders == {"results": 0o750}, folders
    finally:
        os.umask(old_umask)


# -- --timeout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-5", "2.5", "nan", "inf", "-inf", "ten"])
def test_timeout_must_be_a_positive_whole_number(tmp_path, tiny, capsys, value):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    with pytest.raises(SystemExit) as stop:
        report(out, notebooks, f"--timeout={value}")
    assert stop.value.code == 2
    assert (
        f"argument --timeout: must be a positive whole number of seconds (e.g. 600), got {value!r}"
        in capsys.readouterr().err
    )
    assert not out.exists()


@pytest.mark.parametrize("value", [0, -1, 2.5, math.nan, math.inf, True, "600"])
def test_run_reports_refuses_a_bad_timeout_before_anything_runs(tmp_path, value):
    with pytest.raises(ParameterError, match="timeout must be a positive whole number of seconds"):
        run_reports(tmp_path / "no-data-needed", out=tmp_path / "reports", timeout=value)
    assert not (tmp_path / "reports").exists()


# -- unwritable output ----------------------------------------------------------------------------


def test_out_is_a_file(tmp_path, tiny, capsys):
    notebooks, _ = tiny
    out = tmp_path / "reports.txt"
    out.write_text("not a folder")
    assert report(out, notebooks) == 2
    err = capsys.readouterr().err
    assert (
        f"--out {out} is a file of 12 bytes, not a folder. Choose a folder" in err
        and "Traceback" not in err
    )
    assert out.read_text() == "not a folder"


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount here ({done.stderr.strip()}): needs root in a container that allows mounts"
        )


@pytest.fixture
def mounts():
    made: list[Path] = []
    yield made
    for path in reversed(made):
        subprocess.run(["umount", str(path)], capture_output=True)


def test_read_only_output_folder(tmp_path, tiny, capsys, mounts):
    """A real read-only folder (a read-only bind mount: root ignores permission bits)."""
    notebooks, steer = tiny
    out = tmp_path / "reports"
    assert report(out, notebooks) == 0
    before = snapshot(out / PERIOD)
    _mount("--bind", str(out), str(out))
    mounts.append(out)
    _mount("-o", "remount,ro,bind", str(out))
    steer("v2")
    capsys.readouterr()
    assert report(out, notebooks) == 2
    err = capsys.readouterr().err
    assert "cannot write the reports" in err and "Read-only file system (EROFS)" in err
    assert (
        f"is not writable: make it writable or choose another --out; the published {PERIOD} is unchanged"
        in err
    )
    assert "Traceback" not in err
    assert snapshot(out / PERIOD) == before


def test_output_folder_that_refuses_new_entries(tmp_path, tiny, capsys):
    """``chattr +i``: nothing can be created in the folder (not even by root)."""
    notebooks, steer = tiny
    out = tmp_path / "reports"
    assert report(out, notebooks) == 0
    before = snapshot(out / PERIOD)
    if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    try:
        steer("v2")
        capsys.readouterr()
        assert report(out, notebooks) == 2
        err = capsys.readouterr().err
        assert (
            "Operation not permitted (EPERM)" in err
            and "make it writable or choose another --out" in err
        )
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=True)
    assert snapshot(out / PERIOD) == before
    assert not leftovers(out)


def test_disk_full_while_the_reports_are_written(tmp_path, tiny, capsys, mounts):
    """A real full disk: a small tmpfs, filled up after a first good run."""
    notebooks, steer = tiny
    out = tmp_path / "reports"
    out.mkdir()
    _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(out))
    mounts.append(out)
    assert report(out, notebooks) == 0
    before = snapshot(out / PERIOD)
    with open(out / "filler", "wb") as fh:  # take every free byte
        with pytest.raises(OSError) as full:
            while True:
                fh.write(b"x" * 65536)
                fh.flush()
    assert full.value.errno == errno.ENOSPC
    steer("v2")
    capsys.readouterr()
    assert report(out, notebooks) == 2
    err = capsys.readouterr().err
    assert (
        "No space left on device (ENOSPC). The disk is full: free space or choose another --out"
        in err
    )
    assert f"the published {PERIOD} is unchanged" in err and "Traceback" not in err
    assert snapshot(out / PERIOD) == before
    assert len(list((out / ".runs").iterdir())) == 1 and not leftovers(out)


def test_disk_full_while_the_manifest_is_written(tmp_path, tiny, capsys, monkeypatch):
    """The last write before the switch fails: nothing of the new run is published."""
    import aiadopt.atomic

    notebooks, steer = tiny
    out = tmp_path / "reports"
    assert report(out, notebooks) == 0
    before = snapshot(out / PERIOD)
    real = aiadopt.atomic.write_text_atomic

    def full(path, text, **kw):
        if Path(path).name == "manifest.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, text, **kw)

    monkeypatch.setattr(aiadopt.atomic, "write_text_atomic", full)
    steer("v2")
    capsys.readouterr()
    assert report(out, notebooks) == 2
    err = capsys.readouterr().err
    assert "manifest.json: No space left on device (ENOSPC)" in err and "Traceback" not in err
    assert snapshot(out / PERIOD) == before
    assert len(list((out / ".runs").iterdir())) == 1 and not leftovers(out)


def test_output_error_is_raised_by_the_library(tmp_path, tiny):
    notebooks, _ = tiny
    (tmp_path / "reports").write_text("x")
    with pytest.raises(OutputError, match="is a file of 1 bytes, not a folder"):
        run_reports(
            SAMPLE, out=tmp_path / "reports", departments=["HR"], notebooks_dir=notebooks, n_boot=0
        )


# -- the manifest ---------------------------------------------------------------------------------


def test_manifest_is_strict_json_without_input_paths(tmp_path, tiny):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    codebook = tmp_path / "my-codebook.yaml"
    shutil.copy(ROOT / "aiadopt" / "data" / "codebook.yaml", codebook)
    code = main(
        [
            "report",
            "--data",
            str(data),
            "--out",
            str(out),
            "--notebooks",
            str(notebooks),
            "--n-boot",
            "0",
            "--department",
            "Legal",
            "--param",
            "ratio=nan",
            "--codebook",
            str(codebook),
        ]
    )
    assert code == 0
    text = (out / PERIOD / "manifest.json").read_text()

    def refuse(name):
        raise AssertionError(f"manifest.json holds {name}, which is not JSON")

    manifest = json.loads(text, parse_constant=refuse)
    assert "ratio" in manifest["parameters"] and manifest["parameters"]["ratio"] is None
    assert str(tmp_path) not in text and str(ROOT) not in text
    assert not any(v.startswith("/") for v in _strings(manifest)), [
        v for v in _strings(manifest) if v.startswith("/")
    ]
    assert {i["file"] for i in manifest["inputs"]} == {
        "use_cases.csv",
        "processes.csv",
        "survey.csv",
        "my-codebook.yaml",
    }
    assert manifest["notebooks"]["department"]["file"] == "department_report.ipynb"


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_every_file_written_has_the_umask_permissions(tmp_path):
    """CSV tables and PNG charts (``mkstemp`` made them 0600)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from aiadopt.gallery import save_figure
    from aiadopt.sample import write_sample

    old = os.umask(0o022)
    try:
        assert (
            main(
                [
                    "kpis",
                    "--data",
                    str(SAMPLE),
                    "--format",
                    "csv",
                    "--out",
                    str(tmp_path / "kpis.csv"),
                ]
            )
            == 0
        )
        save_figure(plt.figure(), tmp_path / "chart.png")
        write_sample(tmp_path / "sample", n_respondents=100, n_use_cases=20)
        os.umask(0o007)
        assert (
            main(
                [
                    "kpis",
                    "--data",
                    str(SAMPLE),
                    "--format",
                    "json",
                    "--out",
                    str(tmp_path / "group.json"),
                ]
            )
            == 0
        )
    finally:
        os.umask(old)
    modes = {
        p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    assert modes == {
        "kpis.csv": 0o644,
        "chart.png": 0o644,
        "group.json": 0o660,
        "sample/use_cases.csv": 0o644,
        "sample/processes.csv": 0o644,
        "sample/survey.csv": 0o644,
    }


# -- signals and killed runs ----------------------------------------------------------------------

RUN = [
    sys.executable,
    "-m",
    "aiadopt.cli",
    "report",
    "--force",  # a re-run of a month on the same data (see report())
    "--data",
    str(SAMPLE),
    "--n-boot",
    "0",
    "--timeout",
    "120",
    "--workers",
    "2",
    "--department",
    "HR",
    "--department",
    "Legal",
]


def _start(tmp_path, notebooks, out) -> tuple[subprocess.Popen, list[psutil.Process]]:
    """Start a run whose reports sleep; return it and its workers and kernels once every kernel is up."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [*RUN, "--out", str(out), "--notebooks", str(notebooks)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("kernel-*.pid"))) < 2:  # two workers: two kernels sleeping
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the run did not start its kernels: {proc.communicate()}")
        time.sleep(0.2)
    family = psutil.Process(proc.pid).children(recursive=True)
    kernels = {int(p.read_text()) for p in tmp_path.glob("kernel-*.pid")}
    assert kernels <= {p.pid for p in family}
    return proc, family


def _survivors(family: list[psutil.Process], within: float) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        alive = []
        for p in family:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(f"{p.pid} {' '.join(p.cmdline())[:80]}")
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_run_cleanly(tmp_path, tiny, sig):
    notebooks, steer = tiny
    out = tmp_path / "reports"
    assert report(out, notebooks) == 0
    before = snapshot(out / PERIOD)
    steer("v2", HR="sleep", Legal="sleep", Organisation="sleep")
    proc, family = _start(tmp_path, notebooks, out)
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + sig, err
    assert f"interrupted by {sig.name}: workers and kernels stopped, nothing published" in err
    assert "Traceback" not in err
    assert not _survivors(family, within=5)
    assert snapshot(out / PERIOD) == before
    assert len(list((out / ".runs").iterdir())) == 1 and not leftovers(out)
    with FileLock(str(out / f".{PERIOD}.lock")).acquire(timeout=0):  # released
        pass


def test_workers_and_kernels_end_when_the_main_process_is_killed(tmp_path, tiny):
    notebooks, steer = tiny
    out = tmp_path / "reports"
    steer("v1", HR="sleep", Legal="sleep", Organisation="sleep")
    proc, family = _start(tmp_path, notebooks, out)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    survivors = _survivors(family, within=10)
    for p in family:  # never leave a sleeping kernel behind, even when the test fails
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    assert not survivors
    assert not (out / PERIOD).exists()
