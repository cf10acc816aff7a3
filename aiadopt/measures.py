"""The further measures of docs/metrics.md §2, per unit and period, as tidy frames.

Transformation phase, competency gap, culture and pillar scores, skills
pyramid, goal mix and the trained-leader ROI ratio. Every ``compute_*``
function returns one long ("tidy", seaborn-style) frame with the columns
of :data:`MEASURE_COLUMNS` — one row per unit, key and statistic — and
:func:`compute_measures` stacks them all for the ``aiadopt measures``
command.

Survey figures use the period's wave: the latest wave whose month is on or
before the period (as :func:`aiadopt.kpis.compute_kpis`). Every figure
derived from survey answers goes through the rule of :mod:`aiadopt.privacy`
(:func:`aiadopt.privacy.suppression_mask`, docs/metrics.md §5): a suppressed
figure is NaN, ``suppressed`` is True and ``reason`` says why
(``complementary`` also covers a unit hidden so that no hidden remainder
sits at a bound). Percentages of respondents, 1–5 means and 0–100 scores
are value-checked with their bounds (:data:`aiadopt.privacy.FIGURE_BOUNDS`).
Register figures (goal mix, ROI values) are not suppressed.

Column contract (:data:`MEASURE_COLUMNS`)
-----------------------------------------
``level``
    ``organisation``, ``department`` or ``team``.
``unit``
    ``"organisation"`` or the department's or team's name.
``department``
    A team's department; the department itself on a department row;
    missing on the organisation row.
``measure``
    ``phases``, ``competency_gap``, ``culture``, ``pillar``,
    ``skills_pyramid``, ``goal_mix`` or ``trained_roi``.
``key``
    What the row is about within the measure: a phase (``"1"`` … ``"5"``,
    ``"4+"``, ``"median"``), a competency, culture trait or pillar key, a
    skill level, a goal, or ``trained`` / ``untrained`` / ``ratio`` /
    ``unclassified`` for the ROI ratio.
``statistic``
    The kind of number in ``value`` (see each function).
``value`` : float
    The figure; NaN when suppressed or not computable (see ``reason``).
``ci_low``, ``ci_high`` : float
    95% confidence interval where the statistic has one (Cronbach's
    alpha, ROI medians and ratio), else NaN.
``n`` : Int64
    Size of the group the figure is computed over: respondents (survey
    figures), active use cases (goal mix), use cases (ROI). For the ROI
    rows it is hidden (missing) when the figure is suppressed, because the
    split into trained and untrained is itself survey-derived.
``suppressed`` : bool
    True where the figure is hidden for privacy.
``reference`` : float
    What the figure is compared with: the national benchmark (competency
    gap), the target share (skills pyramid, % of teams at phase 4+), the
    70% threshold (personal goal share) or the seed's 2.7× claim (ROI ratio).
``reason`` : str
    Empty when the figure is shown in full; otherwise a code from
    :data:`REASONS` saying why ``value`` (or only its interval, for an ROI
    median of fewer than ``min_use_cases`` use cases) is missing.
``survey_wave`` : str
    ``"YYYY-MM"`` of the survey wave used; missing for register measures
    and for the ROI ratio (which uses a wave per use case).
``period`` : str
    ``"YYYY-MM"`` of the period.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .dataset import Dataset
from .kpis import ORGANISATION
from .privacy import FIGURE_BOUNDS, check_min_group_size, suppression_mask
from .reliability import _alpha_by_code
from .roi import compute_roi
from .schema import GOALS, PHASES, SKILL_LEVELS
from .timeline import period_end, period_of, survey_wave, use_case_state, wave_at_start, waves_up_to

__all__ = [
    "BENCHMARKS",
    "MEASURE_COLUMNS",
    "MEASURES",
    "MEASURES_TABLE_COLUMNS",
    "MIN_USE_CASES",
    "PHASE_TARGET_PCT",
    "REASONS",
    "SEED_ROI_CLAIM",
    "SKILL_TARGETS",
    "compute_competency_gap",
    "compute_culture",
    "compute_goal_mix",
    "compute_measures",
    "compute_phases",
    "compute_skills_pyramid",
    "compute_trained_roi_ratio",
]

#: Columns of every ``compute_*`` frame, in order (see the module docstring).
MEASURE_COLUMNS: tuple[str, ...] = (
    "level",
    "unit",
    "department",
    "measure",
    "key",
    "statistic",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "suppressed",
    "reference",
    "reason",
    "survey_wave",
    "period",
)

#: Columns of :func:`compute_measures`: the same as :data:`MEASURE_COLUMNS`
#: (codes and numbers; :func:`aiadopt.present.text.measure_labels` adds the
#: reader columns ``label`` and ``note``).
MEASURES_TABLE_COLUMNS: tuple[str, ...] = MEASURE_COLUMNS

#: Measures in report order.
MEASURES: tuple[str, ...] = (
    "phases",
    "competency_gap",
    "culture",
    "pillar",
    "skills_pyramid",
    "goal_mix",
    "trained_roi",
)

#: National benchmark (% of leaders sufficiently qualified), seed 002 table
#: "AI-competentiekloof 2025" (Nederlandse AI-Monitor 2025). Mapping of the
#: seed's rows onto the seven competencies:
#: "Technisch AI-basisbegrip" -> prompting (prompt engineering is the seed's
#: hands-on technical skill of a leader, "de belangrijkste interface tussen
#: mens en AI"); "Strategische AI-beoordelingscompetentie" -> strategic;
#: "AI-change-management" -> change; "AI-governance-begrip" -> ethics (AI
#: ethics & governance). data, hybrid and learning have no benchmark.
BENCHMARKS: dict[str, float] = {
    "prompting": 42.0,
    "strategic": 23.0,
    "change": 16.0,
    "ethics": 14.0,
}

#: Skills-pyramid target shares in % (seed 002: 80/15/5).
SKILL_TARGETS: dict[str, float] = {"user": 80.0, "connector": 15.0, "specialist": 5.0}

#: Seed 002's claim: leaders with at least basic AI training see 2.7x the ROI.
SEED_ROI_CLAIM: float = 2.7

#: Seed 000's goal: all teams at phase >= 4, i.e. a target of 100%.
PHASE_TARGET_PCT: float = 100.0

#: Default fewest use cases per group for the trained-leader ROI ratio.
MIN_USE_CASES: int = 5

#: ``reason`` codes -> label key in ``labels.yaml`` (group ``measure_reason``).
REASONS: tuple[str, ...] = (
    "no_survey_wave",
    "no_answers",
    "small_group",
    "complementary",
    "department_suppressed",
    "no_benchmark",
    "alpha_not_estimable",
    "no_active_use_cases",
    "too_few_use_cases",
    "untrained_median_not_positive",
    "bootstrap_unstable",
)

_LEVEL_ORDER = {"organisation": 0, "department": 1, "team": 2}
_PHASE_KEYS = tuple(str(p) for p in PHASES)


# --- shared helpers ---------------------------------------------------------


def _wave(data: Dataset, p: pd.Period) -> tuple[str | None, pd.DataFrame]:
    """The wave used (``"YYYY-MM"`` or None) and its survey rows."""
    wave, mask = survey_wave(data.survey, p)
    return (None if wave is None else str(wave)), data.survey.loc[mask]


class _UnitIndex:
    """The units of a frame — the organisation, each department, each team
    (``teams=True``), sorted by name — and for each row the position of its
    unit at each level, so that a figure of every unit is one grouped sum
    (``np.bincount``) instead of a loop over 2,000 groups.

    ``rows`` holds one array per level (organisation, departments, teams):
    the unit position of each row, -1 where the row has no unit there (a
    missing department or team, as ``groupby`` drops it).
    """

    def __init__(self, frame: pd.DataFrame, *, teams: bool = True):
        self.level: list[str] = ["organisation"]
        self.unit: list[str] = [ORGANISATION]
        self.department: list[str | None] = [None]
        n = len(frame)
        self.rows: list[np.ndarray] = [np.zeros(n, dtype=np.intp)]
        if n == 0:
            return
        d_codes, d_values = pd.factorize(frame["department"].astype(object))
        d_values = d_values.tolist()
        d_order = sorted(range(len(d_values)), key=lambda i: str(d_values[i]))
        d_pos = np.empty(len(d_values), dtype=np.intp)
        d_pos[d_order] = len(self.level) + np.arange(len(d_order))
        for i in d_order:
            self.level.append("department")
            self.unit.append(str(d_values[i]))
            self.department.append(str(d_values[i]))
        self.rows.append(np.where(d_codes >= 0, d_pos[np.maximum(d_codes, 0)], -1))
        if not teams:
            return
        t_codes, t_values = pd.factorize(frame["team"].astype(object))
        t_values = t_values.tolist()
        both = (d_codes >= 0) & (t_codes >= 0)
        pair = np.where(both, d_codes.astype(np.int64) * max(len(t_values), 1) + t_codes, -1)
        p_codes, p_values = pd.factorize(pair)
        p_codes = np.where(both, p_codes, -1)
        keys = [
            (str(d_values[v // max(len(t_values), 1)]), str(t_values[v % max(len(t_values), 1)]))
            for v in p_values
        ]
        p_order = sorted((i for i in range(len(keys)) if p_values[i] >= 0), key=lambda i: keys[i])
        p_pos = np.full(len(keys), -1, dtype=np.intp)
        p_pos[p_order] = len(self.level) + np.arange(len(p_order))
        for i in p_order:
            self.level.append("team")
            self.unit.append(keys[i][1])
            self.department.append(keys[i][0])
        self.rows.append(np.where(p_codes >= 0, p_pos[np.maximum(p_codes, 0)], -1))

    def __len__(self) -> int:
        return len(self.level)

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Per unit: the rows (where ``mask``)."""
        out = np.zeros(len(self), dtype=np.int64)
        for idx in self.rows:
            keep = idx >= 0 if mask is None else (idx >= 0) & mask
            out += np.bincount(idx[keep], minlength=len(self))
        return out

    def stacked(self) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers and unit positions of every (row, unit) membership:
        each row once per level it has a unit at."""
        rows = [np.flatnonzero(idx >= 0) for idx in self.rows]
        return np.concatenate(rows), np.concatenate(
            [idx[r] for idx, r in zip(self.rows, rows, strict=True)]
        )

    def means(self, values: np.ndarray) -> np.ndarray:
        """Per unit: the mean of ``values`` over its rows, skipping NaN,
        summed exactly as :meth:`pandas.Series.mean` does (numpy's sum of
        the unit's rows in frame order, missing values as 0), so the result
        is the one of a loop over groups to the last bit."""
        filled = np.where(np.isnan(values), 0.0, values)
        answered = ~np.isnan(values)
        out = np.full(len(self), np.nan)
        counts = self.count(answered)
        for idx in self.rows:
            keep = np.flatnonzero(idx >= 0)
            order = keep[np.argsort(idx[keep], kind="stable")]
            units, starts = np.unique(idx[order], return_index=True)
            ends = np.append(starts[1:], len(order))
            ordered = filled[order]
            for u, a, b in zip(units.tolist(), starts.tolist(), ends.tolist(), strict=True):
                if counts[u]:
                    out[u] = ordered[a:b].sum() / counts[u]
        return out

    def frame(self, n_per_unit: int, columns: dict[str, object]) -> pd.DataFrame:
        """Rows as :func:`_row` builds them, ``n_per_unit`` per unit in unit
        order; ``columns`` holds arrays of ``len(self) * n_per_unit`` values
        (or one value for all rows)."""
        size = len(self) * n_per_unit
        unit_of_row = np.repeat(np.arange(len(self)), n_per_unit)
        full = {
            "level": [self.level[u] for u in unit_of_row],
            "unit": [self.unit[u] for u in unit_of_row],
            "department": [self.department[u] for u in unit_of_row],
        }
        defaults = {
            "value": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "reference": np.nan,
            "reason": "",
            "private": True,
        }
        for name in (
            "key",
            "statistic",
            "value",
            "ci_low",
            "ci_high",
            "n",
            "group_n",
            "reference",
            "reason",
            "private",
        ):
            if name == "group_n" and "group_n" not in columns:
                value = columns["n"]
            else:
                value = columns.get(name, defaults.get(name))
            if name in ("key", "statistic", "reason"):
                full[name] = [value] * size if isinstance(value, str) else [str(v) for v in value]
                continue
            dtype = {"n": np.int64, "group_n": np.int64, "private": bool}.get(name, float)
            array = np.asarray(value, dtype=dtype)
            full[name] = np.full(size, array, dtype=dtype) if array.ndim == 0 else array
        return pd.DataFrame(full)


def _row(
    level,
    unit,
    department,
    key,
    statistic,
    value=np.nan,
    *,
    n=0,
    group_n=None,
    ci=(np.nan, np.nan),
    reference=np.nan,
    reason="",
    private=True,
) -> dict:
    return {
        "level": level,
        "unit": unit,
        "department": department,
        "key": key,
        "statistic": statistic,
        "value": float(value),
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
        "n": int(n),
        "group_n": int(n if group_n is None else group_n),
        "reference": float(reference),
        "reason": reason,
        "private": private,
    }


def _unit_id(level: pd.Series, unit: pd.Series, department: pd.Series) -> pd.Series:
    return (
        level.astype(str)
        + "\x00"
        + department.astype(object).fillna("").astype(str)
        + "\x00"
        + unit.astype(str)
    )


def _apply_privacy(
    rows: pd.DataFrame,
    *,
    k: int,
    by: Iterable[str] = ("key",),
    hide_n: bool = False,
    shares: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Run the rule of :mod:`aiadopt.privacy` over the ``private`` rows, per
    ``by`` group (each group must hold every unit: organisation, all
    departments, all teams, with one ``group_n`` per unit), and blank the
    suppressed figures. Statistics listed in
    :data:`aiadopt.privacy.FIGURE_BOUNDS` are additive: their values are
    checked so that no hidden remainder is at a bound; one decision per unit
    covers every statistic of the group. ``shares`` (columns level, unit,
    department, value, weight) adds a 0–100 share weighted by ``weight``
    (not by the group size) to every group's check."""
    rows = rows.copy()
    if rows.empty:
        return rows
    rows["suppressed"] = False
    private = rows[rows["private"]]
    if private.empty:
        return rows
    ids = _unit_id(rows["level"], rows["unit"], rows["department"]).to_numpy()
    level = rows["level"].to_numpy(dtype=object)
    department = rows["department"].to_numpy(dtype=object)
    size_all = rows["group_n"].to_numpy()
    reasons = rows["reason"].to_numpy(dtype=object).copy()
    suppressed = np.zeros(len(rows), dtype=bool)
    by = list(by)
    groups = private.groupby(by, sort=False) if by else [((), private)]
    for _, g in groups:
        units = g.drop_duplicates(["level", "unit", "department"]).loc[
            :, ["level", "unit", "department", "group_n"]
        ]
        units = units.reset_index(drop=True)
        unit_ids = _unit_id(units["level"], units["unit"], units["department"])
        additive = g[g["statistic"].isin(list(FIGURE_BOUNDS))]
        values: dict[str, np.ndarray] = {}
        bounds: dict[str, tuple[float, float]] = {}
        if not additive.empty:
            # The additive figures as unit x (key, statistic) columns, in
            # the sorted column order of a pivot table.
            at = pd.Index(unit_ids.to_numpy()).get_indexer(
                _unit_id(additive["level"], additive["unit"], additive["department"]).to_numpy()
            )
            keys = additive["key"].to_numpy(dtype=object)
            stats = additive["statistic"].to_numpy(dtype=object)
            figures = additive["value"].to_numpy(dtype=float)
            for key, stat in sorted(set(zip(keys.tolist(), stats.tolist(), strict=True))):
                cell = (keys == key) & (stats == stat)
                column = np.full(len(units), np.nan)
                column[at[cell]] = figures[cell]
                name = f"{key}\x00{stat}"
                values[name] = column
                bounds[name] = FIGURE_BOUNDS[stat]
        weights: dict[str, np.ndarray] = {}
        if shares is not None:
            own = shares.set_index(
                _unit_id(shares["level"], shares["unit"], shares["department"]).to_numpy()
            ).reindex(unit_ids.to_numpy())
            values["\x00share"] = own["value"].to_numpy(dtype=float)
            weights["\x00share"] = own["weight"].fillna(0).to_numpy(dtype=float)
            bounds["\x00share"] = (0.0, 100.0)
        mask = suppression_mask(
            units["level"].to_numpy(dtype=object),
            units["department"].to_numpy(dtype=object),
            units["unit"].to_numpy(dtype=object),
            units["group_n"].to_numpy(dtype=float),
            values=values,
            bounds=bounds,
            weights=weights,
            min_group_size=k,
        )
        hidden = set(unit_ids[mask])
        hidden_depts = set(units.loc[mask & (units["level"] == "department").to_numpy(), "unit"])
        # Only the group's rows can be hit: work on them alone.
        in_group = rows.index.get_indexer(g.index)
        hit = in_group[pd.Index(ids[in_group]).isin(list(hidden))]
        suppressed[hit] = True
        size = size_all[hit]
        reason = np.where(
            size <= 0,
            "no_answers",
            np.where(
                size < k,
                "small_group",
                np.where(
                    (level[hit] == "team") & pd.Index(department[hit]).isin(list(hidden_depts)),
                    "department_suppressed",
                    "complementary",
                ),
            ),
        )
        # A group of 0 whose figure is missing anyway (e.g. no use case to
        # classify) keeps that more telling reason.
        keep = (size <= 0) & (reasons[hit] != "")
        reasons[hit[~keep]] = reason[~keep]
    rows["suppressed"] = suppressed
    rows["reason"] = pd.Series(reasons, index=rows.index, dtype=rows["reason"].dtype)
    blank = rows["suppressed"].to_numpy()
    rows.loc[blank, ["value", "ci_low", "ci_high"]] = np.nan
    if hide_n:
        rows["n"] = rows["n"].astype("Int64").mask(blank)
    return rows


def _finish(
    rows: list[dict] | pd.DataFrame, *, measure: str, wave: str | None, period: pd.Period
) -> pd.DataFrame:
    """Typed frame with :data:`MEASURE_COLUMNS` in order."""
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MEASURE_COLUMNS})
    if "suppressed" not in frame:
        frame["suppressed"] = False
    frame["measure"] = measure
    frame["survey_wave"] = wave
    frame["period"] = str(period)
    for col in (
        "level",
        "unit",
        "department",
        "measure",
        "key",
        "statistic",
        "reason",
        "survey_wave",
        "period",
    ):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None).astype("str")
    for col in ("value", "ci_low", "ci_high", "reference"):
        frame[col] = frame[col].astype(float)
    frame["n"] = frame["n"].astype("Int64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    frame["reason"] = frame["reason"].fillna("")
    return frame.loc[:, list(MEASURE_COLUMNS)].reset_index(drop=True)


def _no_wave_rows(
    keys_stats: Iterable[tuple[str, str]], reference: dict | None = None
) -> list[dict]:
    reference = reference or {}
    return [
        _row(
            "organisation",
            ORGANISATION,
            None,
            key,
            stat,
            reference=reference.get(key, np.nan),
            reason="no_survey_wave",
        )
        for key, stat in keys_stats
    ]


def _no_wave_frame(rows: list[dict], *, measure: str, period: pd.Period) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return _finish(frame, measure=measure, wave=None, period=period)
    frame["suppressed"] = frame["private"]
    return _finish(frame, measure=measure, wave=None, period=period)


def _scale_scores(rows: pd.DataFrame, item_cols: tuple[str, ...]) -> pd.Series:
    """Each respondent's scale score: the mean of the items they answered
    (NaN when none)."""
    values = rows.loc[:, list(item_cols)].to_numpy(dtype=float, na_value=np.nan)
    answered = (~np.isnan(values)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(answered > 0, np.nansum(values, axis=1) / np.maximum(answered, 1), np.nan)
    return pd.Series(score, index=rows.index)


# --- transformation phase ------------------------------------------------------


def compute_phases(
    data: Dataset, *, period: str | pd.Period, min_group_size: int = 5
) -> pd.DataFrame:
    """Transformation phase of teams (seed 000), per unit.

    A team's phase is the median of its respondents' ``team_phase``
    answers; the department and organisation rows give the distribution of
    their teams over the five phases and the KPI "% of teams at phase ≥ 4"
    (seed 000's goal: all teams, so ``reference`` is 100).

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); the latest wave on or before it is used.
    min_group_size : int, default=5
        Smallest group of respondents whose figures are shown (>= 3).

    Returns
    -------
    DataFrame
        :data:`MEASURE_COLUMNS` with ``measure="phases"`` and rows

        * team rows: ``key="median"``, ``statistic="team_phase"`` — the
          team's median phase (may be x.5 for an even number of answers);
        * organisation and department rows: ``key`` ``"1"`` … ``"5"`` with
          ``statistic="pct_teams"`` (% of the unit's counted teams at that
          phase), ``key="4+"`` with ``statistic="pct_teams_phase_4plus"``,
          ``statistic="n_teams"`` (the teams counted: those whose phase is
          shown) and ``statistic="n_teams_hidden"`` (teams with answers
          whose phase is suppressed); the two counts are never suppressed.

        ``n`` is the number of respondents who answered ``team_phase`` in
        the unit: the privacy group of every figure of the unit.

    Notes
    -----
    Choices where docs/metrics.md is silent:

    * A team median halfway between two phases (e.g. 3.5) falls in the
      lower phase of the distribution and is not "at phase ≥ 4": the team
      is not yet fully in the higher phase.
    * The distribution of a department or the organisation counts only the
      teams whose own phase is shown (``n_teams``); teams with answers whose
      phase is suppressed are left out and counted on their own
      (``n_teams_hidden``). Counting them would leak: the distribution
      minus the shown teams would give the hidden teams' phases (all of
      them, when they share a phase). Teams without any answer are not
      counted.
    * Units are the departments and teams in the survey wave used.

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> phases = compute_phases(data, period="latest")
    >>> print(phases[phases["level"] == "organisation"][['key', 'statistic', 'value', 'n']].round(1).to_string(index=False))
    key             statistic  value   n
      1             pct_teams    0.0 158
      2             pct_teams   66.7 158
      3             pct_teams   33.3 158
      4             pct_teams    0.0 158
      5             pct_teams    0.0 158
     4+ pct_teams_phase_4plus    0.0 158
     4+               n_teams    6.0 158
     4+        n_teams_hidden    2.0 158
    """
    p = period_of(data, period)
    k = check_min_group_size(min_group_size)
    wave, sub = _wave(data, p)
    if wave is None:
        keys = [(key, "pct_teams") for key in _PHASE_KEYS]
        keys += [("4+", "pct_teams_phase_4plus"), ("4+", "n_teams"), ("4+", "n_teams_hidden")]
        rows = _no_wave_rows(keys, {"4+": PHASE_TARGET_PCT})
        for r in rows:
            if r["statistic"] in ("n_teams", "n_teams_hidden"):
                r.update(value=0.0, reason="", private=False)
        return _no_wave_frame(rows, measure="phases", period=p)

    phase = sub["team_phase"].astype(float)
    team_median = phase.groupby(
        [sub["department"].astype(object), sub["team"].astype(object)], sort=False
    ).median()
    ui = _UnitIndex(sub)
    answered = ui.count(sub["team_phase"].notna().to_numpy())
    is_team = np.array([level == "team" for level in ui.level])
    team_keys = pd.MultiIndex.from_arrays(
        [
            np.asarray(ui.department, dtype=object)[is_team],
            np.asarray(ui.unit, dtype=object)[is_team],
        ]
    )
    medians = np.full(len(ui), np.nan)
    if is_team.any():
        medians[is_team] = team_median.reindex(team_keys).to_numpy(dtype=float)
    # Team units have one row, the others eight: build both and interleave
    # them in unit order.
    per_unit = np.where(is_team, 1, len(_PHASE_KEYS) + 3)
    unit_of_row = np.repeat(np.arange(len(ui)), per_unit)
    first = np.concatenate([[0], np.cumsum(per_unit)[:-1]])
    slot = np.arange(len(unit_of_row)) - first[unit_of_row]
    team_row = is_team[unit_of_row]
    unit_keys = list(_PHASE_KEYS) + ["4+", "4+", "4+"]
    unit_stats = ["pct_teams"] * len(_PHASE_KEYS) + [
        "pct_teams_phase_4plus",
        "n_teams",
        "n_teams_hidden",
    ]
    key = np.where(
        team_row, "median", np.asarray(unit_keys, dtype=object)[np.where(team_row, 0, slot)]
    )
    statistic = np.where(
        team_row, "team_phase", np.asarray(unit_stats, dtype=object)[np.where(team_row, 0, slot)]
    )
    rows = pd.DataFrame(
        {
            "level": [ui.level[u] for u in unit_of_row],
            "unit": [ui.unit[u] for u in unit_of_row],
            "department": [ui.department[u] for u in unit_of_row],
            "key": [str(v) for v in key],
            "statistic": [str(v) for v in statistic],
            "value": np.where(team_row, medians[unit_of_row], np.nan),
            "ci_low": np.nan,
            "ci_high": np.nan,
            "n": answered[unit_of_row].astype(np.int64),
            "group_n": answered[unit_of_row].astype(np.int64),
            "reference": np.where(statistic == "pct_teams_phase_4plus", PHASE_TARGET_PCT, np.nan),
            "reason": "",
            "private": ~np.isin(statistic, ["n_teams", "n_teams_hidden"]),
        }
    )
    frame = _apply_privacy(rows, k=k, by=())
    # Distributions count only the teams whose own phase is shown, so that
    # they add nothing to the shown team rows (a hidden team's phase cannot
    # be read off as the distribution minus the shown teams).
    teams = frame[(frame["level"] == "team") & frame["value"].notna()]
    hidden = frame[(frame["level"] == "team") & frame["suppressed"]]
    hidden = hidden[hidden["n"].gt(0)]
    for i in np.flatnonzero((frame["level"] != "team").to_numpy()):
        row = frame.iloc[i]
        own = teams if row["level"] == "organisation" else teams[teams["department"] == row["unit"]]
        off = (
            hidden
            if row["level"] == "organisation"
            else hidden[hidden["department"] == row["unit"]]
        )
        medians = own["value"].to_numpy(dtype=float)
        counted = len(medians)
        key, stat = row["key"], row["statistic"]
        if stat == "n_teams":
            value = float(counted)
        elif stat == "n_teams_hidden":
            value = float(len(off))
        elif row["suppressed"] or not counted:
            value = np.nan
        elif stat == "pct_teams":
            value = 100.0 * np.mean(np.floor(medians) == int(key))
        else:
            value = 100.0 * np.mean(medians >= 4)
        frame.iloc[i, frame.columns.get_loc("value")] = value
    return _finish(frame, measure="phases", wave=wave, period=p)


# --- competency gap ------------------------------------------------------------


def compute_competency_gap(
    data: Dataset, *, period: str | pd.Period, min_group_size: int = 5
) -> pd.DataFrame:
    """% of leaders sufficiently qualified per competency, vs the national
    benchmark (seed 002).

    A leader's competency score is the mean of the items of the competency
    they answered; they are "sufficiently qualified" when it is at least 4.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); the latest wave on or before it is used.
    min_group_size : int, default=5
        Smallest group of leaders whose figures are shown (>= 3).

    Returns
    -------
    DataFrame
        :data:`MEASURE_COLUMNS` with ``measure="competency_gap"``, ``key`` the
        competency (schema order) and two statistics per unit:
        ``pct_qualified`` (% of leaders with score ≥ 4) and
        ``gap_pct_points`` (``pct_qualified`` − benchmark, NaN with
        ``reason="no_benchmark"`` for competencies without one).
        ``reference`` is the benchmark (:data:`BENCHMARKS`); ``n`` the
        leaders who answered at least one item of the competency (the
        privacy group).

    Notes
    -----
    * Leaders are survey rows with ``role == "leader"``; employees' answers
      to competency items (if any) are ignored.
    * A score of exactly 4.0 counts as qualified (scores within 1e-9 of 4
      count too, against floating-point noise).
    * Benchmark mapping: see :data:`BENCHMARKS`.
    * Competencies without items in the survey are left out.

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample` (``data`` has
    no national benchmark; ``complementary`` is a figure hidden so that a
    suppressed one cannot be worked out by subtraction):

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> gap = compute_competency_gap(data, period="latest")
    >>> org = gap[gap["level"] == "organisation"]
    >>> print(org[["key", "statistic", "value", "reference", "reason"]].head(6).round(1).to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
          key      statistic  value  reference        reason
    strategic  pct_qualified   14.3       23.0
    strategic gap_pct_points   -8.7       23.0
         data  pct_qualified    9.5        NaN
         data gap_pct_points    NaN        NaN  no_benchmark
       ethics  pct_qualified    NaN       14.0 complementary
       ethics gap_pct_points    NaN       14.0 complementary
    """
    p = period_of(data, period)
    k = check_min_group_size(min_group_size)
    scales = data.scales("competency")
    keys = [col.split("_", 1)[1] for col in scales]
    wave, sub = _wave(data, p)
    stats = ("pct_qualified", "gap_pct_points")
    if wave is None:
        rows = _no_wave_rows([(key, s) for key in keys for s in stats], BENCHMARKS)
        return _no_wave_frame(rows, measure="competency_gap", period=p)

    leader = (sub["role"].astype(object) == "leader").to_numpy()
    ui = _UnitIndex(sub)
    n_units, n_scales = len(ui), len(scales)
    n = np.zeros((n_units, n_scales), dtype=np.int64)
    pct = np.full((n_units, n_scales), np.nan)
    for j, items in enumerate(scales.values()):
        score = np.full(len(sub), np.nan)
        score[leader] = _scale_scores(sub.loc[leader], items).to_numpy()
        scored = ~np.isnan(score)
        n[:, j] = ui.count(scored)
        qualified = ui.count(scored & (score >= 4.0 - 1e-9))
        with np.errstate(invalid="ignore", divide="ignore"):
            pct[:, j] = np.where(n[:, j] > 0, 100.0 * (qualified / n[:, j]), np.nan)
    bench = np.array([BENCHMARKS.get(key, np.nan) for key in keys])
    shape = (n_units, n_scales, 2)
    value = np.stack([pct, pct - bench], axis=-1)
    reason = np.array(["" if key in BENCHMARKS else "no_benchmark" for key in keys], dtype=object)
    rows = ui.frame(
        n_scales * 2,
        {
            "key": np.broadcast_to(np.asarray(keys, dtype=object)[None, :, None], shape).ravel(),
            "statistic": np.broadcast_to(np.asarray(stats, dtype=object), shape).ravel(),
            "value": value.ravel(),
            "n": np.broadcast_to(n[..., None], shape).ravel(),
            "reference": np.broadcast_to(bench[None, :, None], shape).ravel(),
            "reason": np.stack(
                [np.full((n_units, n_scales), "", dtype=object), np.tile(reason, (n_units, 1))],
                axis=-1,
            ).ravel(),
        },
    )
    frame = _apply_privacy(rows, k=k, by=("key",))
    return _finish(frame, measure="competency_gap", wave=wave, period=p)


# --- culture and pillars --------------------------------------------------------

_CULTURE_STATS = ("favourability_pct", "score_mean", "score_0_100", "alpha")


def compute_culture(
    data: Dataset,
    *,
    period: str | pd.Period,
    min_group_size: int = 5,
    families: tuple[str, ...] = ("culture", "pillar"),
) -> pd.DataFrame:
    """Favourability, scale score (1–5 and 0–100) and Cronbach's alpha of
    each culture trait (seed 000) and pillar (seed 003), per unit.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); the latest wave on or before it is used.
    min_group_size : int, default=5
        Smallest group of respondents whose figures are shown (>= 3).
    families : tuple of str, default=("culture", "pillar")
        Scale families to include.

    Returns
    -------
    DataFrame
        :data:`MEASURE_COLUMNS` plus ``family``; ``measure`` is the family
        (``culture`` or ``pillar``), ``key`` the trait or pillar, and per
        unit and scale four statistics:

        ``favourability_pct``
            % of all item answers of the scale that are 4 or 5 (top-two box).
        ``score_mean``
            Mean over respondents of their scale score (the mean of the
            items they answered), on 1–5.
        ``score_0_100``
            ``(score_mean − 1) / 4 × 100``.
        ``alpha``
            Cronbach's alpha (pairwise, :func:`aiadopt.reliability.cronbach_alpha`)
            with its 95% Feldt interval in ``ci_low`` / ``ci_high``; NaN
            with ``reason="alpha_not_estimable"`` below 3 complete
            respondents or 2 items.

        ``n`` is the respondents (all roles) who answered at least one item
        of the scale: the privacy group.

    Notes
    -----
    * Alpha is given for teams too: a team's alpha is shown when the team
      passes the privacy rule and alpha is estimable.
    * An answer counts as favourable when it is ≥ 4.

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> culture = compute_culture(data, period="latest")
    >>> print(culture[culture["level"] == "organisation"][['family', 'key', 'statistic', 'value']].head(4).round(2).to_string(index=False))
     family             key         statistic  value
    culture experimentation favourability_pct  32.59
    culture experimentation        score_mean   3.03
    culture experimentation       score_0_100  50.70
    culture experimentation             alpha   0.74
    """
    p = period_of(data, period)
    k = check_min_group_size(min_group_size)
    for fam in families:
        if fam not in ("culture", "pillar"):
            raise ValueError(f"families must be 'culture' and/or 'pillar'; got {fam!r}")
    wave, sub = _wave(data, p)
    frames = []
    for fam in families:
        scales = data.scales(fam)
        keys = [col.split("_", 1)[1] for col in scales]
        if wave is None:
            rows = _no_wave_rows([(key, s) for key in keys for s in _CULTURE_STATS])
            if rows:
                frames.append(_no_wave_frame(rows, measure=fam, period=p).assign(family=fam))
            continue
        if not scales:
            continue
        ui = _UnitIndex(sub)
        member_rows, member_units = ui.stacked()
        n_units, n_scales = len(ui), len(scales)
        stats = {name: np.full((n_units, n_scales), np.nan) for name in ("fav", "mean", "a")}
        ci_low = np.full((n_units, n_scales), np.nan)
        ci_high = np.full((n_units, n_scales), np.nan)
        n = np.zeros((n_units, n_scales), dtype=np.int64)
        for j, items in enumerate(scales.values()):
            values = sub.loc[:, list(items)].to_numpy(dtype=float, na_value=np.nan)
            given = ~np.isnan(values)
            n[:, j] = ui.count(given.any(axis=1))
            n_given = np.zeros(n_units, dtype=np.int64)
            n_fav = np.zeros(n_units, dtype=np.int64)
            for idx in ui.rows:
                keep = idx >= 0
                n_given += np.bincount(
                    idx[keep], given[keep].sum(axis=1), minlength=n_units
                ).astype(np.int64)
                n_fav += np.bincount(
                    idx[keep], (given[keep] & (values[keep] >= 4)).sum(axis=1), minlength=n_units
                ).astype(np.int64)
            with np.errstate(invalid="ignore", divide="ignore"):
                stats["fav"][:, j] = np.where(n_given > 0, 100.0 * (n_fav / n_given), np.nan)
            mean = ui.means(_scale_scores(sub, items).to_numpy())
            stats["mean"][:, j] = np.where(n[:, j] > 0, mean, np.nan)
            res = _alpha_by_code(
                values[member_rows], member_units, n_units, ci=0.95, nan_policy="pairwise"
            )
            stats["a"][:, j] = res["alpha"]
            ci_low[:, j] = res["ci_low"]
            ci_high[:, j] = res["ci_high"]
        shape = (n_units, n_scales, 4)
        value = np.stack(
            [
                stats["fav"],
                stats["mean"],
                (stats["mean"] - 1.0) / 4.0 * 100.0,
                stats["a"],
            ],
            axis=-1,
        )
        is_alpha = np.zeros(shape, dtype=bool)
        is_alpha[..., 3] = True
        rows = ui.frame(
            n_scales * 4,
            {
                "key": np.broadcast_to(
                    np.asarray(keys, dtype=object)[None, :, None], shape
                ).ravel(),
                "statistic": np.broadcast_to(
                    np.asarray(_CULTURE_STATS, dtype=object), shape
                ).ravel(),
                "value": value.ravel(),
                "ci_low": np.where(is_alpha, ci_low[..., None], np.nan).ravel(),
                "ci_high": np.where(is_alpha, ci_high[..., None], np.nan).ravel(),
                "n": np.broadcast_to(n[..., None], shape).ravel(),
                "reason": np.where(is_alpha & np.isnan(value), "alpha_not_estimable", "").ravel(),
            },
        )
        if len(rows):
            frame = _apply_privacy(rows, k=k, by=("key",))
            frames.append(_finish(frame, measure=fam, wave=wave, period=p).assign(family=fam))
    if not frames:
        return _finish([], measure="culture", wave=wave, period=p).assign(
            family=pd.Series(dtype="str")
        )
    return pd.concat(frames, ignore_index=True)


# --- skills pyramid ---------------------------------------------------------------


def compute_skills_pyramid(
    data: Dataset, *, period: str | pd.Period, min_group_size: int = 5
) -> pd.DataFrame:
    """Shares of AI users, connectors and specialists vs the 80/15/5 target
    (seed 002), per unit.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); the latest wave on or before it is used.
    min_group_size : int, default=5
        Smallest group of respondents whose figures are shown (>= 3).

    Returns
    -------
    DataFrame
        :data:`MEASURE_COLUMNS` with ``measure="skills_pyramid"``, ``key``
        ``user`` / ``connector`` / ``specialist``, ``statistic="pct"`` (% of
        the respondents who answered ``ai_skill_level``; all roles) and
        ``reference`` the target share (:data:`SKILL_TARGETS`). ``n`` is the
        respondents who answered ``ai_skill_level``.

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> pyramid = compute_skills_pyramid(data, period="latest")
    >>> print(pyramid[pyramid["level"] == "organisation"][['key', 'value', 'reference', 'n']].round(1).to_string(index=False))
           key  value  reference   n
          user   77.0       80.0 161
     connector   17.4       15.0 161
    specialist    5.6        5.0 161
    """
    p = period_of(data, period)
    k = check_min_group_size(min_group_size)
    wave, sub = _wave(data, p)
    if wave is None:
        rows = _no_wave_rows([(s, "pct") for s in SKILL_LEVELS], SKILL_TARGETS)
        return _no_wave_frame(rows, measure="skills_pyramid", period=p)
    ui = _UnitIndex(sub)
    skill = sub["ai_skill_level"].astype(object).to_numpy()
    answered = pd.notna(skill)
    n = ui.count(answered)
    pct = np.full((len(ui), len(SKILL_LEVELS)), np.nan)
    for j, level_name in enumerate(SKILL_LEVELS):
        with np.errstate(invalid="ignore", divide="ignore"):
            pct[:, j] = np.where(
                n > 0, 100.0 * (ui.count(answered & (skill == level_name)) / n), np.nan
            )
    rows = ui.frame(
        len(SKILL_LEVELS),
        {
            "key": list(SKILL_LEVELS) * len(ui),
            "statistic": "pct",
            "value": pct.ravel(),
            "n": np.repeat(n, len(SKILL_LEVELS)),
            "reference": [SKILL_TARGETS[level_name] for level_name in SKILL_LEVELS] * len(ui),
        },
    )
    frame = _apply_privacy(rows, k=k, by=())
    return _finish(frame, measure="skills_pyramid", wave=wave, period=p)


# --- goal mix -------------------------------------------------------------------------


def compute_goal_mix(
    data: Dataset, *, period: str | pd.Period, personal_threshold_pct: float = 70.0
) -> pd.DataFrame:
    """Share of active use cases per goal (seed 004), and the "stuck in
    personal AI" flag, per unit.

    Register-derived: no survey answer is involved, so nothing is
    privacy-suppressed.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); ``E`` is its last day.
    personal_threshold_pct : float, default=70.0
        A unit is "stuck in personal AI" when strictly more than this % of
        its active use cases are personal (exactly 70% is not flagged).

    Returns
    -------
    DataFrame
        :data:`MEASURE_COLUMNS` plus the boolean ``stuck_in_personal_ai``
        (the unit's flag, repeated on its rows); ``measure="goal_mix"``,
        ``key`` the goal, ``statistic="pct_active_use_cases"``, ``n`` the
        active use cases at E, ``reference`` the threshold on the personal
        row. Units without an active use case have NaN shares and
        ``reason="no_active_use_cases"``.

    Notes
    -----
    *Active at E* as in :mod:`aiadopt.kpis`: started by E and not stopped
    by E. Units are the departments and teams of the register.

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> mix = compute_goal_mix(data, period="latest")
    >>> print(mix[mix["level"] == "organisation"][['key', 'value', 'n', 'stuck_in_personal_ai']].round(1).to_string(index=False))
            key  value  n  stuck_in_personal_ai
       personal   41.5 82                 False
    operational   40.2 82                 False
      strategic   18.3 82                 False
    """
    p = period_of(data, period)
    threshold = float(personal_threshold_pct)
    if not 0 <= threshold <= 100:
        raise ValueError(
            f"personal_threshold_pct must be within 0-100; got {personal_threshold_pct!r}"
        )
    uc = data.use_cases
    state = use_case_state(uc, period_end(p), 365)
    frame = pd.DataFrame(
        {
            "department": uc["department"].astype(object).to_numpy(),
            "team": uc["team"].astype(object).to_numpy(),
            "goal": uc["goal"].astype(object).to_numpy(),
            "active": state["active"].to_numpy(),
        }
    )
    ui = _UnitIndex(frame)
    active = frame["active"].to_numpy(dtype=bool)
    goal = frame["goal"].to_numpy(dtype=object)
    n = ui.count(active)
    counts = np.stack([ui.count(active & (goal == g)) for g in GOALS], axis=1)
    n_personal = counts[:, GOALS.index("personal")]
    stuck = (n > 0) & (n_personal * 100.0 > threshold * n)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(n[:, None] > 0, 100.0 * (counts / n[:, None]), np.nan)
    rows = ui.frame(
        len(GOALS),
        {
            "key": list(GOALS) * len(ui),
            "statistic": "pct_active_use_cases",
            "value": pct.ravel(),
            "n": np.repeat(n, len(GOALS)),
            "reference": [threshold if g == "personal" else np.nan for g in GOALS] * len(ui),
            "reason": np.repeat(np.where(n > 0, "", "no_active_use_cases"), len(GOALS)),
            "private": False,
        },
    )
    flags = np.repeat(stuck, len(GOALS))
    out = _finish(rows, measure="goal_mix", wave=None, period=p)
    out["survey_wave"] = pd.Series(None, index=out.index, dtype="str")
    out["stuck_in_personal_ai"] = np.asarray(flags, dtype=bool)
    return out


# --- trained-leader ROI ratio ---------------------------------------------------------


def _training_by_team_wave(survey: pd.DataFrame, p: pd.Period) -> pd.DataFrame:
    """Per (wave, department, team): leaders who answered ai_training_done
    and how many said yes; waves on or before ``p`` only."""
    wave = survey["wave"]
    if not isinstance(wave.dtype, pd.PeriodDtype):
        wave = wave.astype("period[M]")
    ok = (
        (survey["role"] == "leader").to_numpy(dtype=bool, na_value=False)
        & survey["ai_training_done"].notna().to_numpy()
        & wave.notna().to_numpy()
    )
    ok &= np.where(wave.notna(), wave.array.asi8 <= p.ordinal, False)
    s = survey.loc[ok, ["department", "team", "ai_training_done"]]
    frame = pd.DataFrame(
        {
            "wave": wave[ok].array.asi8,
            "department": s["department"].astype(object).to_numpy(),
            "team": s["team"].astype(object).to_numpy(),
            "answered": 1,
            "trained": s["ai_training_done"].astype(bool).to_numpy().astype(int),
        }
    )
    return frame.groupby(["wave", "department", "team"]).sum()


def _boot_medians(x: np.ndarray, *, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Medians of ``n_boot`` resamples (with replacement) of ``x``."""
    return np.median(x[rng.integers(0, len(x), size=(n_boot, len(x)))], axis=1)


def _percentile_ci(boot: np.ndarray | None, tail: float) -> tuple[float, float]:
    if boot is None:
        return (np.nan, np.nan)
    with np.errstate(invalid="ignore"):
        low, high = np.quantile(boot, [tail, 1.0 - tail])
    return (float(low), float(high))


def compute_trained_roi_ratio(
    data: Dataset,
    *,
    period: str | pd.Period,
    n_boot: int = 2000,
    seed: int = 0,
    min_group_size: int = 5,
    min_use_cases: int = MIN_USE_CASES,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Median ROI of use cases whose team leaders completed AI training ÷
    median ROI of the others (seed 002 claims 2.7×), with a bootstrap CI.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`); ``E`` is its last day.
    n_boot : int, default=2000
        Bootstrap resamples; ``0`` gives the medians and the ratio without
        intervals (``ci_low``/``ci_high`` missing).
    seed : int, default=0
        Seed of the bootstrap; the same seed gives the same intervals.
    min_group_size : int, default=5
        Smallest number of leader answers behind a unit's classification
        for its figures to be shown (>= 3).
    min_use_cases : int, default=5
        Fewest use cases in each group (trained, untrained) for a ratio.
    ci : float, default=0.95
        Coverage of the percentile intervals.

    Returns
    -------
    DataFrame
        :data:`MEASURE_COLUMNS` with ``measure="trained_roi"``, the
        organisation and each department, and rows

        * ``key="trained"`` / ``"untrained"``, ``statistic="median_roi"``:
          the group's median ROI with a bootstrap percentile CI, ``n`` its
          use cases (below ``min_use_cases`` the median is shown without
          interval, ``reason="too_few_use_cases"``);
        * ``key="ratio"``, ``statistic="roi_ratio"``: median(trained) ÷
          median(untrained), bootstrap percentile CI, ``n`` the classified
          use cases, ``reference`` 2.7 (the seed's claim);
        * ``key="unclassified"``, ``statistic="n_use_cases"``: use cases
          with a defined ROI left out because their team had no leader
          answer to ``ai_training_done`` in the wave used (a count).

        A ratio that cannot be given is NaN with ``reason``
        ``too_few_use_cases`` (a group below ``min_use_cases``) or
        ``untrained_median_not_positive``.

    Notes
    -----
    * Use cases: started by E (as in :mod:`aiadopt.kpis`) with a defined
      ROI = (annual_benefit_eur − investment_eur) / investment_eur, i.e.
      investment > 0 and a known benefit.
    * Classification: the wave of a use case is the latest wave on or
      before its start month, or the first wave when it started before
      every wave; only waves on or before the period count (the rule of
      docs/metrics.md §4). Its team "completed AI training" when at least half
      (≥ 50%) of the team's leaders who answered ``ai_training_done`` in
      that wave said yes.
    * A ratio of medians is only meaningful when both medians are positive
      returns on the same scale: with a median ROI of the untrained group
      ≤ 0 the ratio is refused (a negative or infinite "×" would mislead).
    * Bootstrap: each group is resampled with replacement on its own; a
      resample whose untrained median is ≤ 0 gives an unbounded ratio,
      counted as +inf. When at least ``(1 − ci) / 2`` of the resamples
      are unbounded, the ratio's interval is NaN with
      ``reason="bootstrap_unstable"``. Each unit draws from its own stream,
      seeded by ``seed`` and the unit's name, so a unit's interval does
      not depend on the other units.
    * Privacy: the split into trained and untrained comes from leaders'
      survey answers. The group of a unit's figures is the number of leader
      answers behind the classification of its use cases; below
      ``min_group_size`` (and by complementary suppression among
      departments) the medians, ratio, intervals and use-case counts are
      hidden. The counts add up over departments, so complementary
      suppression also keeps the hidden departments' use cases from being
      all trained or all untrained (organisation minus shown departments).

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> ratio = compute_trained_roi_ratio(data, period="latest", n_boot=50)
    >>> print(ratio[ratio["level"] == "organisation"][['key', 'statistic', 'value', 'n']].round(1).to_string(index=False))
             key   statistic  value  n
         trained  median_roi    1.4 28
       untrained  median_roi    0.2 48
           ratio   roi_ratio    7.5 76
    unclassified n_use_cases    0.0  0
    """
    p = period_of(data, period)
    k = check_min_group_size(min_group_size)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 0:
        raise ValueError(f"n_boot must be a whole number >= 0; got {n_boot!r}")
    if (
        isinstance(min_use_cases, bool)
        or not isinstance(min_use_cases, int | np.integer)
        or min_use_cases < 1
    ):
        raise ValueError(f"min_use_cases must be a positive whole number; got {min_use_cases!r}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be strictly between 0 and 1; got {ci!r}")

    uc = data.use_cases
    state = use_case_state(uc, period_end(p), 365)
    roi = compute_roi(uc)
    use = state["started"].to_numpy() & ~np.isnan(roi)
    cases = pd.DataFrame(
        {
            "department": uc["department"].astype(object).to_numpy()[use],
            "team": uc["team"].astype(object).to_numpy()[use],
            "start": uc["start_date"].to_numpy()[use],
            "roi": roi[use],
        }
    )
    training = _training_by_team_wave(data.survey, p)
    # The wave of a use case: the latest survey wave on or before its start
    # month (else the first), among the waves on or before the period.
    waves = waves_up_to(data.survey, p)
    if len(cases) and len(waves):
        cases["wave"] = wave_at_start(cases["start"], waves)
        keys = pd.MultiIndex.from_arrays(
            [cases["wave"].to_numpy(), cases["department"].to_numpy(), cases["team"].to_numpy()]
        )
        found = training.reindex(keys)
        cases["answered"] = found["answered"].fillna(0).to_numpy(dtype=int)
        cases["n_trained"] = found["trained"].fillna(0).to_numpy(dtype=int)
    else:
        cases["wave"] = np.zeros(len(cases), dtype=np.int64)
        cases["answered"] = 0
        cases["n_trained"] = 0
    cases["classified"] = cases["answered"] > 0
    cases["trained"] = cases["classified"] & (2 * cases["n_trained"] >= cases["answered"])

    depts = sorted(set(uc["department"].dropna().astype(str)))
    units = [("organisation", ORGANISATION, None, cases)]
    units += [("department", d, d, cases[cases["department"] == d]) for d in depts]
    tail = (1.0 - ci) / 2.0
    rows = []
    shares = []
    for level, unit, dept, g in units:
        c = g[g["classified"]]
        # Privacy group: leader answers behind the classification.
        group_n = int(c.drop_duplicates(["wave", "department", "team"])["answered"].sum())
        trained = c.loc[c["trained"], "roi"].to_numpy(dtype=float)
        untrained = c.loc[~c["trained"], "roi"].to_numpy(dtype=float)
        med_t = float(np.median(trained)) if len(trained) else np.nan
        med_u = float(np.median(untrained)) if len(untrained) else np.nan
        enough_t = len(trained) >= min_use_cases
        enough_u = len(untrained) >= min_use_cases
        reason_t = "" if enough_t else "too_few_use_cases"
        reason_u = "" if enough_u else "too_few_use_cases"
        rng = np.random.default_rng([int(seed), zlib.crc32(f"{level}:{unit}".encode())])
        boot = n_boot > 0
        bt = _boot_medians(trained, n_boot=int(n_boot), rng=rng) if enough_t and boot else None
        bu = _boot_medians(untrained, n_boot=int(n_boot), rng=rng) if enough_u and boot else None
        ci_t = _percentile_ci(bt, tail)
        ci_u = _percentile_ci(bu, tail)
        ratio = np.nan
        ci_r = (np.nan, np.nan)
        if not (enough_t and enough_u):
            reason_r = "too_few_use_cases"
        elif not med_u > 0:
            reason_r = "untrained_median_not_positive"
        else:
            reason_r = ""
            ratio = med_t / med_u
        if boot and not reason_r:
            unbounded = bu <= 0
            with np.errstate(divide="ignore", invalid="ignore"):
                br = np.where(unbounded, np.inf, bt / np.where(unbounded, 1.0, bu))
            ci_r = _percentile_ci(br, tail)
            if unbounded.mean() >= tail or not np.isfinite(ci_r).all():
                ci_r = (np.nan, np.nan)
                reason_r = "bootstrap_unstable"
        rows.append(
            _row(
                level,
                unit,
                dept,
                "trained",
                "median_roi",
                med_t,
                n=len(trained),
                group_n=group_n,
                ci=ci_t,
                reason=reason_t,
            )
        )
        rows.append(
            _row(
                level,
                unit,
                dept,
                "untrained",
                "median_roi",
                med_u,
                n=len(untrained),
                group_n=group_n,
                ci=ci_u,
                reason=reason_u,
            )
        )
        rows.append(
            _row(
                level,
                unit,
                dept,
                "ratio",
                "roi_ratio",
                ratio,
                n=len(c),
                group_n=group_n,
                ci=ci_r,
                reference=SEED_ROI_CLAIM,
                reason=reason_r,
            )
        )
        shares.append(
            {
                "level": level,
                "unit": unit,
                "department": dept,
                "value": 100.0 * len(trained) / len(c) if len(c) else np.nan,
                "weight": len(c),
            }
        )
        n_out = int((~g["classified"]).sum())
        rows.append(
            _row(level, unit, dept, "unclassified", "n_use_cases", n_out, n=n_out, private=False)
        )
    # One decision per unit for all its rows. The use-case counts add up
    # (organisation = departments), so the share of classified use cases
    # that are "trained" is checked too: the hidden departments' use cases
    # must not come out all trained or all untrained.
    frame = _apply_privacy(pd.DataFrame(rows), k=k, by=(), hide_n=True, shares=pd.DataFrame(shares))
    out = _finish(frame, measure="trained_roi", wave=None, period=p)
    out["survey_wave"] = pd.Series(None, index=out.index, dtype="str")
    return out


# --- everything in one table ---------------------------------------------------------------


def compute_measures(
    data: Dataset,
    *,
    period: str | pd.Period,
    min_group_size: int = 5,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """All further measures of docs/metrics.md §2 in one tidy table (the table
    ``aiadopt measures`` prints).

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        Calendar month ``"YYYY-MM"`` or ``"latest"`` (:func:`aiadopt.timeline.period_of`).
    min_group_size : int, default=5
        Smallest group whose survey figures are shown (>= 3).
    n_boot, seed : int
        Bootstrap of the trained-leader ROI ratio.

    Returns
    -------
    DataFrame
        :data:`MEASURE_COLUMNS` of the ``compute_*`` functions (see the
        module docstring): keys and ``reason`` codes, no words; add the
        reader columns ``label`` and ``note`` (e.g. "suppressed: fewer than
        5 respondents") with :func:`aiadopt.present.text.measure_labels`.
        Rows are in
        :data:`MEASURES` order, then organisation, departments, teams.
        Goal-mix rows carry an extra statistic ``stuck_in_personal_ai``
        (1.0 flagged / 0.0 not; NaN without active use cases) on the
        personal key.

    Examples
    --------
    A small fictional organisation from :mod:`aiadopt.sample`; the table
    holds codes, and the reader's words come from
    :func:`aiadopt.present.text.measure_labels`:

    >>> import tempfile
    >>> import aiadopt
    >>> from aiadopt.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_sample(folder, n_respondents=200, n_waves=2, n_use_cases=120)
    ...     data = aiadopt.load(folder)
    >>> from aiadopt.present.text import measure_labels
    >>> table = compute_measures(data, period="latest", n_boot=50)
    >>> sorted(set(table["reason"]) - {""})
    ['complementary', 'department_suppressed', 'no_benchmark', 'small_group']
    >>> shown = measure_labels(table, "nl")
    >>> print(shown.loc[shown["reason"] == "small_group", ["unit", "label", "note"]].head(2).to_string(index=False))
     unit      label                                  note
    Legal   Onwetend onderdrukt: minder dan 5 respondenten
    Legal Afwachtend onderdrukt: minder dan 5 respondenten
    """
    p = period_of(data, period)
    k = check_min_group_size(min_group_size)
    goal = compute_goal_mix(data, period=p)
    flags = goal[goal["key"] == "personal"].copy()
    flags["statistic"] = "stuck_in_personal_ai"
    flags["value"] = np.where(flags["n"] > 0, flags["stuck_in_personal_ai"].astype(float), np.nan)
    parts = [
        compute_phases(data, period=p, min_group_size=k),
        compute_competency_gap(data, period=p, min_group_size=k),
        compute_culture(data, period=p, min_group_size=k).drop(columns="family"),
        compute_skills_pyramid(data, period=p, min_group_size=k),
        pd.concat([goal, flags]).drop(columns="stuck_in_personal_ai"),
        compute_trained_roi_ratio(data, period=p, n_boot=n_boot, seed=seed, min_group_size=k),
    ]
    parts = [part for part in parts if len(part)]
    table = pd.concat(parts, ignore_index=True)
    order = pd.DataFrame(
        {
            "m": table["measure"].map({m: i for i, m in enumerate(MEASURES)}),
            "l": table["level"].map(_LEVEL_ORDER),
            "d": table["department"].fillna(""),
            "u": table["unit"],
            "i": np.arange(len(table)),
        }
    )
    # Keep each function's key order; group units within a measure.
    table = table.iloc[order.sort_values(["m", "l", "d", "u", "i"], kind="mergesort").index]
    table = table.reset_index(drop=True)
    return table.loc[:, list(MEASURE_COLUMNS)]
