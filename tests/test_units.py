"""The organisation's departments and teams, defined once (aiadopt.units),
and a department that only the process catalogue names: every entry point
accepts it alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from aiadopt.io import load
from aiadopt.pitfalls import compute_pitfalls
from aiadopt.prioritisation import compute_priorities
from aiadopt.regression import fit_competency_roi
from aiadopt.report import sections
from aiadopt.report.sections import Report
from aiadopt.units import check_department, known_departments, known_teams

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
ONLY_IN_CATALOGUE = "Compliance"


def test_known_departments_are_the_union_of_all_inputs(make_dataset):
    data = make_dataset(
        use_cases=[{"department": "A", "team": "A1"}],
        processes=[{"department": "C", "process": "Audit", "core": True}],
        survey=[
            {"wave": "2025-03", "department": "B", "team": "B1"},
            {"wave": "2025-05", "department": "D", "team": "D1"},  # a later wave counts too
        ],
    )
    assert known_departments(data) == ["A", "B", "C", "D"]
    assert known_teams(data).values.tolist() == [["A", "A1"], ["B", "B1"], ["D", "D1"]]
    assert check_department(data, "C") == "C"
    assert check_department(data, None) is None
    with pytest.raises(ValueError, match=r"unknown department 'E'; known departments: A, B, C, D"):
        check_department(data, "E")


def test_a_team_is_its_department_and_name(make_dataset):
    data = make_dataset(
        use_cases=[{"department": "A", "team": "Ops"}, {"department": "B", "team": "Ops"}],
        survey=[{"department": "A", "team": "Ops"}],
    )
    assert known_teams(data).values.tolist() == [["A", "Ops"], ["B", "Ops"]]


def test_library_entry_points_accept_a_catalogue_only_department(make_dataset):
    data = make_dataset(
        use_cases=[{"department": "A", "team": "A1", "start_date": "2025-01-10"}],
        processes=[{"department": "C", "process": "Audit", "core": True}],
        survey=[{"wave": "2025-01", "department": "A", "team": "A1"}],
    )
    pitfalls = compute_pitfalls(data, period="2025-03", department="C")
    assert set(pitfalls["department"]) == {"C"}
    assert pitfalls.loc[pitfalls["triggered"], "signal"].tolist() == [
        "no_rhythm"
    ]  # nothing started
    assert compute_priorities(data, department="C").empty
    # too few use cases of its own: the organisation model stands in
    result = fit_competency_roi(data, period="2025-03", department="C", n_boot=0)
    assert result.scope != "department"
    with pytest.raises(ValueError, match="does not occur in the use-case register"):
        compute_priorities(data, department="Nope")


@pytest.fixture(scope="module")
def catalogue_only_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("catalogue_only") / "data"
    shutil.copytree(SAMPLE, folder)
    processes = pd.read_csv(folder / "processes.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame(
        {"department": [ONLY_IN_CATALOGUE] * 2, "process": ["Audit", "Toezicht"], "core": "true"}
    )
    pd.concat([processes, extra]).to_csv(folder / "processes.csv", index=False)
    return folder


def test_report_and_pitfalls_agree_on_a_catalogue_only_department(
    catalogue_only_folder, monkeypatch
):
    data = load(catalogue_only_folder)
    assert ONLY_IN_CATALOGUE in known_departments(data)
    period = str(data.latest_period())
    pitfalls = compute_pitfalls(data, period=period, department=ONLY_IN_CATALOGUE)
    assert set(pitfalls["department"]) == {ONLY_IN_CATALOGUE}

    shown: list[str] = []
    monkeypatch.setattr(sections, "_display", shown.append)
    monkeypatch.setattr(sections.plt, "close", lambda fig=None: None)
    report = Report(
        catalogue_only_folder, department=ONLY_IN_CATALOGUE, n_boot=20
    )  # raised "unknown department"
    assert report.period == period
    report.render_all()
    assert shown and ONLY_IN_CATALOGUE in "".join(shown)
    assert set(report.pitfalls["department"]) == {ONLY_IN_CATALOGUE}


def test_report_refuses_an_unknown_department_with_the_known_ones():
    with pytest.raises(
        ValueError, match=r"unknown department 'Atlantis'; known departments: Finance, HR"
    ):
        Report(SAMPLE, department="Atlantis", n_boot=0)
