"""Kaplan–Meier helpers against hand-computed curves."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from aiadopt.survival import km_fit, km_median, km_survival_at

# Worked example used throughout:
#   durations 2, 3, 3, 5, 8 ; events 1, 0, 1, 1, 0
#   t=2: 5 at risk, 1 event        -> S = 4/5             = 0.8
#   t=3: 4 at risk (the censored 3 is still at risk at 3), 1 event
#                                  -> S = 0.8 * 3/4       = 0.6
#   t=5: 2 at risk (5 and 8), 1 event -> S = 0.6 * 1/2    = 0.3
#   t=8: censored, no step.  Median = 5 (first t with S <= 0.5).
D = [2, 3, 3, 5, 8]
E = [1, 0, 1, 1, 0]


def _reference_km(d, e):
    """Independent product-limit estimate: (event times, S) by the textbook formula."""
    d, e = np.asarray(d, float), np.asarray(e, int)
    times = np.unique(d[e == 1])
    s, out = 1.0, []
    for t in times:
        at_risk = (d >= t).sum()
        deaths = ((d == t) & (e == 1)).sum()
        s *= 1 - deaths / at_risk
        out.append(s)
    return times, np.array(out)


def test_km_fit_worked_example():
    fit = km_fit(D, E)
    assert list(fit.columns) == ["time", "n_at_risk", "n_events", "survival", "std_err"]
    assert fit["time"].tolist() == [2.0, 3.0, 5.0]
    assert fit["n_at_risk"].tolist() == [5, 4, 2]
    assert fit["n_events"].tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(fit["survival"], [0.8, 0.6, 0.3])
    # Greenwood at t=2: S * sqrt(d / (n (n - d))) = 0.8 * sqrt(1/20)
    assert fit["std_err"].iloc[0] == pytest.approx(0.8 * math.sqrt(1 / 20))


def test_km_fit_empty_and_all_censored():
    for fit in (km_fit([], []), km_fit([1, 4], [0, 0])):
        assert fit.empty
        assert list(fit.columns) == ["time", "n_at_risk", "n_events", "survival", "std_err"]


def test_median_worked_example():
    assert km_median(D, E) == 5.0


def test_median_tied_events():
    # 1,1,2,2,3,4 all events: t=1: 6 at risk, 2 events -> 4/6;
    # t=2: 4 at risk, 2 events -> 4/6 * 2/4 = 1/3 <= 0.5 -> median 2.
    assert km_median([1, 1, 2, 2, 3, 4], [1, 1, 1, 1, 1, 1]) == 2.0


def test_median_exactly_at_half_differs_from_statsmodels_quantile():
    # 1,2,3,4 all events: S(1)=3/4, S(2)=1/2 exactly -> median 2 (S <= 0.5).
    d, e = [1, 2, 3, 4], [1, 1, 1, 1]
    assert km_median(d, e) == 2.0
    # statsmodels uses S < 0.5 (SAS convention) and answers 3: hence our own read-out.
    assert SurvfuncRight(np.array(d, float), np.array(e)).quantile(0.5) == 3.0


def test_median_exactly_at_half_with_censoring_and_rounding():
    # 1(e), 2(c), 2(e), 3(e): t=1: 4 at risk -> 3/4; t=2: 3 at risk, 1 event -> 3/4*2/3 = 1/2.
    assert km_median([1, 2, 2, 3], [1, 0, 1, 1]) == 2.0
    # 1..6 all events: S(3) = 3/6 reached through exp(cumsum(log)) -> still 3.
    assert km_median([1, 2, 3, 4, 5, 6], [1] * 6) == 3.0
    # 1..10 all events: S(5) = 0.5 after five factors.
    assert km_median(list(range(1, 11)), [1] * 10) == 5.0


def test_median_not_reached_all_censored_and_empty_are_nan():
    # 1(e),2,3,4 censored: S(1) = 3/4 and never falls further -> not reached.
    assert math.isnan(km_median([1, 2, 3, 4], [1, 0, 0, 0]))
    assert math.isnan(km_median([5, 6, 7], [0, 0, 0]))
    assert math.isnan(km_median([], []))


def test_median_accepts_booleans_and_series():
    assert km_median(pd.Series(D), pd.Series(E, dtype=bool)) == 5.0


def test_survival_at_worked_example():
    assert km_survival_at(D, E, 0) == 1.0
    assert km_survival_at(D, E, 1.99) == 1.0
    assert km_survival_at(D, E, 2) == pytest.approx(0.8)  # event at exactly t counts
    assert km_survival_at(D, E, 4.999) == pytest.approx(0.6)
    assert km_survival_at(D, E, 5) == pytest.approx(0.3)
    assert km_survival_at(D, E, 8) == pytest.approx(0.3)  # last observation is at 8


def test_survival_at_beyond_follow_up_is_nan_unless_curve_at_zero():
    # Nobody observed to 9 and S(8) = 0.3 > 0: not estimable.
    assert math.isnan(km_survival_at(D, E, 9))
    # All censored: S = 1 up to the last observation, unknown beyond it.
    assert km_survival_at([3, 7], [0, 0], 7) == 1.0
    assert math.isnan(km_survival_at([3, 7], [0, 0], 7.5))
    # Everyone had the event by 2: S = 0 from then on, also at 56.
    assert km_survival_at([1, 2], [1, 1], 56) == 0.0
    assert math.isnan(km_survival_at([], [], 1))


def test_matches_independent_product_limit(rng):
    for _ in range(20):
        n = int(rng.integers(1, 30))
        d = rng.integers(0, 15, n).astype(float)
        e = rng.integers(0, 2, n)
        times, surv = _reference_km(d, e)
        fit = km_fit(d, e)
        np.testing.assert_allclose(fit["time"], times)
        np.testing.assert_allclose(fit["survival"], surv)
        below = np.flatnonzero(surv <= 0.5 + 1e-12)
        expected = times[below[0]] if len(below) else np.nan
        np.testing.assert_equal(km_median(d, e), expected)


@pytest.mark.parametrize(
    ("durations", "events", "match"),
    [
        ([1, 2], [1], "same length"),
        ([1, -2], [1, 1], "must be >= 0"),
        ([1, np.nan], [1, 1], "finite"),
        ([1, 2], [1, 2], "0/1 or booleans"),
        ([[1, 2]], [[1, 1]], "one-dimensional"),
    ],
)
def test_invalid_input_is_refused(durations, events, match):
    with pytest.raises(ValueError, match=match):
        km_median(durations, events)


def test_survival_at_refuses_missing_t():
    with pytest.raises(ValueError, match="t must be a finite number"):
        km_survival_at(D, E, np.nan)


def test_many_small_groups_are_fast(rng):
    groups = [(rng.integers(0, 400, 12).astype(float), rng.integers(0, 2, 12)) for _ in range(500)]
    start = time.perf_counter()
    for d, e in groups:
        km_median(d, e)
        km_survival_at(d, e, 56)
    assert time.perf_counter() - start < 1.0
