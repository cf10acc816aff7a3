"""Vectorised conversion of raw columns into canonical types.

Every parser returns the converted Series and a boolean mask of the cells
that could not be converted (non-empty in the file but not understood).
Work is done on the distinct values, so a 2-million-row column with a few
hundred distinct values costs little.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

__all__ = [
    "is_blank",
    "parse_dates",
    "parse_months",
    "parse_numbers",
    "parse_bools",
    "parse_labels",
    "parse_scores",
    "to_text",
]

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d")
_TRUE = {"true", "t", "1", "1.0", "yes", "y", "ja", "j", "waar", "x"}
_FALSE = {"false", "f", "0", "0.0", "no", "n", "nee", "onwaar"}
_DUTCH_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a cell is empty (NaN/None or only whitespace)."""
    blank = raw.isna().to_numpy()
    if not pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_datetime64_any_dtype(raw.dtype):
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        if len(uniques):
            empty = np.array([isinstance(u, str) and u.strip() == "" for u in uniques], dtype=bool)
            blank = blank | ((codes >= 0) & empty.take(np.where(codes < 0, 0, codes)))
    return pd.Series(blank, index=raw.index)


def _by_unique(raw: pd.Series, convert) -> tuple[pd.Series, np.ndarray]:
    """Apply ``convert`` (Series of distinct values -> converted Series) to
    the distinct non-missing values and map back; missing cells stay
    missing. Returns the values and the mask of missing cells."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    missing = codes < 0
    if len(uniques) == 0:
        return pd.Series([None] * len(raw), index=raw.index, dtype=object), missing
    converted = convert(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    values = pd.Series(converted.to_numpy().take(np.where(missing, 0, codes)), index=raw.index)
    if missing.any():
        values = values.where(~missing)
    return values, missing


def to_text(raw: pd.Series) -> pd.Series:
    """Strings, trimmed; empty -> missing. Numbers that are whole keep no
    ``.0`` (an id read as 42.0 becomes ``"42"``)."""

    def convert(u: pd.Series) -> pd.Series:
        def one(v):
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            if isinstance(v, (dt.datetime, dt.date)):
                return v.isoformat()[:10]
            s = " ".join(str(v).split())
            return s if s else None

        return u.map(one)

    out, missing = _by_unique(raw, convert)
    out = out.where(~missing, None)
    return out.astype("str") if len(out) else out.astype(object)


def _parse_date_values(u: pd.Series) -> pd.Series:
    result = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    is_dt = u.map(lambda v: isinstance(v, (dt.date, pd.Timestamp, np.datetime64)))
    if is_dt.any():
        result[is_dt] = pd.to_datetime(u[is_dt].map(pd.Timestamp)).dt.normalize().to_numpy()
    text = u[~is_dt].map(lambda v: str(v).strip())
    for fmt in DATE_FORMATS + ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S"):
        todo = result[~is_dt].isna()
        if not todo.any():
            break
        idx = todo[todo].index
        parsed = pd.to_datetime(text[idx], format=fmt, errors="coerce")
        result[idx] = parsed.dt.normalize().to_numpy()
    return result


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO (``2025-03-14``), Dutch (``14-03-2025``, ``14/03/2025``,
    ``14.03.2025``) or spreadsheet dates -> ``datetime64[ns]``."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        out = pd.to_datetime(raw).dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
        return out.astype("datetime64[ns]").dt.normalize(), pd.Series(False, index=raw.index)
    blank = is_blank(raw)
    values, _ = _by_unique(raw.where(~blank, None), _parse_date_values)
    values = pd.Series(pd.to_datetime(values), index=raw.index).astype("datetime64[ns]")
    bad = values.isna() & ~blank
    return values, bad


def parse_months(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``YYYY-MM``, ``YYYY-MM-DD``, Dutch dates or spreadsheet dates ->
    ``period[M]`` (the calendar month of the value)."""
    if isinstance(raw.dtype, pd.PeriodDtype):
        return raw.dt.asfreq("M"), pd.Series(False, index=raw.index)
    blank = is_blank(raw)

    def convert(u: pd.Series) -> pd.Series:
        text = u.map(lambda v: v if isinstance(v, (dt.date, pd.Timestamp)) else str(v).strip())
        months = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
        is_text = text.map(lambda v: isinstance(v, str))
        for fmt in ("%Y-%m", "%Y/%m", "%m-%Y", "%Y%m"):
            todo = months.isna() & is_text
            if not todo.any():
                break
            months[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce").to_numpy()
        todo = months.isna()
        if todo.any():
            months[todo] = _parse_date_values(u[todo]).to_numpy()
        return months

    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw
    else:
        values, _ = _by_unique(raw.where(~blank, None), convert)
        values = pd.Series(pd.to_datetime(values), index=raw.index)
    bad = values.isna() & ~blank
    return values.dt.to_period("M"), bad


def _number_values(u: pd.Series, comma_decimal: bool) -> pd.Series:
    def one(v):
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            return float(v)
        s = str(v).strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace("EUR", "")
        if "," in s and "." in s:
            if s.rfind(",") > s.rfind("."):
                s = s.replace(".", "").replace(",", ".")
            else:
                s = s.replace(",", "")
        elif "," in s:
            s = s.replace(",", ".") if s.count(",") == 1 else s.replace(",", "")
        elif comma_decimal and _DUTCH_THOUSANDS.match(s):
            s = s.replace(".", "")
        elif s.count(".") > 1:
            s = s.replace(".", "")
        try:
            return float(s)
        except ValueError:
            return np.nan

    return u.map(one).astype(float)


def parse_numbers(raw: pd.Series, comma_decimal: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers with a decimal point or a decimal comma (``3,5``), thousands
    separators (``12.500,00``, ``12,500.00``) and an optional ``€``.

    A lone ``.`` followed by exactly three digits (``12.500``) is read as a
    thousands separator when the column uses decimal commas elsewhere or
    ``comma_decimal`` is set (a ``;``-separated file, as Dutch Excel writes);
    otherwise as a decimal point."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype(float), pd.Series(False, index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.astype("float64"), pd.Series(False, index=raw.index)
    blank = is_blank(raw)
    text = raw.where(~blank, None)
    comma_decimal = comma_decimal or bool(text.dropna().astype(str).str.contains(",", regex=False).any())
    values, _ = _by_unique(text, lambda u: _number_values(u, comma_decimal))
    values = values.astype("float64")
    bad = values.isna() & ~blank
    return values, bad


def parse_bools(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """true/false, ja/nee, yes/no, 1/0 (any case) -> nullable ``boolean``."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), pd.Series(False, index=raw.index)
    blank = is_blank(raw)

    def convert(u: pd.Series) -> pd.Series:
        def one(v):
            s = str(v).strip().lower()
            if isinstance(v, bool):
                return v
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            return None

        return u.map(one).astype(object)

    values, _ = _by_unique(raw.where(~blank, None), convert)
    values = pd.Series(values, index=raw.index, dtype=object)
    bad = values.isna() & ~blank
    return values.astype("boolean"), bad


def parse_labels(raw: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Map labels (case/whitespace-insensitive) to canonical values; labels
    not in ``mapping`` are kept as written so validation can name them."""
    blank = is_blank(raw)

    def convert(u: pd.Series) -> pd.Series:
        def one(v):
            key = " ".join(str(v).split()).lower()
            return mapping.get(key, " ".join(str(v).split()))

        return u.map(one)

    values, _ = _by_unique(raw.where(~blank, None), convert)
    values = pd.Series(values, index=raw.index, dtype=object).where(~blank, None)
    return values


def parse_scores(raw: pd.Series, labels: dict[str, float]) -> tuple[pd.Series, pd.Series]:
    """Likert answers as numbers (``4``, ``4.0``, ``4,0``) or labels
    (``helemaal mee eens``) -> float. The mask marks unknown labels; range
    checks are left to validation."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64"), pd.Series(False, index=raw.index)
    blank = is_blank(raw)

    def convert(u: pd.Series) -> pd.Series:
        def one(v):
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                return float(v)
            key = " ".join(str(v).split()).lower()
            if key in labels:
                return labels[key]
            try:
                return float(key.replace(",", "."))
            except ValueError:
                return np.nan

        return u.map(one).astype(float)

    values, _ = _by_unique(raw.where(~blank, None), convert)
    values = values.astype("float64")
    bad = values.isna() & ~blank
    return values, bad
