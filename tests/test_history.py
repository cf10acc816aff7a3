"""The run history (aiadopt.history), ``aiadopt history``, the backfill
(``aiadopt report --since``) and stale data (exit 4).

The runs use the tiny report notebooks of test_publishing (a kernel runs for
a second), on a copy of data/sample with two departments and ``--n-boot 0``;
the acceptance scenario (a backfill of three months, an unchanged re-run,
a failure-injected run with its alert) takes about a minute.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from aiadopt import history as history_module
from aiadopt.cli import EXIT_STALE, main
from aiadopt.history import FILE, SCHEMA_VERSION, History, HistoryError, kpi_rows
from aiadopt.io import load
from aiadopt.kpis import compute_kpis
from aiadopt.report.runner import run_reports
from tests import test_alerts, test_publishing
from tests.test_publishing import SAMPLE

#: The tiny notebooks and the local webhook (fixtures of test_publishing and test_alerts).
tiny = test_publishing.tiny
webhook = test_alerts.webhook

MONTHS = ["2026-08", "2026-09", "2026-10"]
KPIS = ["active_use_cases", "time_to_impact_days", "core_process_ai_pct",
        "leadership_adoption_pct", "adaptivity_score"]  # fmt: skip


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of data/sample (a test may change it)."""
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    return folder


def report(data: Path, out: Path, notebooks: Path, *more: str) -> int:
    return main(
        [
            "report",
            *("--data", str(data), "--out", str(out), "--notebooks", str(notebooks)),
            *("--n-boot", "0", "--department", "HR", "--department", "Legal"),
            *more,
        ]
    )


def files(out: Path) -> dict[str, tuple[str, int]]:
    """Every file of the reports folder but the history: sha256 and mtime (ns),
    and where each month's link points."""
    found: dict[str, tuple[str, int]] = {}
    for p in sorted(out.rglob("*")):
        if p.name.startswith(FILE):
            continue
        if p.is_symlink():
            found[str(p.relative_to(out))] = (os.readlink(p), 0)
        elif p.is_file():
            found[str(p.relative_to(out))] = (
                hashlib.sha256(p.read_bytes()).hexdigest(),
                p.stat().st_mtime_ns,
            )
    return found


def _row(**kw) -> dict:
    return {"unit_level": "organisation", "unit": "organisation", "kpi": "active_use_cases",
            "value": 1.0, "suppressed": False, **kw}  # fmt: skip


def _run(history: History, period: str, status: str = "ok", **kw) -> str:
    return history.record_run(
        period=period,
        status=status,
        exit_code=0,
        started_at=f"{period}-28T06:00:00+00:00",
        finished_at=f"{period}-28T06:01:00+00:00",
        inputs=[{"table": "survey", "file": "survey.csv", "sha256": "aa"}],
        parameters={"lang": "en"},
        versions={"aiadopt": "1"},
        **kw,
    )


# -- the store ---------------------------------------------------------------------------------


def test_the_store_replaces_a_months_kpis_and_keeps_suppressed_values_out(tmp_path):
    history = History(tmp_path / FILE)
    first = _run(history, "2026-09", kpis=[_row(value=3.0)])
    _run(history, "2026-10", kpis=[_row(value=4.0)])
    # A suppressed value is NULL, whatever figure the caller passes.
    hidden = _row(unit_level="department", unit="Legal", kpi="leadership_adoption_pct",
                  value=66.7, suppressed=True)  # fmt: skip
    again = _run(history, "2026-10", kpis=[_row(value=5.0), hidden])
    _run(history, "2026-10", status="failed")  # no KPI rows: the month keeps its values

    series = history.kpi_series()
    assert series[["period", "unit", "kpi"]].values.tolist() == [
        ["2026-09", "organisation", "active_use_cases"],
        ["2026-10", "organisation", "active_use_cases"],
        ["2026-10", "Legal", "leadership_adoption_pct"],
    ]
    assert series["value"].iloc[:2].tolist() == [3.0, 5.0]
    assert math.isnan(series["value"].iloc[2]) and series["suppressed"].tolist() == [
        False,
        False,
        True,
    ]
    assert series["run_id"].tolist() == [first, again, again]
    assert history.kpi_series(unit="Legal")["kpi"].tolist() == ["leadership_adoption_pct"]
    with sqlite3.connect(tmp_path / FILE) as con:
        assert con.execute("SELECT value FROM kpis WHERE suppressed = 1").fetchall() == [(None,)]
        assert con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    runs = history.runs()
    assert [r["status"] for r in runs] == ["ok", "ok", "ok", "failed"]
    assert runs[0]["inputs"] == [{"table": "survey", "file": "survey.csv", "sha256": "aa"}]
    assert history.last_published()["run_id"] == again  # the failed run published nothing
    assert history.last_published("2026-09")["run_id"] == first
    assert History(tmp_path / "other.sqlite").last_published() is None


def test_bad_records_are_refused_and_write_nothing(tmp_path):
    history = History(tmp_path / FILE)
    with pytest.raises(ValueError, match="unknown run status 'done'"):
        _run(history, "2026-10", status="done")
    with pytest.raises(ValueError, match="a 'stale' run published nothing"):
        _run(history, "2026-10", status="stale", kpis=[_row()])
    # A failing insert rolls the whole run back: no runs row without its KPIs.
    with pytest.raises(KeyError):
        _run(history, "2026-10", kpis=[{"unit": "x"}])
    assert history.runs() == [] and history.kpi_series().empty


def test_a_missing_or_foreign_history_is_a_clear_error(tmp_path):
    with pytest.raises(HistoryError, match="no run history yet"):
        History(tmp_path / FILE, create=False)
    (tmp_path / "not.sqlite").write_text("hello, not a database" * 100)
    with pytest.raises(HistoryError, match="not an aiadopt run history"):
        History(tmp_path / "not.sqlite").runs()
    with sqlite3.connect(tmp_path / "newer.sqlite") as con:
        con.execute("PRAGMA user_version = 99")
    with pytest.raises(HistoryError, match="schema version 99"):
        History(tmp_path / "newer.sqlite").runs()


def test_a_reader_reads_while_a_run_writes(tmp_path, monkeypatch):
    """WAL: a run commits while a reader holds a read transaction open (in the
    default rollback journal the commit would wait for the reader, then fail),
    and the reader keeps seeing the month as it was until it reads again."""
    monkeypatch.setattr(history_module, "BUSY_TIMEOUT_MS", 500)
    history = History(tmp_path / FILE)
    _run(history, "2026-10", kpis=[_row(value=1.0)])
    reader = sqlite3.connect(tmp_path / FILE, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT value FROM kpis").fetchall() == [(1.0,)]
        _run(history, "2026-10", kpis=[_row(value=2.0)])  # the writer, while the reader reads
        assert reader.execute("SELECT value FROM kpis").fetchall() == [(1.0,)]
        reader.execute("COMMIT")
        assert reader.execute("SELECT value FROM kpis").fetchall() == [(2.0,)]
    finally:
        reader.close()
    assert history.kpi_series()["value"].tolist() == [2.0]


def test_kpi_rows_take_the_suppression_of_the_index():
    rows = kpi_rows(
        {
            None: ({"active_use_cases": 103, "leadership_adoption_pct": 65.2}, None),
            "Legal": (
                {
                    "active_use_cases": 3,
                    "leadership_adoption_pct": None,
                    "leadership_adoption_pct_suppressed": True,
                },
                None,
            ),
        }  # fmt: skip
    )
    by = {(r["unit"], r["kpi"]): r for r in rows}
    assert len(rows) == 10
    assert by["organisation", "active_use_cases"] == _row(value=103.0)
    assert by["Legal", "leadership_adoption_pct"]["suppressed"] is True
    assert by["Legal", "leadership_adoption_pct"]["value"] is None
    assert by["Legal", "time_to_impact_days"] == _row(
        unit_level="department", unit="Legal", kpi="time_to_impact_days", value=None
    )


# -- the acceptance scenario -------------------------------------------------------------------


def _expected_kpis(data: Path, month: str) -> dict[tuple[str, str], tuple[float | None, bool]]:
    """The published KPIs, computed independently: compute_kpis, with its
    privacy suppression, for the organisation and the two departments."""
    frame = compute_kpis(load(data), period=month, min_group_size=5)
    frame = frame[(frame["level"] == "organisation") | frame["unit"].isin(["HR", "Legal"])]
    out = {}
    for record in frame.to_dict("records"):
        unit = "organisation" if record["level"] == "organisation" else record["unit"]
        for kpi in KPIS:
            hidden = bool(record.get(f"{kpi}_suppressed", False))
            value = None if hidden or pd.isna(record[kpi]) else float(record[kpi])
            out[unit, kpi] = (value, hidden)
    return out


def test_backfill_unchanged_rerun_and_a_failed_report_in_the_history_and_alert(
    tmp_path, data, tiny, webhook, capsys
):
    notebooks, steer = tiny
    hook, url = webhook
    out = tmp_path / "reports"

    # 1. A backfill of three months: one progress line each, three ok runs.
    assert report(data, out, notebooks, "--since", MONTHS[0], "--until", MONTHS[-1]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line[:9] for line in printed] == [f"{m}: " for m in MONTHS]
    assert all("3 of 3 reports published" in line for line in printed)
    history = History(out / FILE)
    runs = history.runs()
    assert [(r["period"], r["status"], r["exit_code"]) for r in runs] == [
        (m, "ok", 0) for m in MONTHS
    ]
    manifest = json.loads((out / MONTHS[-1] / "manifest.json").read_text())
    assert runs[-1]["inputs"] == manifest["inputs"]
    assert [(r["unit"], r["status"]) for r in runs[-1]["reports"]] == [
        ("organisation", "ok"),
        ("HR", "ok"),
        ("Legal", "ok"),
    ]
    series = history.kpi_series()
    assert sorted(series["period"].unique()) == MONTHS
    for month in MONTHS:
        got = {
            (r["unit"], r["kpi"]): (None if pd.isna(r["value"]) else r["value"], r["suppressed"])
            for r in series[series["period"] == month].to_dict("records")
        }
        assert got == _expected_kpis(data, month)  # the same figures, exactly
    # Legal is small: its leadership adoption is suppressed in every month, and
    # shown as suppressed (not 0) by `aiadopt history`.
    assert series[(series["unit"] == "Legal") & (series["kpi"] == "leadership_adoption_pct")][
        "suppressed"
    ].all()

    # 2. The same backfill again, and the last month on its own: nothing rewritten.
    before = files(out)
    assert report(data, out, notebooks, "--since", MONTHS[0], "--until", MONTHS[-1]) == 0
    assert report(data, out, notebooks, "--period", MONTHS[-1]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4 and all("unchanged:" in line for line in printed)
    assert printed[0].startswith(f"{MONTHS[0]}: unchanged: {out / MONTHS[0]}/")
    assert files(out) == before
    runs = history.runs()
    assert [r["status"] for r in runs[3:]] == ["unchanged"] * 4
    assert [r["period"] for r in runs[3:]] == [*MONTHS, MONTHS[-1]]

    # 3. A failure-injected run (another parameter, so the month is run again):
    #    partial in the history with the reason, and alerted.
    steer("v2", HR="fail")
    code = report(data, out, notebooks, "--period", MONTHS[-1], "--param", "ratio=2.0",
                  "--alert-webhook", url)  # fmt: skip
    assert code == 1
    last = history.runs()[-1]
    assert (last["period"], last["status"], last["exit_code"]) == (MONTHS[-1], "partial", 1)
    failed = [r for r in last["reports"] if r["status"] != "ok"]
    assert [(r["unit"], r["status"]) for r in failed] == [("HR", "failed")]
    assert "RuntimeError: injected failure for HR" in failed[0]["reason"]
    assert last["parameters"]["ratio"] == 2.0
    # The month's KPI rows now belong to the partial run (replaced, not added).
    month = history.kpi_series()
    month = month[month["period"] == MONTHS[-1]]
    assert len(month) == 15 and set(month["run_id"]) == {last["run_id"]}
    posted = json.loads(hook.requests[-1][2])
    assert posted["period"] == MONTHS[-1] and posted["status"] == "partial"
    assert [f["title"] for f in posted["failed_reports"]] == ["HR"]
    assert "injected failure for HR" in posted["failed_reports"][0]["reason"]
    assert len(hook.requests) == 1  # the good runs sent nothing

    # 4. `aiadopt history`: the series, a unit's KPI, the runs.
    capsys.readouterr()
    assert main(["history", "--out", str(out), "--unit", "Legal", "--format", "csv"]) == 0
    csv = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    adoption = csv[csv["kpi"] == "leadership_adoption_pct"]
    assert adoption["period"].tolist() == MONTHS
    assert adoption["value"].isna().all() and adoption["suppressed"].all()
    assert main(["history", "--out", str(out), "--unit", "Legal", "--lang", "nl"]) == 0
    table = capsys.readouterr().out
    assert "onderdrukt" in table and "okt 2026" in table and "Adoptie door" in table
    assert main(["history", "--out", str(out), "--runs", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in listed] == ["ok"] * 3 + ["unchanged"] * 4 + ["partial"]
    assert listed[-1]["failed_reports"] == "HR" and listed[-1]["exit_code"] == 1
    assert main(["history", "--out", str(out), "--runs"]) == 0
    assert "unchanged: skipped" in capsys.readouterr().out

    # 5. No personal data and no survey row in the history.
    survey = pd.read_csv(data / "survey.csv", dtype=str)
    stored = (out / FILE).read_bytes()
    for wal in out.glob(FILE + "-*"):
        stored += wal.read_bytes()
    ids = survey["respondent_id"].dropna().unique()
    assert len(ids) > 100 and not [i for i in ids if i.encode() in stored]
    assert str(data).encode() not in stored  # not even where the data lives
    with sqlite3.connect(out / FILE) as con:
        text = " ".join(
            str(v)
            for table in ("runs", "reports", "kpis")
            for row in con.execute(f"SELECT * FROM {table}")
            for v in row
        )
    assert "respondent" not in text and "data_dir" not in text


def test_the_latest_month_on_unchanged_data_is_stale(tmp_path, data, tiny, capsys):
    """The scheduled run (``--period latest``) on data unchanged since an
    earlier month was published: exit 4, nothing published, a 'stale' run in
    the history; ``--period`` publishes the month anyway."""
    notebooks, _ = tiny
    out = tmp_path / "reports"
    assert report(data, out, notebooks, "--period", "2026-09") == 0
    capsys.readouterr()

    assert report(data, out, notebooks) == EXIT_STALE == 4
    err = capsys.readouterr().err
    assert "the data has not changed since 2026-09 was published" in err
    assert "nothing published for 2026-10" in err and "pass --force to publish it anyway" in err
    assert not os.path.lexists(out / "2026-10")
    stale = History(out / FILE).runs()[-1]
    assert (stale["period"], stale["status"], stale["exit_code"]) == ("2026-10", "stale", 4)
    assert stale["note"] == "2026-09"

    # Changed inputs (here only a blank line more): the scheduled run publishes.
    with open(data / "survey.csv", "a", encoding="utf-8") as fh:
        fh.write("\n")
    assert report(data, out, notebooks) == 0
    assert (out / "2026-10" / "index.html").is_file()
    assert History(out / FILE).runs()[-1]["status"] == "ok"
    # The scheduled run again, before new data came in: the month it found is
    # the one it published, from the same data: stale, nothing rewritten. An
    # explicit month already published from the same data is left as it is.
    published = os.path.realpath(out / "2026-10")
    assert report(data, out, notebooks) == EXIT_STALE
    assert "the data has not changed since 2026-10 was published" in capsys.readouterr().err
    assert os.path.realpath(out / "2026-10") == published
    assert report(data, out, notebooks, "--period", "2026-10") == 0
    assert [r["status"] for r in History(out / FILE).runs()[-2:]] == ["stale", "unchanged"]
    # Other parameters (here the seed): the scheduled run publishes the month again.
    assert report(data, out, notebooks, "--seed", "1") == 0
    assert os.path.realpath(out / "2026-10") != published
    assert History(out / FILE).runs()[-1]["status"] == "ok"
    # --force publishes an unchanged month again (a new run folder behind the link).
    before = os.path.realpath(out / "2026-10")
    assert report(data, out, notebooks, "--period", "2026-10", "--force") == 0
    assert os.path.realpath(out / "2026-10") != before
    assert History(out / FILE).runs()[-1]["status"] == "ok"
    # --period publishes a stale month anyway.
    assert report(data, out, notebooks, "--period", "2026-08") == 0
    assert (out / "2026-08" / "index.html").is_file()


def test_a_history_that_cannot_be_written_loses_no_month(tmp_path, tiny, capsys):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    (out / FILE).mkdir(parents=True)  # sqlite cannot open a folder
    logged: list[str] = []
    result = run_reports(
        SAMPLE, out=out, notebooks_dir=notebooks, n_boot=0, departments=["HR"],
        progress=False, log=logged.append,
    )  # fmt: skip
    assert result.published and result.ok
    assert (out / "2026-10" / "index.html").is_file()
    assert result.history_error and str(out / FILE) in result.history_error
    assert [m for m in logged if "could not be written to the run history" in m]
    assert "the reports are published as usual" in logged[-1]


def test_a_run_stopped_by_an_error_is_in_the_history_without_its_message(
    tmp_path, data, tiny, capsys
):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    out.mkdir()
    assert report(data, out, notebooks, "--period", "2026-10", "--param", "nope=1") == 2
    assert "unknown parameter(s) ['nope']" in capsys.readouterr().err
    (run,) = History(out / FILE).runs()
    assert (run["period"], run["status"], run["exit_code"]) == ("2026-10", "failed", 2)
    assert run["note"] == "ParameterError" and run["reports"] == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--since", "2026-08", "--period", "2026-09"], "not allowed with argument"),
        (["--since", "2026-8"], "must be a month YYYY-MM"),
        (["--until", "2026-09"], "--until is the last month of a backfill; add --since"),
        (["--since", "2026-10", "--until", "2026-09"], "--since 2026-10 is after --until 2026-09"),
        (["--since", "2026-10", "--until", "2027-01"], "no data for 2027-01"),
    ],
)
def test_bad_backfill_options_stop_before_anything_runs(tmp_path, tiny, capsys, options, message):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    try:
        code = report(SAMPLE, out, notebooks, *options)
    except SystemExit as exc:  # argparse
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_history_without_a_history_is_a_clear_error(tmp_path, capsys):
    assert main(["history", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / FILE}: no run history yet" in err
    assert "aiadopt report" in err
