"""Reading raw tables from CSV, Excel and Parquet, remembering where each
row sits in the file so that errors can point at it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils.cell import get_column_letter

from ..errors import MAX_LISTED, DataValidationError, Problem
from ._xlsx import read_sheet

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
    _first_line: int = 1  # line (CSV) or row (Excel) number of the header
    _skipped_rows: int = 0  # data rows dropped before row 0 (survey-tool metadata rows)
    _lines: list[int] | None = None  # line (CSV) or row (Excel) of each data row
    # CSV read by pyarrow: the text is read again only when an error needs a
    # line number.
    _text_on_demand: bool = False

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
            return (
                f"row {self._lines[pos]}"
                if self._lines is not None
                else f"row {pos + self._first_line + 1}"
            )
        return f"row {pos + 1}"

    def _line_numbers(self) -> list[int]:
        # Computed only when an error needs it: the csv module follows quoted
        # fields across line breaks exactly as the file's reader did.
        if self._lines is None:
            text = self._text
            if text is None and self._text_on_demand:
                text = _csv_text(self.path.read_bytes(), self.name)[0]
            # Universal newlines: a lone CR ends a line, as for pandas' reader.
            reader = csv.reader(io.StringIO(text or "", newline=None), delimiter=self._delimiter)
            starts = []
            previous_end = self._first_line - 1
            for _record in reader:
                starts.append(previous_end + 1)
                previous_end = reader.line_num + self._first_line - 1
            self._lines = starts[1:]  # drop the header record
        return self._lines


def _line_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_LISTED])
    more = len(numbers) - MAX_LISTED
    return f"line{'s' if len(numbers) > 1 else ''} {shown}" + (
        f" and {more} more" if more > 0 else ""
    )


def _decode(data: bytes, name: str) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252.

    A file is read as Windows-1252 only when it is not UTF-8 anywhere: a
    file mixing valid UTF-8 multi-byte characters with bytes that are not
    UTF-8 (one line pasted from an old export) is refused, naming those
    lines, rather than read wholly in the wrong encoding. NUL bytes are
    refused too (a UTF-16 export, or a damaged file).
    """
    if b"\x00" in data:
        lines = [n for n, line in enumerate(data.split(b"\n"), start=1) if b"\x00" in line]
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise DataValidationError(
            [
                Problem(
                    file=name,
                    rule=f"the file contains NUL bytes ({_line_list(lines)})"
                    + ("; it is UTF-16 text" if utf16 else ""),
                    fix="Save it again as CSV UTF-8, or remove the NUL characters from those lines.",
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    bad: list[int] = []
    utf8_lines = 0
    for n, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad.append(n)
    if utf8_lines:
        raise DataValidationError(
            [
                Problem(
                    file=name,
                    rule=(
                        f"the file mixes encodings: {_line_list(bad)} {'are' if len(bad) > 1 else 'is'} not UTF-8, while "
                        f"{utf8_lines} other line{'s are' if utf8_lines > 1 else ' is'} UTF-8"
                    ),
                    fix="Retype the accented characters on those lines, or save the whole file again as CSV UTF-8.",
                )
            ]
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        lines = []
        for n, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("cp1252")
            except UnicodeDecodeError:
                lines.append(n)
        raise DataValidationError(
            [
                Problem(
                    file=name,
                    rule=f"the file is neither UTF-8 nor Windows-1252 ({_line_list(lines)})",
                    fix="Save it again as CSV UTF-8.",
                )
            ]
        ) from None


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


def _sep_hint(line: str) -> str | None:
    """The delimiter of Excel's ``sep=;`` hint line, or None."""
    line = line.strip()
    return line[4] if line.lower().startswith("sep=") and len(line) == 5 else None


def _csv_text(data: bytes, name: str) -> tuple[str, str | None, int]:
    """The decoded text of a CSV file without its ``sep=`` line, the
    delimiter that line names (or None) and the line number of the header."""
    text = _decode(data, name)
    if "\r" in text and "\n" not in text:
        # Classic Mac line ends (a lone CR per line), as old Excel for Mac saves CSV.
        text = text.replace("\r", "\n")
    head, _, rest = text.partition("\n")
    delimiter = _sep_hint(head)
    if delimiter is not None:
        return rest, delimiter, 2
    return text, None, 1


#: Bytes read at a time while scanning a CSV file for NUL bytes.
_SCAN_CHUNK = 1 << 24


def _read_csv_arrow(path: Path) -> RawTable | None:
    """Read a CSV file with pyarrow's multi-threaded reader, every column as
    dictionary-encoded text (pandas categoricals: the converters then work on
    the few distinct values of each column).

    Returns None when the file needs the general reader (:func:`_read_csv`
    falls back to it, which also names every problem): not UTF-8, NUL bytes,
    blank lines (pandas keeps their place in the row labels), a header with
    quotes, blank or repeated names, rows with fewer or more fields than the
    header, anything pyarrow refuses.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with path.open("rb") as fh:
        start = fh.read(_SCAN_CHUNK)
        chunk, tail = start, b""
        while chunk:
            seen = tail + chunk
            if b"\x00" in chunk or b"\n\n" in seen or b"\n\r\n" in seen:
                return None
            tail = chunk[-2:]
            chunk = fh.read(_SCAN_CHUNK)
    lines = start.removeprefix(b"\xef\xbb\xbf").split(b"\n", 2)
    try:
        head = lines[0].decode("utf-8")
        first_line = 1
        delimiter = _sep_hint(head)
        if delimiter is not None:
            head = lines[1].decode("utf-8") if len(lines) > 2 else ""
            first_line = 2
    except UnicodeDecodeError:
        return None
    head = head.removesuffix("\r")
    if not head.strip() or '"' in head or "\r" in head or len(lines) < first_line + 1:
        return None
    delimiter = delimiter or _sniff_delimiter(head)
    names = head.split(delimiter)
    if any(not n for n in names) or len(set(names)) < len(names):
        return None
    text_type = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                skip_rows=first_line, column_names=names, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, text_type),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                check_utf8=True,
            ),
        )
        frame = table.to_pandas(self_destruct=True, split_blocks=True)
    except (pa.ArrowException, ValueError):
        return None
    finally:
        table = None
        # pyarrow's allocator keeps freed blocks for reuse; hand them back,
        # or the parse buffers stay in the process's memory to the end.
        pa.default_memory_pool().release_unused()
    return RawTable(
        frame=frame,
        path=path,
        kind="csv",
        _delimiter=delimiter,
        _first_line=first_line,
        _text_on_demand=True,
    )


def _utf16_as_utf8(data: bytes, name: str) -> bytes:
    """UTF-16 text that starts with its byte-order mark (Qualtrics writes
    its TSV exports so), as UTF-8; other bytes as they are."""
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        return data
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            [
                Problem(
                    file=name,
                    rule=f"the file starts as UTF-16 text but is not UTF-16 throughout (byte {exc.start})",
                    fix="Export the file again from the survey tool.",
                )
            ]
        ) from None


def _read_csv(path: Path, *, utf16: bool = False) -> RawTable:
    fast = _read_csv_arrow(path)
    if fast is not None:
        return fast
    data = path.read_bytes()
    if utf16:
        data = _utf16_as_utf8(data, path.name)
    text, delimiter, first_line = _csv_text(data, path.name)
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
    try:
        header = next(csv.reader(io.StringIO(text, newline=None), delimiter=delimiter), [])
    except csv.Error as exc:
        raise DataValidationError(
            [
                Problem(
                    file=path.name,
                    rule=f"the header line {first_line} cannot be read as CSV: {exc}",
                    fix="Save the file again as CSV (UTF-8) from your spreadsheet program.",
                )
            ]
        ) from None
    _check_header(header, path.name, line=f"line {first_line}")
    return RawTable(
        frame=frame, path=path, kind="csv", _text=text, _delimiter=delimiter, _first_line=first_line
    )


def _check_header(names: list, name: str, *, line: str, letters: bool = False) -> None:
    """Refuse a header row naming one column twice (pandas would rename the
    second copy ``team.1`` and the loader would read the wrong one)."""
    positions: dict[str, list[int]] = {}
    for i, n in enumerate(names, start=1):
        if n is None or (isinstance(n, float) and n != n):
            continue
        positions.setdefault(str(n).strip(), []).append(i)
    problems = []
    for header, where in positions.items():
        if len(where) < 2 or not header:
            continue
        shown = [get_column_letter(i) if letters else str(i) for i in where]
        problems.append(
            Problem(
                file=name,
                rule=f"the header names one column twice (columns {' and '.join(shown)})",
                fix="Remove or rename one of the columns.",
                line=line,
                column=header,
            )
        )
    if problems:
        raise DataValidationError(problems)


def _read_excel(path: Path, table: str) -> RawTable:
    sheet = read_sheet(path, table)
    _check_header(sheet.header, path.name, line=f"row {sheet.header_row}", letters=True)
    frame = (
        pd.DataFrame(sheet.rows, columns=sheet.header, dtype=object)
        if sheet.header
        else pd.DataFrame()
    )
    return RawTable(
        frame=frame, path=path, kind="excel", _first_line=sheet.header_row, _lines=sheet.row_numbers
    )


def _nested_kind(t) -> str:
    import pyarrow as pa

    if pa.types.is_struct(t):
        return "records (struct)"
    if pa.types.is_map(t):
        return "maps"
    return "lists"


def _read_parquet(path: Path) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError
        raise DataValidationError(
            [
                Problem(
                    file=path.name,
                    rule=f"cannot be read as Parquet ({exc})",
                    fix="Write the file again.",
                )
            ]
        ) from None
    _check_header(list(schema.names), path.name, line="header")
    nested = [f for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise DataValidationError(
            [
                Problem(
                    file=path.name,
                    rule=f"the column holds {_nested_kind(f.type)}, not one plain value per cell",
                    fix="Write one plain value (text, number, date) per cell; spread lists over rows or columns.",
                    column=f.name,
                )
                for f in nested
            ]
        )
    try:
        # ignore_metadata: nullable integer columns (Int8, written by pandas)
        # arrive as float64 with NaN, which is what the loader works in, and
        # without a per-column conversion of the whole file.
        # read_dictionary: text columns come as categoricals, so the loader
        # works on their few distinct values instead of millions of strings.
        text = [
            f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ]
        # split_blocks and self_destruct: each column becomes its own block
        # as the table is released, instead of all float columns being
        # copied into one (twice the memory, for nothing).
        frame = pq.read_table(path, read_dictionary=text).to_pandas(
            ignore_metadata=True, split_blocks=True, self_destruct=True
        )
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError
        raise DataValidationError(
            [
                Problem(
                    file=path.name,
                    rule=f"cannot be read as Parquet ({exc})",
                    fix="Write the file again.",
                )
            ]
        ) from None
    return RawTable(frame=frame.reset_index(drop=True), path=path, kind="parquet")


def read_raw(path: Path, table: str, *, survey_tool: bool = False) -> RawTable:
    """Read one table file without interpreting its values.

    Blank rows are dropped (their line numbers are kept for the others);
    a file without data rows is an error. With ``survey_tool`` (a survey
    that may be a survey tool's export, :mod:`aiadopt.io.exports`), UTF-16
    text with a byte-order mark is read too and the tool's extra header rows
    are left in place for the export reader.
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        raw = _read_csv(path, utf16=survey_tool)
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
    frame = raw.frame if survey_tool else _drop_tool_metadata_rows(raw)
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
