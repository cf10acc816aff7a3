"""The further measures of docs/metrics.md §2 on small hand-built data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aiadopt.measures import (
    BENCHMARKS,
    MEASURE_COLUMNS,
    MEASURES_TABLE_COLUMNS,
    compute_competency_gap,
    compute_culture,
    compute_goal_mix,
    compute_measures,
    compute_phases,
    compute_skills_pyramid,
    compute_trained_roi_ratio,
)
from aiadopt.present.text import measure_labels


def _get(frame, unit, key, statistic, level=None):
    rows = frame[
        (frame["unit"] == unit) & (frame["key"] == key) & (frame["statistic"] == statistic)
    ]
    if level is not None:
        rows = rows[rows["level"] == level]
    assert len(rows) == 1, f"expected one row for {unit}/{key}/{statistic}, got {len(rows)}"
    return rows.iloc[0]


def _phase_rows(team, answers, *, department="D1", wave="2025-03"):
    return [
        {"wave": wave, "department": department, "team": team, "team_phase": a} for a in answers
    ]


# --- transformation phase --------------------------------------------------------


def _phase_data(make_dataset):
    survey = (
        _phase_rows("T1", [3, 4, 4, 5])  # median 4.0
        + _phase_rows("T2", [2, 3, 4, 4])  # even number: median (3 + 4) / 2 = 3.5
        + _phase_rows("T3", [1, 1, 2])  # median 1
        + _phase_rows("T4", [5, 5, 5], department="D2")  # median 5
        + [{"wave": "2025-03", "department": "D2", "team": "T4"}]  # no phase answer
    )
    return make_dataset(survey=survey)


def test_phases_median_distribution_and_kpi(make_dataset):
    out = compute_phases(_phase_data(make_dataset), period="2025-03", min_group_size=3)
    assert tuple(out.columns) == MEASURE_COLUMNS
    assert not out["suppressed"].any()
    assert _get(out, "T1", "median", "team_phase")["value"] == 4.0
    t2 = _get(out, "T2", "median", "team_phase")
    assert t2["value"] == 3.5 and t2["n"] == 4
    # D1: teams at 4.0, 3.5 (-> phase 3, not >= 4) and 1.0.
    for key, pct in {"1": 100 / 3, "2": 0.0, "3": 100 / 3, "4": 100 / 3, "5": 0.0}.items():
        assert _get(out, "D1", key, "pct_teams")["value"] == pytest.approx(pct)
    d1 = _get(out, "D1", "4+", "pct_teams_phase_4plus")
    assert d1["value"] == pytest.approx(100 / 3)
    assert d1["reference"] == 100.0
    assert d1["n"] == 11  # respondents who answered team_phase
    assert _get(out, "D1", "4+", "n_teams")["value"] == 3
    # Organisation: 4 teams at 4.0, 3.5, 1.0, 5.0 -> 2 of 4 at >= 4.
    org = _get(out, "organisation", "4+", "pct_teams_phase_4plus")
    assert org["value"] == 50.0
    assert org["n"] == 14
    assert _get(out, "organisation", "5", "pct_teams")["value"] == 25.0
    assert (out["survey_wave"] == "2025-03").all() and (out["period"] == "2025-03").all()


def test_phases_small_team_and_complementary_suppression(make_dataset):
    survey = (
        _phase_rows("T1", [4] * 6)
        + _phase_rows("T2", [2] * 5)
        + _phase_rows("T3", [5, 5])  # 2 < 5 answers
    )
    out = compute_phases(make_dataset(survey=survey), period="2025-03")
    t1 = _get(out, "T1", "median", "team_phase")
    t2 = _get(out, "T2", "median", "team_phase")
    t3 = _get(out, "T3", "median", "team_phase")
    assert t1["value"] == 4.0 and not t1["suppressed"]
    assert t3["suppressed"] and math.isnan(t3["value"]) and t3["reason"] == "small_group"
    # Next-smallest team of the department is hidden too (complementary).
    assert t2["suppressed"] and math.isnan(t2["value"]) and t2["reason"] == "complementary"
    # The department counts only the team whose phase is shown (T1 at 4.0):
    # counting all three (4.0, 2.0, 5.0 -> 66.7%) would give away that the
    # two hidden teams are one at phase 5 and one at phase 2.
    assert _get(out, "D1", "4+", "pct_teams_phase_4plus")["value"] == 100.0
    assert _get(out, "D1", "2", "pct_teams")["value"] == 0.0
    assert _get(out, "D1", "4+", "n_teams")["value"] == 1
    assert _get(out, "D1", "4+", "n_teams_hidden")["value"] == 2
    assert _get(out, "organisation", "4+", "n_teams_hidden")["value"] == 2


def test_phases_suppressed_department_hides_its_teams(make_dataset):
    survey = (
        _phase_rows("A1", [4] * 6, department="A")
        + _phase_rows("B1", [3] * 7, department="B")
        + _phase_rows("C1", [2] * 3, department="C")
    )
    out = compute_phases(make_dataset(survey=survey), period="2025-03")
    dept = out[(out["level"] == "department") & (out["statistic"] == "pct_teams_phase_4plus")]
    assert dict(zip(dept["unit"], dept["suppressed"], strict=True)) == {
        "A": True,
        "B": False,
        "C": True,
    }
    assert _get(out, "C", "4+", "pct_teams_phase_4plus")["reason"] == "small_group"
    assert _get(out, "A", "4+", "pct_teams_phase_4plus")["reason"] == "complementary"
    a1 = _get(out, "A1", "median", "team_phase")
    assert a1["suppressed"] and a1["reason"] == "department_suppressed"
    assert not _get(out, "organisation", "4+", "pct_teams_phase_4plus")["suppressed"]


def test_phases_all_suppressed_group_has_explicit_rows(make_dataset):
    out = compute_phases(make_dataset(survey=_phase_rows("T1", [4, 4, 5])), period="2025-03")
    figures = out[~out["statistic"].isin(["n_teams", "n_teams_hidden"])]
    assert len(figures) > 0
    assert figures["suppressed"].all() and figures["value"].isna().all()
    assert set(figures["reason"]) == {"small_group"}


def test_phases_no_survey_wave_on_or_before_period(make_dataset):
    data = make_dataset(survey=_phase_rows("T1", [4] * 6, wave="2025-05"))
    out = compute_phases(data, period="2025-03")
    figures = out[~out["statistic"].isin(["n_teams", "n_teams_hidden"])]
    assert (figures["level"] == "organisation").all()
    assert figures["suppressed"].all() and figures["value"].isna().all()
    assert set(figures["reason"]) == {"no_survey_wave"}
    assert out["survey_wave"].isna().all()


def test_min_group_size_is_validated(make_dataset):
    data = make_dataset(survey=_phase_rows("T1", [4] * 6))
    with pytest.raises(ValueError, match="min_group_size must be >= 3"):
        compute_phases(data, period="2025-03", min_group_size=2)
    with pytest.raises(ValueError, match="period must be a calendar month"):
        compute_skills_pyramid(data, period="March")


# --- competency gap -------------------------------------------------------------------


def _leader(team, change, *, role="leader", department="D1", **items):
    row = {"wave": "2025-03", "department": department, "team": team, "role": role}
    row.update({f"comp_change_{i + 1}": v for i, v in enumerate(change)})
    row.update(items)
    return row


def test_competency_gap_threshold_and_benchmark(make_dataset):
    nan = np.nan
    survey = [
        _leader("T1", (4, 4, 4)),  # 4.0 -> qualified
        _leader("T1", (3, 4, 5)),  # 4.0 -> qualified
        _leader("T1", (5, 3, nan)),  # mean of answered = 4.0 -> qualified
        _leader("T1", (3, 4, 4)),  # 3.67 -> not
        _leader("T1", (nan, nan, nan)),  # did not answer: outside the group
        _leader("T1", (5, 5, 5), role="employee"),  # not a leader
    ]
    data = make_dataset(survey=survey)
    out = compute_competency_gap(data, period="2025-03", min_group_size=3)
    pct = _get(out, "organisation", "change", "pct_qualified")
    assert pct["value"] == 75.0
    assert pct["n"] == 4
    assert pct["reference"] == 16.0
    assert _get(out, "organisation", "change", "gap_pct_points")["value"] == 75.0 - 16.0


def test_benchmark_mapping(make_dataset):
    # docs/metrics.md §2, seed 002 (2025): technical basics 42% -> prompting, strategic
    # assessment 23% -> strategic, change management 16% -> change, governance 14% -> ethics.
    # Four leaders qualified on prompting 4/4, strategic 3/4, ethics 2/4, change 1/4: each
    # gap must use its own benchmark.
    answers = {"prompting": (5, 5, 5, 5), "strategic": (5, 5, 5, 2), "ethics": (5, 5, 2, 2)}
    survey = [
        _leader("T1", (change,) * 3, **{f"comp_{k}_1": float(v[i]) for k, v in answers.items()})
        for i, change in enumerate((5, 2, 2, 2))
    ]
    out = compute_competency_gap(make_dataset(survey=survey), period="2025-03", min_group_size=3)
    expected = {  # key: (% qualified, benchmark)
        "prompting": (100.0, 42.0), "strategic": (75.0, 23.0),
        "ethics": (50.0, 14.0), "change": (25.0, 16.0),
    }  # fmt: skip
    for key, (pct, benchmark) in expected.items():
        gap = _get(out, "organisation", key, "gap_pct_points")
        assert gap["reference"] == benchmark, key
        assert gap["value"] == pytest.approx(pct - benchmark), key
    assert set(BENCHMARKS) == set(expected)


def test_competency_without_benchmark_has_nan_gap(make_dataset):
    survey = [_leader("T1", (4, 4, 4), comp_data_1=4.0, comp_prompting_1=2.0) for _ in range(3)]
    out = compute_competency_gap(make_dataset(survey=survey), period="2025-03", min_group_size=3)
    assert list(dict.fromkeys(out["key"])) == ["data", "change", "prompting"]  # schema order
    data_gap = _get(out, "organisation", "data", "gap_pct_points")
    assert math.isnan(data_gap["value"]) and data_gap["reason"] == "no_benchmark"
    assert math.isnan(data_gap["reference"])
    assert _get(out, "organisation", "data", "pct_qualified")["value"] == 100.0
    prompting = _get(out, "organisation", "prompting", "gap_pct_points")
    assert prompting["value"] == 0.0 - 42.0 and prompting["reference"] == 42.0


def test_competency_group_is_the_leaders_who_answered(make_dataset):
    # T1 has 6 leaders; T2 has 2 leaders and 10 employees: its group is 2.
    survey = [_leader("T1", (4, 4, 4)) for _ in range(6)]
    survey += [_leader("T2", (5, 5, 5)) for _ in range(2)]
    survey += [{"wave": "2025-03", "department": "D1", "team": "T2"} for _ in range(10)]
    out = compute_competency_gap(make_dataset(survey=survey), period="2025-03")
    t2 = _get(out, "T2", "change", "pct_qualified")
    assert t2["n"] == 2 and t2["suppressed"] and t2["reason"] == "small_group"
    # Every leader is qualified: D1 at 100% would pin T2's two leaders at
    # 100% whatever else is hidden, so D1 (and then the organisation, its
    # only department) is hidden too, and with it T1.
    t1 = _get(out, "T1", "change", "pct_qualified")
    assert t1["suppressed"] and t1["reason"] == "department_suppressed"
    d1 = _get(out, "D1", "change", "pct_qualified")
    assert d1["suppressed"] and d1["reason"] == "complementary" and d1["n"] == 8
    assert _get(out, "organisation", "change", "pct_qualified")["suppressed"]


# --- culture and pillars --------------------------------------------------------------


def _culture(department="D1", team="T1", **items):
    return {"wave": "2025-03", "department": department, "team": team, **items}


def test_culture_top_two_box_score_and_0_100(make_dataset):
    nan = np.nan
    rows = [(5, 4), (3, nan), (2, 4), (1, 2)]
    survey = [_culture(culture_feedback_1=a, culture_feedback_2=b) for a, b in rows]
    out = compute_culture(make_dataset(survey=survey), period="2025-03", min_group_size=3)
    assert set(out["family"]) == {"culture"}
    # 7 answers, 3 of them 4 or 5.
    fav = _get(out, "organisation", "feedback", "favourability_pct")
    assert fav["value"] == pytest.approx(300 / 7)
    assert fav["n"] == 4
    # Respondent scores 4.5, 3, 3, 1.5 -> mean 3.0 -> 0-100: 50.
    assert _get(out, "organisation", "feedback", "score_mean")["value"] == 3.0
    assert _get(out, "organisation", "feedback", "score_0_100")["value"] == 50.0


def test_culture_alpha_matches_pingouin(make_dataset, rng):
    pg = pytest.importorskip("pingouin")
    x = np.clip(np.rint(3 + rng.normal(size=(30, 1)) + rng.normal(scale=0.8, size=(30, 2))), 1, 5)
    x[[2, 7], 1] = np.nan
    survey = [_culture(pillar_human_1=a, pillar_human_2=b) for a, b in x]
    out = compute_culture(make_dataset(survey=survey), period="2025-03")
    alpha = _get(out, "organisation", "human", "alpha")
    ref, ci = pg.cronbach_alpha(pd.DataFrame(x))
    assert abs(alpha["value"] - ref) < 1e-10
    assert [round(alpha["ci_low"], 3), round(alpha["ci_high"], 3)] == pytest.approx(list(ci))
    assert alpha["measure"] == "pillar" and alpha["n"] == 30


def test_culture_alpha_not_estimable_and_score_for_a_high_scale(make_dataset):
    nan = np.nan
    rows = [(5, 4), (4, 5), (5, nan), (nan, 4)]  # only 2 complete respondents
    survey = [_culture(culture_ownership_1=a, culture_ownership_2=b) for a, b in rows]
    out = compute_culture(make_dataset(survey=survey), period="2025-03", min_group_size=3)
    alpha = _get(out, "organisation", "ownership", "alpha")
    assert math.isnan(alpha["value"]) and alpha["reason"] == "alpha_not_estimable"
    assert not alpha["suppressed"]
    # Scores 4.5, 4.5, 5, 4 -> 4.5 -> (4.5 - 1) / 4 * 100 = 87.5.
    assert _get(out, "organisation", "ownership", "score_0_100")["value"] == 87.5
    assert _get(out, "organisation", "ownership", "favourability_pct")["value"] == 100.0


def test_culture_group_is_who_answered_the_scale(make_dataset):
    # 6 respondents; only 4 answered transparency -> that scale is suppressed,
    # experimentation (6 answers) is shown.
    survey = [_culture(culture_experimentation_1=4, culture_transparency_1=4) for _ in range(4)]
    survey += [_culture(culture_experimentation_1=2) for _ in range(2)]
    out = compute_culture(make_dataset(survey=survey), period="2025-03")
    tr = _get(out, "organisation", "transparency", "favourability_pct")
    assert tr["suppressed"] and tr["n"] == 4 and math.isnan(tr["value"])
    ex = _get(out, "organisation", "experimentation", "favourability_pct")
    assert not ex["suppressed"] and ex["value"] == pytest.approx(400 / 6)


# --- skills pyramid -------------------------------------------------------------------


def test_skills_pyramid_shares_and_targets(make_dataset):
    levels = ["user"] * 7 + ["connector"] * 2 + ["specialist"] + [None]
    survey = [{"wave": "2025-03", "ai_skill_level": s} for s in levels]
    out = compute_skills_pyramid(make_dataset(survey=survey), period="2025-03")
    org = out[out["level"] == "organisation"].set_index("key")
    assert org.loc[["user", "connector", "specialist"], "value"].tolist() == [70.0, 20.0, 10.0]
    assert org["reference"].tolist() == [80.0, 15.0, 5.0]
    assert (org["n"] == 10).all()
    assert (org["statistic"] == "pct").all()


# --- goal mix --------------------------------------------------------------------------


def _uc(department, goal, **kw):
    return {
        "department": department,
        "team": f"{department}-T",
        "goal": goal,
        "status": "pilot",
        "start_date": "2025-01-10",
        **kw,
    }


def test_goal_mix_shares_and_the_70_percent_flag(make_dataset):
    use_cases = (
        [_uc("D1", "personal") for _ in range(7)]
        + [_uc("D1", "operational") for _ in range(3)]  # D1: 7/10 = 70% -> not flagged
        + [_uc("D2", "personal") for _ in range(5)]
        + [_uc("D2", "strategic") for _ in range(2)]  # D2: 5/7 = 71.4% -> flagged
        # not active at E = 2025-03-31:
        + [_uc("D1", "personal", status="stopped", decision_date="2025-02-01")]
        + [_uc("D1", "personal", status="idea")]
        + [_uc("D1", "personal", start_date="2025-04-02")]
        + [_uc("D3", "personal", status="idea")]  # D3: no active use case
    )
    out = compute_goal_mix(make_dataset(use_cases=use_cases), period="2025-03")
    assert not out["suppressed"].any()
    d1 = _get(out, "D1", "personal", "pct_active_use_cases")
    assert d1["value"] == 70.0 and d1["n"] == 10 and d1["reference"] == 70.0
    assert not out.loc[out["unit"] == "D1", "stuck_in_personal_ai"].any()
    d2 = _get(out, "D2", "personal", "pct_active_use_cases")
    assert d2["value"] == pytest.approx(500 / 7)
    assert out.loc[out["unit"] == "D2", "stuck_in_personal_ai"].all()
    assert _get(out, "D2", "strategic", "pct_active_use_cases")["value"] == pytest.approx(200 / 7)
    # Organisation: 12 of 17 personal = 70.6% -> flagged.
    org = _get(out, "organisation", "personal", "pct_active_use_cases")
    assert org["value"] == pytest.approx(1200 / 17) and org["n"] == 17
    assert out.loc[out["level"] == "organisation", "stuck_in_personal_ai"].all()
    d3 = out[out["unit"] == "D3"]
    assert d3["value"].isna().all() and set(d3["reason"]) == {"no_active_use_cases"}
    assert not d3["stuck_in_personal_ai"].any()
    assert _get(out, "D1-T", "operational", "pct_active_use_cases")["value"] == 30.0
    assert out["survey_wave"].isna().all()


def test_goal_mix_71_of_100_is_flagged(make_dataset):
    use_cases = [_uc("D1", "personal") for _ in range(71)]
    use_cases += [_uc("D1", "operational") for _ in range(29)]
    out = compute_goal_mix(make_dataset(use_cases=use_cases), period="2025-03")
    assert _get(out, "D1", "personal", "pct_active_use_cases")["value"] == 71.0
    assert out["stuck_in_personal_ai"].all()


# --- trained-leader ROI ratio -------------------------------------------------------------


def _leaders(team, trained, *, wave, department="D1"):
    return [
        {
            "wave": wave,
            "department": department,
            "team": team,
            "role": "leader",
            "ai_training_done": t,
        }
        for t in trained
    ]


def _case(team, start, roi, *, department="D1", **kw):
    # investment 100 -> benefit = 100 * (1 + roi)
    return {
        "department": department,
        "team": team,
        "start_date": start,
        "status": "pilot",
        "investment_eur": 100.0,
        "annual_benefit_eur": 100.0 * (1 + roi),
        **kw,
    }


def _roi_data(make_dataset, *, untrained_rois=(0.5, 1.0, 1.5, 2.0), late_roi=0.25):
    survey = (
        _leaders("TT", [True, True, False], wave="2025-01")  # 2/3 trained -> trained
        + _leaders("TT", [False, False], wave="2025-04")  # 0/2 -> untrained from April
        + _leaders("TU", [True, False, False], wave="2025-01")  # 1/3 -> untrained
        + _leaders("TH", [True, False], wave="2025-01", department="D2")  # 1/2 -> trained (>= 50%)
        + [
            {
                "wave": "2025-01",
                "department": "D1",
                "team": "TN",
                "role": "employee",
                "ai_training_done": True,
            }
        ]  # TN: no leader answer
    )
    use_cases = (
        [_case("TT", "2025-02-15", r) for r in (1.0, 2.0, 3.0)]  # wave 2025-01: trained
        + [_case("TT", "2024-12-01", 5.0)]  # before every wave: the first wave -> trained
        + [_case("TH", "2025-01-20", 4.0, department="D2")]  # trained
        + [_case("TU", "2025-02-15", r) for r in untrained_rois]  # untrained
        + [_case("TT", "2025-05-03", late_roi)]  # wave 2025-04: untrained
        + [_case("TN", "2025-02-15", 9.0)]  # unclassified
        # left out: ROI undefined, started after E, idea
        + [_case("TT", "2025-02-15", 1.0, investment_eur=0.0)]
        + [_case("TT", "2025-02-15", 1.0, annual_benefit_eur=np.nan)]
        + [_case("TT", "2025-07-01", 1.0)]
        + [_case("TT", "2025-02-15", 1.0, status="idea")]
    )
    return make_dataset(use_cases=use_cases, survey=survey)


def test_trained_roi_ratio_tiny_example(make_dataset):
    data = _roi_data(make_dataset)
    out = compute_trained_roi_ratio(data, period="2025-06", n_boot=200, min_group_size=3)
    assert tuple(out.columns) == MEASURE_COLUMNS
    trained = _get(out, "organisation", "trained", "median_roi")
    untrained = _get(out, "organisation", "untrained", "median_roi")
    # trained: 1, 2, 3, 5, 4 -> median 3; untrained: 0.5, 1, 1.5, 2, 0.25 -> median 1.
    assert trained["value"] == pytest.approx(3.0) and trained["n"] == 5
    assert untrained["value"] == pytest.approx(1.0) and untrained["n"] == 5
    ratio = _get(out, "organisation", "ratio", "roi_ratio")
    assert ratio["value"] == pytest.approx(3.0)
    assert ratio["n"] == 10 and ratio["reference"] == 2.7 and ratio["reason"] == ""
    assert ratio["ci_low"] <= ratio["value"] <= ratio["ci_high"]
    assert trained["ci_low"] <= 3.0 <= trained["ci_high"]
    assert _get(out, "organisation", "unclassified", "n_use_cases")["value"] == 1


def test_trained_roi_bootstrap_is_seeded(make_dataset):
    data = _roi_data(make_dataset)
    a = compute_trained_roi_ratio(data, period="2025-06", n_boot=200, seed=1, min_group_size=3)
    b = compute_trained_roi_ratio(data, period="2025-06", n_boot=200, seed=1, min_group_size=3)
    c = compute_trained_roi_ratio(data, period="2025-06", n_boot=200, seed=2, min_group_size=3)
    pd.testing.assert_frame_equal(a, b)
    ra, rc = (_get(x, "organisation", "ratio", "roi_ratio") for x in (a, c))
    assert (ra["ci_low"], ra["ci_high"]) != (rc["ci_low"], rc["ci_high"])


def test_trained_roi_without_bootstrap_gives_the_same_estimates_and_no_intervals(make_dataset):
    data = _roi_data(make_dataset)
    with_ci = compute_trained_roi_ratio(data, period="2025-06", n_boot=200, min_group_size=3)
    without = compute_trained_roi_ratio(data, period="2025-06", n_boot=0, min_group_size=3)
    pd.testing.assert_series_equal(with_ci["value"], without["value"])
    assert without["ci_low"].isna().all() and without["ci_high"].isna().all()
    assert _get(without, "organisation", "ratio", "roi_ratio")["reason"] == ""
    with pytest.raises(ValueError, match="n_boot must be a whole number >= 0; got -1"):
        compute_trained_roi_ratio(data, period="2025-06", n_boot=-1)


def test_trained_roi_departments_small_group_and_complementary(make_dataset):
    data = _roi_data(make_dataset)
    out = compute_trained_roi_ratio(data, period="2025-06", n_boot=50, min_group_size=3)
    # D2's classification rests on 2 leader answers (< 3) -> suppressed;
    # D1 is the only other department -> suppressed too.
    d2 = _get(out, "D2", "ratio", "roi_ratio")
    assert d2["suppressed"] and d2["reason"] == "small_group" and pd.isna(d2["n"])
    d1 = _get(out, "D1", "trained", "median_roi")
    assert d1["suppressed"] and d1["reason"] == "complementary" and math.isnan(d1["value"])
    assert not _get(out, "organisation", "ratio", "roi_ratio")["suppressed"]
    # The count of unclassified use cases is not an answer: it stays.
    assert _get(out, "D1", "unclassified", "n_use_cases")["value"] == 1


def test_trained_roi_refuses_small_groups_and_non_positive_untrained_median(make_dataset):
    data = _roi_data(make_dataset, untrained_rois=(0.5, 1.0, 1.5))  # untrained: 4 use cases
    out = compute_trained_roi_ratio(data, period="2025-06", n_boot=50, min_group_size=3)
    ratio = _get(out, "organisation", "ratio", "roi_ratio")
    assert math.isnan(ratio["value"]) and ratio["reason"] == "too_few_use_cases"
    assert not ratio["suppressed"]
    small = _get(out, "organisation", "untrained", "median_roi")
    assert small["value"] == pytest.approx(0.75) and math.isnan(small["ci_low"])

    data = _roi_data(make_dataset, untrained_rois=(-0.5, -0.2, 0.0, 0.5), late_roi=-0.1)
    out = compute_trained_roi_ratio(data, period="2025-06", n_boot=50, min_group_size=3)
    ratio = _get(out, "organisation", "ratio", "roi_ratio")
    # untrained: -0.5, -0.2, 0, 0.5, -0.1 -> median -0.1 <= 0
    assert _get(out, "organisation", "untrained", "median_roi")["value"] == pytest.approx(-0.1)
    assert math.isnan(ratio["value"]) and ratio["reason"] == "untrained_median_not_positive"


# --- everything in one table -------------------------------------------------------------


def test_compute_measures_one_tidy_table(make_dataset):
    data = _roi_data(make_dataset)
    table = compute_measures(data, period="2025-06", min_group_size=3, n_boot=50)
    assert tuple(table.columns) == MEASURES_TABLE_COLUMNS == MEASURE_COLUMNS  # codes, no words
    assert list(dict.fromkeys(table["measure"])) == [
        "phases",
        "skills_pyramid",
        "goal_mix",
        "trained_roi",
    ]  # (no competency, culture or pillar items in this survey)
    # Every empty value says why.
    empty = table["value"].isna()
    assert (table.loc[empty, "reason"] != "").all()
    assert (table.loc[table["suppressed"], "value"].isna()).all()
    flag = table[table["statistic"] == "stuck_in_personal_ai"]
    assert set(flag["level"]) == {"organisation", "department", "team"}
    nl = measure_labels(table, "nl", min_group_size=3)
    cols = list(nl.columns)
    assert cols[cols.index("key") + 1] == "label" and cols[cols.index("reason") + 1] == "note"
    assert (nl.loc[empty, "note"] != "").all()
    assert _get(nl, "organisation", "trained", "median_roi")["label"] == "Leidinggevenden getraind"
    assert _get(nl, "D2", "ratio", "roi_ratio")["note"] == "onderdrukt: minder dan 3 respondenten"
    assert _get(nl, "organisation", "4+", "pct_teams_phase_4plus")["note"] == (
        "onderdrukt: niemand in deze groep heeft geantwoord"
    )


def test_compute_measures_on_empty_data(make_dataset):
    table = compute_measures(make_dataset(), period="2025-06")
    assert len(table) > 0
    assert set(table["level"]) == {"organisation"}
    counts = table["statistic"].isin(["n_teams", "n_teams_hidden", "n_use_cases"])
    assert (table.loc[counts, "value"] == 0).all()
    figures = table[~counts]
    assert figures["value"].isna().all()
    assert (figures["reason"] != "").all()
    survey = figures[figures["measure"].isin(["phases", "skills_pyramid"])]
    assert survey["suppressed"].all() and set(survey["reason"]) == {"no_survey_wave"}
    assert set(figures.loc[figures["measure"] == "goal_mix", "reason"]) == {"no_active_use_cases"}
    assert set(figures.loc[figures["measure"] == "trained_roi", "reason"]) == {"too_few_use_cases"}
    assert not table.loc[counts, "suppressed"].any()


def test_compute_measures_notes_name_the_rule(make_dataset):
    data = make_dataset(survey=_phase_rows("T1", [4, 4, 5]))
    table = measure_labels(compute_measures(data, period="2025-03"))
    row = _get(table, "organisation", "4+", "pct_teams_phase_4plus")
    assert row["suppressed"] and row["note"] == "suppressed: fewer than 5 respondents"
    assert row["label"] == "Teams at phase 4 or higher"
