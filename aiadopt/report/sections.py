"""Report sections: the figure-level layer the report notebooks call.

A :class:`Report` loads the data once, computes each result once, and each
section displays its part (heading, prose, table, chart) as HTML in the
notebook, in the report's language, with the privacy rules of
docs/metrics.md §5 already applied (suppression is computed over the whole
organisation, so the reports of one run agree with each other and cannot be
combined to undo it).

The sections are a registry, listed once: each is a small method of
:class:`Report` decorated with :func:`section`, in report order. From it come
the order, the heading ids (the anchors of the contents, :data:`SECTIONS`) and
which reports include a section. A notebook calls ``report.render()``; an
analyst calls ``report.show("kpis")`` for one section and reads
``report.sections`` for the ids of this report.

Examples
--------
>>> [s.id for s in REGISTRY][:4]
['header', 'summary', 'kpis', 'trend']
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import html
import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import __version__
from ..labels import label
from ..plots import alt_text
from ..plots._style import plain_text
from ..present.formats import KPI_DISPLAY, MISSING, Formatter, change_direction
from ..present.text import (
    describe_pitfall,
    fallback_rule,
    regression_finding,
    regression_headline,
    regression_refusal,
)
from ..privacy import check_min_group_size
from ..reliability import LOW_ALPHA  # α below this is flagged in words
from ..timeline import parse_period, period_of
from ..units import check_department

__all__ = ["Report", "Section", "REGISTRY", "SECTIONS", "COMPLETION_MARK", "section", "slug_id"]

#: Printed by :meth:`Report.finish` as the notebook's last output; the runner
#: treats a notebook without it as not having run to the end.
COMPLETION_MARK = "aiadopt-report-complete"

#: The five KPIs in report order (their decimals and good direction: KPI_DISPLAY).
KPI_KEYS = tuple(KPI_DISPLAY)


@dataclass(frozen=True)
class Section:
    """One entry of the section registry.

    Attributes
    ----------
    id : str
        Heading id and contents anchor; its heading is the label ``report.<id>``.
    method : str
        The :class:`Report` method that displays the section's body.
    organisation, departments : bool
        Whether the organisation report / the department reports include it.
    heading : bool
        Whether the section has a heading (and so an entry in the contents).
    doc : str
        What the section shows (the method's docstring), for analysts.
    """

    id: str
    method: str
    organisation: bool = True
    departments: bool = True
    heading: bool = True
    doc: str = ""


#: Every section in report order (filled by :func:`section`).
REGISTRY: list[Section] = []


def section(
    id: str, *, organisation: bool = True, departments: bool = True, heading: bool = True
) -> Callable[[Callable], Callable]:
    """Register a :class:`Report` method as a report section.

    Sections are listed in the order their methods are defined. A new section
    is one decorated method plus a heading label ``report.<id>`` and its tests.

    Parameters
    ----------
    id : str
        Unique section id (heading id and contents anchor).
    organisation, departments : bool, default=True
        Which reports include the section.
    heading : bool, default=True
        ``False`` for the page header, which has no ``<h2>``.
    """

    def register(func: Callable) -> Callable:
        if any(s.id == id for s in REGISTRY):
            raise ValueError(f"section {id!r} is registered twice")
        REGISTRY.append(
            Section(
                id, func.__name__, organisation, departments, heading, inspect.getdoc(func) or ""
            )
        )
        return func

    return register


def slug_id(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


@cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None on other C libraries and systems."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def _trim_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


class Report:
    """One report: the organisation (``department=None``) or one department.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with the organisation's inputs (not needed with ``results``).
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
    results : Results, str or Path, optional
        The run's results store (:mod:`aiadopt.report.store`), or a folder
        holding it or this report's slice of it: the report then reads its
        results from there and loads no data (``aiadopt report`` passes each
        report its slice). ``min_group_size``, ``n_boot`` and ``seed`` are
        then the store's, and ``period`` must be ``"latest"`` or the store's.
    survey_format, mapping, schema, tables : optional
        How to read ``data_dir`` (a survey tool's export and its mapping
        file; a database's schema and table names), as in
        :func:`aiadopt.load`; empty means the default.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        period: str = "latest",
        department: str | None = None,
        lang: str = "en",
        min_group_size: int = 5,
        n_boot: int = 1000,
        seed: int = 0,
        codebook: str | Path | None = None,
        results=None,
        survey_format: str = "auto",
        mapping: str | Path | None = None,
        schema: str | None = None,
        tables: str | None = None,
    ):
        if lang not in ("en", "nl"):
            raise ValueError(f"lang must be 'en' or 'nl', got {lang!r}")
        self.lang = lang
        self.fmt = Formatter(lang)
        self._store = None
        if results is not None and not (isinstance(results, str | Path) and not str(results)):
            self._from_store(results, period=period, department=department or None)
            return
        if data_dir is None:
            raise ValueError("Report needs data_dir (the data folder) or results (a results store)")
        from ..io import load  # lazy: a report reading a results store loads no data

        self.data = load(
            data_dir,
            codebook=codebook,
            survey_format=survey_format or "auto",
            mapping=mapping or None,
            schema=schema or None,
            tables=tables or None,
        )
        self.period = str(period_of(self.data, period or "latest"))
        self.department = check_department(self.data, department or None)
        self.min_group_size = check_min_group_size(min_group_size)
        self.n_boot = n_boot
        self.seed = seed

    def _from_store(self, results, *, period: str, department: str | None) -> None:
        from .store import Results

        store = results if isinstance(results, Results) else Results.read(results)
        if period not in ("latest", "", store.period):
            raise ValueError(
                f"period {period!r} does not match the results store, which holds {store.period}; "
                "pass period='latest' or the store's month"
            )
        if department is not None and department not in store.departments:
            raise ValueError(
                f"unknown department {department!r}; the data has: {', '.join(store.departments)}"
            )
        self._store = store.slice(department)
        self.data = None
        # A report kernel is short-lived: what exists now (modules, the store)
        # lives until it ends, so the collections after each chart need not
        # scan it (gc.freeze; they then take milliseconds).
        gc.freeze()
        self.period = store.period
        self.department = department
        self.min_group_size = store.min_group_size
        self.n_boot = store.n_boot
        self.seed = store.seed

    # -- shared results ------------------------------------------------------
    @property
    def unit(self) -> str:
        return self.department or label("text.organisation", self.lang)

    def t(self, key: str, **fmt) -> str:
        return label(key, self.lang, **fmt)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        if self._store is not None:
            return self._store.kpis
        from ..kpis import compute_kpis

        return compute_kpis(self.data, period=self.period, min_group_size=self.min_group_size)

    @cached_property
    def trend(self) -> pd.DataFrame:
        if self._store is not None:
            return self._store.trend
        from ..kpis import compute_kpi_trend

        return compute_kpi_trend(
            self.data, period=self.period, months=12, min_group_size=self.min_group_size
        )

    @cached_property
    def measures(self) -> pd.DataFrame:
        from ..measures import compute_measures
        from ..present.text import measure_labels

        if self._store is not None:
            frame = self._store.measures
        else:
            frame = compute_measures(
                self.data,
                period=self.period,
                min_group_size=self.min_group_size,
                n_boot=self.n_boot,
                seed=self.seed,
            )
        # The reader columns (label, note) in the report's language.
        return measure_labels(frame, self.lang, min_group_size=self.min_group_size)

    @cached_property
    def priorities(self) -> pd.DataFrame:
        if self._store is not None:
            return self._store.priorities_of(self.department)
        from ..prioritisation import compute_priorities

        return compute_priorities(self.data, department=self.department)

    @cached_property
    def pitfalls(self) -> pd.DataFrame:
        if self._store is not None:
            return self._store.pitfalls.reset_index(drop=True)
        from ..pitfalls import compute_pitfalls

        return compute_pitfalls(self.data, period=self.period, department=self.department)

    @cached_property
    def regression(self):
        if self._store is not None:
            return self._store.regressions[self.department]
        from ..regression import fit_competency_roi

        return fit_competency_roi(
            self.data,
            period=self.period,
            department=self.department,
            n_boot=self.n_boot,
            seed=self.seed,
        )

    @cached_property
    def org_regression(self):
        if self._store is not None:
            return self._store.regressions[None]
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

    # -- the registry ----------------------------------------------------------
    @property
    def sections(self) -> list[str]:
        """Ids of this report's sections, in order (``"header"`` first)."""
        kind = "departments" if self.department is not None else "organisation"
        return [s.id for s in REGISTRY if getattr(s, kind)]

    def show(self, section_id: str) -> None:
        """Display one section (its heading, then its body) by id."""
        entry = next((s for s in REGISTRY if s.id == section_id), None)
        if entry is None:
            raise ValueError(
                f"unknown section {section_id!r}; sections: {', '.join(s.id for s in REGISTRY)}"
            )
        if section_id not in self.sections:
            kind = (
                "a department report" if self.department is not None else "the organisation report"
            )
            raise ValueError(
                f"section {section_id!r} is not part of {kind}; its sections: {', '.join(self.sections)}"
            )
        if entry.heading:
            self.heading(section_id)
        getattr(self, entry.method)()

    def render(self) -> None:
        """Every section of this report, in report order."""
        for section_id in self.sections:
            self.show(section_id)

    render_all = render

    def finish(self) -> None:
        """The last cell of every report: marks the notebook as complete."""
        print(COMPLETION_MARK)

    # -- output helpers --------------------------------------------------------
    def heading(self, section_id: str) -> None:
        _display(f'<h2 id="{section_id}">{html.escape(self.t(f"report.{section_id}"))}</h2>')

    def paragraph(self, text: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        _display(f"<p{attr}>{html.escape(text)}</p>")

    def figure(self, fig, alt: str, caption: str | None = None) -> None:
        buf = io.BytesIO()
        plain_text(fig)  # names are text: a "$" in a team name is not mathtext
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        # A figure is a web of reference cycles: free it now, not at some later
        # collection, and hand the freed memory back to the system, so a
        # report's peak memory is one chart, not all of them.
        gc.collect()
        _trim_memory()
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        _display(
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">{cap}</figure>'
        )

    def table(
        self,
        frame: pd.DataFrame,
        *,
        numeric: dict[str, int] | None = None,
        suppressed: dict[str, pd.Series] | None = None,
        classes: dict[str, list[str]] | None = None,
    ) -> None:
        """An HTML table; ``numeric`` = column -> decimals; ``suppressed`` =
        column -> boolean mask of cells to show as "suppressed"; ``classes``
        = column -> a CSS class per row. Under the table, a note explains
        "–" (not computable) and "suppressed" when the table shows them."""
        numeric = numeric or {}
        suppressed = suppressed or {}
        classes = classes or {}
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        rows = []
        seen_missing = seen_suppressed = False
        for i, (_, row) in enumerate(frame.iterrows()):
            cells = []
            for col in frame.columns:
                mask = suppressed.get(col)
                extra = classes[col][i] if col in classes and classes[col][i] else ""
                if mask is not None and bool(mask.iloc[i]):
                    seen_suppressed = True
                    cells.append(
                        f'<td class="suppressed">{html.escape(self.t("text.suppressed"))}</td>'
                    )
                    continue
                if col in numeric:
                    text, cls = self.fmt.number(row[col], numeric[col]), "num"
                else:
                    value = row[col]
                    missing = value is None or (not isinstance(value, str) and pd.isna(value))
                    text, cls = (MISSING if missing else str(value)), ""
                seen_missing |= text == MISSING
                cls = " ".join(c for c in (cls, extra) if c)
                attr = f' class="{cls}"' if cls else ""
                cells.append(f"<td{attr}>{html.escape(text)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        notes = []
        if seen_missing:
            notes.append(self.t("report.note_missing"))
        if seen_suppressed:
            notes.append(self.t("report.note_suppressed", n=self.min_group_size))
        note = f'<p class="note">{html.escape(" ".join(notes))}</p>' if notes else ""
        _display(
            f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'
        )

    def _alt(self, chart: str, **fmt) -> str:
        """The alt text of chart ``name``: label ``report.alt_<name>``, which
        says what the chart shows, filled in from the data."""
        return self.t(f"report.alt_{chart}", unit=self.unit, **fmt)

    @section("header", heading=False)
    def header(self) -> None:
        """Title and the line saying which period and survey wave this is."""
        title = (
            self.t("report.title_department", unit=self.unit)
            if self.department
            else self.t("report.title_organisation")
        )
        wave = self._own_row(self.kpis)["survey_wave"]
        meta = self.t(
            "report.meta",
            period=self.fmt.month(self.period),
            wave=self.fmt.month(wave) if wave else MISSING,
            generated=self.fmt.date(dt.date.today()),
            version=__version__,
        )
        _display(f'<h1 id="top">{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>')

    @section("summary")
    def summary(self) -> None:
        """A few plain-language sentences with the headline figures: active
        use cases and their change, leadership adoption, time to impact,
        adaptivity, the pitfall signals and the regression's main finding."""
        row = self._own_row(self.kpis)
        trend = self.trend
        own = trend[(trend["level"] == row["level"]) & (trend["unit"] == row["unit"])]
        previous = own[own["period"] == str(parse_period(self.period) - 1)]
        change = MISSING
        if len(previous):
            diff = int(row["active_use_cases"] - previous.iloc[0]["active_use_cases"])
            change = self.t("report.no_change") if diff == 0 else self.fmt.signed(diff, 0)
        sentences = [
            self.t(
                "report.lsum_active",
                unit=self.unit,
                n=int(row["active_use_cases"]),
                period=self.fmt.month(self.period),
                change=change,
            )
        ]
        if bool(row["leadership_adoption_pct_suppressed"]):
            sentences.append(self.t("report.lsum_adoption_suppressed"))
        elif not pd.isna(row["leadership_adoption_pct"]):
            sentences.append(
                self.t(
                    "report.lsum_adoption", pct=self.fmt.percent(row["leadership_adoption_pct"], 0)
                )
            )
        if pd.isna(row["time_to_impact_days"]):
            sentences.append(self.t("report.lsum_tti_none"))
        else:
            sentences.append(
                self.t("report.lsum_tti", days=self.fmt.number(row["time_to_impact_days"], 0))
            )
        if not pd.isna(row["adaptivity_score"]):
            sentences.append(
                self.t("report.lsum_adaptivity", score=self.fmt.number(row["adaptivity_score"], 0))
            )
        fired = self.pitfalls[self.pitfalls["triggered"]]
        if self.department is None:
            names = sorted({self.t(f"pitfall.{s}") for s in fired["signal"]})
        else:
            names = [self.t(f"pitfall.{s}") for s in fired["signal"]]
        sentences.append(
            self.t("report.lsum_signals", signals=", ".join(names))
            if names
            else self.t("report.lsum_no_signals")
        )
        own = (
            self.department is not None
            and not self.regression.refused
            and self.regression.scope == "department"
        )
        reg = self.regression if own else self.org_regression
        if not reg.refused:
            first = regression_headline(reg, self.lang).rstrip(".")
            if self.department is not None and not own:
                first += " (" + self.t("report.model_organisation").rstrip(".").lower() + ")"
            sentences.append(first + ".")
        _display(
            '<div class="summary">'
            + "".join(f"<p>{html.escape(s)}</p>" for s in sentences)
            + "</div>"
        )

    @section("kpis")
    def kpi_table(self) -> None:
        """The five KPIs (docs/metrics.md §2) with the previous month and the
        change, computed from the values as shown. A change in the good
        direction is green, in the bad direction red (time to impact: down is
        good; the others: up is good), and always marked ▲ or ▼ too."""
        row = self._own_row(self.kpis)
        trend = self.trend
        own = trend[(trend["level"] == row["level"]) & (trend["unit"] == row["unit"])].set_index(
            "period"
        )
        prev_period = str(parse_period(self.period) - 1)
        prev = own.loc[prev_period] if prev_period in own.index else None
        records, masks, tone = [], {"value": [], "previous": []}, []
        for key in KPI_KEYS:
            value = row[key]
            before = prev[key] if prev is not None else np.nan
            sup_now = key == "leadership_adoption_pct" and bool(
                row["leadership_adoption_pct_suppressed"]
            )
            sup_prev = (
                key == "leadership_adoption_pct"
                and prev is not None
                and bool(prev["leadership_adoption_pct_suppressed"])
            )
            places = KPI_DISPLAY[key][0]
            # From the values as shown: 16.8 and 19.2 give −2.4, never −2.5.
            change = MISSING if (sup_now or sup_prev) else self.fmt.change(value, before, places)
            arrow, cls = self._direction(key, change)
            if change_direction(key, change)[0] == "flat":
                change = self.t("report.no_change")  # as the index says it, not "0.0"
            records.append(
                {
                    self.t("report.kpi"): self.t(f"kpi.{key}"),
                    "value": self.fmt.number(value, places),
                    "previous": self.fmt.number(before, places),
                    "change": f"{arrow}\u00a0{change}" if arrow else change,
                }
            )
            tone.append(cls)
            masks["value"].append(sup_now)
            masks["previous"].append(sup_prev)
        frame = pd.DataFrame(records)
        frame = frame.rename(
            columns={
                "value": self.t("report.value"),
                "previous": self.t("report.previous"),
                "change": self.t("report.change"),
            }
        )
        self.table(
            frame,
            suppressed={
                self.t("report.value"): pd.Series(masks["value"]),
                self.t("report.previous"): pd.Series(masks["previous"]),
            },
            classes={self.t("report.change"): tone},
        )

    @staticmethod
    def _direction(key: str, change: str) -> tuple[str, str]:
        """(arrow, CSS class) of a change as shown: ("▲", "change-good") for a
        rise of a KPI where up is good; ("", "") for no change or none."""
        direction, quality = change_direction(key, change)
        if quality is None:
            return "", ""
        return ("\u25b2" if direction == "up" else "\u25bc"), f"change-{quality}"

    @section("trend")
    def kpi_trend(self) -> None:
        """Small multiples of the five KPIs over the last 12 months; a
        department is compared with the organisation (dashed). Hollow markers:
        values resting on fewer than ``min_group_size`` observations; gaps:
        months suppressed or not computable (aiadopt.plots.trend)."""
        from ..plots.trend import plot_kpi_trend

        row = self._own_row(self.kpis)
        own = self.trend[
            (self.trend["level"] == row["level"]) & (self.trend["unit"] == row["unit"])
        ]
        fig = plot_kpi_trend(
            self.trend,
            unit=row["unit"],
            level=row["level"],
            lang=self.lang,
            min_group_size=self.min_group_size,
        )
        first, last = own.iloc[0], own.iloc[-1]
        alt = self._alt(
            "trend",
            start=self.fmt.month(first["period"]),
            end=self.fmt.month(last["period"]),
            first=self.fmt.count(first["active_use_cases"]),
            last=self.fmt.count(last["active_use_cases"]),
        )
        if self.department is not None:
            alt += " " + self.t("report.alt_trend_compare")
        self.figure(fig, alt=alt)

    @section("departments")
    def department_section(self) -> None:
        """Every department at department level (allowed in every report):
        the five KPIs and the number of respondents."""
        k = self.kpis
        depts = k[k["level"] == "department"].reset_index(drop=True)
        frame = pd.DataFrame({self.t("report.department"): depts["unit"]})
        numeric = {}
        for key in KPI_KEYS:
            frame[self.t(f"kpi.{key}")] = depts[key]
            numeric[self.t(f"kpi.{key}")] = KPI_DISPLAY[key][0]
        frame[self.t("report.respondents")] = depts["n_respondents"]
        numeric[self.t("report.respondents")] = 0
        self.table(
            frame,
            numeric=numeric,
            suppressed={
                self.t("kpi.leadership_adoption_pct"): depts[
                    "leadership_adoption_pct_suppressed"
                ].astype(bool)
            },
        )

    @section("priorities")
    def priority_section(self, top: int = 10) -> None:
        """The impact-effort matrix of the unit's use cases and its top open
        priorities (idea and pilot). Quadrants split at 3.0 (high = strictly
        above); ``report.priorities`` holds the whole ranked table."""
        from ..plots.impact_effort import plot_impact_effort

        pri = self.priorities
        if pri.empty:
            self.paragraph(self.t("text.not_enough_data"))
            return
        fig, ax = plt.subplots(figsize=(10, 7.5), layout="constrained")
        plot_impact_effort(
            pri, ax=ax, lang=self.lang, title=self.unit, hue="goal", size="investment_eur"
        )
        self.figure(fig, alt=alt_text("plot_impact_effort", pri, self.lang, title=self.unit))
        open_ = pri[pri["open"]] if "open" in pri else pri
        best = open_.sort_values("priority_score", ascending=False).head(top)
        frame = pd.DataFrame(
            {
                self.t("report.use_case"): best["use_case_id"] + " " + best["title"].fillna(""),
                self.t("report.department"): best["department"],
                self.t("text.status"): [self.t(f"status.{s}") for s in best["status"]],
                self.t("text.quadrant"): [
                    label(f"quadrant.{q}", self.lang) for q in best["quadrant"]
                ],
                self.t("report.priority_score"): best["priority_score"],
            }
        )
        _display(f"<h3>{html.escape(self.t('report.top_priorities', n=len(best)))}</h3>")
        self.table(frame, numeric={self.t("report.priority_score"): 2})

    @section("teams", organisation=False)
    def team_section(self) -> None:
        """The department's teams: use cases, median phase, leadership
        adoption with the number of leaders answering, and adaptivity."""
        k = self._visible_units(self.kpis)
        teams = k[k["level"] == "team"].reset_index(drop=True)
        m = self.measures
        phase = m[
            (m["level"] == "team") & (m["measure"] == "phases") & (m["statistic"] == "team_phase")
        ].set_index("unit")
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
                self.t("kpi.leadership_adoption_pct"): teams[
                    "leadership_adoption_pct_suppressed"
                ].astype(bool),
                self.t("report.phase"): teams["unit"]
                .map(phase["suppressed"])
                .fillna(False)
                .astype(bool),
            },
        )

    @section("phases")
    def phase_section(self) -> None:
        """Share of teams in each transformation phase (median answer of the
        team's respondents, docs/metrics.md §2)."""
        kwargs = {"department": self.department} if self.department else {}
        self._measure_chart("plot_phases", "phases", "pct_teams", size=(10, 5), **kwargs)

    @section("competencies")
    def competency_section(self) -> None:
        """Leaders sufficiently qualified per competency against the national
        benchmark (AI-Monitor 2025) where there is one."""
        self._measure_chart(
            "plot_competency_gap", "competency_gap", "pct_qualified", **self._unit_kwargs()
        )

    @section("culture")
    def culture_section(self) -> None:
        """Favourable answers on the five culture traits and the four pillars;
        scales with Cronbach's α below 0.6 are flagged in words."""
        self._measure_chart(
            "plot_culture", "culture", "favourability_pct", family="culture", **self._unit_kwargs()
        )
        self._measure_chart(
            "plot_culture",
            "pillar",
            "favourability_pct",
            family="pillar",
            statistic="favourability_pct",
            **self._unit_kwargs(),
        )
        self._reliability_note()

    @section("goals")
    def goals_section(self) -> None:
        """The mix of goals of active use cases (personal, operational,
        strategic) and the skills pyramid against the 80/15/5 target."""
        kwargs = {"department": self.department} if self.department else {}
        self._measure_chart(
            "plot_goal_mix", "goal_mix", "pct_active_use_cases", size=(10, 5), **kwargs
        )
        self._measure_chart(
            "plot_skills_pyramid", "skills_pyramid", "pct", size=(8, 4), **self._unit_kwargs()
        )

    @section("pitfalls")
    def pitfall_section(self) -> None:
        """Rule-based pitfall signals (docs/metrics.md §6) that fired, each
        with the figure and the limit behind it."""
        fired = self.pitfalls[self.pitfalls["triggered"]]
        if fired.empty:
            self.paragraph(self.t("report.none_triggered"))
            return
        items = []
        for _, r in fired.iterrows():
            prefix = "" if self.department else f"{r['department']}: "
            items.append(f"<li>{html.escape(prefix + describe_pitfall(r, self.lang))}</li>")
        _display('<ul class="signals">' + "".join(items) + "</ul>")

    @section("regression")
    def regression_section(self) -> None:
        """Which leadership competencies go with ROI (docs/metrics.md §4). A
        department uses its own use cases when it has enough with ROI and
        leader scores; otherwise the organisation-wide model, and the report
        says which."""
        from ..plots.regression import plot_coefficients, plot_importance

        reg = self.regression
        if self.department is not None and reg.refused and reg.scope == "department":
            self.paragraph(
                self.t("report.department_refused", reason=regression_refusal(reg, self.lang))
            )
            reg = self.org_regression
        if reg.refused:
            self.paragraph(regression_refusal(reg, self.lang))
            return
        finding = " ".join(regression_finding(reg, self.lang))
        if not reg.fallback:  # a fallback is explained by the finding itself
            note = (
                self.t("report.model_department")
                if reg.scope == "department"
                else self.t("report.model_organisation")
            )
            self.paragraph(note, cls="note")
        if self.department is not None:
            self.paragraph(
                fallback_rule(self.lang, k=len(reg.predictors) + len(reg.dropped)), cls="note"
            )
        self.paragraph(finding)
        fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
        plot_importance(reg, ax=ax, lang=self.lang)
        self.figure(fig, alt=alt_text("plot_importance", reg, self.lang))
        fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
        plot_coefficients(reg, ax=ax, lang=self.lang)
        self.figure(fig, alt=alt_text("plot_coefficients", reg, self.lang))
        if self.department is None:
            self._measure_chart("plot_trained_roi", "trained_roi", "roi_ratio", size=(9, 5))

    @section("about")
    def about(self) -> None:
        """Privacy rule, the input files and the benchmark's source, the
        methods in plain words, and the data warnings of this run."""
        self.paragraph(self.t("report.privacy", n=self.min_group_size))
        files = ", ".join(sorted(Path(str(p)).name for p in self._sources().values()))
        self.paragraph(self.t("report.sources_files", files=files))
        self.paragraph(self.t("report.sources_benchmark"))
        items = "".join(
            f"<li><strong>{html.escape(self.t(f'report.method_{m}'))}</strong>: {html.escape(self.t(f'report.method_{m}_text'))}</li>"
            for m in ("missing", "suppression", "hc3", "lmg", "bootstrap", "cv", "alpha")
        )
        _display(f"<h3>{html.escape(self.t('report.methods'))}</h3><ul>{items}</ul>")
        for w in self._warnings():
            self.paragraph(
                self.t(f"warning.{w['code']}", value=w["value"], file=w["file"], line=w["line"])
                if w["code"]
                else w["text"]
            )

    def _sources(self) -> dict:
        return self._store.sources if self._store is not None else self.data.sources

    def _warnings(self) -> list[dict]:
        if self._store is not None:
            return self._store.warnings
        return [
            {"code": w.code, "value": w.value, "file": w.file, "line": w.line, "text": str(w)}
            for w in self.data.warnings
        ]

    # -- helpers of the sections ------------------------------------------------
    def _measure_chart(self, func: str, measure: str, main: str, size=(9, 5), **kwargs) -> None:
        """The chart ``func`` of ``measure``, or one sentence instead.

        A unit with no rows for the measure gets "no data"; a unit whose every
        shown figure of the chart (statistic ``main``) is suppressed gets one
        sentence saying so instead of a chart of grey hatching. "Shown" are
        the unit's rows (the department and its teams, or the organisation)
        that have a value or are suppressed; a figure not computable is not
        counted either way.
        """
        from ..plots import measures as pm

        frame = self._visible_units(self.measures)
        rows = frame[frame["measure"] == measure]
        if self.department is not None:
            own = rows[rows["department"] == self.department]
            if own.empty:
                # A known department without rows for this measure (e.g. one that
                # only the process catalogue names): say so instead of a chart.
                self.paragraph(self.t("report.no_unit_data", unit=self.department))
                return
        else:
            own = rows[rows["level"] == "organisation"]
        shown = own[
            (own["statistic"] == main) & (own["suppressed"].astype(bool) | own["value"].notna())
        ]
        if len(shown) and shown["suppressed"].astype(bool).all():
            self.paragraph(
                self.t(
                    "report.all_suppressed",
                    unit=self.unit,
                    chart=self.t(f"report.chart_{measure}"),
                    n=self.min_group_size,
                )
            )
            return
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        getattr(pm, func)(frame, ax=ax, lang=self.lang, **kwargs)
        self.figure(fig, alt=alt_text(func, frame, self.lang, **kwargs))

    def _unit_kwargs(self) -> dict:
        if self.department is None:
            return {"unit": "organisation"}
        return {"unit": self.department}

    def _low_reliability(self) -> pd.DataFrame:
        """The unit's culture and pillar scales with Cronbach's α below
        :data:`LOW_ALPHA` (not suppressed)."""
        m = self.measures
        level = "organisation" if self.department is None else "department"
        rows = m[
            m["measure"].isin(["culture", "pillar"])
            & (m["statistic"] == "alpha")
            & (m["level"] == level)
            & ~m["suppressed"].astype(bool)
        ]
        if self.department is not None:
            rows = rows[rows["unit"] == self.department]
        return rows[rows["value"] < LOW_ALPHA]

    def _reliability_note(self) -> None:
        low = self._low_reliability()
        if low.empty:
            return
        scales = ", ".join(
            self.t("report.alpha_scale", scale=r["label"], alpha=self.fmt.number(r["value"], 2))
            for _, r in low.iterrows()
        )
        self.paragraph(
            self.t(
                "report.low_reliability",
                n=len(low),
                scales=scales,
                limit=self.fmt.number(LOW_ALPHA, 1),
            ),
            cls="note",
        )


#: Ids of the sections with a heading, in report order (the anchors of the contents).
SECTIONS: tuple[str, ...] = tuple(s.id for s in REGISTRY if s.heading)
