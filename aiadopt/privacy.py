"""Small-group suppression of survey figures that survives differencing
(docs/metrics.md §5).

A figure derived from survey answers is hidden when fewer than
``min_group_size`` respondents (5 by default, never fewer than 3) make it
up. Hiding small groups is not enough: a published total minus its shown
parts gives the hidden parts back. The rule below chooses *complementary*
suppression so that, from all figures of one run, no hidden figure can be
recovered exactly and no group of hidden people can be pinned to a bound of
the figure (everyone at 0% or 100% of a percentage, everyone at 1 or 5 of a
mean), by combining shown figures with shown group sizes.

The rule (:func:`suppress`), per figure and period
---------------------------------------------------
1. *Primary*: a figure is suppressed where its group size is below
   ``min_group_size``; a group of 0 (or a missing size) is suppressed too
   (there is nothing to show), but **an empty group gives no protection**:
   it never counts as a hidden part.
2. *Parents*: the organisation is the parent of the departments; each
   department is the parent of its teams. For every *shown* parent the
   hidden parts are its suppressed children with a group size above 0 plus,
   when the parent's group exceeds the sum of its children's groups, an
   implicit *unattributed* part (e.g. respondents without a team). If that
   set is not empty, and is not just an unattributed group of
   ``min_group_size`` or more (which could be shown anyway), it is *safe*
   only when

   a. it has at least two non-empty members, and
   b. for every bounded (additive) figure, the hidden remainder — the
      parent's total minus the shown children's totals, divided by the
      hidden group size — lies strictly inside the figure's bounds (and,
      when there is no unattributed part, the hidden children are not all
      at the same bound, which covers figures whose true weights are not
      the published group sizes).

   Otherwise the next-smallest shown non-empty sibling (by group size, ties
   broken by name) is suppressed too and the check repeats; when no sibling
   is left, the parent itself is suppressed and becomes a hidden part one
   level up.
3. A suppressed department hides all its teams.
4. Steps 2–3 repeat until nothing changes (suppression only ever grows, so
   this ends). Figures given without bounds (medians, Cronbach's alpha,
   ratios: not additive) get the primary rule and 2a only.

Why this is enough on one level. Take a shown parent with total
``T = n_p·v_p`` and hidden parts ``i`` with known sizes ``n_i > 0`` and
unknown values ``x_i ∈ [lo, hi]``. The shown values fix only
``Σ n_i·x_i = R`` (``R`` = parent total minus the shown children's totals),
i.e. the hidden remainder ``r = R / Σ n_i``. With at least two parts and
``lo < r < hi``, the feasible values of one part ``j`` are
``[max(lo, (R − Σ_{i≠j} n_i·hi)/n_j), min(hi, (R − Σ_{i≠j} n_i·lo)/n_j)]``;
its lower end is below its upper end because ``lo < hi``, ``r > lo`` and
``r < hi`` (each of the four comparisons reduces to one of these). So no
part is exact, and since the interval has positive width no part is pinned
to a bound; the same argument applies to any proper subset of the parts.
With a single part, ``x_j = r`` is exact; with ``r`` at a bound every part
is pinned there. Adding a hidden part never breaks safety: the new
remainder is a weighted mean of the old one (strictly inside) and values
in ``[lo, hi]``, so it stays strictly inside.

Across levels (a hidden department whose teams are hidden too) the
equations interlock; :func:`audit_figures` checks the published figures
of a whole run with linear programming (``scipy.optimize.linprog``) and
reports every cell whose feasible interval is a point or a bound.
``aiadopt report`` refuses to publish a run that fails the audit.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "AUDIT_COLUMNS",
    "DEFAULT_MIN_GROUP_SIZE",
    "FIGURE_BOUNDS",
    "LEVELS",
    "MIN_GROUP_SIZE_FLOOR",
    "AuditResult",
    "PrivacyAuditError",
    "audit_figures",
    "audit_run",
    "check_min_group_size",
    "compute_suppression",
    "suppress",
    "suppression_mask",
]

#: Default minimum group size (docs/metrics.md §5).
DEFAULT_MIN_GROUP_SIZE: int = 5
#: The configured minimum group size may never go below this.
MIN_GROUP_SIZE_FLOOR: int = 3
#: Unit levels of a KPI-style table, from the total down.
LEVELS: tuple[str, ...] = ("organisation", "department", "team")
#: Columns of the table :func:`audit_figures` reads (:func:`compute_suppression` returns it).
AUDIT_COLUMNS: tuple[str, ...] = (
    "period",
    "figure",
    "level",
    "unit",
    "department",
    "n",
    "value",
    "suppressed",
    "reason",
    "lower",
    "upper",
)

# The rule keeps hidden remainders this far (relative to the bounds' span)
# from a bound; the audit calls an interval a point or a bound within a
# tenth of it, so numerical noise in the audit cannot undo the rule's margin.
_RULE_MARGIN = 1e-5
_AUDIT_TOL = 1e-6


class PrivacyAuditError(ValueError):
    """The figures of a run would let a suppressed figure be recovered."""


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
            f"min_group_size must be >= {MIN_GROUP_SIZE_FLOOR} (docs/metrics.md §5: survey "
            f"figures are never shown for groups smaller than {MIN_GROUP_SIZE_FLOOR}); "
            f"got {value}. Use {MIN_GROUP_SIZE_FLOOR} or more (default "
            f"{DEFAULT_MIN_GROUP_SIZE})."
        )
    return value


# --- the rule -----------------------------------------------------------------


def _families(level: np.ndarray, department: np.ndarray) -> list[tuple[int | None, np.ndarray]]:
    """``(parent row or None, child rows)``: the organisation over the
    departments, each department over its teams."""
    org = np.flatnonzero(level == "organisation")
    depts = np.flatnonzero(level == "department")
    out: list[tuple[int | None, np.ndarray]] = [(int(org[0]) if len(org) else None, depts)]
    dept_row = {department[i]: int(i) for i in depts}
    teams: dict[object, list[int]] = {}
    for i in np.flatnonzero(level == "team"):
        teams.setdefault(department[i], []).append(int(i))
    for dept, rows in teams.items():
        out.append((dept_row.get(dept), np.asarray(rows, dtype=int)))
    return out


def suppression_mask(
    level: Sequence[str] | np.ndarray,
    department: Sequence[object] | np.ndarray,
    unit: Sequence[str] | np.ndarray,
    size: Sequence[float] | np.ndarray,
    *,
    values: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    weights: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> np.ndarray:
    """Which units' figures to hide: the rule of this module on arrays.

    Parameters
    ----------
    level, department, unit : array-like
        One entry per unit (see :func:`suppress`).
    size : array-like of float
        Group size per unit; missing counts as 0.
    values : mapping of str to array-like, optional
        Figures that share this group size, unit values *before*
        suppression. Only those named in ``bounds`` are value-checked.
    bounds : mapping of str to (float, float), optional
        ``(lower, upper)`` of each additive figure in ``values``.
    weights : mapping of str to array-like, optional
        What a figure is a mean over, where that is not the group size
        (e.g. a share of use cases, whose privacy group is the leaders
        behind it); the hidden remainder is weighted by it. Default: ``size``.
    min_group_size : int, default=5

    Returns
    -------
    ndarray of bool
        True where the unit's figures are hidden; one decision for all
        ``values`` (the union of what each needs, which keeps each safe).
    """
    k = check_min_group_size(min_group_size)
    level = np.asarray(level, dtype=object)
    department = np.asarray(department, dtype=object)
    unit = np.asarray([str(u) for u in unit], dtype=object)
    size = np.nan_to_num(np.asarray(size, dtype=float), nan=0.0)
    values = values or {}
    bounds = bounds or {}
    unknown = sorted(set(bounds) - set(values))
    if unknown:
        raise ValueError(f"suppression_mask: bounds given for figures without values: {unknown}")
    checks = []
    for name, (lo, hi) in bounds.items():
        if not lo < hi:
            raise ValueError(f"bounds of {name!r} must be (lower, upper) with lower < upper")
        w = size if name not in (weights or {}) else np.asarray(weights[name], dtype=float)
        w = np.nan_to_num(w, nan=0.0)
        checks.append((np.asarray(values[name], dtype=float), w, float(lo), float(hi)))

    hidden = size < k
    families = _families(level, department)

    def safe(parent: int | None, children: np.ndarray) -> bool:
        hid = children[hidden[children] & (size[children] > 0)]
        n_unattributed = 0.0 if parent is None else max(size[parent] - size[children].sum(), 0.0)
        parts = len(hid) + (n_unattributed > 0)
        if parts == 0 or (len(hid) == 0 and n_unattributed >= k):
            # Nothing hidden, or only a group large enough to be shown.
            return True
        if parts < 2:
            return False
        if parent is None:
            return True
        shown = children[~hidden[children] & (size[children] > 0)]
        for v, w, lo, hi in checks:
            shown_w = shown[w[shown] > 0]
            if np.isnan(v[parent]) or np.isnan(v[shown_w]).any():
                continue
            w_hidden = w[parent] - w[shown_w].sum()
            if w_hidden <= 0:
                continue  # the hidden parts hold nothing this figure counts
            margin = _RULE_MARGIN * (hi - lo)
            rest = (v[parent] * w[parent] - (v[shown_w] * w[shown_w]).sum()) / w_hidden
            if not lo + margin < rest < hi - margin:
                return False
            hv = v[hid][w[hid] > 0]
            if n_unattributed == 0 and len(hv) and not np.isnan(hv).any():
                if (np.abs(hv - lo) <= margin).all() or (np.abs(hv - hi) <= margin).all():
                    return False
        return True

    def settle(parent: int | None, children: np.ndarray) -> None:
        if parent is not None and hidden[parent]:
            return
        while not safe(parent, children):
            free = children[~hidden[children] & (size[children] > 0)]
            if len(free) == 0:
                if parent is not None:
                    hidden[parent] = True
                return
            nxt = min(free, key=lambda i: (size[i], unit[i]))
            hidden[nxt] = True

    while True:
        before = hidden.copy()
        for parent, children in families[1:]:
            if parent is not None and hidden[parent]:
                hidden[children] = True  # a hidden department hides its teams
        for parent, children in families:
            settle(parent, children)
        if (hidden == before).all():
            return hidden


def suppress(
    table: pd.DataFrame,
    *,
    figures: Mapping[str, str],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Hide survey figures of small groups, with complementary suppression
    that survives differencing (the rule in the module docstring).

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
        ``{"leadership_adoption_pct": "n_leaders"}``. Figures that share a
        size column share one decision (a unit is hidden for all of them).
    bounds : mapping of str to (float, float), optional
        ``(lower, upper)`` of each *additive* figure (a mean over the group:
        a percentage of respondents is ``(0, 100)``, a 1–5 mean ``(1, 5)``).
        Hidden remainders of these are kept strictly inside the bounds.
        Figures without bounds get the primary rule and "at least two
        non-empty hidden parts" only.
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
        missing, ``level`` holds an unknown value, or ``bounds`` names a
        figure not in ``figures`` or has ``lower >= upper``.

    Examples
    --------
    Sales' three small teams would otherwise be pinned to 0% (35% of 20 is
    7, all of them in Binnendienst), so Binnendienst is hidden too:

    >>> t = pd.DataFrame({
    ...     "level": ["department", "team", "team", "team", "team"],
    ...     "unit": ["Sales", "Accounts", "Binnendienst", "Buitendienst", "Partners"],
    ...     "department": ["Sales"] * 5,
    ...     "pct": [35.0, 0.0, 70.0, 0.0, 0.0],
    ...     "n": [20, 4, 10, 3, 3],
    ... })
    >>> suppress(t, figures={"pct": "n"}, bounds={"pct": (0, 100)})["pct_suppressed"].tolist()
    [False, True, True, True, True]
    """
    k = check_min_group_size(min_group_size)
    if not isinstance(figures, Mapping) or not figures:
        raise ValueError(
            "figures must be a non-empty mapping of figure column -> group-size column, "
            "e.g. {'leadership_adoption_pct': 'n_leaders'}"
        )
    bounds = dict(bounds or {})
    stray = sorted(set(bounds) - set(figures))
    if stray:
        raise ValueError(f"suppress: bounds given for {stray}, which are not in figures")
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
    level = levels.to_numpy(dtype=object)
    department = table["department"].to_numpy(dtype=object)
    unit = table["unit"].astype(str).to_numpy(dtype=object)
    for size_col in dict.fromkeys(figures.values()):
        names = [f for f, s in figures.items() if s == size_col]
        mask = suppression_mask(
            level,
            department,
            unit,
            pd.to_numeric(table[size_col], errors="raise").to_numpy(dtype=float),
            values={f: table[f].to_numpy(dtype=float) for f in names},
            bounds={f: bounds[f] for f in names if f in bounds},
            min_group_size=k,
        )
        for figure in names:
            out[figure] = out[figure].astype(float).where(~mask)
            out[f"{figure}_suppressed"] = mask
    return out


# --- the audit ----------------------------------------------------------------


@dataclass(frozen=True)
class AuditResult:
    """What :func:`audit_figures` found.

    Attributes
    ----------
    figures_suppressed : int
        Suppressed cells (units × figures × periods) with a group above 0.
    figures_checked : int
        Hidden quantities whose feasible interval was worked out: every
        suppressed non-empty cell of an additive figure, every unattributed
        part and every parent's hidden remainder.
    recoverable : int
        How many of those are exact or pinned to a bound (0 for a safe run).
    offending : DataFrame
        One row per recoverable quantity: ``period``, ``figure``, ``level``,
        ``unit``, ``department``, ``kind`` (``cell``, ``unattributed`` or
        ``remainder``), ``low``, ``high`` (its feasible interval) and
        ``problem`` (``exact``, ``at_lower_bound`` or ``at_upper_bound``).
    """

    figures_suppressed: int
    figures_checked: int
    recoverable: int
    offending: pd.DataFrame = field(repr=False)

    def summary(self, min_group_size: int) -> dict:
        """The manifest's ``privacy`` entry."""
        return {
            "min_group_size": int(min_group_size),
            "figures_suppressed": self.figures_suppressed,
            "figures_checked": self.figures_checked,
            "recoverable": self.recoverable,
        }

    def message(self, limit: int = 10) -> str:
        """The offending quantities in words (for an error message)."""
        lines = []
        for r in self.offending.head(limit).itertuples(index=False):
            where = r.unit if r.level != "team" else f"{r.department} / {r.unit}"
            lines.append(
                f"{r.period} {r.figure}: {r.kind} of {r.level} {where} is {r.problem} "
                f"(feasible {r.low:.6g}..{r.high:.6g})"
            )
        more = len(self.offending) - limit
        if more > 0:
            lines.append(f"... and {more} more")
        return "\n".join(lines)


class _System:
    """Linear equations ``Σ a·x = b`` of one figure's hierarchy."""

    def __init__(self) -> None:
        self.labels: list[tuple[str, int]] = []  # (kind, row)
        self.eqs: list[tuple[dict[int, float], float]] = []
        self.remainders: list[tuple[int, dict[int, float], float, float]] = []
        self.large: set[int] = set()  # unattributed groups of k or more, alone

    def var(self, kind: str, row: int) -> int:
        self.labels.append((kind, row))
        return len(self.labels) - 1


def _interval_single(
    coef: dict[int, float], b: float, j: int, lo: float, hi: float
) -> tuple[float, float]:
    """Feasible interval of ``x_j`` from one equation with boxes ``[lo, hi]``."""
    smin = sum(min(a * lo, a * hi) for i, a in coef.items() if i != j)
    smax = sum(max(a * lo, a * hi) for i, a in coef.items() if i != j)
    a = coef[j]
    ends = sorted(((b - smax) / a, (b - smin) / a))
    return max(lo, ends[0]), min(hi, ends[1])


def _linprog_range(
    objective: dict[int, float],
    idx: list[int],
    eqs: list[tuple[dict[int, float], float]],
    lo: float,
    hi: float,
) -> tuple[float, float] | None:
    """Min and max of ``objective`` over the component (None: infeasible)."""
    from scipy.optimize import linprog

    pos = {v: i for i, v in enumerate(idx)}
    a_eq = np.zeros((len(eqs), len(idx)))
    b_eq = np.zeros(len(eqs))
    for r, (coef, b) in enumerate(eqs):
        for v, a in coef.items():
            a_eq[r, pos[v]] = a
        b_eq[r] = b
    c = np.zeros(len(idx))
    for v, a in objective.items():
        c[pos[v]] = a
    out = []
    for sign in (1.0, -1.0):
        res = linprog(sign * c, A_eq=a_eq, b_eq=b_eq, bounds=[(lo, hi)] * len(idx), method="highs")
        if res.status != 0:
            return None
        out.append(sign * res.fun)
    return out[0], out[1]


def _audit_one(g: pd.DataFrame, k: int) -> tuple[int, list[dict]]:
    """Audit one figure of one period; returns (quantities checked, offending)."""
    lo, hi = float(g["lower"].iloc[0]), float(g["upper"].iloc[0])
    level = g["level"].to_numpy(dtype=object)
    department = g["department"].to_numpy(dtype=object)
    n = np.nan_to_num(pd.to_numeric(g["n"], errors="coerce").to_numpy(dtype=float), nan=0.0)
    value = g["value"].to_numpy(dtype=float)
    # Unknown to a reader: suppressed cells, and any cell without a value.
    unknown = g["suppressed"].to_numpy(dtype=bool) | np.isnan(value)
    system = _System()
    var_of: dict[int, int] = {}
    for i in np.flatnonzero(unknown & (n > 0)):
        var_of[int(i)] = system.var("cell", int(i))
    for parent, children in _families(level, department):
        if parent is None or n[parent] <= 0:
            continue
        coef: dict[int, float] = {}
        b = 0.0
        if parent in var_of:
            coef[var_of[parent]] = n[parent]
        else:
            b -= n[parent] * value[parent]
        hidden_part: dict[int, float] = {}
        for c in children:
            if n[c] <= 0:
                continue
            if c in var_of:
                hidden_part[var_of[c]] = n[c]
            else:
                b += n[c] * value[c]
        extra = n[parent] - n[children].sum()
        if extra > 0:
            hidden_part[system.var("unattributed", parent)] = extra
            # Alone, a group of k or more may be known: it could be shown.
            if len(hidden_part) == 1 and extra >= k:
                system.large.add(len(system.labels) - 1)
        if not hidden_part and parent not in var_of:
            continue
        for v, a in hidden_part.items():
            coef[v] = coef.get(v, 0.0) - a
        system.eqs.append((coef, b))
        if hidden_part:
            total = sum(hidden_part.values())
            system.remainders.append(
                (parent, {v: a / total for v, a in hidden_part.items()}, total, 0.0)
            )
    n_vars = len(system.labels)
    if n_vars == 0:
        return 0, []
    # Connected components of the equations (union-find over variables).
    root = list(range(n_vars))

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for coef, _ in system.eqs:
        vs = list(coef)
        for v in vs[1:]:
            root[find(v)] = find(vs[0])
    comp_eqs: dict[int, list[tuple[dict[int, float], float]]] = {}
    for eq in system.eqs:
        comp_eqs.setdefault(find(next(iter(eq[0]))), []).append(eq)
    comp_vars: dict[int, list[int]] = {}
    for v in range(n_vars):
        comp_vars.setdefault(find(v), []).append(v)

    tol = _AUDIT_TOL * (hi - lo)
    checked = 0
    bad: list[dict] = []

    def flag(kind: str, row: int, low: float, high: float, var: int | None = None) -> None:
        if var in system.large:
            return
        # A remainder of two or more hidden parts may be known exactly (it
        # is the parent minus the shown parts); only a bound pins its people.
        problem = ""
        if kind != "remainder" and high - low <= tol:
            problem = "exact"
        elif high <= lo + tol:
            problem = "at_lower_bound"
        elif low >= hi - tol:
            problem = "at_upper_bound"
        if problem:
            r = g.iloc[row]
            bad.append(
                {
                    "period": r["period"],
                    "figure": r["figure"],
                    "level": r["level"],
                    "unit": r["unit"],
                    "department": r["department"],
                    "kind": kind,
                    "low": low,
                    "high": high,
                    "problem": problem,
                }
            )

    for comp, vs in comp_vars.items():
        eqs = comp_eqs.get(comp, [])
        for v in vs:
            kind, row = system.labels[v]
            checked += 1
            if not eqs:
                continue  # in no equation: anything in [lo, hi]
            if len(eqs) == 1:
                low, high = _interval_single(eqs[0][0], eqs[0][1], v, lo, hi)
            else:
                rng = _linprog_range({v: 1.0}, vs, eqs, lo, hi)
                if rng is None:
                    continue
                low, high = rng
            flag(kind, row, low, high, v)
        for parent, weights, _, _ in system.remainders:
            if find(next(iter(weights))) != comp:
                continue
            checked += 1
            if len(eqs) == 1 and parent not in var_of:
                coef, b = eqs[0]
                low = high = b / sum(coef.values())
            else:
                rng = _linprog_range(weights, vs, eqs, lo, hi)
                if rng is None:
                    continue
                low, high = rng
            only = next(iter(weights)) if len(weights) == 1 else None
            flag("remainder", parent, low, high, only)
    return checked, bad


def audit_figures(
    figures: pd.DataFrame, *, min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> AuditResult:
    """Check that no suppressed figure of a run can be recovered.

    For every additive figure (rows with finite ``lower`` and ``upper``)
    and period, the shown values and group sizes of the organisation, its
    departments and their teams give linear equations (a parent's total is
    its children's totals plus an unattributed part where its group is
    larger than theirs). With every unknown in ``[lower, upper]`` the audit
    works out the feasible interval of each suppressed non-empty cell, each
    unattributed part and each parent's hidden remainder — in closed form
    where the unknown sits in a single equation, with
    ``scipy.optimize.linprog`` (HiGHS) where the equations interlock — and
    flags an interval that is a point (exact recovery) or lies at a bound.

    Parameters
    ----------
    figures : DataFrame
        The published figures, columns :data:`AUDIT_COLUMNS`: ``value`` is
        NaN where suppressed; ``n`` is the published group size;
        ``lower`` / ``upper`` the figure's bounds (NaN for figures that are
        not additive, which are counted but not solved).
    min_group_size : int, default=5
        An unattributed group (a parent's respondents outside its children)
        of at least this size that is a parent's only hidden part is not
        flagged: its figure could have been shown.

    Returns
    -------
    AuditResult
    """
    k = check_min_group_size(min_group_size)
    missing = [c for c in AUDIT_COLUMNS if c not in figures.columns]
    if missing:
        raise ValueError(f"audit_figures: table has no column(s) {missing}")
    n = pd.to_numeric(figures["n"], errors="coerce").fillna(0)
    n_suppressed = int((figures["suppressed"].astype(bool) & (n > 0)).sum())
    additive = figures[figures["lower"].notna() & figures["upper"].notna()]
    checked = 0
    bad: list[dict] = []
    for _, g in additive.groupby(["period", "figure"], sort=True):
        c, b = _audit_one(g.reset_index(drop=True), k)
        checked += c
        bad += b
    offending = pd.DataFrame(
        bad,
        columns=[
            "period",
            "figure",
            "level",
            "unit",
            "department",
            "kind",
            "low",
            "high",
            "problem",
        ],
    )
    return AuditResult(n_suppressed, checked, len(offending), offending)


# --- one decision per run ---------------------------------------------------------

#: Bounds of the additive survey figures, by KPI column or measure statistic:
#: a percentage of respondents lies in 0–100, a mean of 1–5 answers in 1–5.
FIGURE_BOUNDS: dict[str, tuple[float, float]] = {
    "leadership_adoption_pct": (0.0, 100.0),
    "pct_qualified": (0.0, 100.0),
    "favourability_pct": (0.0, 100.0),
    "score_mean": (1.0, 5.0),
    "score_0_100": (0.0, 100.0),
    "pct": (0.0, 100.0),
}


#: Measure statistics that are counts of teams or use cases, not survey figures.
_COUNT_STATISTICS: tuple[str, ...] = ("n_teams", "n_teams_hidden", "n_use_cases")


def compute_suppression(
    data,
    *,
    period: str | pd.Period,
    months: int = 12,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    trend: pd.DataFrame | None = None,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every survey figure one report run publishes, as the audit reads it.

    The suppression decision is a pure function of the data, the period and
    ``min_group_size``, worked out over the whole organisation, so every
    report, ``aiadopt kpis`` and ``aiadopt measures`` of the same data and
    period show the same cells suppressed. This gathers them: the KPI trend
    (``months`` periods up to ``period``, as the reports show it) and all
    measures of ``period``.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.
    period : str or Period
        The run's month, ``"YYYY-MM"``.
    months : int, default=12
        Periods of the KPI trend.
    min_group_size : int, default=5
    trend, measures : DataFrame, optional
        The run's own :func:`~aiadopt.kpis.compute_kpi_trend` (``months``
        periods) and :func:`~aiadopt.measures.compute_measures` of
        ``period`` with ``min_group_size``, when the caller has them already
        (the results store): then nothing is computed twice. The bootstrap
        does not enter the suppression, so any ``n_boot`` will do.

    Returns
    -------
    DataFrame
        Columns :data:`AUDIT_COLUMNS`, one row per unit, figure and period:
        ``figure`` is ``kpis:<column>`` or ``<measure>:<key>:<statistic>``;
        ``value`` the published value (NaN where suppressed); ``lower`` /
        ``upper`` the bounds of additive figures (:data:`FIGURE_BOUNDS`),
        NaN for the others. It holds nothing that the CSV outputs of
        ``aiadopt kpis`` and ``aiadopt measures`` do not.
    """
    from .kpis import compute_kpi_trend
    from .measures import compute_measures

    k = check_min_group_size(min_group_size)
    if trend is None:
        trend = compute_kpi_trend(data, period=period, months=months, min_group_size=k)
    kpi = pd.DataFrame(
        {
            "period": trend["period"],
            "figure": "kpis:leadership_adoption_pct",
            "level": trend["level"],
            "unit": trend["unit"],
            "department": trend["department"],
            "n": trend["n_leaders"].astype(float),
            "value": trend["leadership_adoption_pct"],
            "suppressed": trend["leadership_adoption_pct_suppressed"].astype(bool),
            "reason": np.where(trend["leadership_adoption_pct_suppressed"], "suppressed", ""),
            "statistic": "leadership_adoption_pct",
        }
    )
    # The bootstrap does not enter the decision; one resample keeps this quick.
    m = (
        compute_measures(data, period=period, min_group_size=k, n_boot=1)
        if measures is None
        else measures
    )
    # Survey figures only: the goal mix and the counts come from the register.
    m = m[(m["measure"] != "goal_mix") & ~m["statistic"].isin(_COUNT_STATISTICS)]
    meas = pd.DataFrame(
        {
            "period": m["period"],
            "figure": m["measure"] + ":" + m["key"] + ":" + m["statistic"],
            "level": m["level"],
            "unit": m["unit"],
            "department": m["department"],
            "n": m["n"].astype("Float64").astype(float),
            "value": m["value"],
            "suppressed": m["suppressed"].astype(bool),
            "reason": m["reason"],
            "statistic": m["statistic"],
        }
    )
    out = pd.concat([kpi, meas], ignore_index=True)
    bounds = out["statistic"].map(FIGURE_BOUNDS)
    out["lower"] = [b[0] if isinstance(b, tuple) else np.nan for b in bounds]
    out["upper"] = [b[1] if isinstance(b, tuple) else np.nan for b in bounds]
    out["department"] = out["department"].where(out["level"] != "organisation", None)
    return out.loc[:, list(AUDIT_COLUMNS)].reset_index(drop=True)


def audit_run(
    data,
    *,
    period: str | pd.Period,
    months: int = 12,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    trend: pd.DataFrame | None = None,
    measures: pd.DataFrame | None = None,
) -> AuditResult:
    """Audit everything one report run publishes; refuse a disclosure.

    :func:`compute_suppression` gathers the run's survey figures and
    :func:`audit_figures` checks them.

    Parameters
    ----------
    data : Dataset
    period : str or Period
    months : int, default=12
    min_group_size : int, default=5
    trend, measures : DataFrame, optional
        Already computed (see :func:`compute_suppression`).

    Returns
    -------
    AuditResult
        With ``recoverable == 0``; ``summary()`` is the manifest entry.

    Raises
    ------
    PrivacyAuditError
        When any suppressed figure or group of hidden people could be
        recovered exactly or pinned to a bound; the message lists them.
    """
    k = check_min_group_size(min_group_size)
    result = audit_figures(
        compute_suppression(
            data,
            period=period,
            months=months,
            min_group_size=k,
            trend=trend,
            measures=measures,
        ),
        min_group_size=k,
    )
    if result.recoverable:
        raise PrivacyAuditError(
            f"privacy audit failed for {period}: {result.recoverable} suppressed figure(s) or "
            f"hidden group(s) could be recovered from the published figures "
            f"(min_group_size={k}); nothing was published.\n{result.message()}\n"
            "This is a defect of the suppression rule: report it with the data's shape "
            "(departments, teams, group sizes)."
        )
    return result
