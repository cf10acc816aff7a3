"""The sample organisation at other sizes: ``generate_sample(departments=N)``
and ``aiadopt sample --departments N`` (issue #11, the benchmark's workload)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from aiadopt import load
from aiadopt.cli import main
from aiadopt.sample import (
    DEFAULT_DEPARTMENTS,
    MAX_DEPARTMENTS,
    generate_sample,
    write_sample,
)
from aiadopt.units import known_departments

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
BUILT_IN = {"Finance", "HR", "IT", "Klantenservice", "Operations", "Marketing", "Sales", "Legal"}


@pytest.fixture(scope="module")
def forty() -> dict[str, pd.DataFrame]:
    return generate_sample(departments=40, n_waves=2)


def _departments(tables: dict[str, pd.DataFrame]) -> set[str]:
    return set().union(*(set(t["department"].dropna()) for t in tables.values()))


def _team_departments(tables: dict[str, pd.DataFrame]) -> pd.Series:
    pairs = pd.concat([tables[n][["team", "department"]] for n in ("use_cases", "survey")])
    return pairs.dropna().drop_duplicates().set_index("team")["department"]


# --- names ---------------------------------------------------------------------------------


def test_forty_departments_with_unique_realistic_names(forty):
    depts = _departments(forty)
    assert len(depts) == 40
    assert set(forty["survey"]["department"]) == depts  # every one has respondents
    assert len({d.casefold() for d in depts}) == 40  # no two differ only in case
    assert BUILT_IN <= depts
    # named, not numbered: no "Department 12" or "Finance 2"
    assert not any(word.isdigit() for d in depts for word in d.split())
    assert {"Finance Noord", "Inkoop", "Communicatie"} <= depts


def test_teams_are_named_after_their_department(forty):
    team_dept = _team_departments(forty)
    assert team_dept.index.is_unique  # each team under exactly one department
    for team, dept in team_dept.items():
        assert team.startswith(dept + " ") and len(team) > len(dept) + 1, team
    # a regional office has its department's teams: "Finance Noord Control"
    assert "Finance Noord Control" in team_dept.index


def test_the_tiny_department_is_kept(forty):
    survey = forty["survey"]
    legal = survey[survey["department"] == "Legal"]
    assert legal["team"].unique().tolist() == ["Legal Advies"]
    assert 3 <= legal["respondent_id"].nunique() <= 4
    others = survey[survey["department"] != "Legal"].groupby("department")["respondent_id"]
    assert others.nunique().min() >= 8


def test_every_name_up_to_the_maximum_is_unique():
    tables = generate_sample(
        departments=MAX_DEPARTMENTS,
        n_respondents=8 * (MAX_DEPARTMENTS - 1) + 4,
        n_waves=1,
        n_use_cases=10,
    )
    depts = _departments(tables)
    assert len(depts) == MAX_DEPARTMENTS
    assert len({d.casefold() for d in depts}) == MAX_DEPARTMENTS
    team_dept = _team_departments(tables)
    assert team_dept.index.is_unique
    assert team_dept.nunique() == MAX_DEPARTMENTS  # every department has a team


def test_fewer_departments_keep_the_largest_and_legal():
    tables = generate_sample(departments=3, n_waves=1)
    assert _departments(tables) == {"Klantenservice", "Operations", "Legal"}


# --- validation: what the loader says about it --------------------------------------------


def test_forty_departments_pass_the_loaders_validation(tmp_path):
    write_sample(tmp_path, departments=40, n_waves=2, seed=5)
    data = load(tmp_path)  # raises DataValidationError on any problem
    assert not data.warnings
    assert len(known_departments(data)) == 40
    assert set(data.processes["department"]) == set(known_departments(data))


# --- scale ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [8, 16, 40])
def test_sizes_grow_linearly_with_departments(n):
    tables = generate_sample(departments=n, n_waves=1)
    factor = n / DEFAULT_DEPARTMENTS
    respondents = tables["survey"]["respondent_id"].nunique()
    teams = tables["survey"]["team"].nunique()
    assert len(tables["use_cases"]) == round(150 * factor)
    assert len(tables["processes"]) == round(60 * factor)
    # respondents: 1500 per 8 departments, less those who skipped the one wave
    assert 0.7 * 1500 * factor <= respondents <= 1500 * factor
    # teams of about 50 respondents: 30 per 8 departments, and Legal's one
    assert abs(teams - 1 - 30 * factor) <= 1


def test_given_sizes_are_kept():
    tables = generate_sample(departments=40, n_respondents=400, n_waves=1, n_use_cases=30)
    assert len(tables["use_cases"]) == 30
    assert tables["survey"]["department"].nunique() == 40


# --- determinism and the default -----------------------------------------------------------


def test_same_seed_same_tables_at_forty_departments(forty):
    again = generate_sample(departments=40, n_waves=2)
    for name in forty:
        pdt.assert_frame_equal(forty[name], again[name])
    other = generate_sample(departments=40, n_waves=2, seed=8)
    assert not other["survey"].equals(forty["survey"])


def test_eight_departments_write_the_committed_sample(tmp_path):
    """Asking for the default size explicitly changes nothing: data/sample."""
    write_sample(tmp_path, departments=8, seed=7)
    for name in ("use_cases.csv", "processes.csv", "survey.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


# --- bad counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [1, 0, -3, MAX_DEPARTMENTS + 1, 2.5, True, "40"])
def test_bad_department_counts_are_refused(bad):
    with pytest.raises(ValueError, match=rf"departments={bad!r} is not a whole number from 2 to"):
        generate_sample(departments=bad)


def test_all_problems_in_one_message():
    with pytest.raises(ValueError) as info:
        generate_sample(departments=40, n_respondents=100, n_waves=0, n_use_cases=5)
    message = str(info.value)
    assert "n_respondents=100 is too small; use at least 316 for 40 departments" in message
    assert "n_waves=0 must be at least 1" in message
    assert "n_use_cases=5 is too small" in message


def test_cli_departments(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path), "--departments", "12", "--waves", "1"]) == 0
    survey = pd.read_csv(tmp_path / "survey.csv", usecols=["department"])
    assert survey["department"].nunique() == 12
    assert len(pd.read_csv(tmp_path / "use_cases.csv")) == round(150 * 12 / 8)


@pytest.mark.parametrize("bad", ["1", "0", "-2", "x", "2.5"])
def test_cli_refuses_bad_department_counts(tmp_path, capsys, bad):
    with pytest.raises(SystemExit) as info:
        main(["sample", "--out", str(tmp_path / "out"), "--departments", bad])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--departments: must be a whole number of at least 2" in err and repr(bad) in err
    assert not (tmp_path / "out").exists()


def test_cli_refuses_too_many_departments(tmp_path, capsys):
    code = main(["sample", "--out", str(tmp_path / "out"), "--departments", "1000"])
    assert code == 2
    assert f"departments=1000 is not a whole number from 2 to {MAX_DEPARTMENTS}" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()


def test_help_documents_departments():
    from aiadopt.cli import build_parser

    parser = build_parser()
    text = parser._subparsers._group_actions[0].choices["sample"].format_help()
    assert "--departments N" in text and "Finance Noord" in " ".join(text.split())
