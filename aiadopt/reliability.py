"""Reliability of a survey scale: Cronbach's alpha with Feldt's confidence
interval (docs/metrics.md §2, "Favourability").

Implemented with numpy and scipy's F distribution only; the numbers match
``pingouin.cronbach_alpha`` (its default ``nan_policy="pairwise"``), which
the test suite uses as an independent reference. :func:`cronbach_alpha_groups`
gives the alpha of every group (team, department) of a scale at once, with
grouped sums: the measures of 2,000 teams cost one pass over the answers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "ALPHA_REASONS",
    "AlphaResult",
    "LOW_ALPHA",
    "NAN_POLICIES",
    "cronbach_alpha",
    "cronbach_alpha_groups",
]

#: Accepted values of ``nan_policy``.
NAN_POLICIES: tuple[str, ...] = ("pairwise", "listwise")

#: Below this Cronbach's alpha a scale's items do not measure one thing
#: consistently enough, and a reader is told so
#: (:func:`aiadopt.present.text.reliability_flag`); 0.6 is the usual floor
#: for exploratory scales.
LOW_ALPHA: float = 0.6

#: Fewest respondents with every item answered for alpha to be reported.
MIN_COMPLETE_RESPONDENTS: int = 3

#: Codes of why alpha is NaN (``AlphaResult.reason``), with their parameters.
ALPHA_REASONS: tuple[str, ...] = (
    "too_few_items",  # k: the scale's items
    "too_few_complete",  # need, n: respondents who answered every item
    "no_common_respondents",  # a pair of items has fewer than 2 in common
    "no_variance",  # the total score does not vary
)


class _AlphaFields(NamedTuple):
    alpha: float
    ci_low: float
    ci_high: float
    n: int


class AlphaResult(_AlphaFields):
    """``(alpha, ci_low, ci_high, n)``, plus ``reason`` and ``reason_params``.

    Unpacks as a 4-tuple. ``reason`` is ``""`` when alpha was computed, and
    otherwise the code of why ``alpha`` (and its interval) is NaN, one of
    :data:`ALPHA_REASONS`; ``reason_params`` holds its numbers (words:
    :func:`aiadopt.present.text.alpha_reason`).
    """

    reason: str = ""
    reason_params: dict

    def __new__(
        cls,
        alpha: float,
        ci_low: float,
        ci_high: float,
        n: int,
        reason: str = "",
        reason_params: dict | None = None,
    ):
        self = super().__new__(cls, float(alpha), float(ci_low), float(ci_high), int(n))
        self.reason = reason
        self.reason_params = dict(reason_params or {})
        return self

    def __repr__(self) -> str:
        text = (
            f"AlphaResult(alpha={self.alpha!r}, ci_low={self.ci_low!r}, "
            f"ci_high={self.ci_high!r}, n={self.n!r}"
        )
        return text + (f", reason={self.reason!r})" if self.reason else ")")


def _alpha_by_code(
    x: np.ndarray, codes: np.ndarray, n_groups: int, *, ci: float, nan_policy: str
) -> dict[str, np.ndarray]:
    """Cronbach's alpha of every group at once (the engine of
    :func:`cronbach_alpha` and :func:`cronbach_alpha_groups`).

    ``x`` is respondents x items (NaN = not answered), ``codes`` the group
    (0 .. ``n_groups`` - 1) of each respondent. Each variance and covariance
    is computed per group with grouped sums (``np.bincount``), two-pass as
    :meth:`pandas.DataFrame.cov`: the mean of each item over the group's
    respondents who answered both items, then the sum of the products of
    the deviations, over ``m - 1``. Returns arrays over the groups: alpha,
    ci_low, ci_high, n, n_complete, reason (codes of :data:`ALPHA_REASONS`,
    ``""`` when computed).
    """
    k = x.shape[1]
    codes = np.asarray(codes, dtype=np.intp)
    answered = ~np.isnan(x)
    some = answered.any(axis=1)
    x, answered, codes = x[some], answered[some], codes[some]
    complete = answered.all(axis=1)
    n_complete = np.bincount(codes[complete], minlength=n_groups)
    if nan_policy == "listwise":
        x, answered, codes = x[complete], answered[complete], codes[complete]
    n = np.bincount(codes, minlength=n_groups)
    cov = np.full((n_groups, k, k), np.nan)
    if k >= 2:
        for i in range(k):
            for j in range(i, k):
                both = answered[:, i] & answered[:, j]
                c = codes[both]
                xi, xj = x[both, i], x[both, j]
                m = np.bincount(c, minlength=n_groups).astype(float)
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean_i = np.bincount(c, xi, minlength=n_groups) / m
                    mean_j = np.bincount(c, xj, minlength=n_groups) / m
                    products = (xi - mean_i[c]) * (xj - mean_j[c])
                    value = np.bincount(c, products, minlength=n_groups) / (m - 1)
                value[m < 2] = np.nan
                cov[:, i, j] = cov[:, j, i] = value
    total = cov.sum(axis=(1, 2))
    trace = np.trace(cov, axis1=1, axis2=2)
    reason = np.full(n_groups, "", dtype=object)
    if k < 2:
        reason[:] = "too_few_items"
    else:
        few = n_complete < MIN_COMPLETE_RESPONDENTS
        uncommon = ~few & np.isnan(cov).any(axis=(1, 2))
        flat = ~few & ~uncommon & ~(total > 0)
        reason[few] = "too_few_complete"
        reason[uncommon] = "no_common_respondents"
        reason[flat] = "no_variance"
    ok = reason == ""
    alpha = np.full(n_groups, np.nan)
    low = np.full(n_groups, np.nan)
    high = np.full(n_groups, np.nan)
    if ok.any():
        alpha[ok] = k / (k - 1) * (1.0 - trace[ok] / total[ok])
        df1 = n[ok] - 1
        df2 = df1 * (k - 1)
        tail = (1.0 - ci) / 2.0
        from scipy.stats import f as f_dist  # lazy: a report reading results needs no scipy

        low[ok] = 1.0 - (1.0 - alpha[ok]) * f_dist.isf(tail, df1, df2)
        high[ok] = 1.0 - (1.0 - alpha[ok]) * f_dist.isf(1.0 - tail, df1, df2)
    return {
        "alpha": alpha,
        "ci_low": low,
        "ci_high": high,
        "n": n,
        "n_complete": n_complete,
        "reason": reason,
    }


def _check_arguments(ci: object, nan_policy: str) -> None:
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {NAN_POLICIES}; got {nan_policy!r}")
    if isinstance(ci, bool) or not isinstance(ci, int | float | np.floating) or not 0 < ci < 1:
        raise ValueError(f"ci must be a number strictly between 0 and 1 (e.g. 0.95); got {ci!r}")


def _item_matrix(items: pd.DataFrame | np.ndarray, caller: str) -> np.ndarray:
    frame = pd.DataFrame(items)
    non_numeric = [str(c) for c in frame.columns if frame[c].dtype.kind not in "biuf"]
    if non_numeric:
        raise ValueError(
            f"{caller}: item columns must be numeric; {non_numeric} are not. "
            "Convert Likert labels to 1-5 first (the codebook does this on load)."
        )
    return frame.to_numpy(dtype=float, na_value=np.nan).reshape(len(frame), frame.shape[1])


def _nan_result(n_used: int, reason: str, **params: int) -> AlphaResult:
    return AlphaResult(np.nan, np.nan, np.nan, n_used, reason, params)


def cronbach_alpha(
    items: pd.DataFrame | np.ndarray,
    *,
    ci: float = 0.95,
    nan_policy: str = "pairwise",
) -> AlphaResult:
    """Cronbach's alpha of a scale, with Feldt's confidence interval.

    alpha = k / (k − 1) · (1 − Σ item variances / variance of the total),
    computed from the item covariance matrix ``C`` as
    ``k / (k − 1) · (1 − trace(C) / sum(C))``.

    Parameters
    ----------
    items : DataFrame or 2-D array
        One row per respondent, one numeric column per item of the scale;
        NaN = not answered.
    ci : float, default=0.95
        Coverage of the confidence interval, strictly between 0 and 1.
    nan_policy : {"pairwise", "listwise"}, default="pairwise"
        ``"pairwise"`` estimates each variance and covariance from the
        respondents who answered both items (pingouin's default, and
        ``psych::alpha(use="pairwise")`` in R); ``"listwise"`` keeps only
        respondents who answered every item.

    Returns
    -------
    AlphaResult
        ``(alpha, ci_low, ci_high, n)`` with ``n`` the respondents the
        estimate rests on (pairwise: those who answered at least one item;
        listwise: those who answered all), and ``reason`` — empty, or the
        code of why alpha is NaN (:data:`ALPHA_REASONS`).

    Raises
    ------
    ValueError
        For a ``ci`` outside (0, 1), an unknown ``nan_policy`` or
        non-numeric items. Too little data is not an error: the result is
        NaN with a ``reason``.

    Notes
    -----
    * Rows with no answer at all are dropped first: they carry no
      information (pingouin would still count them in ``n``).
    * Alpha is NaN (with a reason) when there are fewer than 2 items,
      fewer than 3 respondents who answered every item, a pair of items
      with fewer than 2 common respondents, or a total score without
      variance.
    * Feldt's interval (Feldt, Woodruff & Salih, 1987), as pingouin:
      ``1 − (1 − alpha) · F(q; n − 1, (n − 1)(k − 1))`` with ``q`` the upper
      ``(1 − ci) / 2`` point for the lower bound and the upper
      ``1 − (1 − ci) / 2`` point for the upper bound. pingouin rounds the
      bounds to 3 decimals; this function does not.
    * With ``"listwise"``, ``n`` is the number of complete respondents
      (pingouin uses the count before deletion for its interval).

    Examples
    --------
    >>> import pandas as pd
    >>> r = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 5]}))
    >>> round(r.alpha, 6), r.n
    (0.888889, 3)
    >>> short = cronbach_alpha(pd.DataFrame({"a": [1, 2], "b": [2, 3]}))
    >>> short.reason, short.reason_params
    ('too_few_complete', {'need': 3, 'n': 2})
    """
    _check_arguments(ci, nan_policy)
    x = _item_matrix(items, "cronbach_alpha")
    k = x.shape[1]
    res = _alpha_by_code(x, np.zeros(len(x), dtype=np.intp), 1, ci=ci, nan_policy=nan_policy)
    n = int(res["n"][0])
    reason = res["reason"][0]
    if reason == "too_few_items":
        return _nan_result(n, reason, k=k)
    if reason == "too_few_complete":
        return _nan_result(n, reason, need=MIN_COMPLETE_RESPONDENTS, n=int(res["n_complete"][0]))
    if reason:
        return _nan_result(n, reason)
    return AlphaResult(res["alpha"][0], res["ci_low"][0], res["ci_high"][0], n)


def cronbach_alpha_groups(
    items: pd.DataFrame | np.ndarray,
    groups: pd.Series | np.ndarray | list,
    *,
    ci: float = 0.95,
    nan_policy: str = "pairwise",
) -> pd.DataFrame:
    """Cronbach's alpha of one scale in every group at once (vectorised).

    The numbers of :func:`cronbach_alpha` on each group's rows, computed
    with grouped sums in one pass over the items: thousands of teams cost
    little more than one.

    Parameters
    ----------
    items : DataFrame or 2-D array
        One row per respondent, one numeric column per item; NaN = not
        answered.
    groups : array-like
        The group of each row (same length as ``items``); rows whose group
        is missing are left out.
    ci : float, default=0.95
        Coverage of Feldt's confidence interval.
    nan_policy : {"pairwise", "listwise"}, default="pairwise"
        As in :func:`cronbach_alpha`.

    Returns
    -------
    DataFrame
        Indexed by the sorted groups, columns ``alpha``, ``ci_low``,
        ``ci_high``, ``n`` (as :func:`cronbach_alpha`), ``n_complete``
        (respondents who answered every item) and ``reason`` (``""`` or a
        code of :data:`ALPHA_REASONS`).

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"a": [1, 2, 3, 2, 2, 2], "b": [1, 3, 5, 3, 3, 3]})
    >>> table = cronbach_alpha_groups(items, ["x", "x", "x", "y", "y", "y"])
    >>> print(table[["alpha", "n"]].round(6).to_string())
          alpha  n
    x  0.888889  3
    y       NaN  3
    >>> table.loc["y", "reason"]
    'no_variance'
    """
    _check_arguments(ci, nan_policy)
    x = _item_matrix(items, "cronbach_alpha_groups")
    codes, labels = pd.factorize(np.asarray(groups, dtype=object), sort=True)
    if len(codes) != len(x):
        raise ValueError(
            f"cronbach_alpha_groups: groups has {len(codes)} values for {len(x)} rows of items"
        )
    keep = codes >= 0
    res = _alpha_by_code(x[keep], codes[keep], len(labels), ci=ci, nan_policy=nan_policy)
    return pd.DataFrame(res, index=pd.Index(labels))
