"""Prioritisation of the use-case portfolio (docs/metrics.md §3).

Seed 002's impact-effort matrix and seed 001's AI scoring:

* **Quadrant** — split at ``split`` (default 3.0) on both axes; "high" is
  strictly above the split: ``quick_wins`` (high impact, low effort),
  ``major_projects`` (high, high), ``fill_ins`` (low, low),
  ``thankless_tasks`` (low impact, high effort). Data columns hold these
  codes; a reader sees their label from the catalogue,
  ``label(f"quadrant.{code}", lang)``.
* **Priority score** — weighted mean of impact, feasibility and urgency
  (default equal weights), ranked within each department; ties are broken by
  lower effort.
* **Potential score** — mean of repetition, data_intensity and
  error_sensitivity (seed 002 step 1, "AI potential analysis").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd

from .dataset import Dataset
from .schema import STATUSES
from .units import known_departments

__all__ = [
    "DEFAULT_SPLIT",
    "OPEN_STATUSES",
    "POTENTIAL_ITEMS",
    "PRIORITY_COLUMNS",
    "PRIORITY_WEIGHTS",
    "QUADRANTS",
    "compute_priorities",
    "quadrant_of",
]

#: Default split between "low" and "high" on the 1–5 impact and effort scales.
DEFAULT_SPLIT: float = 3.0

#: The four quadrant codes, in reading order of the matrix (top-left,
#: top-right, bottom-left, bottom-right with effort on x and impact on y).
#: Each is also its key in the label catalogue: ``quadrant.<code>``.
QUADRANTS: tuple[str, ...] = ("quick_wins", "major_projects", "fill_ins", "thankless_tasks")

#: The scores the priority score averages, i.e. the keys of ``weights``.
PRIORITY_WEIGHTS: tuple[str, ...] = ("impact", "feasibility", "urgency")

#: The optional items the potential score averages.
POTENTIAL_ITEMS: tuple[str, ...] = ("repetition", "data_intensity", "error_sensitivity")

#: Statuses whose use cases still await a go / no-go decision (``open``).
OPEN_STATUSES: tuple[str, ...] = ("idea", "pilot")

#: Columns of :func:`compute_priorities`, in order.
PRIORITY_COLUMNS: tuple[str, ...] = (
    "department",
    "priority_rank",
    "use_case_id",
    "title",
    "team",
    "status",
    "open",
    "goal",
    "quadrant",
    "priority_score",
    "impact",
    "effort",
    "feasibility",
    "urgency",
    "potential_score",
    "investment_eur",
)

_TEXT = ("use_case_id", "title", "department", "team", "status", "goal")
_SCORES = ("impact", "effort", "feasibility", "urgency")
_REQUIRED = _TEXT + _SCORES + ("investment_eur",)
_FLOAT = _SCORES + ("priority_score", "potential_score", "investment_eur")

#: Comparisons with the split, and ties of priority scores, are decided with
#: this tolerance, so floating-point noise in a mean of workshop votes
#: (3.0000000000000004) does not move a use case across the split or break a tie.
_TOL = 1e-9


def quadrant_of(impact, effort, *, split: float = DEFAULT_SPLIT):
    """The impact-effort quadrant of one or many use cases.

    "High" means strictly above ``split`` (docs/metrics.md §3): a score exactly
    at the split is low. Differences below 1e-9 count as equal, so
    floating-point noise cannot move a use case across the split.

    Parameters
    ----------
    impact, effort : float or array-like
        Scores on the 1–5 scale; scalars or equal-length arrays / Series.
    split : float, default=3.0
        The boundary between low and high on both axes.

    Returns
    -------
    str, ndarray or Series
        The code ``"quick_wins"``, ``"major_projects"``, ``"fill_ins"`` or
        ``"thankless_tasks"`` (:data:`QUADRANTS`): a string for scalar input, otherwise an object
        array (a Series with the index of ``impact`` when that is a Series).
        ``None`` where a score is missing.

    Examples
    --------
    >>> quadrant_of(4.0, 3.0)
    'quick_wins'
    >>> quadrant_of([3.0, 3.01], [3.01, 3.01]).tolist()
    ['thankless_tasks', 'major_projects']
    """
    split = _check_split(split)
    scalar = np.ndim(impact) == 0 and np.ndim(effort) == 0
    imp = np.asarray(impact, dtype="float64")
    eff = np.asarray(effort, dtype="float64")
    if imp.shape != eff.shape and not scalar:
        raise ValueError(
            f"impact and effort must have the same length; got {imp.shape} and {eff.shape}"
        )
    high_impact = imp > split + _TOL
    high_effort = eff > split + _TOL
    out = np.where(
        high_impact,
        np.where(high_effort, QUADRANTS[1], QUADRANTS[0]),
        np.where(high_effort, QUADRANTS[3], QUADRANTS[2]),
    ).astype(object)
    out[np.isnan(imp) | np.isnan(eff)] = None
    if scalar:
        return out.item()
    if isinstance(impact, pd.Series):
        return pd.Series(out, index=impact.index, name="quadrant", dtype=object)
    return out


def compute_priorities(
    use_cases: pd.DataFrame | Dataset,
    *,
    split: float = DEFAULT_SPLIT,
    weights: Mapping[str, float] | None = None,
    department: str | None = None,
    statuses: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Quadrant, priority score and rank, and potential score of each use case.

    Parameters
    ----------
    use_cases : DataFrame or Dataset
        The use-case register (a :class:`~aiadopt.dataset.Dataset` gives its
        ``use_cases``). Needs ``use_case_id`` (unique), ``title``,
        ``department``, ``team``, ``status``, ``goal``, ``impact``,
        ``effort``, ``feasibility``, ``urgency`` (1–5, no gaps) and
        ``investment_eur``; ``repetition``, ``data_intensity`` and
        ``error_sensitivity`` are optional (absent = not answered).
    split : float, default=3.0
        Boundary between low and high impact and effort; "high" is strictly
        above it.
    weights : mapping, default=None
        ``{"impact": w1, "feasibility": w2, "urgency": w3}``: all three keys,
        non-negative finite numbers, not all zero. Only their ratios matter.
        ``None`` means equal weights.
    department : str, default=None
        Keep only this department. It must occur in the register, or, when
        ``use_cases`` is a Dataset, anywhere in it
        (:func:`aiadopt.units.known_departments`): a department without use
        cases gives an empty table.
    statuses : iterable of str, default=None
        Keep only use cases with these statuses (e.g. ``("idea", "pilot")``
        for "what do we do next"). Filtering happens *before* ranking, so
        ranks run 1, 2, 3... over the rows shown. ``None`` keeps all.

    Returns
    -------
    DataFrame
        One row per use case, columns :data:`PRIORITY_COLUMNS`, sorted by
        department (alphabetically) then ``priority_rank``, index 0..n-1:

        ``department``, ``use_case_id``, ``title``, ``team``, ``status``, ``goal``
            As in the register.
        ``priority_rank`` : int
            1 = highest priority within the department.
        ``open`` : bool
            Status is idea or pilot: the use case still awaits a go / no-go
            decision. Production, scaled and stopped use cases are kept (the
            register is the portfolio) and ranked alongside, so an analyst
            can filter on ``open`` or pass ``statuses``.
        ``quadrant`` : str
            A code: ``quick_wins``, ``major_projects``, ``fill_ins`` or
            ``thankless_tasks`` (see :func:`quadrant_of`); its words for a
            reader are ``label(f"quadrant.{code}", lang)``.
        ``priority_score`` : float
            ``(w1*impact + w2*feasibility + w3*urgency) / (w1 + w2 + w3)``,
            on the 1–5 scale.
        ``impact``, ``effort``, ``feasibility``, ``urgency``, ``investment_eur`` : float
            As in the register.
        ``potential_score`` : float
            Mean of the *answered* ones of repetition, data_intensity and
            error_sensitivity (these are optional in the register); NaN when
            none is answered.

    Raises
    ------
    ValueError
        For a missing column, a gap in a required score, a duplicate
        ``use_case_id``, bad ``weights`` or ``split``, an unknown
        ``department`` (the message lists the known ones) or status.
    TypeError
        If ``weights`` is not a mapping or ``use_cases`` not a DataFrame.

    Notes
    -----
    * Ranking: priority_score descending; ties (scores equal within 1e-9)
      go to the lower effort; if still tied, to the smaller ``use_case_id``
      (string order), so ranks are unique and reproducible.
    * An empty register (or a filter that leaves nothing) gives an empty
      frame with the same columns and dtypes, not an error.

    Examples
    --------
    >>> import pandas as pd
    >>> uc = pd.DataFrame({
    ...     "use_case_id": ["A", "B", "C"], "title": ["Invoice triage", "Chatbot", "Forecast"],
    ...     "department": "Finance", "team": "AP", "status": ["idea", "pilot", "production"],
    ...     "goal": "operational", "impact": [4.0, 2.0, 4.5], "effort": [2.0, 4.0, 4.0],
    ...     "feasibility": [3.0, 3.0, 4.0], "urgency": [5.0, 1.0, 3.0],
    ...     "investment_eur": [1000.0, 5000.0, 20000.0]})
    >>> pri = compute_priorities(uc)
    >>> pri[["use_case_id", "quadrant", "priority_score", "priority_rank", "open"]]
      use_case_id         quadrant  priority_score  priority_rank   open
    0           A       quick_wins        4.000000              1   True
    1           C   major_projects        3.833333              2  False
    2           B  thankless_tasks        2.000000              3   True

    The quadrant is a code; a reader sees its label from the catalogue:

    >>> from aiadopt.labels import label
    >>> [label(f"quadrant.{q}", "nl") for q in pri["quadrant"]]
    ['Quick wins', 'Grote projecten', 'Ondankbare taken']

    Only the open use cases of one department, impact weighted double:

    >>> compute_priorities(uc, statuses=("idea", "pilot"), department="Finance",
    ...                    weights={"impact": 2, "feasibility": 1, "urgency": 1})["use_case_id"].tolist()
    ['A', 'B']
    """
    # A Dataset knows every department of the organisation (register,
    # process catalogue, survey): one without use cases has no priorities.
    elsewhere = known_departments(use_cases) if isinstance(use_cases, Dataset) else []
    frame = _register(use_cases)
    split = _check_split(split)
    w = _check_weights(weights)
    keep_statuses = _check_statuses(statuses)

    if department is not None:
        known = sorted(frame["department"].dropna().astype(str).unique())
        if department not in known and department not in elsewhere:
            listed = ", ".join(repr(d) for d in known) if known else "none (the register is empty)"
            raise ValueError(
                f"department {department!r} does not occur in the use-case register; "
                f"known departments: {listed}"
            )
        frame = frame[frame["department"] == department]
    if keep_statuses is not None:
        frame = frame[frame["status"].isin(keep_statuses)]
    if frame.empty:
        return _empty()

    out = pd.DataFrame(index=frame.index)
    for col in _TEXT:
        out[col] = frame[col]
    for col in _SCORES + ("investment_eur",):
        out[col] = frame[col]
    out["open"] = frame["status"].isin(OPEN_STATUSES).astype(bool)
    out["quadrant"] = quadrant_of(frame["impact"], frame["effort"], split=split).astype(object)
    total = sum(w.values())
    out["priority_score"] = sum(w[k] * frame[k] for k in PRIORITY_WEIGHTS) / total
    items = frame.reindex(columns=list(POTENTIAL_ITEMS))
    out["potential_score"] = items.astype("float64").mean(axis=1, skipna=True)

    # Rank on the score rounded well below any meaningful difference, so
    # equal scores reached by different float sums tie (then lower effort wins).
    out["_score_key"] = out["priority_score"].round(9)
    out = out.sort_values(
        ["department", "_score_key", "effort", "use_case_id"],
        ascending=[True, False, True, True],
        kind="mergesort",
    )
    out["priority_rank"] = out.groupby("department", sort=False).cumcount().astype("int64") + 1
    out = out[list(PRIORITY_COLUMNS)].reset_index(drop=True)
    out["quadrant"] = out["quadrant"].astype("str")
    return out


# --- validation ------------------------------------------------------------


def _register(use_cases) -> pd.DataFrame:
    if isinstance(use_cases, Dataset):
        use_cases = use_cases.use_cases
    if not isinstance(use_cases, pd.DataFrame):
        raise TypeError(
            f"use_cases must be a DataFrame or a Dataset; got {type(use_cases).__name__}"
        )
    missing = [c for c in _REQUIRED if c not in use_cases.columns]
    if missing:
        raise ValueError(
            f"use_cases: missing column(s) {missing}; prioritisation needs {list(_REQUIRED)}"
        )
    frame = use_cases.copy()
    for col in (
        _SCORES + ("investment_eur",) + tuple(c for c in POTENTIAL_ITEMS if c in frame.columns)
    ):
        try:
            frame[col] = pd.to_numeric(frame[col]).astype("float64")
        except (TypeError, ValueError):
            raise ValueError(
                f"use_cases: column {col!r} must hold numbers; load the register with "
                "aiadopt.load(), which converts labels and decimal commas"
            ) from None
    for col in _SCORES:
        gaps = frame[col].isna()
        if gaps.any():
            ids = sorted(map(str, frame.loc[gaps, "use_case_id"]))
            more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
            raise ValueError(
                f"use_cases: {col} is missing for use_case_id {ids[:10]}{more}; every use "
                f"case needs {', '.join(_SCORES)} to be prioritised. Score them in the register."
            )
    dupes = frame["use_case_id"][frame["use_case_id"].duplicated()]
    if len(dupes):
        raise ValueError(
            f"use_cases: use_case_id must be unique; repeated: {sorted(map(str, set(dupes)))[:10]}"
        )
    return frame


def _check_split(split) -> float:
    if isinstance(split, bool) or not isinstance(split, Real) or not math.isfinite(split):
        raise ValueError(f"split must be a finite number on the 1–5 scale; got {split!r}")
    return float(split)


def _check_weights(weights) -> dict[str, float]:
    if weights is None:
        return dict.fromkeys(PRIORITY_WEIGHTS, 1.0)
    if not isinstance(weights, Mapping):
        raise TypeError(
            f"weights must be a mapping like {{'impact': 2, 'feasibility': 1, 'urgency': 1}}; "
            f"got {type(weights).__name__}"
        )
    expected = ", ".join(PRIORITY_WEIGHTS)
    unknown = [k for k in weights if k not in PRIORITY_WEIGHTS]
    if unknown:
        raise ValueError(f"weights: unknown key(s) {unknown}; expected exactly {expected}")
    absent = [k for k in PRIORITY_WEIGHTS if k not in weights]
    if absent:
        raise ValueError(
            f"weights: missing key(s) {absent}; give all of {expected} (use 0 to leave one out)"
        )
    out = {}
    for key in PRIORITY_WEIGHTS:
        value = weights[key]
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(f"weights: {key} must be a finite number; got {value!r}")
        if value < 0:
            raise ValueError(f"weights must be non-negative; got {key}={value!r}")
        out[key] = float(value)
    if sum(out.values()) == 0:
        raise ValueError(
            f"weights must not all be zero; give at least one of {expected} a positive weight"
        )
    return out


def _check_statuses(statuses) -> tuple[str, ...] | None:
    if statuses is None:
        return None
    if isinstance(statuses, str):
        statuses = (statuses,)
    statuses = tuple(statuses)
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ValueError(f"statuses: unknown status(es) {unknown}; expected any of {STATUSES}")
    return statuses


def _empty() -> pd.DataFrame:
    dtypes = {c: "str" for c in _TEXT + ("quadrant",)}
    dtypes.update(dict.fromkeys(_FLOAT, "float64"))
    dtypes.update(priority_rank="int64", open="bool")
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in PRIORITY_COLUMNS})
