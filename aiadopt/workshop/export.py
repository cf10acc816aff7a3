"""What a workshop leaves behind (issue 10): the votes that count, a copy of
the use-case register with the room's scores, and a printable one-page summary.

* :func:`export_register` copies the organisation's own register file
  (CSV, Excel or Parquet) in its own format, every row and cell as it was,
  with three new columns: ``workshop_votes``, ``workshop_impact`` and
  ``workshop_effort``. The original is never touched.
* :func:`write_summary` writes the one-page HTML summary: the final matrix,
  the counts, and a table of the scores per use case (means only where the
  privacy threshold allows).
* :func:`export_session` does all of it for a :class:`~aiadopt.workshop.Board`
  (``Board.export()`` calls it).

Every file is written atomically (:mod:`aiadopt.atomic`): a reader sees no
file or a whole one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_path, write_bytes_atomic
from ..codebook import Codebook, load_codebook, normalise_header
from ..errors import DataValidationError, Problem
from ..io._parse import to_text
from ..io._read import _decode, _sniff_delimiter
from ..io._xlsx import read_sheet
from ..labels import LANGUAGES, label
from ..present.formats import Formatter
from ..prioritisation import DEFAULT_SPLIT, quadrant_of
from .matrix import RESULT_COLUMNS, inline_svg, render_matrix

__all__ = [
    "FINAL_VOTES_COLUMNS",
    "WORKSHOP_COLUMNS",
    "export_register",
    "export_session",
    "register_name",
    "write_final_votes",
    "write_summary",
]

#: The columns :func:`export_register` adds to the register, in order:
#: the number of votes, the mean impact and the mean effort.
WORKSHOP_COLUMNS: tuple[str, ...] = ("workshop_votes", "workshop_impact", "workshop_effort")
#: Columns of ``final_votes.csv``: one row per participant and use case.
FINAL_VOTES_COLUMNS: tuple[str, ...] = ("session", "use_case_id", "impact", "effort", "time")

_TABLE = "use_cases"
_CSV = (".csv", ".txt", ".tsv")
_EXCEL = (".xlsx", ".xlsm")
_PARQUET = (".parquet", ".pq")
_BOM = b"\xef\xbb\xbf"
_TEMPLATE = "summary.html.j2"
_TEMPLATES = Path(__file__).parent / "templates"
#: The summary's matrix, in inches: the left part of an A4 landscape page.
_SUMMARY_MATRIX_SIZE = (8.6, 6.2)
#: Above this many use cases the summary's table is printed in smaller type,
#: so about 45 still fit on one A4 landscape page.
_DENSE_FROM = 25


# --- the register ------------------------------------------------------------


def register_name(source: str | Path) -> str:
    """The file name of the register's copy: ``<stem>_workshop<suffix>``.

    Examples
    --------
    >>> register_name("data/use_cases.xlsx")
    'use_cases_workshop.xlsx'
    """
    source = Path(source)
    return f"{source.stem}_workshop{source.suffix}"


def export_register(
    results: pd.DataFrame,
    source: str | Path,
    out_dir: str | Path,
    *,
    codebook: Codebook | str | Path | None = None,
) -> Path:
    """Copy the use-case register with the room's scores as new columns.

    The copy has the original's format, rows, columns and cells, plus
    :data:`WORKSHOP_COLUMNS` at the right: ``workshop_votes`` (the number of
    current votes; empty for a use case that was not in the session),
    ``workshop_impact`` and ``workshop_effort`` (the means; empty where the
    use case has fewer votes than the privacy threshold, ``shown`` False, or
    was not in the session). Rows are matched on the register's own
    use-case id column, whatever its header (found as the loader finds it,
    through the codebook's ``columns``), and ids are compared as the loader
    keeps them (trimmed, whitespace collapsed, Unicode NFC; a whole number
    ``42.0`` in Excel is ``"42"``).

    * CSV (``.csv``, ``.txt``, ``.tsv``): the original text with the new
      fields added at the end of each record, in the file's own delimiter,
      encoding (UTF-8 with or without BOM, or Windows-1252), line endings and
      ``sep=`` line; a short record is padded with empty fields so the new
      columns line up. Means use a decimal comma in a ``;``-separated file
      (as Dutch Excel writes and the loader reads it).
    * Excel (``.xlsx``, ``.xlsm``): the workbook itself (every sheet,
      formula and style openpyxl keeps), with the columns added to the
      register's sheet (``use_cases``, else the first) after its header.
    * Parquet: the table and its schema (and its metadata), with the new
      columns (int64 and float64, null where empty), the original's compression.

    If the register already has a column of one of those names (a copy from
    an earlier workshop), the new columns get a suffix: ``workshop_votes_2``...

    Parameters
    ----------
    results : DataFrame
        ``Board.results()`` (``use_case_id``, ``votes``, ``impact``,
        ``effort``, ``shown``, ...).
    source : str or Path
        The register file as loaded (``Dataset.sources["use_cases"]``).
    out_dir : str or Path
        Folder of the copy (created if needed); the copy is
        ``out_dir / register_name(source)``, replacing an earlier copy.
    codebook : Codebook, str or Path, default=None
        The codebook the register was loaded with (its ``columns`` map
        headers); ``None``: the default codebook.

    Returns
    -------
    Path
        The copy.

    Raises
    ------
    ValueError
        When the copy would be written over the source (``out_dir`` is the
        source, or the copy's path is the source file or a link to it), or
        ``results`` lacks a column.
    DataValidationError
        When the source has no use-case id column or is not a readable
        register (the message names the file and the fix).
    """
    source = Path(source)
    out_dir = Path(out_dir)
    _check_results(results, ("use_case_id", "votes", "impact", "effort", "shown"))
    if not source.is_file():
        raise DataValidationError(
            [
                Problem(
                    file=source.name,
                    rule=f"the use-case register {source} does not exist (any more)",
                    fix="Export from the session while its data folder is in place.",
                )
            ]
        )
    target = out_dir / register_name(source)
    if _same_file(out_dir, source) or _same_file(target, source):
        raise ValueError(
            f"the register's copy would be written over the register itself ({source}); "
            "give an output folder other than the register file"
        )
    values = _values_by_id(results)
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    suffix = source.suffix.lower()
    if suffix in _CSV:
        data = _csv_copy(source, values, cb)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data, fsync=True)
    elif suffix in _EXCEL:
        _excel_copy(source, target, values, cb)
    elif suffix in _PARQUET:
        _parquet_copy(source, target, values, cb)
    else:
        raise DataValidationError(
            [
                Problem(
                    file=source.name,
                    rule=f"unsupported file type {source.suffix!r} for a use-case register",
                    fix="Use a .csv, .xlsx or .parquet register.",
                )
            ]
        )
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and a.samefile(b))
    except OSError:
        return False


def _check_results(results, columns: Iterable[str]) -> None:
    if not isinstance(results, pd.DataFrame):
        raise TypeError(
            f"results must be a DataFrame (Board.results()); got {type(results).__name__}"
        )
    missing = [c for c in columns if c not in results.columns]
    if missing:
        raise ValueError(
            f"results lacks column(s) {missing}; pass Board.results(), which has {list(RESULT_COLUMNS)}"
        )


def _values_by_id(results: pd.DataFrame) -> dict[str, tuple[int, float, float]]:
    """use_case_id -> (votes, impact, effort); means NaN where not shown."""
    out = {}
    for row in results.itertuples(index=False):
        shown = bool(row.shown) if not pd.isna(row.shown) else False
        impact = float(row.impact) if shown and not pd.isna(row.impact) else math.nan
        effort = float(row.effort) if shown and not pd.isna(row.effort) else math.nan
        votes = 0 if pd.isna(row.votes) else int(row.votes)
        out[str(row.use_case_id)] = (votes, impact, effort)
    return out


def _id_position(header: list, name: str, cb: Codebook, where: str) -> int:
    """Index of the use-case id column in ``header``, as the loader maps headers."""
    for i, original in enumerate(header):
        if original is None:
            continue
        canonical = normalise_header(original)
        if cb.columns.get(canonical, canonical) == "use_case_id":
            return i
    raise DataValidationError(
        [
            Problem(
                file=name,
                rule="the register has no use-case id column, so the room's scores cannot be joined",
                fix="Export with the codebook the session loaded the data with (its 'columns' section "
                "maps your header onto use_case_id), or name the column use_case_id.",
                line=where,
            )
        ]
    )


def _new_names(existing: Iterable) -> tuple[str, ...]:
    """:data:`WORKSHOP_COLUMNS`, with ``_2``, ``_3``... if the register has them already."""
    taken = {normalise_header(c) for c in existing if c is not None}
    n = 1
    while True:
        names = tuple(c if n == 1 else f"{c}_{n}" for c in WORKSHOP_COLUMNS)
        if not taken & {normalise_header(c) for c in names}:
            return names
        n += 1


def _keys(raw: list) -> list[str | None]:
    """Ids as the loader keeps them (``None`` for an empty cell)."""
    if not raw:
        return []
    cleaned = pd.Series(
        [None if v is None or (isinstance(v, str) and not v.strip()) else v for v in raw],
        dtype=object,
    )
    keys = to_text(cleaned)
    return [None if pd.isna(k) else str(k) for k in keys]


def _row_values(values, key) -> tuple[int | None, float, float]:
    if key is None or key not in values:
        return None, math.nan, math.nan
    return values[key]


def _csv_number(x: float, comma: bool) -> str:
    """A mean for a CSV cell at full precision (the shortest text that reads
    back as the same float); with ``comma``, a decimal comma as Dutch Excel
    writes in ``;``-separated files (Babel's Dutch number symbols, no grouping)."""
    if math.isnan(x):
        return ""
    text = repr(float(x))
    if not comma:
        return text
    from decimal import Decimal

    from babel.numbers import format_decimal

    return format_decimal(Decimal(text), format="0.0" + "#" * 16, locale="nl")


def _csv_copy(source: Path, values, cb: Codebook) -> bytes:
    data = source.read_bytes()
    text = _decode(data, source.name)  # the loader's rules: refuses what it refuses
    if data.startswith(_BOM):
        encoding = "utf-8-sig"
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    lines = re.split(r"(?<=\n)", text)  # physical lines, with their endings
    if lines and lines[-1] == "":
        lines.pop()
    start = 0
    delimiter = None
    first = lines[0].strip() if lines else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        delimiter, start = first[4], 1
    body = lines[start:]
    if not body:
        raise DataValidationError(
            [
                Problem(
                    file=source.name,
                    rule="the file is empty (no header row)",
                    fix="Export the register with its header row.",
                )
            ]
        )
    delimiter = delimiter or _sniff_delimiter(body[0].partition("\n")[0])
    comma = delimiter == ";"

    # Group the physical lines into records exactly as the csv module reads them.
    reader = csv.reader(iter(body), delimiter=delimiter)
    records: list[tuple[list[str], list[str]]] = []  # (fields, physical lines)
    consumed = 0
    for fields in reader:
        records.append((fields, body[consumed : reader.line_num]))
        consumed = reader.line_num
    header_fields = records[0][0]
    id_at = _id_position(header_fields, source.name, cb, f"line {start + 1}")
    width = len(header_fields)
    names = _new_names(header_fields)
    keys = _keys([f[id_at] if len(f) > id_at else None for f, _ in records[1:]])

    def joined(cells: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(cells)
        return buffer.getvalue()

    out = lines[:start]
    for n, (fields, physical) in enumerate(records):
        raw = "".join(physical)
        if n > 0 and not fields:  # a blank line: left as it was
            out.append(raw)
            continue
        if n == 0:
            added = list(names)
        else:
            votes, impact, effort = _row_values(values, keys[n - 1])
            added = [
                "" if votes is None else str(votes),
                _csv_number(impact, comma),
                _csv_number(effort, comma),
            ]
        body_text = raw.rstrip("\r\n")
        ending = raw[len(body_text) :]
        padding = delimiter * max(width - len(fields), 0)
        out.append(body_text + padding + delimiter + joined(added) + ending)
    return "".join(out).encode(encoding)


def _excel_copy(source: Path, target: Path, values, cb: Codebook) -> None:
    import copy

    import openpyxl

    sheet_rows = read_sheet(source, _TABLE)  # the loader's checks (size, zip bombs) first
    header = sheet_rows.header
    raw_header = [None if h.startswith("Unnamed: ") else h for h in header]
    id_at = _id_position(raw_header, source.name, cb, f"row {sheet_rows.header_row}")
    keys = _keys([row[id_at] for row in sheet_rows.rows])
    names = _new_names(raw_header)

    keep_vba = source.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(source, keep_vba=keep_vba, keep_links=True)
    try:
        ws = wb[_TABLE] if _TABLE in wb.sheetnames else wb[wb.sheetnames[0]]
        first = len(header) + 1
        template = ws.cell(row=sheet_rows.header_row, column=len(header))
        for j, name in enumerate(names):
            cell = ws.cell(row=sheet_rows.header_row, column=first + j, value=name)
            if template.has_style:
                cell._style = copy.copy(template._style)
        for number, key in zip(sheet_rows.row_numbers, keys, strict=True):
            votes, impact, effort = _row_values(values, key)
            ws.cell(row=number, column=first, value=votes)
            for j, mean in ((1, impact), (2, effort)):
                cell = ws.cell(
                    row=number, column=first + j, value=None if math.isnan(mean) else mean
                )
                cell.number_format = "0.00"
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            wb.save(tmp)
    finally:
        wb.close()


def _parquet_copy(source: Path, target: Path, values, cb: Codebook) -> None:
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source)
        table = parquet.read()
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError
        raise DataValidationError(
            [
                Problem(
                    file=source.name,
                    rule=f"cannot be read as Parquet ({exc})",
                    fix="Write the file again.",
                )
            ]
        ) from None
    meta = parquet.metadata
    compression = (
        meta.row_group(0).column(0).compression.lower()
        if meta.num_row_groups and meta.num_columns
        else "snappy"
    )
    id_at = _id_position(list(table.schema.names), source.name, cb, "header")
    keys = _keys(table.column(id_at).to_pylist())
    names = _new_names(table.schema.names)
    rows = [_row_values(values, k) for k in keys]
    votes = pa.array([r[0] for r in rows], type=pa.int64())
    impact = pa.array([None if math.isnan(r[1]) else r[1] for r in rows], type=pa.float64())
    effort = pa.array([None if math.isnan(r[2]) else r[2] for r in rows], type=pa.float64())
    schema_meta = dict(table.schema.metadata or {})
    for name, column in zip(names, (votes, impact, effort), strict=True):
        table = table.append_column(pa.field(name, column.type), column)
    if b"pandas" in schema_meta:  # pandas reads the new columns with their dtypes too
        pandas_meta = json.loads(schema_meta[b"pandas"])
        for name, (ptype, ntype) in zip(
            names, (("int64", "Int64"), ("float64", "float64"), ("float64", "float64")), strict=True
        ):
            pandas_meta.setdefault("columns", []).append(
                {
                    "name": name,
                    "field_name": name,
                    "pandas_type": ptype,
                    "numpy_type": ntype,
                    "metadata": None,
                }
            )
        schema_meta[b"pandas"] = json.dumps(pandas_meta).encode("utf-8")
    table = table.replace_schema_metadata(schema_meta or None)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression=compression)


# --- the summary -------------------------------------------------------------


def _selection(selection: Mapping | None, lang: str) -> str:
    """Which use cases the session was about, in words."""
    selection = selection or {}
    parts = []
    department = selection.get("department")
    if department:
        parts.append(label("workshop_export.selection_department", lang, department=department))
    statuses = list(selection.get("statuses") or ())
    if statuses:
        names = label("workshop_export.selection_join", lang).join(
            label(f"status.{s}", lang) for s in statuses
        )
        parts.append(label("workshop_export.selection_statuses", lang, statuses=names))
    use_cases = list(selection.get("use_cases") or ())
    if use_cases:
        n = len(use_cases)
        parts.append(label("workshop_export.selection_use_cases", lang, n=Formatter(lang).count(n)))
    if not parts:
        return label("workshop_export.all_use_cases", lang)
    return label("workshop_export.selection_join", lang).join(parts)


def write_summary(
    path: str | Path,
    *,
    results: pd.DataFrame,
    votes: int,
    participants: int,
    min_votes: int,
    selection: Mapping | None = None,
    when: dt.datetime | dt.date | None = None,
    lang: str = "en",
    split: float = DEFAULT_SPLIT,
) -> Path:
    """Write the one-page printable HTML summary of a workshop.

    The page holds a title (the selection and the date), the number of
    votes and participants, the final matrix as inline SVG
    (:func:`~aiadopt.workshop.matrix.render_matrix`), and a table with each
    use case's votes, mean impact and effort and quadrant
    (:func:`aiadopt.prioritisation.quadrant_of`), or "results hidden" where it
    has fewer than ``min_votes`` votes. It prints on one A4 landscape page
    and requests nothing from anywhere (no fonts, scripts or images; a
    Content-Security-Policy forbids them).

    Parameters
    ----------
    path : str or Path
        The HTML file to write (atomically).
    results : DataFrame
        ``Board.results()``, in the order the table lists the use cases.
    votes, participants : int
        The session's counts (``Snapshot.votes``, ``Snapshot.participants``).
    min_votes : int
        The privacy threshold, for the note under the table.
    selection : mapping, default=None
        What the session was about: ``department`` (str), ``statuses``
        (iterable of status codes), ``use_cases`` (iterable of ids); ``None``
        or empty: all use cases.
    when : datetime or date, default=None
        The date shown; default today.
    lang : {"en", "nl"}, default="en"
    split : float, default=3.0
        The quadrant split, as in the matrix.

    Returns
    -------
    Path
    """
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    from ..report.html import CSP

    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}; got {lang!r}")
    _check_results(results, RESULT_COLUMNS)
    fmt = Formatter(lang)
    when = when or dt.date.today()
    t = lambda key, **kw: label(f"workshop_export.{key}", lang, **kw)  # noqa: E731

    shown = results["shown"].fillna(False).astype(bool).to_numpy()
    impact = pd.to_numeric(results["impact"], errors="coerce").to_numpy(dtype="float64")
    effort = pd.to_numeric(results["effort"], errors="coerce").to_numpy(dtype="float64")
    quadrants = quadrant_of(impact, effort, split=split)
    rows = []
    for i, row in enumerate(results.itertuples(index=False)):
        ok = bool(shown[i]) and not (np.isnan(impact[i]) or np.isnan(effort[i]))
        rows.append(
            {
                "use_case_id": str(row.use_case_id),
                "title": "" if pd.isna(row.title) else str(row.title),
                "votes": fmt.count(0 if pd.isna(row.votes) else int(row.votes)),
                "shown": ok,
                "voted": not pd.isna(row.votes) and int(row.votes) > 0,
                "impact": fmt.number(impact[i], 1) if ok else None,
                "effort": fmt.number(effort[i], 1) if ok else None,
                "quadrant": label(f"quadrant.{quadrants[i]}", lang) if ok else None,
            }
        )
    n_use_cases = len(results)
    svg = render_matrix(results, lang=lang, split=split, size=_SUMMARY_MATRIX_SIZE)
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    html = env.get_template(_TEMPLATE).render(
        lang=lang,
        csp=Markup(CSP),
        title=t("title", selection=_selection(selection, lang), date=fmt.date(when)),
        heading=t("heading"),
        counts=t(
            "counts",
            votes=t("n_votes", n=fmt.count(votes)),
            participants=t("n_participants", n=fmt.count(participants)),
            use_cases=t("n_use_cases", n=fmt.count(n_use_cases)),
        ),
        matrix=Markup(inline_svg(svg)),  # matplotlib's SVG; its texts are escaped XML
        caption=t("table_caption"),
        columns={
            "use_case": t("use_case"),
            "title": t("title_column"),
            "votes": t("votes"),
            "impact": t("impact"),
            "effort": t("effort"),
            "quadrant": t("quadrant"),
        },
        rows=rows,
        dense_from=_DENSE_FROM,
        hidden=t("hidden"),
        no_votes=t("no_votes"),
        scale=t("scale"),
        privacy=t("privacy", n=fmt.count(min_votes)),
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes_atomic(path, html.encode("utf-8"), fsync=True)


# --- the session ---------------------------------------------------------------


def write_final_votes(path: str | Path, votes: pd.DataFrame) -> Path:
    """Write the votes that count (``Board.votes()``) as CSV, atomically:
    :data:`FINAL_VOTES_COLUMNS`, one row per participant and use case, UTF-8,
    comma-separated, times in ISO 8601 UTC as the board recorded them."""
    missing = [c for c in FINAL_VOTES_COLUMNS if c not in votes.columns]
    if missing:
        raise ValueError(
            f"votes lacks column(s) {missing}; pass Board.votes(), which has {list(FINAL_VOTES_COLUMNS)}"
        )
    text = votes[list(FINAL_VOTES_COLUMNS)].to_csv(index=False, lineterminator="\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes_atomic(path, text.encode("utf-8"), fsync=True)


def export_session(
    board, *, codebook: Codebook | str | Path | None = None, when: dt.datetime | None = None
) -> dict[str, Path]:
    """Write a session's export into ``board.out`` (``Board.export()`` calls this).

    Files, by name:

    * ``votes.csv``: the full log of every vote cast, already written by the
      board while the session ran, listed as it is;
    * ``final_votes.csv``: the votes that count (:func:`write_final_votes`);
    * ``summary.html``: the one-page summary (:func:`write_summary`);
    * ``<stem>_workshop<suffix>``: the register's copy with the room's scores
      (:func:`export_register`), when the data was read from a register file.

    Parameters
    ----------
    board : Board
    codebook : Codebook, str or Path, default=None
        The codebook the data was loaded with, for the register's headers.
    when : datetime, default=None
        The date on the summary; default now.

    Returns
    -------
    dict of str to Path
        File name -> path, in the order above.
    """
    out = Path(board.out)
    snap = board.snapshot()
    files: dict[str, Path] = {}
    log = out / "votes.csv"
    if log.exists():
        files[log.name] = log
    files["final_votes.csv"] = write_final_votes(out / "final_votes.csv", board.votes())
    files["summary.html"] = write_summary(
        out / "summary.html",
        results=snap.results,
        votes=snap.votes,
        participants=snap.participants,
        min_votes=board.min_votes,
        selection={"department": board.department, "statuses": board.status},
        when=when,
        lang=board.lang,
    )
    source = board.dataset.sources.get(_TABLE)
    if isinstance(source, Path) or (isinstance(source, str) and Path(source).is_file()):
        copy = export_register(snap.results, source, out, codebook=codebook)
        files[copy.name] = copy
    return files
