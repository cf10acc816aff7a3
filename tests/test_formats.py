"""The presentation layer's formatter: one way per language to show a number,
a percentage, a change, a month and a date, and the report using it."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from aiadopt.present.formats import MINUS, MISSING, Formatter, axis_formatter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

EN, NL = Formatter("en"), Formatter("nl")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,digits,en,nl",
    [
        (37.2, 1, "37.2", "37,2"),
        (1234.5, 1, "1,234.5", "1.234,5"),
        (1234567.891, 2, "1,234,567.89", "1.234.567,89"),
        (-2.5, 1, f"{MINUS}2.5", f"{MINUS}2,5"),
        (-1234, 0, f"{MINUS}1,234", f"{MINUS}1.234"),
        (7, 2, "7.00", "7,00"),
        (np.float64(0.5), 0, "1", "1"),
        (Decimal("3.14159"), 3, "3.142", "3,142"),
    ],
)
def test_number_in_both_languages(x, digits, en, nl):
    assert EN.number(x, digits) == en
    assert NL.number(x, digits) == nl


@pytest.mark.parametrize(
    "x,digits,shown",
    [
        # Half away from zero on the number as written, as a reader rounds:
        # f"{2.5:.0f}" and Babel's default would give "2", f"{2.45:.1f}" "2.5"
        # only by luck of the binary representation, f"{0.125:.2f}" "0.12".
        (2.5, 0, "3"),
        (3.5, 0, "4"),
        (-2.5, 0, f"{MINUS}3"),
        (0.125, 2, "0.13"),
        (2.675, 2, "2.68"),  # binary 2.67499999… ; f-string gives 2.67
        (1.005, 2, "1.01"),
        (2.45, 1, "2.5"),
        (2.449, 1, "2.4"),
    ],
)
def test_rounding_halves_goes_away_from_zero(x, digits, shown):
    assert EN.number(x, digits) == shown


def test_a_value_rounding_to_zero_has_no_sign():
    assert EN.number(-0.04, 1) == "0.0"
    assert NL.number(-0.4, 0) == "0"
    assert EN.signed(-0.04, 1) == "0.0"


@pytest.mark.parametrize(
    "missing", [None, math.nan, np.nan, float("nan"), pd.NA, pd.NaT, np.float64("nan")]
)
def test_missing_is_an_en_dash_everywhere(missing):
    for fmt in (EN, NL):
        assert fmt.number(missing) == MISSING == "\u2013"
        assert fmt.count(missing) == MISSING
        assert fmt.percent(missing) == MISSING
        assert fmt.signed(missing) == MISSING
        assert fmt.change(missing, 3.0) == MISSING
        assert fmt.change(3.0, missing) == MISSING
        assert fmt.month(missing) == MISSING
        assert fmt.month_short(missing) == MISSING
        assert fmt.date(missing) == MISSING


def test_infinity_is_refused_with_the_value():
    with pytest.raises(ValueError, match="cannot format inf: not a finite number"):
        EN.number(math.inf)


def test_unknown_language_and_bad_digits_are_refused():
    with pytest.raises(ValueError, match="lang must be one of 'en', 'nl', got 'de'"):
        Formatter("de")
    with pytest.raises(ValueError, match="digits must be 0 or more, got -1"):
        EN.number(1.0, -1)


def test_count():
    assert EN.count(1234) == "1,234"
    assert NL.count(1234) == "1.234"
    assert NL.count(np.int64(3)) == "3"
    assert EN.count(np.int64(2**53 + 1)) == "9,007,199,254,740,993"  # exact, not via float


def test_percent_takes_the_0_to_100_scale():
    assert EN.percent(37.2) == "37%"
    assert NL.percent(37.25, digits=1) == "37,3%"
    assert EN.percent(37.25, digits=1) == "37.3%"
    assert NL.percent(100) == "100%"
    assert EN.percent(-12.5) == f"{MINUS}13%"
    assert NL.percent(0.4) == "0%"


def test_signed_uses_a_real_minus_and_a_plus():
    assert EN.signed(2.449) == "+2.4"
    assert NL.signed(-2.45) == f"{MINUS}2,5"
    assert NL.signed(3, 0) == "+3"
    assert EN.signed(0) == "0.0"
    assert "-" not in NL.signed(-1234.5) and NL.signed(-1234.5) == f"{MINUS}1.234,5"


# --- change from the values as shown --------------------------------------------------


def test_change_is_computed_from_the_values_as_shown():
    # Issue 9: "16.8 vs 19.2 shows -2.5": the values 16.76 and 19.24 are shown
    # as 16.8 and 19.2, and 16.76 - 19.24 = -2.48 rounds to -2.5.
    now, before = 16.76, 19.24
    assert (EN.number(now), EN.number(before)) == ("16.8", "19.2")
    assert EN.change(now, before, 1) == f"{MINUS}2.4"
    assert NL.change(now, before, 1) == f"{MINUS}2,4"
    assert EN.signed(now - before, 1) == f"{MINUS}2.5"  # what the old code showed


def test_change_in_whole_numbers_and_halves():
    assert EN.change(16.5, 16.4, 0) == "+1"  # shown 17 and 16
    assert EN.change(16.4, 16.5, 0) == f"{MINUS}1"
    assert EN.change(10.04, 9.96, 1) == "0.0"  # shown 10.0 and 10.0
    assert NL.change(1234.5, 1000, 1) == "+234,5"


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period",
    [
        "2026-10",
        pd.Period("2026-10", "M"),
        dt.date(2026, 10, 31),
        pd.Timestamp("2026-10-15"),
        "2026-10-01",
    ],
)
def test_month_in_words(period):
    assert NL.month(period) == "oktober 2026"
    assert EN.month(period) == "October 2026"
    assert NL.month_short(period) == "okt 2026"
    assert EN.month_short(period) == "Oct 2026"


def test_month_names_differ_per_month():
    assert NL.month("2026-03") == "maart 2026"
    assert NL.month_short("2026-05") == "mei 2026"
    assert EN.month_short("2026-05") == "May 2026"


def test_date():
    assert NL.date(dt.date(2026, 12, 3)) == "3 december 2026"
    assert EN.date(dt.datetime(2026, 12, 3, 13, 5)) == "December 3, 2026"
    assert NL.date("2026-01-09") == "9 januari 2026"


def test_a_bad_date_names_the_value_and_the_forms_accepted():
    with pytest.raises(ValueError, match=r"month: '2026/10' is not a date; give .* 'YYYY-MM'"):
        NL.month("2026/10")


# --- chart ticks ----------------------------------------------------------------------


def _tick_texts(ax, axis="x"):
    ax.figure.canvas.draw()
    ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in ticks]


def test_axis_formatter_numbers_on_an_axes():
    fig, ax = plt.subplots()
    ax.set_xlim(-1, 1)
    ax.set_xticks([-1, -0.5, 0, 0.25, 1])
    ax.xaxis.set_major_formatter(axis_formatter("nl", "number"))
    assert _tick_texts(ax) == [f"{MINUS}1", f"{MINUS}0,5", "0", "0,25", "1"]
    ax.xaxis.set_major_formatter(axis_formatter("en", "number"))
    assert _tick_texts(ax) == [f"{MINUS}1", f"{MINUS}0.5", "0", "0.25", "1"]


def test_axis_formatter_percent_count_and_signed():
    fig, ax = plt.subplots()
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 12.5, 50, 100])
    ax.yaxis.set_major_formatter(axis_formatter("nl", "percent"))
    assert _tick_texts(ax, "y") == ["0%", "12,5%", "50%", "100%"]
    ax.set_xlim(-2000, 2000)
    ax.set_xticks([-2000, 0, 1500])
    ax.xaxis.set_major_formatter(axis_formatter("nl", "count"))
    assert _tick_texts(ax) == [f"{MINUS}2.000", "0", "1.500"]
    ax.xaxis.set_major_formatter(axis_formatter("en", "signed"))
    assert _tick_texts(ax) == [f"{MINUS}2,000", "0", "+1,500"]


def test_axis_formatter_refuses_an_unknown_kind():
    with pytest.raises(
        ValueError, match="kind must be one of 'number', 'percent', 'count', 'signed', got 'money'"
    ):
        axis_formatter("en", "money")


# --- the report uses it -------------------------------------------------------------------


def test_index_page_shows_durations_in_the_language():
    from aiadopt.report.html import index_page

    rows = [
        {
            "title": "Finance",
            "file": "finance.html",
            "status": "ok",
            "reason": "",
            "duration_s": 37.25,
        },
        {
            "title": "Sales",
            "file": "sales.html",
            "status": "ok",
            "reason": "",
            "duration_s": 1234.5,
        },
    ]
    when = dt.datetime(2026, 10, 31, 12, 0, tzinfo=dt.UTC)
    nl = index_page(period="2026-10", rows=rows, generated=when, lang="nl")
    en = index_page(period="2026-10", rows=rows, generated=when, lang="en")
    assert '<td class="num">37,3</td>' in nl and '<td class="num">1.234,5</td>' in nl
    assert '<td class="num">37.3</td>' in en and '<td class="num">1,234.5</td>' in en


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_kpi_table_change_agrees_with_the_values_shown(monkeypatch, lang):
    from aiadopt.kpis import parse_period
    from aiadopt.labels import label
    from aiadopt.report.sections import Report

    shown: list[str] = []
    monkeypatch.setattr("aiadopt.report.sections._display", shown.append)
    report = Report(SAMPLE, n_boot=0, lang=lang)
    kpis, trend = report.kpis.copy(), report.trend.copy()
    previous = str(parse_period(report.period) - 1)
    org_now = kpis["level"] == "organisation"
    org_before = (trend["level"] == "organisation") & (trend["period"] == previous)
    assert org_now.sum() == 1 and org_before.sum() == 1
    kpis.loc[org_now, "core_process_ai_pct"] = 16.76
    trend.loc[org_before, "core_process_ai_pct"] = 19.24
    report.__dict__["kpis"], report.__dict__["trend"] = kpis, trend
    report.kpi_table()
    rows = re.findall(r"<tr>(.*?)</tr>", shown[-1])
    (row,) = [r for r in rows if label("kpi.core_process_ai_pct", lang) in r]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    sep = "," if lang == "nl" else "."
    # Before: 16.8, 19.2 and a change of -2.5 (16.76 - 19.24 = -2.48, rounded).
    assert cells[1:] == [
        f"16{sep}8",
        f"19{sep}2",
        f"\u25bc\u00a0{MINUS}2{sep}4",
    ]  # ▼: a fall, not colour alone


@pytest.mark.parametrize("lang,month", [("en", "October 2026"), ("nl", "oktober 2026")])
def test_summary_names_the_month(monkeypatch, lang, month):
    from aiadopt.report.sections import Report

    shown: list[str] = []
    monkeypatch.setattr("aiadopt.report.sections._display", shown.append)
    report = Report(SAMPLE, period="2026-10", n_boot=0, lang=lang)
    report.summary()
    summary = shown[-1]
    assert f" {month} " in summary and "2026-10" not in summary


# --- one formatter ------------------------------------------------------------------


def test_no_hand_rolled_decimal_comma_is_left():
    pattern = re.compile(r"""replace\(\s*(['"])\.\1\s*,\s*(['"]),\2\s*\)""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "aiadopt").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not offenders, "use aiadopt.present.formats.Formatter instead:\n" + "\n".join(offenders)


def test_the_grep_finds_the_old_helpers():
    pattern = re.compile(r"""replace\(\s*(['"])\.\1\s*,\s*(['"]),\2\s*\)""")
    assert pattern.search('text.replace(".", ",") if lang == "nl" else text')
    assert pattern.search("alpha = alpha.replace('.', ',')")
    assert not pattern.search('text.replace(",", "\\u2009")')
