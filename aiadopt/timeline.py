"""Rules of time, defined once (docs/metrics.md §2 and §4).

Every metric and model asks this module the same questions:

* which month is meant (:func:`parse_period`, :func:`period_of` with
  ``"latest"`` resolved by :meth:`aiadopt.dataset.Dataset.resolve_period`);
* when that month ends (:func:`period_end`, the day ``E``);
* what state each use case was in at ``E`` (:func:`use_case_state`):

  - *started by E*: status != idea and start_date <= E;
  - *active at E*: started by E and not (status stopped and
    decision_date <= E); a stopped use case without decision_date counts as
    stopped;
  - *in production at E*: status production or scaled and
    decision_date <= E, or decision_date missing and start_date <= E;

* which survey wave a period uses (:func:`survey_wave`: the latest wave on or
  before the period);
* which wave goes with a use case (:func:`wave_at_start`: the latest wave on
  or before the month of its start_date, else the first; only waves on or
  before the period count, :func:`waves_up_to`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .dataset import Dataset

__all__ = [
    "NO_WAVE",
    "month_ordinals",
    "parse_period",
    "period_end",
    "period_of",
    "survey_wave",
    "use_case_state",
    "wave_at_start",
    "waves_up_to",
]

#: Ordinal of "no wave" (pandas' NaT ordinal for periods).
NO_WAVE = np.iinfo(np.int64).min

_PERIOD_RE = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
_DAY = np.timedelta64(1, "D")
_LATEST = "latest"

#: Whole months that ``datetime64[ns]`` holds.
_PERIOD_RANGE = (pd.Timestamp.min.to_period("M") + 1, pd.Timestamp.max.to_period("M") - 1)


def _in_range(p: pd.Period) -> pd.Period:
    first, last = _PERIOD_RANGE
    if not first <= p <= last:
        raise ValueError(
            f"period {p} is outside the dates pandas can hold ({first} to {last}); pass a month in that range"
        )
    return p


def parse_period(period: str | pd.Period) -> pd.Period:
    """Turn ``"YYYY-MM"`` or a monthly :class:`pandas.Period` into a month.

    Parameters
    ----------
    period : str or Period
        A calendar month, e.g. ``"2025-03"`` or ``pd.Period("2025-03", "M")``.

    Returns
    -------
    Period
        Monthly period.

    Raises
    ------
    ValueError
        If the string is not ``YYYY-MM`` with a month 01–12, the Period is
        not monthly, or the month lies outside the dates pandas can hold
        (1677-10 to 2262-03): its end would overflow.
    TypeError
        For any other type.

    Examples
    --------
    >>> parse_period("2025-03")
    Period('2025-03', 'M')
    """
    if isinstance(period, pd.Period):
        if period.freqstr != "M":
            raise ValueError(
                f"period must be a calendar month; got a Period with frequency "
                f"{period.freqstr!r} ({period}). Use e.g. pd.Period('2025-03', 'M')."
            )
        return _in_range(period)
    if isinstance(period, str):
        m = _PERIOD_RE.match(period)
        if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) == 0:
            raise ValueError(
                f"period must be a calendar month written 'YYYY-MM' (e.g. '2025-03'); "
                f"got {period!r}"
            )
        return _in_range(pd.Period(f"{m.group(1)}-{m.group(2)}", freq="M"))
    raise TypeError(
        f"period must be a 'YYYY-MM' string or a monthly pandas Period; got "
        f"{type(period).__name__} {period!r}"
    )


def period_of(data: Dataset, period: str | pd.Period | None) -> pd.Period:
    """The month a library call is about: ``"latest"`` (or None) is :meth:`Dataset.resolve_period` of ``data`` (the latest
    month with data, never after the month of the run); anything else is
    :func:`parse_period` of it, so an explicit month may lie after the data
    (a trend, a what-if).

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str, Period or None
        ``"YYYY-MM"``, a monthly Period, or ``"latest"``.

    Returns
    -------
    Period
        Monthly period.

    Raises
    ------
    ValueError, TypeError
        As :func:`parse_period`; ``"latest"`` on a dataset without any date.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aiadopt.dataset import Dataset
    >>> data = Dataset(use_cases=pd.DataFrame({"start_date": pd.to_datetime(["2026-10-02"])}),
    ...                processes=pd.DataFrame(), survey=pd.DataFrame({"wave": []}),
    ...                today=dt.date(2026, 12, 3))
    >>> period_of(data, "latest")
    Period('2026-10', 'M')
    >>> period_of(data, "2027-01")
    Period('2027-01', 'M')
    """
    if period is None or (isinstance(period, str) and period.strip() == _LATEST):
        return data.resolve_period(_LATEST)
    return parse_period(period)


def period_end(period: pd.Period) -> np.datetime64:
    """``E``: the last day of a monthly period, as a ``datetime64[ns]`` day.

    Examples
    --------
    >>> import pandas as pd
    >>> period_end(pd.Period("2025-02", "M"))
    np.datetime64('2025-02-28T00:00:00.000000000')
    """
    return np.datetime64(period.end_time.normalize().to_datetime64(), "ns")


def _dates(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A date column as ``datetime64[ns]`` day values (NaT where missing)."""
    if col not in frame.columns:
        return np.full(len(frame), np.datetime64("NaT", "ns"))
    values = pd.to_datetime(frame[col]).dt.normalize()
    return values.to_numpy(dtype="datetime64[ns]")


def use_case_state(
    use_cases: pd.DataFrame, end: np.datetime64 | pd.Period, window_days: int = 365
) -> pd.DataFrame:
    """Each use case's state at ``E`` and the inputs of the two survival KPIs.

    Parameters
    ----------
    use_cases : DataFrame
        The register (``status``, ``department``, ``team``, ``start_date``;
        optionally ``decision_date``, ``first_impact_date``, ``process``).
    end : datetime64 or Period
        ``E`` (a day), or a monthly period whose :func:`period_end` is used.
    window_days : int, default=365
        Adaptivity window: ``recent`` is started by E with
        ``start_date > E - window_days``.

    Returns
    -------
    DataFrame
        Aligned on ``use_cases.index``: ``department``, ``team``,
        ``started``, ``active``, ``in_production`` (bool, the rules of the
        module docstring), ``process``, ``tti_days`` / ``tti_event`` (days
        from start to first impact by E, or to censoring), ``recent``,
        ``adapt_days`` / ``adapt_event`` (days from start to a decision by E,
        or to E).

    Raises
    ------
    ValueError
        When a first_impact_date or decision_date that would be used lies
        before its start_date (naming the use cases).

    Examples
    --------
    >>> import pandas as pd
    >>> uc = pd.DataFrame({
    ...     "department": "D", "team": "T", "status": ["idea", "pilot", "stopped", "production"],
    ...     "start_date": pd.to_datetime(["2025-01-05", "2025-01-05", "2025-01-05", "2025-01-05"]),
    ...     "decision_date": pd.to_datetime([None, None, "2025-04-01", "2025-04-01"])})
    >>> use_case_state(uc, pd.Period("2025-03", "M"))[["started", "active", "in_production"]]
       started  active  in_production
    0    False   False          False
    1     True    True          False
    2     True    True          False
    3     True    True          False
    """
    if isinstance(end, pd.Period):
        end = period_end(end)
    status = use_cases["status"].astype(object).to_numpy()
    start = _dates(use_cases, "start_date")
    decision = _dates(use_cases, "decision_date")
    impact = _dates(use_cases, "first_impact_date")
    has_start = ~np.isnat(start)
    has_decision = ~np.isnat(decision)
    has_impact = ~np.isnat(impact)

    stopped = status == "stopped"
    in_prod_status = np.isin(status, ("production", "scaled"))
    started = (status != "idea") & has_start & (start <= end)
    decided_by_end = has_decision & (decision <= end)
    active = started & ~(stopped & (decided_by_end | ~has_decision))
    in_production = in_prod_status & (decided_by_end | (~has_decision & has_start & (start <= end)))

    # Time-to-impact: event at first impact if by E; otherwise censored at E,
    # or at the decision date of a stopped use case decided before E, or at
    # the start (duration 0) of a stopped use case without decision date.
    impact_event = has_impact & (impact <= end)
    censor_at = np.where(
        stopped & ~has_decision,
        start,
        np.where(stopped & has_decision & (decision < end), decision, end),
    )
    tti_time = np.where(impact_event, impact, censor_at)
    tti_days = (tti_time - start) / _DAY

    # Adaptivity: started in the window (start > E - window), event = decision by E.
    recent = started & (start > end - np.timedelta64(window_days, "D"))
    decision_event = np.isin(status, ("production", "scaled", "stopped")) & decided_by_end
    adapt_days = (np.where(decision_event, decision, end) - start) / _DAY

    state = pd.DataFrame(
        {
            "department": use_cases["department"].to_numpy(dtype=object),
            "team": use_cases["team"].to_numpy(dtype=object),
            "started": started,
            "active": active,
            "in_production": in_production,
            "process": use_cases["process"].to_numpy(dtype=object)
            if "process" in use_cases.columns
            else np.full(len(use_cases), None, dtype=object),
            "tti_days": tti_days,
            "tti_event": impact_event,
            "recent": recent,
            "adapt_days": adapt_days,
            "adapt_event": decision_event,
        },
        index=use_cases.index,
    )
    _check_order(use_cases, started & (tti_days < 0) & impact_event, "first_impact_date")
    _check_order(
        use_cases, (started & (tti_days < 0)) | (recent & (adapt_days < 0)), "decision_date"
    )
    return state


def _check_order(use_cases: pd.DataFrame, bad: np.ndarray, column: str) -> None:
    """Refuse use cases whose ``column`` precedes their start_date."""
    if not bad.any():
        return
    ids = sorted(map(str, use_cases["use_case_id"].to_numpy(dtype=object)[bad]))
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    raise ValueError(
        f"use_cases: {column} is before start_date for use_case_id {ids[:10]}{more}; "
        "durations cannot be negative. Correct the dates in the use-case register."
    )


def month_ordinals(values: pd.Series) -> np.ndarray:
    """Monthly Period ordinals of a period or datetime column (missing -> :data:`NO_WAVE`).

    Examples
    --------
    >>> import pandas as pd
    >>> month_ordinals(pd.Series(pd.PeriodIndex(["1970-02", None], freq="M"))).tolist() == [1, NO_WAVE]
    True
    """
    if isinstance(values.dtype, pd.PeriodDtype):
        return np.asarray(values.array.asi8)
    return np.asarray(pd.to_datetime(values).dt.to_period("M").array.asi8)


def survey_wave(survey: pd.DataFrame, period: pd.Period) -> tuple[pd.Period | None, np.ndarray]:
    """The survey wave a period uses: the latest wave on or before it.

    Parameters
    ----------
    survey : DataFrame
        Survey rows with a ``wave`` column (``period[M]`` or convertible).
    period : Period
        Monthly period.

    Returns
    -------
    wave : Period or None
        The wave used; None when no wave is on or before ``period``.
    mask : ndarray of bool
        The survey rows of that wave.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"wave": pd.PeriodIndex(["2025-01", "2025-04", "2025-01"], freq="M")})
    >>> wave, mask = survey_wave(survey, pd.Period("2025-03", "M"))
    >>> wave, mask.tolist()
    (Period('2025-01', 'M'), [True, False, True])
    >>> survey_wave(survey, pd.Period("2024-12", "M"))[0] is None
    True
    """
    wave = survey["wave"]
    if not isinstance(wave.dtype, pd.PeriodDtype):
        wave = wave.astype("period[M]")
    ordinals = wave.array.asi8
    valid = ordinals != NO_WAVE
    eligible = valid & (ordinals <= period.ordinal)
    if not eligible.any():
        return None, np.zeros(len(survey), dtype=bool)
    latest = ordinals[eligible].max()
    return pd.Period(ordinal=int(latest), freq="M"), ordinals == latest


def waves_up_to(survey: pd.DataFrame, period: pd.Period) -> np.ndarray:
    """Sorted ordinals of the survey's waves on or before ``period``.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"wave": pd.PeriodIndex(["2025-04", "2025-01", "2025-01"], freq="M")})
    >>> [str(pd.Period(ordinal=o, freq="M")) for o in waves_up_to(survey, pd.Period("2025-03", "M"))]
    ['2025-01']
    """
    ords = month_ordinals(survey["wave"])
    return np.unique(ords[(ords != NO_WAVE) & (ords <= period.ordinal)])


def wave_at_start(start_dates: pd.Series, waves: np.ndarray) -> np.ndarray:
    """For each start date, the ordinal of its wave among ``waves`` (sorted):
    the latest on or before the start month, else the first. :data:`NO_WAVE`
    where there is no wave or no start date.

    Examples
    --------
    >>> import pandas as pd
    >>> waves = pd.PeriodIndex(["2025-01", "2025-03"], freq="M").asi8
    >>> starts = pd.Series(pd.to_datetime(["2024-06-01", "2025-02-15", "2025-03-01", None]))
    >>> [str(pd.Period(ordinal=o, freq="M")) if o != NO_WAVE else None for o in wave_at_start(starts, waves)]
    ['2025-01', '2025-01', '2025-03', None]
    """
    start = month_ordinals(start_dates)
    if len(waves) == 0:
        return np.full(len(start), NO_WAVE)
    pos = np.clip(np.searchsorted(waves, start, side="right") - 1, 0, None)
    return np.where(start != NO_WAVE, waves[pos], NO_WAVE)
