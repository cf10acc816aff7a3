"""Shared fixtures.

``make_dataset`` builds a :class:`aiadopt.dataset.Dataset` in canonical form
(the dtypes documented in ``aiadopt/dataset.py``) from literal rows, so a
metric test states only the columns it is about::

    def test_x(make_dataset):
        data = make_dataset(
            use_cases=[{"status": "pilot", "start_date": "2025-01-10"}],
            survey=[{"wave": "2025-01", "role": "leader", "ai_use_frequency": "daily"}],
        )
"""

from __future__ import annotations

import getpass
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pytest_postgresql import factories

from aiadopt.dataset import Dataset
from aiadopt.schema import (
    FREQUENCIES,
    ROLES,
    SKILL_LEVELS,
    USE_CASE_COLUMNS,
)

#: Defaults for use-case columns a test does not give.
USE_CASE_DEFAULTS: dict[str, Any] = {
    "department": "D1",
    "team": "T1",
    "goal": "operational",
    "status": "pilot",
    "process": None,
    "impact": 3.0,
    "effort": 3.0,
    "feasibility": 3.0,
    "urgency": 3.0,
    "repetition": np.nan,
    "data_intensity": np.nan,
    "error_sensitivity": np.nan,
    "start_date": "2025-01-01",
    "decision_date": None,
    "first_impact_date": None,
    "investment_eur": 10_000.0,
    "annual_benefit_eur": np.nan,
}
#: Defaults for survey columns a test does not give.
SURVEY_DEFAULTS: dict[str, Any] = {
    "wave": "2025-01",
    "department": "D1",
    "team": "T1",
    "role": "employee",
    "ai_use_frequency": None,
    "ai_skill_level": None,
    "ai_training_done": None,
    "team_phase": np.nan,
}
_UC_TEXT = ("use_case_id", "title", "department", "team", "goal", "status", "process")
_UC_DATES = ("start_date", "decision_date", "first_impact_date")
_ITEM_PREFIXES = ("comp_", "culture_", "pillar_")


def _frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows.copy()
    return pd.DataFrame(list(rows))


def _fill(frame: pd.DataFrame, col: str, default: Any) -> pd.Series:
    """``frame[col]`` with gaps (or the whole column, if absent) set to ``default``."""
    if col not in frame:
        return pd.Series([default] * len(frame), index=frame.index, dtype=object)
    if default is None or (isinstance(default, float) and np.isnan(default)):
        return frame[col]
    return frame[col].astype(object).where(frame[col].notna(), default)


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None).astype("str")


def build_dataset(
    use_cases: Iterable[Mapping[str, Any]] | pd.DataFrame = (),
    processes: Iterable[Mapping[str, Any]] | pd.DataFrame = (),
    survey: Iterable[Mapping[str, Any]] | pd.DataFrame = (),
) -> Dataset:
    """A canonical :class:`Dataset` from literal rows (dicts) or DataFrames.

    Missing columns and missing values (a key absent from some rows) take
    :data:`USE_CASE_DEFAULTS` / :data:`SURVEY_DEFAULTS` where the default is
    not itself empty;
    ``use_case_id`` defaults to ``UC001``, ``UC002``...; ``title`` to the id;
    ``respondent_id`` to ``R001``...; processes need ``department``,
    ``process`` and ``core`` (default False). Survey columns named
    ``comp_*``, ``culture_*`` or ``pillar_*`` become float item columns and
    are listed in ``Dataset.items`` by their scale (``comp_change_1`` ->
    ``comp_change``).
    """
    uc = _frame(use_cases)
    n = len(uc)
    if "use_case_id" not in uc:
        uc["use_case_id"] = [f"UC{i + 1:03d}" for i in range(n)]
    if "title" not in uc:
        uc["title"] = uc["use_case_id"]
    for col, default in USE_CASE_DEFAULTS.items():
        uc[col] = _fill(uc, col, default)
    for col in _UC_TEXT:
        uc[col] = _text(uc[col])
    for col in _UC_DATES:
        uc[col] = pd.to_datetime(uc[col]).astype("datetime64[ns]")
    for col in set(USE_CASE_COLUMNS) - set(_UC_TEXT) - set(_UC_DATES):
        uc[col] = uc[col].astype("float64")
    uc = uc[list(USE_CASE_COLUMNS)].reset_index(drop=True)

    pr = _frame(processes)
    for col in ("department", "process"):
        if col not in pr:
            pr[col] = pd.Series(dtype=object)
        pr[col] = _text(pr[col])
    pr["core"] = pr["core"].astype(bool) if "core" in pr else False
    pr = pr[["department", "process", "core"]].reset_index(drop=True)

    sv = _frame(survey)
    m = len(sv)
    if "respondent_id" not in sv:
        sv["respondent_id"] = [f"R{i + 1:03d}" for i in range(m)]
    for col, default in SURVEY_DEFAULTS.items():
        sv[col] = _fill(sv, col, default)
    for col in ("respondent_id", "department", "team"):
        sv[col] = _text(sv[col])
    sv["wave"] = pd.Series(pd.PeriodIndex(sv["wave"].astype(object), freq="M"), index=sv.index)
    sv["role"] = pd.Categorical(sv["role"], categories=ROLES)
    sv["ai_use_frequency"] = pd.Categorical(
        sv["ai_use_frequency"], categories=FREQUENCIES, ordered=True
    )
    sv["ai_skill_level"] = pd.Categorical(sv["ai_skill_level"], categories=SKILL_LEVELS)
    sv["ai_training_done"] = sv["ai_training_done"].astype("boolean")
    sv["team_phase"] = sv["team_phase"].astype("float64")
    item_cols = [c for c in sv.columns if c.startswith(_ITEM_PREFIXES)]
    for col in item_cols:
        sv[col] = sv[col].astype("float64")
    items: dict[str, tuple[str, ...]] = {}
    for col in item_cols:
        items.setdefault(col.rsplit("_", 1)[0], ())
        items[col.rsplit("_", 1)[0]] += (col,)
    base = ["respondent_id", "wave", "department", "team", "role", "ai_use_frequency"]
    base += ["ai_skill_level", "ai_training_done", "team_phase"]
    sv = sv[base + item_cols].reset_index(drop=True)
    return Dataset(use_cases=uc, processes=pr, survey=sv, items=items)


@pytest.fixture
def make_dataset():
    """The :func:`build_dataset` helper: ``make_dataset(use_cases=[...], ...)``."""
    return build_dataset


#: Written into a free-text column of the survey by :func:`sample_run`; no
#: published file may contain it.
SAMPLE_FREE_TEXT = "SECRET-FREE-TEXT-7f3a"


@pytest.fixture(scope="session")
def sample_free_text() -> str:
    """The marker :func:`sample_run` puts in the survey's free-text column."""
    return SAMPLE_FREE_TEXT


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The monthly run on a copy of data/sample, once per test session.

    The copy's survey export also carries a free-text column (every answer
    contains :data:`SAMPLE_FREE_TEXT`). When Debian's chromium is installed
    the run is ``--pdf``: every report is also printed to PDF (tests/test_pdf.py).
    Returns ``(result, data_dir)``: the :class:`~aiadopt.report.runner.RunResult`
    and the copied data folder. Tests only read what it published.
    """
    from aiadopt.report.runner import run_reports

    base = tmp_path_factory.mktemp("run")
    data = base / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "sample", data)
    survey = pd.read_csv(data / "survey.csv", dtype=str, keep_default_na=False)
    survey["comment"] = [f"{SAMPLE_FREE_TEXT} answer {i}" for i in range(len(survey))]
    survey.to_csv(data / "survey.csv", index=False)
    chromium = Path("/usr/bin/chromium")
    result = run_reports(
        data,
        out=base / "reports",
        workers=2,
        n_boot=200,
        progress=False,
        pdf=chromium.exists(),
        chromium=chromium if chromium.exists() else None,
    )
    return result, data


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator."""
    return np.random.default_rng(20250101)


# -- PostgreSQL (tests/test_sql_source.py) ------------------------------------------------------
# A server that is already running: Debian's cluster, which `make test` installs,
# starts and gives a superuser role named after the user running the tests
# (peer login over the Unix socket). pytest-postgresql's postgresql_noproc
# uses it (postgresql_proc would start its own server, and refuses to as root).
# AIADOPT_TEST_PG_HOST, _PORT, _USER and _PASSWORD point the tests elsewhere.
PG_HOST = os.environ.get("AIADOPT_TEST_PG_HOST") or "/var/run/postgresql"
PG_PORT = int(os.environ.get("AIADOPT_TEST_PG_PORT") or 5432)
PG_USER = os.environ.get("AIADOPT_TEST_PG_USER") or getpass.getuser()
PG_PASSWORD = os.environ.get("AIADOPT_TEST_PG_PASSWORD") or None

# The test databases are named after the process, so that two test runs on one
# machine (two worktrees) do not meet; pyproject.toml's --postgresql-drop-test-database
# drops one left behind by an interrupted run of the same name.
_pg_noproc = factories.postgresql_noproc(
    host=PG_HOST,
    port=PG_PORT,
    user=PG_USER,
    password=PG_PASSWORD,
    dbname=f"aiadopt_tests_{os.getpid()}",
)


@pytest.fixture(scope="session")
def pg_server(request):
    """The running PostgreSQL server (a pytest-postgresql executor). Skipped
    when there is none, except under CI (``CI`` set), where that fails."""
    import psycopg

    try:
        psycopg.connect(
            host=PG_HOST,
            port=PG_PORT,
            user=PG_USER,
            password=PG_PASSWORD,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        message = (
            f"no PostgreSQL server for the database tests ({str(exc).strip().splitlines()[0]}); "
            "`make test` installs and starts Debian's (as root), see docs/databases.md"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return request.getfixturevalue("_pg_noproc")


#: A fresh database per test on :func:`pg_server`, as a psycopg connection.
pg_database = factories.postgresql("pg_server")


@pytest.fixture
def pg_url(pg_database, monkeypatch) -> str:
    """The SQLAlchemy URL of :func:`pg_database`, without a password (one
    the server needs is given through ``PGPASSWORD``, as users do)."""
    if PG_PASSWORD:
        monkeypatch.setenv("PGPASSWORD", PG_PASSWORD)
    dbname = pg_database.info.dbname
    if PG_HOST.startswith("/"):
        return f"postgresql+psycopg://{PG_USER}@/{dbname}?host={PG_HOST}&port={PG_PORT}"
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"
