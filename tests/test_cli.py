"""The command line: output contract of `aiadopt kpis` and `aiadopt sample`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from aiadopt.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
CONTRACT = [
    "level",
    "unit",
    "active_use_cases",
    "time_to_impact_days",
    "core_process_ai_pct",
    "leadership_adoption_pct",
    "adaptivity_score",
]


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_kpis_csv_contract(capsys):
    code, out, err = run(
        capsys, "kpis", "--data", str(SAMPLE), "--period", "2026-10", "--format", "csv"
    )
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert set(CONTRACT) <= set(table.columns)
    assert set(table["level"]) == {"organisation", "department", "team"}
    suppressed = table[table["leadership_adoption_pct_suppressed"].astype(str) == "True"]
    assert len(suppressed) > 0
    # A suppressed figure is an empty cell, never 0 or a sentinel.
    assert (suppressed["leadership_adoption_pct"] == "").all()
    # The Legal department (4 respondents) shows privacy suppression.
    legal = table[(table["level"] == "department") & (table["unit"] == "Legal")].iloc[0]
    assert legal["leadership_adoption_pct"] == ""
    # Core-process KPI is empty for teams (the catalogue has no teams).
    assert (table.loc[table["level"] == "team", "core_process_ai_pct"] == "").all()


def test_kpis_json_nulls_and_level(capsys):
    code, out, _ = run(
        capsys,
        "kpis",
        "--data",
        str(SAMPLE),
        "--period",
        "2026-10",
        "--level",
        "department",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert {r["level"] for r in rows} == {"department"}
    legal = next(r for r in rows if r["unit"] == "Legal")
    assert legal["leadership_adoption_pct"] is None
    assert all(r["survey_wave"] == "2026-10" for r in rows)


def test_kpis_table_default_and_out_file(tmp_path, capsys):
    target = tmp_path / "k" / "kpis.txt"
    code, out, _ = run(
        capsys, "kpis", "--data", str(SAMPLE), "--level", "organisation", "--out", str(target)
    )
    assert code == 0 and out == ""
    text = target.read_text()
    assert "organisation" in text and "Leadership" in text and "Respondents" in text
    assert "active_use_cases" not in text  # labels for people, not raw column names
    assert not list(target.parent.glob(".*tmp"))  # no temporary file left behind


@pytest.mark.parametrize(
    "args,message",
    [
        (["--period", "2026-13"], "2026-13"),
        (["--period", "oct"], "oct"),
        (["--min-group-size", "2"], "3"),
    ],
)
def test_kpis_bad_parameters_exit_2(capsys, args, message):
    code, out, err = run(capsys, "kpis", "--data", str(SAMPLE), *args)
    assert code == 2
    assert message in err and "Traceback" not in err and out == ""


def test_missing_data_folder_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, "kpis", "--data", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err


def test_console_script_no_traceback(tmp_path):
    (tmp_path / "use_cases.csv").write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "aiadopt.cli", "kpis", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "use_cases.csv" in proc.stderr and "missing file" in proc.stderr


def test_sample_command_deterministic(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert (
        run(
            capsys,
            "sample",
            "--out",
            str(a),
            "--seed",
            "3",
            "--respondents",
            "300",
            "--use-cases",
            "60",
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "sample",
            "--out",
            str(b),
            "--seed",
            "3",
            "--respondents",
            "300",
            "--use-cases",
            "60",
        )[0]
        == 0
    )
    for name in ("use_cases.csv", "processes.csv", "survey.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_committed_sample_matches_its_seed(tmp_path, capsys):
    """data/sample is what `aiadopt sample --seed 7` writes (make sample)."""
    run(capsys, "sample", "--out", str(tmp_path), "--seed", "7")
    for name in ("use_cases.csv", "processes.csv", "survey.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_regression_json_contract(capsys):
    code, out, err = run(
        capsys,
        "regression",
        "--data",
        str(SAMPLE),
        "--period",
        "2026-10",
        "--format",
        "json",
        "--n-boot",
        "100",
    )
    assert code == 0, err
    result = json.loads(out)
    for key in (
        "n_observations",
        "n_excluded",
        "r_squared",
        "adj_r_squared",
        "cv_r_squared",
        "condition_number",
        "scope",
        "coefficients",
    ):
        assert key in result
    assert (
        result["scope"] == "organisation"
        and result["refusal_code"] is None
        and result["fallback"] is None
    )
    assert 1.0 <= result["condition_number"] < 100  # standardised competency scores of the sample
    terms = [c["term"] for c in result["coefficients"]]
    assert terms == [
        "const",
        "strategic",
        "data",
        "ethics",
        "change",
        "prompting",
        "hybrid",
        "learning",
    ]
    for c in result["coefficients"]:
        assert {
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "std_estimate",
            "vif",
            "importance",
            "importance_ci_low",
            "importance_ci_high",
        } <= set(c)
    total = sum(c["importance"] for c in result["coefficients"] if c["term"] != "const")
    assert total == pytest.approx(result["r_squared"], abs=1e-9)


def test_regression_refusal_exits_0_with_reason(capsys):
    code, out, _ = run(
        capsys, "regression", "--data", str(SAMPLE), "--period", "2025-11", "--format", "json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["refusal_code"] == "too_few" and result["refusal_params"]["need"] == 70
    assert result["coefficients"] == []
    code, out, _ = run(
        capsys, "regression", "--data", str(SAMPLE), "--period", "2025-11", "--n-boot", "10"
    )
    assert code == 0 and "NOT FITTED: Only 39 use cases have both an ROI and leader scores" in out


def test_regression_department_below_the_rule_gets_the_organisation_model(capsys):
    code, out, _ = run(
        capsys,
        "regression",
        "--data",
        str(SAMPLE),
        "--period",
        "2026-10",
        "--department",
        "Klantenservice",
        "--format",
        "json",
        "--n-boot",
        "10",
    )
    assert code == 0
    result = json.loads(out)
    assert result["scope"] == "organisation" and result["refusal_code"] is None
    assert result["fallback"] == "too_few_department"
    assert result["fallback_params"] == {"department": "Klantenservice", "n": 28, "need": 70}


def test_regression_department_fallback_says_so(capsys):
    code, out, _ = run(
        capsys, "regression", "--data", str(SAMPLE), "--department", "Sales", "--n-boot", "50"
    )
    assert code == 0
    assert "organisation-wide model" in out


def test_regression_unknown_department_exit_2(capsys):
    code, _, err = run(capsys, "regression", "--data", str(SAMPLE), "--department", "Nope")
    assert code == 2 and "Nope" in err


def test_priorities_contract(capsys):
    code, out, err = run(capsys, "priorities", "--data", str(SAMPLE), "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert {
        "use_case_id",
        "department",
        "quadrant",
        "priority_score",
        "priority_rank",
        "potential_score",
    } <= set(table.columns)
    assert set(table["quadrant"]) <= {"quick_wins", "major_projects", "fill_ins", "thankless_tasks"}
    assert len(table) == 150
    # Ranks run 1..n within each department.
    for _, group in table.groupby("department"):
        assert sorted(group["priority_rank"]) == list(range(1, len(group) + 1))


def test_priorities_department_and_weights(capsys):
    code, out, _ = run(
        capsys,
        "priorities",
        "--data",
        str(SAMPLE),
        "--department",
        "Finance",
        "--weights",
        "2",
        "1",
        "1",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert {r["department"] for r in rows} == {"Finance"}
    r = rows[0]
    assert r["priority_score"] == pytest.approx(
        (2 * r["impact"] + r["feasibility"] + r["urgency"]) / 4
    )


def test_priorities_bad_weights_exit_2(capsys):
    code, _, err = run(capsys, "priorities", "--data", str(SAMPLE), "--weights", "-1", "1", "1")
    assert code == 2 and "negative" in err.lower()


def test_measures_contract(capsys):
    code, out, err = run(
        capsys,
        "measures",
        "--data",
        str(SAMPLE),
        "--level",
        "department",
        "--format",
        "csv",
        "--n-boot",
        "100",
    )
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert set(table["level"]) == {"department"}
    assert {"unit", "measure", "key", "value", "n", "suppressed"} <= set(table.columns)
    suppressed = table[table["suppressed"].astype(str) == "True"]
    assert len(suppressed) and (suppressed["value"] == "").all()
    legal = table[(table["unit"] == "Legal") & (table["measure"] == "culture")]
    assert (legal["value"] == "").all()


def test_measures_filter_by_measure(capsys):
    code, out, _ = run(
        capsys, "measures", "--data", str(SAMPLE), "--measure", "goal_mix", "--format", "json"
    )
    assert code == 0
    rows = json.loads(out)
    assert {r["measure"] for r in rows} == {"goal_mix"}
