"""Competency-to-ROI regression (docs/metrics.md §4).

Does the competency of a team's leaders go with the return on the team's AI
use cases? One row per use case started by the end ``E`` of the period with a
defined ROI; the predictors are the team's leader scores on the seven
competencies in the survey wave the use case started in. The model is OLS with
HC3 standard errors, and each competency's share of the explained variance
is the LMG (Shapley) decomposition of R², with bootstrap CIs.

The model refuses to fit, with a reason code and the numbers that say why
and what would be enough, rather than return a table of meaningless numbers.
Results hold numbers and codes only, like statsmodels' results; the
sentences about them are :mod:`aiadopt.present.text`'s
(:func:`~aiadopt.present.text.regression_finding`, ...).

Examples
--------
On the shipped sample (from the repository root; :func:`fit_competency_roi`
has an example that runs anywhere):

>>> import aiadopt
>>> from aiadopt.present.text import regression_finding
>>> result = fit_competency_roi(aiadopt.load("data/sample"), period="2026-10")  # doctest: +SKIP
>>> result.coefficients                                                       # doctest: +SKIP
>>> print(" ".join(regression_finding(result, "nl")))                         # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .dataset import Dataset
from .model_scope import MIN_DEPARTMENT_OBS, MIN_OBS_PER_PREDICTOR, department_minimum
from .roi import compute_roi
from .schema import COMPETENCIES, SCALE_FAMILIES
from .timeline import NO_WAVE, month_ordinals, period_of, use_case_state, wave_at_start, waves_up_to
from .units import check_department

__all__ = [
    "COEFFICIENT_COLUMNS",
    "EXCLUSION_REASONS",
    "IMPORTANCE_COLUMNS",
    "MAX_CONDITION",
    "MIN_DEPARTMENT_OBS",
    "MIN_OBS_PER_PREDICTOR",
    "VIF_THRESHOLD",
    "OLSResult",
    "RegressionResult",
    "build_model_table",
    "department_minimum",
    "fit_competency_roi",
    "fit_ols",
    "lmg_importance",
]

#: Columns of :attr:`RegressionResult.coefficients`, in order.
COEFFICIENT_COLUMNS: tuple[str, ...] = (
    "term",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "std_estimate",
    "vif",
    "importance",
    "importance_ci_low",
    "importance_ci_high",
)
#: Columns of :attr:`RegressionResult.importance`, in order.
IMPORTANCE_COLUMNS: tuple[str, ...] = (
    "term",
    "importance",
    "importance_ci_low",
    "importance_ci_high",
    "share",
    "share_ci_low",
    "share_ci_high",
)
#: Codes of the reasons why a use case is not in the model, in the order they
#: are checked: a use case counts under the first that applies (words:
#: ``regression.reason_<code>`` in the label catalogue).
EXCLUSION_REASONS: tuple[str, ...] = (
    "not_started",
    "no_roi",
    "no_wave",
    "no_leaders",
    "incomplete",
)
#: A predictor with a variance inflation factor above this is flagged collinear.
VIF_THRESHOLD: float = 10.0

_PREFIX = SCALE_FAMILIES["competency"][0] + "_"
_BOOT_CELLS = 4_000_000  # floats per bootstrap chunk (memory bound)

_Message = tuple[str, dict[str, Any]]


# --- modelling table ------------------------------------------------------------


def _competencies(data: Dataset) -> dict[str, tuple[str, ...]]:
    """Competency key -> its item columns, for the competencies with items."""
    return {col.removeprefix(_PREFIX): items for col, items in data.scales("competency").items()}


def _team_scores(data: Dataset, keys: list[str], last_wave: int) -> pd.DataFrame:
    """Per (department, team, wave ordinal): mean leader score per competency
    and ``n_leaders`` (leaders who answered at least one competency item)."""
    items = _competencies(data)
    survey = data.survey
    wave = month_ordinals(survey["wave"])
    leader = (survey["role"].astype(object) == "leader").to_numpy()
    keep = leader & (wave != NO_WAVE) & (wave <= last_wave)
    sub = survey.loc[keep]
    scores = pd.DataFrame(
        {key: sub[list(items[key])].mean(axis=1, skipna=True).to_numpy() for key in keys}
    )
    scores.insert(0, "department", sub["department"].to_numpy(dtype=object))
    scores.insert(1, "team", sub["team"].to_numpy(dtype=object))
    scores.insert(2, "wave_ordinal", wave[keep])
    answered = scores[keys].notna().any(axis=1).to_numpy()
    scores = scores.loc[answered]
    grouped = scores.groupby(["department", "team", "wave_ordinal"], sort=False)
    out = grouped[keys].mean()  # mean over the leaders who answered each competency
    out.insert(0, "n_leaders", grouped.size())
    return out.reset_index()


def _model_frame(data: Dataset, p: pd.Period) -> tuple[pd.DataFrame, list[str]]:
    """Every use case of the register with its ROI, wave, team scores and the
    code of the reason it is left out (``None`` when it is in the model)."""
    uc = data.use_cases
    keys = [k for k in COMPETENCIES if k in _competencies(data)]
    started = use_case_state(uc, p, 365)["started"].to_numpy(dtype=bool)

    roi = compute_roi(uc)
    has_roi = np.isfinite(roi)

    # Survey waves that count: every month with survey rows, up to the period.
    waves = waves_up_to(data.survey, p)
    wave = np.where(started, wave_at_start(uc["start_date"], waves), NO_WAVE)

    frame = pd.DataFrame(
        {
            "use_case_id": uc["use_case_id"].to_numpy(dtype=object),
            "department": uc["department"].to_numpy(dtype=object),
            "team": uc["team"].to_numpy(dtype=object),
            "start_date": uc["start_date"].to_numpy(),
            "wave_ordinal": wave,
            "investment_eur": uc["investment_eur"].to_numpy(dtype=float),
            "annual_benefit_eur": uc["annual_benefit_eur"].to_numpy(dtype=float),
            "roi": roi,
        }
    )
    scores = _team_scores(data, keys, p.ordinal)
    frame = frame.merge(scores, on=["department", "team", "wave_ordinal"], how="left")
    frame["n_leaders"] = frame["n_leaders"].fillna(0).astype("int64")

    conditions = [
        ~started,
        ~has_roi,
        np.full(len(frame), len(waves) == 0),
        frame["n_leaders"].to_numpy() == 0,
        frame[keys].isna().any(axis=1).to_numpy() if keys else np.zeros(len(frame), bool),
    ]
    frame["reason"] = np.select(conditions, list(EXCLUSION_REASONS), default="")
    frame["reason"] = frame["reason"].replace("", None)
    waves_used = pd.arrays.PeriodArray(frame["wave_ordinal"].to_numpy(), dtype="period[M]")
    frame["wave"] = pd.Series(waves_used, index=frame.index).dt.strftime("%Y-%m")
    return frame, keys


def _table(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    cols = ["use_case_id", "department", "team", "start_date", "wave", "n_leaders"]
    cols += ["investment_eur", "annual_benefit_eur", "roi", *keys]
    return frame.loc[frame["reason"].isna(), cols].reset_index(drop=True)


def _reason_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["reason"].value_counts()
    return {code: int(counts.get(code, 0)) for code in EXCLUSION_REASONS}


def build_model_table(data: Dataset, *, period: str | pd.Period) -> tuple[pd.DataFrame, dict]:
    """The use cases the competency-to-ROI model is fitted on (docs/metrics.md §4).

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); ``E`` is its last day.

    Returns
    -------
    table : DataFrame
        One row per use case in the model, in register order:
        ``use_case_id``, ``department``, ``team``, ``start_date``, ``wave``
        (``"YYYY-MM"`` of the survey wave the scores come from),
        ``n_leaders`` (the team's leaders who answered a competency item in
        that wave), ``investment_eur``, ``annual_benefit_eur``, ``roi`` and
        one column per competency key (``strategic``, ``data``, ...) with
        the team's mean leader score (1–5). The scores are averages of few
        leaders: model input, not for display (docs/metrics.md §5).
    excluded : dict
        Reason code -> number of the register's use cases left out for it
        (every code of :data:`EXCLUSION_REASONS`, zeros included). Each use case
        counts once, under the first reason that applies, in this order:
        not started by E; no ROI; no survey wave on or before the period;
        no leader answers of the team in the wave; the team's leaders
        answered no item of some competency in the wave.

    Notes
    -----
    * Started by E and E as in :mod:`aiadopt.kpis`; ROI =
      (annual_benefit_eur − investment_eur) / investment_eur, undefined where
      the investment is 0 or missing or the benefit is missing.
    * A leader's competency score is the mean of the leader's answered items
      of the competency; the team's score is the mean over the team's leaders
      (role ``leader``) who answered, teams being (department, team) pairs.
    * The wave of a use case is the latest survey month on or before its
      start month, among the months in which the survey has any rows and
      that are on or before the period; where the start month precedes every
      such wave, the first one. If the team has no leader answers in that
      wave the use case is left out, even if another wave has them (the
      docs/metrics.md §4 rule: scores measured before the use case started).
    """
    p = period_of(data, period)
    frame, keys = _model_frame(data, p)
    return _table(frame, keys), _reason_counts(frame)


# --- statistics -----------------------------------------------------------------------


#: Unit roundoff of the extended precision the refinement accumulates in
#: (x86-64: 80-bit long double, 1.1e-19; where ``np.longdouble`` is plain
#: float64 the refinement still runs, with float64 residuals).
_EPS_EXT = float(np.finfo(np.longdouble).eps)
_EPS_64 = float(np.finfo(np.float64).eps)
#: Largest condition number of the standardised design that is fitted
#: (≈ 9.2e9 on x86-64). The refined estimates carry a relative error of
#: about ``condition number × _EPS_EXT``; keeping that below 1e-9 leaves two
#: digits of margin over the 7 significant digits promised, and the float64
#: QR that drives the refinement converges far below ``1e-5 / _EPS_64``.
#: Measured: docs/decisions.md (regression section).
MAX_CONDITION: float = min(1e-9 / _EPS_EXT, 1e-5 / _EPS_64)
_REFINE_STEPS = 5  # at most; it stops once a step changes nothing


@dataclass(frozen=True)
class _Decomposition:
    """Everything the results of one least-squares fit are computed from."""

    coef: np.ndarray  # (k + 1,) intercept, then slopes, original units
    pinv: np.ndarray  # (k + 1, n) extended precision: coef = pinv @ y
    resid: np.ndarray  # (n,)
    rss: float
    tss: float
    leverage: np.ndarray  # (n,) diagonal of the hat matrix (intercept included)
    vif: np.ndarray  # (k,) variance inflation factors
    condition_number: float
    near_dependence: np.ndarray  # (k,) |right singular vector| of the smallest singular value


def _augmented_solve(Z, Q, R, b, c):
    """Solve ``[I Z; Zᵀ 0] [r; x] = [b; c]`` (columns of ``b`` and ``c`` are
    right-hand sides) with the float64 QR ``Z = Q R``, refined with residuals
    in extended precision (Björck's iterative refinement for least squares).

    ``c = 0`` gives least squares: ``x`` minimises ``‖b − Z x‖``, ``r`` is
    the residual. ``b = 0`` gives ``x = −(ZᵀZ)⁻¹ c`` and ``r = Z (ZᵀZ)⁻¹ c``.
    """

    def step(f, g):
        from scipy.linalg import solve_triangular  # lazy: a report reading results needs no scipy

        h = solve_triangular(R, g, trans="T")
        d = Q.T @ f
        return solve_triangular(R, d - h), Q @ h + (f - Q @ d)

    x, r = step(b.astype(np.float64), c.astype(np.float64))
    x, r = x.astype(np.longdouble), r.astype(np.longdouble)
    for _ in range(_REFINE_STEPS):
        dx, dr = step((b - r - Z @ x).astype(np.float64), (c - Z.T @ r).astype(np.float64))
        x, r = x + dx, r + dr
        if np.all(np.abs(dx) <= _EPS_EXT * np.abs(x)):
            break
    return x, r


def _ols_fit(y: np.ndarray, X: np.ndarray) -> _Decomposition:
    """Least squares of ``y`` on ``[1, X]``, accurate on ill-conditioned designs.

    The predictors are centred (the intercept is then orthogonal to them and
    is recovered from the means) and scaled to unit length, in extended
    precision; the standardised design ``Z`` is factored ``Z = QR`` in
    float64, and the solution is refined on residuals computed in extended
    precision. The same refined solver gives the rows of the pseudo-inverse
    of ``[1, X]`` (hence every covariance) and ``(ZᵀZ)⁻¹`` (the VIFs), so
    no standard error goes through an explicit inverse of ``XᵀX``.

    ``X`` may be float64 or ``np.longdouble`` (for data known to more than
    float64 precision, e.g. powers of ``x`` for a polynomial); no column may
    be constant. Callers check ``condition_number`` against
    :data:`MAX_CONDITION` before trusting the numbers.
    """
    n, k = X.shape
    Xe = np.asarray(X, dtype=np.longdouble)
    ye = np.asarray(y, dtype=np.longdouble)
    x_mean = Xe.mean(axis=0)
    y_mean = ye.mean()
    Xc = Xe - x_mean
    yc = ye - y_mean
    scale = np.sqrt((Xc * Xc).sum(axis=0))
    Z = Xc / scale
    Q, R = np.linalg.qr(Z.astype(np.float64))
    _, sv, vt = np.linalg.svd(R)
    condition = float(sv[0] / sv[-1]) if sv[-1] > 0 else float("inf")
    near = np.abs(vt[-1])
    if not condition <= MAX_CONDITION:  # also NaN; solving would divide by ~0
        return _Decomposition(
            coef=np.full(k + 1, np.nan), pinv=np.full((k + 1, n), np.nan), resid=np.full(n, np.nan),
            rss=np.nan, tss=float((yc * yc).sum()), leverage=np.full(n, np.nan),
            vif=np.full(k, np.nan), condition_number=condition, near_dependence=near,
        )  # fmt: skip

    beta, resid = _augmented_solve(Z, Q, R, yc[:, None], np.zeros((k, 1), np.longdouble))
    beta, resid = beta[:, 0], resid[:, 0]
    m = x_mean / scale
    # Columns j < k: r_j = Z V e_j; column k: r_m = Z V m, with V = (ZᵀZ)⁻¹.
    rhs = np.column_stack([np.eye(k, dtype=np.longdouble), m])
    _, r = _augmented_solve(Z, Q, R, np.zeros((n, k + 1), np.longdouble), rhs)
    pinv = np.empty((k + 1, n), dtype=np.longdouble)
    pinv[0] = 1 / np.longdouble(n) - r[:, k]  # intercept = ȳ − mᵀβ
    pinv[1:] = (r[:, :k] / scale).T  # slope_j = β_j / scale_j, β = V Zᵀ y
    coef = np.concatenate([[y_mean - (m * beta).sum()], beta / scale])
    return _Decomposition(
        coef=coef.astype(np.float64),
        pinv=pinv,
        resid=resid.astype(np.float64),
        rss=float((resid * resid).sum()),
        tss=float((yc * yc).sum()),
        leverage=1.0 / n + (Q * Q).sum(axis=1),
        vif=(r[:, :k] * r[:, :k]).sum(axis=0).astype(np.float64),
        condition_number=condition,
        near_dependence=near,
    )


@dataclass(frozen=True, repr=False)
class OLSResult:
    """An OLS fit with an intercept, statsmodels-style names (:func:`fit_ols`).

    Attributes
    ----------
    params, bse, tvalues, pvalues : Series
        Estimates, standard errors, t statistics and two-sided p-values
        (t distribution with ``df_resid`` degrees of freedom), indexed by
        term: ``const``, then the predictors.
    covariance : DataFrame
        Covariance matrix of the estimates (``cov_type``).
    cov_type : {"HC3", "nonrobust"}
    nobs, df_resid : int
        Observations and residual degrees of freedom, n − k − 1.
    rsquared, rsquared_adj : float
    scale : float
        Residual variance, RSS / df_resid (its root is the residual SD).
    resid, leverage : ndarray
        Residuals and hat-matrix diagonal, one per observation.
    vif : Series
        Variance inflation factor of each predictor.
    condition_number : float
        2-norm condition number of the standardised design (predictors
        centred and scaled to unit length; the intercept is orthogonal to
        them), at most :data:`MAX_CONDITION`.
    """

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    covariance: pd.DataFrame
    cov_type: str
    nobs: int
    df_resid: int
    rsquared: float
    rsquared_adj: float
    scale: float
    resid: np.ndarray
    leverage: np.ndarray
    vif: pd.Series
    condition_number: float

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """``lower`` and ``upper`` bounds of the (1 − alpha) CIs, per term."""
        from scipy.stats import t as t_dist

        q = t_dist.ppf(1 - alpha / 2, self.df_resid)
        return pd.DataFrame(
            {"lower": self.params - q * self.bse, "upper": self.params + q * self.bse}
        )

    def __repr__(self) -> str:
        return (
            f"OLSResult(nobs={self.nobs}, k={len(self.params) - 1}, cov_type={self.cov_type!r}, "
            f"rsquared={self.rsquared:.6g}, condition_number={self.condition_number:.3g})"
        )


def _ols_result(fit: _Decomposition, terms: list[str], cov_type: str) -> OLSResult:
    """Standard errors and tests of a decomposition (condition already checked)."""
    from scipy.stats import t as t_dist

    n = len(fit.resid)
    k = len(terms) - 1
    df = n - k - 1
    scale = fit.rss / df
    if cov_type == "HC3":
        e = fit.resid.astype(np.longdouble)
        weights = e * e / (1 - fit.leverage.astype(np.longdouble)) ** 2
    else:
        weights = np.full(n, scale, dtype=np.longdouble)
    cov = ((fit.pinv * weights) @ fit.pinv.T).astype(np.float64)
    params = pd.Series(fit.coef, index=terms)
    bse = pd.Series(np.sqrt(np.diag(cov)), index=terms)
    with np.errstate(divide="ignore", invalid="ignore"):
        tvalues = params / bse
    return OLSResult(
        params=params,
        bse=bse,
        tvalues=tvalues,
        pvalues=pd.Series(2 * t_dist.sf(np.abs(tvalues), df), index=terms),
        covariance=pd.DataFrame(cov, index=terms, columns=terms),
        cov_type=cov_type,
        nobs=n,
        df_resid=df,
        rsquared=1.0 - fit.rss / fit.tss,
        rsquared_adj=1.0 - (fit.rss / df) / (fit.tss / (n - 1)),
        scale=scale,
        resid=fit.resid,
        leverage=fit.leverage,
        vif=pd.Series(fit.vif, index=terms[1:]),
        condition_number=fit.condition_number,
    )


def _ill_conditioned_message(fit: _Decomposition, names: list[str]) -> str:
    weight = fit.near_dependence
    involved = [name for name, w in zip(names, weight, strict=True) if w >= 0.1 * weight.max()]
    return (
        f"fit_ols: the standardised design (predictors centred and scaled to unit length) has "
        f"condition number {fit.condition_number:.3g}, above {MAX_CONDITION:.3g}, the largest for "
        f"which this OLS gives 7 correct significant digits; nothing was fitted. The predictors "
        f"{', '.join(involved)} are nearly linear combinations of each other: drop or combine "
        f"some of them (for a polynomial, centre x before taking powers or use orthogonal "
        f"polynomials)."
    )


def fit_ols(y, X, *, cov_type: str = "HC3") -> OLSResult:
    """OLS of ``y`` on ``X`` plus an intercept ``const``, to NIST StRD accuracy.

    The single fitting path of this module (and of the NIST accuracy
    tests): predictors centred and scaled to unit length, QR factorisation,
    iterative refinement on residuals in extended precision, estimates and
    every covariance mapped back to the original units through the refined
    pseudo-inverse (never the normal equations). It reproduces the NIST StRD
    linear sets, Filip included, to at least 7 significant digits, and
    refuses a design whose standardised condition number exceeds
    :data:`MAX_CONDITION` instead of returning digits that are noise.

    Parameters
    ----------
    y : array-like of shape (n,)
    X : DataFrame or array-like of shape (n, k)
        Predictors without the constant; column names become term names
        (``x1``, ``x2``, ... for an array). float64, or ``np.longdouble``
        for data known to more digits (e.g. powers of ``x`` for a
        polynomial model).
    cov_type : {"HC3", "nonrobust"}, default="HC3"
        ``"HC3"`` for heteroskedasticity-robust standard errors,
        ``"nonrobust"`` for the classical ones.

    Returns
    -------
    OLSResult
        CIs and p-values use the t distribution with n − k − 1 degrees of freedom.

    Raises
    ------
    ValueError
        Naming the problem and the fix: shapes that do not match, NaN or
        infinite values, fewer than k + 2 observations, a constant
        predictor, a condition number above :data:`MAX_CONDITION`, an
        observation with leverage 1 (HC3 undefined), an unknown ``cov_type``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> fit = fit_ols(2.0 + 0.5 * x + np.array([0.1, -0.1, 0.0, 0.1, -0.1]), x,
    ...               cov_type="nonrobust")
    >>> fit.params.round(6).to_dict()
    {'const': 2.06, 'x1': 0.48}
    >>> float(round(fit.condition_number, 6))
    1.0
    """
    if cov_type not in ("HC3", "nonrobust"):
        raise ValueError(f"fit_ols: cov_type must be 'HC3' or 'nonrobust'; got {cov_type!r}")
    if isinstance(X, pd.Series):
        X = X.to_frame()
    Xa = np.asarray(X)
    Xa = Xa[:, None] if Xa.ndim == 1 else Xa
    ya = np.asarray(y)
    if ya.ndim != 1 or Xa.ndim != 2 or len(ya) != len(Xa):
        raise ValueError(
            f"fit_ols: y must have shape (n,) and X shape (n, k) with the same n; "
            f"got y {ya.shape} and X {Xa.shape}"
        )
    names = (
        [str(c) for c in X.columns]
        if isinstance(X, pd.DataFrame)
        else [f"x{j + 1}" for j in range(Xa.shape[1])]
    )
    dtype = np.longdouble if np.longdouble in (Xa.dtype.type, ya.dtype.type) else np.float64
    problems = []
    ya, Xa = ya.astype(dtype), Xa.astype(dtype)
    bad_y = np.flatnonzero(~np.isfinite(ya))
    if len(bad_y):
        problems.append(f"y has {len(bad_y)} NaN or infinite values (rows {_rows(bad_y)})")
    for j, name in enumerate(names):
        bad = np.flatnonzero(~np.isfinite(Xa[:, j]))
        if len(bad):
            problems.append(f"{name} has {len(bad)} NaN or infinite values (rows {_rows(bad)})")
    n, k = Xa.shape
    if n < k + 2:
        problems.append(
            f"{n} observations for {k} predictors and the intercept; need at least {k + 2}"
        )
    if problems:
        raise ValueError("fit_ols: " + "; ".join(problems) + ". Drop or fix those rows first.")
    constant = [name for j, name in enumerate(names) if np.ptp(Xa[:, j]) == 0]
    if constant:
        raise ValueError(
            f"fit_ols: predictor {', '.join(constant)} is constant, so the intercept already "
            "covers it; leave it out."
        )
    fit = _ols_fit(ya, Xa)
    if not fit.condition_number <= MAX_CONDITION:
        raise ValueError(_ill_conditioned_message(fit, names))
    if cov_type == "HC3" and fit.leverage.max() > 1 - 1e-8:
        raise ValueError(
            f"fit_ols: row {int(fit.leverage.argmax()) + 1} has leverage 1 (it alone determines part "
            "of the fit), so HC3 standard errors are undefined; use cov_type='nonrobust' or add "
            "observations."
        )
    return _ols_result(fit, ["const", *names], cov_type)


def _rows(index: np.ndarray, limit: int = 10) -> str:
    """Row numbers counting from 1, the first ``limit`` of them."""
    shown = ", ".join(str(int(i) + 1) for i in index[:limit])
    return shown + (f" and {len(index) - limit} more" if len(index) > limit else "")


def _shapley_weights(k: int) -> np.ndarray:
    """Weight of a subset of size s (not holding j) in j's Shapley value."""
    return np.array(
        [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    )


def _shapley(r2: np.ndarray, k: int) -> np.ndarray:
    """LMG / Shapley shares from the R² of every subset.

    ``r2`` has shape (B, 2**k); column ``m`` is the R² of the predictors whose
    bits are set in ``m``. Returns shape (B, k), rows summing to ``r2[:, -1]``.
    """
    masks = np.arange(2**k)
    sizes = np.array([bin(m).count("1") for m in masks])
    weights = _shapley_weights(k)
    out = np.empty((r2.shape[0], k))
    for j in range(k):
        bit = 1 << j
        without = masks[(masks & bit) == 0]
        out[:, j] = ((r2[:, without | bit] - r2[:, without]) * weights[sizes[without]]).sum(axis=1)
    return out


def _subset_members(k: int) -> list[np.ndarray]:
    return [np.flatnonzero([(m >> j) & 1 for j in range(k)]) for m in range(2**k)]


def _subset_r2(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """R² of the OLS of ``y`` on every subset of the columns of ``X`` (with an
    intercept), by least squares on the centred data. Shape (2**k,)."""
    yc = y - y.mean()
    Xc = X - X.mean(axis=0)
    tss = yc @ yc
    out = np.zeros(2 ** X.shape[1])
    for m, cols in enumerate(_subset_members(X.shape[1])):
        if len(cols):
            sub = Xc[:, cols]
            beta = np.linalg.lstsq(sub, yc, rcond=None)[0]
            resid = yc - sub @ beta
            out[m] = 1.0 - (resid @ resid) / tss
    return out


def _bootstrap_subset_r2(Z: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Subset R² for each bootstrap resample ``idx`` (B, n) of ``Z`` = [X, y],
    from the resample's covariance matrix. Shape (B, 2**k); NaN where the
    resample's ROI has no variance."""
    k = Z.shape[1] - 1
    members = _subset_members(k)
    out = np.empty((idx.shape[0], 2**k))
    chunk = max(1, _BOOT_CELLS // (idx.shape[1] * Z.shape[1]))
    for lo in range(0, idx.shape[0], chunk):
        sample = Z[idx[lo : lo + chunk]]
        sample = sample - sample.mean(axis=1, keepdims=True)
        cov = np.einsum("bni,bnj->bij", sample, sample)
        cxx, cxy, syy = cov[:, :k, :k], cov[:, :k, k], cov[:, k, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.zeros((len(sample), 2**k))
            for m, cols in enumerate(members[1:], start=1):
                sub = cxx[:, cols][:, :, cols]
                c = cxy[:, cols]
                beta = np.linalg.pinv(sub, rcond=1e-12, hermitian=True) @ c[:, :, None]
                r2[:, m] = (c * beta[:, :, 0]).sum(axis=1) / syy
            r2[syy <= 0] = np.nan
        out[lo : lo + chunk] = r2
    return out


def lmg_importance(y, X: pd.DataFrame) -> pd.Series:
    """LMG (Shapley) relative importance: each predictor's share of R².

    The R² increment of adding a predictor, averaged over every order in
    which the predictors can enter (equivalently: Shapley values of the R²
    game). The shares sum to the R² of the full model.

    Parameters
    ----------
    y : array-like of shape (n,)
    X : DataFrame of shape (n, k), k <= 12

    Returns
    -------
    Series
        Predictor -> its share of R² (in R² units, not percent).
    """
    X = pd.DataFrame(X)
    r2 = _subset_r2(np.asarray(y, dtype=float), X.to_numpy(dtype=float))
    return pd.Series(_shapley(r2[None, :], X.shape[1])[0], index=X.columns, name="importance")


# --- result -------------------------------------------------------------------------------


def _none_if_nan(value):
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _jsonable(value):
    """``value`` with numpy scalars as Python numbers and NaN as None (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return _none_if_nan(value)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    frame["term"] = frame["term"].astype("str")
    return frame


@dataclass(frozen=True, repr=False)
class RegressionResult:
    """The competency-to-ROI model of one period (docs/metrics.md §4).

    Attributes
    ----------
    n_observations : int
        Use cases in the model (when refused: the use cases that would have been).
    n_excluded : int
        Use cases of the register (of the department, for a department
        model) left out; ``excluded_reasons`` says why.
    excluded_reasons : dict
        Reason code -> count, every code of :data:`EXCLUSION_REASONS`.
    r_squared, adj_r_squared : float
        In-sample R² and adjusted R² (NaN when refused).
    cv_r_squared : float
        Mean of the R²s of the ``cv_folds`` test folds (KFold, shuffled,
        ``random_state=seed``) of a plain linear regression on the same
        predictors; NaN when refused.
    condition_number : float
        2-norm condition number of the standardised competency scores
        (centred, scaled to unit length) the OLS is solved on; above
        :data:`MAX_CONDITION` the model is refused. NaN when refused
        before the fit.
    scope : {"organisation", "department"}
        The use cases the model is fitted on.
    department : str or None
        The department asked for (also when the model fell back).
    fallback : str or None
        ``"too_few_department"`` when a department was asked for but has
        fewer usable use cases than :func:`department_minimum`, so this is
        the organisation-wide model; None otherwise.
    fallback_params : dict
        The numbers behind ``fallback``: ``department``, ``n`` (its usable
        use cases) and ``need`` (the minimum).
    refusal_code : str or None
        Why the model was not fitted (``"too_few"``, ``"constant_roi"``,
        ``"too_few_profiles"``, ``"exact_collinear"``, ``"ill_conditioned"``,
        ``"leverage"``, ``"no_items"``, ``"all_constant"``), None when it was
        fitted. When set, the frames are empty and the figures NaN.
        ``refused`` is the same code.
    refusal_params : dict
        The numbers behind ``refusal_code`` and what would be enough, e.g.
        ``{"n": 12, "need": 70, "per": 10, "department": None}``.
    coefficients : DataFrame
        One row per term (``const``, then the competency keys in
        :data:`aiadopt.schema.COMPETENCIES` order), columns
        :data:`COEFFICIENT_COLUMNS`: OLS estimate, HC3 standard error, 95%
        CI, p-value, standardized estimate (estimate × sd(x) / sd(ROI); NaN
        for ``const``), VIF (NaN for ``const``), LMG importance (share of R²
        in R² units; NaN for ``const``) and its 95% bootstrap percentile CI.
    importance : DataFrame
        One row per competency in the model, columns
        :data:`IMPORTANCE_COLUMNS`: the importance and its CI again, plus
        ``share`` = importance / R² with a bootstrap CI of the share itself.
    collinear : list of str
        Competencies with VIF above :data:`VIF_THRESHOLD`.
    dropped : list of str
        Competencies left out because every use case has the same team score.
    notes : list of (code, params)
        Warnings a reader must see with the numbers: ``("collinear",
        {"names": [...], "threshold": 10.0})``, ``("dropped_constant",
        {"names": [...]})``, ``("missing_items", {"names": [...]})``.
    period : str
        ``"YYYY-MM"``.
    predictors : tuple of str
        Competency keys in the model.
    predictor_sd, roi_sd
        Sample standard deviations used to standardize (index = predictors).
    n_profiles : int
        Distinct sets of team scores (team and wave) among the use cases:
        the predictors vary between these, not between every use case.
    n_boot, seed, cv_folds : int
        Settings used.
    table : DataFrame
        The modelling table (:func:`build_model_table`) of the scope.
    model : OLSResult or None
        The fitted OLS (HC3, :func:`fit_ols`'s result), for anything not in
        the tables.
    """

    n_observations: int
    n_excluded: int
    excluded_reasons: dict[str, int]
    r_squared: float = float("nan")
    adj_r_squared: float = float("nan")
    cv_r_squared: float = float("nan")
    condition_number: float = float("nan")
    scope: str = "organisation"
    department: str | None = None
    fallback: str | None = None
    fallback_params: dict[str, Any] = field(default_factory=dict)
    refusal_code: str | None = None
    refusal_params: dict[str, Any] = field(default_factory=dict)
    coefficients: pd.DataFrame = field(default_factory=lambda: _empty(COEFFICIENT_COLUMNS))
    importance: pd.DataFrame = field(default_factory=lambda: _empty(IMPORTANCE_COLUMNS))
    collinear: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[_Message] = field(default_factory=list)
    period: str = ""
    predictors: tuple[str, ...] = ()
    predictor_sd: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    roi_sd: float = float("nan")
    n_profiles: int = 0
    n_boot: int = 0
    seed: int = 0
    cv_folds: int = 5
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: Any = None

    @property
    def refused(self) -> str | None:
        """The refusal code, or None when the model was fitted."""
        return self.refusal_code

    # -- tables -----------------------------------------------------------------
    def summary_frame(self) -> pd.DataFrame:
        """The coefficient table indexed by term (empty when refused)."""
        return self.coefficients.set_index("term")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; NaN becomes ``None``; ``coefficients`` is ``[]``
        when refused."""
        coefficients = []
        for row in self.coefficients.to_dict("records"):
            coefficients.append(
                {
                    key: _none_if_nan(row[key])
                    for key in (
                        "term",
                        "estimate",
                        "std_error",
                        "ci_low",
                        "ci_high",
                        "std_estimate",
                        "vif",
                        "importance",
                        "importance_ci_low",
                        "importance_ci_high",
                        "p_value",
                    )
                }
            )
        return {
            "n_observations": int(self.n_observations),
            "n_excluded": int(self.n_excluded),
            "excluded_reasons": {k: int(v) for k, v in self.excluded_reasons.items()},
            "r_squared": _none_if_nan(self.r_squared),
            "adj_r_squared": _none_if_nan(self.adj_r_squared),
            "cv_r_squared": _none_if_nan(self.cv_r_squared),
            "condition_number": _none_if_nan(self.condition_number),
            "scope": self.scope,
            "department": self.department,
            "fallback": self.fallback,
            "fallback_params": _jsonable(self.fallback_params),
            "refusal_code": self.refusal_code,
            "refusal_params": _jsonable(self.refusal_params),
            "notes": [{"code": code, "params": _jsonable(params)} for code, params in self.notes],
            "coefficients": coefficients if self.refused is None else [],
        }

    def excluded_frame(self) -> pd.DataFrame:
        """Tidy ``reason_code``, ``n_use_cases`` (words for the codes:
        :func:`aiadopt.present.text.exclusion_labels`)."""
        return pd.DataFrame(
            {
                "reason_code": pd.Series(list(self.excluded_reasons), dtype="str"),
                "n_use_cases": pd.Series(list(self.excluded_reasons.values()), dtype="int64"),
            }
        )

    def summary(self) -> str:
        """A readable text table (English), like statsmodels' ``summary()``;
        written by :func:`aiadopt.present.text.regression_summary`."""
        from .present.text import regression_summary

        return regression_summary(self)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        if self.refused is not None:
            return f"RegressionResult(refusal_code={self.refused!r}, refusal_params={self.refusal_params!r})"
        return (
            f"RegressionResult(scope={self.scope!r}, n_observations={self.n_observations}, "
            f"r_squared={self.r_squared:.3f}, cv_r_squared={self.cv_r_squared:.3f})"
        )


# --- fitting -------------------------------------------------------------------------------


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {value!r}")
    return int(value)


def _collinear_members(Xc: np.ndarray, keys: list[str]) -> list[str]:
    """Predictors taking part in an exact linear dependence of centred ``Xc``."""
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    tol = s.max() * max(Xc.shape) * np.finfo(float).eps
    null = vt[s <= tol]
    involved = (np.abs(null) > 1e-8).any(axis=0)
    return [k for k, flag in zip(keys, involved, strict=True) if flag]


def _fit(
    table: pd.DataFrame,
    keys: list[str],
    *,
    base: dict[str, Any],
    where: str | None,
    min_obs_per_predictor: int,
    n_boot: int,
    seed: int,
    cv_folds: int,
) -> RegressionResult:
    """Fit (or refuse) on one modelling table."""
    n = len(table)
    notes: list[_Message] = []
    missing = [k for k in COMPETENCIES if k not in keys]
    if missing and keys:
        notes.append(("missing_items", {"names": missing}))

    def refuse(key: str, *, condition_number: float = float("nan"), **params) -> RegressionResult:
        return RegressionResult(
            **base,
            n_observations=n,
            condition_number=condition_number,
            refusal_code=key,
            refusal_params=params,
            notes=notes,
            table=table,
        )

    if not keys:
        return refuse("no_items")
    need = min_obs_per_predictor * len(keys)
    if n < need:
        return refuse("too_few", n=n, need=need, per=min_obs_per_predictor, department=where)

    y = table["roi"].to_numpy(dtype=float)
    if np.ptp(y) <= 1e-12 * max(1.0, abs(y.mean())):
        return refuse("constant_roi", n=n, department=where)
    dropped = [
        k
        for k in keys
        if np.ptp(table[k].to_numpy(dtype=float)) <= 1e-12 * max(1.0, abs(table[k].mean()))
    ]
    kept = [k for k in keys if k not in dropped]
    if dropped:
        notes.append(("dropped_constant", {"names": dropped}))
    if not kept:
        return refuse("all_constant", department=where)
    k = len(kept)
    X = table[kept].astype(float)
    Xv = X.to_numpy()
    n_profiles = len(table.drop_duplicates(subset=kept))
    if n_profiles < k + 1:
        return refuse(
            "too_few_profiles", n=n, profiles=n_profiles, k=k, need=k + 1, department=where
        )
    Xc = Xv - Xv.mean(axis=0)
    if np.linalg.matrix_rank(Xc) < k:
        return refuse("exact_collinear", names=_collinear_members(Xc, kept))

    fit = _ols_fit(y, Xv)
    if not fit.condition_number <= MAX_CONDITION:
        return refuse(
            "ill_conditioned",
            condition_number=fit.condition_number,
            condition=fit.condition_number,
            max=MAX_CONDITION,
        )
    if fit.leverage.max() > 1 - 1e-8:
        return refuse(
            "leverage", use_case=str(table["use_case_id"].iloc[int(fit.leverage.argmax())])
        )
    model = _ols_result(fit, ["const", *kept], "HC3")

    conf = model.conf_int(alpha=0.05).to_numpy()
    vif = np.concatenate([[np.nan], fit.vif])
    x_sd = X.std(ddof=1)
    y_sd = float(np.std(y, ddof=1))
    std_estimate = np.concatenate([[np.nan], np.asarray(model.params)[1:] * x_sd.to_numpy() / y_sd])

    # Relative importance: point estimate from least squares on the data,
    # bootstrap from each resample's covariance matrix (all subsets at once).
    r2_subsets = _subset_r2(y, Xv)
    point = _shapley(r2_subsets[None, :], k)[0]
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(n_boot, n))
        Z = np.column_stack([Xv, y])
        Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)  # scale only (R² is scale-free)
        boot_r2 = _bootstrap_subset_r2(Z, idx)
        boot = _shapley(boot_r2, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_share = boot / boot_r2[:, -1:]
        imp_ci = np.nanpercentile(boot, [2.5, 97.5], axis=0)
        share_ci = np.nanpercentile(boot_share, [2.5, 97.5], axis=0)
    else:
        imp_ci = share_ci = np.full((2, k), np.nan)

    cv = float("nan")
    if n >= 2 * cv_folds:
        from sklearn.linear_model import LinearRegression
        from sklearn.model_selection import KFold, cross_val_score

        folds = KFold(n_splits=cv_folds, shuffle=True, random_state=seed)
        cv = float(cross_val_score(LinearRegression(), Xv, y, cv=folds, scoring="r2").mean())

    nan = np.array([np.nan])
    coefficients = pd.DataFrame(
        {
            "term": pd.Series(["const", *kept], dtype="str"),
            "estimate": np.asarray(model.params),
            "std_error": np.asarray(model.bse),
            "ci_low": conf[:, 0],
            "ci_high": conf[:, 1],
            "p_value": np.asarray(model.pvalues),
            "std_estimate": std_estimate,
            "vif": vif,
            "importance": np.concatenate([nan, point]),
            "importance_ci_low": np.concatenate([nan, imp_ci[0]]),
            "importance_ci_high": np.concatenate([nan, imp_ci[1]]),
        }
    )
    r2 = float(model.rsquared)
    importance = pd.DataFrame(
        {
            "term": pd.Series(kept, dtype="str"),
            "importance": point,
            "importance_ci_low": imp_ci[0],
            "importance_ci_high": imp_ci[1],
            "share": point / r2 if r2 > 0 else np.full(k, np.nan),
            "share_ci_low": share_ci[0],
            "share_ci_high": share_ci[1],
        }
    )
    collinear = [key for key, v in zip(kept, vif[1:], strict=True) if v > VIF_THRESHOLD]
    if collinear:
        notes.append(("collinear", {"names": collinear, "threshold": VIF_THRESHOLD}))
    return RegressionResult(
        **base,
        n_observations=n,
        r_squared=r2,
        adj_r_squared=float(model.rsquared_adj),
        cv_r_squared=cv,
        condition_number=fit.condition_number,
        coefficients=coefficients,
        importance=importance,
        collinear=collinear,
        dropped=dropped,
        notes=notes,
        predictors=tuple(kept),
        predictor_sd=x_sd,
        roi_sd=y_sd,
        n_profiles=n_profiles,
        table=table,
        model=model,
    )


def fit_competency_roi(
    data: Dataset,
    *,
    period: str | pd.Period,
    department: str | None = None,
    min_obs_per_predictor: int = MIN_OBS_PER_PREDICTOR,
    min_department_obs: int = MIN_DEPARTMENT_OBS,
    n_boot: int = 1000,
    seed: int = 0,
    cv_folds: int = 5,
) -> RegressionResult:
    """Regress use-case ROI on the team's leader competency scores (docs/metrics.md §4).

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); ``E`` is its last day.
    department : str, optional
        Fit on this department's use cases. With fewer usable use cases than
        :func:`department_minimum` (``max(min_department_obs,
        min_obs_per_predictor × k)``) the organisation-wide model is
        returned instead (``scope="organisation"``,
        ``fallback="too_few_department"``).
    min_obs_per_predictor : int, default=10
        Refuse to fit with fewer use cases than this times the number of
        competencies with survey items (70 for the standard codebook).
    min_department_obs : int, default=20
        Smallest number of usable use cases for a department's own model,
        whatever the number of competencies.
    n_boot : int, default=1000
        Bootstrap resamples (of use cases) for the importance CIs; 0 for none.
    seed : int, default=0
        Seeds the bootstrap and the cross-validation folds.
    cv_folds : int, default=5
        Folds of the cross-validated R².

    Returns
    -------
    RegressionResult
        Check ``result.refused`` first; see :class:`RegressionResult`.

    Raises
    ------
    ValueError
        For a malformed period, an unknown department (the message lists
        the known ones) or a setting out of range.

    Notes
    -----
    Choices where docs/metrics.md is silent:

    * CIs and p-values use the t distribution with n − k − 1 degrees of
      freedom on the HC3 covariance (slightly wider than the normal one).
    * Cross-validated R² is the mean of the R²s of the test folds
      (scikit-learn's ``cross_val_score``), not the R² of pooled
      out-of-fold predictions; it can be negative.
    * Relative importance is LMG (Shapley values of R² over all 2^k subsets);
      the CIs are 2.5/97.5 percentiles over ``n_boot`` resamples of use
      cases; the share CI is the percentile of importance / R² within each
      resample. Resamples whose ROI has no variance are skipped.
    * The 10-per-predictor rule counts every competency with survey items,
      before any is dropped for having one score for every use case.
    * A competency whose team score is the same for every use case is left
      out, with a note; an exact linear dependence among the scores, fewer
      distinct team/wave score sets than k + 1, or a use case with leverage
      1 (HC3 undefined) refuses the model with a message.
    * The predictors vary between teams and waves, not between use cases of
      one team: HC3 does not allow for that clustering, so with few teams
      the CIs are optimistic (``n_profiles`` says how many score sets there are).

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`; the result holds
    numbers and codes, the sentences come from :mod:`aiadopt.present.text`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> result = fit_competency_roi(data, period="latest", n_boot=50)
    >>> result.refused, result.n_observations, round(result.r_squared, 2)
    (None, 76, 0.72)
    >>> print(result.importance[["term", "share", "share_ci_low", "share_ci_high"]].round(2).to_string(index=False))
         term  share  share_ci_low  share_ci_high
    strategic   0.18          0.07           0.25
         data   0.30          0.23           0.36
       ethics   0.06          0.05           0.11
       change   0.03          0.03           0.11
    prompting   0.17          0.14           0.20
       hybrid   0.17          0.13           0.22
     learning   0.08          0.05           0.16
    >>> from aiadopt.present.text import regression_headline
    >>> print(regression_headline(result, "en"))
    No single competency stands out in explaining differences in ROI, and for none does the 95% CI of the effect exclude zero.
    >>> small = fit_competency_roi(data, period="latest", department="Legal", n_boot=50)
    >>> small.scope, small.fallback, small.fallback_params
    ('organisation', 'too_few_department', {'department': 'Legal', 'n': 1, 'need': 70})
    """
    p = period_of(data, period)
    per = _check_int("min_obs_per_predictor", min_obs_per_predictor, 1)
    min_dept = _check_int("min_department_obs", min_department_obs, 0)
    n_boot = _check_int("n_boot", n_boot, 0)
    cv_folds = _check_int("cv_folds", cv_folds, 2)
    seed = _check_int("seed", seed, 0)

    frame, keys = _model_frame(data, p)
    settings = {"period": str(p), "n_boot": n_boot, "seed": seed, "cv_folds": cv_folds}
    fit_args = {"min_obs_per_predictor": per, "n_boot": n_boot, "seed": seed, "cv_folds": cv_folds}

    fallback: dict[str, Any] = {}
    if department is not None:
        check_department(data, department)
        dept_frame = frame[frame["department"] == department]
        dept_table = _table(dept_frame, keys)
        need = department_minimum(len(keys), min_obs_per_predictor=per, min_department_obs=min_dept)
        if len(dept_table) >= need:
            base = {
                **settings,
                "n_excluded": int(dept_frame["reason"].notna().sum()),
                "excluded_reasons": _reason_counts(dept_frame),
                "scope": "department",
                "department": department,
            }
            return _fit(dept_table, keys, base=base, where=department, **fit_args)
        fallback = {
            "fallback": "too_few_department",
            "fallback_params": {"department": department, "n": len(dept_table), "need": need},
        }

    base = {
        **settings,
        "n_excluded": int(frame["reason"].notna().sum()),
        "excluded_reasons": _reason_counts(frame),
        "scope": "organisation",
        "department": department,
        **fallback,
    }
    return _fit(_table(frame, keys), keys, base=base, where=None, **fit_args)
