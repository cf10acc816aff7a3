"""The one fallback rule of the competency-to-ROI model (docs/metrics.md §4).

A department gets its own model when enough of its use cases have an ROI and
leader scores; otherwise its report shows the organisation-wide model and
says so. The rule is here, in a module that imports nothing, so that the
CLI's help can state it without loading the statistics stack;
:mod:`aiadopt.regression` applies it (and re-exports these names), and
:func:`aiadopt.present.text.fallback_rule` says it.
"""

from __future__ import annotations

__all__ = ["MIN_DEPARTMENT_OBS", "MIN_OBS_PER_PREDICTOR", "department_minimum"]

#: Default fewest usable use cases per competency with survey items.
MIN_OBS_PER_PREDICTOR: int = 10
#: Default fewest usable use cases for a department's own model.
MIN_DEPARTMENT_OBS: int = 20


def department_minimum(
    k: int,
    *,
    min_obs_per_predictor: int = MIN_OBS_PER_PREDICTOR,
    min_department_obs: int = MIN_DEPARTMENT_OBS,
) -> int:
    """Fewest usable use cases for a department's own model.

    A department gets its own model when it has at least
    ``max(min_department_obs, min_obs_per_predictor × k)`` use cases with an
    ROI and leader scores, ``k`` being the competencies with survey items;
    otherwise :func:`aiadopt.regression.fit_competency_roi` returns the
    organisation-wide model with ``fallback="too_few_department"``.

    Parameters
    ----------
    k : int
        Competencies with survey items.
    min_obs_per_predictor, min_department_obs : int
        As in :func:`aiadopt.regression.fit_competency_roi`.

    Examples
    --------
    >>> department_minimum(7)
    70
    >>> department_minimum(1)
    20
    """
    return max(int(min_department_obs), int(min_obs_per_predictor) * int(k))
