"""Numbers, percentages, changes and dates as a reader of one language sees them.

One :class:`Formatter` per language, on top of Babel's CLDR data: Dutch gets a
decimal comma and a full stop between thousands ("1.234,5"), English the
reverse ("1,234.5"); months are named ("oktober 2026", "okt 2026").

Rules shared by every method:

- A missing value (``None``, NaN, ``pd.NA``, ``NaT``) is shown as :data:`MISSING`,
  the en dash.
- Rounding is half away from zero on the number as Python prints it
  (``2.45`` -> ``2.5``, ``2.5`` -> ``3``), as a reader rounds by hand; binary
  floating point and Babel's default (half to even) would disagree with that.
- Negative numbers carry a real minus sign (U+2212), not a hyphen.

Examples
--------
>>> fmt = Formatter("nl")
>>> fmt.number(1234.45, digits=1)
'1.234,5'
>>> fmt.change(16.76, 19.24, digits=1)
'−2,4'
>>> fmt.month("2026-10")
'oktober 2026'
>>> Formatter("en").month_short("2026-10")
'Oct 2026'
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, Literal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

__all__ = [
    "KPI_DISPLAY",
    "LANGUAGES",
    "MISSING",
    "MINUS",
    "Formatter",
    "axis_formatter",
    "change_direction",
]

#: The languages reports are written in.
LANGUAGES = ("en", "nl")
#: Shown for a value that is missing or not computable.
MISSING = "\u2013"
#: The minus sign of every negative number shown.
MINUS = "\u2212"

#: The five KPIs as every report, table and index shows them: key ->
#: (decimals, whether a rise is good news). Counts and days are whole,
#: percentages and scores have one decimal; time-to-impact going up is bad.
KPI_DISPLAY: dict[str, tuple[int, bool]] = {
    "active_use_cases": (0, True),
    "time_to_impact_days": (0, False),
    "core_process_ai_pct": (1, True),
    "leadership_adoption_pct": (1, True),
    "adaptivity_score": (1, True),
}


def change_direction(key: str, change: str) -> tuple[str, str | None]:
    """``(direction, quality)`` of a change as :meth:`Formatter.change` shows it.

    ``direction`` is ``"up"``, ``"down"``, ``"flat"`` (shown as no change) or
    ``"none"`` (no change can be shown); ``quality`` is ``"good"`` or
    ``"bad"`` for KPI ``key`` (:data:`KPI_DISPLAY`), ``None`` otherwise.

    Examples
    --------
    >>> change_direction("time_to_impact_days", "+3")
    ('up', 'bad')
    >>> change_direction("adaptivity_score", "\u22122,5")
    ('down', 'bad')
    >>> change_direction("active_use_cases", "\u2013")
    ('none', None)
    """
    if change == MISSING:
        return "none", None
    if change.startswith("+"):
        direction = "up"
    elif change.startswith(MINUS):
        direction = "down"
    else:
        return "flat", None
    rise_is_good = KPI_DISPLAY[key][1]
    return direction, ("good" if (direction == "up") == rise_is_good else "bad")


AxisKind = Literal["number", "percent", "count", "signed"]


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, numbers.Integral):  # never missing; keeps pandas unimported (CLI help)
        return False
    try:
        import pandas as pd

        if pd.isna(value) is True:
            return True
    except (TypeError, ValueError):  # pragma: no cover - arrays are not scalars
        return False
    return isinstance(value, float) and math.isnan(value)


def _decimal(value: Any, digits: int) -> Decimal:
    """``value`` rounded half away from zero to ``digits`` decimals."""
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, numbers.Integral):  # int, bool, numpy integers: exact
        d = Decimal(int(value))
    else:
        d = Decimal(repr(float(value)))  # shortest repr: 2.45 stays 2.45
    if not d.is_finite():
        raise ValueError(f"cannot format {value!r}: not a finite number")
    return d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _pattern(digits: int, percent: bool = False) -> str:
    if digits < 0:
        raise ValueError(f"digits must be 0 or more, got {digits}")
    return "#,##0" + ("." + "0" * digits if digits else "") + ("%" if percent else "")


def _as_date(value: Any, what: str) -> dt.date:
    """A date from a ``date``/``datetime``/``pd.Timestamp``/``pd.Period`` or a
    ``YYYY-MM`` / ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "start_time"):  # pd.Period
        return value.start_time.date()
    if hasattr(value, "to_pydatetime"):  # pd.Timestamp
        return value.to_pydatetime().date()
    text = str(value).strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(
            f"{what}: {value!r} is not a date; give a date, a pandas Period or Timestamp, "
            "or a string 'YYYY-MM' or 'YYYY-MM-DD'"
        ) from None


class Formatter:
    """Formats numbers and dates for readers of one language.

    Parameters
    ----------
    lang : {"en", "nl"}
        The report's language.

    Examples
    --------
    >>> en, nl = Formatter("en"), Formatter("nl")
    >>> en.number(1234.5), nl.number(1234.5)
    ('1,234.5', '1.234,5')
    >>> en.percent(37.25, digits=1), nl.percent(37.25, digits=1)
    ('37.3%', '37,3%')
    >>> nl.signed(-2.449), nl.signed(3), nl.signed(0.04)
    ('−2,4', '+3,0', '0,0')
    >>> nl.number(float("nan"))
    '–'
    """

    def __init__(self, lang: str = "en"):
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
        self.lang = lang

    def __repr__(self) -> str:
        return f"Formatter({self.lang!r})"

    # -- numbers -------------------------------------------------------------------
    def _format(self, d: Decimal, digits: int, *, percent: bool = False) -> str:
        if percent:
            text = format_percent(
                d / 100, _pattern(digits, True), locale=self.lang, decimal_quantization=False
            )
        else:
            text = format_decimal(d, _pattern(digits), locale=self.lang, decimal_quantization=False)
        return text.replace("-", MINUS)

    def number(self, x: Any, digits: int = 1) -> str:
        """``x`` with ``digits`` decimals and the language's separators.

        Parameters
        ----------
        x : float or int
        digits : int, default=1

        Returns
        -------
        str
            :data:`MISSING` when ``x`` is missing. A value that rounds to zero
            is shown without a sign ("0,0", not "−0,0").
        """
        if _is_missing(x):
            return MISSING
        d = _decimal(x, digits)
        return self._format(d if d else abs(d), digits)

    def count(self, n: Any) -> str:
        """A whole number with thousands separators ("1.234" in Dutch)."""
        return self.number(n, digits=0)

    def percent(self, x_pct: Any, digits: int = 0) -> str:
        """A percentage given on the 0–100 scale (the scale of every ``*_pct`` column).

        >>> Formatter("nl").percent(37.2, digits=1)
        '37,2%'
        """
        if _is_missing(x_pct):
            return MISSING
        d = _decimal(x_pct, digits)
        return self._format(d if d else abs(d), digits, percent=True)

    def signed(self, x: Any, digits: int = 1) -> str:
        """A change: "+" for a rise, "−" (U+2212) for a fall, no sign for zero."""
        if _is_missing(x):
            return MISSING
        d = _decimal(x, digits)
        if not d:
            return self._format(abs(d), digits)
        return ("+" if d > 0 else "") + self._format(d, digits)

    def change(self, now: Any, before: Any, digits: int = 1) -> str:
        """The change from ``before`` to ``now`` as the two are shown.

        Both values are rounded to ``digits`` first, then subtracted, so the
        change agrees with the two numbers shown next to it: 16.76 and 19.24
        are shown as 16.8 and 19.2, so the change is −2.4, not the −2.5 that
        rounding 16.76 − 19.24 = −2.48 would give.

        >>> Formatter("en").change(16.76, 19.24, digits=1)
        '−2.4'
        >>> Formatter("nl").change(16.8, 19.2, digits=0)
        '−2'
        """
        if _is_missing(now) or _is_missing(before):
            return MISSING
        return self.signed(_decimal(now, digits) - _decimal(before, digits), digits)

    # -- dates ---------------------------------------------------------------------
    def month(self, period: Any) -> str:
        """The month in words: "oktober 2026" / "October 2026"."""
        if _is_missing(period):
            return MISSING
        return format_date(_as_date(period, "month"), "MMMM y", locale=self.lang)

    def month_short(self, period: Any) -> str:
        """The month abbreviated, for chart ticks: "okt 2026" / "Oct 2026"."""
        if _is_missing(period):
            return MISSING
        return format_date(_as_date(period, "month_short"), "MMM y", locale=self.lang)

    def date(self, d: Any) -> str:
        """A day in words: "3 december 2026" / "December 3, 2026"."""
        if _is_missing(d):
            return MISSING
        return format_date(_as_date(d, "date"), "long", locale=self.lang)


@cache
def _formatter(lang: str) -> Formatter:
    return Formatter(lang)


def _tick_digits(v: float) -> int:
    """Decimals a tick value needs (ticks are round numbers: 0.25, 2, 1.5)."""
    text = f"{abs(v):.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def axis_formatter(lang: str, kind: AxisKind = "number"):
    """A matplotlib tick formatter in the language's number style.

    Parameters
    ----------
    lang : {"en", "nl"}
    kind : {"number", "percent", "count", "signed"}, default="number"
        ``number``: as many decimals as the tick needs ("0,25", "1.000");
        ``percent``: the same with "%" (ticks on the 0–100 scale);
        ``count``: whole numbers; ``signed``: "+" before rises, "−" before falls.

    Returns
    -------
    matplotlib.ticker.FuncFormatter

    Examples
    --------
    >>> axis_formatter("nl")(-0.5, 0)
    '−0,5'
    """
    from matplotlib.ticker import FuncFormatter

    fmt = _formatter(lang)
    kinds = {
        "number": lambda v: fmt.number(v, _tick_digits(v)),
        "percent": lambda v: fmt.percent(v, _tick_digits(v)),
        "count": lambda v: fmt.count(v),
        "signed": lambda v: fmt.signed(v, _tick_digits(v)),
    }
    if kind not in kinds:
        raise ValueError(f"kind must be one of {', '.join(map(repr, kinds))}, got {kind!r}")
    say = kinds[kind]
    return FuncFormatter(lambda v, _pos=None: say(v))
