"""Charts: ``plot_x(data, *, ax=None, palette=None, lang="en", ..., **kwargs) -> Axes``
(seaborn style). Each draws on the given Axes (or ``plt.gca()``, which creates
one if needed), returns it, passes ``**kwargs`` to its main artists (each
docstring says which), takes ``palette=`` as seaborn does (a palette name, a
list or a dict) and never calls ``plt.show()`` or ``savefig``. Legends and
notes stay inside the Axes' layout box, so charts can share a
``plt.subplots(..., layout="constrained")`` grid.

:func:`alt_text` says in words what a chart shows (for ``<img alt>``).
"""

from ._style import (
    MAX_LABEL_CHARS,
    PALETTES,
    color,
    literal_text,
    palette,
    plain_text,
    resolve_palette,
    shorten,
)
from .impact_effort import describe_impact_effort, plot_impact_effort
from .measures import (
    describe_competency_gap,
    describe_culture,
    describe_goal_mix,
    describe_phases,
    describe_skills_pyramid,
    describe_trained_roi,
    plot_competency_gap,
    plot_culture,
    plot_goal_mix,
    plot_phases,
    plot_skills_pyramid,
    plot_trained_roi,
)
from .regression import (
    describe_coefficients,
    describe_importance,
    plot_coefficients,
    plot_importance,
)
from .trend import plot_kpi_trend  # figure-level: small multiples, takes fig= rather than ax=

__all__ = [
    "ALT_TEXTS",
    "plot_kpi_trend",
    "alt_text",
    "MAX_LABEL_CHARS",
    "PALETTES",
    "color",
    "literal_text",
    "palette",
    "plain_text",
    "resolve_palette",
    "shorten",
    "plot_impact_effort",
    "plot_coefficients",
    "plot_importance",
    "plot_phases",
    "plot_competency_gap",
    "plot_culture",
    "plot_skills_pyramid",
    "plot_goal_mix",
    "plot_trained_roi",
]

__all__ += [
    "describe_impact_effort",
    "describe_coefficients",
    "describe_importance",
    "describe_phases",
    "describe_competency_gap",
    "describe_culture",
    "describe_skills_pyramid",
    "describe_goal_mix",
    "describe_trained_roi",
]

#: Plot function name -> its alt-text function ``describe_<chart>(data, lang, **filters)``.
ALT_TEXTS = {
    "plot_impact_effort": describe_impact_effort,
    "plot_coefficients": describe_coefficients,
    "plot_importance": describe_importance,
    "plot_phases": describe_phases,
    "plot_competency_gap": describe_competency_gap,
    "plot_culture": describe_culture,
    "plot_skills_pyramid": describe_skills_pyramid,
    "plot_goal_mix": describe_goal_mix,
    "plot_trained_roi": describe_trained_roi,
}


def alt_text(name: str, data, lang: str = "en", **kwargs) -> str:
    """What the chart ``name`` shows, in one or two sentences with its key
    figure, for an image's ``alt`` text (words from the label catalogue,
    numbers by :class:`aiadopt.present.formats.Formatter`).

    Parameters
    ----------
    name : str
        The plot function's name, with or without ``plot_``
        (``"plot_phases"`` or ``"phases"``); see :data:`ALT_TEXTS`.
    data : DataFrame, Dataset or RegressionResult
        What was passed to the plot function.
    lang : {"en", "nl"}, default="en"
    **kwargs
        The keyword arguments given to the plot function (``department``,
        ``unit``, ``family``, ``kind``, ``split``...): the text describes the
        same selection. Arguments that do not change what is shown (``ax``,
        ``palette``, colours) are ignored.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        For an unknown chart name (the message lists the known ones).

    Examples
    --------
    >>> import pandas as pd
    >>> room = pd.DataFrame({"use_case_id": ["UC-1", "UC-2", "UC-3"], "title": ["a", "b", "c"],
    ...                      "impact": [4.5, 4.0, 2.0], "effort": [2.0, 1.0, 2.0]})
    >>> alt_text("impact_effort", room, "nl")
    'Impact-inspanningsmatrix van 3 use cases: 2 quick wins, 0 grote projecten, 1 opvuller, 0 ondankbare taken.'
    """
    key = name if name.startswith("plot_") else f"plot_{name}"
    try:
        describe = ALT_TEXTS[key]
    except KeyError:
        known = ", ".join(sorted(n.removeprefix("plot_") for n in ALT_TEXTS))
        raise KeyError(f"no chart {name!r}; alt text exists for: {known}") from None
    kwargs.pop("ax", None)
    return describe(data, lang, **kwargs)
