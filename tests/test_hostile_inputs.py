"""Hostile and careless inputs are refused with a message naming the file,
the place and the value, and nothing is loaded half-way.

The hostile workbooks are built here with openpyxl and zipfile: small files
that describe huge sheets or unpack to far more than they weigh.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from aiadopt import DataValidationError, load
from aiadopt.cli import main
from aiadopt.io import _xlsx
from aiadopt.kpis import compute_kpis
from tests.test_io import PROCESSES, SURVEY, USE_CASES, assert_problem, replace_cell, write


def problems_of(folder, **kwargs) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        load(folder, **kwargs)
    return info.value


def rewrite_zip(src: Path, dst: Path, change: dict) -> Path:
    """Copy a workbook, replacing (member -> bytes or function of bytes) or
    adding members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name in change:
                new = change[name]
                data = new(data) if callable(new) else new
            zout.writestr(name, data)
        for name, new in change.items():
            if name not in zin.namelist():
                zout.writestr(name, new)
    return dst


def workbook_with_far_cell(path: Path, *, dimension: bool = True) -> Path:
    """A workbook of a few KB whose only cell sits at XFD1048576."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "use_cases"
    ws["XFD1048576"] = "x"
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    if dimension:
        # Excel writes the range from A1.
        fix = lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)  # noqa: E731
    else:
        fix = lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml)  # noqa: E731
    rewrite_zip(tmp, path, {"xl/worksheets/sheet1.xml": fix})
    tmp.unlink()
    return path


def excel_folder(folder: Path) -> Path:
    """The three test tables as xlsx files."""
    for name, text in (("use_cases", USE_CASES), ("processes", PROCESSES), ("survey", SURVEY)):
        pd.read_csv(pd.io.common.StringIO(text), dtype=str).to_excel(
            folder / f"{name}.xlsx", index=False, sheet_name=name
        )
    return folder


# -- xlsx: refused before it is loaded --------------------------------------


def test_far_cell_workbook_is_tiny(tmp_path):
    path = workbook_with_far_cell(tmp_path / "use_cases.xlsx")
    assert path.stat().st_size < 6_000


@pytest.mark.parametrize("dimension", [True, False], ids=["declared", "undeclared"])
def test_far_cell_refused_with_low_memory(tmp_path, dimension):
    """pandas.read_excel allocated the declared 17-billion-cell grid (MemoryError
    after 6.5 GB). Peak memory of the whole load, in a fresh interpreter."""
    folder = tmp_path / "org"
    folder.mkdir()
    write(folder, use_cases=None)
    workbook_with_far_cell(folder / "use_cases.xlsx", dimension=dimension)
    script = (
        "import json, re, sys\n"
        "import aiadopt\n"
        "try:\n"
        f"    aiadopt.load({str(folder)!r})\n"
        "    msg = None\n"
        "except aiadopt.DataValidationError as exc:\n"
        "    msg = str(exc)\n"
        # VmHWM: this process's own peak. ru_maxrss would also count the pytest
        # parent's size at fork time, which Linux keeps across exec.
        "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)) / 1024\n"
        "print(json.dumps({'msg': msg, 'peak_mib': peak}))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"},
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["msg"] is not None
    assert "use_cases.xlsx" in out["msg"] and "XFD" in out["msg"]
    if dimension:
        assert "A1:XFD1048576" in out["msg"] and "17,179,869,184 cells" in out["msg"]
    else:
        assert "row 1048576" in out["msg"] and "'x'" in out["msg"]
    assert out["peak_mib"] < 500


def test_shared_strings_bomb_refused(tmp_path):
    """20 MB of shared strings packed into a few KB."""
    src = excel_folder(tmp_path)
    bomb = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (b"<si><t>a</t></si>" * 1_200_000)
        + b"</sst>"
    )
    rewrite_zip(src / "survey.xlsx", tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": bomb})
    (tmp_path / "bomb.xlsx").replace(src / "survey.xlsx")
    err = problems_of(src)
    assert re.search(
        r"survey\.xlsx: part xl/sharedStrings\.xml unpacks \d[\d,]* times its packed size", str(err)
    ), str(err)


def test_shared_strings_size_cap(tmp_path, monkeypatch):
    """Shared strings are held in memory: their unpacked size is capped even
    when they pack no better than text does."""
    src = excel_folder(tmp_path)
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(b"<si><t>%d</t></si>" % i for i in range(20))
        + b"</sst>"
    )
    rewrite_zip(src / "survey.xlsx", tmp_path / "x.xlsx", {"xl/sharedStrings.xml": sst})
    (tmp_path / "x.xlsx").replace(src / "survey.xlsx")
    monkeypatch.setattr(_xlsx, "MAX_SHARED_STRINGS_BYTES", 100)
    err = problems_of(src)
    assert "survey.xlsx: its shared strings unpack to 0 MiB, more than the 0 MiB allowed" in str(
        err
    )


def test_total_unpacked_size_cap(tmp_path, monkeypatch):
    src = excel_folder(tmp_path)
    monkeypatch.setattr(_xlsx, "MAX_UNCOMPRESSED_BYTES", 1000)
    err = problems_of(src)
    assert re.search(
        r"use_cases\.xlsx: the workbook unpacks to .* more than the .* allowed", str(err)
    )


def test_too_many_cells_refused_while_streaming(tmp_path, monkeypatch):
    """A sheet without a <dimension> (or lying about it) is counted as it is read."""
    src = excel_folder(tmp_path)
    rewrite_zip(
        src / "survey.xlsx",
        tmp_path / "x.xlsx",
        {
            "xl/worksheets/sheet1.xml": lambda xml: re.sub(
                rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', xml
            )
        },
    )
    (tmp_path / "x.xlsx").replace(src / "survey.xlsx")
    monkeypatch.setattr(_xlsx, "MAX_CELLS", 20)
    err = problems_of(src)
    assert "survey.xlsx: the sheet holds more than 20 cells (counted up to row 2)" in str(err)


def test_value_in_column_without_header(tmp_path):
    src = excel_folder(tmp_path)
    wb = openpyxl.load_workbook(src / "processes.xlsx")
    wb.active["E3"] = "stray"
    wb.save(src / "processes.xlsx")
    err = problems_of(src)
    assert (
        "processes.xlsx, column 'E': a value in a column without a header (row 3 'stray')"
        in str(err)
    )


def test_excel_header_below_blank_rows_keeps_row_numbers(tmp_path):
    src = excel_folder(tmp_path)
    wb = openpyxl.load_workbook(src / "use_cases.xlsx")
    ws = wb.active
    ws.insert_rows(1, amount=2)
    ws["F5"] = "dreaming"  # status of UC-002, now in row 5
    wb.save(src / "use_cases.xlsx")
    err = problems_of(src)
    assert "use_cases.xlsx, column 'status'" in str(err) and "row 5 'dreaming'" in str(err)


# -- text files -------------------------------------------------------------


def test_mixed_encoding_names_the_lines(tmp_path):
    """One Windows-1252 line in a UTF-8 file turned the whole file into
    1252 and made a phantom department 'FinanciÃ«n'."""
    survey = SURVEY.replace("Finance", "Financiën")
    uc = USE_CASES.replace("Finance", "Financiën")
    data = uc.encode(
        "utf-8"
    ) + "UC-009,Late row,Financiën,Control,personal,idea,,3,3,3,3,,,,,\n".encode("cp1252")
    write(tmp_path, survey=survey, processes=PROCESSES.replace("Finance", "Financiën"))
    (tmp_path / "use_cases.csv").write_bytes(data)
    err = problems_of(tmp_path)
    assert (
        "use_cases.csv: the file mixes encodings: line 5 is not UTF-8, while 2 other lines are UTF-8"
        in str(err)
    )


def test_whole_file_windows_1252_still_read(tmp_path):
    uc = USE_CASES.replace("Finance", "Financiën")
    write(
        tmp_path,
        uc,
        PROCESSES.replace("Finance", "Financiën"),
        SURVEY.replace("Finance", "Financiën"),
        encoding="cp1252",
    )
    data = load(tmp_path)
    assert set(data.use_cases["department"]) == {"Financiën", "HR"}
    assert "FinanciÃ«n" not in set(data.survey["department"])


def test_nul_bytes_name_the_line(tmp_path):
    write(tmp_path)
    text = USE_CASES.replace("Chat assistant", "Chat\x00assistant")
    (tmp_path / "use_cases.csv").write_bytes(text.encode())
    err = problems_of(tmp_path)
    assert "use_cases.csv: the file contains NUL bytes (line 3)" in str(err)


def test_utf16_file_is_named(tmp_path):
    write(tmp_path)
    (tmp_path / "processes.csv").write_bytes(PROCESSES.encode("utf-16"))
    err = problems_of(tmp_path)
    assert (
        "processes.csv: the file contains NUL bytes (lines 1, 2, 3, 4); it is UTF-16 text"
        in str(err)
    )


def test_classic_mac_line_ends_are_read_with_their_line_numbers(tmp_path):
    """A CSV whose lines end in a lone CR (old Excel for Mac) crashed the
    reader with a csv.Error traceback."""
    write(tmp_path)
    expected = load(tmp_path)
    (tmp_path / "use_cases.csv").write_bytes(USE_CASES.replace("\n", "\r").encode())
    pd.testing.assert_frame_equal(load(tmp_path).use_cases, expected.use_cases)
    bad = replace_cell(USE_CASES, 3, "impact", "9").replace("\n", "\r")
    (tmp_path / "use_cases.csv").write_bytes(bad.encode())
    assert_problem(problems_of(tmp_path), "use_cases.csv", "line 3", "impact", "9")
    # A stray CR inside an unquoted field ends the line, as for the table
    # reader, and the problems name lines instead of a csv.Error traceback.
    stray = replace_cell(USE_CASES, 3, "impact", "9").replace("Chat assistant", "Chat\rassistant")
    (tmp_path / "use_cases.csv").write_bytes(stray.encode())
    err = problems_of(tmp_path)
    assert "(line 4 '2025-02-01')" in str(err) and "(line 3)" in str(err)


# -- columns ----------------------------------------------------------------


def test_duplicate_csv_column_refused(tmp_path):
    survey = SURVEY.replace("team_phase,comp_change_1", "team,comp_change_1")
    err = problems_of(write(tmp_path, survey=survey))
    assert "survey.csv, column 'team': the header names one column twice (columns 4 and 9)" in str(
        err
    )


def test_duplicate_excel_column_refused(tmp_path):
    src = excel_folder(tmp_path)
    wb = openpyxl.load_workbook(src / "processes.xlsx")
    wb.active["C1"] = "process"
    wb.save(src / "processes.xlsx")
    err = problems_of(src)
    assert (
        "processes.xlsx, column 'process': the header names one column twice (columns B and C)"
        in str(err)
    )


def test_parquet_nested_columns_named(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    write(tmp_path, processes=None)
    table = pa.table(
        {
            "department": ["Finance", "HR"],
            "process": [["Invoicing", "Payroll"], ["Hiring"]],
            "core": [{"a": True}, {"a": False}],
        }
    )
    pq.write_table(table, tmp_path / "processes.parquet")
    err = problems_of(tmp_path)
    text = str(err)
    assert (
        "processes.parquet, column 'process': the column holds lists, not one plain value per cell"
        in text
    )
    assert (
        "processes.parquet, column 'core': the column holds records (struct), not one plain value per cell"
        in text
    )


# -- dates and periods --------------------------------------------------------

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize("value", ["3026-01-10", "2099-05-01", "31-12-1989", "1900-01-01"])
def test_implausible_date_named(tmp_path, value):
    err = problems_of(write(tmp_path, replace_cell(USE_CASES, 3, "start_date", value)), today=TODAY)
    assert_problem(err, "use_cases.csv", "line 3", "start_date", value)
    assert "outside the plausible dates 1990-01-01 to 2027-12-03" in str(err)
    assert len(err.problems) == 1  # not also "required value is empty"


def test_implausible_wave_named(tmp_path):
    err = problems_of(
        write(tmp_path, survey=replace_cell(SURVEY, 3, "wave", "2099-03")), today=TODAY
    )
    assert_problem(err, "survey.csv", "line 3", "wave", "2099-03")
    assert "outside the plausible dates" in str(err) and len(err.problems) == 1


def test_date_window_follows_the_run_date(tmp_path):
    folder = write(tmp_path, replace_cell(USE_CASES, 3, "decision_date", "2027-06-01"))
    assert load(folder, today=TODAY).use_cases.loc[1, "decision_date"] == pd.Timestamp("2027-06-01")
    with pytest.raises(
        DataValidationError, match="outside the plausible dates 1990-01-01 to 2026-01-01"
    ):
        load(folder, today=dt.date(2025, 1, 1))


def test_excel_date_in_year_3026_is_an_error_not_a_crash(tmp_path):
    """openpyxl hands a datetime(3026, ...) that datetime64[ns] cannot hold."""
    src = excel_folder(tmp_path)
    wb = openpyxl.load_workbook(src / "use_cases.xlsx")
    wb.active["M2"] = dt.datetime(3026, 1, 10)  # decision_date of UC-001
    wb.save(src / "use_cases.xlsx")
    err = problems_of(src, today=TODAY)
    assert_problem(err, "use_cases.xlsx", "row 2", "decision_date", "3026-01-10")


def test_parquet_timestamp_outside_window(tmp_path):
    write(tmp_path)
    frame = pd.read_csv(tmp_path / "use_cases.csv", dtype=str)
    frame["start_date"] = pd.to_datetime(frame["start_date"]).astype("datetime64[us]")
    frame.loc[1, "start_date"] = pd.Timestamp("2999-02-01").as_unit("us")
    frame.to_parquet(tmp_path / "use_cases.parquet")
    (tmp_path / "use_cases.csv").unlink()
    err = problems_of(tmp_path, today=TODAY)
    assert_problem(err, "use_cases.parquet", "row 2", "start_date", "2999-02-01")


def test_latest_is_never_after_the_current_month(tmp_path):
    folder = write(tmp_path, replace_cell(USE_CASES, 2, "decision_date", "2027-03-01"))
    data = load(folder, today=TODAY)
    assert data.last_month_with_data() == pd.Period("2027-03", "M")
    assert data.latest_period() == pd.Period("2026-12", "M")
    assert data.resolve_period("latest") == pd.Period("2026-12", "M")


def test_period_after_the_data_exits_2(tmp_path, capsys):
    write(tmp_path)
    out = tmp_path / "kpis.csv"
    code = main(
        [
            "kpis",
            "--data",
            str(tmp_path),
            "--period",
            "2030-01",
            "--format",
            "csv",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "no data for 2030-01; the latest month with data is 2025-04" in err
    assert not out.exists()


@pytest.mark.parametrize("period", ["2300-01", "1600-05"])
def test_period_outside_pandas_range_is_an_error(tmp_path, capsys, period):
    write(tmp_path)
    data = load(tmp_path)
    with pytest.raises(ValueError, match=f"period {period} is outside the dates pandas can hold"):
        compute_kpis(data, period=period)
    assert main(["kpis", "--data", str(tmp_path), "--period", period]) == 2
    assert "outside the dates pandas can hold (1677-10 to 2262-03)" in capsys.readouterr().err


# -- names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "Financie\u0308n",
        "Financiën\u200b",
        "\u202eFinanciën\u202c",
        " Financiën\u00a0",
        "Finan\u00adciën",
    ],
    ids=["NFD", "zero-width", "bidi", "spaces", "soft-hyphen"],
)
def test_invisible_differences_are_normalised_away(tmp_path, spelling):
    uc = USE_CASES.replace("Finance", "Financiën")
    survey = SURVEY.replace("Finance", spelling)
    processes = PROCESSES.replace("Finance", spelling)
    data = load(write(tmp_path, uc, processes, survey))
    for frame in (data.use_cases, data.processes, data.survey):
        assert set(frame["department"]) == {"Financiën", "HR"}


def test_case_only_difference_between_files_lists_both(tmp_path):
    survey = SURVEY.replace("0043,2025-03,HR,", "0043,2025-03,hr,")
    err = problems_of(write(tmp_path, survey=survey))
    assert "two spellings of one department differ only in case" in str(err)
    assert_problem(
        err, "survey.csv", "line 3", "department", "'hr' here; 'HR' in use_cases.csv line 3"
    )


def test_case_only_difference_in_one_file(tmp_path):
    uc = USE_CASES + "UC-004,Extra,Finance,CONTROL,personal,pilot,,3,3,3,3,2025-02-01,,,100,\n"
    err = problems_of(write(tmp_path, uc))
    assert_problem(
        err, "use_cases.csv", "line 5", "team", "'CONTROL' here; 'Control' in use_cases.csv line 2"
    )


def test_case_only_difference_in_ids(tmp_path):
    err = problems_of(write(tmp_path, USE_CASES.replace("UC-002", "uc-001")))
    assert_problem(
        err,
        "use_cases.csv",
        "line 3",
        "use_case_id",
        "'uc-001' here; 'UC-001' in use_cases.csv line 2",
    )


def test_department_only_in_process_catalogue_warns(tmp_path, capsys, monkeypatch):
    processes = PROCESSES + "Finanse,Budgeting,true\n"  # a typo
    folder = write(tmp_path, processes=processes)
    data = load(folder)
    assert [(w.file, w.line, w.column, w.value, w.code) for w in data.warnings] == [
        ("processes.csv", "line 4", "department", "Finanse", "unused_department")
    ]
    assert main(["kpis", "--data", str(folder), "--period", "2025-03", "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert (
        "aiadopt kpis: warning: processes.csv, line 4, column 'department': 'Finanse': a department of the process catalogue has no use cases and no survey answers"
        in err
    )

    from aiadopt.report.sections import Report

    shown = []
    monkeypatch.setattr("aiadopt.report.sections._display", shown.append)
    Report(folder, period="2025-03", n_boot=0).about()
    assert any(
        "department “Finanse” appears in the process catalogue (processes.csv, line 4)" in s
        for s in shown
    )


def test_no_warning_when_every_department_is_used(tmp_path):
    assert load(write(tmp_path)).warnings == ()


def test_year_zero_is_not_a_month():
    from aiadopt.kpis import parse_period

    with pytest.raises(ValueError, match="period must be a calendar month written 'YYYY-MM'"):
        parse_period("0000-01")
