"""Writing result tables as a readable table, CSV or JSON, atomically.

Every CSV and XLSX file aiadopt writes goes through this module's
formula-injection guard: a text cell that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is written so that the spreadsheet shows it as text. In CSV the
cell gets a leading ``'`` (:func:`neutralise_formulas`); in XLSX the cell is
stored as a text cell with Excel's "quote prefix" style, its value unchanged
(:func:`write_xlsx`). Numbers stay numbers in both.
"""

from __future__ import annotations

import json
import math
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_path, write_text_atomic  # the shared atomic writer (umask permissions)

__all__ = [
    "FORMATS",
    "FORMULA_TRIGGERS",
    "render",
    "write_text_atomic",
    "emit",
    "escape_formula",
    "neutralise_formulas",
    "write_xlsx",
]

FORMATS = ("table", "csv", "json")
SUPPRESSED_SUFFIX = "_suppressed"
#: A table heading longer than this (and than its column) wraps onto more lines.
HEADING_WIDTH = 10
#: First characters that make a spreadsheet read a text cell as a formula
#: (OWASP "CSV injection"): ``=``, ``+``, ``-``, ``@``, tab, carriage return.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would
    read as a formula; anything else (numbers, dates, missing) unchanged.

    Examples
    --------
    >>> escape_formula("=1+2")
    "'=1+2"
    >>> escape_formula(-3.5), escape_formula("Sales")
    (-3.5, 'Sales')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are passed
    through :func:`escape_formula`, for writing as CSV.

    Only ``str`` values change: numeric, boolean and date columns (negative
    numbers included) are left as they are, so they stay numbers when the
    file is opened.
    """
    return _map_text(frame, escape_formula)


def _csv_cell(value):
    """A text cell for CSV: formula-escaped, and line breaks as ``\\n``
    (with ``\\n`` as line terminator, Python 3.11's csv module quotes a
    field holding ``\\n`` but not one holding a lone ``\\r``, which then
    breaks the row)."""
    value = escape_formula(value)
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _map_text(frame: pd.DataFrame, func) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out[col] = values.map(func, na_action="ignore")
    out.columns = [func(c) for c in out.columns]
    return out


def _figure_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not c.endswith(SUPPRESSED_SUFFIX)]


def _json_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, pd.Period)):
        return str(value)
    return value


def _float_format(column: str, default: str) -> str:
    if column.endswith("_eur"):
        return "{:,.0f}"
    if column.endswith("_days"):
        return "{:.0f}"
    return default


def render(
    frame: pd.DataFrame,
    fmt: str,
    *,
    float_format: str = "{:.2f}",
    labels: Mapping[str, str] | None = None,
    keys: Sequence[str] = (),
    width: int | None = None,
) -> str:
    """Render ``frame`` as ``table`` (for people), ``csv`` or ``json``.

    The table may be made for a reader: ``labels`` maps raw column names to
    headings, and with ``width`` a table wider than that is split into
    blocks of columns, each starting with the ``keys`` columns (e.g. the
    unit), so that every line fits. CSV and JSON ignore ``labels``,
    ``keys`` and ``width``: they keep the raw column names.

    Undefined and suppressed figures are empty in CSV and ``null`` in JSON,
    never 0 and never a sentinel. The ``*_suppressed`` marker columns are
    kept in CSV/JSON (so a script can tell "suppressed" from "undefined");
    the table shows ``suppressed`` in the figure's cell instead.

    In CSV, text cells a spreadsheet would run as a formula get a leading
    ``'`` (:func:`neutralise_formulas`) and line breaks inside a cell are
    written as ``\\n``; JSON and the table keep the text as it is.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    if fmt == "csv":
        return _map_text(frame, _csv_cell).to_csv(
            index=False, float_format="%.6g", lineterminator="\n"
        )
    if fmt == "json":
        records = [
            {k: _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
        ]
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    shown = pd.DataFrame(index=frame.index)
    for col in _figure_columns(frame):
        values = frame[col]
        marker = frame.get(col + SUPPRESSED_SUFFIX)
        if pd.api.types.is_float_dtype(values.dtype):
            f = _float_format(col, float_format)
            text = values.map(lambda v, f=f: "–" if pd.isna(v) else f.format(v))
        else:
            text = values.map(
                lambda v: "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            )
        if marker is not None:
            text = text.where(~marker.fillna(False).astype(bool), "suppressed")
        shown[col] = text
    if labels:
        shown.columns = [labels.get(c, c) for c in shown.columns]
        keys = [labels.get(k, k) for k in keys]
    if width is None:
        return shown.to_string(index=False) + "\n"
    return "\n\n".join(_blocks(shown, [k for k in keys if k in shown.columns], width)) + "\n"


def _text_width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _to_text(shown: pd.DataFrame) -> str:
    """``shown`` as text with each heading wrapped to its column's width, or
    to :data:`HEADING_WIDTH` for a narrow column (never breaking a word), so
    long labels do not widen the table."""
    wrapped = []
    for col, values in shown.items():
        cells = max((len(v) for v in values), default=0)
        longest_word = max((len(w) for w in str(col).split()), default=0)
        wrapped.append(
            textwrap.wrap(str(col), max(cells, longest_word, min(len(str(col)), HEADING_WIDTH), 1))
            or [""]
        )
    depth = max((len(w) for w in wrapped), default=1)
    out = shown.copy()
    out.columns = pd.MultiIndex.from_tuples([tuple([""] * (depth - len(w)) + w) for w in wrapped])
    return out.to_string(index=False, sparsify=False)


def _blocks(shown: pd.DataFrame, keys: list[str], width: int) -> list[str]:
    """``shown`` as tables at most ``width`` characters wide, each with the
    ``keys`` columns first; a column too wide on its own gets a block of its own."""
    rest = [c for c in shown.columns if c not in keys]
    blocks: list[str] = []
    current: list[str] = []
    for col in rest:
        trial = _to_text(shown[keys + current + [col]])
        if current and _text_width(trial) > width:
            blocks.append(_to_text(shown[keys + current]))
            current = []
        current.append(col)
    if current or not blocks:
        blocks.append(_to_text(shown[keys + current]))
    return blocks


def emit(frame: pd.DataFrame, fmt: str, out: str | Path | None = None, **table) -> None:
    """Render and write to ``out`` (atomically) or to stdout; ``table``
    (``labels``, ``keys``, ``width``) is passed to :func:`render`."""
    text = render(frame, fmt, **table)
    if out is None or str(out) == "-":
        sys.stdout.write(text)
    else:
        write_text_atomic(out, text)


def write_xlsx(
    frame: pd.DataFrame, path: str | Path, *, sheet_name: str = "Sheet1", **kwargs
) -> Path:
    """Write ``frame`` to an ``.xlsx`` file (openpyxl) where no cell is a formula.

    openpyxl stores any text starting with ``=`` as a formula and text
    such as ``#N/A`` as an error value; here every such cell is stored as
    text instead, and text cells starting with one of
    :data:`FORMULA_TRIGGERS` also get Excel's quote-prefix style, so the
    spreadsheet shows them as text even after the cell is edited. Values
    are not changed: reading the file back gives the same text. Numbers and
    dates stay numbers and dates.

    The file is written to a temporary name in the same folder and renamed,
    so it appears complete or not at all.

    Parameters
    ----------
    frame : DataFrame
    path : str or Path
    sheet_name : str, default="Sheet1"
    **kwargs
        Passed to :class:`pandas.ExcelWriter` (e.g. ``date_format``).

    Returns
    -------
    Path
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl", **kwargs) as writer:
            frame.to_excel(writer, index=False, sheet_name=sheet_name)
            _text_cells_only(writer.book[sheet_name])
    return path


def _text_cells_only(sheet) -> None:
    """Every cell pandas wrote from a ``str`` value stays text: no formulas,
    no error values; formula-like text gets the quote-prefix style."""
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str):
                continue
            if cell.data_type in ("f", "e"):
                cell.data_type = "s"
            if cell.value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True
