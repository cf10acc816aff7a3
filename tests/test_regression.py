"""The competency-to-ROI regression (docs/metrics.md §4) on hand-built data.

Reference values come from independent computations in the tests: the
textbook LMG formula, brute force over predictor orderings, the HC3
sandwich formula, regressions on z-scored data, a hand-rolled K-fold loop.
"""

from __future__ import annotations

import itertools
import json
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import scipy.stats as stats  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

from aiadopt.labels import label  # noqa: E402
from aiadopt.plots.regression import plot_coefficients, plot_importance  # noqa: E402
from aiadopt.present.text import (  # noqa: E402
    regression_fallback,
    regression_finding,
    regression_notes,
    regression_refusal,
)
from aiadopt.regression import (  # noqa: E402
    COEFFICIENT_COLUMNS,
    EXCLUSION_REASONS,
    MAX_CONDITION,
    _bootstrap_subset_r2,
    _subset_r2,
    build_model_table,
    fit_competency_roi,
    fit_ols,
    lmg_importance,
)
from aiadopt.schema import COMPETENCIES  # noqa: E402

KEYS = list(COMPETENCIES)
N_BOOT = 200


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _org(scores, roi, *, departments=None, start="2025-03-01", wave="2025-01"):
    """One team per use case, one leader per team answering ``comp_<key>_1``.

    Row i: team ``T<i>`` with leader scores ``scores[i]`` (in COMPETENCIES
    order) and one use case with investment 1000 and ROI ``roi[i]``.
    """
    use_cases, survey = [], []
    for i, (row, r) in enumerate(zip(np.asarray(scores), np.asarray(roi), strict=True)):
        dept = "D1" if departments is None else departments[i]
        team = f"T{i:03d}"
        survey.append(
            {"wave": wave, "department": dept, "team": team, "role": "leader",
             **{f"comp_{k}_1": float(v) for k, v in zip(KEYS, row, strict=True)}}
        )  # fmt: skip
        use_cases.append(
            {"department": dept, "team": team, "start_date": start,
             "investment_eur": 1000.0, "annual_benefit_eur": 1000.0 * (1.0 + float(r))}
        )  # fmt: skip
    return {"use_cases": use_cases, "survey": survey}


def _noisy(rng, n=100, sd=0.5):
    scores = rng.uniform(1, 5, size=(n, 7))
    roi = 0.2 + 0.3 * scores[:, 3] + 0.15 * scores[:, 1] + rng.normal(0, sd, n)
    return scores, roi


def _fit(make_dataset, scores, roi, **kwargs):
    data = make_dataset(**_org(scores, roi, departments=kwargs.pop("departments", None)))
    kwargs.setdefault("n_boot", N_BOOT)
    return fit_competency_roi(data, period="2025-06", **kwargs)


def _design(result):
    t = result.table
    return t["roi"].to_numpy(), t[list(result.predictors)].to_numpy()


# --- estimates ------------------------------------------------------------------


def test_exact_linear_roi_is_recovered(make_dataset, rng):
    scores = rng.uniform(1, 5, size=(80, 7))
    roi = 0.5 + 0.3 * scores[:, 3] - 0.2 * scores[:, 1]  # change, data
    result = _fit(make_dataset, scores, roi)
    assert result.refused is None
    est = result.coefficients.set_index("term")["estimate"]
    expected = pd.Series(0.0, index=["const", *KEYS])
    expected[["const", "change", "data"]] = [0.5, 0.3, -0.2]
    np.testing.assert_allclose(est.loc[expected.index], expected, atol=1e-9)
    assert result.r_squared == pytest.approx(1.0, abs=1e-12)
    assert result.cv_r_squared == pytest.approx(1.0, abs=1e-9)
    assert list(result.coefficients.columns) == list(COEFFICIENT_COLUMNS)
    assert result.coefficients["term"].tolist() == ["const", *KEYS]


def test_standardized_coefficients_equal_fit_on_z_scores(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng))
    y, X = _design(result)
    z = lambda a: (a - a.mean(axis=0)) / a.std(axis=0, ddof=1)  # noqa: E731
    reference = sm.OLS(z(y), sm.add_constant(z(X))).fit().params[1:]
    got = result.coefficients["std_estimate"].to_numpy()
    assert np.isnan(got[0])
    np.testing.assert_allclose(got[1:], reference, rtol=1e-10)


def test_vif_equals_one_over_one_minus_r2_of_each_predictor(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng))
    _, X = _design(result)
    reference = [
        1.0 / (1.0 - sm.OLS(X[:, j], sm.add_constant(np.delete(X, j, axis=1))).fit().rsquared)
        for j in range(X.shape[1])
    ]
    vif = result.coefficients["vif"].to_numpy()
    assert np.isnan(vif[0])
    np.testing.assert_allclose(vif[1:], reference, rtol=1e-10)
    assert result.collinear == []


def test_hc3_standard_errors(make_dataset, rng):
    n = 150
    scores = rng.uniform(1, 5, size=(n, 7))
    # heteroskedastic: the noise grows with the change score
    roi = 0.5 + 0.3 * scores[:, 3] + rng.normal(0, 1, n) * (scores[:, 3] - 0.9) ** 2
    result = _fit(make_dataset, scores, roi)
    y, X = _design(result)
    design = sm.add_constant(X)
    se = result.coefficients["std_error"].to_numpy()

    # 1. the sandwich formula by hand: (X'X)^-1 X' diag(e² / (1-h)²) X (X'X)^-1
    bread = np.linalg.inv(design.T @ design)
    resid = y - design @ (bread @ design.T @ y)
    h = np.einsum("ij,jk,ik->i", design, bread, design)
    meat = design.T @ (design * (resid**2 / (1 - h) ** 2)[:, None])
    np.testing.assert_allclose(se, np.sqrt(np.diag(bread @ meat @ bread)), rtol=1e-8)
    # 2. statsmodels' own HC3 on the same data
    np.testing.assert_allclose(
        se, sm.OLS(y, design).fit().get_robustcov_results("HC3").bse, rtol=1e-10
    )
    # 3. not the classical SEs: the change coefficient's SE is visibly larger
    classical = fit_ols(y, X, cov_type="nonrobust").bse.to_numpy()
    assert se[4] > 1.1 * classical[4]
    # CIs use t with n - k - 1 df on the HC3 SEs
    t = stats.t.ppf(0.975, n - 8)
    est = result.coefficients["estimate"].to_numpy()
    np.testing.assert_allclose(result.coefficients["ci_high"], est + t * se, rtol=1e-10)


@pytest.mark.parametrize("cov_type", ["HC3", "nonrobust"])
def test_fit_ols_matches_statsmodels_on_well_conditioned_data(rng, cov_type):
    X = pd.DataFrame(rng.normal(size=(120, 3)), columns=["a", "b", "c"])
    X["b"] += 0.5 * X["a"]
    y = 1.0 + X @ [0.5, -0.2, 0.0] + rng.normal(size=120) * (1 + np.abs(X["a"]))
    ours = fit_ols(y, X, cov_type=cov_type)
    ref = sm.OLS(y, sm.add_constant(X)).fit(cov_type=cov_type, use_t=True)
    assert list(ours.params.index) == ["const", "a", "b", "c"]
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-12)
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-10)
    np.testing.assert_allclose(ours.covariance, ref.cov_params(), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(ours.pvalues, ref.pvalues, rtol=1e-8)
    np.testing.assert_allclose(ours.conf_int(0.1), ref.conf_int(0.1), rtol=1e-10)
    np.testing.assert_allclose(ours.leverage, ref.get_influence().hat_matrix_diag, rtol=1e-10)
    np.testing.assert_allclose(ours.resid, ref.resid, rtol=1e-9, atol=1e-12)
    assert ours.rsquared == pytest.approx(ref.rsquared, rel=1e-12)
    assert ours.rsquared_adj == pytest.approx(ref.rsquared_adj, rel=1e-12)
    assert ours.scale == pytest.approx(ref.scale, rel=1e-12)
    assert ours.df_resid == 116 and ours.nobs == 120 and ours.cov_type == cov_type
    Z = (X - X.mean()) / np.linalg.norm(X - X.mean(), axis=0)
    assert ours.condition_number == pytest.approx(np.linalg.cond(Z), rel=1e-10)


def test_fit_ols_reports_every_input_problem_at_once():
    X = pd.DataFrame({"a": [1.0, np.nan, 3, 4, 5, 6], "b": [1, 2, np.inf, 4, 5.0, 7]})
    y = [1.0, 2, 3, np.nan, 5, 6]
    with pytest.raises(
        ValueError,
        match=r"^fit_ols: y has 1 NaN or infinite values \(rows 4\); a has 1 NaN or infinite "
        r"values \(rows 2\); b has 1 NaN or infinite values \(rows 3\)\. Drop or fix those",
    ):
        fit_ols(y, X)
    with pytest.raises(ValueError, match="3 observations for 2 predictors and the intercept; need"):
        fit_ols([1.0, 2, 3], [[1.0, 2], [2, 1], [3, 5]])
    with pytest.raises(ValueError, match=r"y must have shape \(n,\) and X shape \(n, k\)"):
        fit_ols([1.0, 2, 3], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="predictor b is constant, so the intercept already"):
        fit_ols([1.0, 2, 4, 3], pd.DataFrame({"a": [1.0, 2, 3, 5], "b": 2.0}))
    with pytest.raises(ValueError, match="cov_type must be 'HC3' or 'nonrobust'; got 'HC1'"):
        fit_ols([1.0, 2, 4, 3], [1.0, 2, 3, 5], cov_type="HC1")
    dummy = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "d": [0.0, 0, 1, 0, 0]})  # row 3 alone sets d
    with pytest.raises(
        ValueError, match="row 3 has leverage 1 .* HC3 standard errors are undefined"
    ):
        fit_ols([1.0, 2, 9, 3, 6], dummy)
    assert fit_ols([1.0, 2, 9, 3, 6], dummy, cov_type="nonrobust").params["d"] == pytest.approx(6.0)


def test_cv_r_squared_is_mean_of_fold_r2(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng), seed=7)
    y, X = _design(result)
    fold_r2 = []
    for train, test in KFold(5, shuffle=True, random_state=7).split(X):
        a = np.column_stack([np.ones(len(train)), X[train]])
        beta = np.linalg.lstsq(a, y[train], rcond=None)[0]
        pred = np.column_stack([np.ones(len(test)), X[test]]) @ beta
        fold_r2.append(1 - ((y[test] - pred) ** 2).sum() / ((y[test] - y[test].mean()) ** 2).sum())
    assert result.cv_r_squared == pytest.approx(np.mean(fold_r2), rel=1e-10)
    assert result.adj_r_squared == pytest.approx(
        1 - (1 - result.r_squared) * (len(y) - 1) / (len(y) - 8), rel=1e-12
    )


# --- relative importance ----------------------------------------------------------


def test_importance_sums_to_r_squared(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng))
    imp = result.coefficients["importance"].to_numpy()
    assert np.isnan(imp[0])
    assert imp[1:].sum() == pytest.approx(result.r_squared, abs=1e-10)
    assert result.importance["share"].sum() == pytest.approx(1.0, abs=1e-10)
    assert (imp[1:] >= 0).all()


def _two_competencies(scores, roi):
    """``_org`` with only the data and change items in the survey."""
    org = _org(scores, roi)
    for row in org["survey"]:
        for key in ("strategic", "ethics", "prompting", "hybrid", "learning"):
            del row[f"comp_{key}_1"]
    return org


def test_importance_ci_matches_scipy_bootstrap(make_dataset, rng):
    # Two competencies: the LMG shares have a closed form in the correlations,
    # independent of the library's covariance-based subsets; scipy resamples the
    # use cases with the same seeded generator and takes the same percentiles.
    scores, roi = _noisy(rng, n=25)
    data = make_dataset(**_two_competencies(scores, roi))
    result = fit_competency_roi(data, period="2025-06", n_boot=300, seed=11)
    a, b, y = (result.table[c].to_numpy() for c in ("data", "change", "roi"))

    def lmg(a, b, y, axis=-1):
        def corr(u, v):
            u = u - u.mean(axis=axis, keepdims=True)
            v = v - v.mean(axis=axis, keepdims=True)
            return (u * v).sum(axis) / np.sqrt((u * u).sum(axis) * (v * v).sum(axis))

        r_ay, r_by, r_ab = corr(a, y), corr(b, y), corr(a, b)
        r2_ab = (r_ay**2 + r_by**2 - 2 * r_ay * r_by * r_ab) / (1 - r_ab**2)
        return np.stack([(r_ay**2 + r2_ab - r_by**2) / 2, (r_by**2 + r2_ab - r_ay**2) / 2])

    reference = stats.bootstrap(
        (a, b, y), lmg, paired=True, vectorized=True, n_resamples=300,
        confidence_level=0.95, method="percentile", rng=np.random.default_rng(11),
    ).confidence_interval  # fmt: skip
    got = result.coefficients.set_index("term").loc[["data", "change"]]
    np.testing.assert_allclose(got["importance"], lmg(a, b, y), rtol=1e-10)
    np.testing.assert_allclose(got["importance_ci_low"], reference.low, rtol=1e-9)
    np.testing.assert_allclose(got["importance_ci_high"], reference.high, rtol=1e-9)


def test_lmg_two_predictors_equals_textbook_formula(rng):
    n = 60
    a = rng.normal(size=n)
    b = 0.6 * a + rng.normal(size=n)
    y = 1.0 + 0.8 * a + 0.5 * b + rng.normal(size=n)
    r2_a = np.corrcoef(a, y)[0, 1] ** 2
    r2_b = np.corrcoef(b, y)[0, 1] ** 2
    r2_ab = sm.OLS(y, sm.add_constant(np.column_stack([a, b]))).fit().rsquared
    expected = {
        "a": 0.5 * r2_a + 0.5 * (r2_ab - r2_b),
        "b": 0.5 * r2_b + 0.5 * (r2_ab - r2_a),
    }
    got = lmg_importance(y, pd.DataFrame({"a": a, "b": b}))
    assert got.to_dict() == pytest.approx(expected, abs=1e-12)


def test_lmg_three_predictors_equals_average_over_orderings(rng):
    X = pd.DataFrame(rng.normal(size=(50, 3)), columns=["p", "q", "r"])
    X["q"] += 0.7 * X["p"]
    y = X @ [0.4, 0.2, -0.3] + rng.normal(size=50)

    def r2(cols):
        if not cols:
            return 0.0
        return sm.OLS(y, sm.add_constant(X[list(cols)])).fit().rsquared

    expected = dict.fromkeys(X.columns, 0.0)
    orders = list(itertools.permutations(X.columns))
    for order in orders:
        for i, col in enumerate(order):
            expected[col] += (r2(order[: i + 1]) - r2(order[:i])) / len(orders)
    assert lmg_importance(y, X).to_dict() == pytest.approx(expected, abs=1e-12)


def test_bootstrap_subset_r2_matches_least_squares(rng):
    X = rng.normal(size=(40, 4))
    y = X @ [1.0, 0.5, 0.0, -0.5] + rng.normal(size=40)
    identity = np.arange(40)[None, :]
    np.testing.assert_allclose(
        _bootstrap_subset_r2(np.column_stack([X, y]), identity)[0], _subset_r2(y, X), atol=1e-12
    )


def test_bootstrap_is_seeded(make_dataset, rng):
    scores, roi = _noisy(rng)
    cols = ["importance_ci_low", "importance_ci_high"]
    a = _fit(make_dataset, scores, roi, seed=3).coefficients[cols]
    b = _fit(make_dataset, scores, roi, seed=3).coefficients[cols]
    c = _fit(make_dataset, scores, roi, seed=4).coefficients[cols]
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.iloc[1:], c.iloc[1:])


def test_no_bootstrap_gives_no_ci_but_a_finding(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng), n_boot=0)
    assert result.coefficients["importance_ci_low"].isna().all()
    finding = " ".join(regression_finding(result))
    assert "95% CI" not in finding.split(".")[0]
    assert finding.startswith("No single competency can be named as the main driver")
    assert label("competency.change") in finding


# --- modelling table ----------------------------------------------------------------


def _leader(team, wave, change, data=None, *, role="leader", department="D1", **items):
    row = {"wave": wave, "department": department, "team": team, "role": role,
           "comp_change_1": change, "comp_data_1": data}  # fmt: skip
    return {**row, **items}


def _uc(team, start, *, uc_id, department="D1", investment=100.0, benefit=150.0, **kw):
    return {"use_case_id": uc_id, "department": department, "team": team, "start_date": start,
            "investment_eur": investment, "annual_benefit_eur": benefit, **kw}  # fmt: skip


@pytest.fixture
def table_data(make_dataset):
    survey = [
        # T1: one leader a wave; the team score is the wave's
        _leader("T1", "2025-01", 1, 1),
        _leader("T1", "2025-03", 3, 3),
        _leader("T1", "2025-05", 5, 5),
        _leader("T1", "2025-07", 2, 2),  # after the period 2025-06
        # T2, 2025-03: leader A answers change 2 and 4 (mean 3), data 1; leader B
        # change 5 (data empty); a leader with no competency answers and an
        # employee do not count -> change (3 + 5) / 2 = 4, data 1, 2 leaders
        _leader("T2", "2025-03", 2, 1, comp_change_2=4),
        _leader("T2", "2025-03", 5, None),
        _leader("T2", "2025-03", None, None),
        _leader("T2", "2025-03", 1, 1, role="employee"),
        # T3: only employees
        _leader("T3", "2025-03", 4, 4, role="employee"),
        # T4: leaders answered change but no data item
        _leader("T4", "2025-03", 4, None),
        # same team name in another department: must not leak into D1/T5
        _leader("T5", "2025-03", 4, 4, department="D2"),
    ]
    use_cases = [
        _uc("T1", "2025-04-15", uc_id="A"),  # -> wave 2025-03
        _uc("T1", "2025-03-01", uc_id="B"),  # same month counts -> 2025-03
        _uc("T1", "2024-11-01", uc_id="C"),  # before every wave -> first wave 2025-01
        _uc("T1", "2025-06-10", uc_id="D"),  # -> 2025-05 (2025-07 is after the period)
        _uc("T2", "2025-04-01", uc_id="E", investment=200.0, benefit=100.0),
        _uc("T3", "2025-04-01", uc_id="F"),  # no leader answers
        _uc("T4", "2025-04-01", uc_id="G"),  # no data answers
        _uc("T5", "2025-04-01", uc_id="H"),  # D1/T5 has no survey rows
        _uc("T1", "2025-04-01", uc_id="I", investment=0.0),  # ROI undefined
        _uc("T1", "2025-04-01", uc_id="J", benefit=None),  # ROI undefined
        _uc("T1", "2025-04-01", uc_id="K", status="idea"),  # not started
        _uc("T1", "2025-07-01", uc_id="L"),  # starts after E
    ]
    return make_dataset(use_cases=use_cases, survey=survey)


def test_model_table_wave_rules(table_data):
    table, excluded = build_model_table(table_data, period="2025-06")
    rows = table.set_index("use_case_id")
    assert rows.index.tolist() == ["A", "B", "C", "D", "E"]
    assert rows["wave"].to_dict() == {
        "A": "2025-03", "B": "2025-03", "C": "2025-01", "D": "2025-05", "E": "2025-03",
    }  # fmt: skip
    assert rows["change"].to_dict() == {"A": 3, "B": 3, "C": 1, "D": 5, "E": 4}
    assert rows["data"].to_dict() == {"A": 3, "B": 3, "C": 1, "D": 5, "E": 1}
    assert rows.loc["E", "n_leaders"] == 2
    assert rows.loc["E", "roi"] == pytest.approx(-0.5)
    assert rows.loc["A", "roi"] == pytest.approx(0.5)
    assert excluded == {
        "not_started": 2,
        "no_roi": 2,
        "no_wave": 0,
        "no_leaders": 2,  # F (employees only), H (no survey rows)
        "incomplete": 1,  # G
    }
    assert tuple(excluded) == EXCLUSION_REASONS  # codes, in the order they are checked


def test_model_table_ignores_waves_after_the_period(make_dataset):
    data = make_dataset(
        use_cases=[_uc("T1", "2025-02-01", uc_id="A")],
        survey=[_leader("T1", "2025-05", 4, 4)],
    )
    table, excluded = build_model_table(data, period="2025-04")
    assert table.empty
    assert excluded["no_wave"] == 1
    table, _ = build_model_table(data, period="2025-06")  # now 2025-05 is the first wave
    assert table["wave"].tolist() == ["2025-05"]


# --- refusal, departments, degenerate predictors ---------------------------------------


def test_refuses_below_ten_per_predictor(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng, n=42))
    assert result.refusal_code == result.refused == "too_few"
    assert result.refusal_params == {"n": 42, "need": 70, "per": 10, "department": None}
    assert regression_refusal(result).startswith(
        "Only 42 use cases have both an ROI and leader scores"
    )
    assert "at least 70 (10 per competency)" in regression_refusal(result)
    assert result.n_observations == 42
    assert result.coefficients.empty
    out = result.to_dict()
    assert out["coefficients"] == [] and out["refusal_code"] == "too_few"
    json.dumps(out, allow_nan=False)  # strict JSON when refused too
    assert out["refusal_params"] == result.refusal_params
    assert out["r_squared"] is None
    assert "NOT FITTED: Only 42 use cases" in result.summary()
    assert regression_refusal(result) in regression_finding(result)
    assert "Slechts 42 use cases" in " ".join(regression_finding(result, "nl"))
    assert _fit(make_dataset, *_noisy(rng, n=70)).refused is None


def test_department_fallback_below_the_department_minimum(make_dataset, rng):
    scores, roi = _noisy(rng, n=95)
    depts = ["Small"] * 15 + ["Big"] * 80
    small = _fit(make_dataset, scores, roi, departments=depts, department="Small")
    assert small.scope == "organisation"
    assert small.department == "Small"
    assert small.n_observations == 95
    assert small.fallback == "too_few_department"
    assert small.fallback_params == {"department": "Small", "n": 15, "need": 70}
    assert regression_fallback(small) == (
        "Small has only 15 use cases with an ROI and leader scores (fewer than 70), "
        "so the organisation-wide model is shown."
    )
    assert regression_finding(small)[0] == regression_fallback(small)
    assert small.to_dict()["fallback_params"] == small.fallback_params
    assert (
        json.loads(json.dumps(small.to_dict(), allow_nan=False))["fallback"] == "too_few_department"
    )

    big = _fit(make_dataset, scores, roi, departments=depts, department="Big")
    assert big.scope == "department"
    assert big.n_observations == 80 and big.fallback is None
    assert set(big.table["department"]) == {"Big"}


def test_one_fallback_rule_between_20_and_70(make_dataset, rng):
    """25 usable use cases with 7 competencies: the organisation's model with
    the reason (the rule max(20, 10 x 7) = 70), not a department refusal."""
    scores, roi = _noisy(rng, n=100)
    depts = ["A"] * 25 + ["B"] * 75
    result = _fit(make_dataset, scores, roi, departments=depts, department="A")
    assert result.scope == "organisation" and result.refused is None
    assert result.fallback_params == {"department": "A", "n": 25, "need": 70}
    lower = _fit(make_dataset, scores, roi, departments=depts, department="A", min_department_obs=0,
                 min_obs_per_predictor=3)  # fmt: skip
    assert lower.scope == "department" and lower.n_observations == 25


def test_unknown_department_lists_known_ones(make_dataset, rng):
    scores, roi = _noisy(rng, n=10)
    with pytest.raises(ValueError, match=r"unknown department 'Nope'; known departments: A, B"):
        _fit(make_dataset, scores, roi, departments=["A"] * 5 + ["B"] * 5, department="Nope")


def test_constant_predictor_is_dropped_with_a_note(make_dataset, rng):
    scores, roi = _noisy(rng, n=90)
    scores[:, 2] = 3.0  # ethics: the same for every team
    result = _fit(make_dataset, scores, roi)
    assert result.refused is None
    assert result.dropped == ["ethics"]
    assert "ethics" not in result.coefficients["term"].tolist()
    assert not result.coefficients.iloc[1:].isna().any().any()
    assert result.notes == [("dropped_constant", {"names": ["ethics"]})]
    assert (
        "AI ethics & governance: every use case has the same team score"
        in regression_notes(result)[0]
    )
    assert "AI ethics & governance" in " ".join(regression_finding(result))
    assert result.coefficients["importance"].sum() == pytest.approx(result.r_squared, abs=1e-10)


def test_collinear_predictors_are_flagged(make_dataset, rng):
    scores, roi = _noisy(rng, n=90)
    scores[:, 5] = scores[:, 0] + rng.normal(0, 0.1, 90)  # hybrid ~ strategic
    result = _fit(make_dataset, scores, roi)
    assert result.refused is None
    assert result.collinear == ["strategic", "hybrid"]
    assert (result.coefficients.set_index("term").loc[["strategic", "hybrid"], "vif"] > 10).all()
    assert "WARNING: The scores of Strategic AI understanding and Hybrid decision-making" in (
        result.summary()
    )
    assert "VIF above 10" in " ".join(regression_finding(result))


def test_nearly_collinear_beyond_the_condition_limit_refuse(make_dataset, rng):
    scores, roi = _noisy(rng, n=90)
    scores[:, 5] = scores[:, 0] + 1e-11 * rng.normal(size=90)  # not exactly collinear
    result = _fit(make_dataset, scores, roi)
    X = result.table[KEYS].to_numpy()
    Z = (X - X.mean(axis=0)) / np.linalg.norm(X - X.mean(axis=0), axis=0)
    condition = np.linalg.cond(Z)
    assert condition > MAX_CONDITION
    assert result.condition_number == pytest.approx(condition, rel=1e-3)
    assert result.refused == "ill_conditioned"
    assert result.refusal_params == {"condition": result.condition_number, "max": MAX_CONDITION}
    assert regression_refusal(result) == (
        f"The competency scores in these use cases are so nearly linear combinations of each "
        f"other (condition number {result.condition_number:,.0f} of the standardised scores, "
        f"above {MAX_CONDITION:,.0f}) that least squares cannot give the coefficients to 7 "
        "significant digits. Leave out or combine competencies that move together, or add ROI "
        "figures for use cases of more teams."
    )
    assert result.coefficients.empty and result.model is None
    assert result.to_dict()["condition_number"] == result.condition_number
    assert "conditiegetal" in regression_refusal(result, "nl")
    # a milder near-dependence (condition ~3e8) is fitted, flagged by the VIF, and reported
    scores[:, 5] = scores[:, 0] + 1e-8 * rng.normal(size=90)
    fitted = _fit(make_dataset, scores, roi)
    assert fitted.refused is None and fitted.collinear == ["strategic", "hybrid"]
    assert 1e7 < fitted.condition_number <= MAX_CONDITION
    assert fitted.model.condition_number == fitted.condition_number
    assert f"Condition number of the standardised scores: {fitted.condition_number:.3g}" in (
        fitted.summary()
    )


def test_exactly_collinear_predictors_refuse(make_dataset, rng):
    scores, roi = _noisy(rng, n=90)
    scores[:, 5] = 0.5 * scores[:, 0] + 1.0
    result = _fit(make_dataset, scores, roi)
    assert result.refusal_params == {"names": ["strategic", "hybrid"]}
    assert regression_refusal(result).startswith(
        "The scores of Strategic AI understanding and Hybrid decision-making are exact"
    )


def test_few_distinct_team_profiles_refuse(make_dataset, rng):
    scores, roi = _noisy(rng, n=80)
    scores = scores[np.arange(80) % 5]  # 5 distinct score sets for 7 competencies
    result = _fit(make_dataset, scores, roi)
    assert result.refused == "too_few_profiles"
    assert "share only 5 different sets of team scores" in regression_refusal(result)


def test_bad_settings_raise(make_dataset, rng):
    with pytest.raises(ValueError, match="cv_folds must be a whole number >= 2"):
        _fit(make_dataset, *_noisy(rng, n=10), cv_folds=1)
    with pytest.raises(ValueError, match="period must be a calendar month"):
        fit_competency_roi(make_dataset(), period="June")


# --- output -------------------------------------------------------------------------


def test_to_dict_is_json_with_the_documented_keys(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng))
    out = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert list(out) == [
        "n_observations", "n_excluded", "excluded_reasons", "r_squared", "adj_r_squared",
        "cv_r_squared", "condition_number", "scope", "department", "fallback", "fallback_params",
        "refusal_code", "refusal_params", "notes", "coefficients",
    ]  # fmt: skip
    assert set(out["excluded_reasons"]) == set(EXCLUSION_REASONS)
    _, X = _design(result)
    Z = (X - X.mean(axis=0)) / np.linalg.norm(X - X.mean(axis=0), axis=0)
    assert out["condition_number"] == pytest.approx(np.linalg.cond(Z), rel=1e-9)
    assert [c["term"] for c in out["coefficients"]] == ["const", *KEYS]
    assert set(out["coefficients"][0]) == set(COEFFICIENT_COLUMNS)
    assert out["coefficients"][0]["importance"] is None
    assert out["n_observations"] == 100 and out["scope"] == "organisation"


# --- plots ------------------------------------------------------------------------------


def test_plot_coefficients(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng))
    ax = plot_coefficients(result)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 1
    coef = result.coefficients.set_index("term").loc[KEYS]
    np.testing.assert_allclose(points[0].get_offsets()[:, 0], coef["std_estimate"])
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    scale = (result.predictor_sd / result.roi_sd).loc[KEYS].to_numpy()
    segments = np.array(whiskers.get_segments())
    np.testing.assert_allclose(segments[:, 0, 0], coef["ci_low"] * scale)
    np.testing.assert_allclose(segments[:, 1, 0], coef["ci_high"] * scale)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [label(f"competency.{k}") for k in KEYS]
    assert ax.get_xlabel() == label("text.coefficient")

    ax_nl = plot_coefficients(result, ax=plt.figure().gca(), lang="nl", standardized=False)
    assert ax_nl.get_yticklabels()[3].get_text() == "Verandermanagement"
    raw = [c for c in ax_nl.collections if isinstance(c, PathCollection)][0]
    np.testing.assert_allclose(raw.get_offsets()[:, 0], coef["estimate"])


def test_plot_importance(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng))
    ax = plot_importance(result)
    assert len(ax.patches) == 7
    widths = [p.get_width() for p in ax.patches]
    expected = 100 * result.importance["share"].sort_values(ascending=False).to_numpy()
    np.testing.assert_allclose(widths, expected)
    assert sum(widths) == pytest.approx(100.0)
    top = result.importance.sort_values("share", ascending=False)["term"].iloc[0]
    assert ax.get_yticklabels()[0].get_text() == label(f"competency.{top}")
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # largest on top
    assert any(f"R² = {result.r_squared:.2f}" in t.get_text() for t in ax.texts)


def test_plots_of_a_refused_result_show_the_message(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng, n=30))
    for plot in (plot_coefficients, plot_importance):
        ax = plot(result, ax=plt.figure().gca())
        assert not ax.patches and not ax.collections
        (text,) = ax.texts
        assert " ".join(text.get_text().split()) == regression_refusal(result)


def test_default_axes_is_current_axes(make_dataset, rng):
    result = _fit(make_dataset, *_noisy(rng))
    fig, ax = plt.subplots()
    assert plot_importance(result) is ax
    assert math.isclose(sum(p.get_width() for p in ax.patches), 100.0)


def test_codebook_with_fewer_competencies(make_dataset, rng):
    scores, roi = _noisy(rng, n=25)
    org = _two_competencies(scores, roi)  # keep only the change and data items
    result = fit_competency_roi(make_dataset(**org), period="2025-06", n_boot=N_BOOT)
    assert result.refused is None  # 25 >= 10 per predictor x 2
    assert result.coefficients["term"].tolist() == ["const", "data", "change"]
    assert result.notes[0] == (
        "missing_items",
        {"names": ["strategic", "ethics", "prompting", "hybrid", "learning"]},
    )
    assert regression_notes(result)[0].startswith(
        "The codebook has no survey items for Strategic AI"
    )


def test_no_competency_items_refuse(make_dataset):
    data = make_dataset(use_cases=[_uc("T1", "2025-02-01", uc_id="A")],
                        survey=[{"wave": "2025-01", "team": "T1", "role": "leader"}])  # fmt: skip
    result = fit_competency_roi(data, period="2025-06")
    assert result.refused == "no_items"
    assert regression_refusal(result).startswith("The survey has no competency items")
