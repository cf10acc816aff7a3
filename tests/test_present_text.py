"""Sentences about results (aiadopt.present.text): pitfalls, the
competency-to-ROI model, measures and reliability, in both languages."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from test_regression import _fit, _noisy

from aiadopt.cli import build_parser
from aiadopt.measures import compute_measures
from aiadopt.pitfalls import compute_pitfalls
from aiadopt.present.text import (
    describe_pitfall,
    exclusion_labels,
    fallback_rule,
    measure_labels,
    measure_note,
    regression_finding,
    regression_headline,
    regression_notes,
    reliability_flag,
)
from aiadopt.regression import COEFFICIENT_COLUMNS, EXCLUSION_REASONS, RegressionResult
from aiadopt.reliability import LOW_ALPHA


def _uc(team, status="pilot", start="2025-01-10", dept="D1", **extra):
    return {"department": dept, "team": team, "status": status, "start_date": start, **extra}


def _signal(table, name, dept="D1"):
    return table[(table["department"] == dept) & (table["signal"] == name)].iloc[0]


# --- pitfalls -----------------------------------------------------------------------


def test_describe_pitfall_says_the_overridden_limit(make_dataset):
    """The bug: the sentence said "(limit 60%)" whatever the threshold."""
    cases = [_uc("T1", use_case_id=f"U{i}") for i in range(4)] + [
        _uc("T2", use_case_id="U9"),
        _uc("T3"),
    ]
    table = compute_pitfalls(
        make_dataset(use_cases=cases), period="2025-03", thresholds={"innovation_club": 50}
    )
    row = _signal(table, "innovation_club")
    assert row["triggered"]
    assert (
        describe_pitfall(row)
        == "Innovation club only: 67% of 6 active use cases sit in team T1 (limit 50%)."
    )
    assert describe_pitfall(row, "nl") == (
        "Alleen een innovatieclubje: 67% van de 6 actieve use cases zit in team T1 (grens 50%)."
    )


def test_describe_pitfall_default_limits_and_missing_figures(make_dataset):
    cases = [_uc("T1", use_case_id=f"U{i}") for i in range(4)] + [_uc("T2", use_case_id="U9")]
    table = compute_pitfalls(make_dataset(use_cases=cases), period="2025-03")
    assert describe_pitfall(_signal(table, "innovation_club")) == (
        "Innovation club only: 80% of 5 active use cases sit in team T1 (limit 60%)."
    )
    empty = compute_pitfalls(
        make_dataset(use_cases=[_uc("T1", "idea", start=None)]), period="2025-03"
    )
    assert (
        describe_pitfall(_signal(empty, "innovation_club"))
        == "Innovation club only: no active use cases."
    )
    assert describe_pitfall(_signal(empty, "innovation_club"), "nl").endswith(
        "geen actieve use cases."
    )


def test_describe_pitfall_dutch_decimal_comma():
    """The bug: "3.5" with a decimal point in a Dutch sentence."""
    row = {
        "signal": "too_much_at_once",
        "value": 3.5,
        "threshold": 3.0,
        "running_pilots": 7,
        "n_teams": 2,
    }
    assert (
        describe_pitfall(row, "nl")
        == "Te veel tegelijk: 7 lopende pilots over 2 teams = 3,5 per team (grens 3)."
    )
    assert (
        describe_pitfall(row)
        == "Too much at once: 7 running pilots across 2 teams = 3.5 per team (limit 3)."
    )
    row = {"signal": "no_visible_progress", "value": 22.4, "threshold": 27.5}
    assert (
        describe_pitfall(row, "nl")
        == "Geen zichtbare voortgang: adaptiviteitsscore 22 (grens 27,5)."
    )


def test_describe_pitfall_plurals_and_window(make_dataset):
    cases = [_uc("T1", start="2025-03-05"), _uc("T2", start="2024-01-01")]
    table = compute_pitfalls(
        make_dataset(use_cases=cases), period="2025-03", thresholds={"no_rhythm": 3}
    )
    row = _signal(table, "no_rhythm")
    assert row["new_use_cases"] == 1 and row["pilot_decisions"] == 0
    assert (
        describe_pitfall(row)
        == "No rhythm: 1 new use case and 0 pilot decisions in the last 3 months."
    )
    assert (
        describe_pitfall(row, "nl")
        == "Geen ritme: 1 nieuwe use case en 0 pilotbesluiten in de laatste 3 maanden."
    )
    one = {
        "signal": "too_much_at_once",
        "value": 1.0,
        "threshold": 3.0,
        "running_pilots": 1,
        "n_teams": 1,
    }
    assert (
        describe_pitfall(one)
        == "Too much at once: 1 running pilot across 1 team = 1.0 per team (limit 3)."
    )
    club = {
        "signal": "innovation_club",
        "value": 100.0,
        "threshold": 60.0,
        "n_active_use_cases": 1,
        "top_team": "T",
    }
    assert (
        describe_pitfall(club)
        == "Innovation club only: 100% of 1 active use case sits in team T (limit 60%)."
    )


# --- the competency-to-ROI model ---------------------------------------------------------


def _result(shares, ci, coef_ci, *, cv=0.2, n_boot=200):
    """A fitted RegressionResult built by hand: ``shares`` of R² per term,
    their bootstrap CIs and the coefficients' 95% CIs."""
    terms = list(shares)
    r2 = 0.3
    importance = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype="str"),
            "importance": [r2 * shares[t] for t in terms],
            "importance_ci_low": [r2 * ci[t][0] for t in terms],
            "importance_ci_high": [r2 * ci[t][1] for t in terms],
            "share": [shares[t] for t in terms],
            "share_ci_low": [ci[t][0] for t in terms],
            "share_ci_high": [ci[t][1] for t in terms],
        }
    )
    rows = [{c: np.nan for c in COEFFICIENT_COLUMNS} | {"term": "const"}]
    for t in terms:
        rows.append(
            {c: np.nan for c in COEFFICIENT_COLUMNS}
            | {"term": t, "ci_low": coef_ci[t][0], "ci_high": coef_ci[t][1]}
        )
    return RegressionResult(
        n_observations=100,
        n_excluded=0,
        excluded_reasons=dict.fromkeys(EXCLUSION_REASONS, 0),
        r_squared=r2,
        adj_r_squared=0.25,
        cv_r_squared=cv,
        condition_number=3.0,
        coefficients=pd.DataFrame(rows),
        importance=importance,
        predictors=tuple(terms),
        n_boot=n_boot,
        period="2026-10",
    )


SEPARATED = _result(
    {"change": 0.6, "data": 0.25, "hybrid": 0.15},
    {"change": (0.45, 0.75), "data": (0.1, 0.4), "hybrid": (0.05, 0.3)},
    {"change": (0.2, 0.9), "data": (-0.1, 0.5), "hybrid": (-0.3, 0.2)},
)
OVERLAPPING = _result(
    {"hybrid": 0.21, "strategic": 0.205, "change": 0.585},
    {"hybrid": (0.13, 0.31), "strategic": (0.12, 0.30), "change": (0.1, 0.6)},
    {"hybrid": (-0.05, 0.4), "strategic": (0.02, 0.5), "change": (0.1, 0.3)},
)


def test_top_driver_named_when_its_interval_separates():
    finding = regression_finding(SEPARATED)
    assert finding[0] == (
        "Change management stands out: it has the largest share of explained ROI variance (60%, 95% CI 45–75%), "
        "and its interval lies above that of the next, Data culture & literacy (25%, 95% CI 10–40%)."
    )
    assert (
        finding[1]
        == "Change management is the only competency whose effect on ROI has a 95% CI that excludes zero."
    )
    assert regression_headline(SEPARATED).startswith(
        "Change management stands out in explaining differences in ROI (60%"
    )
    assert regression_headline(SEPARATED, "nl").startswith("Verandermanagement springt eruit")


def test_no_single_competency_stands_out_when_intervals_overlap():
    """The issue's case: the largest share's interval overlaps the next's;
    the headline must not name it a top driver, and names the competencies
    whose coefficient interval excludes zero instead."""
    finding = regression_finding(OVERLAPPING)
    assert finding[0].startswith(
        "No single competency stands out: Change management has the largest share"
    )
    assert "stands out:" in finding[0] and "overlaps" in finding[0]
    assert finding[1] == (
        "Strategic AI understanding and Change management are the competencies whose effect on ROI "
        "has a 95% CI that excludes zero."
    )
    headline = regression_headline(OVERLAPPING)
    assert headline == (
        "No single competency stands out in explaining differences in ROI; for Strategic AI understanding "
        "and Change management the 95% CI of the effect excludes zero."
    )
    assert "Hybrid" not in headline
    assert regression_headline(OVERLAPPING, "nl").startswith(
        "Geen enkele competentie springt eruit"
    )
    assert " en Verandermanagement " in regression_headline(OVERLAPPING, "nl")


def test_headline_when_no_coefficient_excludes_zero():
    flat = _result(
        {"change": 0.5, "data": 0.5},
        {"change": (0.2, 0.8), "data": (0.2, 0.8)},
        {"change": (-0.1, 0.1), "data": (-0.2, 0.3)},
    )
    assert regression_headline(flat) == (
        "No single competency stands out in explaining differences in ROI, and for none does the 95% CI "
        "of the effect exclude zero."
    )
    assert (
        "For no competency does the 95% CI of the effect on ROI exclude zero."
        in regression_finding(flat)
    )


def test_one_significant_competency_uses_the_singular():
    one = _result(
        {"change": 0.5, "data": 0.5},
        {"change": (0.2, 0.8), "data": (0.2, 0.8)},
        {"change": (0.1, 0.4), "data": (-0.2, 0.3)},
    )
    assert regression_headline(one).endswith(
        "only for Change management does the 95% CI of the effect exclude zero."
    )


def test_nan_cross_validated_r2_does_not_crash(make_dataset, rng):
    """The bug: finding() raised ValueError (round(NaN)) when the
    cross-validated R² is NaN (fewer use cases than 2 × cv_folds)."""
    result = _fit(make_dataset, *_noisy(rng, n=70), cv_folds=40)
    assert result.refused is None and math.isnan(result.cv_r_squared)
    finding = regression_finding(result)
    assert finding[-1 - len(result.notes)].endswith(
        "the model could not be cross-validated (70 use cases are too few for 40 folds)."
    )
    assert "kon niet worden gekruisvalideerd" in " ".join(regression_finding(result, "nl"))
    assert not re.search(r"\bnan\b", " ".join(finding), flags=re.IGNORECASE)


def test_finding_numbers_are_dutch_in_dutch():
    text = " ".join(regression_finding(OVERLAPPING, "nl"))
    assert "95%-BI 13–31%" in text and "gecorrigeerde R² 25%" in text


def test_notes_and_exclusions_are_said_from_codes():
    noted = RegressionResult(
        n_observations=90,
        n_excluded=3,
        excluded_reasons={
            "not_started": 1,
            "no_roi": 2,
            "no_wave": 0,
            "no_leaders": 0,
            "incomplete": 0,
        },
        notes=[("collinear", {"names": ["strategic", "hybrid"], "threshold": 10.0})],
    )
    assert regression_notes(noted, "nl") == [
        "De scores voor Strategisch AI-begrip en Hybride besluitvorming hangen sterk samen met de andere "
        "competenties (VIF boven 10); hun afzonderlijke coëfficiënten zijn onstabiel."
    ]
    frame = exclusion_labels(noted, "en")
    assert frame["reason_code"].tolist() == list(EXCLUSION_REASONS)
    assert frame.loc[1, "reason"] == "no ROI (benefit or investment missing/zero)"
    assert frame["n_use_cases"].tolist() == [1, 2, 0, 0, 0]


# --- the fallback rule -------------------------------------------------------------------


def test_fallback_rule_says_the_rule_the_model_applies():
    assert fallback_rule("en", k=7).startswith(
        "A department gets its own model when at least 70 of its use cases"
    )
    assert fallback_rule("en", k=1).startswith(
        "A department gets its own model when at least 20 of its use cases"
    )
    assert "minstens 70" in fallback_rule("nl", k=7)
    assert "per competency with survey items" in fallback_rule("en")
    department = next(
        a for a in _subparser("regression")._actions if "--department" in a.option_strings
    )
    assert fallback_rule("en", k=7) in department.help


def _subparser(name):
    parser = build_parser()
    sub = next(a for a in parser._actions if hasattr(a, "choices") and isinstance(a.choices, dict))
    return sub.choices[name]


# --- measures and reliability --------------------------------------------------------------


def test_measure_labels_add_the_reader_columns(make_dataset):
    table = compute_measures(make_dataset(), period="2025-06", n_boot=10)
    assert "label" not in table.columns and "note" not in table.columns
    nl = measure_labels(table, "nl", min_group_size=7)
    assert len(nl) == len(table) and "label" not in table.columns  # a copy
    phase = nl[(nl["key"] == "4+") & (nl["statistic"] == "pct_teams_phase_4plus")].iloc[0]
    assert phase["label"] == "Teams in fase 4 of hoger"
    assert phase["note"] == "onderdrukt: geen surveyronde op of vóór de periode"
    assert measure_note("small_group", "en", k=7) == "suppressed: fewer than 7 respondents"
    assert measure_note("", "en") == ""


@pytest.mark.parametrize(
    ("alpha", "lang", "expected"),
    [
        (0.37, "en", "Cronbach's α is 0.37, below 0.6"),
        (0.37, "nl", "Cronbachs α is 0,37, lager dan 0,6"),
        (LOW_ALPHA, "en", None),
        (0.85, "nl", None),
        (float("nan"), "en", None),
    ],
)
def test_reliability_flag_below_the_cut_off(alpha, lang, expected):
    flag = reliability_flag(alpha, lang)
    if expected is None:
        assert flag is None
    else:
        assert flag.startswith(expected)
