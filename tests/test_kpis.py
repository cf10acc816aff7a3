"""The docs/metrics.md §2 KPIs on small hand-built registers and surveys.

Date arithmetic used below (2025 is not a leap year):
2025-01-01 + 20 d = 2025-01-21, + 30 d = 01-31, + 56 d = 02-26, + 60 d = 03-02,
+ 90 d = 04-01; 2025-01-01 -> 2025-06-30 = 180 d; 2025-06-01 -> 06-30 = 29 d;
2025-06-10 -> 06-30 = 20 d; 2025-06-20 -> 06-30 = 10 d;
2025-06-30 - 365 d = 2024-06-30.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aiadopt.kpis import KPI_COLUMNS, compute_kpi_trend, compute_kpis, parse_period


def _row(kpis, unit, level=None):
    rows = kpis[kpis["unit"] == unit]
    if level is not None:
        rows = rows[rows["level"] == level]
    assert len(rows) == 1, f"expected one row for {unit!r}, got {len(rows)}"
    return rows.iloc[0]


def _org(kpis):
    return _row(kpis, "organisation", "organisation")


def _leaders(n, freq, *, wave="2025-03", department="D1", team="T1"):
    return [
        {"wave": wave, "department": department, "team": team, "role": "leader",
         "ai_use_frequency": freq}
        for _ in range(n)
    ]  # fmt: skip


# --- output shape -------------------------------------------------------------


def test_columns_levels_and_order(make_dataset):
    data = make_dataset(
        use_cases=[
            {"department": "B", "team": "B2", "start_date": "2025-01-05"},
            {"department": "B", "team": "B1", "start_date": "2025-01-05"},
            {"department": "A", "team": "A1", "start_date": "2025-01-05"},
        ],
        processes=[{"department": "C", "process": "p", "core": True}],
    )
    kpis = compute_kpis(data, period="2025-03")
    assert tuple(kpis.columns) == KPI_COLUMNS
    assert kpis[["level", "unit"]].values.tolist() == [
        ["organisation", "organisation"],
        ["department", "A"],
        ["department", "B"],
        ["department", "C"],  # from the process catalogue only
        ["team", "A1"],
        ["team", "B1"],
        ["team", "B2"],
    ]
    assert pd.isna(_org(kpis)["department"])
    assert _row(kpis, "B", "department")["department"] == "B"
    assert _row(kpis, "B2")["department"] == "B"
    assert (kpis["period"] == "2025-03").all()
    for col in ("active_use_cases", "n_use_cases_started", "n_respondents", "n_leaders"):
        assert kpis[col].dtype == np.int64
    assert kpis["leadership_adoption_pct_suppressed"].dtype == bool


@pytest.mark.parametrize("level", ["organisation", "department", "team"])
def test_level_filter(make_dataset, level):
    data = make_dataset(use_cases=[{"department": "A", "team": "A1"}])
    kpis = compute_kpis(data, period="2025-03", level=level)
    assert kpis["level"].tolist() == [level]


def test_bad_arguments_are_refused(make_dataset):
    data = make_dataset()
    with pytest.raises(ValueError, match="level must be one of"):
        compute_kpis(data, period="2025-03", level="division")
    with pytest.raises(ValueError, match="min_group_size must be >= 3"):
        compute_kpis(data, period="2025-03", min_group_size=2)
    with pytest.raises(ValueError, match="frequency_threshold must be one of"):
        compute_kpis(data, period="2025-03", frequency_threshold="often")
    with pytest.raises(ValueError, match="decision_within_days must be a positive"):
        compute_kpis(data, period="2025-03", decision_within_days=0)


@pytest.mark.parametrize("bad", ["2025-13", "2025-00", "2025/03", "2025-3", "March 2025", ""])
def test_malformed_period_is_refused(make_dataset, bad):
    with pytest.raises(ValueError, match="'YYYY-MM'"):
        compute_kpis(make_dataset(), period=bad)


def test_period_forms():
    assert parse_period("2025-03") == pd.Period("2025-03", freq="M")
    assert parse_period(pd.Period("2025-03", freq="M")) == pd.Period("2025-03", freq="M")
    with pytest.raises(ValueError, match="calendar month"):
        parse_period(pd.Period("2025-03-05", freq="D"))
    with pytest.raises(TypeError, match="'YYYY-MM' string or a monthly pandas Period"):
        parse_period(202503)


# --- 1. active use cases ------------------------------------------------------

STATE_CASES = [
    # period 2025-03, E = 2025-03-31
    {"use_case_id": "idea", "status": "idea", "start_date": "2025-01-01"},
    {"use_case_id": "future", "status": "pilot", "start_date": "2025-04-02"},
    {"use_case_id": "stopped_before", "status": "stopped", "start_date": "2025-01-01",
     "decision_date": "2025-03-15"},
    {"use_case_id": "stopped_after", "status": "stopped", "start_date": "2025-01-01",
     "decision_date": "2025-04-10"},
    {"use_case_id": "stopped_undated", "status": "stopped", "start_date": "2025-01-01"},
    {"use_case_id": "pilot_on_E", "status": "pilot", "start_date": "2025-03-31"},
    {"use_case_id": "production", "status": "production", "start_date": "2024-12-01",
     "decision_date": "2025-02-01"},
]  # fmt: skip


def test_active_and_started_follow_the_state_rules(make_dataset):
    kpis = compute_kpis(make_dataset(use_cases=STATE_CASES), period="2025-03")
    org = _org(kpis)
    # active: stopped_after (decided after E), pilot_on_E, production
    assert org["active_use_cases"] == 3
    # started: everything except idea and future
    assert org["n_use_cases_started"] == 5
    # one month later stopped_after is decided (not active), future has started
    org = _org(compute_kpis(make_dataset(use_cases=STATE_CASES), period="2025-04"))
    assert org["active_use_cases"] == 3
    assert org["n_use_cases_started"] == 6


def test_active_counts_per_unit(make_dataset):
    data = make_dataset(
        use_cases=[
            {"department": "A", "team": "A1", "status": "pilot"},
            {"department": "A", "team": "A1", "status": "scaled"},
            {"department": "A", "team": "A2", "status": "pilot"},
            {"department": "A", "team": "A2", "status": "idea"},
            {"department": "B", "team": "B1", "status": "stopped"},
        ]
    )
    kpis = compute_kpis(data, period="2025-03")
    assert kpis.set_index("unit")["active_use_cases"].to_dict() == {
        "organisation": 3,
        "A": 3,
        "B": 0,
        "A1": 2,
        "A2": 1,
        "B1": 0,
    }


# --- 2. time to impact ------------------------------------------------------------


def _tti(make_dataset, use_cases, period="2025-06"):
    return _org(compute_kpis(make_dataset(use_cases=use_cases), period=period))[
        "time_to_impact_days"
    ]


def test_time_to_impact_is_km_median_not_naive_median(make_dataset):
    # E = 2025-06-30.  Durations: 30 (event), 60 (event), 180 (no impact: censored at E),
    # 180 (impact 2025-08-01 is after E: censored at E), 29 (started 06-01: censored).
    # KM: t=30: 4 at risk -> 3/4; t=60: 3 at risk -> 3/4 * 2/3 = 1/2 <= 0.5 -> median 60.
    # The naive median of the finished ones, (30 + 60) / 2 = 45, is biased low.
    cases = [
        {"start_date": "2025-01-01", "first_impact_date": "2025-01-31"},
        {"start_date": "2025-01-01", "first_impact_date": "2025-03-02"},
        {"start_date": "2025-01-01"},
        {"start_date": "2025-01-01", "first_impact_date": "2025-08-01"},
        {"start_date": "2025-06-01"},
        # not started by E: ignored even though they have impact dates
        {"status": "idea", "start_date": "2025-01-01", "first_impact_date": "2025-01-02"},
        {"start_date": "2025-07-01", "first_impact_date": "2025-07-02"},
    ]
    # The data must tell the two apart: the naive median of the durations of the use
    # cases with an impact by E, computed from the cases themselves, is not the KM one.
    dates = pd.DataFrame(cases[:5]).apply(pd.to_datetime)
    finished = dates[dates["first_impact_date"] <= pd.Timestamp("2025-06-30")]
    naive = (finished["first_impact_date"] - finished["start_date"]).dt.days.median()
    assert naive != 60.0
    assert _tti(make_dataset, cases) == 60.0
    # In 2025-09 (E = 09-30) the 08-01 impact is an event at 212 d and the use case
    # started 07-01 has its impact at 1 d. Durations 1e, 30e, 60e, 121c (06-01 -> 09-30),
    # 212e, 272c. KM: t=1: 6 at risk -> 5/6; t=30: 5 -> 4/6; t=60: 4 -> 3/6 = 1/2 -> 60.
    assert _tti(make_dataset, cases, period="2025-09") == 60.0


def test_stopped_without_impact_is_censored_at_its_decision(make_dataset):
    # E = 2025-06-30. A 30e, B 60e, C 90e, D censored at E (180), plus one stopped
    # use case without impact.
    base = [
        {"start_date": "2025-01-01", "first_impact_date": "2025-01-31"},
        {"start_date": "2025-01-01", "first_impact_date": "2025-03-02"},
        {"start_date": "2025-01-01", "first_impact_date": "2025-04-01"},
        {"start_date": "2025-01-01"},
    ]
    stopped = {"status": "stopped", "start_date": "2025-01-01"}
    # Decided 2025-01-21 (20 d, before E): censored at 20.
    # KM: 20c; t=30: 4 at risk -> 3/4; t=60: 3 at risk -> 1/2 -> median 60.
    assert _tti(make_dataset, [*base, {**stopped, "decision_date": "2025-01-21"}]) == 60.0
    # Decided after E: still running at E, censored at E (180).
    # KM: t=30: 5 -> 4/5; t=60: 4 -> 3/5; t=90: 3 -> 2/5 -> median 90.
    assert _tti(make_dataset, [*base, {**stopped, "decision_date": "2025-08-01"}]) == 90.0
    # No decision_date: censored at its start (duration 0), so it leaves the risk set
    # at once -> the same curve as the first case, median 60.
    assert _tti(make_dataset, [*base, stopped]) == 60.0
    # A stopped use case that had its impact by E is an event like any other.
    # 20e (impact 01-21), 30e, 60e, 90e, 180c: t=20: 5 -> 4/5; 30: 4 -> 3/5; 60: 3 -> 2/5.
    with_impact = {**stopped, "decision_date": "2025-02-01", "first_impact_date": "2025-01-21"}
    assert _tti(make_dataset, [*base, with_impact]) == 60.0


def test_time_to_impact_not_reached_is_nan(make_dataset):
    # 30e, 180c, 180c: S(30) = 2/3 and never falls to 0.5.
    cases = [
        {"department": "A", "team": "A1", "start_date": "2025-01-01",
         "first_impact_date": "2025-01-31"},
        {"department": "A", "team": "A1", "start_date": "2025-01-01"},
        {"department": "A", "team": "A1", "start_date": "2025-01-01"},
        {"department": "B", "team": "B1", "status": "idea", "start_date": "2025-01-01"},
    ]  # fmt: skip
    kpis = compute_kpis(make_dataset(use_cases=cases), period="2025-06")
    assert math.isnan(_row(kpis, "A1")["time_to_impact_days"])
    assert math.isnan(_row(kpis, "B1")["time_to_impact_days"])  # nothing started
    assert _row(kpis, "B1")["n_use_cases_started"] == 0


def test_impact_before_start_is_refused(make_dataset):
    cases = [{"use_case_id": "UC-7", "start_date": "2025-02-01", "first_impact_date": "2025-01-01"}]
    with pytest.raises(ValueError, match=r"first_impact_date is before start_date.*UC-7"):
        compute_kpis(make_dataset(use_cases=cases), period="2025-06")


# --- 3. AI in core processes ----------------------------------------------------------

CATALOGUE = [
    {"department": "D1", "process": "P1", "core": True},
    {"department": "D1", "process": "P2", "core": True},
    {"department": "D1", "process": "P3", "core": False},
    {"department": "D1", "process": "P4", "core": True},
    {"department": "D2", "process": "P1", "core": True},
    {"department": "D3", "process": "Q", "core": False},
]
CORE_CASES = [
    # in production at 2025-03-31: decided 02-01 -> covers D1/P1
    {"department": "D1", "team": "T1", "status": "production", "process": "P1",
     "start_date": "2024-06-01", "decision_date": "2025-02-01"},
    # scaled, but decided after E -> not yet (D1/P2)
    {"department": "D1", "team": "T2", "status": "scaled", "process": "P2",
     "start_date": "2024-06-01", "decision_date": "2025-04-15"},
    # production without decision_date: in production since start -> covers D1/P4
    {"department": "D1", "team": "T1", "status": "production", "process": "P4",
     "start_date": "2025-01-10"},
    # production without decision_date, started after E -> not (D1/P2)
    {"department": "D1", "team": "T1", "status": "production", "process": "P2",
     "start_date": "2025-04-05"},
    # non-core process: does not count
    {"department": "D1", "team": "T1", "status": "production", "process": "P3",
     "start_date": "2024-06-01", "decision_date": "2025-01-01"},
    # D2 in production on P2: D2 has no P2 and D1's P2 belongs to another department
    {"department": "D2", "team": "T9", "status": "production", "process": "P2",
     "start_date": "2024-06-01", "decision_date": "2025-01-01"},
    # pilot and stopped use cases are not in production
    {"department": "D2", "team": "T9", "status": "pilot", "process": "P1",
     "start_date": "2024-06-01"},
    {"department": "D1", "team": "T1", "status": "stopped", "process": "P2",
     "start_date": "2024-06-01", "decision_date": "2025-02-01"},
]  # fmt: skip


def test_core_process_pct(make_dataset):
    data = make_dataset(use_cases=CORE_CASES, processes=CATALOGUE)
    kpis = compute_kpis(data, period="2025-03").set_index("unit")
    # D1: P1 and P4 of {P1, P2, P4}; D2: none of {P1}; D3 has no core process.
    assert kpis.loc["D1", "core_process_ai_pct"] == pytest.approx(200 / 3)
    assert kpis.loc["D2", "core_process_ai_pct"] == 0.0
    assert math.isnan(kpis.loc["D3", "core_process_ai_pct"])
    assert kpis.loc["organisation", "core_process_ai_pct"] == 50.0  # 2 of 4
    assert kpis.loc[["organisation", "D1", "D2", "D3"], "n_core_processes"].tolist() == [4, 3, 1, 0]
    # Teams: the catalogue has no teams -> empty.
    assert kpis.loc[["T1", "T2", "T9"], "core_process_ai_pct"].isna().all()
    # By 2025-05 the scaled P2 is decided (04-15) -> D1 100 %, organisation 3 of 4.
    kpis = compute_kpis(data, period="2025-05").set_index("unit")
    assert kpis.loc["D1", "core_process_ai_pct"] == 100.0
    assert kpis.loc["organisation", "core_process_ai_pct"] == 75.0


def test_core_process_pct_without_catalogue_is_nan(make_dataset):
    kpis = compute_kpis(make_dataset(use_cases=CORE_CASES), period="2025-03")
    assert kpis["core_process_ai_pct"].isna().all()


# --- 4. leadership adoption -------------------------------------------------------------


def test_leadership_adoption_threshold(make_dataset):
    survey = [
        *_leaders(2, "daily"),
        *_leaders(2, "weekly"),
        *_leaders(1, "monthly"),
        *_leaders(1, "never"),
        *_leaders(1, None),  # leader who skipped the question: outside the group
        *[{"wave": "2025-03", "role": "employee", "ai_use_frequency": "daily"}] * 3,
    ]
    data = make_dataset(survey=survey)
    org = _org(compute_kpis(data, period="2025-03"))
    assert org["n_leaders"] == 6
    assert org["n_respondents"] == 10
    assert org["leadership_adoption_pct"] == pytest.approx(100 * 4 / 6)  # weekly or daily
    org = _org(compute_kpis(data, period="2025-03", frequency_threshold="daily"))
    assert org["leadership_adoption_pct"] == pytest.approx(100 * 2 / 6)
    org = _org(compute_kpis(data, period="2025-03", frequency_threshold="never"))
    assert org["leadership_adoption_pct"] == 100.0


def test_latest_wave_on_or_before_the_period(make_dataset):
    survey = [
        *_leaders(3, "weekly", wave="2025-01"),
        *_leaders(2, "never", wave="2025-01"),  # 2025-01: 60 %, 5 leaders
        {"wave": "2025-01", "role": "employee"},
        *_leaders(5, "daily", wave="2025-03"),  # 2025-03: 100 %
        *[{"wave": "2025-03", "role": "employee"}] * 2,
        *_leaders(5, "monthly", wave="2025-06"),  # 2025-06: 0 %
    ]
    data = make_dataset(survey=survey)

    def org(period):
        return _org(compute_kpis(data, period=period))

    assert org("2025-03")["survey_wave"] == "2025-03"  # the later 2025-06 is ignored
    assert org("2025-03")["leadership_adoption_pct"] == 100.0
    assert org("2025-03")["n_respondents"] == 7
    assert org("2025-05")["survey_wave"] == "2025-03"  # between waves: the earlier one
    assert org("2025-02")["survey_wave"] == "2025-01"
    assert org("2025-02")["leadership_adoption_pct"] == 60.0
    assert org("2025-02")["n_respondents"] == 6
    assert org("2025-06")["leadership_adoption_pct"] == 0.0
    assert org(pd.Period("2025-12", freq="M"))["survey_wave"] == "2025-06"
    before = compute_kpis(data, period="2024-12")
    assert before["survey_wave"].isna().all()
    assert _org(before)["n_leaders"] == 0
    assert math.isnan(_org(before)["leadership_adoption_pct"])
    assert _org(before)["leadership_adoption_pct_suppressed"]


def _privacy_survey():
    # Departments: HR 4 leaders (primary), IT 6, Ops 6, Sales 8.
    # Exactly one department suppressed -> next-smallest: IT and Ops tie at 6, "IT" first.
    return [
        *_leaders(4, "daily", department="HR", team="HR-1"),
        *_leaders(3, "weekly", department="IT", team="IT-1"),
        *_leaders(3, "never", department="IT", team="IT-2"),
        *_leaders(3, "daily", department="Ops", team="Ops-1"),
        *_leaders(3, "monthly", department="Ops", team="Ops-1"),
        *_leaders(5, "daily", department="Sales", team="Sales-1"),
        *_leaders(3, "never", department="Sales", team="Sales-2"),
    ]


def test_leadership_adoption_suppression(make_dataset):
    data = make_dataset(
        survey=_privacy_survey(),
        use_cases=[{"department": "HR", "team": "HR-1", "start_date": "2025-01-01"}],
    )
    kpis = compute_kpis(data, period="2025-03").set_index("unit")
    pct = kpis["leadership_adoption_pct"]
    flag = kpis["leadership_adoption_pct_suppressed"]
    # Organisation: 4 + 3 + 3 + 5 adopters of 24 leaders.
    assert pct["organisation"] == 62.5 and not flag["organisation"]
    assert flag[["HR", "IT"]].all() and pct[["HR", "IT"]].isna().all()
    assert pct["Ops"] == 50.0 and pct["Sales"] == 62.5
    # Teams: HR-1, IT-1, IT-2 hidden with their departments; in Sales, Sales-2 (3) is
    # primary and Sales-1 (5) complementary; Ops-1 (6) shown.
    assert flag[["HR-1", "IT-1", "IT-2", "Sales-1", "Sales-2"]].all()
    assert pct["Ops-1"] == 50.0 and not flag["Ops-1"]
    # Group sizes stay visible; register figures are never suppressed.
    assert kpis.loc["HR", "n_leaders"] == 4
    assert kpis.loc["HR-1", "active_use_cases"] == 1
    # Same answer when only teams are asked for.
    teams = compute_kpis(data, period="2025-03", level="team").set_index("unit")
    pd.testing.assert_series_equal(teams["leadership_adoption_pct_suppressed"], flag[teams.index])


def test_leadership_adoption_with_min_group_size_three(make_dataset):
    data = make_dataset(survey=_privacy_survey())
    kpis = compute_kpis(data, period="2025-03", min_group_size=3).set_index("unit")
    assert not kpis["leadership_adoption_pct_suppressed"].any()
    assert kpis.loc["HR", "leadership_adoption_pct"] == 100.0
    assert kpis.loc["IT-2", "leadership_adoption_pct"] == 0.0
    assert kpis.loc["Sales-2", "leadership_adoption_pct"] == 0.0


# --- 5. adaptivity --------------------------------------------------------------------

ADAPTIVITY_CASES = [
    # period 2025-06, E = 2025-06-30; window: start_date > 2024-06-30
    {"use_case_id": "A", "status": "production", "start_date": "2025-01-01",
     "decision_date": "2025-01-31"},  # decision at 30 d
    {"use_case_id": "B", "status": "stopped", "start_date": "2025-01-01",
     "decision_date": "2025-02-26"},  # decision at exactly 56 d: counts
    {"use_case_id": "C", "status": "scaled", "start_date": "2025-01-01",
     "decision_date": "2025-03-02"},  # decision at 60 d
    {"use_case_id": "D", "status": "production", "start_date": "2025-06-10",
     "decision_date": "2025-07-05"},  # decided after E: censored at E, 20 d
    {"use_case_id": "E", "status": "pilot", "start_date": "2025-01-01"},  # censored 180 d
    {"use_case_id": "G", "status": "production", "start_date": "2025-01-01"},  # no date: 180 d
    {"use_case_id": "I", "status": "pilot", "start_date": "2025-06-20"},  # censored 10 d
    {"use_case_id": "F", "status": "production", "start_date": "2024-06-30",
     "decision_date": "2024-07-10"},  # start = E - 365 d: outside the window
    {"use_case_id": "H", "status": "idea", "start_date": "2025-03-01"},  # not started
]  # fmt: skip


def test_adaptivity_hand_computed(make_dataset):
    # Durations: I 10c, D 20c, A 30e, B 56e, C 60e, E 180c, G 180c.
    # t=30: 5 at risk -> 4/5; t=56: 4 at risk -> 4/5 * 3/4 = 3/5.
    # Score = 100 * (1 - 3/5) = 40.
    # (D as an event at 25 d would give 50; F included would change the curve; the
    # event at exactly 56 excluded would give 20.)
    kpis = compute_kpis(make_dataset(use_cases=ADAPTIVITY_CASES), period="2025-06")
    assert _org(kpis)["adaptivity_score"] == pytest.approx(40.0)


def test_adaptivity_parameters(make_dataset):
    data = make_dataset(use_cases=ADAPTIVITY_CASES)
    # within 30 d: S(30) = 4/5 -> 20.
    kpis = compute_kpis(data, period="2025-06", decision_within_days=30)
    assert _org(kpis)["adaptivity_score"] == pytest.approx(20.0)
    # A window of 366 days takes F in: F 10e, I 10c, D 20c, A 30e, B 56e, ...
    # t=10: 8 at risk -> 7/8; t=30: 5 -> 7/8 * 4/5; t=56: 4 -> 7/8 * 4/5 * 3/4 = 21/40.
    kpis = compute_kpis(data, period="2025-06", adaptivity_window_days=366)
    assert _org(kpis)["adaptivity_score"] == pytest.approx(100 * (1 - 21 / 40))


def test_adaptivity_not_estimable_and_empty(make_dataset):
    cases = [
        # A1: observed 20 days at most, no decision reached by everyone -> NaN
        {"department": "A", "team": "A1", "start_date": "2025-06-10"},
        {"department": "A", "team": "A1", "start_date": "2025-06-10",
         "status": "stopped", "decision_date": "2025-06-15"},
        # A2: both decided at 5 d -> S = 0 from day 5, score 100 although observed 20 d
        {"department": "A", "team": "A2", "start_date": "2025-06-10",
         "status": "stopped", "decision_date": "2025-06-15"},
        {"department": "A", "team": "A2", "start_date": "2025-06-10",
         "status": "production", "decision_date": "2025-06-15"},
        # B1: only an old use case -> nobody in the window -> NaN
        {"department": "B", "team": "B1", "start_date": "2023-01-01"},
    ]  # fmt: skip
    kpis = compute_kpis(make_dataset(use_cases=cases), period="2025-06")
    assert math.isnan(_row(kpis, "A1")["adaptivity_score"])
    assert _row(kpis, "A2")["adaptivity_score"] == 100.0
    assert math.isnan(_row(kpis, "B1")["adaptivity_score"])


def test_decision_before_start_is_refused(make_dataset):
    cases = [{"use_case_id": "UC-9", "status": "production", "start_date": "2025-03-01",
              "decision_date": "2025-02-01"}]  # fmt: skip
    with pytest.raises(ValueError, match=r"decision_date is before start_date.*UC-9"):
        compute_kpis(make_dataset(use_cases=cases), period="2025-06")


# --- units and speed ----------------------------------------------------------------------


def test_units_from_survey_wave_and_register(make_dataset):
    data = make_dataset(
        use_cases=[{"department": "A", "team": "A1"}],
        survey=[
            {"wave": "2025-03", "department": "B", "team": "B1", "role": "employee"},
            {"wave": "2025-05", "department": "C", "team": "C1", "role": "employee"},
        ],
    )
    kpis = compute_kpis(data, period="2025-03")
    assert kpis["unit"].tolist() == ["organisation", "A", "B", "A1", "B1"]
    assert _row(kpis, "B1")["active_use_cases"] == 0
    assert _row(kpis, "B1")["n_respondents"] == 1
    assert _row(kpis, "A1")["n_respondents"] == 0


def test_many_units_each_get_a_row(make_dataset, rng):
    # Speed is measured in benchmarks/bench_load_kpis.py, not asserted here.
    n_teams, n_resp, n_waves, n_uc = 400, 20_000, 6, 5_000
    teams = np.array([f"T{i:03d}" for i in range(n_teams)])
    depts = np.array([f"D{i % 40:02d}" for i in range(n_teams)])
    team_of = np.tile(rng.integers(0, n_teams, n_resp), n_waves)
    survey = pd.DataFrame(
        {
            "respondent_id": np.tile([f"R{i}" for i in range(n_resp)], n_waves),
            "wave": np.repeat([f"2025-{m:02d}" for m in range(1, n_waves + 1)], n_resp),
            "department": depts[team_of],
            "team": teams[team_of],
            "role": rng.choice(["leader", "employee"], n_resp * n_waves, p=[0.15, 0.85]),
            "ai_use_frequency": rng.choice(
                ["never", "monthly", "weekly", "daily"], n_resp * n_waves
            ),
        }
    )
    uc_team = rng.integers(0, n_teams, n_uc)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 500, n_uc), "D")
    use_cases = pd.DataFrame(
        {
            "department": depts[uc_team],
            "team": teams[uc_team],
            "status": rng.choice(["idea", "pilot", "production", "scaled", "stopped"], n_uc),
            "start_date": start,
            "first_impact_date": start + pd.to_timedelta(rng.integers(0, 300, n_uc), "D"),
        }
    )
    decided = use_cases["status"].isin(["production", "scaled", "stopped"])
    use_cases["decision_date"] = (start + pd.to_timedelta(rng.integers(0, 200, n_uc), "D")).where(
        decided
    )
    data = make_dataset(use_cases=use_cases, survey=survey)
    kpis = compute_kpis(data, period="2025-04")
    assert len(kpis) == 1 + 40 + n_teams
    assert kpis["unit"].is_unique


def test_kpi_trend_stacks_periods_oldest_first(make_dataset):
    data = make_dataset(
        use_cases=[
            {"status": "pilot", "start_date": "2025-01-10"},
            {"status": "pilot", "start_date": "2025-03-05"},
        ]
    )
    trend = compute_kpi_trend(data, period="2025-03", months=3, level="organisation")
    assert trend["period"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert trend["active_use_cases"].tolist() == [1, 1, 2]
    with pytest.raises(ValueError, match="months must be a positive integer"):
        compute_kpi_trend(data, period="2025-03", months=0)
