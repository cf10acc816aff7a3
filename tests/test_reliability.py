"""Cronbach's alpha against a hand-computed case, the textbook formula and
pingouin (an independent implementation, test-only dependency)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aiadopt.present.text import alpha_reason
from aiadopt.reliability import AlphaResult, cronbach_alpha

pg = pytest.importorskip("pingouin")


def _likert(rng, n, k, *, missing=0.0):
    """n respondents x k items on 1..5 sharing a common factor; a share of
    answers missing, never a whole row."""
    factor = rng.normal(size=(n, 1))
    raw = 3 + factor + rng.normal(scale=0.9, size=(n, k))
    x = np.clip(np.rint(raw), 1, 5)
    if missing:
        drop = rng.random((n, k)) < missing
        drop[drop.all(axis=1), 0] = False
        x[drop] = np.nan
    return pd.DataFrame(x, columns=[f"item_{i + 1}" for i in range(k)])


def test_hand_computed_two_items_three_respondents():
    # a = 1, 2, 3 (var 1); b = 1, 3, 5 (var 4); total = 2, 5, 8 (var 9)
    # alpha = 2/1 * (1 - 5/9) = 8/9.
    # Feldt with n = 3, k = 2: df = (2, 2); F(2, 2) has isf(p) = (1 - p) / p,
    # so isf(0.025) = 39 and isf(0.975) = 1/39:
    # low = 1 - (1/9) * 39 = -10/3, high = 1 - (1/9) / 39 = 1 - 1/351.
    res = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 5]}))
    alpha, low, high, n = res
    assert alpha == pytest.approx(8 / 9, abs=1e-12)
    assert low == pytest.approx(-10 / 3, abs=1e-10)
    assert high == pytest.approx(1 - 1 / 351, abs=1e-10)
    assert n == 3
    assert res.reason == ""
    assert isinstance(res, AlphaResult) and isinstance(res, tuple) and len(res) == 4


def test_textbook_formula_on_complete_data(rng):
    items = _likert(rng, 60, 5)
    x = items.to_numpy()
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(items).alpha == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("n, k", [(40, 3), (200, 2), (25, 6)])
def test_matches_pingouin_complete(rng, n, k):
    items = _likert(rng, n, k)
    ref_alpha, ref_ci = pg.cronbach_alpha(data=items, ci=0.95)
    res = cronbach_alpha(items)
    assert abs(res.alpha - ref_alpha) < 1e-10
    # pingouin rounds its interval to 3 decimals.
    assert round(res.ci_low, 3) == pytest.approx(ref_ci[0], abs=1e-9)
    assert round(res.ci_high, 3) == pytest.approx(ref_ci[1], abs=1e-9)
    assert res.n == n


@pytest.mark.parametrize("missing", [0.05, 0.2])
def test_matches_pingouin_pairwise_with_missing_answers(rng, missing):
    items = _likert(rng, 120, 4, missing=missing)
    assert items.isna().any().any()
    ref_alpha, ref_ci = pg.cronbach_alpha(data=items)  # nan_policy="pairwise"
    res = cronbach_alpha(items)
    assert abs(res.alpha - ref_alpha) < 1e-10
    assert round(res.ci_low, 3) == pytest.approx(ref_ci[0], abs=1e-9)
    assert round(res.ci_high, 3) == pytest.approx(ref_ci[1], abs=1e-9)
    assert res.n == len(items)


def test_matches_pingouin_listwise_alpha(rng):
    items = _likert(rng, 80, 4, missing=0.1)
    ref_alpha, _ = pg.cronbach_alpha(data=items, nan_policy="listwise")
    res = cronbach_alpha(items, nan_policy="listwise")
    assert abs(res.alpha - ref_alpha) < 1e-10
    # n is the complete respondents (pingouin keeps the count before deletion).
    assert res.n == int(items.notna().all(axis=1).sum())


def test_other_ci_level_matches_pingouin(rng):
    items = _likert(rng, 50, 3)
    _, ref_ci = pg.cronbach_alpha(data=items, ci=0.90)
    res = cronbach_alpha(items, ci=0.90)
    assert [round(res.ci_low, 3), round(res.ci_high, 3)] == pytest.approx(list(ref_ci), abs=1e-9)
    wide = cronbach_alpha(items, ci=0.99)
    assert wide.ci_low < res.ci_low < res.alpha < res.ci_high < wide.ci_high


def test_rows_without_any_answer_are_ignored(rng):
    items = _likert(rng, 30, 3, missing=0.1)
    padded = pd.concat([items, pd.DataFrame(np.nan, index=range(5), columns=items.columns)])
    assert cronbach_alpha(padded) == cronbach_alpha(items)


def test_fewer_than_two_items_is_nan_with_reason():
    res = cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}))
    assert math.isnan(res.alpha) and math.isnan(res.ci_low) and math.isnan(res.ci_high)
    assert res.n == 4
    assert res.reason == "too_few_items" and res.reason_params == {"k": 1}
    assert alpha_reason(res) == "alpha needs at least 2 items; the scale has 1"


def test_fewer_than_three_complete_respondents_is_nan_with_reason():
    items = pd.DataFrame({"a": [1, 2, 3, np.nan], "b": [2, 3, np.nan, 4]}, dtype=float)
    res = cronbach_alpha(items)
    assert math.isnan(res.alpha)
    assert res.reason == "too_few_complete"
    assert (
        alpha_reason(res)
        == "alpha needs at least 3 respondents who answered every item; there are 2"
    )
    assert (
        alpha_reason(res, "nl")
        == "alfa vraagt minstens 3 respondenten die elke vraag beantwoordden; dat zijn er 2"
    )
    assert res.n == 4


def test_no_variance_is_nan_with_reason():
    res = cronbach_alpha(pd.DataFrame({"a": [3, 3, 3, 3], "b": [3, 3, 3, 3]}))
    assert math.isnan(res.alpha)
    assert res.reason == "no_variance"
    assert "does not vary" in alpha_reason(res)


def test_bad_arguments_raise_clear_errors():
    items = pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 5]})
    with pytest.raises(ValueError, match="ci must be a number strictly between 0 and 1"):
        cronbach_alpha(items, ci=95)
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        cronbach_alpha(items, nan_policy="mean")
    with pytest.raises(ValueError, match=r"item columns must be numeric; \['b'\]"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}))
