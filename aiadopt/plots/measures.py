"""Charts of the further measures (:mod:`aiadopt.measures`).

Each takes the tidy frame of its ``compute_*`` function (or the
:func:`~aiadopt.measures.compute_measures` table, from which it picks its
measure), draws on ``ax`` (default ``plt.gca()``) and returns it. A figure
hidden for privacy is drawn as a grey hatched placeholder labelled
"suppressed" (``labels.yaml`` ``text.suppressed``), never as a bar of 0.
Placeholder patches carry ``gid="suppressed"``; data bars carry
``gid="<unit>|<key>"``.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..labels import label
from ..measures import MIN_USE_CASES, SEED_ROI_CLAIM, SKILL_TARGETS
from ..present.formats import Formatter
from ..schema import GOALS, PHASES, SKILL_LEVELS
from ._style import (
    HIGHLIGHT,
    NEUTRAL,
    PALETTES,
    SUPPRESSED,
    artist_kwargs,
    literal_text,
    resolve_palette,
    shorten,
    titled,
)

__all__ = [
    "describe_competency_gap",
    "describe_culture",
    "describe_goal_mix",
    "describe_phases",
    "describe_skills_pyramid",
    "describe_trained_roi",
    "plot_competency_gap",
    "plot_culture",
    "plot_goal_mix",
    "plot_phases",
    "plot_skills_pyramid",
    "plot_trained_roi",
]

_NOTE = "small"
_HATCH = "///"
_PHASE_KEYS = tuple(str(p) for p in PHASES)


# --- helpers --------------------------------------------------------------------


def _measure(data: pd.DataFrame, measures: tuple[str, ...], func: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame) or "measure" not in data.columns:
        raise ValueError(
            f"{func}: data must be the frame of the matching compute_* function "
            "(or compute_measures); it has no 'measure' column"
        )
    out = data[data["measure"].isin(measures)]
    if out.empty:
        raise ValueError(
            f"{func}: data holds no rows of measure {' or '.join(measures)!s}; "
            f"it has {sorted(set(data['measure'].astype(str)))}"
        )
    return out


def _unit_rows(
    frame: pd.DataFrame, unit: str, department: str | None, level: str | None, func: str
) -> pd.DataFrame:
    rows = frame[frame["unit"] == unit]
    if department is not None:
        rows = rows[rows["department"] == department]
    if level is not None:
        rows = rows[rows["level"] == level]
    if rows.empty:
        units = sorted(set(frame["unit"].astype(str)))
        raise ValueError(f"{func}: no unit {unit!r} in the data; units are {units}")
    levels = rows["level"].unique()
    if len(levels) > 1 or rows[["department"]].drop_duplicates().shape[0] > 1:
        # e.g. a team named like a department: prefer the higher level.
        for lv in ("organisation", "department", "team"):
            if lv in levels:
                rows = rows[rows["level"] == lv]
                break
        if rows[["department"]].drop_duplicates().shape[0] > 1:
            raise ValueError(
                f"{func}: unit {unit!r} is in several departments; pass department=..."
            )
    return rows


def _unit_name(level: str, unit: str, lang: str) -> str:
    """The unit as a chart shows it: a long name is cut with "…"."""
    return label("text.organisation", lang) if level == "organisation" else shorten(unit)


def _units_for(frame: pd.DataFrame, department: str | None) -> pd.DataFrame:
    """Organisation and departments, or one department and its teams."""
    if department is None:
        keep = frame["level"].isin(["organisation", "department"])
    else:
        keep = (frame["level"].isin(["department", "team"])) & (frame["department"] == department)
        if not keep.any():
            raise ValueError(f"no department {department!r} in the data")
    units = frame.loc[keep, ["level", "unit", "department"]].drop_duplicates()
    order = units["level"].map({"organisation": 0, "department": 1, "team": 2})
    return units.assign(_o=order).sort_values(["_o", "unit"]).drop(columns="_o")


def _legend_below(ax: Axes, handles: list, *, ncol: int = 1) -> None:
    """Legend centred under the x-axis label, whatever the Axes' height."""
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(ncol, 3),  # at most three columns, so it fits a cell of a grid
        borderaxespad=4.2,
        frameon=False,
        fontsize=_NOTE,
    )


def _separate_top(ax: Axes, units: pd.DataFrame) -> None:
    """A thin rule between the total (first row) and its parts."""
    if len(units) > 1:
        ax.axhline(len(units) - 1.5, color="0.75", linewidth=0.8, gid="separator")


def _placeholder(
    ax: Axes,
    pos: float,
    extent: float,
    lang: str,
    *,
    horizontal: bool = True,
    height: float = 0.8,
    text: str | None = None,
    start: float = 0.0,
) -> None:
    """A grey hatched bar over the whole value range with a 'suppressed' label."""
    text = label("text.suppressed", lang) if text is None else text
    kw = dict(color=SUPPRESSED, hatch=_HATCH, edgecolor="0.6", linewidth=0.0, gid="suppressed")
    if horizontal:
        ax.barh(pos, extent - start, left=start, height=height, **kw)
        ax.text(
            start + (extent - start) / 2,
            pos,
            text,
            ha="center",
            va="center",
            fontsize=_NOTE,
            color="0.3",
            bbox=dict(facecolor="white", edgecolor="none", pad=1.0),
        )
    else:
        ax.bar(pos, extent - start, bottom=start, width=height, **kw)
        ax.text(
            pos,
            start + (extent - start) / 2,
            text,
            ha="center",
            va="center",
            rotation=90,
            fontsize=_NOTE,
            color="0.3",
            bbox=dict(facecolor="white", edgecolor="none", pad=1.0),
        )


def _title(ax: Axes, measure: str, lang: str, note: str | None = None) -> None:
    titled(ax, label(f"measure.{measure}", lang), note, fontsize=_NOTE, pad=18 if note else 6)


def _value(rows: pd.DataFrame, key: str, statistic: str) -> pd.Series | None:
    hit = rows[(rows["key"] == key) & (rows["statistic"] == statistic)]
    return None if hit.empty else hit.iloc[0]


# --- phases ---------------------------------------------------------------------


@literal_text
def plot_phases(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    department: str | None = None,
    unit: str | None = None,
    lang: str = "en",
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """Stacked horizontal bars: % of teams in each transformation phase.

    Parameters
    ----------
    data : DataFrame
        :func:`~aiadopt.measures.compute_phases` (or compute_measures).
    ax : Axes, optional
        Axes to draw on; default ``plt.gca()``.
    department : str, optional
        Without it, one bar for the organisation and one per department.
        With it, the department's bar and one bar per team (a team's bar is
        its median phase, 100% in that phase).
    unit : str, optional
        Draw only this unit (``"organisation"`` or a department).
    lang : {"en", "nl"}, default="en"
    palette : str, list or dict, optional
        Colours of the phases, as seaborn reads ``palette``: a palette name,
        a list (in the order 1–5) or a dict key -> colour
        (:func:`aiadopt.plots.resolve_palette`); default the suite's palette.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh` that draws each bar segment; they override the chart's defaults.

    Returns
    -------
    Axes
        Right of each bar: the unit's % of teams at phase ≥ 4 and the
        number of teams counted.
    """
    if ax is None:
        ax = plt.gca()
    frame = _measure(data, ("phases",), "plot_phases")
    if unit is not None:
        units = _unit_rows(frame, unit, None, None, "plot_phases")[["level", "unit", "department"]]
        units = units.drop_duplicates()
    else:
        units = _units_for(frame, department)
    colours = resolve_palette(palette, _PHASE_KEYS, "phase")
    n_units = len(units)
    for i, (level, name, dept) in enumerate(units.itertuples(index=False)):
        y = n_units - 1 - i
        rows = frame[(frame["level"] == level) & (frame["unit"] == name)]
        if level == "team":
            rows = rows[rows["department"] == dept]
            med = _value(rows, "median", "team_phase")
            if med is None or med["suppressed"] or pd.isna(med["value"]):
                _placeholder(ax, y, 100.0, lang)
                continue
            phase = str(int(np.floor(med["value"])))
            ax.barh(
                y,
                100.0,
                **artist_kwargs(
                    {"color": colours[phase], "height": 0.6, "gid": f"{name}|{phase}"}, kwargs
                ),
            )
            text = (
                f"{label(f'phase.{phase}', lang)} · "
                f"{label('measure_key.team_phase', lang).lower()} {Formatter(lang).number(med['value'], 1)}"
            )
            ax.text(50, y, text, ha="center", va="center", fontsize=_NOTE, color="white")
            continue
        pct = rows[rows["statistic"] == "pct_teams"].set_index("key")
        if pct["suppressed"].any() or pct["value"].isna().all():
            note = None
            if not pct["suppressed"].any():
                note = label("text.not_enough_data", lang)
            _placeholder(ax, y, 100.0, lang, text=note)
            continue
        left = 0.0
        for key in _PHASE_KEYS:
            width = float(pct.loc[key, "value"]) if key in pct.index else 0.0
            style = {
                "color": colours[key],
                "edgecolor": "white",
                "linewidth": 1,
                "gid": f"{name}|{key}",
            }
            ax.barh(y, width, left=left, **artist_kwargs(style, kwargs))
            if width >= 6:
                ax.text(
                    left + width / 2,
                    y,
                    key,
                    ha="center",
                    va="center",
                    fontsize=_NOTE,
                    color="white",
                    fontweight="bold",
                )
            left += width
        p4 = _value(rows, "4+", "pct_teams_phase_4plus")
        nt = _value(rows, "4+", "n_teams")
        if p4 is not None and nt is not None:
            ax.text(
                101,
                y,
                label("measure_text.phase_4plus_note", lang, pct=p4["value"], n=int(nt["value"])),
                va="center",
                fontsize=_NOTE,
            )
    names = [_unit_name(lv, u, lang) for lv, u, _ in units.itertuples(index=False)]
    _separate_top(ax, units)
    ax.set_yticks(range(n_units - 1, -1, -1), names)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n_units - 0.4)
    ax.set_xlabel(label("measure_text.phase_axis", lang), wrap=True)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=colours[k], label=label(f"phase.{k}", lang)) for k in _PHASE_KEYS]
    _legend_below(ax, handles, ncol=5)
    _title(ax, "phases", lang, label("measure_text.phase_goal", lang))
    return ax


# --- competency gap -----------------------------------------------------------------


@literal_text
def plot_competency_gap(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    unit: str = "organisation",
    department: str | None = None,
    lang: str = "en",
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """Horizontal bars: % of leaders sufficiently qualified per competency,
    with the national benchmark (AI-Monitor 2025, Nederland ICT) as a marker where it gives one.

    Parameters
    ----------
    data : DataFrame
        :func:`~aiadopt.measures.compute_competency_gap` (or compute_measures).
    ax : Axes, optional
    unit : str, default="organisation"
        The unit to draw (a department or team name).
    department : str, optional
        A team's department, where team names repeat across departments.
    lang : {"en", "nl"}, default="en"
    palette : str, list or dict, optional
        Colours of the competencies, as seaborn reads ``palette``: a palette name,
        a list (in the order of the chart, top to bottom) or a dict key -> colour
        (:func:`aiadopt.plots.resolve_palette`); default the suite's palette.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh` that draws the bars; they override the chart's defaults.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plt.gca()
    frame = _measure(data, ("competency_gap",), "plot_competency_gap")
    rows = _unit_rows(frame, unit, department, None, "plot_competency_gap")
    pct = rows[rows["statistic"] == "pct_qualified"]
    keys = list(pct["key"])
    n_keys = len(keys)
    colours = resolve_palette(palette, keys, "competency")
    bench_x, bench_y = [], []
    for i, r in enumerate(pct.itertuples(index=False)):
        y = n_keys - 1 - i
        if r.suppressed or pd.isna(r.value):
            _placeholder(ax, y, 100.0, lang)
        else:
            ax.barh(
                y,
                r.value,
                **artist_kwargs({"color": colours[r.key], "gid": f"{unit}|{r.key}"}, kwargs),
            )
            gap = r.value - r.reference
            note = Formatter(lang).percent(r.value, 0)
            if np.isfinite(gap):
                note += f" ({Formatter(lang).signed(gap, 0)} pt)"
            right = max(r.value, r.reference) if np.isfinite(r.reference) else r.value
            ax.text(right + 2, y, note, va="center", fontsize=_NOTE)
        if np.isfinite(r.reference):
            bench_x.append(r.reference)
            bench_y.append(y)
    ax.plot(
        bench_x, bench_y, linestyle="none", marker="D", markersize=7, color="black", gid="benchmark"
    )
    ax.set_yticks(range(n_keys - 1, -1, -1), [label(f"competency.{k}", lang) for k in keys])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n_keys - 0.4)
    ax.set_xlabel(label("text.sufficiently_qualified_pct", lang), wrap=True)
    ax.spines[["top", "right"]].set_visible(False)
    handle = Line2D(
        [],
        [],
        linestyle="none",
        marker="D",
        color="black",
        label=label("text.benchmark_marker", lang),
    )
    _legend_below(ax, [handle], ncol=1)
    level = rows["level"].iloc[0]
    n = rows["n"].dropna()
    note = _unit_name(level, unit, lang)
    if len(n):
        note += " · " + label("measure_text.n_note", lang, n=int(n.max()))
    _title(ax, "competency_gap", lang, note)
    return ax


# --- culture and pillars -----------------------------------------------------------------


@literal_text
def plot_culture(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    unit: str = "organisation",
    department: str | None = None,
    family: str = "culture",
    statistic: str = "score_0_100",
    lang: str = "en",
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """Horizontal bars of the culture traits' (or pillars') 0–100 scores or
    favourability, each with its Cronbach's alpha and 95% CI noted.

    Parameters
    ----------
    data : DataFrame
        :func:`~aiadopt.measures.compute_culture` (or compute_measures).
    ax : Axes, optional
    unit : str, default="organisation"
    department : str, optional
        A team's department, where team names repeat across departments.
    family : {"culture", "pillar"}, default="culture"
    statistic : {"score_0_100", "favourability_pct"}, default="score_0_100"
    lang : {"en", "nl"}, default="en"
    palette : str, list or dict, optional
        Colours of the traits (or pillars), as seaborn reads ``palette``: a palette name,
        a list (in the order of the chart, top to bottom) or a dict key -> colour
        (:func:`aiadopt.plots.resolve_palette`); default the suite's palette.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh` that draws the bars; they override the chart's defaults.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plt.gca()
    if family not in ("culture", "pillar"):
        raise ValueError(f"family must be 'culture' or 'pillar'; got {family!r}")
    if statistic not in ("score_0_100", "favourability_pct"):
        raise ValueError(
            f"statistic must be 'score_0_100' or 'favourability_pct'; got {statistic!r}"
        )
    frame = _measure(data, (family,), "plot_culture")
    rows = _unit_rows(frame, unit, department, None, "plot_culture")
    values = rows[rows["statistic"] == statistic]
    keys = list(values["key"])
    n_keys = len(keys)
    colours = resolve_palette(palette, keys, family)
    for i, r in enumerate(values.itertuples(index=False)):
        y = n_keys - 1 - i
        if r.suppressed or pd.isna(r.value):
            _placeholder(ax, y, 100.0, lang)
            continue
        ax.barh(
            y, r.value, **artist_kwargs({"color": colours[r.key], "gid": f"{unit}|{r.key}"}, kwargs)
        )
        a = _value(rows, r.key, "alpha")
        if a is not None and np.isfinite(a["value"]):
            fmt = Formatter(lang)
            alpha = label(
                "measure_text.alpha_note",
                lang,
                alpha=fmt.number(a["value"], 2),
                low=fmt.number(a["ci_low"], 2),
                high=fmt.number(a["ci_high"], 2),
            )
        else:
            alpha = label("measure_text.alpha_na", lang)
        ax.text(
            r.value + 1,
            y,
            f"{Formatter(lang).number(r.value, 0)}   {alpha}",
            va="center",
            fontsize=_NOTE,
        )
    ax.set_yticks(range(n_keys - 1, -1, -1), [label(f"{family}.{k}", lang) for k in keys])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n_keys - 0.4)
    ax.set_xlabel(label(f"measure_stat.{statistic}", lang), wrap=True)
    ax.spines[["top", "right"]].set_visible(False)
    level = rows["level"].iloc[0]
    n = rows["n"].dropna()
    note = _unit_name(level, unit, lang)
    if len(n):
        note += " · " + label("measure_text.n_note", lang, n=int(n.max()))
    _title(ax, family, lang, note)
    return ax


# --- skills pyramid ---------------------------------------------------------------------------


@literal_text
def plot_skills_pyramid(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    unit: str = "organisation",
    department: str | None = None,
    lang: str = "en",
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """Horizontal bars of the shares of AI users, connectors and specialists
    (specialists on top, as in a pyramid), with the 80/15/5 target marked.

    Parameters
    ----------
    data : DataFrame
        :func:`~aiadopt.measures.compute_skills_pyramid` (or compute_measures).
    ax : Axes, optional
    unit : str, default="organisation"
    department : str, optional
    lang : {"en", "nl"}, default="en"
    palette : str, list or dict, optional
        Colours of the skill levels, as seaborn reads ``palette``: a palette name,
        a list (in the order user, connector, specialist) or a dict key -> colour
        (:func:`aiadopt.plots.resolve_palette`); default the suite's palette.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh` that draws the bars; they override the chart's defaults.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plt.gca()
    frame = _measure(data, ("skills_pyramid",), "plot_skills_pyramid")
    rows = _unit_rows(frame, unit, department, None, "plot_skills_pyramid")
    rows = rows[rows["statistic"] == "pct"].set_index("key")
    colours = resolve_palette(palette, SKILL_LEVELS, "skill")
    for y, key in enumerate(SKILL_LEVELS):  # user at the bottom
        r = rows.loc[key] if key in rows.index else None
        target = SKILL_TARGETS[key] if r is None else r["reference"]
        if r is None or r["suppressed"] or pd.isna(r["value"]):
            _placeholder(ax, y, 100.0, lang)
        else:
            ax.barh(
                y,
                r["value"],
                **artist_kwargs({"color": colours[key], "gid": f"{unit}|{key}"}, kwargs),
            )
            ax.text(
                max(r["value"], target) + 1.5,
                y,
                Formatter(lang).percent(r["value"], 0),
                va="center",
                fontsize=_NOTE,
            )
        ax.plot([target, target], [y - 0.45, y + 0.45], color="black", linewidth=2.5, gid="target")
    ax.set_yticks(range(len(SKILL_LEVELS)), [label(f"skill.{k}", lang) for k in SKILL_LEVELS])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(SKILL_LEVELS) - 0.4)
    ax.set_xlabel(label("text.share_pct", lang), wrap=True)
    ax.spines[["top", "right"]].set_visible(False)
    handle = Line2D(
        [], [], color="black", linewidth=2.5, label=label("measure_text.target_marker", lang)
    )
    _legend_below(ax, [handle], ncol=1)
    n = rows["n"].dropna()
    level = frame.loc[frame["unit"] == unit, "level"].iloc[0]
    note = _unit_name(level, unit, lang)
    if len(n):
        note += " · " + label("measure_text.n_note", lang, n=int(n.max()))
    _title(ax, "skills_pyramid", lang, note)
    return ax


# --- goal mix -------------------------------------------------------------------------------------


@literal_text
def plot_goal_mix(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    department: str | None = None,
    lang: str = "en",
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """Stacked horizontal bars of the goal mix of active use cases, with
    the 70% personal line ("stuck in personal AI" beyond it).

    Parameters
    ----------
    data : DataFrame
        :func:`~aiadopt.measures.compute_goal_mix` (or compute_measures).
    ax : Axes, optional
    department : str, optional
        Without it, the organisation and each department; with it, the
        department and its teams.
    lang : {"en", "nl"}, default="en"
    palette : str, list or dict, optional
        Colours of the goals, as seaborn reads ``palette``: a palette name,
        a list (in the order personal, operational, strategic) or a dict key -> colour
        (:func:`aiadopt.plots.resolve_palette`); default the suite's palette.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh` that draws each bar segment; they override the chart's defaults.

    Returns
    -------
    Axes
        Flagged units have their name in the highlight colour, marked "▲".
    """
    if ax is None:
        ax = plt.gca()
    frame = _measure(data, ("goal_mix",), "plot_goal_mix")
    frame = frame[frame["statistic"] == "pct_active_use_cases"]
    units = _units_for(frame, department)
    colours = resolve_palette(palette, GOALS, "goal")
    n_units = len(units)
    names, flagged = [], []
    threshold = 70.0
    for i, (level, name, dept) in enumerate(units.itertuples(index=False)):
        y = n_units - 1 - i
        rows = frame[(frame["level"] == level) & (frame["unit"] == name)]
        if level == "team":
            rows = rows[rows["department"] == dept]
        rows = rows.set_index("key")
        if "personal" in rows.index and np.isfinite(rows.loc["personal", "reference"]):
            threshold = float(rows.loc["personal", "reference"])
        n = int(rows["n"].max()) if rows["n"].notna().any() else 0
        label_text = f"{_unit_name(level, name, lang)} (n = {n})"
        if n == 0 or rows["value"].isna().all():
            _placeholder(ax, y, 100.0, lang, text=label("measure_reason.no_active_use_cases", lang))
            names.append(label_text)
            flagged.append(False)
            continue
        left = 0.0
        for goal in GOALS:
            width = float(rows.loc[goal, "value"]) if goal in rows.index else 0.0
            ax.barh(
                y,
                width,
                left=left,
                **artist_kwargs({"color": colours[goal], "gid": f"{name}|{goal}"}, kwargs),
            )
            if width >= 8:
                ax.text(
                    left + width / 2,
                    y,
                    Formatter(lang).number(width, 0),
                    ha="center",
                    va="center",
                    fontsize=_NOTE,
                    color="white",
                )
            left += width
        personal = float(rows.loc["personal", "value"]) if "personal" in rows.index else 0.0
        if "stuck_in_personal_ai" in rows.columns:
            stuck = bool(rows["stuck_in_personal_ai"].any())
        else:
            stuck = personal > threshold
        names.append(("▲ " if stuck else "") + label_text)
        flagged.append(stuck)
    ax.axvline(threshold, color="black", linestyle="--", linewidth=1.2, gid="personal_threshold")
    _separate_top(ax, units)
    ax.set_yticks(range(n_units - 1, -1, -1), names)
    for tick, stuck in zip(ax.get_yticklabels(), flagged, strict=True):
        if stuck:
            tick.set_color(HIGHLIGHT)
            tick.set_fontweight("bold")
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n_units - 0.4)
    ax.set_xlabel(label("measure_stat.pct_active_use_cases", lang), wrap=True)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=colours[g], label=label(f"goal.{g}", lang)) for g in GOALS]
    handles.append(
        Line2D(
            [],
            [],
            color="black",
            linestyle="--",
            label=textwrap.fill(label("measure_text.personal_line", lang, pct=threshold), 36),
        )
    )
    _legend_below(ax, handles, ncol=2)
    _title(ax, "goal_mix", lang)
    return ax


# --- trained-leader ROI ratio -------------------------------------------------------------------


@literal_text
def plot_trained_roi(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    kind: str = "ratio",
    unit: str = "organisation",
    lang: str = "en",
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """The trained-leader ROI ratio with its 95% CI per unit (log scale),
    against "no difference" (1×) and the 2.7× reported by the AI-Monitor 2025 (Nederland ICT); or, with
    ``kind="medians"``, one unit's two median ROIs with their CIs.

    Parameters
    ----------
    data : DataFrame
        :func:`~aiadopt.measures.compute_trained_roi_ratio` (or compute_measures).
    ax : Axes, optional
    kind : {"ratio", "medians"}, default="ratio"
    unit : str, default="organisation"
        The unit of ``kind="medians"``.
    lang : {"en", "nl"}, default="en"
    palette : str, list or dict, optional
        Colours as seaborn reads ``palette`` (a name, a list in this order,
        or a dict): ``kind="ratio"``: keys ``organisation`` and ``unit``
        (the departments); ``kind="medians"``: ``untrained`` and ``trained``.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.errorbar` of each ratio
        (``kind="ratio"``) or :meth:`~matplotlib.axes.Axes.barh` of the two
        medians (``kind="medians"``); they override the chart's defaults.

    Returns
    -------
    Axes
        Units without a ratio show why ("suppressed" or "not enough data").
    """
    if ax is None:
        ax = plt.gca()
    if kind not in ("ratio", "medians"):
        raise ValueError(f"kind must be 'ratio' or 'medians'; got {kind!r}")
    frame = _measure(data, ("trained_roi",), "plot_trained_roi")
    if kind == "medians":
        return _plot_medians(frame, ax=ax, unit=unit, lang=lang, palette=palette, **kwargs)
    colours = resolve_palette(
        palette
        if palette is not None
        else {"organisation": PALETTES["goal"]["operational"], "unit": NEUTRAL},
        ("organisation", "unit"),
    )
    ratio = frame[frame["statistic"] == "roi_ratio"]
    units = _units_for(ratio, None)
    n_units = len(units)
    shown = ratio[ratio["value"].notna()]
    finite = np.concatenate(
        [shown[c].to_numpy(dtype=float) for c in ("value", "ci_low", "ci_high")]
        + [np.array([1.0, SEED_ROI_CLAIM])]
    )
    finite = finite[np.isfinite(finite) & (finite > 0)]
    lo, hi = finite.min() / 1.6, finite.max() * 1.6
    names = []
    for i, (level, name, _dept) in enumerate(units.itertuples(index=False)):
        y = n_units - 1 - i
        r = ratio[(ratio["level"] == level) & (ratio["unit"] == name)].iloc[0]
        n = r["n"]
        names.append(_unit_name(level, name, lang) + ("" if pd.isna(n) else f" (n = {int(n)})"))
        if r["suppressed"] or pd.isna(r["value"]):
            text = (
                label("text.suppressed", lang)
                if r["suppressed"]
                else label(f"measure_reason.{r['reason']}", lang, m=MIN_USE_CASES)
                if r["reason"]
                else label("text.not_enough_data", lang)
            )
            if r["suppressed"]:
                ax.barh(
                    y,
                    hi - lo,
                    left=lo,
                    height=0.6,
                    color=SUPPRESSED,
                    hatch=_HATCH,
                    edgecolor="0.6",
                    linewidth=0.0,
                    gid="suppressed",
                )
            ax.text(
                np.sqrt(lo * hi),
                y,
                textwrap.shorten(text, 70),
                ha="center",
                va="center",
                fontsize=_NOTE,
                color="0.3",
                bbox=dict(facecolor="white", edgecolor="none", pad=1.0),
            )
            continue
        low = r["ci_low"] if np.isfinite(r["ci_low"]) else r["value"]
        high = r["ci_high"] if np.isfinite(r["ci_high"]) else r["value"]
        style = {
            "fmt": "o",
            "color": colours["organisation" if level == "organisation" else "unit"],
            "ecolor": "0.4",
            "capsize": 4,
            "markersize": 8,
        }
        bars = ax.errorbar(
            r["value"],
            y,
            xerr=[[r["value"] - low], [high - r["value"]]],
            **artist_kwargs(style, kwargs),
        )
        bars.lines[0].set_gid(f"{name}|ratio")
        ax.annotate(
            f"{Formatter(lang).number(r['value'], 1)}×",
            (r["value"], y),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            fontsize=_NOTE,
            clip_on=False,  # so constrained layout makes room for it
        )
    _separate_top(ax, units)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.axvline(1.0, color="0.5", linewidth=1, gid="no_difference")
    ax.axvline(SEED_ROI_CLAIM, color=HIGHLIGHT, linestyle="--", linewidth=1.5, gid="seed_claim")
    ticks = [t for t in (0.25, 0.5, 1, 2, SEED_ROI_CLAIM, 5, 10, 20, 50) if lo <= t <= hi]
    ax.set_xticks(
        ticks,
        [
            Formatter(lang).number(t, 0 if float(t).is_integer() else 1 if t >= 1 else 2) + "×"
            for t in ticks
        ],
    )
    ax.minorticks_off()
    ax.set_yticks(range(n_units - 1, -1, -1), names)
    ax.set_ylim(-0.6, n_units - 0.4)
    ax.set_xlabel(label("measure_text.roi_ratio_axis", lang), wrap=True)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [
        Line2D([], [], color="0.5", label=label("measure_text.no_difference", lang)),
        Line2D(
            [],
            [],
            color=HIGHLIGHT,
            linestyle="--",
            label=label("text.roi_claim", lang, x=Formatter(lang).number(SEED_ROI_CLAIM, 1)),
        ),
    ]
    _legend_below(ax, handles, ncol=2)
    _title(ax, "trained_roi", lang)
    return ax


def _plot_medians(
    frame: pd.DataFrame, *, ax: Axes, unit: str, lang: str, palette=None, **kwargs
) -> Axes:
    rows = _unit_rows(frame, unit, None, None, "plot_trained_roi")
    med = rows[rows["statistic"] == "median_roi"].set_index("key")
    keys = ("untrained", "trained")
    colours = resolve_palette(palette if palette is not None else [NEUTRAL, HIGHLIGHT], keys)
    for y, key in enumerate(keys):
        r = med.loc[key] if key in med.index else None
        if r is None or r["suppressed"] or pd.isna(r["value"]):
            ax.text(
                0.5,
                y,
                label("text.suppressed", lang)
                if r is not None and r["suppressed"]
                else label("text.not_enough_data", lang),
                transform=ax.get_yaxis_transform(),
                ha="center",
                va="center",
                fontsize=_NOTE,
                color="0.3",
                gid="suppressed",
            )
            continue
        ax.barh(
            y,
            r["value"],
            **artist_kwargs({"color": colours[key], "height": 0.6, "gid": f"{unit}|{key}"}, kwargs),
        )
        if np.isfinite(r["ci_low"]):
            ax.errorbar(
                r["value"],
                y,
                xerr=[[r["value"] - r["ci_low"]], [r["ci_high"] - r["value"]]],
                fmt="none",
                ecolor="black",
                capsize=4,
            )
    names = []
    for key in keys:
        n = med.loc[key, "n"] if key in med.index else pd.NA
        names.append(label(f"measure_key.{key}", lang) + ("" if pd.isna(n) else f" (n = {int(n)})"))
    ax.set_yticks(range(len(keys)), names)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel(label("measure_text.median_roi_axis", lang), wrap=True)
    ax.spines[["top", "right"]].set_visible(False)
    r = _value(rows, "ratio", "roi_ratio")
    note = _unit_name(rows["level"].iloc[0], unit, lang)
    if r is not None and np.isfinite(r["value"]):
        note += f" · {Formatter(lang).number(r['value'], 2)}×"
        if np.isfinite(r["ci_low"]):
            note += f" [{Formatter(lang).number(r['ci_low'], 2)}, {Formatter(lang).number(r['ci_high'], 2)}]"
    _title(ax, "trained_roi", lang, note)
    return ax


# --- alt text -----------------------------------------------------------------------------------
#
# describe_<chart>(data, lang, **the chart's own filters) -> str: what the chart
# shows, in one or two sentences with its key figure (for ``<img alt>``). They
# select rows exactly as the plot functions do; other keyword arguments of the
# plot function (palette, colours...) are accepted and ignored.


def _scope(level: str, unit: str, lang: str) -> str:
    return label("alt.organisation", lang) if level == "organisation" else str(unit)


def describe_phases(
    data: pd.DataFrame,
    lang: str = "en",
    *,
    department: str | None = None,
    unit: str | None = None,
    **_ignored,
) -> str:
    """Alt text of :func:`plot_phases`: the first unit's share of teams at phase 4 or higher.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"measure": "phases", "level": "organisation", "unit": "organisation",
    ...     "department": None, "key": "4+", "statistic": "pct_teams_phase_4plus",
    ...     "value": [37.5], "suppressed": False})
    >>> describe_phases(rows)
    'Bar chart of the share of teams in each transformation phase; the organisation: 38% of the teams at phase 4 or higher.'
    """
    frame = _measure(data, ("phases",), "describe_phases")
    if unit is not None:
        first = _unit_rows(frame, unit, None, None, "describe_phases")
    else:
        units = _units_for(frame, department)
        level, name, _ = next(units.itertuples(index=False))
        first = frame[(frame["level"] == level) & (frame["unit"] == name)]
    level, name = first["level"].iloc[0], first["unit"].iloc[0]
    p4 = _value(first, "4+", "pct_teams_phase_4plus")
    if p4 is None or p4["suppressed"] or pd.isna(p4["value"]):
        figure = label("alt.no_figure", lang, unit=_scope(level, name, lang))
    else:
        figure = label(
            "alt.phases_figure",
            lang,
            unit=_scope(level, name, lang),
            pct=Formatter(lang).percent(p4["value"], 0),
        )
    return label("alt.phases", lang, figure=figure)


def describe_competency_gap(
    data: pd.DataFrame,
    lang: str = "en",
    *,
    unit: str = "organisation",
    department: str | None = None,
    **_ignored,
) -> str:
    """Alt text of :func:`plot_competency_gap`: the largest gap to the
    benchmark (or, without one, the lowest share of qualified leaders)."""
    frame = _measure(data, ("competency_gap",), "describe_competency_gap")
    rows = _unit_rows(frame, unit, department, None, "describe_competency_gap")
    scope = _scope(rows["level"].iloc[0], unit, lang)
    pct = rows[
        (rows["statistic"] == "pct_qualified")
        & ~rows["suppressed"].astype(bool)
        & rows["value"].notna()
    ]
    fmt = Formatter(lang)
    if pct.empty:
        return label(
            "alt.competency_gap", lang, unit=scope, figure=label("alt.no_figure", lang, unit=scope)
        )
    gaps = (pct["value"] - pct["reference"]).astype(float)
    if gaps.notna().any() and gaps.min() < 0:
        r = pct.loc[gaps.idxmin()]
        figure = label(
            "alt.largest_gap",
            lang,
            name=label(f"competency.{r['key']}", lang),
            gap=fmt.number(-gaps.min(), 0),
        )
    else:
        r = pct.loc[pct["value"].astype(float).idxmin()]
        figure = label(
            "alt.lowest_share",
            lang,
            name=label(f"competency.{r['key']}", lang),
            pct=fmt.percent(r["value"], 0),
        )
    return label("alt.competency_gap", lang, unit=scope, figure=figure)


def describe_culture(
    data: pd.DataFrame,
    lang: str = "en",
    *,
    unit: str = "organisation",
    department: str | None = None,
    family: str = "culture",
    statistic: str = "score_0_100",
    **_ignored,
) -> str:
    """Alt text of :func:`plot_culture`: the highest and the lowest trait (or pillar)."""
    frame = _measure(data, (family,), "describe_culture")
    rows = _unit_rows(frame, unit, department, None, "describe_culture")
    scope = _scope(rows["level"].iloc[0], unit, lang)
    values = rows[
        (rows["statistic"] == statistic) & ~rows["suppressed"].astype(bool) & rows["value"].notna()
    ]
    what = label(f"measure.{family}", lang)
    if values.empty:
        return label(
            "alt.culture",
            lang,
            what=what,
            unit=scope,
            figure=label("alt.no_figure", lang, unit=scope),
        )
    fmt = Formatter(lang)
    show = fmt.percent if statistic == "favourability_pct" else (lambda v, d: fmt.number(v, d))
    hi = values.loc[values["value"].astype(float).idxmax()]
    lo = values.loc[values["value"].astype(float).idxmin()]
    figure = label(
        "alt.highest_lowest",
        lang,
        high=label(f"{family}.{hi['key']}", lang),
        high_value=show(hi["value"], 0),
        low=label(f"{family}.{lo['key']}", lang),
        low_value=show(lo["value"], 0),
    )
    return label("alt.culture", lang, what=what, unit=scope, figure=figure)


def describe_skills_pyramid(
    data: pd.DataFrame,
    lang: str = "en",
    *,
    unit: str = "organisation",
    department: str | None = None,
    **_ignored,
) -> str:
    """Alt text of :func:`plot_skills_pyramid`: the three shares against the target."""
    frame = _measure(data, ("skills_pyramid",), "describe_skills_pyramid")
    rows = _unit_rows(frame, unit, department, None, "describe_skills_pyramid")
    scope = _scope(rows["level"].iloc[0], unit, lang)
    pct = rows[rows["statistic"] == "pct"].set_index("key")
    fmt = Formatter(lang)
    shares = {}
    for key in SKILL_LEVELS:
        ok = key in pct.index and not pct.loc[key, "suppressed"] and pd.notna(pct.loc[key, "value"])
        shares[key] = fmt.percent(pct.loc[key, "value"], 0) if ok else fmt.percent(float("nan"))
    targets = {f"{k}_target": fmt.percent(SKILL_TARGETS[k], 0) for k in SKILL_LEVELS}
    return label("alt.skills_pyramid", lang, unit=scope, **shares, **targets)


def describe_goal_mix(
    data: pd.DataFrame, lang: str = "en", *, department: str | None = None, **_ignored
) -> str:
    """Alt text of :func:`plot_goal_mix`: the first unit's mix and how many units are stuck in personal AI."""
    frame = _measure(data, ("goal_mix",), "describe_goal_mix")
    frame = frame[frame["statistic"] == "pct_active_use_cases"]
    units = _units_for(frame, department)
    fmt = Formatter(lang)
    level, name, _ = next(units.itertuples(index=False))
    rows = frame[(frame["level"] == level) & (frame["unit"] == name)].set_index("key")
    scope = _scope(level, name, lang)
    if rows["value"].isna().all():
        figure = label("alt.no_figure", lang, unit=scope)
    else:
        figure = label(
            "alt.goal_mix_figure",
            lang,
            unit=scope,
            **{g: fmt.percent(rows.loc[g, "value"] if g in rows.index else 0.0, 0) for g in GOALS},
        )
    stuck = 0
    if "stuck_in_personal_ai" in frame.columns:
        stuck = int(
            frame.groupby(["level", "unit", "department"], dropna=False)["stuck_in_personal_ai"]
            .any()
            .sum()
        )
    return label("alt.goal_mix", lang, figure=figure, n=fmt.count(stuck))


def describe_trained_roi(
    data: pd.DataFrame,
    lang: str = "en",
    *,
    kind: str = "ratio",
    unit: str = "organisation",
    **_ignored,
) -> str:
    """Alt text of :func:`plot_trained_roi`: the unit's ratio against the 2.7× of the AI-Monitor 2025."""
    frame = _measure(data, ("trained_roi",), "describe_trained_roi")
    rows = _unit_rows(frame, unit, None, None, "describe_trained_roi")
    scope = _scope(rows["level"].iloc[0], unit, lang)
    r = _value(rows, "ratio", "roi_ratio")
    fmt = Formatter(lang)
    if r is None or r["suppressed"] or pd.isna(r["value"]):
        figure = label("alt.no_figure", lang, unit=scope)
    else:
        figure = label("alt.trained_roi_figure", lang, unit=scope, x=fmt.number(r["value"], 1))
    return label("alt.trained_roi", lang, figure=figure, claim=fmt.number(SEED_ROI_CLAIM, 1))
