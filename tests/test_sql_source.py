"""PostgreSQL as a data source (aiadopt/io/sql.py), against a real server.

The server is the one ``make test`` starts (Debian's cluster), used through
pytest-postgresql's ``postgresql_noproc``; each test gets a fresh database
(``pg_database`` and ``pg_url`` in tests/conftest.py).
"""

from __future__ import annotations

import json
import pickle
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import aiadopt
from aiadopt.cli import main
from aiadopt.errors import DataValidationError
from aiadopt.io.sql import DataSourceError, SqlTable, parse_tables
from aiadopt.kpis import compute_kpis

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DATES = ("start_date", "decision_date", "first_impact_date")


def _sample(table: str) -> pd.DataFrame:
    """A table of data/sample with the types a database would give it."""
    frame = pd.read_csv(SAMPLE / f"{table}.csv")
    for name in DATES:
        if name in frame:
            frame[name] = pd.to_datetime(frame[name]).dt.date
    return frame


def _put(url: str, tables: dict[str, pd.DataFrame], *, schema: str | None = None) -> None:
    """Write DataFrames as tables (dates as ``date`` columns)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            for name, frame in tables.items():
                dtype = {c: sa.Date() for c in DATES if c in frame}
                frame.to_sql(name, conn, schema=schema, index=False, dtype=dtype)
    finally:
        engine.dispose()


def _small() -> dict[str, pd.DataFrame]:
    """A small organisation: the sample's first use cases, every process, the
    survey answers of the first wave's first rows."""
    survey = _sample("survey")
    return {
        "use_cases": _sample("use_cases").head(30),
        "processes": _sample("processes"),
        "survey": survey[survey["wave"] == survey["wave"].max()].head(300),
    }


def _execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


# -- the acceptance test ------------------------------------------------------------------------


def test_kpis_from_database_equal_those_from_csv(pg_url):
    """The same organisation from CSV files and from PostgreSQL tables gives
    the same validated tables and the same KPIs."""
    _put(pg_url, {t: _sample(t) for t in ("use_cases", "processes", "survey")})
    from_db = aiadopt.load(pg_url)
    from_csv = aiadopt.load(SAMPLE)

    for period in ("latest", "2025-11"):
        pd.testing.assert_frame_equal(
            compute_kpis(from_db, period=period), compute_kpis(from_csv, period=period)
        )
    for table, key in (
        ("use_cases", ["use_case_id"]),
        ("processes", ["department", "process"]),
        ("survey", ["respondent_id", "wave"]),
    ):
        db = getattr(from_db, table).sort_values(key).reset_index(drop=True)
        csv = getattr(from_csv, table).sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(db, csv)
    assert from_db.items == from_csv.items
    assert {t: str(s) for t, s in from_db.sources.items()} == {
        "use_cases": "public.use_cases",
        "processes": "public.processes",
        "survey": "public.survey",
    }
    assert from_db.sources["survey"].rows == len(from_csv.survey)


# -- what is read -------------------------------------------------------------------------------


@pytest.fixture
def reader(pg_server, pg_database, pg_url):
    """A login role that may read only the columns the loader needs, over
    TCP with a password (scram): ``(name, password, url)``, no password in the url."""
    name = f"aiadopt_reader_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    dbname = pg_database.info.dbname
    _execute(pg_url, f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    try:
        yield name, password, f"postgresql+psycopg://{name}@127.0.0.1:{pg_server.port}/{dbname}"
    finally:
        _execute(pg_url, f"DROP OWNED BY {name}", f"DROP ROLE {name}")


def test_only_the_needed_columns_are_read(pg_url, reader, monkeypatch):
    """A role that may not read the survey's free text, nor a register's
    extra column, loads the data: those columns are never selected."""
    tables = _small()
    tables["survey"] = tables["survey"].assign(comment="SECRET free text", ip_address="10.0.0.1")
    tables["use_cases"] = tables["use_cases"].assign(owner_email="someone@example.org")
    _put(pg_url, tables)
    name, password, url = reader
    needed = {
        "survey": [c for c in _small()["survey"].columns],
        "use_cases": [c for c in _small()["use_cases"].columns],
        "processes": ["department", "process", "core"],
    }
    _execute(
        pg_url,
        *(f"GRANT SELECT ({', '.join(cols)}) ON {t} TO {name}" for t, cols in needed.items()),
    )
    monkeypatch.setenv("PGPASSWORD", password)
    data = aiadopt.load(url)
    assert {"comment", "ip_address"} <= set(data.dropped_columns)
    assert "comment" not in data.survey.columns
    # Reading them is refused by the server: the loader would have failed.
    with pytest.raises(DataSourceError, match=r"cannot read public\.survey \(permission denied"):
        aiadopt.load(url, codebook=_codebook_with_comment_item(pg_url))


def _codebook_with_comment_item(pg_url) -> Path:
    """A codebook that makes the survey's ``comment`` an item (so the loader selects it)."""
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / "codebook.yaml").write_text(
        "scales:\n  competency:\n    change: {items: [comment]}\n", encoding="utf-8"
    )
    return folder / "codebook.yaml"


# -- credentials --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://aiadopt:s3cr3t-pw@db.example.org/hr",
        "postgresql://aiadopt:s3cr3t-pw@db.example.org:5432/hr",
        "postgresql+psycopg://aiadopt@db.example.org/hr?password=s3cr3t-pw",
    ],
)
def test_a_password_in_the_url_is_refused(url, capsys):
    """Before any connection: the message says where the password goes and
    never repeats it."""
    with pytest.raises(DataSourceError, match="the URL holds a password") as err:
        aiadopt.load(url)
    assert "s3cr3t-pw" not in str(err.value)
    assert "PGPASSWORD" in str(err.value) and "~/.pgpass" in str(err.value)
    assert main(["kpis", "--data", url]) == 2
    stderr = capsys.readouterr().err
    assert "s3cr3t-pw" not in stderr and "Traceback" not in stderr
    assert stderr.count("\n") == 1 and "the URL holds a password" in stderr


def test_password_from_pgpassword_or_pgpass(
    pg_server, pg_url, reader, monkeypatch, tmp_path, capsys
):
    """libpq's own places give the password; without one, or with a wrong
    one, the login is refused in one line naming them."""
    _put(pg_url, _small())
    name, password, url = reader
    _execute(pg_url, f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(DataSourceError, match=r"login refused .*PGPASSWORD.*~/\.pgpass"):
        aiadopt.load(url)
    monkeypatch.setenv("PGPASSWORD", "wrong")
    assert main(["kpis", "--data", url]) == 2
    stderr = capsys.readouterr().err
    assert "login refused" in stderr and "password authentication failed" in stderr
    assert stderr.count("\n") == 1 and "wrong" not in stderr.replace("password", "")

    monkeypatch.setenv("PGPASSWORD", password)
    assert len(aiadopt.load(url).use_cases) == 30
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:{name}:{password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert len(aiadopt.load(url).use_cases) == 30


def test_unreachable_server_is_one_line(capsys):
    url = "postgresql+psycopg://aiadopt@127.0.0.1:1/hr"
    with pytest.raises(
        DataSourceError,
        match=r"^postgresql\+psycopg://aiadopt@127\.0\.0\.1:1/hr: cannot connect .*Check the host and port",
    ):
        aiadopt.load(url)
    assert main(["kpis", "--data", url]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_missing_database_is_one_line(pg_server, pg_url):
    url = pg_url.replace(pg_url.split("/")[3].split("?")[0], "aiadopt_no_such_db")
    with pytest.raises(
        DataSourceError,
        match=r'cannot connect \(.*database "aiadopt_no_such_db" does not exist\)\. Check the database name',
    ):
        aiadopt.load(url)


def test_not_postgresql_is_refused():
    with pytest.raises(DataSourceError, match="unsupported database 'mysql'"):
        aiadopt.load("mysql://aiadopt@db.example.org/hr")


# -- tables, schema, names ----------------------------------------------------------------------


def test_missing_tables_named_in_one_line(pg_url, capsys):
    _put(pg_url, {"use_cases": _small()["use_cases"]})
    with pytest.raises(
        DataSourceError,
        match=r"no table public\.processes, public\.survey in the database\. Create the table, or name yours with --schema and --tables",
    ):
        aiadopt.load(pg_url)
    assert main(["kpis", "--data", pg_url]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_schema_and_table_names_are_configurable(pg_url, capsys):
    small = _small()
    _put(
        pg_url,
        {"register": small["use_cases"], "processes": small["processes"], "pulse": small["survey"]},
        schema="hr",
    )
    data = aiadopt.load(pg_url, schema="hr", tables={"use_cases": "register", "survey": "pulse"})
    assert str(data.sources["survey"]) == "hr.pulse" and len(data.use_cases) == 30
    assert (
        main(
            [
                "kpis",
                "--data",
                pg_url,
                "--schema",
                "hr",
                "--tables",
                "survey=pulse,use_cases=register",
            ]
        )
        == 0
    )
    assert "organisation" in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown table 'answers'"):
        parse_tables("answers=pulse")
    with pytest.raises(ValueError, match="schema and tables name the tables of a database"):
        aiadopt.load(SAMPLE, schema="hr")


def test_bad_values_name_table_row_key_and_column(pg_url):
    """Every problem at once, each naming schema.table, the row by its key,
    the column and the value, with the file path's rule and fix."""
    small = _small()
    uc, survey = small["use_cases"].copy(), small["survey"].copy()
    uc.loc[2, "status"] = "sometimes"
    uc.loc[6, "impact"] = 9
    survey = survey.reset_index(drop=True)
    survey.loc[4, "team_phase"] = 7
    survey.loc[5, "role"] = "boss"
    _put(pg_url, {"use_cases": uc, "processes": small["processes"], "survey": survey})
    with pytest.raises(DataValidationError) as err:
        aiadopt.load(pg_url)
    text = str(err.value)
    assert "(public.survey, public.use_cases); nothing was written" in text
    uc_id, uc_id2 = uc.loc[2, "use_case_id"], uc.loc[6, "use_case_id"]
    assert (
        f"- public.use_cases, column 'status': value not in {{idea, pilot, production, scaled, stopped}} "
        f"(row use_case_id='{uc_id}' 'sometimes')" in text
    )
    assert (
        f"- public.use_cases, column 'impact': score outside 1-5 (row use_case_id='{uc_id2}' '9')"
        in text
    )
    r, wave = survey.loc[4, "respondent_id"], survey.loc[4, "wave"]
    assert f"(row respondent_id='{r}', wave='{wave}' '7')" in text
    r5 = survey.loc[5, "respondent_id"]
    assert (
        f"- public.survey, column 'role': value not in {{leader, employee}} (row respondent_id='{r5}'"
        in text
    )
    assert len(err.value.problems) == 4


def test_missing_and_misspelt_columns(pg_url):
    """A missing required column and a misspelt optional one (a column that
    is not read) are named as for a file."""
    small = _small()
    _put(
        pg_url,
        {
            "use_cases": small["use_cases"].rename(columns={"process": "proces"}),
            "processes": small["processes"],
            "survey": small["survey"].drop(columns=["team"]),
        },
    )
    with pytest.raises(DataValidationError) as err:
        aiadopt.load(pg_url)
    text = str(err.value)
    assert "- public.survey: required column 'team' is missing." in text
    assert (
        "- public.use_cases, column 'proces': column 'proces' is not a known column; it looks like 'process'. Rename it to 'process'."
        in text
    )


def test_empty_table_is_named(pg_url):
    small = _small()
    _put(pg_url, {**small, "processes": small["processes"].head(0)})
    with pytest.raises(DataValidationError, match=r"- public\.processes: the table has no rows"):
        aiadopt.load(pg_url)


def test_checksum_follows_the_rows_not_their_order(pg_url):
    """The manifest's checksum: the same rows (inserted in another order)
    give the same one; one changed value another."""
    small = _small()
    _put(pg_url, small)
    first = aiadopt.load(pg_url).sources["use_cases"]
    _execute(pg_url, "DROP TABLE use_cases")
    _put(pg_url, {"use_cases": small["use_cases"].iloc[::-1]})
    assert aiadopt.load(pg_url).sources["use_cases"].sha256 == first.sha256
    _execute(pg_url, "UPDATE use_cases SET impact = 1 WHERE use_case_id = 'UC-0001'")
    assert aiadopt.load(pg_url).sources["use_cases"].sha256 != first.sha256
    again = pickle.loads(pickle.dumps(first))
    assert isinstance(again, SqlTable) and again.sha256 == first.sha256 and again == first


# -- the monthly run ----------------------------------------------------------------------------


def test_report_from_database(pg_url, tmp_path, capsys):
    """``aiadopt report --data URL`` publishes; the notebooks get the URL and
    the manifest records each table with its rows and checksum, no password."""
    _put(pg_url, {t: _sample(t) for t in ("use_cases", "processes", "survey")})
    out = tmp_path / "reports"
    status = main(
        [
            "report",
            "--data",
            pg_url,
            "--department",
            "Legal",
            "--n-boot",
            "0",
            "--out",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert status == 0, capsys.readouterr().err
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text())
    assert manifest["status"] == "ok"
    inputs = {i["table"]: i for i in manifest["inputs"]}
    assert inputs["survey"]["database"] == pg_url
    assert inputs["survey"]["relation"] == "public.survey"
    assert inputs["survey"]["rows"] == len(_sample("survey"))
    assert len(inputs["use_cases"]["sha256"]) == 64
    assert "data_dir" not in manifest["parameters"]
    published = next(out.glob("*/organisation.html")).read_text()
    assert "public.survey" in published


def test_column_names_as_people_write_them(pg_url):
    """Mixed case and spaces (quoted identifiers) are matched as in a file
    header, and messages name the column and key as the table spells them."""
    small = _small()
    uc = small["use_cases"].rename(columns=lambda c: c.replace("_", " ").title())
    uc.loc[1, "Status"] = "sometimes"
    _put(pg_url, {**small, "use_cases": uc})
    with pytest.raises(DataValidationError) as err:
        aiadopt.load(pg_url)
    assert (
        f"- public.use_cases, column 'Status': value not in {{idea, pilot, production, scaled, stopped}} "
        f"(row Use Case Id='{uc.loc[1, 'Use Case Id']}' 'sometimes')" in str(err.value)
    )
    _execute(
        pg_url,
        f"""UPDATE use_cases SET "Status" = 'pilot' WHERE "Use Case Id" = '{uc.loc[1, "Use Case Id"]}'""",
    )
    assert len(aiadopt.load(pg_url).use_cases) == 30


def test_the_notebooks_get_the_url(pg_url):
    """A report's ``data_dir`` parameter is the URL as given (not a path)."""
    from aiadopt.report.runner import default_notebooks_dir, plan_jobs

    _put(pg_url, _small())
    data = aiadopt.load(pg_url)
    jobs = plan_jobs(
        data=data,
        data_dir=pg_url,
        period=str(data.resolve_period("latest")),
        departments=None,
        lang="en",
        min_group_size=5,
        n_boot=0,
        seed=0,
        codebook=None,
        notebooks_dir=default_notebooks_dir(),
    )
    assert {job.parameters["data_dir"] for job in jobs} == {pg_url}
