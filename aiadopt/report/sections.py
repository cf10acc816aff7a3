"""Report sections: the figure-level layer the report notebooks call.

A :class:`Report` loads the data once, computes each result once, and each
section method displays its part (heading, prose, table, chart) as HTML in
the notebook. The notebooks hold only the order of the sections and notes
for analysts; every number, sentence and chart comes from here, in the
report's language, with the privacy rules of docs/metrics.md §5 already applied
(suppression is computed over the whole organisation, so the reports of one
run agree with each other and cannot be combined to undo it).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from functools import cached_property
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import __version__
from ..io import load
from ..kpis import compute_kpi_trend, compute_kpis
from ..labels import label
from ..plots._style import plain_text, shorten
from ..present.formats import MISSING, Formatter
from ..privacy import check_min_group_size
from ..timeline import parse_period, period_of
from ..units import check_department

__all__ = ["Report", "SECTIONS", "COMPLETION_MARK", "slug_id"]

#: Printed by :meth:`Report.finish` as the notebook's last output; the runner
#: treats a notebook without it as not having run to the end.
COMPLETION_MARK = "aiadopt-report-complete"

#: Section ids in report order (also the anchors of the table of contents).
SECTIONS = (
    "summary",
    "kpis",
    "trend",
    "priorities",
    "teams",
    "phases",
    "competencies",
    "culture",
    "goals",
    "pitfalls",
    "regression",
    "departments",
    "about",
)

KPI_KEYS = (
    "active_use_cases",
    "time_to_impact_days",
    "core_process_ai_pct",
    "leadership_adoption_pct",
    "adaptivity_score",
)


def slug_id(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


class Report:
    """One report: the organisation (``department=None``) or one department.

    Parameters
    ----------
    data_dir : str or Path
        Folder with the organisation's inputs.
    period : str
        ``YYYY-MM`` or ``"latest"``.
    department : str, optional
        The department of a department report.
    lang : {"en", "nl"}
    min_group_size : int, default=5
    n_boot : int, default=1000
        Bootstrap resamples for confidence intervals.
    seed : int, default=0
    codebook : str or Path, optional
    """

    def __init__(
        self,
        data_dir: str | Path,
        *,
        period: str = "latest",
        department: str | None = None,
        lang: str = "en",
        min_group_size: int = 5,
        n_boot: int = 1000,
        seed: int = 0,
        codebook: str | Path | None = None,
    ):
        self.data = load(data_dir, codebook=codebook)
        self.period = str(period_of(self.data, period or "latest"))
        self.department = check_department(self.data, department or None)
        if lang not in ("en", "nl"):
            raise ValueError(f"lang must be 'en' or 'nl', got {lang!r}")
        self.lang = lang
        self.fmt = Formatter(lang)
        self.min_group_size = check_min_group_size(min_group_size)
        self.n_boot = n_boot
        self.seed = seed

    # -- shared results ------------------------------------------------------
    @property
    def unit(self) -> str:
        return self.department or label("text.organisation", self.lang)

    def t(self, key: str, **fmt) -> str:
        return label(key, self.lang, **fmt)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        return compute_kpis(self.data, period=self.period, min_group_size=self.min_group_size)

    @cached_property
    def trend(self) -> pd.DataFrame:
        return compute_kpi_trend(self.data, period=self.period, months=12, min_group_size=self.min_group_size)

    @cached_property
    def measures(self) -> pd.DataFrame:
        from ..measures import compute_measures

        return compute_measures(
            self.data, period=self.period, min_group_size=self.min_group_size, lang=self.lang, n_boot=self.n_boot, seed=self.seed
        )

    @cached_property
    def priorities(self) -> pd.DataFrame:
        from ..prioritisation import compute_priorities

        return compute_priorities(self.data, department=self.department)

    @cached_property
    def pitfalls(self) -> pd.DataFrame:
        from ..pitfalls import compute_pitfalls

        return compute_pitfalls(self.data, period=self.period, department=self.department)

    @cached_property
    def regression(self):
        from ..regression import fit_competency_roi

        return fit_competency_roi(
            self.data, period=self.period, department=self.department, n_boot=self.n_boot, seed=self.seed
        )

    @cached_property
    def org_regression(self):
        from ..regression import fit_competency_roi

        return fit_competency_roi(self.data, period=self.period, n_boot=self.n_boot, seed=self.seed)

    def _own_row(self, table: pd.DataFrame) -> pd.Series:
        if self.department is None:
            return table[table["level"] == "organisation"].iloc[0]
        return table[(table["level"] == "department") & (table["unit"] == self.department)].iloc[0]

    def _visible_units(self, table: pd.DataFrame) -> pd.DataFrame:
        """Rows this report may show (docs/metrics.md §5): the organisation, every
        department at department level, and only its own teams."""
        keep = table["level"].isin(["organisation", "department"])
        if self.department is not None:
            keep |= (table["level"] == "team") & (table["department"] == self.department)
        return table[keep]

    # -- output helpers --------------------------------------------------------
    def heading(self, section: str) -> None:
        _display(f'<h2 id="{section}">{html.escape(self.t(f"report.{section}"))}</h2>')

    def paragraph(self, text: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        _display(f"<p{attr}>{html.escape(text)}</p>")

    def figure(self, fig, alt: str, caption: str | None = None) -> None:
        buf = io.BytesIO()
        plain_text(fig)  # names are text: a "$" in a team name is not mathtext
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        _display(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">{cap}</figure>')

    def table(self, frame: pd.DataFrame, *, numeric: dict[str, int] | None = None, suppressed: dict[str, pd.Series] | None = None) -> None:
        """An HTML table; ``numeric`` = column -> decimals; ``suppressed`` =
        column -> boolean mask of cells to show as "suppressed"."""
        numeric = numeric or {}
        suppressed = suppressed or {}
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        rows = []
        for i, (_, row) in enumerate(frame.iterrows()):
            cells = []
            for col in frame.columns:
                mask = suppressed.get(col)
                if mask is not None and bool(mask.iloc[i]):
                    cells.append(f'<td class="suppressed">{html.escape(self.t("text.suppressed"))}</td>')
                elif col in numeric:
                    cells.append(f'<td class="num">{self.fmt.number(row[col], numeric[col])}</td>')
                else:
                    value = row[col]
                    text = "–" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
                    cells.append(f"<td>{html.escape(text)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        _display(f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')

    # -- sections --------------------------------------------------------------
    def header(self) -> None:
        """Title and the line saying which period and wave this is."""
        title = (
            self.t("report.title_department", unit=self.unit)
            if self.department
            else self.t("report.title_organisation")
        )
        wave = self._own_row(self.kpis)["survey_wave"] or "–"
        meta = self.t(
            "report.meta",
            period=self.period,
            wave=wave,
            generated=dt.date.today().isoformat(),
            version=__version__,
        )
        _display(f'<h1 id="top">{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>')

    def summary(self) -> None:
        """A few plain-language sentences with the headline figures."""
        self.heading("summary")
        row = self._own_row(self.kpis)
        trend = self.trend
        own = trend[(trend["level"] == row["level"]) & (trend["unit"] == row["unit"])]
        previous = own[own["period"] == str(parse_period(self.period) - 1)]
        change = "–"
        if len(previous):
            diff = int(row["active_use_cases"] - previous.iloc[0]["active_use_cases"])
            change = self.t("report.no_change") if diff == 0 else self.fmt.signed(diff, 0)
        sentences = [
            self.t("report.lsum_active", unit=self.unit, n=int(row["active_use_cases"]), period=self.fmt.month(self.period), change=change)
        ]
        if bool(row["leadership_adoption_pct_suppressed"]):
            sentences.append(self.t("report.lsum_adoption_suppressed"))
        elif not pd.isna(row["leadership_adoption_pct"]):
            sentences.append(self.t("report.lsum_adoption", pct=self.fmt.percent(row["leadership_adoption_pct"], 0)))
        if pd.isna(row["time_to_impact_days"]):
            sentences.append(self.t("report.lsum_tti_none"))
        else:
            sentences.append(self.t("report.lsum_tti", days=self.fmt.number(row["time_to_impact_days"], 0)))
        if not pd.isna(row["adaptivity_score"]):
            sentences.append(self.t("report.lsum_adaptivity", score=self.fmt.number(row["adaptivity_score"], 0)))
        fired = self.pitfalls[self.pitfalls["triggered"]]
        if self.department is None:
            names = sorted({self.t(f"pitfall.{s}") for s in fired["signal"]})
        else:
            names = [self.t(f"pitfall.{s}") for s in fired["signal"]]
        sentences.append(
            self.t("report.lsum_signals", signals=", ".join(names)) if names else self.t("report.lsum_no_signals")
        )
        own = self.department is not None and not self.regression.refused and self.regression.scope == "department"
        reg = self.regression if own else self.org_regression
        if not reg.refused:
            first = reg.finding(self.lang).split(". ")[0].rstrip(".")
            if self.department is not None and not own:
                first += " (" + self.t("report.model_organisation").rstrip(".").lower() + ")"
            sentences.append(first + ".")
        _display('<div class="summary">' + "".join(f"<p>{html.escape(s)}</p>" for s in sentences) + "</div>")

    def kpi_table(self) -> None:
        """The five KPIs with the change against the previous month."""
        self.heading("kpis")
        row = self._own_row(self.kpis)
        trend = self.trend
        own = trend[(trend["level"] == row["level"]) & (trend["unit"] == row["unit"])].set_index("period")
        prev_period = str(parse_period(self.period) - 1)
        prev = own.loc[prev_period] if prev_period in own.index else None
        records, masks = [], {"value": [], "previous": []}
        # Per-row decimals: counts and days whole, percentages and scores one decimal.
        digits = {"active_use_cases": 0, "time_to_impact_days": 0}
        for key in KPI_KEYS:
            value = row[key]
            before = prev[key] if prev is not None else np.nan
            sup_now = key == "leadership_adoption_pct" and bool(row["leadership_adoption_pct_suppressed"])
            sup_prev = key == "leadership_adoption_pct" and prev is not None and bool(prev["leadership_adoption_pct_suppressed"])
            places = digits.get(key, 1)
            records.append(
                {
                    self.t("report.kpi"): self.t(f"kpi.{key}"),
                    "value": self.fmt.number(value, places),
                    "previous": self.fmt.number(before, places),
                    # From the values as shown: 16.8 and 19.2 give −2.4, never −2.5.
                    "change": MISSING if (sup_now or sup_prev) else self.fmt.change(value, before, places),
                }
            )
            masks["value"].append(sup_now)
            masks["previous"].append(sup_prev)
        frame = pd.DataFrame(records)
        frame = frame.rename(
            columns={"value": self.t("report.value"), "previous": self.t("report.previous"), "change": self.t("report.change")}
        )
        self.table(
            frame,
            suppressed={
                self.t("report.value"): pd.Series(masks["value"]),
                self.t("report.previous"): pd.Series(masks["previous"]),
            },
        )

    def kpi_trend(self) -> None:
        """Small multiples: each KPI over the last 12 months."""
        self.heading("trend")
        row = self._own_row(self.kpis)
        trend = self.trend
        own = trend[(trend["level"] == row["level"]) & (trend["unit"] == row["unit"])].copy()
        org = trend[trend["level"] == "organisation"]
        fig, axes = plt.subplots(1, 5, figsize=(15, 2.8), layout="constrained")
        x = np.arange(len(own))
        for ax, key in zip(axes, KPI_KEYS, strict=True):
            values = own[key].astype(float).to_numpy()
            if key == "leadership_adoption_pct":
                values = np.where(own["leadership_adoption_pct_suppressed"].to_numpy(bool), np.nan, values)
            ax.plot(x, values, marker="o", color="#0173b2", label=shorten(self.unit))
            if self.department is not None and key != "active_use_cases":  # counts: not comparable
                ax.plot(x, org[key].astype(float).to_numpy(), color="#8c8c8c", linestyle="--", linewidth=1, label=self.t("text.organisation"))
            ax.set_title(self.t(f"kpi.{key}"), fontsize=9)
            ax.set_xticks(x[::3], [p[2:] for p in own["period"].iloc[::3]], fontsize=8)
            ax.grid(alpha=0.3)
            if np.all(np.isnan(values)):
                ax.text(0.5, 0.5, self.t("text.not_enough_data"), ha="center", va="center", transform=ax.transAxes, color="#8c8c8c")
        if self.department is not None:
            axes[0].legend(fontsize=7, loc="best")
        self.figure(fig, alt=self.t("report.trend"))

    def priority_section(self, top: int = 10) -> None:
        """Impact-effort matrix and the top priorities of the unit's use cases."""
        from ..plots.impact_effort import plot_impact_effort

        self.heading("priorities")
        pri = self.priorities
        if pri.empty:
            self.paragraph(self.t("text.not_enough_data"))
            return
        fig, ax = plt.subplots(figsize=(10, 7.5), layout="constrained")
        plot_impact_effort(pri, ax=ax, lang=self.lang, title=self.unit, hue="goal", size="investment_eur")
        self.figure(fig, alt=self.t("report.priorities"))
        open_ = pri[pri["open"]] if "open" in pri else pri
        best = open_.sort_values("priority_score", ascending=False).head(top)
        frame = pd.DataFrame(
            {
                self.t("report.use_case"): best["use_case_id"] + " " + best["title"].fillna(""),
                self.t("report.department"): best["department"],
                self.t("text.status"): [self.t(f"status.{s}") for s in best["status"]],
                self.t("text.quadrant"): [label(f"quadrant.{q}", self.lang) for q in best["quadrant"]],
                self.t("report.priority_score"): best["priority_score"],
            }
        )
        _display(f"<h3>{html.escape(self.t('report.top_priorities', n=len(best)))}</h3>")
        self.table(frame, numeric={self.t("report.priority_score"): 2})

    def team_section(self) -> None:
        """The department's teams: phase, adoption and use cases."""
        if self.department is None:
            return
        self.heading("teams")
        k = self._visible_units(self.kpis)
        teams = k[k["level"] == "team"].reset_index(drop=True)
        m = self.measures
        phase = m[(m["level"] == "team") & (m["measure"] == "phases") & (m["statistic"] == "team_phase")].set_index("unit")
        frame = pd.DataFrame(
            {
                self.t("report.team"): teams["unit"],
                self.t("kpi.active_use_cases"): teams["active_use_cases"],
                self.t("report.phase"): teams["unit"].map(phase["value"]),
                self.t("kpi.leadership_adoption_pct"): teams["leadership_adoption_pct"],
                self.t("report.leaders"): teams["n_leaders"],
                self.t("kpi.adaptivity_score"): teams["adaptivity_score"],
            }
        )
        self.table(
            frame,
            numeric={
                self.t("kpi.active_use_cases"): 0,
                self.t("report.phase"): 1,
                self.t("kpi.leadership_adoption_pct"): 1,
                self.t("report.leaders"): 0,
                self.t("kpi.adaptivity_score"): 0,
            },
            suppressed={
                self.t("kpi.leadership_adoption_pct"): teams["leadership_adoption_pct_suppressed"].astype(bool),
                self.t("report.phase"): teams["unit"].map(phase["suppressed"]).fillna(False).astype(bool),
            },
        )

    def _measure_chart(self, func: str, measure: str, size=(9, 5), **kwargs) -> None:
        from ..plots import measures as pm

        frame = self._visible_units(self.measures)
        if self.department is not None and not (
            (frame["measure"] == measure) & (frame["department"] == self.department)
        ).any():
            # A known department without rows for this measure (e.g. one that
            # only the process catalogue names): say so instead of a chart.
            self.paragraph(self.t("report.no_unit_data", unit=self.department))
            return
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        getattr(pm, func)(frame, ax=ax, lang=self.lang, **kwargs)
        self.figure(fig, alt=func)

    def _unit_kwargs(self) -> dict:
        if self.department is None:
            return {"unit": "organisation"}
        return {"unit": self.department}

    def phase_section(self) -> None:
        self.heading("phases")
        kwargs = {"department": self.department} if self.department else {}
        self._measure_chart("plot_phases", "phases", size=(10, 5), **kwargs)

    def competency_section(self) -> None:
        self.heading("competencies")
        self._measure_chart("plot_competency_gap", "competency_gap", **self._unit_kwargs())

    def culture_section(self) -> None:
        self.heading("culture")
        self._measure_chart("plot_culture", "culture", family="culture", **self._unit_kwargs())
        self._measure_chart("plot_culture", "pillar", family="pillar", statistic="favourability_pct", **self._unit_kwargs())

    def goals_section(self) -> None:
        self.heading("goals")
        kwargs = {"department": self.department} if self.department else {}
        self._measure_chart("plot_goal_mix", "goal_mix", size=(10, 5), **kwargs)
        self._measure_chart("plot_skills_pyramid", "skills_pyramid", size=(8, 4), **self._unit_kwargs())

    def pitfall_section(self) -> None:
        from ..pitfalls import describe_pitfall

        self.heading("pitfalls")
        fired = self.pitfalls[self.pitfalls["triggered"]]
        if fired.empty:
            self.paragraph(self.t("report.none_triggered"))
            return
        items = []
        for _, r in fired.iterrows():
            prefix = "" if self.department else f"{r['department']}: "
            items.append(f"<li>{html.escape(prefix + describe_pitfall(r, self.lang))}</li>")
        _display('<ul class="signals">' + "".join(items) + "</ul>")

    def regression_section(self) -> None:
        from ..plots.regression import plot_coefficients, plot_importance

        self.heading("regression")
        reg = self.regression
        if self.department is not None and reg.refused and reg.scope == "department":
            self.paragraph(self.t("report.department_refused", reason=reg.refusal(self.lang)))
            reg = self.org_regression
        if reg.refused:
            self.paragraph(reg.refusal(self.lang))
            return
        finding = reg.finding(self.lang)
        if not reg.fallback_reason:  # a fallback is explained by the finding itself
            note = self.t("report.model_department") if reg.scope == "department" else self.t("report.model_organisation")
            self.paragraph(note, cls="note")
        self.paragraph(finding)
        fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
        plot_importance(reg, ax=ax, lang=self.lang)
        self.figure(fig, alt=self.t("text.importance"))
        fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
        plot_coefficients(reg, ax=ax, lang=self.lang)
        self.figure(fig, alt=self.t("text.coefficient"))
        if self.department is None:
            self._measure_chart("plot_trained_roi", "trained_roi", size=(9, 5))

    def department_section(self) -> None:
        """Every department at department level (allowed in every report)."""
        self.heading("departments")
        k = self.kpis
        depts = k[k["level"] == "department"].reset_index(drop=True)
        frame = pd.DataFrame({self.t("report.department"): depts["unit"]})
        numeric = {}
        for key in KPI_KEYS:
            frame[self.t(f"kpi.{key}")] = depts[key]
            numeric[self.t(f"kpi.{key}")] = 0 if key in ("active_use_cases", "time_to_impact_days") else 1
        frame[self.t("report.respondents")] = depts["n_respondents"]
        numeric[self.t("report.respondents")] = 0
        self.table(
            frame,
            numeric=numeric,
            suppressed={self.t("kpi.leadership_adoption_pct"): depts["leadership_adoption_pct_suppressed"].astype(bool)},
        )

    def about(self) -> None:
        self.heading("about")
        self.paragraph(self.t("report.privacy", n=self.min_group_size))
        files = ", ".join(sorted(Path(p).name for p in self.data.sources.values()))
        self.paragraph(f"{self.t('report.sources')}: {files}.")
        for w in self.data.warnings:
            self.paragraph(self.t(f"warning.{w.code}", value=w.value, file=w.file, line=w.line) if w.code else str(w))

    def finish(self) -> None:
        """The last cell of every report: marks the notebook as complete."""
        print(COMPLETION_MARK)

    def render_all(self) -> None:
        """Every section in report order (for a quick look in JupyterLab)."""
        self.header()
        self.summary()
        self.kpi_table()
        self.kpi_trend()
        self.priority_section()
        self.team_section()
        self.phase_section()
        self.competency_section()
        self.culture_section()
        self.goals_section()
        self.pitfall_section()
        self.regression_section()
        self.department_section()
        self.about()
