"""Pitfall signals (docs/metrics.md §6): four explainable rules per department
and period, returned as data with the figures that triggered them.

The sentences that say a signal are
:func:`aiadopt.present.text.describe_pitfall`'s."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import Dataset
from .kpis import compute_kpis
from .timeline import period_end, period_of, use_case_state
from .units import check_department, known_teams

__all__ = ["COLUMNS", "SIGNALS", "THRESHOLDS", "compute_pitfalls"]

#: Signal keys in report order (labels in labels.yaml ``pitfall.*``).
SIGNALS: tuple[str, ...] = (
    "innovation_club",
    "no_rhythm",
    "too_much_at_once",
    "no_visible_progress",
)

#: Default thresholds of docs/metrics.md §6.
THRESHOLDS: dict[str, float] = {
    "innovation_club": 60.0,  # % of active use cases in one team, strictly above
    "no_rhythm": 2,  # periods without a new use case or a pilot decision
    "too_much_at_once": 3.0,  # running pilots per team on average, strictly above
    "no_visible_progress": 30.0,  # adaptivity score strictly below
}

COLUMNS = (
    "department",
    "period",
    "signal",
    "triggered",
    "value",
    "threshold",
    "n_active_use_cases",
    "top_team",
    "new_use_cases",
    "pilot_decisions",
    "running_pilots",
    "n_teams",
    "adaptivity_score",
    "window_months",
)


def compute_pitfalls(
    data: Dataset,
    *,
    period: str | pd.Period,
    department: str | None = None,
    thresholds: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Evaluate the four pitfall rules for every department in one period.

    Parameters
    ----------
    data : Dataset
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); E is its last day.
    department : str, optional
        Only this department (one of
        :func:`aiadopt.units.known_departments`; a department without use
        cases gets its rows with empty figures).
    thresholds : dict, optional
        Override any of :data:`THRESHOLDS`.

    Returns
    -------
    DataFrame
        One row per department and signal, columns :data:`COLUMNS`:
        ``signal`` (a key of :data:`SIGNALS`), ``triggered`` (bool; False
        when the figure is undefined), ``value`` (the rule's figure) and
        ``threshold``, and the figures behind them:

        - *innovation_club*: value = % of the department's active use cases
          in its largest team (``top_team``), of ``n_active_use_cases``;
          triggered when > 60. Undefined without active use cases.
        - *no_rhythm*: value = ``new_use_cases`` + ``pilot_decisions`` in the
          last 2 periods (this month and the one before): use cases started
          (status ≠ idea) in those months and use cases with a
          production/scaled/stopped decision dated in them; triggered when 0.
        - *too_much_at_once*: value = ``running_pilots`` / ``n_teams``;
          a running pilot at E is a use case active at E and not in
          production at E (so one decided after E was still a pilot);
          ``n_teams`` counts the department's teams in the register or the
          survey. Triggered when > 3.
        - *no_visible_progress*: value = the department's adaptivity score
          (docs/metrics.md §2 KPI 5); triggered when < 30; not triggered when
          the score is undefined.

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`, with an
    overridden threshold (the sentences are
    :func:`aiadopt.present.text.describe_pitfall`'s):

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> signals = compute_pitfalls(data, period="latest", department="Finance",
    ...                            thresholds={"innovation_club": 50})
    >>> print(signals[["signal", "triggered", "value", "threshold"]].round(1).to_string(index=False))
                 signal  triggered  value  threshold
        innovation_club       True  100.0       50.0
              no_rhythm      False    3.0        0.0
       too_much_at_once       True    8.0        3.0
    no_visible_progress       True   12.9       30.0
    """
    limits = dict(THRESHOLDS)
    if thresholds:
        unknown = set(thresholds) - set(THRESHOLDS)
        if unknown:
            raise ValueError(
                f"unknown pitfall thresholds {sorted(unknown)}; expected {sorted(THRESHOLDS)}"
            )
        limits.update(thresholds)
    p = period_of(data, period)
    check_department(data, department)
    end = period_end(p)
    uc = data.use_cases
    state = use_case_state(uc, end, 365)
    state["running_pilot"] = state["active"] & ~state["in_production"]

    window_start = np.datetime64(
        (p - (int(limits["no_rhythm"]) - 1)).start_time.to_datetime64(), "ns"
    )
    start = uc["start_date"].to_numpy(dtype="datetime64[ns]")
    decision = uc["decision_date"].to_numpy(dtype="datetime64[ns]")
    status = uc["status"].astype(object).to_numpy()
    state["new"] = (status != "idea") & (start >= window_start) & (start <= end)
    decided = np.isin(status, ("production", "scaled", "stopped"))
    state["decided_recently"] = decided & (decision >= window_start) & (decision <= end)

    kpis = compute_kpis(data, period=p, level="department")
    adaptivity = kpis.set_index("unit")["adaptivity_score"]
    n_teams = known_teams(data).groupby("department")["team"].nunique()

    departments = sorted(set(kpis["unit"])) if department is None else [department]

    rows = []
    for dept in departments:
        s = state[state["department"] == dept]
        active = s[s["active"]]
        n_active = int(len(active))
        by_team = active["team"].value_counts()
        # Largest team; ties by name so the answer is deterministic.
        top_team = sorted(by_team[by_team == by_team.max()].index)[0] if n_active else None
        share = 100.0 * by_team.max() / n_active if n_active else np.nan
        new, decisions = int(s["new"].sum()), int(s["decided_recently"].sum())
        pilots = int(s["running_pilot"].sum())
        teams_n = int(n_teams.get(dept, 0))
        per_team = pilots / teams_n if teams_n else np.nan
        adapt = float(adaptivity.get(dept, np.nan))
        figures = {
            "n_active_use_cases": n_active,
            "top_team": top_team,
            "new_use_cases": new,
            "pilot_decisions": decisions,
            "running_pilots": pilots,
            "n_teams": teams_n,
            "adaptivity_score": adapt,
            "window_months": int(limits["no_rhythm"]),
        }
        checks = {
            "innovation_club": (
                share,
                limits["innovation_club"],
                bool(share > limits["innovation_club"]),
            ),
            "no_rhythm": (float(new + decisions), 0.0, new + decisions == 0),
            "too_much_at_once": (
                per_team,
                limits["too_much_at_once"],
                bool(per_team > limits["too_much_at_once"]),
            ),
            "no_visible_progress": (
                adapt,
                limits["no_visible_progress"],
                bool(adapt < limits["no_visible_progress"]),
            ),
        }
        for signal in SIGNALS:
            value, threshold, triggered = checks[signal]
            rows.append(
                {
                    "department": dept,
                    "period": str(p),
                    "signal": signal,
                    "triggered": bool(triggered),
                    "value": float(value),
                    "threshold": float(threshold),
                    **figures,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))
