"""Reliability of a survey scale: Cronbach's alpha with Feldt's confidence
interval (docs/metrics.md §2, "Favourability").

Implemented with numpy and scipy's F distribution only; the numbers match
``pingouin.cronbach_alpha`` (its default ``nan_policy="pairwise"``), which
the test suite uses as an independent reference.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["ALPHA_REASONS", "AlphaResult", "LOW_ALPHA", "NAN_POLICIES", "cronbach_alpha"]

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


def _pairwise_cov(x: np.ndarray) -> np.ndarray:
    """Covariance matrix (ddof=1) over pairwise-complete rows, as
    :meth:`pandas.DataFrame.cov` computes it; NaN where a pair has fewer
    than two common rows."""
    k = x.shape[1]
    answered = ~np.isnan(x)
    cov = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            both = answered[:, i] & answered[:, j]
            m = int(both.sum())
            if m < 2:
                continue
            xi = x[both, i]
            xj = x[both, j]
            cov[i, j] = cov[j, i] = np.dot(xi - xi.mean(), xj - xj.mean()) / (m - 1)
    return cov


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
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {NAN_POLICIES}; got {nan_policy!r}")
    if isinstance(ci, bool) or not isinstance(ci, int | float | np.floating) or not 0 < ci < 1:
        raise ValueError(f"ci must be a number strictly between 0 and 1 (e.g. 0.95); got {ci!r}")
    frame = pd.DataFrame(items)
    non_numeric = [str(c) for c in frame.columns if frame[c].dtype.kind not in "biuf"]
    if non_numeric:
        raise ValueError(
            f"cronbach_alpha: item columns must be numeric; {non_numeric} are not. "
            "Convert Likert labels to 1-5 first (the codebook does this on load)."
        )
    x = frame.to_numpy(dtype=float, na_value=np.nan).reshape(len(frame), frame.shape[1])
    k = x.shape[1]
    x = x[~np.isnan(x).all(axis=1)]
    complete = ~np.isnan(x).any(axis=1)
    if nan_policy == "listwise":
        x = x[complete]
    n = x.shape[0]
    if k < 2:
        return _nan_result(n, "too_few_items", k=k)
    n_complete = int(complete.sum())
    if n_complete < MIN_COMPLETE_RESPONDENTS:
        return _nan_result(n, "too_few_complete", need=MIN_COMPLETE_RESPONDENTS, n=n_complete)
    cov = _pairwise_cov(x)
    if np.isnan(cov).any():
        return _nan_result(n, "no_common_respondents")
    total_var = cov.sum()
    if not total_var > 0:
        return _nan_result(n, "no_variance")
    alpha = k / (k - 1) * (1.0 - np.trace(cov) / total_var)
    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1.0 - ci) / 2.0
    from scipy.stats import f as f_dist  # lazy: a report reading results needs no scipy

    low = 1.0 - (1.0 - alpha) * f_dist.isf(tail, df1, df2)
    high = 1.0 - (1.0 - alpha) * f_dist.isf(1.0 - tail, df1, df2)
    return AlphaResult(alpha, low, high, n)
