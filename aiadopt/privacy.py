"""Small-group suppression of survey figures (METRICS.md §5).

A figure derived from survey answers is hidden when fewer than
``min_group_size`` respondents (5 by default, never fewer than 3) make it up,
and complementary suppression stops a hidden figure from being recovered by
subtracting the shown parts from their total:

1. *primary*: a figure is suppressed where its group size is below
   ``min_group_size``; a group of 0 (or a missing size) counts as suppressed;
2. *departments*: the departments are the parts of the organisation. Where
   exactly one department is suppressed, the next-smallest department (the
   unsuppressed one with the smallest group size, ties broken by unit name)
   is suppressed too;
3. a suppressed department (for either reason) has all its teams suppressed;
4. *teams*: the teams of each department are the parts of that department,
   and rule 2 is applied within each department on its own.

Each figure has its own group size and is suppressed independently.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "LEVELS",
    "MIN_GROUP_SIZE_FLOOR",
    "check_min_group_size",
    "suppress",
]

#: Default minimum group size (METRICS.md §5).
DEFAULT_MIN_GROUP_SIZE: int = 5
#: The configured minimum group size may never go below this.
MIN_GROUP_SIZE_FLOOR: int = 3
#: Unit levels of a KPI-style table, from the total down.
LEVELS: tuple[str, ...] = ("organisation", "department", "team")


def check_min_group_size(min_group_size: object) -> int:
    """Validate a minimum group size and return it as an ``int``.

    Parameters
    ----------
    min_group_size : int
        The smallest group whose survey figures may be shown.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If it is not an integer (booleans and floats are refused, even
        ``5.0``) or is below 3.
    """
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, numbers.Integral):
        raise ValueError(
            f"min_group_size must be an integer >= {MIN_GROUP_SIZE_FLOOR}; got "
            f"{min_group_size!r} ({type(min_group_size).__name__}). "
            f"Pass a whole number such as {DEFAULT_MIN_GROUP_SIZE}."
        )
    value = int(min_group_size)
    if value < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(
            f"min_group_size must be >= {MIN_GROUP_SIZE_FLOOR} (METRICS.md §5: survey "
            f"figures are never shown for groups smaller than {MIN_GROUP_SIZE_FLOOR}); "
            f"got {value}. Use {MIN_GROUP_SIZE_FLOOR} or more (default "
            f"{DEFAULT_MIN_GROUP_SIZE})."
        )
    return value


def _complement(
    suppressed: np.ndarray,
    parts: np.ndarray,
    group: pd.Series,
    size: np.ndarray,
    unit: pd.Series,
) -> np.ndarray:
    """Rule 2 within each value of ``group`` over the rows where ``parts``.

    Returns the new suppression mask (a copy).
    """
    out = suppressed.copy()
    if not parts.any():
        return out
    rows = np.flatnonzero(parts)
    frame = pd.DataFrame(
        {
            "group": group.to_numpy(dtype=object)[rows],
            "suppressed": suppressed[rows],
            "size": size[rows],
            "unit": unit.astype(str).to_numpy(dtype=object)[rows],
            "row": rows,
        }
    )
    # Missing group keys (e.g. a team without a department) form one group.
    frame["group"] = frame["group"].where(frame["group"].notna(), "\x00missing")
    n_suppressed = frame.groupby("group", sort=False)["suppressed"].transform("sum")
    candidates = frame[(n_suppressed == 1) & ~frame["suppressed"]]
    if candidates.empty:
        return out
    nxt = candidates.sort_values(["group", "size", "unit"], kind="mergesort").drop_duplicates(
        "group"
    )
    out[nxt["row"].to_numpy()] = True
    return out


def _suppress_one(table: pd.DataFrame, size_col: str, min_group_size: int) -> np.ndarray:
    level = table["level"].to_numpy(dtype=object)
    size = pd.to_numeric(table[size_col], errors="raise").fillna(0).to_numpy(dtype=float)
    is_dept = level == "department"
    is_team = level == "team"
    department = table["department"]
    unit = table["unit"]

    suppressed = size < min_group_size
    # Departments are the parts of the organisation: one group.
    one_group = pd.Series(np.zeros(len(table), dtype=int), index=table.index)
    suppressed = _complement(suppressed, is_dept, one_group, size, unit)
    # A suppressed department hides all its teams.
    hidden_depts = department[is_dept & suppressed].dropna().unique()
    suppressed = suppressed | (is_team & department.isin(hidden_depts).to_numpy())
    # Teams are the parts of their department.
    suppressed = _complement(suppressed, is_team, department, size, unit)
    return suppressed


def suppress(
    table: pd.DataFrame,
    *,
    figures: Mapping[str, str],
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Hide survey figures of small groups, with complementary suppression.

    Parameters
    ----------
    table : DataFrame
        KPI-style tidy table, one row per unit, with columns ``level``
        (``organisation``, ``department`` or ``team``), ``unit`` (the unit's
        name), ``department`` (a team's parent department; for a department
        row the department itself), and for every figure its value column
        and its group-size column. It must hold every part: all departments
        and all teams of each department, or a hidden figure may still be
        recoverable from rows not in the table.
    figures : mapping of str to str
        Figure column -> its group-size column, e.g.
        ``{"leadership_adoption_pct": "n_leaders"}``. Several figures may
        share a size column; each is suppressed independently.
    min_group_size : int, default=5
        Smallest group whose figure is shown; an integer ``>= 3``.

    Returns
    -------
    DataFrame
        A copy of ``table`` with each suppressed figure set to NaN and, for
        every figure, a boolean column ``<figure>_suppressed`` that is True
        where the figure is hidden (so a report can print "suppressed"
        rather than a blank). Row order and index are kept.

    Raises
    ------
    ValueError
        If ``min_group_size`` is not an integer ``>= 3``, a column is
        missing, or ``level`` holds an unknown value.

    Notes
    -----
    A group of 0 counts as suppressed (METRICS.md §5), so it also triggers
    complementary suppression of its next-smallest sibling. Group sizes
    that are missing are treated as 0.

    Examples
    --------
    >>> t = pd.DataFrame({
    ...     "level": ["organisation", "department", "department", "department"],
    ...     "unit": ["organisation", "HR", "IT", "Sales"],
    ...     "department": [None, "HR", "IT", "Sales"],
    ...     "adoption": [50.0, 25.0, 60.0, 55.0],
    ...     "n": [24, 4, 8, 12],
    ... })
    >>> suppress(t, figures={"adoption": "n"})[["unit", "adoption", "adoption_suppressed"]]
               unit  adoption  adoption_suppressed
    0  organisation      50.0                False
    1            HR       NaN                 True
    2            IT       NaN                 True
    3         Sales      55.0                False
    """
    k = check_min_group_size(min_group_size)
    if not isinstance(figures, Mapping) or not figures:
        raise ValueError(
            "figures must be a non-empty mapping of figure column -> group-size column, "
            "e.g. {'leadership_adoption_pct': 'n_leaders'}"
        )
    needed = ["level", "unit", "department", *figures.keys(), *figures.values()]
    missing = sorted({c for c in needed if c not in table.columns})
    if missing:
        raise ValueError(
            f"suppress: table has no column(s) {missing}; it needs 'level', 'unit', "
            "'department' and each figure with its group-size column"
        )
    levels = table["level"]
    unknown = sorted(set(levels.dropna().astype(str)) - set(LEVELS))
    if unknown or levels.isna().any():
        raise ValueError(
            f"suppress: column 'level' holds values not in {LEVELS}: "
            f"{unknown + (['<missing>'] if levels.isna().any() else [])}"
        )

    out = table.copy()
    masks: dict[str, np.ndarray] = {}
    for size_col in dict.fromkeys(figures.values()):
        masks[size_col] = _suppress_one(table, size_col, k)
    for figure, size_col in figures.items():
        mask = masks[size_col]
        out[figure] = out[figure].astype(float).where(~mask)
        out[f"{figure}_suppressed"] = mask
    return out
