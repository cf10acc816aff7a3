"""Which survey wave goes with a use case (docs/metrics.md §4): the latest wave
on or before the month of its start_date, or the first wave when it started
before every wave; only waves on or before the period count. Used by the
competency-to-ROI model and the trained-leader ROI ratio."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NO_WAVE", "month_ordinals", "waves_up_to", "wave_at_start"]

#: Ordinal of "no wave" (pandas' NaT ordinal for periods).
NO_WAVE = np.iinfo(np.int64).min


def month_ordinals(values: pd.Series) -> np.ndarray:
    """Monthly Period ordinals of a period or datetime column (missing -> :data:`NO_WAVE`)."""
    if isinstance(values.dtype, pd.PeriodDtype):
        return np.asarray(values.array.asi8)
    return np.asarray(pd.to_datetime(values).dt.to_period("M").array.asi8)


def waves_up_to(survey: pd.DataFrame, period: pd.Period) -> np.ndarray:
    """Sorted ordinals of the survey's waves on or before ``period``."""
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
