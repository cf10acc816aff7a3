"""Outputs safe to open: no formula injection in CSV/XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from aiadopt.cli import main
from aiadopt.output import FORMULA_TRIGGERS, escape_formula, neutralise_formulas, render, write_xlsx
from aiadopt.sample import generate_sample, write_sample

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_formula_prefixes_an_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Sales", "", " =x", "3-2", "'=already", -3.5, -2, 0, True, None, np.nan]
)
def test_escape_formula_leaves_other_values_alone(value):
    out = escape_formula(value)
    assert out is value or (out != out and value != value)


def test_csv_text_cells_are_neutralised_and_numbers_stay_numbers():
    frame = pd.DataFrame(
        {
            "unit": HOSTILE,
            "category": pd.Categorical(["-x", "ok", "=y", "ok", "ok", "ok"]),
            "string": pd.array(["@a", "b", None, "c", "d", "e"], dtype="string"),
            "value": [-3.5, 1.25, -0.0001, np.nan, 2.0, -7.0],
            "count": pd.array([-2, 3, None, 4, 5, 6], dtype="Int64"),
            "flag": [True, False, True, False, True, False],
        }
    )
    rows = _rows(render(frame, "csv"))
    body = rows[1:]
    # a carriage return inside a cell is written as a (quoted) line break
    assert [r[0] for r in body] == ["'" + v.replace("\r", "\n") for v in HOSTILE]
    assert [r[1] for r in body] == ["'-x", "ok", "'=y", "ok", "ok", "ok"]
    assert [r[2] for r in body] == ["'@a", "b", "", "c", "d", "e"]
    assert [r[3] for r in body] == ["-3.5", "1.25", "-0.0001", "", "2", "-7"]
    assert [r[4] for r in body] == ["-2", "3", "", "4", "5", "6"]
    assert [r[5] for r in body] == ["True", "False"] * 3
    # read back, the numbers are numbers
    back = pd.read_csv(io.StringIO(render(frame, "csv")))
    assert back["value"].dtype == np.float64 and back["value"].iloc[0] == -3.5
    # the frame itself is not changed; JSON keeps the text as it is
    assert frame["unit"].tolist() == HOSTILE
    assert '"=HYPERLINK' in render(frame, "json")


def test_neutralise_formulas_escapes_column_names():
    out = neutralise_formulas(pd.DataFrame({"=bad": [1], "good": [2]}))
    assert list(out.columns) == ["'=bad", "good"]


def _hostile_folder(tmp_path: Path) -> Path:
    """A small organisation whose department, team and use-case names are formulas."""
    folder = tmp_path / "data"
    write_sample(folder, n_respondents=300, n_waves=3, n_use_cases=30, seed=3)
    renames = {"Finance": "=1+2", "IT": "@IT"}
    for name in ("use_cases", "processes", "survey"):
        path = folder / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["department"] = frame["department"].replace(renames)
        if "team" in frame:
            frame["team"] = frame["team"].map(lambda t: "-" + t if t else t)
        if "title" in frame:
            frame["title"] = "+" + frame["title"]
        frame.to_csv(path, index=False)
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["kpis", "--level", "all"],
        ["priorities"],
        ["measures", "--n-boot", "20", "--measure", "phases", "--measure", "goal_mix"],
    ],
)
def test_cli_csv_outputs_have_no_live_formulas(tmp_path, command):
    data = _hostile_folder(tmp_path)
    out = tmp_path / "out.csv"
    assert main([*command, "--data", str(data), "--format", "csv", "--out", str(out)]) == 0
    rows = _rows(out.read_text(encoding="utf-8"))
    cells = [c for row in rows for c in row]
    # The hostile names are there, escaped; no cell starts a formula.
    assert any(c == "'=1+2" for c in cells)
    assert any(c.startswith("'-") for c in cells)
    bad = [c for c in cells if c.startswith(FORMULA_TRIGGERS) and not _is_number(c)]
    assert bad == []


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_write_xlsx_stores_formula_text_as_text(tmp_path):
    frame = pd.DataFrame(
        {
            "unit": [*HOSTILE, "#N/A", "Sales"],
            "value": [-3.5, 1.0, 2.0, -4.0, 5.0, 6.0, 7.0, -0.5],
            "when": pd.to_datetime(["2025-01-31"] * 8),
        }
    )
    path = write_xlsx(frame, tmp_path / "out.xlsx", sheet_name="t", datetime_format="YYYY-MM-DD")
    sheet = openpyxl.load_workbook(path)["t"]
    unit = [sheet.cell(row=r, column=1) for r in range(2, 10)]
    assert [c.data_type for c in unit] == ["s"] * 8  # never "f" (formula) or "e" (error)
    shown = [v.replace("\r", "\n") for v in HOSTILE]  # XML reads a carriage return as \n
    assert [c.value for c in unit] == [*shown, "#N/A", "Sales"]
    assert [bool(c.quotePrefix) for c in unit] == [True] * 6 + [False, False]
    value = [sheet.cell(row=r, column=2) for r in range(2, 10)]
    assert [c.data_type for c in value] == ["n"] * 8
    assert value[0].value == -3.5
    assert sheet.cell(row=2, column=3).is_date
    # pandas reads the same values back
    back = pd.read_excel(path, sheet_name="t", keep_default_na=False)
    assert back["unit"].tolist() == [*shown, "#N/A", "Sales"]
    assert back["value"].tolist() == frame["value"].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_write_xlsx_leaves_nothing_on_failure(tmp_path):
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError):
        write_xlsx(frame, tmp_path / "out.xlsx", sheet_name="a/b")  # "/" is not allowed
    assert list(tmp_path.iterdir()) == []


def test_generated_sample_text_never_looks_like_a_formula():
    """The sample's CSV text is written as is (it is read back as input);
    this holds only because no generated name starts like a formula."""
    tables = generate_sample(seed=11, n_respondents=400, n_waves=3, n_use_cases=40)
    for name, frame in tables.items():
        for col in frame.columns:
            values = frame[col].astype(object)
            text = [v for v in values if isinstance(v, str)]
            assert not [v for v in text if v.startswith(FORMULA_TRIGGERS)], (name, col)


# --- HTML: no javascript:/data: links, whatever the spelling ------------------------------

#: Hostile markup as a notebook output could display it.
HOSTILE_HTML = [
    '<a class="c" href="data:text/html,<script>alert(1)</script>">A1</a>',
    '<a id="x" class="c" HREF="JaVaScRiPt:alert(2)">A2</a>',
    '<a class="c" href="&#106;avascript:alert(3)">A3</a>',
    '<a class="c" href="java&#x09;script:alert(4)">A4</a>',
    '<a class="c" href="  javascript:alert(5)">A5</a>',
    '<a class="c" href="&#x20;data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==">A6</a>',
    '<a class="c" href="//evil.example/7">A7</a>',
    '<a class="c" href="https://evil.example/8">A8</a>',
    '<a class="c" href="other-report.html">A9</a>',
    '<a class="c" href="DATA:image/png;base64,AAAA">A10</a>',
    '<img class="c" src="javascript:alert(11)">',
    '<img alt="x" src="data:text/html;base64,PHNjcmlwdD4=">',
    '<img alt="x" src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTIpPg==">',
    '<img alt="x" src="https://evil.example/13.png">',
    '<img alt="x" src=" data:image/png;base64,AAAA">',
    "<img src=x onerror=alert(14)>",
    "<svg onload=alert(15)></svg>",
    '<form action="javascript:alert(16)"><button>go</button></form>',
    '<iframe src="data:text/html,hi"></iframe>',
    '<div onclick="alert(17)" style="position:fixed">d</div>',
    '<math><a xlink:href="javascript:alert(18)">m</a></math>',
    '<object data="data:text/html,x"></object><embed src="javascript:alert(19)">',
    "<script>alert(20)</script><style>body{display:none}</style>",
]
FORBIDDEN = (
    "javascript",
    "data:text",
    "svg",
    "evil.example",
    "other-report",
    "alert(",
    "onerror",
    "onload",
    "onclick",
    "<script",
    "<iframe",
    "<object",
    "<embed",
    "<form",
    "style=",
    "xlink",
)


def _links_and_sources(markup: str) -> list[tuple[str, str, str]]:
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(
                (tag, k, v or "") for k, v in attrs if k in ("href", "src", "action", "data")
            )

    Collect().feed(markup)
    return found


def _without_images(markup: str) -> str:
    """``markup`` without embedded PNG data (base64 may spell "svg" by chance)."""
    import re

    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=\s]*", "data:image/png;base64,", markup)


def _assert_harmless(markup: str) -> None:
    from aiadopt.report.html import _IMAGE_URI

    lowered = _without_images(markup).lower()
    assert [w for w in FORBIDDEN if w in lowered] == []
    for tag, attr, value in _links_and_sources(markup):
        assert (tag, attr) in {("a", "href"), ("img", "src")}, (tag, attr, value)
        if attr == "href":
            assert value.startswith("#"), value
        else:
            assert _IMAGE_URI.fullmatch(value), value


@pytest.mark.parametrize("dirty", HOSTILE_HTML)
def test_sanitize_lets_no_hostile_link_through(dirty):
    from aiadopt.report.html import sanitize

    _assert_harmless(sanitize(dirty))


def test_sanitize_keeps_anchors_and_embedded_charts_in_any_attribute_order():
    from aiadopt.report.html import sanitize

    png = "data:image/png;base64,iVBORw0KGgo=\n"
    clean = sanitize(
        f'<a class="toc" href="#kpis">in</a><img alt="chart" class="c" src="{png}" width="10">'
        '<a href="#trend" id="t">trend</a>'
    )
    assert '<a class="toc" href="#kpis">in</a>' in clean
    assert f'src="{png}"' in clean and 'alt="chart"' in clean
    assert '<a href="#trend" id="t">trend</a>' in clean


def test_custom_notebook_cannot_publish_hostile_html_and_names_stay_text(tmp_path, capsys):
    """``aiadopt report --notebooks DIR`` with a notebook that displays
    hostile HTML, on data whose names hold ``$`` and 10,000 characters."""
    import html as htmlmod
    import shutil

    import nbformat
    from hostile import DOLLAR_DEPT, DOLLAR_TEAM, LONG_TEAM, ROOT, hostile_folder

    data = hostile_folder(tmp_path / "data")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    cell = (
        "from IPython.display import HTML, display\ndisplay(HTML("
        + repr("".join(HOSTILE_HTML))
        + "))"
    )
    for path in notebooks.glob("*_report.ipynb"):  # the report templates (not explore.ipynb)
        nb = nbformat.read(path, as_version=4)
        at = next(i for i, c in enumerate(nb.cells) if "report = Report(" in c.source) + 1
        nb.cells.insert(at, nbformat.v4.new_code_cell(cell))
        nbformat.write(nb, path)
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            "--data",
            str(data),
            "--out",
            str(out),
            "--n-boot",
            "50",
            "--timeout",
            "300",
            "--notebooks",
            str(notebooks),
            "--department",
            DOLLAR_DEPT,
        ]
    )
    assert code == 0, capsys.readouterr().err
    pages = sorted((out / "2026-10").glob("*.html"))
    reports = [p for p in pages if p.name != "index.html"]
    assert len(reports) == 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert [w for w in FORBIDDEN if w in _without_images(text).lower()] == [], page.name
    for page in reports:
        text = page.read_text(encoding="utf-8")
        _assert_harmless(text)
        assert "A1" in text and "A10" in text  # the links' text is kept, their targets are not
    department = next(p for p in reports if p.name != "organisation.html").read_text(
        encoding="utf-8"
    )
    assert htmlmod.escape(DOLLAR_TEAM) in department and LONG_TEAM in department  # tables: in full
