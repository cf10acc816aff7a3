"""The per-unit figures of the measures, computed with grouped sums, against
a plain loop over each unit's rows (the way they were computed before):
the same numbers to the last bit (alpha: see test_reliability_vectorised)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import aiadopt
from aiadopt.measures import (
    compute_competency_gap,
    compute_culture,
    compute_goal_mix,
    compute_phases,
    compute_skills_pyramid,
)
from aiadopt.sample import write_sample
from aiadopt.timeline import period_end, use_case_state


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("org")
    write_sample(folder, seed=11, n_respondents=900, n_waves=2, n_use_cases=200)
    return aiadopt.load(folder)


def units(frame):
    """(level, unit, department, rows) of the organisation, each department and team."""
    yield "organisation", "organisation", None, frame
    for dept, rows in frame.groupby(frame["department"].astype(object)):
        yield "department", dept, dept, rows
    keys = [frame["department"].astype(object), frame["team"].astype(object)]
    for (dept, team), rows in frame.groupby(keys):
        yield "team", team, dept, rows


def lookup(table, level, unit, dept, key, statistic):
    own = table[
        (table["level"] == level)
        & (table["unit"] == unit)
        & (table["department"].fillna("") == (dept or ""))
        & (table["key"] == key)
        & (table["statistic"] == statistic)
    ]
    assert len(own) == 1, (level, unit, key, statistic)
    return own.iloc[0]


def latest_wave(data):
    return data.survey[data.survey["wave"] == data.survey["wave"].max()]


def same(row, value, n):
    assert row["n"] == n
    if not row["suppressed"]:
        assert row["value"] == value or (np.isnan(row["value"]) and np.isnan(value))


def test_culture_favourability_and_scores_per_unit(data):
    table = compute_culture(data, period="latest", min_group_size=3)
    sub = latest_wave(data)
    checked = 0
    for fam in ("culture", "pillar"):
        for col, items in data.scales(fam).items():
            key = col.split("_", 1)[1]
            for level, unit, dept, g in units(sub):
                x = g.loc[:, list(items)].to_numpy(dtype=float, na_value=np.nan)
                n = int((~np.isnan(x)).any(axis=1).sum())
                given = x[~np.isnan(x)]
                fav = 100.0 * np.mean(given >= 4) if given.size else np.nan
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # rows without answers
                    score = pd.Series(np.nanmean(x, axis=1), index=g.index)
                mean = score.mean() if n else np.nan
                same(lookup(table, level, unit, dept, key, "favourability_pct"), fav, n)
                same(lookup(table, level, unit, dept, key, "score_mean"), mean, n)
                checked += 1
    assert checked > 100


def test_competency_gap_per_unit(data):
    table = compute_competency_gap(data, period="latest", min_group_size=3)
    sub = latest_wave(data)
    for col, items in data.scales("competency").items():
        key = col.split("_", 1)[1]
        for level, unit, dept, g in units(sub):
            leaders = g[g["role"] == "leader"].loc[:, list(items)]
            x = leaders.to_numpy(dtype=float, na_value=np.nan)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # rows without answers
                score = np.nanmean(x, axis=1)
            score = score[~np.isnan(score)]
            pct = 100.0 * np.mean(score >= 4.0 - 1e-9) if len(score) else np.nan
            same(lookup(table, level, unit, dept, key, "pct_qualified"), pct, len(score))


def test_skills_pyramid_and_phase_answers_per_unit(data):
    pyramid = compute_skills_pyramid(data, period="latest", min_group_size=3)
    phases = compute_phases(data, period="latest", min_group_size=3)
    sub = latest_wave(data)
    for level, unit, dept, g in units(sub):
        skill = g["ai_skill_level"].astype(object).dropna().to_numpy()
        for s in ("user", "connector", "specialist"):
            pct = 100.0 * np.mean(skill == s) if len(skill) else np.nan
            same(lookup(pyramid, level, unit, dept, s, "pct"), pct, len(skill))
        answered = int(g["team_phase"].notna().sum())
        if level == "team":
            median = g["team_phase"].median()
            same(lookup(phases, level, unit, dept, "median", "team_phase"), median, answered)
        else:
            assert lookup(phases, level, unit, dept, "4+", "n_teams")["n"] == answered


def test_goal_mix_per_unit(data):
    table = compute_goal_mix(data, period="latest")
    uc = data.use_cases.assign(
        active=use_case_state(data.use_cases, period_end(data.latest_period()), 365)[
            "active"
        ].to_numpy()
    )
    for level, unit, dept, g in units(uc):
        goals = g.loc[g["active"], "goal"].astype(object).to_numpy()
        for goal in ("personal", "operational", "strategic"):
            pct = 100.0 * np.mean(goals == goal) if len(goals) else np.nan
            row = lookup(table, level, unit, dept, goal, "pct_active_use_cases")
            same(row, pct, len(goals))
            n_personal = int(np.sum(goals == "personal"))
            assert row["stuck_in_personal_ai"] == bool(
                len(goals) and n_personal * 100.0 > 70.0 * len(goals)
            )
