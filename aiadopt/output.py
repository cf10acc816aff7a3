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


def render(frame: pd.DataFrame, fmt: str, *, float_format: str = "{:.2f}") -> str:
    """Render ``frame`` as ``table`` (for people), ``csv`` or ``json``.

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
        return _map_text(frame, _csv_cell).to_csv(index=False, float_format="%.6g", lineterminator="\n")
    if fmt == "json":
        records = [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    shown = pd.DataFrame(index=frame.index)
    for col in _figure_columns(frame):
        values = frame[col]
        marker = frame.get(col + SUPPRESSED_SUFFIX)
        if pd.api.types.is_float_dtype(values.dtype):
            f = _float_format(col, float_format)
            text = values.map(lambda v, f=f: "–" if pd.isna(v) else f.format(v))
        else:
            text = values.map(lambda v: "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
        if marker is not None:
            text = text.where(~marker.fillna(False).astype(bool), "suppressed")
        shown[col] = text
    return shown.to_string(index=False) + "\n"


def emit(frame: pd.DataFrame, fmt: str, out: str | Path | None = None) -> None:
    """Render and write to ``out`` (atomically) or to stdout."""
    text = render(frame, fmt)
    if out is None or str(out) == "-":
        sys.stdout.write(text)
    else:
        write_text_atomic(out, text)


def write_xlsx(frame: pd.DataFrame, path: str | Path, *, sheet_name: str = "Sheet1", **kwargs) -> Path:
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
