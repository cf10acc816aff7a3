"""The five strategy-execution KPIs of docs/metrics.md §2, per unit and period.

The register holds each use case's *current* state; the state at the end
``E`` of the period (its last day) is rebuilt from the dates by
:func:`aiadopt.timeline.use_case_state` (started, active, in production at
E). Survey figures use the wave of :func:`aiadopt.timeline.survey_wave`, the
latest on or before the period.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .dataset import Dataset
from .privacy import FIGURE_BOUNDS, check_min_group_size, suppress
from .schema import FREQUENCIES
from .survival import km_median, km_survival_at
from .timeline import parse_period, period_end, period_of, survey_wave, use_case_state

__all__ = ["KPI_COLUMNS", "LEVEL_CHOICES", "compute_kpis", "compute_kpi_trend", "parse_period"]

#: Accepted values of ``level``.
LEVEL_CHOICES: tuple[str, ...] = ("organisation", "department", "team", "all")

#: Columns of :func:`compute_kpis`, in order.
KPI_COLUMNS: tuple[str, ...] = (
    "level",
    "unit",
    "department",
    "active_use_cases",
    "time_to_impact_days",
    "core_process_ai_pct",
    "leadership_adoption_pct",
    "adaptivity_score",
    "n_use_cases_started",
    "n_respondents",
    "n_leaders",
    "survey_wave",
    "period",
    "leadership_adoption_pct_suppressed",
    "n_core_processes",
)

#: Unit name of the organisation row.
ORGANISATION = "organisation"

_COUNT_COLUMNS = (
    "active_use_cases",
    "n_use_cases_started",
    "n_respondents",
    "n_leaders",
    "n_core_processes",
)


def _km_by(
    frame: pd.DataFrame,
    keys: list[str],
    index: pd.Index,
    duration: str,
    event: str,
    stat: Callable[[np.ndarray, np.ndarray], float],
) -> pd.Series:
    """A Kaplan–Meier statistic per group of ``keys``, aligned on ``index``."""
    if frame.empty:
        return pd.Series(np.nan, index=index, dtype=float)
    d = frame[duration].to_numpy(dtype=float)
    e = frame[event].to_numpy(dtype=bool)
    groups = frame.groupby(keys[0] if len(keys) == 1 else keys, sort=False).indices
    values = pd.Series(
        [stat(d[i], e[i]) for i in groups.values()],
        index=pd.MultiIndex.from_tuples(list(groups), names=keys)
        if len(keys) > 1
        else pd.Index(list(groups), name=keys[0]),
        dtype=float,
    )
    return values.reindex(index)


def _frequency_code(threshold: str) -> int:
    if threshold not in FREQUENCIES:
        raise ValueError(f"frequency_threshold must be one of {FREQUENCIES}; got {threshold!r}")
    return FREQUENCIES.index(threshold)


def _survey_counts(sub: pd.DataFrame, threshold_code: int) -> pd.DataFrame:
    """Per (department, team): respondents, leaders who answered, adopters."""
    if "ai_use_frequency" in sub.columns:
        freq = sub["ai_use_frequency"]
        if not (
            isinstance(freq.dtype, pd.CategoricalDtype)
            and tuple(freq.cat.categories) == FREQUENCIES
        ):
            freq = pd.Series(
                pd.Categorical(freq, categories=FREQUENCIES, ordered=True), index=sub.index
            )
        codes = freq.cat.codes.to_numpy()
    else:
        codes = np.full(len(sub), -1)
    leader = (sub["role"].astype(object) == "leader").to_numpy()
    answered = leader & (codes >= 0)
    frame = pd.DataFrame(
        {
            "department": sub["department"].to_numpy(dtype=object),
            "team": sub["team"].to_numpy(dtype=object),
            "n_respondents": 1,
            "n_leaders": answered.astype(np.int64),
            "n_adopters": (answered & (codes >= threshold_code)).astype(np.int64),
        }
    )
    return frame.groupby(["department", "team"], sort=False).sum()


def _core_processes(processes: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    """Core processes with a flag: covered by a use case in production at E."""
    core_flag = processes["core"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    core = (
        processes.loc[core_flag, ["department", "process"]]
        .astype(object)
        .dropna()
        .drop_duplicates()
    )
    prod = state.loc[state["in_production"], ["department", "process"]].dropna().drop_duplicates()
    covered = pd.MultiIndex.from_frame(core).isin(pd.MultiIndex.from_frame(prod))
    return core.assign(covered=covered)


def compute_kpis(
    data: Dataset,
    *,
    period: str | pd.Period,
    level: str = "all",
    min_group_size: int = 5,
    frequency_threshold: str = "weekly",
    adaptivity_window_days: int = 365,
    decision_within_days: int = 56,
) -> pd.DataFrame:
    """The docs/metrics.md §2 KPIs of one period, one row per unit.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month, ``"YYYY-MM"`` or a monthly Period, or ``"latest"``
        (:func:`aiadopt.timeline.period_of`). ``E`` is its last day.
    level : {"all", "organisation", "department", "team"}, default="all"
        Which units to return. Suppression is always worked out over all
        units first, so a row's figures do not depend on ``level``.
    min_group_size : int, default=5
        Smallest group of leaders whose leadership adoption is shown
        (integer >= 3, docs/metrics.md §5).
    frequency_threshold : {"never", "monthly", "weekly", "daily"}, default="weekly"
        A leader "adopts" AI when ``ai_use_frequency`` is at least this.
    adaptivity_window_days : int, default=365
        Adaptivity covers use cases with ``start_date > E - window``.
    decision_within_days : int, default=56
        Adaptivity score = 100 × (1 − S(this many days)).

    Returns
    -------
    DataFrame
        One row per unit: the organisation first, then departments, then
        teams (each sorted by name), with columns

        ``level``
            ``organisation``, ``department`` or ``team``.
        ``unit``
            ``"organisation"``, or the department's or team's name.
        ``department``
            The parent department of a team; the department itself for a
            department row; missing for the organisation.
        ``active_use_cases`` : int
            Use cases active at E.
        ``time_to_impact_days`` : float
            Kaplan–Meier median days from start to first impact over use
            cases started by E; NaN when not reached or none started.
        ``core_process_ai_pct`` : float
            % of the unit's core processes with a use case of the same
            department and process in production at E (organisation: all
            core processes). NaN for teams and where the unit has no core
            process.
        ``leadership_adoption_pct`` : float
            % of leaders who answered ``ai_use_frequency`` in the wave used
            whose answer is at least ``frequency_threshold``. NaN when
            suppressed (docs/metrics.md §5).
        ``adaptivity_score`` : float
            100 × (1 − S(``decision_within_days``)) of the Kaplan–Meier curve
            of time to a decision; NaN when there are no use cases in the
            window or S is not estimable (see Notes).
        ``n_use_cases_started`` : int
            Use cases started by E (the time-to-impact group).
        ``n_respondents`` : int
            Survey rows of the unit in the wave used (all roles).
        ``n_leaders`` : int
            Leaders who answered ``ai_use_frequency`` in the wave used: the
            group of leadership adoption.
        ``survey_wave`` : str
            ``"YYYY-MM"`` of the wave used, the same on every row; missing
            when no wave is on or before the period.
        ``period`` : str
            ``"YYYY-MM"`` of the period.
        ``leadership_adoption_pct_suppressed`` : bool
            True where leadership adoption is hidden for privacy.
        ``n_core_processes`` : int
            Core processes in the unit's catalogue (0 for teams).

    Raises
    ------
    ValueError
        For a malformed period, an unknown level or frequency threshold, a
        min_group_size below 3, or a use case whose first_impact_date or
        decision_date precedes its start_date where it would be used.

    Notes
    -----
    Choices where docs/metrics.md is silent:

    * Units are the departments and (department, team) pairs that appear in
      the register, the process catalogue (departments only) or the survey
      wave used. A team is identified by its department and name.
    * Dates are compared as calendar days (any time of day is dropped), and
      durations are whole days.
    * Time-to-impact: a stopped use case without impact by E and without a
      decision_date is censored at its start (duration 0): when it stopped
      is unknown, so it leaves the risk set at once and never counts as
      having had an impact. A first_impact_date on or before E is an event
      even for a stopped use case.
    * Adaptivity: S(t) is not estimable, and the score NaN, when no use case
      of the unit has been observed for ``decision_within_days`` days while
      not every one has been decided (see :func:`aiadopt.survival.km_survival_at`).
    * Leadership adoption counts survey rows with role ``leader``; a leader
      who left ``ai_use_frequency`` empty is outside the group. Only it is
      privacy-suppressed: the other KPIs come from the register, not from
      survey answers. The counts ``n_respondents`` and ``n_leaders`` are
      shown as they are (they reveal no answer). Suppression is the rule of
      :mod:`aiadopt.privacy` over the whole organisation: complementary
      suppression keeps every hidden remainder (a parent's adopters minus
      its shown children's) away from 0% and 100%, so a function of the
      data, the period and ``min_group_size`` only — every report and CLI
      output of that period shows the same cells suppressed.
    * Process names match exactly (same department, same spelling).

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> kpis = compute_kpis(data, period="latest", level="organisation")
    >>> print(kpis[["unit", "active_use_cases", "time_to_impact_days", "adaptivity_score"]].round(1).to_string(index=False))
            unit  active_use_cases  time_to_impact_days  adaptivity_score
    organisation                82                138.0              17.6
    """
    p = period_of(data, period)
    k = check_min_group_size(min_group_size)
    if level not in LEVEL_CHOICES:
        raise ValueError(f"level must be one of {LEVEL_CHOICES}; got {level!r}")
    threshold_code = _frequency_code(frequency_threshold)
    for name, value in (
        ("adaptivity_window_days", adaptivity_window_days),
        ("decision_within_days", decision_within_days),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
            raise ValueError(f"{name} must be a positive whole number of days; got {value!r}")

    end = period_end(p)

    # --- register ---------------------------------------------------------
    state = use_case_state(data.use_cases, end, int(adaptivity_window_days))
    started = state[state["started"]]
    recent = state[state["recent"]]

    def adaptivity(d: np.ndarray, e: np.ndarray) -> float:
        return 100.0 * (1.0 - km_survival_at(d, e, decision_within_days))

    core = _core_processes(data.processes, state)

    # --- survey: the one wave used ----------------------------------------
    wave, in_wave = survey_wave(data.survey, p)
    survey_cols = [
        c for c in ("department", "team", "role", "ai_use_frequency") if c in data.survey
    ]
    sub = data.survey.loc[in_wave, survey_cols]
    team_survey = _survey_counts(sub, threshold_code)

    # --- units --------------------------------------------------------------
    team_keys = pd.concat(
        [
            state[["department", "team"]],
            team_survey.index.to_frame(index=False),
        ],
        ignore_index=True,
    ).dropna()
    team_index = pd.MultiIndex.from_frame(
        team_keys.drop_duplicates().sort_values(["department", "team"])
    )
    departments = sorted(
        set(team_index.get_level_values("department"))
        | set(data.processes["department"].dropna().astype(str))
    )
    dept_index = pd.Index(departments, name="department", dtype=object)

    # --- per level ------------------------------------------------------------
    def level_frame(keys: list[str], index: pd.Index) -> pd.DataFrame:
        grouped = state.groupby(keys[0] if len(keys) == 1 else keys, sort=False)
        out = pd.DataFrame(
            {
                "active_use_cases": grouped["active"].sum(),
                "n_use_cases_started": grouped["started"].sum(),
            }
        ).reindex(index)
        out["time_to_impact_days"] = _km_by(
            started, keys, index, "tti_days", "tti_event", km_median
        )
        out["adaptivity_score"] = _km_by(
            recent, keys, index, "adapt_days", "adapt_event", adaptivity
        )
        return out

    org = pd.DataFrame(
        {
            "active_use_cases": [int(state["active"].sum())],
            "n_use_cases_started": [len(started)],
            "time_to_impact_days": [
                km_median(started["tti_days"].to_numpy(), started["tti_event"].to_numpy())
            ],
            "adaptivity_score": [
                adaptivity(recent["adapt_days"].to_numpy(), recent["adapt_event"].to_numpy())
            ],
        }
    )
    org_survey = team_survey.sum()
    org["n_respondents"] = org_survey.get("n_respondents", 0)
    org["n_leaders"] = org_survey.get("n_leaders", 0)
    org["n_adopters"] = org_survey.get("n_adopters", 0)
    org["n_core_processes"] = len(core)
    org["core_process_ai_pct"] = 100.0 * core["covered"].mean() if len(core) else np.nan
    org.insert(0, "level", "organisation")
    org.insert(1, "unit", ORGANISATION)
    org.insert(2, "department", None)

    dept = level_frame(["department"], dept_index)
    dept_survey = team_survey.groupby(level="department").sum().reindex(dept_index)
    dept = dept.join(dept_survey)
    dept_core = core.groupby("department")["covered"].agg(["size", "sum"]).reindex(dept_index)
    dept["n_core_processes"] = dept_core["size"]
    dept["core_process_ai_pct"] = 100.0 * dept_core["sum"] / dept_core["size"]
    dept = dept.reset_index()
    dept.insert(0, "level", "department")
    dept.insert(1, "unit", dept["department"])

    team = level_frame(["department", "team"], team_index)
    team = team.join(team_survey.reindex(team_index))
    team["n_core_processes"] = 0
    team["core_process_ai_pct"] = np.nan
    team = team.reset_index().rename(columns={"team": "unit"})
    team.insert(0, "level", "team")

    kpis = pd.concat([org, dept, team], ignore_index=True)
    for col in (*_COUNT_COLUMNS, "n_adopters"):
        kpis[col] = kpis[col].fillna(0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        kpis["leadership_adoption_pct"] = np.where(
            kpis["n_leaders"] > 0, 100.0 * kpis["n_adopters"] / kpis["n_leaders"], np.nan
        )
    for col in ("level", "unit", "department"):
        kpis[col] = kpis[col].astype("str")
    kpis["survey_wave"] = pd.Series(
        None if wave is None else str(wave), index=kpis.index, dtype="str"
    )
    kpis["period"] = str(p)

    kpis = suppress(
        kpis,
        figures={"leadership_adoption_pct": "n_leaders"},
        bounds={"leadership_adoption_pct": FIGURE_BOUNDS["leadership_adoption_pct"]},
        min_group_size=k,
    )
    if level != "all":
        kpis = kpis[kpis["level"] == level]
    return kpis.loc[:, list(KPI_COLUMNS)].reset_index(drop=True)


def compute_kpi_trend(
    data: Dataset,
    *,
    period: str | pd.Period,
    months: int = 12,
    level: str = "all",
    min_group_size: int = 5,
    **kwargs,
) -> pd.DataFrame:
    """:func:`compute_kpis` for the ``months`` periods up to and including
    ``period``, stacked (one row per unit and period, oldest first).

    Each period uses its own survey wave and its own privacy suppression,
    exactly as a monthly run of that period would show it. ``period`` is
    as in :func:`compute_kpis` (``"latest"`` too).

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> trend = compute_kpi_trend(data, period="2026-10", months=2, level="organisation")
    >>> print(trend[["period", "active_use_cases", "n_use_cases_started"]].to_string(index=False))
     period  active_use_cases  n_use_cases_started
    2026-09                79                  100
    2026-10                82                  104
    """
    if not isinstance(months, int) or months < 1:
        raise ValueError(f"months must be a positive integer, got {months!r}")
    end = period_of(data, period)
    frames = [
        compute_kpis(data, period=end - k, level=level, min_group_size=min_group_size, **kwargs)
        for k in range(months - 1, -1, -1)
    ]
    return pd.concat(frames, ignore_index=True)
