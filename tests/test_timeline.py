"""The rules of time, defined once (aiadopt.timeline), and ``period="latest"``
accepted by every library entry point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from aiadopt import waves
from aiadopt.kpis import compute_kpi_trend, compute_kpis
from aiadopt.measures import (
    compute_goal_mix,
    compute_measures,
    compute_phases,
    compute_trained_roi_ratio,
)
from aiadopt.pitfalls import compute_pitfalls
from aiadopt.regression import build_model_table, fit_competency_roi
from aiadopt.timeline import (
    NO_WAVE,
    parse_period,
    period_end,
    period_of,
    survey_wave,
    use_case_state,
    wave_at_start,
    waves_up_to,
)

MARCH = pd.Period("2025-03", "M")


@pytest.fixture
def data(make_dataset):
    """Latest month with data: 2025-03 (a survey wave); the run is later."""
    return make_dataset(
        use_cases=[
            {
                "team": "T1",
                "start_date": "2025-01-10",
                "decision_date": "2025-03-01",
                "status": "production",
            },
            {"team": "T2", "start_date": "2025-02-10"},
        ],
        processes=[{"department": "D1", "process": "P", "core": True}],
        survey=[
            {"wave": "2025-01", "role": "leader", "ai_use_frequency": "daily"},
            {"wave": "2025-03", "role": "leader", "ai_use_frequency": "weekly"},
        ],
    )


def test_period_end_is_the_last_day():
    assert period_end(pd.Period("2024-02", "M")) == np.datetime64("2024-02-29", "ns")
    assert period_end(MARCH).dtype == np.dtype("datetime64[ns]")


def test_use_case_state_at_the_end_of_the_period(make_dataset):
    uc = make_dataset(
        use_cases=[
            {"status": "idea", "start_date": "2025-01-01"},
            {"status": "pilot", "start_date": "2025-03-31"},  # on E: started
            {"status": "pilot", "start_date": "2025-04-01"},  # after E
            {"status": "stopped", "start_date": "2025-01-01", "decision_date": "2025-04-02"},
            {"status": "stopped", "start_date": "2025-01-01"},  # no date: stopped
            {"status": "scaled", "start_date": "2025-01-01", "decision_date": "2025-04-02"},
            {"status": "production", "start_date": "2025-01-01"},
        ]
    ).use_cases
    state = use_case_state(uc, MARCH)
    assert state["started"].tolist() == [False, True, False, True, True, True, True]
    assert state["active"].tolist() == [False, True, False, True, False, True, True]
    assert state["in_production"].tolist() == [False, False, False, False, False, False, True]
    # a period and its end give the same state
    pdt.assert_frame_equal(state, use_case_state(uc, period_end(MARCH), 365))


def test_survey_wave_is_the_latest_on_or_before(make_dataset):
    survey = make_dataset(
        survey=[{"wave": "2025-01"}, {"wave": "2025-03"}, {"wave": "2025-05"}, {"wave": "2025-03"}]
    ).survey
    wave, mask = survey_wave(survey, pd.Period("2025-04", "M"))
    assert wave == MARCH and mask.tolist() == [False, True, False, True]
    assert survey_wave(survey, pd.Period("2024-12", "M"))[0] is None
    assert [str(pd.Period(ordinal=o, freq="M")) for o in waves_up_to(survey, MARCH)] == [
        "2025-01",
        "2025-03",
    ]


def test_wave_at_start_takes_the_first_wave_before_every_wave():
    wv = pd.PeriodIndex(["2025-01", "2025-03"], freq="M").asi8
    starts = pd.Series(pd.to_datetime(["2024-01-01", "2025-04-30", None]))
    got = wave_at_start(starts, wv)
    assert got[:2].tolist() == wv[[0, 1]].tolist() and got[2] == NO_WAVE
    assert (wave_at_start(starts, wv[:0]) == NO_WAVE).all()


def test_waves_module_is_the_timeline():
    assert waves.wave_at_start is wave_at_start and waves.waves_up_to is waves_up_to
    assert waves.NO_WAVE == NO_WAVE


def test_period_of_resolves_latest_through_the_dataset(data):
    assert period_of(data, "latest") == data.resolve_period("latest") == MARCH
    assert period_of(data, None) == MARCH
    # an explicit month is taken as given, even after the data (a trend)
    assert period_of(data, "2025-07") == pd.Period("2025-07", "M")
    assert period_of(data, MARCH) == MARCH
    with pytest.raises(ValueError, match="'YYYY-MM'"):
        period_of(data, "")
    assert parse_period(" 2025-03 ") == MARCH


def test_latest_is_accepted_everywhere(data):
    """Each entry point gives for "latest" what it gives for the latest month."""
    pdt.assert_frame_equal(
        compute_kpis(data, period="latest"), compute_kpis(data, period="2025-03")
    )
    pdt.assert_frame_equal(
        compute_kpi_trend(data, period="latest", months=2),
        compute_kpi_trend(data, period="2025-03", months=2),
    )
    for func in (compute_phases, compute_goal_mix):
        pdt.assert_frame_equal(func(data, period="latest"), func(data, period="2025-03"))
    pdt.assert_frame_equal(
        compute_trained_roi_ratio(data, period="latest", n_boot=10),
        compute_trained_roi_ratio(data, period="2025-03", n_boot=10),
    )
    pdt.assert_frame_equal(
        compute_measures(data, period="latest", n_boot=10),
        compute_measures(data, period="2025-03", n_boot=10),
    )
    pdt.assert_frame_equal(
        compute_pitfalls(data, period="latest"), compute_pitfalls(data, period="2025-03")
    )
    table, reasons = build_model_table(data, period="latest")
    pdt.assert_frame_equal(table, build_model_table(data, period="2025-03")[0])
    assert reasons == build_model_table(data, period="2025-03")[1]
    assert fit_competency_roi(data, period="latest", n_boot=0).period == "2025-03"
