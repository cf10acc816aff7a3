"""The workshop's export (issue 10): the matrix image, the register's copy in
its own format, the one-page summary, and a whole session's export files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import shutil
import threading
from pathlib import Path
from xml.etree import ElementTree

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup
from matplotlib.collections import PathCollection

import aiadopt
from aiadopt.errors import DataValidationError
from aiadopt.io import load_use_cases
from aiadopt.labels import label
from aiadopt.plots import alt_text
from aiadopt.workshop.export import (
    WORKSHOP_COLUMNS,
    export_register,
    write_summary,
)
from aiadopt.workshop.matrix import matrix_figure, render_matrix

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

# The room's votes (impact, effort) per use case, and what the tests expect
# from them, computed here by hand rather than by the board.
VOTES = {
    "UC-1": [(4, 2), (5, 1), (3, 3)],  # 3 votes: impact 12/3 = 4.0, effort 6/3 = 2.0
    "UC-2": [(5, 5), (1, 1)],  # 2 votes: below the threshold, hidden
    "UC-3": [(1, 5), (2, 4), (2, 5), (1, 4)],  # 4 votes: impact 6/4 = 1.5, effort 18/4 = 4.5
}
MIN_VOTES = 3
EXPECTED = {  # use_case_id -> (votes, impact, effort); None = empty
    "UC-1": (3, 4.0, 2.0),
    "UC-2": (2, None, None),
    "UC-3": (4, 1.5, 4.5),
    "UC-4": (None, None, None),  # in the register, not in the session
}


def _results(votes: dict = VOTES, min_votes: int = MIN_VOTES) -> pd.DataFrame:
    """``Board.results()`` as the board contract describes it, built by hand."""
    rows = []
    for uc, cast in votes.items():
        n = len(cast)
        shown = n >= min_votes
        imp = [c[0] for c in cast]
        eff = [c[1] for c in cast]
        rows.append(
            {
                "use_case_id": uc,
                "title": f"Use case {uc}",
                "votes": n,
                "impact": sum(imp) / n if shown else np.nan,
                "effort": sum(eff) / n if shown else np.nan,
                "impact_sd": float(np.std(imp, ddof=1)) if shown else np.nan,
                "effort_sd": float(np.std(eff, ddof=1)) if shown else np.nan,
                "shown": shown,
            }
        )
    return pd.DataFrame(rows).astype({"votes": "int64", "shown": "bool"})


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _as_float(text: str, comma: bool) -> float | None:
    if text == "":
        return None
    return float(text.replace(",", ".") if comma else text)


# --- the matrix ----------------------------------------------------------------------------


def _points(fig) -> np.ndarray:
    ax = fig.axes[0]
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    return points.get_offsets()


def test_matrix_draws_only_the_shown_use_cases():
    fig = matrix_figure(_results(), size=(6, 4))
    offsets = _points(fig)
    # UC-1 and UC-3; UC-2 has too few votes.
    assert sorted(map(tuple, np.round(offsets, 6))) == [(2.0, 4.0), (4.5, 1.5)]
    labels = sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "use_case_label")
    assert labels == ["UC-1", "UC-3"]


def test_spread_bars_are_one_sd_around_the_means():
    results = _results()
    fig = matrix_figure(results, spread=True, size=(6, 4))
    ax = fig.axes[0]
    bars = {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("spread")}
    assert set(bars) == {"spread-impact", "spread-effort"}
    uc3 = results.set_index("use_case_id").loc["UC-3"]
    sd_i = np.std([1, 2, 2, 1], ddof=1)  # 0.577...
    sd_e = np.std([5, 4, 5, 4], ddof=1)
    vertical = {tuple(np.round(s[:, 1], 6)) for s in bars["spread-impact"].get_segments()}
    horizontal = {tuple(np.round(s[:, 0], 6)) for s in bars["spread-effort"].get_segments()}
    assert tuple(np.round([uc3.impact - sd_i, uc3.impact + sd_i], 6)) in vertical
    assert tuple(np.round([uc3.effort - sd_e, uc3.effort + sd_e], 6)) in horizontal
    points = _points(fig)
    assert all(b.get_zorder() < ax.collections[0].get_zorder() for b in bars.values())
    assert len(points) == 2
    # Without spread, no bars.
    plain = matrix_figure(results, size=(6, 4))
    assert not [c for c in plain.axes[0].collections if (c.get_gid() or "").startswith("spread")]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_shown_use_case_draws_the_empty_matrix(lang):
    results = _results({"UC-1": [(4, 2)], "UC-2": []})
    fig = matrix_figure(results, lang=lang, spread=True, size=(6, 4))
    names = {t.get_text() for t in fig.axes[0].texts if t.get_gid() == "quadrant_name"}
    assert names == {
        label(f"quadrant.{q}", lang)
        for q in ("quick_wins", "major_projects", "fill_ins", "thankless_tasks")
    }
    assert not [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    svg = render_matrix(results, lang=lang, spread=True, size=(6, 4))
    assert 'data-votes="0"' in svg
    assert label("quadrant.thankless_tasks", lang) in svg


def test_svg_is_deterministic_and_carries_its_alt_text():
    results = _results()
    first = render_matrix(results, size=(6, 4), lang="nl")
    assert first == render_matrix(results, size=(6, 4), lang="nl")
    assert first != render_matrix(_results(min_votes=2), size=(6, 4), lang="nl")
    assert "<metadata>" not in first and "<dc:date>" not in first
    root = ElementTree.fromstring(first)  # well-formed XML
    assert root.get("role") == "img" and root.get("data-votes") == "7"  # 3 + 4 votes drawn
    shown = _results().query("shown")
    expected = alt_text("impact_effort", shown, "nl") + " Gemiddelden van 7 stemmen."
    assert root.find("{http://www.w3.org/2000/svg}title").text == expected


def test_png_and_no_pyplot_state():
    before = plt.get_fignums()
    rc = dict(mpl.rcParams)
    png = render_matrix(_results(), fmt="png", size=(4, 3))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == before
    assert dict(mpl.rcParams) == rc  # hash salt and font type do not leak
    with pytest.raises(ValueError, match="fmt must be one of"):
        render_matrix(_results(), fmt="jpg")


def test_renders_from_several_threads_agree():
    results = [_results(), _results(min_votes=2), _results({"UC-9": [(5, 1)] * 3})]
    alone = [render_matrix(r, size=(5, 4)) for r in results]
    got: dict[int, str] = {}

    def work(i):
        got[i] = render_matrix(results[i % 3], size=(5, 4))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(6)] == alone * 2


def test_results_without_a_column_are_refused():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['shown'\]"):
        render_matrix(_results().drop(columns="shown"))


# --- the register's copy ----------------------------------------------------------------

#: A register as people export it: an id header spelled their way, a quoted
#: field with the delimiter and a line break in it, accents, empty cells, an
#: id with stray spaces, a blank line and a short row.
REGISTER_ROWS = [
    ["Use case ID", "title", "owner", "note"],
    ["UC-1", "Factuur; triage", "Zoë", '3,5 "quoted"'],
    [" UC-2 ", "Chatbot\nmet twee regels", "", ""],
    ["UC-3", "Prognose", "Renée", "x"],
    [],
    ["UC-4", "Kort"],
]


def _write_csv(path: Path, delimiter: str, encoding: str, newline: str = "\r\n") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    for row in REGISTER_ROWS:
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _records(path: Path, delimiter: str, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


@pytest.mark.parametrize(
    ("delimiter", "encoding", "newline"),
    [(",", "utf-8", "\n"), (";", "latin-1", "\r\n"), ("\t", "utf-8-sig", "\r\n")],
)
def test_csv_copy_keeps_every_cell_and_adds_the_means(tmp_path, delimiter, encoding, newline):
    source = tmp_path / "data" / "use_cases.csv"
    source.parent.mkdir()
    _write_csv(source, delimiter, encoding, newline)
    before = _sha(source)
    out = export_register(_results(), source, tmp_path / "ws")
    assert out == tmp_path / "ws" / "use_cases_workshop.csv"
    assert _sha(source) == before

    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    text = data.decode(encoding)
    assert text.count("\r\n") == source.read_bytes().decode(encoding).count("\r\n")
    copy = _records(out, delimiter, "utf-8-sig" if encoding == "utf-8-sig" else encoding)
    original = _records(source, delimiter, encoding)
    assert len(copy) == len(original)
    assert copy[0] == original[0] + list(WORKSHOP_COLUMNS)
    comma = delimiter == ";"
    for before_row, after_row in zip(original[1:], copy[1:], strict=True):
        if not before_row:  # the blank line stays blank
            assert after_row == []
            continue
        width = len(original[0])
        assert after_row[: len(before_row)] == before_row  # every cell as it was
        assert after_row[len(before_row) : width] == [""] * (width - len(before_row))
        votes, impact, effort = after_row[width:]
        expected = EXPECTED[before_row[0].strip()]
        assert (int(votes) if votes else None) == expected[0]
        assert _as_float(impact, comma) == expected[1]
        assert _as_float(effort, comma) == expected[2]
    if comma:  # Dutch Excel: decimal commas
        assert ";4,0;2,0" in text and ";1,5;4,5" in text


def test_csv_copy_of_the_sample_register_loads_as_the_same_register(tmp_path):
    source = tmp_path / "use_cases.csv"
    # Dutch Excel's export: semicolons, decimal commas, Windows-1252.
    frame = pd.read_csv(SAMPLE / "use_cases.csv", dtype=str, keep_default_na=False)
    text = frame.to_csv(index=False, sep=";").replace("Transcriptie", "Transcriptié")
    source.write_bytes(text.encode("cp1252"))
    original = load_use_cases(source)
    ids = list(original["use_case_id"][:3])
    results = _results({ids[0]: [(5, 1), (4, 2), (4, 1)], ids[1]: [(2, 2)], ids[2]: []})
    out = export_register(results, source, tmp_path / "ws")
    again = load_use_cases(out)
    pd.testing.assert_frame_equal(again, original)  # the loader reads the same register
    raw = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")
    assert list(raw.columns[-3:]) == list(WORKSHOP_COLUMNS)
    assert raw.iloc[0, -3:].tolist() == ["3", "4,333333333333333", "1,3333333333333333"]
    assert raw.iloc[1, -3:].tolist() == ["1", "", ""]
    assert raw.iloc[2, -3:].tolist() == ["0", "", ""]
    assert (raw.iloc[3:, -3:] == "").all().all()


def test_excel_copy_keeps_the_workbook(tmp_path):
    source = tmp_path / "register.xlsx"
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Toelichting"
    notes["A1"] = "Read me first"
    ws = wb.create_sheet("use_cases")
    ws.append(["Use case ID", "title", "investment", "total"])
    ws.append(["UC-1", "Factuur", 1000, "=C2*2"])
    ws.append([" UC-2", "Chatbot", 2500.5, "=C3*2"])
    ws.append([None, None, None, None])
    ws.append(["UC-3", "Prognose", None, "=C5*2"])
    ws.append(["UC-4", "Kort", dt.date(2026, 3, 1), None])
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    ws["D1"].font = openpyxl.styles.Font(bold=True)
    wb.save(source)
    before = _sha(source)

    out = export_register(_results(), source, tmp_path / "ws")
    assert out.name == "register_workshop.xlsx"
    assert _sha(source) == before
    original = openpyxl.load_workbook(source)
    copy = openpyxl.load_workbook(out)
    assert copy.sheetnames == original.sheetnames
    assert copy["Toelichting"]["A1"].value == "Read me first"
    old, new = original["use_cases"], copy["use_cases"]
    for row in old.iter_rows():
        for cell in row:
            assert new[cell.coordinate].value == cell.value  # formulas stay formulas
    assert [new.cell(1, c).value for c in (5, 6, 7)] == list(WORKSHOP_COLUMNS)
    assert new["E1"].font.bold  # the header's style
    got = {
        str(new.cell(r, 1).value).strip(): tuple(new.cell(r, c).value for c in (5, 6, 7))
        for r in (2, 3, 5, 6)
    }
    assert got == EXPECTED
    assert all(new.cell(4, c).value is None for c in range(1, 8))  # the empty row


def test_parquet_copy_keeps_the_schema(tmp_path):
    source = tmp_path / "use_cases.parquet"
    table = pa.table(
        {
            "use_case_id": pa.array(["UC-1", "UC-2 ", "UC-3", "UC-4"]).dictionary_encode(),
            "title": ["a", "b", None, "d"],
            "investment_eur": pa.array([1000, None, 3, 4], type=pa.int32()),
            "start": pa.array([dt.date(2026, 1, 1)] * 4, type=pa.date32()),
        }
    ).replace_schema_metadata({"origin": "erp export"})
    pq.write_table(table, source, compression="zstd")
    before = _sha(source)

    out = export_register(_results(), source, tmp_path / "ws")
    assert _sha(source) == before
    copy = pq.read_table(out)
    assert copy.select(table.column_names).equals(table)
    assert copy.schema.metadata[b"origin"] == b"erp export"
    assert copy.schema.field("workshop_votes").type == pa.int64()
    assert copy.schema.field("workshop_impact").type == pa.float64()
    assert pq.ParquetFile(out).metadata.row_group(0).column(0).compression == "ZSTD"
    got = {
        uc.strip(): (v, i, e)
        for uc, v, i, e in zip(
            *(copy.column(c).to_pylist() for c in ("use_case_id", *WORKSHOP_COLUMNS)), strict=True
        )
    }
    assert got == EXPECTED


def test_parquet_copy_from_pandas_reads_back_with_pandas(tmp_path):
    source = tmp_path / "use_cases.parquet"
    frame = pd.DataFrame({"use_case_id": ["UC-1", "UC-3"], "score": [1.5, 2.0]}, index=[10, 11])
    frame.to_parquet(source)
    back = pd.read_parquet(export_register(_results(), source, tmp_path / "ws"))
    assert list(back.index) == [10, 11]
    assert back["workshop_votes"].tolist() == [3, 4]
    assert back["workshop_impact"].tolist() == [4.0, 1.5]


def test_copy_is_never_written_over_the_register(tmp_path):
    source = tmp_path / "use_cases.csv"
    _write_csv(source, ",", "utf-8")
    before = _sha(source)
    with pytest.raises(ValueError, match="over the register itself"):
        export_register(_results(), source, source)
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "use_cases_workshop.csv").symlink_to(source)
    with pytest.raises(ValueError, match="over the register itself"):
        export_register(_results(), source, tmp_path / "ws")
    assert _sha(source) == before


def test_register_without_an_id_column_is_named(tmp_path):
    source = tmp_path / "use_cases.csv"
    source.write_text("code,title\nUC-1,a\n", encoding="utf-8")
    with pytest.raises(
        DataValidationError,
        match=r"use_cases\.csv: the register has no use-case id column.*\(line 1\)",
    ):
        export_register(_results(), source, tmp_path / "ws")
    assert not (tmp_path / "ws" / "use_cases_workshop.csv").exists()


def test_earlier_workshop_columns_get_a_suffix(tmp_path):
    source = tmp_path / "use_cases.csv"
    source.write_text("use_case_id,workshop_votes\nUC-1,9\n", encoding="utf-8")
    rows = _records(export_register(_results(), source, tmp_path / "ws"), ",", "utf-8")
    assert rows[0] == ["use_case_id", "workshop_votes"] + [f"{c}_2" for c in WORKSHOP_COLUMNS]
    assert rows[1] == ["UC-1", "9", "3", "4.0", "2.0"]


# --- the summary ------------------------------------------------------------------------


def _summary(tmp_path, lang: str) -> tuple[str, BeautifulSoup]:
    path = write_summary(
        tmp_path / f"summary_{lang}.html",
        results=_results(),
        votes=9,
        participants=4,
        min_votes=MIN_VOTES,
        selection={"department": "Financiën", "statuses": ["idea", "pilot"]},
        when=dt.date(2026, 12, 3),
        lang=lang,
    )
    html = path.read_text("utf-8")
    return html, BeautifulSoup(html, "html.parser")


def test_summary_has_the_matrix_the_counts_and_the_table(tmp_path):
    html, soup = _summary(tmp_path, "en")
    assert soup.find("html")["lang"] == "en"
    assert soup.title.get_text() == "Workshop — Financiën, status Idea, Pilot — December 3, 2026"
    svg = soup.find("figure").find("svg")
    assert svg is not None and svg["data-votes"] == "7"
    assert "9 votes from 4 participants on 3 use cases." in soup.get_text()
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in soup.find("tbody").find_all("tr")]
    assert rows == [
        ["UC-1", "Use case UC-1", "3", "4.0", "2.0", "Quick wins"],
        ["UC-2", "Use case UC-2", "2", "results hidden"],
        ["UC-3", "Use case UC-3", "4", "1.5", "4.5", "Thankless tasks"],
    ]
    assert "@page { size:A4 landscape" in html


def test_summary_says_not_scored_apart_from_hidden(tmp_path):
    """A use case nobody scored is "not scored", not "results hidden"."""
    results = _results({**VOTES, "UC-4": []})
    path = write_summary(
        tmp_path / "summary.html",
        results=results,
        votes=9,
        participants=4,
        min_votes=MIN_VOTES,
        selection={"department": "Finance"},
        when=dt.date(2026, 12, 3),
        lang="en",
    )
    soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    rows = {
        tr.find("td").get_text(): [td.get_text() for td in tr.find_all("td")][2:]
        for tr in soup.find("tbody").find_all("tr")
    }
    assert rows["UC-2"] == ["2", "results hidden"]
    assert rows["UC-4"] == ["0", "not scored"]


def test_summary_in_dutch_uses_decimal_commas(tmp_path):
    _, soup = _summary(tmp_path, "nl")
    assert soup.title.get_text() == "Workshop — Financiën, status Idee, Pilot — 3 december 2026"
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in soup.find("tbody").find_all("tr")]
    assert rows[0][3:] == ["4,0", "2,0", "Quick wins"]
    assert rows[1][3:] == ["resultaten verborgen"]
    assert rows[2][3:] == ["1,5", "4,5", "Ondankbare taken"]
    assert "9 stemmen van 4 deelnemers over 3 use cases." in soup.get_text()


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_summary_requests_nothing(tmp_path, lang):
    html, soup = _summary(tmp_path, lang)
    assert not re.search(r"https?://", html)
    assert not soup.find_all(["script", "link", "img", "iframe"])
    assert not re.search(r"@import|url\((?!#)", html)  # only the SVG's own clip paths
    assert not re.search(r"""(?:href|src)=["'](?!#)""", html)
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert csp.startswith("default-src 'none'")


def test_summary_escapes_titles(tmp_path):
    results = _results()
    results.loc[0, "title"] = "<script>alert(1)</script>"
    path = write_summary(tmp_path / "s.html", results=results, votes=9, participants=4, min_votes=3)
    html = path.read_text("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- a whole session ---------------------------------------------------------------------


@pytest.fixture
def data_folder(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_export_session_writes_every_file(data_folder, tmp_path):
    from aiadopt.workshop import Board

    register = data_folder / "use_cases.csv"
    before = _sha(register)
    with Board(data_folder, department="Finance", out=tmp_path / "ws", lang="nl") as board:
        ids = list(board.items["use_case_id"][:3])
        people = [board.new_participant() for _ in range(4)]
        cast = {  # (participant, use case) -> (impact, effort), as finally cast
            (people[0], ids[0]): (5, 1),
            (people[1], ids[0]): (4, 2),
            (people[2], ids[0]): (3, 2),
            (people[3], ids[0]): (4, 3),
            (people[0], ids[1]): (2, 5),
            (people[1], ids[1]): (2, 4),
        }
        board.vote(people[0], ids[0], 1, 1)  # replaced below
        for (p, uc), (i, e) in cast.items():
            board.vote(p, uc, i, e)
        board.vote(people[2], ids[2], 3, 3)
        board.control("reset", token=board.token, use_case_id=ids[2])  # dropped
        log_before = _sha(board.out / "votes.csv")
        files = board.export()

    assert list(files) == ["votes.csv", "final_votes.csv", "summary.html", "use_cases_workshop.csv"]
    assert _sha(files["votes.csv"]) == log_before  # the log stays as it is
    assert _sha(register) == before

    final = pd.read_csv(files["final_votes.csv"], dtype={"session": str})
    assert list(final.columns) == ["session", "use_case_id", "impact", "effort", "time"]
    assert {(r.session, r.use_case_id): (r.impact, r.effort) for r in final.itertuples()} == cast
    assert final["time"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()

    copy = pd.read_csv(files["use_cases_workshop.csv"], dtype={"use_case_id": str})
    original = pd.read_csv(register, dtype={"use_case_id": str})
    pd.testing.assert_frame_equal(copy[original.columns], original)
    by_id = copy.set_index("use_case_id")
    assert by_id.loc[ids[0], list(WORKSHOP_COLUMNS)].tolist() == [4, 4.0, 2.0]  # 16/4, 8/4
    assert by_id.loc[ids[1], "workshop_votes"] == 2
    assert np.isnan(by_id.loc[ids[1], "workshop_impact"])  # 2 votes < 3: hidden
    assert by_id.loc[ids[2], "workshop_votes"] == 0
    outside = ~copy["department"].eq("Finance")
    assert copy.loc[outside, list(WORKSHOP_COLUMNS)].isna().all().all()

    soup = BeautifulSoup(files["summary.html"].read_text("utf-8"), "html.parser")
    assert soup.find("html")["lang"] == "nl"
    assert "6 stemmen van 4 deelnemers" in soup.get_text()
    assert soup.find("figure").find("svg")["data-votes"] == "4"


def test_export_session_without_a_register_file(tmp_path):
    from aiadopt.workshop import Board

    data = aiadopt.load(SAMPLE)
    data = type(data)(**{**data.__dict__, "sources": {}})
    with Board(data, department="Finance", out=tmp_path / "ws") as board:
        files = board.export()
    assert list(files) == ["votes.csv", "final_votes.csv", "summary.html"]


def test_csv_copy_keeps_an_excel_sep_line_and_a_last_line_without_newline(tmp_path):
    source = tmp_path / "use_cases.csv"
    source.write_bytes(b"sep=;\r\nuse_case_id;title\r\nUC-1;Caf\xe9\r\nUC-3;Thee")
    out = export_register(_results(), source, tmp_path / "ws")
    assert out.read_bytes() == (
        b"sep=;\r\nuse_case_id;title;workshop_votes;workshop_impact;workshop_effort\r\n"
        b"UC-1;Caf\xe9;3;4,0;2,0\r\nUC-3;Thee;4;1,5;4,5"
    )


def test_summary_template_is_packaged():
    """pyproject.toml's package-data ships the summary's template in the wheel."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["aiadopt"]
    templates = ROOT / "aiadopt" / "workshop" / "templates"
    files = [p.relative_to(ROOT / "aiadopt").as_posix() for p in templates.iterdir()]
    assert files
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
