"""Pitfall signals (docs/metrics.md §6) on hand-built registers."""

import numpy as np
import pytest

from aiadopt.pitfalls import COLUMNS, SIGNALS, compute_pitfalls
from aiadopt.present.text import describe_pitfall


def signal(table, dept, name):
    row = table[(table["department"] == dept) & (table["signal"] == name)]
    assert len(row) == 1
    return row.iloc[0]


def uc(team, status="pilot", start="2025-01-10", decision=None, dept="D1"):
    return {
        "department": dept,
        "team": team,
        "status": status,
        "start_date": start,
        "decision_date": decision,
    }


def test_innovation_club_strictly_above_60(make_dataset):
    # 3 of 5 active in T1 = 60%: not triggered; 4 of 6 = 66.7%: triggered.
    base = [uc("T1"), uc("T1"), uc("T1"), uc("T2"), uc("T3")]
    t = compute_pitfalls(make_dataset(use_cases=base), period="2025-03")
    r = signal(t, "D1", "innovation_club")
    assert r["value"] == pytest.approx(60.0) and not r["triggered"]
    t = compute_pitfalls(make_dataset(use_cases=base + [uc("T1")]), period="2025-03")
    r = signal(t, "D1", "innovation_club")
    assert r["value"] == pytest.approx(400 / 6) and r["triggered"]
    assert r["top_team"] == "T1" and r["n_active_use_cases"] == 6


def test_innovation_club_ignores_inactive(make_dataset):
    cases = [uc("T1", "stopped", decision="2025-02-01")] * 3 + [uc("T2"), uc("T3")]
    cases = [dict(c, use_case_id=f"U{i}") for i, c in enumerate(cases)]
    r = signal(
        compute_pitfalls(make_dataset(use_cases=cases), period="2025-03"), "D1", "innovation_club"
    )
    assert r["n_active_use_cases"] == 2 and r["value"] == pytest.approx(50.0)


def test_no_rhythm_last_two_periods(make_dataset):
    old = [
        uc("T1", start="2024-06-01"),
        uc("T2", "production", start="2024-06-01", decision="2024-12-01"),
    ]
    t = compute_pitfalls(make_dataset(use_cases=old), period="2025-03")
    r = signal(t, "D1", "no_rhythm")
    assert r["triggered"] and r["new_use_cases"] == 0 and r["pilot_decisions"] == 0
    # A decision in the previous month (February) counts: 2 periods = Feb + Mar.
    dec = old + [uc("T3", "stopped", start="2024-06-01", decision="2025-02-15")]
    r = signal(compute_pitfalls(make_dataset(use_cases=dec), period="2025-03"), "D1", "no_rhythm")
    assert not r["triggered"] and r["pilot_decisions"] == 1
    # ... but one in January does not.
    jan = old + [uc("T3", "stopped", start="2024-06-01", decision="2025-01-31")]
    assert signal(
        compute_pitfalls(make_dataset(use_cases=jan), period="2025-03"), "D1", "no_rhythm"
    )["triggered"]
    # A new start in March counts; an idea does not.
    new = old + [uc("T3", start="2025-03-05")]
    assert not signal(
        compute_pitfalls(make_dataset(use_cases=new), period="2025-03"), "D1", "no_rhythm"
    )["triggered"]
    idea = old + [uc("T3", "idea", start="2025-03-05")]
    assert signal(
        compute_pitfalls(make_dataset(use_cases=idea), period="2025-03"), "D1", "no_rhythm"
    )["triggered"]


def test_too_much_at_once_pilots_per_team(make_dataset):
    # 7 running pilots over 2 teams = 3.5 > 3. A use case decided after E was
    # still a pilot at E; one in production before E is not.
    cases = [uc("T1")] * 4 + [uc("T2")] * 2 + [uc("T2", "production", decision="2025-06-01")]
    cases += [uc("T2", "production", decision="2025-02-01")]
    cases = [dict(c, use_case_id=f"U{i}") for i, c in enumerate(cases)]
    r = signal(
        compute_pitfalls(make_dataset(use_cases=cases), period="2025-03"), "D1", "too_much_at_once"
    )
    assert r["running_pilots"] == 7 and r["n_teams"] == 2
    assert r["value"] == pytest.approx(3.5) and r["triggered"]
    r = signal(
        compute_pitfalls(make_dataset(use_cases=cases[:6]), period="2025-03"),
        "D1",
        "too_much_at_once",
    )
    assert r["value"] == pytest.approx(3.0) and not r["triggered"]  # strictly more than 3


def test_no_visible_progress_uses_adaptivity(make_dataset):
    # Four pilots started 2025-01-01: two decided within 56 days -> S(56) = 0.5 -> score 50.
    cases = [
        uc("T1", "production", start="2025-01-01", decision="2025-01-20"),
        uc("T1", "stopped", start="2025-01-01", decision="2025-02-10"),
        uc("T2", start="2025-01-01"),
        uc("T2", start="2025-01-01"),
    ]
    cases = [dict(c, use_case_id=f"U{i}") for i, c in enumerate(cases)]
    r = signal(
        compute_pitfalls(make_dataset(use_cases=cases), period="2025-04"),
        "D1",
        "no_visible_progress",
    )
    assert r["value"] == pytest.approx(50.0) and not r["triggered"]
    slow = [dict(c, decision_date=None, status="pilot") for c in cases]
    r = signal(
        compute_pitfalls(make_dataset(use_cases=slow), period="2025-04"),
        "D1",
        "no_visible_progress",
    )
    assert r["value"] == pytest.approx(0.0) and r["triggered"]


def test_every_department_gets_all_four_signals(make_dataset):
    cases = [uc("T1"), uc("X1", dept="D2")]
    t = compute_pitfalls(make_dataset(use_cases=cases), period="2025-03")
    assert sorted(t["department"].unique()) == ["D1", "D2"]
    assert (t.groupby("department")["signal"].apply(tuple) == SIGNALS).all()


def test_undefined_figures_do_not_trigger(make_dataset):
    cases = [uc("T1", "idea", start=None)]
    t = compute_pitfalls(make_dataset(use_cases=cases), period="2025-03")
    r = signal(t, "D1", "innovation_club")
    assert np.isnan(r["value"]) and not r["triggered"]
    assert "no active use cases" in describe_pitfall(r)


def test_unknown_department_and_threshold(make_dataset):
    data = make_dataset(use_cases=[uc("T1")])
    with pytest.raises(ValueError, match="unknown department 'Nope'; known departments: D1"):
        compute_pitfalls(data, period="2025-03", department="Nope")
    with pytest.raises(ValueError, match="unknown pitfall thresholds"):
        compute_pitfalls(data, period="2025-03", thresholds={"speed": 1})


def test_describe_names_the_figures(make_dataset):
    cases = [dict(uc("T1"), use_case_id=f"U{i}") for i in range(4)] + [uc("T2")]
    t = compute_pitfalls(make_dataset(use_cases=cases), period="2025-03")
    r = signal(t, "D1", "innovation_club")
    assert (
        describe_pitfall(r)
        == "Innovation club only: 80% of 5 active use cases sit in team T1 (limit 60%)."
    )
    assert describe_pitfall(r, "nl").startswith("Alleen een innovatieclubje: 80% van de 5")


def test_rows_are_data_only_with_the_thresholds_used(make_dataset):
    """Pitfalls return numbers and codes; the limits in force travel with the rows."""
    cases = [dict(uc("T1"), use_case_id=f"U{i}") for i in range(4)] + [uc("T2")]
    t = compute_pitfalls(
        make_dataset(use_cases=cases),
        period="2025-03",
        thresholds={"innovation_club": 50, "no_rhythm": 3},
    )
    assert tuple(t.columns) == COLUMNS
    assert not any(
        t[c].dtype == object and t[c].astype(str).str.contains(" ").any() for c in ("signal",)
    )
    assert signal(t, "D1", "innovation_club")["threshold"] == 50.0
    assert (t["window_months"] == 3).all()
