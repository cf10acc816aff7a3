"""The section registry and what the sections show readers.

Covers aiadopt/report/sections.py and aiadopt/plots/trend.py: the registry
(order, heading ids, which reports), the KPI table's direction colours, the
trend chart, alt text, the mostly-suppressed rule, the notes on "–" and
"suppressed", low reliability, the meta line and "About this report".
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

from aiadopt.labels import label
from aiadopt.plots.trend import TREND_KPIS, plot_kpi_trend
from aiadopt.present.formats import MINUS, Formatter
from aiadopt.report import sections
from aiadopt.report.sections import REGISTRY, SECTIONS, Report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _render(department: str | None, lang: str = "en", **kwargs) -> tuple[Report, str]:
    shown: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sections, "_display", shown.append)
        report = Report(SAMPLE, department=department, lang=lang, n_boot=20, **kwargs)
        report.render()
    return report, "\n".join(shown)


@pytest.fixture(scope="module")
def finance():
    return _render("Finance")


@pytest.fixture(scope="module")
def organisation():
    return _render(None)


@pytest.fixture(scope="module")
def legal():
    """Legal in data/sample: 4 respondents, so every survey figure is suppressed."""
    return _render("Legal")


def _section(page: str, sid: str) -> str:
    """The markup of section ``sid`` (from its heading to the next)."""
    start = page.index(f'<h2 id="{sid}">')
    nxt = page.find("<h2 id=", start + 1)
    return page[start : nxt if nxt != -1 else len(page)]


# --- the registry ------------------------------------------------------------------


def test_registry_is_the_one_list_of_sections():
    ids = [s.id for s in REGISTRY]
    assert len(ids) == len(set(ids))
    assert ids[0] == "header" and not REGISTRY[0].heading
    assert SECTIONS == tuple(s.id for s in REGISTRY if s.heading)
    for s in REGISTRY:
        assert callable(getattr(Report, s.method)) and s.doc, s.id
        if s.heading:
            assert label(f"report.{s.id}", "en") and label(f"report.{s.id}", "nl")


def test_registering_a_section_twice_is_refused():
    with pytest.raises(ValueError, match="section 'kpis' is registered twice"):
        sections.section("kpis")(lambda self: None)


def test_reports_render_their_sections_in_registry_order(finance, organisation):
    report, page = finance
    assert "teams" in report.sections
    assert re.findall(r'<h2 id="([^"]+)">', page) == [s for s in report.sections if s != "header"]
    org_report, org_page = organisation
    assert "teams" not in org_report.sections
    assert re.findall(r'<h2 id="([^"]+)">', org_page) == [
        s for s in org_report.sections if s != "header"
    ]


def test_show_one_section_and_refuse_unknown_ones(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(sections, "_display", shown.append)
    report = Report(SAMPLE, n_boot=20)
    report.show("kpis")
    assert shown[0].startswith('<h2 id="kpis">') and "<table" in shown[1]
    with pytest.raises(ValueError, match="unknown section 'kpi'; sections: header, summary, kpis"):
        report.show("kpi")
    with pytest.raises(ValueError, match="section 'teams' is not part of the organisation report"):
        report.show("teams")


@pytest.mark.parametrize("name", ["department_report.ipynb", "organisation_report.ipynb"])
def test_report_notebooks_are_thin(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c.source.strip() for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 4  # parameters, the Report, the sections, finish
    assert code[2] == "report.render()" and code[3] == "report.finish()"
    methods = {s.method for s in REGISTRY}
    assert not any(
        f"report.{m}(" in src for src in code for m in methods
    )  # the order lives in the registry
    note = nb.cells[0]
    assert (
        "analyst-note" in note.metadata["tags"]
        and 'report.show("kpis")' in note.source
        and "report.sections" in note.source
    )


# --- header, KPI table ----------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,period,wave",
    [
        ("en", "Period October 2026", "survey wave October 2026"),
        ("nl", "Periode oktober 2026", "enquêteronde oktober 2026"),
    ],
)
def test_meta_line_names_months_and_the_date_in_words(monkeypatch, lang, period, wave):
    shown: list[str] = []
    monkeypatch.setattr(sections, "_display", shown.append)
    Report(SAMPLE, period="2026-10", lang=lang, n_boot=20).header()
    meta = html.unescape(re.search(r'<p class="meta">(.*?)</p>', shown[0]).group(1))
    assert meta.startswith(f"{period} · {wave} · ")
    assert Formatter(lang).date(dt.date.today()) in meta and "2026-10" not in meta


@pytest.mark.parametrize(
    "key,change,arrow,cls",
    [
        ("active_use_cases", "+1", "\u25b2", "change-good"),
        ("time_to_impact_days", "+74", "\u25b2", "change-bad"),  # slower to impact: bad
        ("time_to_impact_days", f"{MINUS}5", "\u25bc", "change-good"),
        ("leadership_adoption_pct", f"{MINUS}6,0", "\u25bc", "change-bad"),
        ("adaptivity_score", "0,0", "", ""),  # no change: no colour, no arrow
        ("core_process_ai_pct", "\u2013", "", ""),
    ],
)
def test_change_direction_per_kpi(key, change, arrow, cls):
    assert Report._direction(key, change) == (arrow, cls)


def test_kpi_table_colours_and_marks_changes(finance):
    table = _section(finance[1], "kpis")
    tti = re.search(
        r"Time-to-impact \(days\)</td><td>(\d+)</td><td>(\d+)</td><td([^>]*)>([^<]*)</td>", table
    )
    now, before, cls, shown = int(tti.group(1)), int(tti.group(2)), tti.group(3), tti.group(4)
    assert now != before  # data/sample: a change to judge
    expected = ("\u25b2", "change-bad") if now > before else ("\u25bc", "change-good")
    assert shown.startswith(expected[0]) and expected[1] in cls
    # A KPI without change (Finance's adaptivity score: 0 both months) has no colour and no arrow.
    same = re.search(
        r"Adaptivity score</td><td>([^<]*)</td><td>([^<]*)</td><td([^>]*)>([^<]*)</td>", table
    )
    assert same.group(1) == same.group(2)  # data/sample: Finance's adaptivity score stays 0.0
    assert same.group(3) == "" and not same.group(4).startswith(("\u25b2", "\u25bc"))
    assert same.group(4) == "no change"  # said as on the index, not "0.0"


# --- the trend chart -------------------------------------------------------------------


@pytest.fixture(scope="module")
def trend():
    report = Report(SAMPLE, n_boot=20)
    return report.trend


@pytest.mark.parametrize("lang,month", [("en", "Oct 2026"), ("nl", "okt 2026")])
def test_trend_is_legible_with_months_and_the_organisation_in_the_legend(trend, lang, month):
    fig = plot_kpi_trend(trend, unit="Finance", level="department", lang=lang)
    axes = fig.axes
    assert len(axes) == 6 and not axes[5].axison  # two rows of three; the sixth holds the legend
    rows = {round(ax.get_position().y0, 2) for ax in axes[:5]}
    assert len(rows) == 2
    for ax, key in zip(axes, TREND_KPIS, strict=False):
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks[-1] == month
        assert all(t.get_fontsize() >= 9 for t in ax.get_xticklabels() + ax.get_yticklabels())
        assert ax.get_title() == label(f"kpi.{key}", lang)
    # Shown at its own size in the report (950 px at 100 dpi): no shrinking below 9 pt.
    assert fig.get_figwidth() * 100 <= 960
    texts = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert texts[:2] == ["Finance", label("text.organisation", lang)]


def test_trend_marks_small_n_points_and_leaves_suppressed_months_as_gaps(trend):
    trend = trend.copy()
    fin = (trend["level"] == "department") & (trend["unit"] == "Finance")
    months = trend.loc[fin, "period"].sort_values().tolist()
    trend.loc[fin & (trend["period"] == months[3]), "n_use_cases_started"] = 2
    trend.loc[fin & (trend["period"] == months[5]), "leadership_adoption_pct_suppressed"] = True
    fig = plot_kpi_trend(trend, unit="Finance", level="department", min_group_size=5)
    tti = fig.axes[TREND_KPIS.index("adaptivity_score")]
    hollow = [ln for ln in tti.lines if ln.get_gid() == "small-n"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [3]
    assert hollow[0].get_markerfacecolor() == "white"
    adoption = fig.axes[TREND_KPIS.index("leadership_adoption_pct")].lines[0]
    assert np.isnan(adoption.get_ydata()[5]) and not np.isnan(adoption.get_ydata()[4])
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert label("report.small_n", "en", n=5) in texts


def test_trend_counts_have_whole_ticks_and_a_hidden_kpi_says_suppressed(trend):
    fig = plot_kpi_trend(
        trend, unit="Legal", level="department"
    )  # 1 to 3 use cases; adoption always hidden
    counts = fig.axes[0]
    assert all(float(v).is_integer() for v in counts.get_yticks())
    labels = [t.get_text() for t in counts.get_yticklabels()]
    assert len(labels) == len(set(labels))  # no "2, 2, 2" from rounded fractional ticks
    adoption = fig.axes[TREND_KPIS.index("leadership_adoption_pct")]
    assert label("text.suppressed", "en") in [t.get_text() for t in adoption.texts]


def test_trend_refuses_an_unknown_unit(trend):
    with pytest.raises(
        ValueError, match="trend has no rows for level 'department', unit 'Atlantis'"
    ):
        plot_kpi_trend(trend, unit="Atlantis", level="department")


# --- alt text, suppression, notes -----------------------------------------------------


def test_every_chart_has_alt_text_that_says_what_it_shows(finance, organisation):
    for report, page in (finance, organisation):
        alts = [
            html.unescape(a)
            for a in re.findall(r'<img src="data:image/png;base64,[^"]*" alt="([^"]*)"', page)
        ]
        assert len(alts) >= 9
        assert len(set(alts)) == len(alts)
        for alt in alts:
            assert "plot_" not in alt and len(alt) > 40, alt
            assert re.search(r"\d", alt), alt  # built from the data
        assert sum(report.unit.lower() in a.lower() for a in alts) >= 6


def test_a_mostly_suppressed_unit_gets_sentences_not_hatching(legal, finance):
    _, page = legal
    for sid in ("competencies", "culture"):
        part = _section(page, sid)
        assert "<img" not in part
        assert "every figure is suppressed for privacy" in part
    # A unit with figures still gets its charts.
    assert "<img" in _section(finance[1], "competencies")


def test_tables_explain_dash_and_suppressed_where_they_show_them(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(sections, "_display", shown.append)
    report = Report(SAMPLE, lang="nl", n_boot=20)
    report.table(
        pd.DataFrame({"a": [1.0, np.nan], "b": ["x", "y"]}),
        numeric={"a": 1},
        suppressed={"b": pd.Series([False, True])},
    )
    assert (
        "“–”: niet te berekenen" in shown[-1]
        and "“onderdrukt”: verborgen vanwege privacy (minder dan 5" in shown[-1]
    )
    report.table(pd.DataFrame({"a": [1.0, 2.0]}), numeric={"a": 1})
    assert "note" not in shown[-1]


def test_low_reliability_is_flagged_in_words(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(sections, "_display", shown.append)
    report = Report(SAMPLE, n_boot=20)
    m = report.measures.copy()
    alpha = (m["level"] == "organisation") & (m["statistic"] == "alpha")
    m.loc[alpha, "value"] = 0.8
    report.__dict__["measures"] = m
    report._reliability_note()
    assert shown == []
    first = m[alpha & (m["measure"] == "culture")].index[0]
    m.loc[first, "value"] = 0.37
    report._reliability_note()
    (note,) = shown
    assert f"{m.at[first, 'label']} (α = 0.37)" in html.unescape(note) and "below 0.6" in note


def test_about_names_sources_and_explains_methods(organisation):
    about = html.unescape(_section(organisation[1], "about"))
    for word in (
        "survey.csv",
        "use_cases.csv",
        "processes.csv",
        "Nederlandse AI-Monitor 2025",
        "HC3",
        "LMG",
        "Bootstrap",
        "Cross-validation",
        "complementary suppression",
    ):
        assert word.lower() in about.lower(), word
    assert "seed" not in about.lower()


def test_counts_use_plural_forms(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(sections, "_display", shown.append)
    monkeypatch.setattr(sections.plt, "close", lambda fig=None: None)
    report = Report(SAMPLE, department="Finance", n_boot=20)
    report.priority_section(top=1)
    page = "".join(shown)
    assert "<h3>Top priority</h3>" in page and "Top 1 priorities" not in page
    assert not re.search(r"\b1 use cases\b", page)
