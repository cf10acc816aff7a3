"""The published reports on a phone, on a desktop and on paper.

Debian's chromium (via Playwright) opens the pages of the session's sample
run (``sample_run`` in conftest.py, so no extra pipeline run): at 400 px
nothing scrolls sideways, the contents sit above a text column of at least
300 px and wide tables scroll inside their own box; at 1280 px the contents
are a sidebar; printed to an A4 PDF (what ``page.pdf`` gives a reader, and
the PDFs ``aiadopt report --pdf`` wrote), no page ends with a heading, no figure is split and everything stays inside
the page margins. The PDF is read back with pypdf: text with its position
on the page, and every image as it is drawn.
"""

from __future__ import annotations

import html as htmlmod
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiadopt.report.runner import CHROMIUM_FLAGS

CHROMIUM = Path("/usr/bin/chromium")
PHONE, DESKTOP = 400, 1280
#: A4 in PDF points, and the smallest page margin we accept (10 mm).
A4_PT = (595.3, 841.9)
MARGIN_PT = 10 / 25.4 * 72
REPORTS = ["organisation.html", "department-finance.html"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless chromium with a fresh profile, as in test_report_pipeline.py."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI (make test installs it with apt-get)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_FLAGS),
        )
        try:
            yield context
        finally:
            context.close()


def _open(browser, path: Path, width: int, height: int = 900):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page


_GEOMETRY = """() => {
  const box = e => e.getBoundingClientRect();
  const main = document.querySelector('main');
  const style = getComputedStyle(main);
  const nav = document.querySelector('nav.toc');
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    text: {left: box(main).left + parseFloat(style.paddingLeft), top: box(main).top,
           width: main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)},
    nav: nav && {left: box(nav).left, right: box(nav).right, top: box(nav).top, bottom: box(nav).bottom},
    tables: [...main.querySelectorAll('table')].map(t => ({
      right: box(t).right, scrollWidth: t.scrollWidth, clientWidth: t.clientWidth,
      overflowX: getComputedStyle(t).overflowX,
      head: t.querySelector('th') ? t.querySelector('th').textContent : ''})),
    images: [...document.images].map(i => ({right: box(i).right, alt: i.alt})),
  };
}"""


@pytest.mark.parametrize("name", [*REPORTS, "index.html"])
def test_phone_width_text_column_and_no_sideways_scroll(sample_run, browser, name):
    result, _ = sample_run
    page = _open(browser, result.directory / name, PHONE)
    try:
        g = page.evaluate(_GEOMETRY)
    finally:
        page.close()
    assert g["scrollWidth"] <= PHONE, (
        f"{name} scrolls sideways at {PHONE} px: {g['scrollWidth']} px wide"
    )
    assert g["text"]["width"] >= 300, (
        f"{name}: the text column is {g['text']['width']:.0f} px at {PHONE} px"
    )
    if g["nav"]:
        assert g["nav"]["bottom"] <= g["text"]["top"] + 1, (
            f"{name}: the contents are not above the text"
        )
    for img in g["images"]:
        assert img["right"] <= PHONE, f"{name}: image {img['alt']!r} reaches {img['right']:.0f} px"
    for table in g["tables"]:
        assert table["right"] <= PHONE, (
            f"{name}: table {table['head']!r} reaches {table['right']:.0f} px"
        )
        if table["scrollWidth"] > table["clientWidth"]:
            assert table["overflowX"] in ("auto", "scroll"), (
                f"{name}: table {table['head']!r} is cut off"
            )
    if name == "organisation.html":
        # The department comparison has nine columns: it must be the case above.
        assert any(t["scrollWidth"] > t["clientWidth"] for t in g["tables"]), (
            "no table scrolls in its own box"
        )


@pytest.mark.parametrize("name", REPORTS)
def test_desktop_contents_beside_the_text(sample_run, browser, name):
    result, _ = sample_run
    page = _open(browser, result.directory / name, DESKTOP)
    try:
        g = page.evaluate(_GEOMETRY)
    finally:
        page.close()
    assert g["scrollWidth"] <= DESKTOP
    assert g["nav"]["right"] <= g["text"]["left"], "the contents are not a sidebar left of the text"
    assert abs(g["nav"]["top"] - g["text"]["top"]) <= 1
    assert g["text"]["width"] >= 700


# -- on paper --------------------------------------------------------------------------


@dataclass
class _Mark:
    """Something drawn on a PDF page: a run of text (at its baseline) or an
    image (its box); ``y`` from the bottom of the page, in points."""

    kind: str  # "text" or "image"
    x0: float
    x1: float
    y0: float
    y1: float
    text: str = ""


def _pdf_pages(path: Path) -> list[tuple[tuple[float, float], list[_Mark]]]:
    """Each page's size and everything drawn on it, in page coordinates."""
    from pypdf import PdfReader

    pages = []
    for pdf_page in PdfReader(path).pages:
        marks: list[_Mark] = []

        def on_text(text, cm, tm, font, size, marks=marks):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                marks.append(_Mark("text", x, x, y, y, " ".join(text.split())))

        def on_operator(op, args, cm, tm, marks=marks):
            if op == b"Do":  # an XObject (our images) drawn in the unit square through cm
                xs = [cm[4], cm[4] + cm[0], cm[4] + cm[2], cm[4] + cm[0] + cm[2]]
                ys = [cm[5], cm[5] + cm[1], cm[5] + cm[3], cm[5] + cm[1] + cm[3]]
                marks.append(_Mark("image", min(xs), max(xs), min(ys), max(ys)))

        pdf_page.extract_text(visitor_text=on_text, visitor_operand_before=on_operator)
        box = pdf_page.mediabox
        pages.append(((float(box.width), float(box.height)), marks))
    return pages


def _lines(marks: list[_Mark]) -> list[tuple[float, str]]:
    """The page's lines of text, top to bottom: (baseline, text)."""
    lines: list[list[_Mark]] = []
    for m in sorted((m for m in marks if m.kind == "text"), key=lambda m: -m.y0):
        if lines and lines[-1][0].y0 - m.y0 < 1.5:
            lines[-1].append(m)
        else:
            lines.append([m])
    return [
        (line[0].y0, " ".join(m.text for m in sorted(line, key=lambda m: m.x0))) for line in lines
    ]


def _last_line(marks: list[_Mark]) -> str | None:
    """The lowest line of text on the page, or None when the lowest thing
    drawn is an image."""
    lines = _lines(marks)
    if not lines:
        return None
    baseline, text = lines[-1]
    if any(m.kind == "image" and m.y0 < baseline for m in marks):
        return None
    return text


def _headings(markup: str) -> set[str]:
    main = markup[markup.index("<main>") : markup.rindex("</main>")]
    found = re.findall(r"<h([1-4])[^>]*>(.*?)</h\1>", main, flags=re.S)
    return {" ".join(htmlmod.unescape(re.sub(r"<[^>]+>", "", text)).split()) for _, text in found}


def _is_heading(line: str, headings: set[str]) -> bool:
    """``line`` is a heading, or the last line of one that wrapped."""
    return line in headings or (" " in line and any(h.endswith(" " + line) for h in headings))


def _print(browser, source: Path, pdf: Path) -> dict:
    """Print ``source`` to an A4 PDF as a reader would; returns what the
    print styles do to the contents sidebar and to table rows."""
    page = _open(browser, source, DESKTOP)
    try:
        page.emulate_media(media="print")
        printed = page.evaluate(
            """() => ({nav: document.querySelector('nav.toc')
                            && getComputedStyle(document.querySelector('nav.toc')).display,
                       row: getComputedStyle(document.querySelector('main tr')).breakInside})"""
        )
        page.pdf(path=str(pdf), format="A4")
    finally:
        page.close()
    return printed


def _check_pdf(pdf: Path, markup: str) -> list[tuple[tuple[float, float], list[_Mark]]]:
    """Every page A4, everything inside the margins, no page ending with a
    heading of ``markup``, and every image drawn once (a figure split over
    two pages is drawn on both)."""
    headings = _headings(markup)
    pages = _pdf_pages(pdf)
    ending_with_heading = []
    for number, ((width, height), marks) in enumerate(pages, start=1):
        assert abs(width - A4_PT[0]) < 2 and abs(height - A4_PT[1]) < 2, f"page {number} is not A4"
        for m in marks:
            inside = (
                MARGIN_PT <= m.x0
                and m.x1 <= width - MARGIN_PT
                and MARGIN_PT <= m.y0
                and m.y1 <= height - MARGIN_PT
            )
            assert inside, f"page {number}: {m.kind} {m.text!r} outside the margins"
        last = _last_line(marks)
        if last is not None and _is_heading(last, headings):
            ending_with_heading.append((number, last))
    assert not ending_with_heading, f"pages ending with a heading: {ending_with_heading}"
    drawn = sum(m.kind == "image" for _, marks in pages for m in marks)
    assert drawn == markup.count("<img "), f"{drawn} images drawn for {markup.count('<img ')}"
    return pages


@pytest.mark.parametrize("name", REPORTS)
def test_printed_a4_no_page_ends_with_a_heading(sample_run, browser, tmp_path, name):
    result, _ = sample_run
    source = result.directory / name
    markup = source.read_text()
    assert len(_headings(markup)) >= 10
    printed = _print(browser, source, tmp_path / "report.pdf")
    assert printed == {"nav": "none", "row": "avoid"}, "contents printed or table rows may split"
    pages = _check_pdf(tmp_path / "report.pdf", markup)
    assert len(pages) >= 3
    title = _lines(pages[0][1])[0][1]
    assert title in _headings(markup), f"page 1 starts with {title!r}, not the report's title"


@pytest.mark.parametrize("name", REPORTS)
def test_pdf_of_the_run_no_page_ends_with_a_heading(sample_run, name):
    """The same checks on what ``aiadopt report --pdf`` wrote (chromium's own
    --print-to-pdf, not Playwright's ``page.pdf``)."""
    result, _ = sample_run
    pdf = result.directory / name.replace(".html", ".pdf")
    if not pdf.exists():
        pytest.skip("the sample run printed no PDFs (Debian's chromium is not installed)")
    markup = (result.directory / name).read_text()
    pages = _check_pdf(pdf, markup)
    assert len(pages) >= 3
    title = _lines(pages[0][1])[0][1]
    assert title in _headings(markup), f"page 1 starts with {title!r}, not the report's title"


#: A 4 x 2 px grey PNG; shown at 800 x 400 px it stands in for a chart.
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAACCAIAAADwyuo0AAAAEElEQVR4nGM4cekOHDEgcwD/ahOxvpgaZAAAAABJRU5ErkJggg=="


def test_printed_headings_stay_with_what_follows_wherever_they_fall(browser, tmp_path):
    """Independent of the sample's page breaks: sections built like the
    report's (a heading and a chart or a table as separate outputs of one
    cell, through :func:`notebook_to_html`) after text of growing length,
    so headings fall at every height of a page."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from aiadopt.report.html import notebook_to_html

    def shown(markup):
        return new_output("display_data", data={"text/html": markup})

    cells = []
    for k in range(18):
        words = "Text that runs on to fill the page before the next section. " * (3 + 2 * (k % 4))
        cells.append(new_code_cell(outputs=[shown(f"<p>{words}</p>")]))
        if k % 2:
            block = (
                f'<figure><img src="data:image/png;base64,{_PNG}" width="800" height="400" '
                f'alt="chart {k}"></figure>'
            )
        else:
            rows = "".join(f"<tr><td>Team {i}</td><td>{i}</td></tr>" for i in range(6))
            block = f"<table><thead><tr><th>Team</th><th>Use cases</th></tr></thead><tbody>{rows}</tbody></table>"
        cells.append(
            new_code_cell(outputs=[shown(f'<h2 id="s{k}">Section {k}</h2>'), shown(block)])
        )
    markup = notebook_to_html(nbformat.from_dict(new_notebook(cells=cells)), title="Layout")
    source = tmp_path / "layout.html"
    source.write_text(markup)
    _print(browser, source, tmp_path / "layout.pdf")
    pages = _check_pdf(tmp_path / "layout.pdf", markup)
    assert len(pages) >= 4
