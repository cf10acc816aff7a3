"""Kaplan–Meier helpers for right-censored durations (docs/metrics.md §2).

Thin wrappers around :class:`statsmodels.duration.survfunc.SurvfuncRight`
(the estimator is not re-implemented here) that fix the two read-outs the
KPIs need:

* the **median** is the smallest ``t`` with ``S(t) <= 0.5`` (docs/metrics.md §2.2).
  ``SurvfuncRight.quantile`` uses the strict ``S(t) < 0.5`` (the SAS
  convention), which differs when the curve lands exactly on 0.5, so the
  median is read off the fitted curve here instead;
* ``S(t)`` at a fixed ``t`` is reported only where the data can estimate it.

Durations are in any unit (the KPIs use days); an event status of 1/True
means the event happened at that duration, 0/False that the subject was
censored there (it is known to have survived at least that long).
Censored subjects are at risk at their own censoring time, so an event and
a censoring at the same time count the censored subject in the risk set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["km_fit", "km_median", "km_survival_at"]

#: Absolute tolerance for comparing a survival probability with 0.5: the
#: statsmodels estimator multiplies factors via exp(cumsum(log)), so an
#: exact 0.5 can come out as 0.5000000000000001.
_TOL = 1e-12

_FIT_COLUMNS = ("time", "n_at_risk", "n_events", "survival", "std_err")


def _check(durations: ArrayLike, events: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert to (float durations, 0/1 int events)."""
    d = np.asarray(durations, dtype=float)
    e_raw = np.asarray(events)
    if d.ndim != 1 or e_raw.ndim != 1:
        raise ValueError(
            f"durations and events must be one-dimensional; got shapes {d.shape} and {e_raw.shape}"
        )
    if len(d) != len(e_raw):
        raise ValueError(
            f"durations and events must have the same length; got {len(d)} and {len(e_raw)}"
        )
    if not np.isfinite(d).all():
        raise ValueError(
            f"durations must be finite numbers; {int((~np.isfinite(d)).sum())} are "
            "missing or infinite. Drop those observations or give them a censoring time."
        )
    if (d < 0).any():
        raise ValueError(
            f"durations must be >= 0; {int((d < 0).sum())} are negative "
            f"(smallest {d.min():g}). Check that the end date is not before the start date."
        )
    if e_raw.dtype == bool:
        return d, e_raw.astype(np.int64)
    e = e_raw.astype(float)
    if not ((e == 0) | (e == 1)).all():
        raise ValueError("events must be 0/1 or booleans (1 = event, 0 = censored)")
    return d, e.astype(np.int64)


def _curve(d: np.ndarray, e: np.ndarray):
    from statsmodels.duration.survfunc import SurvfuncRight  # lazy: statsmodels is slow to import

    return SurvfuncRight(d, e)


def km_fit(durations: ArrayLike, events: ArrayLike) -> pd.DataFrame:
    """Kaplan–Meier estimate of the survival function.

    Parameters
    ----------
    durations : array-like of float
        Time from origin to the event or to censoring, ``>= 0``.
    events : array-like of bool or {0, 1}
        1 / True where the event happened at that duration, 0 / False where
        the observation is censored there.

    Returns
    -------
    DataFrame
        One row per distinct event time, in increasing order, with columns
        ``time``, ``n_at_risk`` (subjects at risk just before ``time``),
        ``n_events``, ``survival`` (``S(time)``, the step value from ``time``
        on) and ``std_err`` (Greenwood). ``S(t) = 1`` before the first row.
        Empty (with these columns) when there are no observations or no
        events.

    Examples
    --------
    >>> km_fit([2, 3, 3, 5, 8], [1, 0, 1, 1, 0])[["time", "n_at_risk", "survival"]]
       time  n_at_risk  survival
    0   2.0          5       0.8
    1   3.0          4       0.6
    2   5.0          2       0.3
    """
    d, e = _check(durations, events)
    if len(d) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in _FIT_COLUMNS}).astype(
            {"n_at_risk": "int64"}
        )
    sf = _curve(d, e)
    return pd.DataFrame(
        {
            "time": sf.surv_times.astype(float),
            "n_at_risk": sf.n_risk.astype("int64"),
            "n_events": sf.n_events.astype(float),
            "survival": sf.surv_prob.astype(float),
            "std_err": sf.surv_prob_se.astype(float),
        }
    )


def km_median(durations: ArrayLike, events: ArrayLike) -> float:
    """Kaplan–Meier median: the smallest ``t`` with ``S(t) <= 0.5``.

    Parameters
    ----------
    durations : array-like of float
        Time from origin to the event or to censoring, ``>= 0``.
    events : array-like of bool or {0, 1}
        1 / True for an event, 0 / False for a censored observation.

    Returns
    -------
    float
        The median, or NaN when the curve never falls to 0.5 ("not
        reached", e.g. all observations censored) or there are no
        observations.

    Notes
    -----
    ``SurvfuncRight.quantile(0.5)`` returns the smallest ``t`` with
    ``S(t) < 0.5`` (strict); where the curve sits exactly on 0.5 over an
    interval this function returns the start of that interval, as
    docs/metrics.md §2.2 defines. A tolerance of 1e-12 absorbs floating point.

    Examples
    --------
    >>> km_median([1, 2, 3, 4], [1, 1, 1, 1])  # S(2) = 0.5 exactly
    2.0
    >>> km_median([1, 2, 3], [1, 0, 0])  # S never falls to 0.5
    nan
    """
    d, e = _check(durations, events)
    if len(d) == 0 or not e.any():
        return float("nan")
    sf = _curve(d, e)
    hit = np.flatnonzero(sf.surv_prob <= 0.5 + _TOL)
    if len(hit) == 0:
        return float("nan")
    return float(sf.surv_times[hit[0]])


def km_survival_at(durations: ArrayLike, events: ArrayLike, t: float) -> float:
    """Kaplan–Meier ``S(t)``, the estimated probability of no event by ``t``.

    Events at exactly ``t`` count (``S`` is right-continuous).

    Parameters
    ----------
    durations : array-like of float
        Time from origin to the event or to censoring, ``>= 0``.
    events : array-like of bool or {0, 1}
        1 / True for an event, 0 / False for a censored observation.
    t : float
        The time at which to read the curve.

    Returns
    -------
    float
        ``S(t)``; NaN when there are no observations, and NaN when ``S(t)``
        is not estimable.

    Notes
    -----
    Not estimable means: no subject is observed up to ``t`` (the largest
    duration is below ``t``) while the curve has not reached 0. Beyond the
    last observation the Kaplan–Meier curve is undefined, and carrying the
    last value forward would report e.g. "nobody decided within 56 days" for
    a group that has only been observed for 30 days. Where the curve has
    reached 0 every subject has had the event, so ``S(t) = 0`` for all later
    ``t`` and it is returned.

    Examples
    --------
    >>> round(km_survival_at([2, 3, 3, 5, 8], [1, 0, 1, 1, 0], 3), 12)
    0.6
    >>> km_survival_at([10, 20], [1, 0], 30)  # nobody observed to day 30
    nan
    """
    t = float(t)
    if not np.isfinite(t):
        raise ValueError(f"t must be a finite number; got {t!r}")
    d, e = _check(durations, events)
    if len(d) == 0:
        return float("nan")
    if e.any():
        sf = _curve(d, e)
        i = int(np.searchsorted(sf.surv_times, t, side="right")) - 1
        s = 1.0 if i < 0 else float(sf.surv_prob[i])
    else:
        s = 1.0
    if d.max() < t and s > 0.0:
        return float("nan")
    return s
