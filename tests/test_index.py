"""The month's index (``reports/<period>/index.html``): a landing page for readers.

Every report, the organisation first, each with its five headline KPIs and
their change against the previous month (▲/▼ coloured good or bad per KPI,
computed from the values as shown), privacy suppression as in the reports,
a failed report marked as not available (its earlier version linked), and
the run's operator details in a collapsible block; in both languages.
The page is read with BeautifulSoup.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aiadopt import load
from aiadopt.kpis import compute_kpis, parse_period
from aiadopt.labels import label
from aiadopt.report.html import INDEX_KPIS, index_page, notebook_to_html, page_title
from aiadopt.report.runner import _index_kpis

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
WHEN = dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)


def _row(kind, department, title, file, status="ok", **more):
    return {
        "kind": kind,
        "department": department,
        "title": title,
        "file": file,
        "status": status,
        "reason": more.pop("reason", None),
        "duration_s": more.pop("duration_s", 12.5),
        **more,
    }


def _kpis(**values):
    base = {
        "active_use_cases": 10,
        "time_to_impact_days": 90,
        "core_process_ai_pct": 20.0,
        "leadership_adoption_pct": 50.0,
        "adaptivity_score": 40.0,
        "leadership_adoption_pct_suppressed": False,
    }
    return {**base, **values}


def _cells(soup, unit_name):
    """``kpi -> <td>`` of the reader table's row whose report is ``unit_name``."""
    for tr in soup.select("table.index tbody tr"):
        link = tr.select_one("td.report")
        if link is not None and link.find(string=True, recursive=True).strip() == unit_name:
            return {td["data-kpi"]: td for td in tr.select("td.kpi")}
    raise AssertionError(f"no row for {unit_name!r}")


def _change(td):
    span = td.select_one("span.change")
    return span and (set(span["class"]) - {"change"}, span.get_text())


# -- direction and colour per KPI ------------------------------------------------------------


def test_arrows_are_coloured_good_or_bad_per_kpi():
    rows = [
        _row("organisation", None, "Organisation", "organisation.html"),
        _row("department", "Sales", "Sales", "department-sales.html"),
    ]
    # Everything rises for the organisation and falls for Sales.
    up = _kpis(
        active_use_cases=12,
        time_to_impact_days=100,
        core_process_ai_pct=25.0,
        leadership_adoption_pct=55.0,
        adaptivity_score=45.0,
    )
    kpis = {None: (up, _kpis()), "Sales": (_kpis(), up)}
    soup = BeautifulSoup(
        index_page(period="2026-10", rows=rows, generated=WHEN, kpis=kpis), "html.parser"
    )
    org, sales = _cells(soup, "Organisation"), _cells(soup, "Sales")
    assert list(org) == list(INDEX_KPIS)
    for key in INDEX_KPIS:
        bad_when_up = key == "time_to_impact_days"
        assert _change(org[key])[0] == {"up", "bad" if bad_when_up else "good"}, key
        assert _change(sales[key])[0] == {"down", "good" if bad_when_up else "bad"}, key
        assert _change(org[key])[1].startswith("▲ +") and _change(sales[key])[1].startswith("▼ −")
    assert org["time_to_impact_days"].select_one(".value").get_text() == "100"
    assert _change(org["time_to_impact_days"])[1] == "▲ +10"
    assert _change(org["core_process_ai_pct"])[1] == "▲ +5.0"


def test_change_is_computed_from_the_values_as_shown():
    """16.76 and 19.24 are shown as 16.8 and 19.2: the change is −2.4, not −2.5;
    19.96 and 20.04 are both shown as 20.0: no change, not a fall."""
    rows = [_row("organisation", None, "Organisation", "organisation.html")]
    now = _kpis(core_process_ai_pct=16.76, adaptivity_score=19.96)
    before = _kpis(core_process_ai_pct=19.24, adaptivity_score=20.04)
    soup = BeautifulSoup(
        index_page(period="2026-10", rows=rows, generated=WHEN, kpis={None: (now, before)}),
        "html.parser",
    )
    cells = _cells(soup, "Organisation")
    assert cells["core_process_ai_pct"].select_one(".value").get_text() == "16.8"
    assert _change(cells["core_process_ai_pct"]) == ({"down", "bad"}, "▼ −2.4")
    assert _change(cells["adaptivity_score"]) == ({"flat"}, label("index.no_change", "en"))
    # Without a previous month there is no direction at all.
    soup = BeautifulSoup(
        index_page(period="2026-10", rows=rows, generated=WHEN, kpis={None: (now, None)}),
        "html.parser",
    )
    assert {_change(td)[0] == {"none"} for td in _cells(soup, "Organisation").values()} == {True}


def test_suppressed_adoption_shows_suppressed_and_no_change():
    rows = [
        _row("department", "HR", "HR", "department-hr.html"),
        _row("department", "IT", "IT", "department-it.html"),
    ]
    hidden = _kpis(leadership_adoption_pct=61.3, leadership_adoption_pct_suppressed=True)
    kpis = {"HR": (hidden, _kpis()), "IT": (_kpis(leadership_adoption_pct=80.0), hidden)}
    text = index_page(period="2026-10", rows=rows, generated=WHEN, kpis=kpis)
    soup = BeautifulSoup(text, "html.parser")
    hr, it = (
        _cells(soup, "HR")["leadership_adoption_pct"],
        _cells(soup, "IT")["leadership_adoption_pct"],
    )
    assert hr.get_text() == "suppressed" and "suppressed" in hr["class"]
    # IT's previous month was suppressed: no change may give it away (80.0 − 61.3).
    assert _change(it)[0] == {"none"} and "18.7" not in text and "61.3" not in text


def test_failed_reports_are_not_available_and_link_the_earlier_version():
    rows = [
        _row("organisation", None, "Organisation", "organisation.html", pdf="organisation.pdf"),
        _row(
            "department",
            "HR",
            "HR",
            "department-hr.html",
            "failed",
            reason="RuntimeError: x",
            earlier_run="2026-10-31T22:15:00+00:00",
        ),
        _row("department", "IT", "IT", None, "failed", reason="timed out"),
    ]
    soup = BeautifulSoup(index_page(period="2026-10", rows=rows, generated=WHEN), "html.parser")
    reports = {td.find(string=True).strip(): td for td in soup.select("table.index td.report")}
    assert list(reports) == ["Organisation", "HR", "IT"]
    assert [a["href"] for a in reports["Organisation"].select("a")] == [
        "organisation.html",
        "organisation.pdf",
    ]
    assert not reports["Organisation"].select(".unavailable")
    hr = reports["HR"]
    assert [a["href"] for a in hr.select("a")] == ["department-hr.html"]
    assert (
        hr.select_one(".unavailable").get_text()
        == "not available this month; earlier version of October 31, 2026"
    )
    assert (
        not reports["IT"].select("a")
        and reports["IT"].select_one(".unavailable").get_text() == "not available this month"
    )


def test_operator_details_are_in_a_collapsible_block():
    rows = [
        _row("organisation", None, "Organisation", "organisation.html", duration_s=37.25),
        _row(
            "department",
            "IT",
            "IT",
            None,
            "failed",
            reason="timed out: a cell ran longer than 600 s",
        ),
    ]
    run = {
        "duration_s": 61.0,
        "workers": 2,
        "versions": {"aiadopt": "0.1.0", "python": "3.12.1"},
        "privacy": {
            "min_group_size": 5,
            "figures_suppressed": 7,
            "figures_checked": 1234,
            "recoverable": 0,
        },
    }
    soup = BeautifulSoup(
        index_page(period="2026-10", rows=rows, generated=WHEN, run=run), "html.parser"
    )
    details = soup.select_one("details.operator")
    assert details is not None and details.summary.get_text() == label("index.details", "en")
    text = details.get_text(" ")
    for shown in (
        "timed out: a cell ran longer than 600 s",
        "37.3",
        "2 reports at a time",
        "7 of 1,234 figures suppressed",
        "2026-11-01T06:30:00+00:00",
        "3.12.1",
        "61.0 s",
    ):
        assert shown in text, shown
    # The durations and reasons are only in the operator block, not in the readers' table.
    assert "timed out" not in soup.select_one("table.index").get_text()


def test_names_from_the_data_are_escaped():
    rows = [
        _row(
            "department",
            "<img src=x onerror=alert(1)>",
            "<img src=x onerror=alert(1)>",
            "department-img-src-x.html",
        )
    ]
    text = index_page(period="2026-10", rows=rows, generated=WHEN)
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


# -- in Dutch ---------------------------------------------------------------------------------

#: English words a reader of the Dutch index must not see.
ENGLISH = [
    "Report",
    "report",
    "suppressed",
    "no change",
    "Generated",
    "Duration",
    "Reason",
    "better",
    "worse",
    "not available",
    "earlier version",
    "Contents",
    "Organisation",
    "October",
    "Run details",
    "Privacy audit",
]


@pytest.fixture(scope="module")
def sample_kpis():
    return _index_kpis(load(SAMPLE), period="2026-10", min_group_size=5)


def _sample_rows(kpis, lang):
    rows = [_row("organisation", None, label("text.organisation", lang), "organisation.html")]
    rows += [
        _row("department", d, d, f"department-{d.lower()}.html", duration_s=1234.5)
        for d in kpis
        if d
    ]
    rows[-1].update(status="failed", earlier_run="2026-10-31T22:15:00+00:00", reason="RuntimeError")
    return rows


def test_dutch_index_has_decimal_commas_and_no_english(sample_kpis):
    run = {
        "duration_s": 61.25,
        "workers": 2,
        "versions": {},
        "privacy": {
            "min_group_size": 5,
            "figures_suppressed": 7,
            "figures_checked": 1234,
            "recoverable": 0,
        },
    }
    text = index_page(
        period="2026-10",
        rows=_sample_rows(sample_kpis, "nl"),
        generated=WHEN,
        lang="nl",
        kpis=sample_kpis,
        run=run,
    )
    soup = BeautifulSoup(text, "html.parser")
    assert soup.html["lang"] == "nl" and soup.title.get_text() == "AI-adoptie — oktober 2026"
    assert "oktober 2026" in soup.h1.get_text()
    values = [s.get_text() for s in soup.select("table.index .value")]
    decimals = [v for v in values if not re.fullmatch(r"\d+|–", v)]
    assert decimals and all(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d", v) for v in decimals), decimals
    assert "onderdrukt" in [td.get_text() for td in soup.select("table.index td.kpi")]
    changes = [
        s.get_text() for s in soup.select("table.index .change.up, table.index .change.down")
    ]
    assert changes and all(re.fullmatch(r"[▲▼] [+−]\d+(,\d)?", c) for c in changes), changes
    assert "1.234,5" in soup.select_one("details").get_text()
    # Every word a reader sees is Dutch (the operators' status codes ok/failed excepted).
    for td in soup.select("td[class^=status-]"):
        td.decompose()
    visible = soup.get_text(" ") + " ".join(t.get("title", "") for t in soup.select("[title]"))
    found = [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", visible)]
    assert not found, found


# -- the sample's index, from the real run --------------------------------------------------------


def _shown(value, digits):
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def test_index_of_the_run_shows_every_department_with_its_kpis(sample_run):
    result, data_dir = sample_run
    soup = BeautifulSoup((result.directory / "index.html").read_text(), "html.parser")
    data = load(data_dir)
    now = compute_kpis(data, period="2026-10")
    before = compute_kpis(data, period=str(parse_period("2026-10") - 1)).set_index(
        ["level", "unit"]
    )
    units = now[now["level"].isin(["organisation", "department"])]
    names = [td.find(string=True).strip() for td in soup.select("table.index td.report")]
    assert names == ["Organisation", *units.loc[units["level"] == "department", "unit"]]
    colours = set()
    for row in units.itertuples(index=False):
        cells = _cells(soup, "Organisation" if row.level == "organisation" else row.unit)
        prev = before.loc[(row.level, row.unit)]
        for key, (digits, rise_is_good) in INDEX_KPIS.items():
            td = cells[key]
            if key == "leadership_adoption_pct" and row.leadership_adoption_pct_suppressed:
                assert td.get_text() == "suppressed", row.unit
                continue
            value = getattr(row, key)
            if value != value:  # NaN: not computable
                assert td.select_one(".value").get_text() == "–"
                continue
            assert float(td.select_one(".value").get_text().replace(",", "")) == float(
                _shown(value, digits)
            ), (row.unit, key)
            if prev[key] != prev[key] or (
                key == "leadership_adoption_pct" and prev["leadership_adoption_pct_suppressed"]
            ):
                assert _change(td)[0] == {"none"}
                continue
            delta = _shown(value, digits) - _shown(prev[key], digits)
            direction = "up" if delta > 0 else "down" if delta < 0 else "flat"
            expected = {direction} | (
                set() if direction == "flat" else {"good" if (delta > 0) == rise_is_good else "bad"}
            )
            assert _change(td)[0] == expected, (row.unit, key)
            colours |= expected
    assert {
        "up",
        "down",
        "good",
        "bad",
    } <= colours  # the sample exercises both directions and colours
    assert any(td.get_text() == "suppressed" for td in soup.select("table.index td.kpi"))
    links = [a["href"] for a in soup.select("table.index td.report a")]
    assert "organisation.html" in links and "department-finance.html" in links
    assert soup.select_one("details.operator table") is not None


def test_report_pages_say_what_they_are(sample_run):
    result, _ = sample_run
    for r in result.results:
        soup = BeautifulSoup((result.directory / r.file).read_text(), "html.parser")
        assert soup.title.get_text() == f"AI adoption — {r.title} — October 2026"
        assert soup.html["lang"] == "en" and soup.select_one("nav.toc h2").get_text() == "Contents"
    index = BeautifulSoup((result.directory / "index.html").read_text(), "html.parser")
    assert index.title.get_text() == "AI adoption — October 2026" and index.html["lang"] == "en"


def test_a_dutch_page_has_a_dutch_title_language_and_contents():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell(
        outputs=[new_output("display_data", data={"text/html": '<h2 id="kpis">Kern-KPI\'s</h2>'})]
    )
    title = page_title(label("text.organisation", "nl"), "2026-10", "nl")
    assert title == "AI-adoptie — Organisatie — oktober 2026"
    soup = BeautifulSoup(
        notebook_to_html(nbformat.from_dict(new_notebook(cells=[cell])), title=title, lang="nl"),
        "html.parser",
    )
    assert soup.title.get_text() == title and soup.html["lang"] == "nl"
    assert soup.select_one("nav.toc h2").get_text() == "Inhoud"
    assert [a["href"] for a in soup.select("nav.toc a")] == ["#kpis"]
