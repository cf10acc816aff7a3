"""Reading one sheet of an ``.xlsx`` workbook without trusting it.

An xlsx file is a zip of XML parts, and a small file can describe a huge
sheet: a 1.5 KB workbook with one cell at ``XFD1048576`` declares a grid of
17 billion cells, and pandas (through openpyxl) allocates that grid. So the
zip is inspected with :mod:`zipfile` first (sizes, compression ratios, the
sheet's declared ``<dimension>``, the shared-strings part), and only then is
the sheet streamed with openpyxl in read-only mode, keeping the non-empty
rows and counting every cell, so that memory follows the real data and a
sheet beyond the limits below is refused as soon as it is seen.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils.cell import get_column_letter, range_boundaries

from ..errors import DataValidationError, Problem

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_RATIO",
    "MAX_SHARED_STRINGS_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "SheetRows",
    "read_sheet",
]

#: Total size of the unpacked workbook.
MAX_UNCOMPRESSED_BYTES = 1 << 30
#: Unpacked / packed size of any part larger than 1 MiB; spreadsheets pack
#: 5-30 times, zip bombs a thousand times.
MAX_RATIO = 100
_RATIO_FLOOR = 1 << 20
#: The shared strings are held in memory as Python strings.
MAX_SHARED_STRINGS_BYTES = 64 << 20
#: Cells of a sheet, declared or present (empty styled cells count): beyond
#: that a table belongs in CSV or Parquet.
MAX_CELLS = 10_000_000
#: Columns of a sheet (Excel allows 16,384).
MAX_COLUMNS = 2_000

_FIX_SAVE = (
    "Copy the table into a new workbook (or delete the empty rows and columns after it) and save it "
    "again, or export it as CSV or Parquet."
)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


@dataclass
class SheetRows:
    """The non-empty rows of a sheet: ``header`` (the first non-empty row),
    ``rows`` (lists as wide as the header) and ``row_numbers`` (each data
    row's number in Excel)."""

    header: list[str]
    header_row: int
    rows: list[list]
    row_numbers: list[int]


def _refuse(
    name: str,
    rule: str,
    *,
    line: str | None = None,
    column: str | None = None,
    value=None,
    fix: str = _FIX_SAVE,
):
    return DataValidationError(
        [Problem(file=name, rule=rule, fix=fix, line=line, column=column, value=value)]
    )


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def _inspect_zip(path: Path) -> None:
    """Refuse a workbook whose parts unpack to too much, or too suspiciously
    much, before any XML is parsed. zipfile stops at each part's declared
    size (and fails the checksum), so the declared sizes are binding."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(
            name, f"cannot be opened as an Excel workbook ({exc})", fix="Save it again as .xlsx."
        ) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(
            name,
            f"the workbook unpacks to {_mib(total)}, more than the {_mib(MAX_UNCOMPRESSED_BYTES)} allowed",
            value=path.stat().st_size,
        )
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _refuse(
                name,
                f"part {info.filename} unpacks {ratio:,.0f} times its packed size ({_mib(info.file_size)}), "
                f"more than the {MAX_RATIO} times a spreadsheet needs (a zip bomb?)",
            )
        if (
            info.filename.lower().endswith("sharedstrings.xml")
            and info.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise _refuse(
                name,
                f"its shared strings unpack to {_mib(info.file_size)}, more than the "
                f"{_mib(MAX_SHARED_STRINGS_BYTES)} allowed",
            )


def _sheet_part(wb, ws) -> str | None:
    """The zip member holding ``ws``'s XML (openpyxl records it)."""
    return getattr(ws, "_worksheet_path", None) or getattr(ws, "path", None)


def _check_dimension(path: Path, part: str | None, sheet: str) -> None:
    """Refuse a sheet whose declared ``<dimension ref>`` spans more cells
    than allowed, reading only the start of the sheet's XML."""
    if not part:
        return
    with zipfile.ZipFile(path) as zf:
        try:
            with zf.open(part.lstrip("/")) as fh:
                head = fh.read(1 << 16)
        except KeyError:
            return
    m = _DIMENSION.search(head)
    if m is None:
        return
    ref = m.group(1).decode("ascii")
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    except ValueError:
        return
    cells = max_row * max_col  # a reader's grid starts at A1
    if cells > MAX_CELLS or max_col > MAX_COLUMNS:
        raise _refuse(
            path.name,
            f"the sheet declares cells up to {get_column_letter(max_col)}{max_row}, a grid of {cells:,} cells from A1, "
            f"far more than a table needs (at most {MAX_CELLS:,} cells and {MAX_COLUMNS:,} columns)",
            line=f"sheet {sheet!r}",
            column=get_column_letter(max_col),
            value=ref,
        )


def _cell_value(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)  # as pandas.read_excel does: an id 42 stays 42
    if isinstance(v, str) and v == "":
        return None
    return v


def read_sheet(path: Path, table: str) -> SheetRows:
    """Read the sheet named ``table`` (else the first sheet) of ``path``.

    Raises
    ------
    DataValidationError
        The workbook is broken, unpacks to too much, declares or holds a
        sheet beyond :data:`MAX_CELLS` cells or :data:`MAX_COLUMNS` columns,
        or has values in columns without a header.
    """
    import openpyxl

    name = path.name
    _inspect_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _refuse(
            name, f"cannot be opened as an Excel workbook ({exc})", fix="Save it again as .xlsx."
        ) from None
    try:
        sheet = table if table in wb.sheetnames else wb.sheetnames[0]
        ws = wb[sheet]
        _check_dimension(path, _sheet_part(wb, ws), sheet)
        ws.reset_dimensions()  # do not pad rows to the declared width
        return _stream(ws, name, sheet)
    finally:
        wb.close()


def _stream(ws, name: str, sheet: str) -> SheetRows:
    header: list | None = None
    header_row = 0
    width = 0
    rows: list[list] = []
    numbers: list[int] = []
    seen = 0
    problems: list[Problem] = []
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        n = len(row)
        seen += n
        if n > MAX_COLUMNS:
            last = next((i for i in range(n - 1, -1, -1) if row[i] is not None), n - 1)
            raise _refuse(
                name,
                f"the sheet has cells up to column {get_column_letter(n)}, more than the {MAX_COLUMNS:,} columns allowed",
                line=f"sheet {sheet!r}, row {number}",
                column=get_column_letter(last + 1),
                value=row[last],
            )
        if seen > MAX_CELLS:
            raise _refuse(
                name,
                f"the sheet holds more than {MAX_CELLS:,} cells (counted up to row {number})",
                line=f"sheet {sheet!r}",
            )
        if not n:
            continue
        values = [_cell_value(v) for v in row]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if header is None:
            while values and values[-1] is None:
                values.pop()
            header, header_row, width = values, number, len(values)
            continue
        extra = [(i, v) for i, v in enumerate(values[width:], start=width) if v is not None]
        for i, v in extra[:12]:
            problems.append(
                Problem(
                    file=name,
                    rule="a value in a column without a header",
                    fix="Give the column a header, or delete the value.",
                    line=f"row {number}",
                    column=get_column_letter(i + 1),
                    value=v,
                )
            )
        if n < width:
            values.extend([None] * (width - n))
        rows.append(values[:width])
        numbers.append(number)
    if problems:
        raise DataValidationError(problems)
    names = [f"Unnamed: {i}" if h is None else str(h) for i, h in enumerate(header or [])]
    return SheetRows(header=names, header_row=header_row, rows=rows, row_numbers=numbers)
