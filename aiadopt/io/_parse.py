"""Vectorised conversion of raw columns into canonical types.

Every parser returns the converted Series and a boolean mask of the cells
that could not be converted (non-empty in the file but not understood).
Work is done on the distinct values, so a 2-million-row column with a few
hundred distinct values costs little.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "EARLIEST_DATE",
    "date_window",
    "is_blank",
    "normalise_name",
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
#: Characters that show nothing but make two names differ: zero-width
#: spaces and joiners, word joiner, BOM, soft hyphen, and the bidirectional
#: marks, embeddings, overrides and isolates.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def _distinct(raw: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes, distinct values (object array) and the missing-cell mask of a
    column; cells that are only whitespace count as missing."""
    if isinstance(raw.dtype, pd.CategoricalDtype):
        # The codes are the answer already; keep the categories that occur.
        codes = raw.cat.codes.to_numpy().astype(np.intp)
        cats = raw.cat.categories
        seen = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
        if not seen.all():
            renumber = np.cumsum(seen) - 1
            codes = np.where(codes >= 0, renumber[np.maximum(codes, 0)], -1)
        uniques = np.asarray(cats, dtype=object)[seen]
    else:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
    missing = codes < 0
    if len(uniques):
        blank_u = np.fromiter(
            (isinstance(u, str) and not u.strip() for u in uniques), bool, len(uniques)
        )
        if blank_u.any():
            missing = missing | blank_u.take(np.where(missing, 0, codes))
            codes = np.where(missing, -1, codes)
    return codes, uniques, missing


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a cell is empty (NaN/None or only whitespace)."""
    if pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw.isna()
    return pd.Series(_distinct(raw)[2], index=raw.index)


def _by_unique(raw: pd.Series, convert) -> tuple[pd.Series, np.ndarray]:
    """Apply ``convert`` (Series of distinct values -> converted Series) to
    the distinct non-empty values and map back; empty cells stay missing.
    Returns the values and the mask of empty cells."""
    codes, uniques, missing = _distinct(raw)
    if len(uniques) == 0:
        return pd.Series([None] * len(raw), index=raw.index, dtype=object), missing
    converted = np.asarray(convert(pd.Series(uniques, dtype=object)))
    values = pd.Series(converted.take(np.where(missing, 0, codes)), index=raw.index)
    if missing.any():
        values = values.where(~missing)
    return values, missing


def _recode_categorical(raw: pd.Series, one) -> pd.Series:
    """Apply ``one`` to the categories of a categorical column (blank
    categories become missing; categories that map to the same value
    merge). Costs O(categories) plus one integer take."""
    cats = raw.cat.categories
    converted = [one(c) for c in np.asarray(cats, dtype=object).tolist()]
    converted = [
        None if (c is None or (isinstance(c, str) and not c.strip())) else c for c in converted
    ]
    final = list(dict.fromkeys(c for c in converted if c is not None))
    position = {c: i for i, c in enumerate(final)}
    code_map = np.array(
        [position.get(c, -1) if c is not None else -1 for c in converted] + [-1], dtype=np.int64
    )
    codes = raw.cat.codes.to_numpy()
    new_codes = code_map[np.where(codes < 0, len(cats), codes)]
    return pd.Series(pd.Categorical.from_codes(new_codes, categories=final), index=raw.index)


def categorical_to_str(values: pd.Series) -> pd.Series:
    """``values.astype("str")`` for a categorical of strings, built by
    pyarrow from the codes (not one Python string per row)."""
    import pyarrow as pa

    cats = values.cat.categories
    if not pd.api.types.is_string_dtype(cats.dtype) or (
        cats.dtype == object and not all(isinstance(c, str) for c in cats)
    ):
        return values.astype("str")
    codes = values.cat.codes.to_numpy().astype(np.int32)
    indices = pa.array(codes, mask=codes < 0)
    text = pa.DictionaryArray.from_arrays(indices, pa.array(list(cats), type=pa.string()))
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    out = text.cast(pa.large_string()).to_pandas(types_mapper={pa.large_string(): dtype}.get)
    return pd.Series(out.array, index=values.index)


def _ok(raw: pd.Series) -> pd.Series:
    return pd.Series(np.zeros(len(raw), dtype=bool), index=raw.index)


def normalise_name(text: str) -> str:
    """A name as the loader keeps it: Unicode NFC, zero-width and bidi
    control characters removed, trimmed, inner whitespace collapsed.

    Examples
    --------
    >>> normalise_name(" Financie\u0308n\u200b ") == "Financiën"
    True
    """
    if not text.isascii():  # ASCII has nothing to compose and no invisible characters
        text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return " ".join(text.split())


def _text_value(v) -> str:
    """One value as :func:`to_text` keeps it."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()[:10]
    return normalise_name(str(v))


def text_categories(raw: pd.Series) -> pd.Series:
    """A categorical column's values as :func:`to_text` keeps them, still
    categorical (one category per distinct name): ``to_text`` of it is
    :func:`categorical_to_str` of this."""
    return _recode_categorical(raw, _text_value)


def to_text(raw: pd.Series) -> pd.Series:
    """Strings as :func:`normalise_name` leaves them; empty -> missing.
    Numbers that are whole keep no ``.0`` (an id read as 42.0 becomes
    ``"42"``). A clean string column is returned as it is."""

    one = _text_value
    if isinstance(raw.dtype, pd.CategoricalDtype):
        return categorical_to_str(_recode_categorical(raw, one))
    codes, uniques, missing = _distinct(raw)
    converted = np.array([one(u) for u in uniques], dtype=object)
    clean = pd.api.types.is_string_dtype(raw.dtype) and raw.dtype != object
    if (
        clean
        and not (missing & raw.notna().to_numpy()).any()
        and all(a == b for a, b in zip(converted, uniques, strict=True))
    ):
        return raw
    if len(uniques) == 0:
        return pd.Series(pd.array([None] * len(raw), dtype="str"), index=raw.index)
    values = converted.take(np.where(missing, 0, codes))
    values[missing] = None
    return pd.Series(pd.array(values, dtype="str"), index=raw.index)


#: Formats tried, in order, for text in a date column.
_DATE_PARSE_FORMATS = DATE_FORMATS + (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
)
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%m-%Y", "%Y%m")
#: The earliest plausible date of an input (nothing about AI adoption
#: happened before).
EARLIEST_DATE = dt.date(1990, 1, 1)
#: What ``datetime64[ns]`` can hold, whole months: the window when none is given.
_NS_WINDOW = (dt.date(1677, 10, 1), dt.date(2262, 3, 31))


def date_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The plausible dates of an input: from 1990-01-01 to one year after
    ``today`` (default: the date of the run).

    Examples
    --------
    >>> date_window(dt.date(2026, 12, 3))
    (datetime.date(1990, 1, 1), datetime.date(2027, 12, 3))
    >>> date_window(dt.date(2028, 2, 29))[1]
    datetime.date(2029, 2, 28)
    """
    today = today or dt.date.today()
    try:
        last = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        last = today.replace(year=today.year + 1, day=28)
    return EARLIEST_DATE, last


def _one_date(v) -> dt.date | None:
    """A date from a spreadsheet value or text (any year), or None."""
    if isinstance(v, dt.datetime):
        return None if pd.isna(v) else v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, np.datetime64):
        if np.isnat(v):
            return None
        d = v.astype("datetime64[D]").item()
        return d if isinstance(d, dt.date) else None
    s = str(v).strip()
    for fmt in _DATE_PARSE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def _one_month(v) -> dt.date | None:
    """The first day of the month of a value (``2025-03``, a date), or None."""
    if isinstance(v, str):
        s = v.strip()
        for fmt in _MONTH_FORMATS:
            try:
                return dt.datetime.strptime(s, fmt).date()
            except ValueError:
                continue
    d = _one_date(v)
    return None if d is None else d.replace(day=1)


def _dates_by_unique(
    raw: pd.Series, one, first: dt.date, last: dt.date
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Apply ``one`` (value -> date or None) to the distinct values; returns
    ``datetime64[ns]`` values (NaT where unreadable or outside
    ``first``..``last``), the unreadable mask and the outside mask."""
    codes, uniques, missing = _distinct(raw)
    dates = [one(u) for u in uniques]
    unreadable_u = np.array([d is None for d in dates] + [False], dtype=bool)
    outside_u = np.array(
        [d is not None and not first <= d <= last for d in dates] + [False], dtype=bool
    )
    values_u = np.array(
        [
            np.datetime64(d, "ns")
            if d is not None and first <= d <= last
            else np.datetime64("NaT", "ns")
            for d in dates
        ]
        + [np.datetime64("NaT", "ns")],
        dtype="datetime64[ns]",
    )
    pick = np.where(missing, len(uniques), codes)
    index = raw.index
    return (
        pd.Series(values_u.take(pick), index=index),
        pd.Series(unreadable_u.take(pick), index=index),
        pd.Series(outside_u.take(pick), index=index),
    )


def _window(window: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date]:
    if window is None:
        return _NS_WINDOW
    return max(window[0], _NS_WINDOW[0]), min(window[1], _NS_WINDOW[1])


def parse_dates(
    raw: pd.Series, *, window: tuple[dt.date, dt.date] | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """ISO (``2025-03-14``), Dutch (``14-03-2025``, ``14/03/2025``,
    ``14.03.2025``) or spreadsheet dates -> ``datetime64[ns]``.

    Returns the values, the mask of unreadable cells and the mask of dates
    outside ``window`` (first, last; default: what ``datetime64[ns]`` holds).
    Both kinds of bad cells are NaT in the values, so a year 3026 is never
    an overflow."""
    first, last = _window(window)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        out = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
        out = out.dt.normalize()
        outside = (out < pd.Timestamp(first)) | (out > pd.Timestamp(last))
        return out.where(~outside).astype("datetime64[ns]"), _ok(raw), outside
    values, bad, outside = _dates_by_unique(raw, _one_date, first, last)
    return values, bad, outside


def parse_months(
    raw: pd.Series, *, window: tuple[dt.date, dt.date] | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``YYYY-MM``, ``YYYY-MM-DD``, Dutch dates or spreadsheet dates ->
    ``period[M]`` (the calendar month of the value).

    Returns the values, the unreadable mask and the mask of months outside
    ``window`` (as :func:`parse_dates`)."""
    first, last = _window(window)
    first = first.replace(day=1)
    if isinstance(raw.dtype, pd.PeriodDtype):
        months = raw.dt.asfreq("M")
        outside = (months < pd.Period(first, "M")) | (months > pd.Period(last, "M"))
        return months.where(~outside), _ok(raw), outside
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values, bad, outside = parse_dates(raw, window=(first, last))
    else:
        values, bad, outside = _dates_by_unique(raw, _one_month, first, last)
    return values.dt.to_period("M"), bad, outside


def _number_values(u: pd.Series, comma_decimal: bool) -> pd.Series:
    def one(v):
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            return float(v)
        s = (
            str(v)
            .strip()
            .replace("\u00a0", "")
            .replace(" ", "")
            .replace("€", "")
            .replace("EUR", "")
        )
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
        return raw.astype(float), _ok(raw)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw if raw.dtype == np.float64 else raw.astype("float64")
        return values, _ok(raw)
    _, uniques, _ = _distinct(raw)
    comma_decimal = comma_decimal or any("," in str(u) for u in uniques)
    values, blank = _by_unique(raw, lambda u: _number_values(u, comma_decimal))
    values = values.astype("float64")
    bad = values.isna() & ~blank
    return values, bad


def parse_bools(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """true/false, ja/nee, yes/no, 1/0 (any case) -> nullable ``boolean``."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), _ok(raw)

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

    values, blank = _by_unique(raw, convert)
    values = pd.Series(values, index=raw.index, dtype=object)
    bad = values.isna() & ~blank
    return values.astype("boolean"), bad


def parse_labels(raw: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Map labels (case/whitespace-insensitive) to canonical values; labels
    not in ``mapping`` are kept as written so validation can name them."""

    def one(v):
        key = " ".join(str(v).split()).lower()
        return mapping.get(key, " ".join(str(v).split()))

    if isinstance(raw.dtype, pd.CategoricalDtype):
        return _recode_categorical(raw, one)
    values, _ = _by_unique(raw, lambda u: u.map(one))
    return values.astype(object)


def parse_scores(raw: pd.Series, labels: dict[str, float]) -> tuple[pd.Series, pd.Series]:
    """Likert answers as numbers (``4``, ``4.0``, ``4,0``) or labels
    (``helemaal mee eens``) -> float. The mask marks unknown labels; range
    checks are left to validation."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw if raw.dtype == np.float64 else raw.astype("float64")
        return values, _ok(raw)

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

    values, blank = _by_unique(raw, convert)
    values = values.astype("float64")
    bad = values.isna() & ~blank
    return values, bad
