"""The results store (aiadopt.report.store): one computation per run, each
report reading only its slice, and reports identical to computing from data."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import nbformat
import pandas as pd
import pytest

import aiadopt.report.sections as sections
from aiadopt import load
from aiadopt.report import Report
from aiadopt.report.store import FORMAT, Results, compute_results

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
N_BOOT = 60


@pytest.fixture(scope="module")
def data():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def store(data):
    return compute_results(data, period="latest", n_boot=N_BOOT, seed=3)


def _rendered(report: Report) -> list[str]:
    out: list[str] = []
    with mock.patch.object(sections, "_display", out.append):
        report.render()
    return out


def _written(files: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def test_store_round_trips_every_table_and_regression(store, tmp_path):
    store.write(tmp_path / "store")
    back = Results.read(tmp_path / "store")
    for name in ("kpis", "trend", "measures", "priorities", "pitfalls"):
        pd.testing.assert_frame_equal(
            getattr(back, name), getattr(store, name).reset_index(drop=True)
        )
    assert back.scopes == store.scopes and back.departments == store.departments
    assert (back.period, back.min_group_size, back.n_boot, back.seed) == (
        store.period,
        5,
        N_BOOT,
        3,
    )
    assert set(back.regressions) == set(store.regressions)
    for scope, reg in store.regressions.items():
        got = back.regressions[scope]
        for name in ("n_observations", "refusal_code", "fallback", "predictors", "scope", "notes"):
            assert getattr(got, name) == getattr(reg, name), (scope, name)
        for name in ("r_squared", "cv_r_squared", "roi_sd"):
            assert got.__dict__[name] == pytest.approx(reg.__dict__[name], nan_ok=True)
        pd.testing.assert_frame_equal(got.coefficients, reg.coefficients.reset_index(drop=True))
        pd.testing.assert_frame_equal(got.importance, reg.importance.reset_index(drop=True))
        pd.testing.assert_series_equal(
            got.predictor_sd, reg.predictor_sd, check_names=False, check_index_type=False
        )

    # strict JSON: a NaN R² (a refused model) is written as null, never NaN
    def refuse(constant):
        raise AssertionError(f"results.json holds {constant}")

    meta = json.loads((tmp_path / "store" / "results.json").read_text(), parse_constant=refuse)
    assert meta["format"] == FORMAT


def test_a_slice_holds_only_its_units_part(store):
    part = store.slice("Finance")
    for frame in (part.kpis, part.measures):
        teams = frame[frame["level"] == "team"]
        assert len(teams) and set(teams["department"]) == {"Finance"}
        assert set(frame["level"]) == {"organisation", "department", "team"}
    assert set(part.trend["level"]) == {"organisation", "department"}
    assert set(part.trend.loc[part.trend["level"] == "department", "unit"]) == {"Finance"}
    assert set(part.priorities["scope"]) == {"Finance"}
    assert set(part.pitfalls["department"]) == {"Finance"}
    assert set(part.regressions) == {None, "Finance"}
    org = store.slice(None)
    assert "team" not in set(org.kpis["level"]) and "team" not in set(org.measures["level"])
    assert set(org.trend["level"]) == {"organisation"}
    # the bytes a job carries are much smaller than the whole store
    assert sum(map(len, part.to_files().values())) < sum(map(len, store.to_files().values()))


@pytest.mark.parametrize("department", [None, "Finance", "Legal"])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_report_from_its_slice_equals_the_report_from_the_data(store, department, lang, tmp_path):
    """Every display output (HTML, tables, the PNG charts) is the same."""
    from_data = _rendered(Report(SAMPLE, department=department, lang=lang, n_boot=N_BOOT, seed=3))
    folder = _written(store.slice(department).to_files(), tmp_path / "slice")
    from_store = _rendered(Report(results=str(folder), department=department, lang=lang))
    assert len(from_store) == len(from_data)
    for a, b in zip(from_data, from_store, strict=True):
        assert a == b


def test_store_errors_name_the_problem(store, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a results store"):
        Results.read(tmp_path)
    folder = store.write(tmp_path / "s")
    with pytest.raises(ValueError, match="does not match the results store"):
        Report(results=folder, period="2020-01")
    with pytest.raises(ValueError, match="unknown department 'Nowhere'"):
        Report(results=folder, department="Nowhere")
    part = _written(store.slice("HR").to_files(), tmp_path / "hr")
    with pytest.raises(KeyError, match="no report for 'Finance'"):
        Report(results=part, department="Finance")
    meta = json.loads((folder / "results.json").read_text())
    meta["format"] = FORMAT + 1
    (folder / "results.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=f"format {FORMAT + 1}"):
        Results.read(folder)


def test_a_report_kernel_reading_its_slice_imports_no_heavy_library(store, tmp_path):
    """Kernel start-up stays out of the way: rendering from a slice loads no
    data and imports neither the loader (pandera) nor the modelling and
    statistics libraries nor seaborn."""
    folder = _written(store.slice("Finance").to_files(), tmp_path / "slice")
    code = f"""
import sys
from unittest import mock
import aiadopt.report.sections as s
from aiadopt.report import Report
with mock.patch.object(s, "_display", lambda markup: None):
    Report(results={str(folder)!r}, department="Finance").render()
heavy = ("seaborn", "scipy.stats", "statsmodels", "sklearn", "pandera", "jsonschema", "aiadopt.io")
print(sorted(m for m in heavy if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_palette_constants_are_seaborns():
    import seaborn as sns

    from aiadopt.plots._style import COLORBLIND, CREST_5

    assert list(COLORBLIND) == sns.color_palette("colorblind", 10).as_hex()
    assert list(CREST_5) == sns.color_palette("crest", 5).as_hex()


_GENERATED = re.compile(rb'<p class="meta">[^<]*</p>')


def test_published_reports_are_identical_without_the_store(sample_run, tmp_path):
    """The acceptance check of the results store: the sample's reports made
    from the store equal, byte for byte, those of notebooks that compute
    everything from the data (apart from the generation date in the header
    line). The notebooks without a ``results`` parameter get no slice."""
    from aiadopt.report.runner import default_notebooks_dir, run_reports

    result, data_dir = sample_run
    plain = tmp_path / "notebooks"
    plain.mkdir()
    for path in default_notebooks_dir().glob("*_report.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.source = "\n".join(
                line for line in cell.source.splitlines() if not line.lstrip().startswith("results")
            )
        nbformat.write(nb, plain / path.name)
    text = (plain / "department_report.ipynb").read_text()
    assert "results: str" not in text and "results=results" not in text
    again = run_reports(
        data_dir,
        out=tmp_path / "reports",
        workers=2,
        n_boot=200,
        progress=False,
        notebooks_dir=plain,
    )
    assert again.ok
    assert (result.directory / "results" / "results.json").is_file()
    pages = sorted(p.name for p in result.directory.glob("*.html") if p.name != "index.html")
    assert pages and pages == sorted(
        p.name for p in again.directory.glob("*.html") if p.name != "index.html"
    )
    for name in pages:
        a = (result.directory / name).read_bytes()
        b = (again.directory / name).read_bytes()
        assert _GENERATED.sub(b"", a) == _GENERATED.sub(b"", b), name


def test_the_store_of_a_run_is_published_with_its_reports(sample_run):
    result, _ = sample_run
    store = Results.read(result.directory / "results")
    assert store.scopes[0] is None and set(store.scopes[1:]) == set(store.departments)
    assert store.privacy["recoverable"] == 0
    # only figures after suppression: a suppressed cell has no value
    m = store.measures
    assert m.loc[m["suppressed"].astype(bool), "value"].isna().all()
    manifest = json.loads((result.directory / "manifest.json").read_text())
    entry = manifest["results_store"]
    assert entry["folder"] == "results" and entry["format"] == FORMAT
    for name, digest in entry["files"].items():
        content = (result.directory / "results" / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest
