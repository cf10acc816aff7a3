"""Languages complete: a Dutch report holds no English interface words and an
English report no Dutch ones.

Checked over every section of the registry (rendered in-process, the text of
the HTML, alt texts included, and every text drawn in the charts) for the
organisation and one department in both languages, and over the published
pages and the index of real runs (``sample_run`` in English and a Dutch run of
one department). Names from the data (units, teams, use-case titles) are
removed first: they are in whatever language the organisation writes.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from aiadopt.io import load
from aiadopt.report import sections
from aiadopt.report.sections import Report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

#: Interface words of one language that must not appear in a report of the
#: other (matched as whole words, case-sensitive where capitalised).
ENGLISH = (
    "Contents",
    "Summary",
    "suppressed",
    "use cases started",
    "Department",
    "Departments",
    "Month",
    "Change",
    "Previous",
    "Value",
    "Respondents",
    "Leaders",
    "Organisation",
    "Priority",
    "Share",
    "Reason",
    "Duration",
    "Report",
    "Reports",
    "Generated",
    "Period",
    "the",
    "and",
    "with",
    "for",
    "not",
    "per month",
)
DUTCH = (
    "Inhoud",
    "Samenvatting",
    "onderdrukt",
    "Afdeling",
    "Afdelingen",
    "Maand",
    "Verandering",
    "Vorige",
    "Waarde",
    "Respondenten",
    "Leidinggevenden",
    "Organisatie",
    "Prioriteit",
    "Aandeel",
    "Reden",
    "Duur",
    "Rapport",
    "Gemaakt",
    "Periode",
    "enquêteronde",
    "de",
    "het",
    "een",
    "van",
    "en",
    "met",
    "voor",
    "niet",
)
FOREIGN = {"nl": ENGLISH, "en": DUTCH}


def _data_names(data_dir: Path) -> list[str]:
    data = load(data_dir)
    uc, sv = data.use_cases, data.survey
    names = (
        set(uc["title"].dropna())
        | set(uc["use_case_id"])
        | set(uc["department"])
        | set(uc["team"].dropna())
    )
    names |= set(sv["department"]) | set(sv["team"].dropna()) | set(data.processes["department"])
    names |= set(data.processes["process"])
    return sorted((str(n) for n in names if str(n)), key=len, reverse=True)


NAMES = _data_names(SAMPLE)


def _text(markup: str) -> str:
    """The words a reader sees in ``markup``: text and alt texts, data URIs dropped."""
    alts = " ".join(re.findall(r'alt="([^"]*)"', markup))
    markup = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", markup) + " " + alts
    return html.unescape(text)


def _leaks(text: str, lang: str, names: list[str] = NAMES) -> list[str]:
    for name in names:
        text = text.replace(name, " ")
    found = []
    for word in FOREIGN[lang]:
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            context = re.search(
                rf".{{0,40}}(?<![\w-]){re.escape(word)}(?![\w-]).{{0,40}}", text
            ).group(0)
            found.append(f"{word!r} in …{context}…")
    return found


def test_the_word_lists_find_leaks():
    assert _leaks("Inhoud · Samenvatting van de afdeling", "en") == [
        "'Inhoud' in …Inhoud · Samenvatting van de afdeling…",
        "'Samenvatting' in …Inhoud · Samenvatting van de afdeling…",
        "'de' in …Inhoud · Samenvatting van de afdeling…",
        "'van' in …Inhoud · Samenvatting van de afdeling…",
    ]
    assert _leaks("Contents of the report", "nl")
    assert not _leaks(
        "use-case-titel en de afdeling", "en", names=["use-case-titel en de afdeling"]
    )  # data is removed


@pytest.fixture(
    scope="module",
    params=[("en", None), ("en", "Finance"), ("nl", None), ("nl", "Finance")],
    ids=lambda p: f"{p[0]}-{p[1] or 'organisation'}",
)
def rendered(request):
    """(lang, page markup, chart texts) of one report rendered in-process."""
    lang, department = request.param
    shown: list[str] = []
    figures: list = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sections, "_display", shown.append)
        mp.setattr(sections.plt, "close", figures.append)
        Report(SAMPLE, department=department, lang=lang, n_boot=20).render()
    chart_text = [
        t.get_text() for fig in figures for t in fig.findobj(Text) if t.get_text().strip()
    ]
    for fig in figures:
        plt.close(fig)
    return lang, "\n".join(shown), chart_text


def test_every_section_speaks_the_report_language(rendered):
    lang, page, _ = rendered
    leaks = _leaks(_text(page), lang)
    assert not leaks, "\n".join(leaks)


def test_every_chart_speaks_the_report_language(rendered):
    lang, _, chart_text = rendered
    leaks = _leaks("\n".join(chart_text), lang)
    assert not leaks, "\n".join(leaks)


@pytest.fixture(scope="module")
def sample_run_nl(tmp_path_factory):
    """A Dutch run of data/sample, limited to one department (and the organisation)."""
    from aiadopt.report.runner import run_reports

    base = tmp_path_factory.mktemp("run_nl")
    data = base / "data"
    shutil.copytree(SAMPLE, data)
    result = run_reports(
        data,
        out=base / "reports",
        departments=["Finance"],
        lang="nl",
        workers=2,
        n_boot=50,
        progress=False,
    )
    return result, data


def _published(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.html"))}


def test_published_dutch_pages_and_index(sample_run_nl):
    result, _ = sample_run_nl
    pages = _published(result.directory)
    assert {"index.html", "organisation.html", "department-finance.html"} <= set(pages)
    leaks = [
        f"{name}: {leak}" for name, page in pages.items() for leak in _leaks(_text(page), "nl")
    ]
    assert not leaks, "\n".join(leaks)


def test_published_english_pages_and_index(sample_run):
    result, _ = sample_run
    pages = _published(result.directory)
    assert "index.html" in pages and len(pages) > 3
    leaks = [
        f"{name}: {leak}" for name, page in pages.items() for leak in _leaks(_text(page), "en")
    ]
    assert not leaks, "\n".join(leaks)
