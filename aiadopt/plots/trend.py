"""The 12-month KPI trend as small multiples (a figure-level chart).

One panel per KPI in two rows of three, sized to be read at the width of a
report (about 950 px at 100 dpi: tick labels 9 pt, titles 10 pt). The sixth
cell holds the legend. Months are labelled "okt 2026" / "Oct 2026".

- The unit is a solid line with filled markers. A month whose value rests on
  fewer than ``min_group_size`` observations (:data:`SMALL_N_BASE`) but is
  shown is drawn with a hollow marker, with its own legend entry.
- A suppressed month (leadership adoption hidden for privacy) and a month
  without a value are gaps in the line, never zeros.
- With ``compare=True`` and a department or team, the organisation is a
  dashed grey line, in the legend; not for the count of active use cases,
  which is not comparable between units of different size.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..labels import label
from ..present.formats import Formatter, axis_formatter
from ._style import NEUTRAL, shorten

__all__ = ["TREND_KPIS", "SMALL_N_BASE", "plot_kpi_trend"]

#: The KPIs drawn, in panel order.
TREND_KPIS = (
    "active_use_cases",
    "time_to_impact_days",
    "core_process_ai_pct",
    "leadership_adoption_pct",
    "adaptivity_score",
)

#: KPI -> the count column its value rests on. A shown value with a count
#: below ``min_group_size`` is a small-n point (hollow marker). The number of
#: active use cases is a count itself and has no small-n points.
SMALL_N_BASE = {
    "time_to_impact_days": "n_use_cases_started",
    "core_process_ai_pct": "n_core_processes",
    "leadership_adoption_pct": "n_leaders",
    "adaptivity_score": "n_use_cases_started",
}

_UNIT_COLOUR = "#0173b2"
_TICK_PT = 9
_TITLE_PT = 10


def _series(frame: pd.DataFrame, key: str) -> np.ndarray:
    values = pd.to_numeric(frame[key], errors="coerce").astype(float).to_numpy()
    if key == "leadership_adoption_pct" and "leadership_adoption_pct_suppressed" in frame:
        hidden = frame["leadership_adoption_pct_suppressed"].fillna(False).astype(bool).to_numpy()
        values = np.where(hidden, np.nan, values)
    return values


def _small_n(frame: pd.DataFrame, key: str, values: np.ndarray, min_group_size: int) -> np.ndarray:
    base = SMALL_N_BASE.get(key)
    if base is None or base not in frame:
        return np.zeros(len(values), dtype=bool)
    n = pd.to_numeric(frame[base], errors="coerce").fillna(0).to_numpy()
    return ~np.isnan(values) & (n < min_group_size)


def plot_kpi_trend(
    trend: pd.DataFrame,
    *,
    unit: str,
    level: str,
    lang: str = "en",
    compare: bool = True,
    min_group_size: int = 5,
    fig: Figure | None = None,
) -> Figure:
    """Small multiples of the five KPIs over the months of ``trend``.

    Parameters
    ----------
    trend : DataFrame
        The frame of :func:`aiadopt.kpis.compute_kpi_trend` (one row per
        level, unit and period).
    unit : str
        The unit drawn (``"organisation"`` for the organisation).
    level : {"organisation", "department", "team"}
    lang : {"en", "nl"}, default="en"
    compare : bool, default=True
        Draw the organisation as a dashed line (for a department or team).
    min_group_size : int, default=5
        Shown values resting on fewer observations get a hollow marker.
    fig : Figure, optional
        Drawn into (cleared first); default a new 9.5 × 5.6 inch figure
        with constrained layout.

    Returns
    -------
    Figure
        Axes 0–4 are the KPI panels (in :data:`TREND_KPIS` order); the legend
        belongs to axes 0 and sits in the sixth cell.

    Examples
    --------
    >>> from aiadopt.io import load
    >>> from aiadopt.kpis import compute_kpi_trend
    >>> trend = compute_kpi_trend(load("data/sample"), period="latest")  # doctest: +SKIP
    >>> fig = plot_kpi_trend(trend, unit="Finance", level="department")  # doctest: +SKIP
    """
    own = trend[(trend["level"] == level) & (trend["unit"] == unit)].sort_values("period")
    if own.empty:
        raise ValueError(
            f"plot_kpi_trend: trend has no rows for level {level!r}, unit {unit!r}; "
            f"it has the units {sorted(set(trend['unit'].astype(str)))}"
        )
    org = trend[trend["level"] == "organisation"].set_index("period").reindex(own["period"])
    fmt = Formatter(lang)
    if fig is None:
        fig = plt.figure(figsize=(9.5, 5.6), layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(2, 3).ravel()
    x = np.arange(len(own))
    ticks = x[::-3][::-1]  # every third month, ending on the report's month
    tick_labels = [fmt.month_short(p) for p in own["period"].iloc[ticks]]
    unit_name = label("text.organisation", lang) if level == "organisation" else shorten(unit)
    show_org = compare and level != "organisation"
    any_small = False
    for ax, key in zip(axes, TREND_KPIS, strict=False):
        values = _series(own, key)
        small = _small_n(own, key, values, min_group_size)
        any_small |= bool(small.any())
        ax.plot(x, values, color=_UNIT_COLOUR, linewidth=1.8, label=unit_name, zorder=3)
        full = np.where(small, np.nan, values)
        ax.plot(x, full, linestyle="none", marker="o", markersize=5, color=_UNIT_COLOUR, zorder=4)
        ax.plot(
            x[small],
            values[small],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=_UNIT_COLOUR,
            markeredgewidth=1.5,
            zorder=5,
            gid="small-n",
        )
        if show_org and key != "active_use_cases":
            ax.plot(
                x,
                _series(org, key),
                color=NEUTRAL,
                linestyle="--",
                linewidth=1.2,
                zorder=2,
                label=label("text.organisation", lang),
            )
        ax.set_title(label(f"kpi.{key}", lang), fontsize=_TITLE_PT)
        ax.set_xticks(ticks, tick_labels, fontsize=_TICK_PT)
        ax.tick_params(axis="y", labelsize=_TICK_PT)
        if key == "active_use_cases":  # a count: whole-number ticks only
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(axis_formatter(lang, "count"))
        else:
            ax.yaxis.set_major_formatter(axis_formatter(lang, "number"))
        ax.set_xlim(-0.5, len(x) - 0.5)
        ax.grid(alpha=0.3)
        if np.all(np.isnan(values)):
            hidden = (
                key == "leadership_adoption_pct"
                and own["leadership_adoption_pct_suppressed"].fillna(False).astype(bool).any()
            )
            ax.text(
                0.5,
                0.5,
                label("text.suppressed" if hidden else "text.not_enough_data", lang),
                ha="center",
                va="center",
                transform=ax.transAxes,
                color=NEUTRAL,
                fontsize=_TICK_PT,
            )
    legend_cell = axes[len(TREND_KPIS)]
    legend_cell.axis("off")
    handles = [Line2D([], [], color=_UNIT_COLOUR, marker="o", linewidth=1.8, label=unit_name)]
    if show_org:
        handles.append(
            Line2D(
                [],
                [],
                color=NEUTRAL,
                linestyle="--",
                linewidth=1.2,
                label=label("text.organisation", lang),
            )
        )
    if any_small:
        handles.append(
            Line2D(
                [],
                [],
                color=_UNIT_COLOUR,
                marker="o",
                linestyle="none",
                markerfacecolor="white",
                markeredgewidth=1.5,
                label=label("report.small_n", lang, n=min_group_size),
            )
        )
    handles.append(Line2D([], [], color="none", label=label("report.gap_month", lang)))
    for handle in handles[1 + show_org :]:  # the notes wrap to the width of one panel
        handle.set_label(textwrap.fill(handle.get_label(), 30))
    legend = axes[0].legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.0, 0.5),
        bbox_transform=legend_cell.transAxes,
        fontsize=_TICK_PT,
        frameon=False,
        handlelength=2.5,
    )
    legend.set_in_layout(False)
    return fig
