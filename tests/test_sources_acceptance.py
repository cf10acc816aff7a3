"""Issue 12's acceptance of the data sources: one organisation read from its
CSV files, from PostgreSQL, and from a Qualtrics, a Microsoft Forms and a
LimeSurvey export of the same survey rows gives identical KPIs and
measures; the exports' personal data appears nowhere in what a report run
writes; the manifest records the mapping file; the report notebooks, run on
their own, read an export.

The organisation is a small one from :func:`aiadopt.sample.write_sample`
(three departments, three waves); its exports are written by
``tests/data/exports/make_fixtures.py`` (``write_export``), as a user does
with ``--sample DIR --tool TOOL --out DIR``.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

import aiadopt
from aiadopt.cli import main
from aiadopt.kpis import compute_kpi_trend, compute_kpis
from aiadopt.measures import compute_measures
from aiadopt.sample import write_sample

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TOOLS = ("qualtrics", "msforms", "limesurvey")
DATES = ("start_date", "decision_date", "first_impact_date")

#: Each tool's personal-data columns, as the generator fills them.
PERSONAL = {
    "qualtrics": (
        "IPAddress",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "ExternalReference",
        "LocationLatitude",
        "LocationLongitude",
    ),
    "msforms": ("Email", "Name"),
    "limesurvey": ("token", "ipaddr", "refurl", "firstname", "lastname", "email"),
}


def _make_fixtures():
    spec = importlib.util.spec_from_file_location(
        "make_fixtures", ROOT / "tests" / "data" / "exports" / "make_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def organisation(tmp_path_factory) -> Path:
    """The organisation as aiadopt's own CSV files."""
    folder = tmp_path_factory.mktemp("organisation")
    write_sample(folder, departments=3, n_respondents=150, n_waves=3)
    return folder


@pytest.fixture(scope="module")
def exports(organisation, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """tool -> the files of its data folder (``survey``, ``mapping``, ...)."""
    make = _make_fixtures()
    base = tmp_path_factory.mktemp("exports")
    return {tool: make.write_export(organisation, tool, base / tool) for tool in TOOLS}


def _export_frame(tool: str, path: Path) -> pd.DataFrame:
    """The export's responses as text, headed by the tool's column ids."""
    if tool == "msforms":
        return pd.read_excel(path, dtype=str)
    skip = [1, 2] if tool == "qualtrics" else []  # the question text and ImportId rows
    return pd.read_csv(path, dtype=str, skiprows=skip, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def secrets(exports) -> dict[str, set[str]]:
    """tool -> every personal value its export holds."""
    out = {}
    for tool, files in exports.items():
        frame = _export_frame(tool, files["survey"])
        values = {v for c in PERSONAL[tool] for v in frame[c].dropna() if v.strip()}
        out[tool] = values - {"anonymous"}  # Forms' word for no e-mail address
    return out


def _put(url: str, folder: Path, *, schema: str | None = None, names: dict | None = None) -> None:
    """The organisation's CSV tables as PostgreSQL tables (dates as
    ``date``), in ``schema``, named as in ``names`` (default: as the files)."""
    names = names or {}
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            for table in ("use_cases", "processes", "survey"):
                frame = pd.read_csv(folder / f"{table}.csv")
                for name in DATES:
                    if name in frame:
                        frame[name] = pd.to_datetime(frame[name]).dt.date
                dtype = {c: sa.Date() for c in DATES if c in frame}
                frame.to_sql(names.get(table, table), conn, schema=schema, index=False, dtype=dtype)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def from_csv(organisation):
    return aiadopt.load(organisation)


def _load(source: str, organisation: Path, exports, request):
    if source == "postgresql":
        url = request.getfixturevalue("pg_url")  # skipped without a server (not under CI)
        _put(url, organisation)
        return aiadopt.load(url)
    files = exports[source]
    return aiadopt.load(files["survey"].parent, mapping=files["mapping"])


def _answers(data) -> pd.DataFrame:
    """The survey without the respondent ids (each tool numbers its
    responses), in one row order."""
    frame = data.survey.drop(columns="respondent_id")
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.mark.parametrize("source", ["postgresql", *TOOLS])
def test_the_same_organisation_from_five_sources_gives_identical_kpis(
    source, organisation, exports, from_csv, request
):
    data = _load(source, organisation, exports, request)
    assert len(from_csv.survey["wave"].unique()) == 3  # the trend has months to compare
    for period in ("latest", str(from_csv.periods[1])):
        pd.testing.assert_frame_equal(
            compute_kpis(data, period=period), compute_kpis(from_csv, period=period)
        )
    pd.testing.assert_frame_equal(
        compute_kpi_trend(data, period="latest"), compute_kpi_trend(from_csv, period="latest")
    )
    pd.testing.assert_frame_equal(
        compute_measures(data, period="latest", n_boot=20),
        compute_measures(from_csv, period="latest", n_boot=20),
    )
    pd.testing.assert_frame_equal(_answers(data), _answers(from_csv))
    pd.testing.assert_frame_equal(data.use_cases, from_csv.use_cases)
    assert data.items == from_csv.items
    assert data.survey_format == ("aiadopt" if source == "postgresql" else source)


@pytest.mark.parametrize("tool", TOOLS)
def test_the_exports_are_realistic(tool, exports, secrets):
    """Each export holds the tool's own ids, personal data in every
    personal-data column, and responses to leave out: the other tests can fail."""
    files = exports[tool]
    frame = _export_frame(tool, files["survey"])
    for column in PERSONAL[tool]:
        assert frame[column].notna().sum() > 250, column  # Forms: some answer anonymously
    assert len(secrets[tool]) > 300
    assert not {"department", "comp_change_1"} & set(frame.columns)  # the tool's ids
    data = aiadopt.load(files["survey"].parent, mapping=files["mapping"])
    left_out = {w.code: w.value for w in data.warnings if (w.code or "").startswith("export_")}
    assert (
        left_out
        == {
            "qualtrics": {"export_preview": 2, "export_spam": 1, "export_unfinished": 3},
            "msforms": {},
            "limesurvey": {"export_unfinished": 3},
        }[tool]
    )


@pytest.mark.parametrize("tool", TOOLS)
def test_no_personal_data_in_the_loaded_survey(tool, exports, secrets):
    files = exports[tool]
    data = aiadopt.load(files["survey"].parent, mapping=files["mapping"])
    columns = {c.lower() for c in data.survey.columns} | {c.lower() for c in data.dropped_columns}
    assert not columns & {c.lower() for c in PERSONAL[tool]}
    cells = set(data.survey.astype(str).to_numpy().ravel())
    assert not cells & secrets[tool]


# -- a report run: personal data nowhere, the mapping in the manifest -----------------------------


def _texts(path: Path) -> tuple[list[str], list[str]]:
    """Every text a file holds, whatever it is: ``(raw, clean)``. ``raw``
    is its bytes as Latin-1 text; ``clean`` the texts known to be text: the
    file as UTF-8 if it is, and the contents of Parquet, SQLite, zip and
    gzip files unpacked."""
    data = path.read_bytes()
    raw = [path.name, data.decode("latin-1")]
    clean = [path.name]
    try:
        clean.append(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if data[:4] == b"PAR1":
        table = pq.read_table(path)
        clean += [table.to_pandas().to_csv(), str(table.schema.metadata)]
    elif data[:16] == b"SQLite format 3\x00":
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            clean.append("\n".join(conn.iterdump()))
        finally:
            conn.close()
    elif zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            clean += [zf.read(n).decode("latin-1") for n in zf.namelist()]
    elif data[:2] == b"\x1f\x8b":
        clean.append(gzip.decompress(data).decode("latin-1"))
    return raw + clean, clean


#: Runs of base64 (embedded images): a short name such as "Ivo" turns up in them by chance.
_BASE64 = re.compile(r"[A-Za-z0-9+/]{40,}=*")


def _leaks(folder: Path, secrets: set[str]) -> dict[str, set[str]]:
    """File (relative to ``folder``) -> the secrets found in it. A secret
    of 6 characters or more is looked for anywhere; a shorter one (a first
    name) as a word, in text outside base64 runs."""
    long = {s for s in secrets if len(s) >= 6}
    short = re.compile(
        r"\b(" + "|".join(re.escape(s) for s in sorted(secrets - long)) + r")\b"
        if secrets - long
        else r"(?!)"
    )
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        texts, clean = _texts(path)
        found = {s for text in texts for s in long if s in text}
        found |= {m for text in clean for m in short.findall(_BASE64.sub(" ", text))}
        if found:
            out[str(path.relative_to(folder))] = found
    return out


def test_leak_scan_finds_a_secret_in_every_kind_of_file(tmp_path):
    """The scan of the report run sees inside Parquet, SQLite and zip files."""
    secret = "anna.jansen0@example.org"
    pd.DataFrame({"x": [secret] * 50}).to_parquet(tmp_path / "a.parquet", compression="zstd")
    with sqlite3.connect(tmp_path / "history.sqlite") as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (secret,))
    conn.close()
    with zipfile.ZipFile(tmp_path / "b.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.txt", secret * 20)
    (tmp_path / "c.gz").write_bytes(gzip.compress((secret * 20).encode()))
    (tmp_path / "d.html").write_text(f"<p>{secret}</p>", encoding="utf-8")
    (tmp_path / "e.html").write_text(
        "<p>Ivo</p><img src='data:image/png;base64," + "QUJD" * 20 + "Ivo" + "QUJD" * 20 + "'>",
        encoding="utf-8",
    )
    (tmp_path / "f.html").write_text(
        "<img src='data:image/png;base64," + "QUJD" * 20 + "Ivo" + "QUJD" * 20 + "'>",
        encoding="utf-8",
    )
    found = _leaks(tmp_path, {secret, "Ivo"})
    assert found["e.html"] == {"Ivo"} and "f.html" not in found  # a name, not base64
    assert set(_leaks(tmp_path, {secret})) == {
        "a.parquet",
        "history.sqlite",
        "b.zip",
        "c.gz",
        "d.html",
    }


@pytest.fixture(scope="module")
def report_runs(exports, organisation, tmp_path_factory):
    """``aiadopt report`` (the CLI) on the Qualtrics and the Forms export:
    tool -> (exit code, output folder)."""
    department = sorted(aiadopt.load(organisation).survey["department"].unique())[0]
    out = {}
    for tool in ("qualtrics", "msforms"):
        files = exports[tool]
        reports = tmp_path_factory.mktemp(f"reports-{tool}")
        args = ["report", "--data", str(files["survey"].parent), "--mapping", str(files["mapping"])]
        args += ["--department", department, "--n-boot", "0", "--out", str(reports)]
        out[tool] = (main(args), reports)
    return out


@pytest.mark.parametrize("tool", ["qualtrics", "msforms"])
def test_personal_data_appears_nowhere_after_a_report_run(tool, report_runs, exports, secrets):
    code, reports = report_runs[tool]
    assert code == 0
    written = [p for p in reports.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in written)  # the results store was scanned
    assert any(p.name == "manifest.json" for p in written)
    assert not _leaks(reports, secrets[tool])
    # The loader caches nothing next to the data: the folder holds what it held.
    assert sorted(p.name for p in exports[tool]["survey"].parent.iterdir()) == sorted(
        p.name for p in exports[tool].values()
    )


@pytest.mark.parametrize("tool", ["qualtrics", "msforms"])
def test_manifest_records_the_survey_format_and_the_mapping_file(tool, report_runs, exports):
    _, reports = report_runs[tool]
    (manifest_path,) = reports.glob("*/manifest.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["survey_format"] == tool
    mapping = exports[tool]["mapping"]
    entry = next(i for i in manifest["inputs"] if i["table"] == "mapping")
    assert entry == {
        "table": "mapping",
        "file": "mapping.yaml",
        "bytes": mapping.stat().st_size,
        "sha256": hashlib.sha256(mapping.read_bytes()).hexdigest(),
    }


# -- the report notebooks on their own ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["organisation_report.ipynb", "department_report.ipynb", "explore.ipynb"]
)
def test_notebooks_declare_how_to_read_the_data(name):
    declared = pm.inspect_notebook(str(NOTEBOOKS / name))
    for parameter, default in (
        ("survey_format", "auto"),
        ("mapping", ""),
        ("schema", ""),
        ("tables", ""),
    ):
        assert declared[parameter]["inferred_type_name"] == "str"
        assert declared[parameter]["default"].strip("\"'") == default
        assert declared[parameter]["help"]


def test_organisation_notebook_runs_standalone_on_a_qualtrics_export(exports, tmp_path):
    """As an analyst runs it with papermill, without the results store:
    ``-p survey_format qualtrics -p mapping FILE``."""
    files = exports["qualtrics"]
    out = tmp_path / "organisation.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "organisation_report.ipynb"),
        str(out),
        parameters={
            "data_dir": str(files["survey"].parent),
            "survey_format": "qualtrics",
            "mapping": str(files["mapping"]),
            "n_boot": 0,
        },
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


@pytest.mark.parametrize("name", ["survey_format", "mapping", "schema", "tables"])
def test_report_refuses_the_read_parameters_as_param(name, exports, tmp_path, capsys):
    """``aiadopt report --param mapping=...`` would do nothing (the reports
    read the run's results store): the run's own option is named instead."""
    files = exports["qualtrics"]
    args = ["report", "--data", str(files["survey"].parent), "--mapping", str(files["mapping"])]
    args += ["--out", str(tmp_path / "reports"), "--param", f"{name}=x"]
    assert main(args) == 2
    assert f"parameter '{name}' is set by aiadopt report itself" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_organisation_notebook_runs_standalone_on_a_database_with_its_own_names(
    organisation, pg_url, tmp_path
):
    """``-p schema hr -p tables survey=pulse,use_cases=register``: the
    notebook reads the database's tables by their own names."""
    _put(pg_url, organisation, schema="hr", names={"survey": "pulse", "use_cases": "register"})
    out = tmp_path / "organisation.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "organisation_report.ipynb"),
        str(out),
        parameters={
            "data_dir": pg_url,
            "schema": "hr",
            "tables": "survey=pulse,use_cases=register",
            "n_boot": 0,
        },
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
