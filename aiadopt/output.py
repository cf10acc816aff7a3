"""Writing result tables as a readable table, CSV or JSON, atomically."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import write_text_atomic  # the shared atomic writer (umask permissions)

__all__ = ["FORMATS", "render", "write_text_atomic", "emit"]

FORMATS = ("table", "csv", "json")
SUPPRESSED_SUFFIX = "_suppressed"


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
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    if fmt == "csv":
        return frame.to_csv(index=False, float_format="%.6g", lineterminator="\n")
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
