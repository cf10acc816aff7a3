"""The loaded organisation: one object holding the three validated tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .errors import Problem
from .schema import SCALE_FAMILIES

if TYPE_CHECKING:
    from .io.exports.mapping import Mapping

__all__ = ["Dataset"]


@dataclass(frozen=True)
class Dataset:
    """An organisation's validated inputs (docs/metrics.md §1), in canonical form.

    Attributes
    ----------
    use_cases : DataFrame
        One row per use case. ``use_case_id``, ``title``, ``department``,
        ``team``, ``goal``, ``status``, ``process`` are strings (``goal`` and
        ``status`` hold the canonical English values of :mod:`aiadopt.schema`);
        the scores and money columns are float64 (NaN where optional and
        empty); ``start_date``, ``decision_date``, ``first_impact_date`` are
        ``datetime64[ns]`` (NaT where empty). All optional columns exist.
    processes : DataFrame
        ``department``, ``process`` (strings) and ``core`` (bool).
    survey : DataFrame
        One row per respondent per wave. ``respondent_id``, ``department``,
        ``team`` are strings; ``wave`` is ``period[M]``; ``role``,
        ``ai_use_frequency``, ``ai_skill_level`` are categoricals with the
        canonical categories (frequency ordered never < monthly < weekly <
        daily); ``ai_training_done`` is the nullable ``boolean`` dtype;
        ``team_phase`` and every item column are float64 (NaN = not answered).
        Item columns are named ``<prefix>_<key>_<n>`` (``comp_change_1``),
        whatever their name in the source file. Free-text and unknown
        columns are gone.
    items : dict
        Scale column (``comp_change``, ``culture_feedback``,
        ``pillar_human``, ...) -> tuple of its item columns in ``survey``.
        Only scales with at least one item present are listed.
    sources : dict
        Table name -> the file (or database URL) it was read from.
    dropped_columns : tuple
        Names of survey columns dropped at load time (free text, unknown).
    today : date or None
        The date of the run (None: :meth:`datetime.date.today` when asked).
    warnings : tuple of Problem
        Things that are allowed but often a mistake (a department of the
        process catalogue without use cases or survey answers); the CLI
        prints them and the report's About section lists them.
    survey_format : str
        The survey tool whose export the survey was read from
        (``qualtrics``, ``msforms``, ``limesurvey``), or ``aiadopt`` for
        aiadopt's own table (:mod:`aiadopt.io.exports`).
    mapping : aiadopt.io.exports.Mapping or None
        The mapping file the export was read with (its name, size and
        checksum go in the run's manifest).
    """

    use_cases: pd.DataFrame
    processes: pd.DataFrame
    survey: pd.DataFrame
    items: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sources: dict[str, Path | str] = field(default_factory=dict)
    dropped_columns: tuple[str, ...] = ()
    today: dt.date | None = None
    warnings: tuple[Problem, ...] = ()
    survey_format: str = "aiadopt"
    mapping: Mapping | None = None

    def scales(self, family: str) -> dict[str, tuple[str, ...]]:
        """Scale column -> item columns, for one family (``competency``,
        ``culture`` or ``pillar``), in the family's canonical order."""
        prefix, keys = SCALE_FAMILIES[family]
        out = {}
        for key in keys:
            col = f"{prefix}_{key}"
            if col in self.items:
                out[col] = self.items[col]
        return out

    @property
    def periods(self) -> pd.PeriodIndex:
        """Sorted survey waves (calendar months) present in the data."""
        return pd.PeriodIndex(sorted(self.survey["wave"].dropna().unique()), freq="M")

    def last_month_with_data(self) -> pd.Period:
        """The last survey wave, or the month of the last start/decision/impact
        date of the register if that is later (it may lie in the future: a
        planned decision)."""
        months = []
        if len(self.survey) and self.survey["wave"].notna().any():
            months.append(self.survey["wave"].max())
        for col in ("start_date", "decision_date", "first_impact_date"):
            if col in self.use_cases and self.use_cases[col].notna().any():
                months.append(self.use_cases[col].max().to_period("M"))
        if not months:
            raise ValueError("the dataset holds no dated rows; pass a period explicitly")
        return max(months)

    def current_month(self) -> pd.Period:
        """The month of the run (of :attr:`today`)."""
        return pd.Period(self.today or dt.date.today(), freq="M")

    def latest_period(self) -> pd.Period:
        """The latest month with data (:meth:`last_month_with_data`), but
        never later than the current month."""
        return min(self.last_month_with_data(), self.current_month())

    def resolve_period(self, period: str | pd.Period | None = "latest") -> pd.Period:
        """The month to report on: ``"latest"`` (or None) is
        :meth:`latest_period`; an explicit month must not be after it.

        Raises
        ------
        ValueError
            When the month is malformed, outside the dates pandas can hold, or
            after the latest month with data (which would publish zeros).

        Examples
        --------
        >>> import pandas as pd
        >>> import datetime as dt
        >>> data = Dataset(use_cases=pd.DataFrame({"start_date": pd.to_datetime(["2026-10-02"])}),
        ...                processes=pd.DataFrame(), survey=pd.DataFrame({"wave": []}),
        ...                today=dt.date(2026, 12, 3))
        >>> data.resolve_period("2026-09")
        Period('2026-09', 'M')
        >>> data.resolve_period("2030-01")
        Traceback (most recent call last):
        ...
        ValueError: no data for 2030-01; the latest month with data is 2026-10. Pass --period 2026-10 or an earlier month.
        """
        from .kpis import parse_period

        latest = self.latest_period()
        if period is None or (isinstance(period, str) and period.strip() in ("", "latest")):
            return latest
        p = parse_period(period)
        if p > latest:
            raise ValueError(
                f"no data for {p}; the latest month with data is {latest}. "
                f"Pass --period {latest} or an earlier month."
            )
        return p
