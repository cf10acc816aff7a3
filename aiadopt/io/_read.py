"""Reading raw tables from CSV, Excel and Parquet, remembering where each
row sits in the file so that errors can point at it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, Problem

__all__ = ["RawTable", "read_raw", "EXTENSIONS"]

EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq")
_DELIMITERS = (",", ";", "\t", "|")


@dataclass
class RawTable:
    """A table as read, before any type conversion.

    ``frame`` has a RangeIndex; :meth:`where` turns a row position into the
    place a user sees in the file.
    """

    frame: pd.DataFrame
    path: Path
    kind: str  # "csv", "excel", "parquet"
    header_columns: dict[str, str] = field(default_factory=dict)  # canonical -> as in file
    _text: str | None = None
    _delimiter: str = ","
    _first_line: int = 1  # line number of the header
    _skipped_rows: int = 0  # data rows dropped before row 0 (survey-tool metadata rows)
    _lines: list[int] | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def where(self, pos: int) -> str:
        """``line N`` (CSV, header = line 1), ``row N`` (Excel, header =
        row 1) or ``row N`` (Parquet, first data row = 1)."""
        pos = int(pos) + self._skipped_rows
        if self.kind == "csv":
            return f"line {self._line_numbers()[pos]}"
        if self.kind == "excel":
            return f"row {pos + 2}"
        return f"row {pos + 1}"

    def _line_numbers(self) -> list[int]:
        # Computed only when an error needs it: the csv module follows quoted
        # fields across line breaks exactly as the file's reader did.
        if self._lines is None:
            reader = csv.reader(io.StringIO(self._text or ""), delimiter=self._delimiter)
            starts = []
            previous_end = self._first_line - 1
            for _record in reader:
                starts.append(previous_end + 1)
                previous_end = reader.line_num + self._first_line - 1
            self._lines = starts[1:]  # drop the header record
        return self._lines


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def _empty(path: Path, detail: str) -> DataValidationError:
    return DataValidationError(
        [
            Problem(
                file=path.name,
                rule=f"the file is empty ({detail})",
                fix="Export the table again with its header row and at least one data row.",
            )
        ]
    )


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    text = _decode(data)
    first_line = 1
    # Excel's "sep=;" hint line.
    head, _, rest = text.partition("\n")
    delimiter = None
    if head.strip().lower().startswith("sep=") and len(head.strip()) == 5:
        delimiter = head.strip()[4]
        text = rest
        first_line = 2
        head = text.partition("\n")[0]
    if not text.strip():
        raise _empty(path, "no header row")
    delimiter = delimiter or _sniff_delimiter(head)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise DataValidationError(
            [
                Problem(
                    file=path.name,
                    rule=f"cannot be read as CSV with delimiter {delimiter!r}: {exc}",
                    fix="Check the quoting of that line, or export the table again.",
                )
            ]
        ) from None
    except pd.errors.EmptyDataError:
        raise _empty(path, "no header row") from None
    return RawTable(frame=frame, path=path, kind="csv", _text=text, _delimiter=delimiter, _first_line=first_line)


def _read_excel(path: Path, table: str) -> RawTable:
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise DataValidationError(
            [Problem(file=path.name, rule=f"cannot be opened as an Excel workbook ({exc})", fix="Save it again as .xlsx.")]
        ) from None
    sheet = table if table in sheets.sheet_names else sheets.sheet_names[0]
    frame = pd.read_excel(sheets, sheet_name=sheet, dtype=object)
    frame = frame.astype(object).where(frame.notna(), None)
    return RawTable(frame=frame, path=path, kind="excel")


def _read_parquet(path: Path) -> RawTable:
    try:
        # ignore_metadata: nullable integer columns (Int8, written by pandas)
        # arrive as float64 with NaN, which is what the loader works in, and
        # without a per-column conversion of the whole file.
        # read_dictionary: text columns come as categoricals, so the loader
        # works on their few distinct values instead of millions of strings.
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        frame = pq.read_table(path, read_dictionary=text).to_pandas(ignore_metadata=True)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError
        raise DataValidationError(
            [Problem(file=path.name, rule=f"cannot be read as Parquet ({exc})", fix="Write the file again.")]
        ) from None
    return RawTable(frame=frame.reset_index(drop=True), path=path, kind="parquet")


def read_raw(path: Path, table: str) -> RawTable:
    """Read one table file without interpreting its values.

    Blank rows are dropped (their line numbers are kept for the others);
    a file without data rows is an error.
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        raw = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _read_excel(path, table)
    elif suffix in (".parquet", ".pq"):
        raw = _read_parquet(path)
    else:
        raise DataValidationError(
            [
                Problem(
                    file=path.name,
                    rule=f"unsupported file type {suffix!r}",
                    fix=f"Use one of {', '.join(EXTENSIONS)}.",
                )
            ]
        )
    frame = raw.frame
    if len(frame.columns) == 0:
        raise _empty(path, "no header row")
    frame = _drop_tool_metadata_rows(raw)
    if raw.kind != "parquet":
        blank = frame.isna().all(axis=1)
        if blank.any():
            frame = frame.loc[~blank]
    if len(frame) == 0:
        raise _empty(path, "a header but no data rows")
    raw.frame = frame
    return raw


def _drop_tool_metadata_rows(raw: RawTable) -> pd.DataFrame:
    """Survey tools (Qualtrics and the like) put the question text and an
    ``{"ImportId": ...}`` row under the header: drop those rows."""
    frame = raw.frame
    if raw.kind == "parquet" or len(frame) == 0:
        return frame
    probe = frame.head(2).astype(str)
    marks = probe.apply(lambda col: col.str.startswith('{"ImportId"')).any(axis=1)
    if marks.any():
        n = int(marks[marks].index.max()) + 1
        raw._skipped_rows = n
        frame = frame.iloc[n:].reset_index(drop=True)
    return frame
