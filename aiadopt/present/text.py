"""Sentences about results: every word a reader sees about pitfalls, the
competency-to-ROI model, measures and reliability.

The metric and model modules return numbers, codes and reason codes
(:mod:`aiadopt.pitfalls`, :mod:`aiadopt.regression`, :mod:`aiadopt.measures`,
:mod:`aiadopt.reliability`); this module says them in English or Dutch. Words
come from the label catalogue (:func:`aiadopt.labels.label`), numbers from
:class:`aiadopt.present.formats.Formatter`, so a Dutch sentence gets decimal
commas and counts choose their plural form.

Examples
--------
>>> describe_pitfall({"signal": "too_much_at_once", "value": 3.5, "threshold": 3.0,
...                   "running_pilots": 7, "n_teams": 2}, "nl")
'Te veel tegelijk: 7 lopende pilots over 2 teams = 3,5 per team (grens 3).'
>>> reliability_flag(0.37, "en")
"Cronbach's α is 0.37, below 0.6: the items of this scale do not measure one thing consistently, so read its score with caution."
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..labels import label
from .formats import Formatter

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..regression import RegressionResult

__all__ = [
    "alpha_reason",
    "describe_pitfall",
    "exclusion_labels",
    "fallback_rule",
    "measure_labels",
    "measure_note",
    "regression_fallback",
    "regression_finding",
    "regression_headline",
    "regression_messages",
    "regression_notes",
    "regression_refusal",
    "regression_summary",
    "reliability_flag",
]


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _limit_digits(x: float) -> int:
    """Decimals to show a threshold with: none for whole numbers, else one."""
    return 0 if float(x).is_integer() else 1


# --- pitfalls ---------------------------------------------------------------------


def describe_pitfall(row: pd.Series | Mapping[str, Any], lang: str = "en") -> str:
    """One sentence naming a pitfall signal, its figures and its limit.

    Parameters
    ----------
    row : Series or mapping
        One row of :func:`aiadopt.pitfalls.compute_pitfalls`. The limit
        said is the row's own ``threshold`` (overrides included); for
        ``no_rhythm`` the window is ``window_months``.
    lang : {"en", "nl"}, default="en"

    Returns
    -------
    str

    Examples
    --------
    >>> row = {"signal": "innovation_club", "value": 57.1, "threshold": 50.0,
    ...        "n_active_use_cases": 7, "top_team": "T1"}
    >>> describe_pitfall(row)
    'Innovation club only: 57% of 7 active use cases sit in team T1 (limit 50%).'
    >>> describe_pitfall({"signal": "no_rhythm", "new_use_cases": 1, "pilot_decisions": 0,
    ...                   "window_months": 2})
    'No rhythm: 1 new use case and 0 pilot decisions in the last 2 months.'
    """
    r = dict(row)
    fmt = Formatter(lang)
    signal = r["signal"]
    name = label(f"pitfall.{signal}", lang)
    value = r.get("value")
    threshold = r.get("threshold")
    if signal == "innovation_club":
        if _missing(value):
            text = label("pitfall_text.no_active", lang)
        else:
            n = int(r["n_active_use_cases"])
            text = label(
                "pitfall_text.innovation_club",
                lang,
                n=fmt.count(n),
                share=fmt.percent(value, 0),
                team=r["top_team"],
                limit=fmt.percent(threshold, _limit_digits(threshold)),
            )
    elif signal == "no_rhythm":
        months = int(r.get("window_months", 2))
        text = label(
            "pitfall_text.no_rhythm",
            lang,
            n=fmt.count(months),
            new=label("pitfall_text.new_use_cases", lang, n=fmt.count(int(r["new_use_cases"]))),
            decisions=label(
                "pitfall_text.pilot_decisions", lang, n=fmt.count(int(r["pilot_decisions"]))
            ),
        )
    elif signal == "too_much_at_once":
        if _missing(value):
            text = label("pitfall_text.no_teams", lang)
        else:
            text = label(
                "pitfall_text.too_much_at_once",
                lang,
                pilots=label(
                    "pitfall_text.running_pilots", lang, n=fmt.count(int(r["running_pilots"]))
                ),
                teams=label("pitfall_text.n_teams", lang, n=fmt.count(int(r["n_teams"]))),
                value=fmt.number(value, 1),
                limit=fmt.number(threshold, _limit_digits(threshold)),
            )
    elif signal == "no_visible_progress":
        if _missing(value):
            text = label("pitfall_text.no_adaptivity", lang)
        else:
            text = label(
                "pitfall_text.no_visible_progress",
                lang,
                value=fmt.number(value, 0),
                limit=fmt.number(threshold, _limit_digits(threshold)),
            )
    else:
        raise ValueError(
            f"unknown pitfall signal {signal!r}; expected one of aiadopt.pitfalls.SIGNALS"
        )
    return label("pitfall_text.sentence", lang, name=name, text=text)


# --- the competency-to-ROI model ---------------------------------------------------

#: A share CI wider than this (40 percentage points) is called wide.
_WIDE_CI = 0.40


def _join(names: list[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {label('regression.and', lang)} {names[-1]}"


def _competency_names(keys, lang: str) -> str:
    return _join([label(f"competency.{k}", lang) for k in keys], lang)


def _message(key: str, params: Mapping[str, Any], lang: str) -> str:
    """The sentence of a refusal / fallback / note code with its numbers."""
    fmt = Formatter(lang)
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name == "names":
            out[name] = _competency_names(value, lang)
        elif name == "department":
            continue  # said through "where" (refusals) or by name (fallback)
        elif name in ("condition", "max"):
            out[name] = fmt.number(value, 0)
        elif name == "threshold":
            out[name] = fmt.number(value, _limit_digits(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            out[name] = fmt.count(value)
        else:
            out[name] = value
    department = params.get("department")
    if key == "too_few_department":
        out["department"] = department
        return label("regression.fallback", lang, **out)
    if key in ("too_few", "constant_roi", "too_few_profiles", "all_constant"):
        out["where"] = label("regression.where", lang, department=department) if department else ""
    return label(f"regression.{key}", lang, **out)


def regression_fallback(result: RegressionResult, lang: str = "en") -> str | None:
    """Why a department's report shows the organisation-wide model, or None."""
    if result.fallback is None:
        return None
    return _message(result.fallback, result.fallback_params, lang)


def regression_refusal(result: RegressionResult, lang: str = "en") -> str | None:
    """Why the model was not fitted and what would be enough, or None when fitted."""
    if result.refusal_code is None:
        return None
    return _message(result.refusal_code, result.refusal_params, lang)


def regression_notes(result: RegressionResult, lang: str = "en") -> list[str]:
    """The warnings to show with the numbers (collinear, dropped, missing competencies)."""
    return [_message(code, params, lang) for code, params in result.notes]


def regression_messages(result: RegressionResult, lang: str = "en") -> list[str]:
    """Fallback reason, refusal and notes, in that order (those that apply)."""
    out = [m for m in (regression_fallback(result, lang), regression_refusal(result, lang)) if m]
    return out + regression_notes(result, lang)


def fallback_rule(lang: str = "en", k: int | None = None) -> str:
    """The one fallback rule in words: when a department gets its own model.

    Parameters
    ----------
    lang : {"en", "nl"}, default="en"
    k : int, optional
        Competencies with survey items; with it the sentence gives the
        minimum as one number (:func:`aiadopt.model_scope.department_minimum`).

    Examples
    --------
    >>> fallback_rule("en", k=7)  # doctest: +NORMALIZE_WHITESPACE
    'A department gets its own model when at least 70 of its use cases have an ROI and
    leader scores (10 per competency, and at least 20); otherwise the organisation-wide
    model is shown, and the report says so.'
    """
    from ..model_scope import MIN_DEPARTMENT_OBS, MIN_OBS_PER_PREDICTOR, department_minimum

    fmt = Formatter(lang)
    per, least = fmt.count(MIN_OBS_PER_PREDICTOR), fmt.count(MIN_DEPARTMENT_OBS)
    if k is None:
        return label("regression.fallback_rule_any", lang, per=per, min=least)
    return label(
        "regression.fallback_rule", lang, need=fmt.count(department_minimum(k)), per=per, min=least
    )


def _share_args(row: pd.Series, fmt: Formatter, prefix: str = "") -> dict[str, str]:
    return {
        f"{prefix}share": fmt.percent(100 * row["share"], 0),
        f"{prefix}low": fmt.number(100 * row["share_ci_low"], 0),
        f"{prefix}high": fmt.percent(100 * row["share_ci_high"], 0),
    }


def _drivers(result: RegressionResult) -> tuple[str, pd.Series, pd.Series | None]:
    """``("top" | "only" | "overlap" | "no_ci", top row, runner-up row or None)``.

    The competency with the largest LMG share is the top driver only when
    the lower bound of its bootstrap CI is above the upper bound of the
    runner-up's.
    """
    ranked = result.importance.sort_values("share", ascending=False, kind="stable")
    top = ranked.iloc[0]
    if len(ranked) == 1:
        return "only", top, None
    second = ranked.iloc[1]
    if not (math.isfinite(top["share_ci_low"]) and math.isfinite(second["share_ci_high"])):
        return "no_ci", top, second
    if top["share_ci_low"] > second["share_ci_high"]:
        return "top", top, second
    return "overlap", top, second


def _nonzero(result: RegressionResult) -> list[str]:
    """Competencies whose coefficient 95% CI excludes zero, in model order."""
    c = result.coefficients
    c = c[c["term"] != "const"]
    keep = (c["ci_low"] > 0) | (c["ci_high"] < 0)
    return c.loc[keep, "term"].tolist()


def _nonzero_sentence(result: RegressionResult, lang: str) -> str:
    names = _nonzero(result)
    if not names:
        return label("regression.none_nonzero", lang)
    return label("regression.nonzero", lang, n=len(names), names=_competency_names(names, lang))


def regression_headline(result: RegressionResult, lang: str = "en") -> str:
    """The one sentence a report summary gives about the model.

    Names the top driver only when its importance interval separates from
    the runner-up's; otherwise says that no single competency stands out
    and names those whose coefficient 95% CI excludes zero. A refused
    model gives the refusal.
    """
    refusal = regression_refusal(result, lang)
    if refusal is not None:
        return refusal
    fmt = Formatter(lang)
    kind, top, _ = _drivers(result)
    if kind in ("top", "only") and math.isfinite(top["share_ci_low"]):
        name = label(f"competency.{top['term']}", lang)
        return label("regression.headline_top", lang, name=name, **_share_args(top, fmt))
    names = _nonzero(result)
    if not names:
        return label("regression.headline_none", lang)
    return label(
        "regression.headline_no_standout", lang, n=len(names), names=_competency_names(names, lang)
    )


def regression_finding(result: RegressionResult, lang: str = "en") -> list[str]:
    """The model's result in plain sentences, in ``lang``.

    In order: a department's fallback to the organisation-wide model; for a
    refused model, that it was not fitted and why (nothing else). Otherwise
    the top driver when its LMG share's bootstrap interval lies above the
    runner-up's, else that no single competency stands out (with both
    shares); the competencies whose coefficient 95% CI excludes zero; a
    wide interval; how much the model explains in and out of sample (or
    that it could not be cross-validated); the notes.
    """
    fmt = Formatter(lang)
    parts: list[str] = []
    fallback = regression_fallback(result, lang)
    if fallback:
        parts.append(fallback)
    refusal = regression_refusal(result, lang)
    if refusal is not None:
        return parts + [label("regression.not_fitted", lang), refusal]
    kind, top, second = _drivers(result)
    name = label(f"competency.{top['term']}", lang)
    if kind == "only":
        parts.append(label("regression.only_one", lang, name=name))
    elif kind == "no_ci":
        parts.append(
            label(
                "regression.no_standout_no_ci",
                lang,
                name=name,
                share=fmt.percent(100 * top["share"], 0),
            )
        )
    else:
        key = "regression.top_driver" if kind == "top" else "regression.no_standout"
        other = label(f"competency.{second['term']}", lang)
        parts.append(
            label(
                key,
                lang,
                name=name,
                other=other,
                **_share_args(top, fmt),
                **_share_args(second, fmt, "other_"),
            )
        )
    parts.append(_nonzero_sentence(result, lang))
    if kind == "top" and top["share_ci_high"] - top["share_ci_low"] > _WIDE_CI:
        parts.append(label("regression.wide", lang))
    k = fmt.count(len(result.predictors))
    r2, adj = fmt.percent(100 * result.r_squared, 0), fmt.percent(100 * result.adj_r_squared, 0)
    folds = fmt.count(result.cv_folds)
    if math.isfinite(result.cv_r_squared):
        cv = fmt.percent(100 * result.cv_r_squared, 0)
        parts.append(label("regression.fit", lang, k=k, r2=r2, adj=adj, cv=cv, folds=folds))
        if not result.cv_r_squared > 0:
            parts.append(label("regression.no_prediction", lang))
    else:
        n = fmt.count(result.n_observations)
        parts.append(label("regression.fit_no_cv", lang, k=k, r2=r2, adj=adj, n=n, folds=folds))
    return parts + regression_notes(result, lang)


def exclusion_labels(result: RegressionResult, lang: str = "en") -> pd.DataFrame:
    """:meth:`RegressionResult.excluded_frame` plus ``reason`` in words."""

    frame = result.excluded_frame()
    frame.insert(1, "reason", [label(f"regression.reason_{c}", lang) for c in frame["reason_code"]])
    frame["reason"] = frame["reason"].astype("str")
    return frame


def regression_summary(result: RegressionResult) -> str:
    """A readable text table (English), like statsmodels' ``summary()``.

    For analysts in a terminal or notebook (``aiadopt regression``); its
    sentences come from the catalogue in English.
    """
    import numpy as np

    from ..regression import MAX_CONDITION, VIF_THRESHOLD

    r = result
    where = f" ({r.department})" if r.scope == "department" else ""
    lines = [
        "Competency-to-ROI regression (OLS, HC3 standard errors, LMG importance)",
        f"Period: {r.period}   Scope: {r.scope}{where}",
        f"Use cases: {r.n_observations} with ROI and leader scores"
        + (f" ({r.n_profiles} distinct team/wave score sets)" if r.n_profiles else "")
        + f", {r.n_excluded} left out",
    ]
    lines += [
        f"  - {label(f'regression.reason_{code}')}: {n}"
        for code, n in r.excluded_reasons.items()
        if n
    ]
    fallback = regression_fallback(r)
    if fallback:
        lines.append(f"Note: {fallback}")
    if r.refused is not None:
        lines.append(f"NOT FITTED: {regression_refusal(r)}")
        lines += [f"Note: {note}" for note in regression_notes(r)]
        return "\n".join(lines)
    lines.append(
        f"R² = {r.r_squared:.3f}   adjusted R² = {r.adj_r_squared:.3f}   "
        f"{r.cv_folds}-fold CV R² = {r.cv_r_squared:.3f} (mean over folds)"
    )
    lines.append(
        f"Condition number of the standardised scores: {r.condition_number:.3g} "
        f"(refused above {MAX_CONDITION:.3g})"
    )
    lines += [f"WARNING: {note}" for note in regression_notes(r)]
    table = r.coefficients.copy()
    table["importance_ci"] = [
        "" if np.isnan(lo) else f"[{lo:.3f}, {hi:.3f}]"
        for lo, hi in zip(table["importance_ci_low"], table["importance_ci_high"], strict=True)
    ]
    table["term"] = [t + (" †" if t in r.collinear else "") for t in table["term"]]
    table = table.drop(columns=["importance_ci_low", "importance_ci_high"])
    lines += ["", table.to_string(index=False, na_rep="", float_format=lambda v: f"{v:.3f}")]
    if r.collinear:
        lines.append(f"† VIF > {VIF_THRESHOLD:g}")
    lines.append(
        f"importance: share of R² (LMG), 95% percentile CI from {r.n_boot} "
        f"bootstrap resamples of use cases (seed {r.seed})"
    )
    return "\n".join(lines)


# --- measures and reliability ------------------------------------------------------


_KEY_GROUPS = {
    "phases": "phase",
    "competency_gap": "competency",
    "culture": "culture",
    "pillar": "pillar",
    "skills_pyramid": "skill",
    "goal_mix": "goal",
    "trained_roi": "measure_key",
}
_PHASE_SUMMARY_KEYS = {"4+": "phase_4plus", "median": "team_phase"}


def _key_label(measure: str, key: str, lang: str) -> str:
    group = _KEY_GROUPS[measure]
    if measure == "phases" and key in _PHASE_SUMMARY_KEYS:
        group, key = "measure_key", _PHASE_SUMMARY_KEYS[key]
    try:
        return label(f"{group}.{key}", lang)
    except KeyError:
        return key


def measure_note(reason_code: str, lang: str = "en", **params: Any) -> str:
    """Why a measure's figure is empty, in words; ``""`` for no reason.

    Parameters
    ----------
    reason_code : str
        A code of :data:`aiadopt.measures.REASONS` (or ``""``).
    lang : {"en", "nl"}, default="en"
    **params
        The numbers the sentence needs: ``k`` (the smallest group shown,
        ``small_group``), ``m`` (fewest use cases per group,
        ``too_few_use_cases``).

    Examples
    --------
    >>> measure_note("small_group", "nl", k=5)
    'onderdrukt: minder dan 5 respondenten'
    """
    if not reason_code:
        return ""
    fmt = Formatter(lang)
    shown = {name: fmt.count(v) if isinstance(v, int) else v for name, v in params.items()}
    return label(f"measure_reason.{reason_code}", lang, **shown)


def measure_labels(
    frame: pd.DataFrame,
    lang: str = "en",
    *,
    min_group_size: int = 5,
    min_use_cases: int | None = None,
) -> pd.DataFrame:
    """A copy of a measures frame with the reader columns ``label`` and ``note``.

    ``label`` (after ``key``) is the key in words; ``note`` (after
    ``reason``) says why a figure is empty, empty where it is shown.

    Parameters
    ----------
    frame : DataFrame
        :func:`aiadopt.measures.compute_measures` or a ``compute_*`` frame
        of :mod:`aiadopt.measures`.
    lang : {"en", "nl"}, default="en"
    min_group_size : int, default=5
        The ``min_group_size`` the frame was computed with (said in
        "fewer than 5 respondents").
    min_use_cases : int, optional
        Fewest use cases per group of the trained-leader ROI ratio;
        default :data:`aiadopt.measures.MIN_USE_CASES`.
    """
    import pandas as pd

    from ..measures import MIN_USE_CASES

    m = MIN_USE_CASES if min_use_cases is None else min_use_cases
    out = frame.copy()
    labels = [
        _key_label(measure, key, lang)
        for measure, key in zip(out["measure"], out["key"], strict=True)
    ]
    notes = [
        measure_note(r, lang, k=min_group_size, m=m) if r else "" for r in out["reason"].fillna("")
    ]
    out.insert(
        out.columns.get_loc("key") + 1, "label", pd.Series(labels, index=out.index, dtype="str")
    )
    out.insert(
        out.columns.get_loc("reason") + 1, "note", pd.Series(notes, index=out.index, dtype="str")
    )
    return out


def reliability_flag(alpha: float, lang: str = "en") -> str | None:
    """A warning when Cronbach's α is below :data:`aiadopt.reliability.LOW_ALPHA`.

    Returns None for an acceptable or missing α (not estimable is said by
    the measure's own note).

    Examples
    --------
    >>> reliability_flag(0.82) is None
    True
    >>> reliability_flag(0.37, "nl")[:21]
    'Cronbachs α is 0,37, '
    """
    from ..reliability import LOW_ALPHA

    if _missing(alpha) or alpha >= LOW_ALPHA:
        return None
    fmt = Formatter(lang)
    return label(
        "measure_text.low_reliability",
        lang,
        alpha=fmt.number(alpha, 2),
        limit=fmt.number(LOW_ALPHA, 1),
    )


def alpha_reason(result, lang: str = "en") -> str:
    """Why Cronbach's alpha is NaN, in words; ``""`` when it was computed.

    Parameters
    ----------
    result : AlphaResult
        :func:`aiadopt.reliability.cronbach_alpha`'s result.
    lang : {"en", "nl"}, default="en"

    Examples
    --------
    >>> from aiadopt.reliability import cronbach_alpha
    >>> alpha_reason(cronbach_alpha([[1, 2], [2, 3]]), "nl")
    'alfa vraagt minstens 3 respondenten die elke vraag beantwoordden; dat zijn er 2'
    """
    if not result.reason:
        return ""
    fmt = Formatter(lang)
    params = {k: fmt.count(v) for k, v in result.reason_params.items()}
    return label(f"alpha_reason.{result.reason}", lang, **params)
