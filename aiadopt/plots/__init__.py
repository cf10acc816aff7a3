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
    plot_competency_gap,
    plot_culture,
    plot_goal_mix,
    plot_phases,
    plot_skills_pyramid,
    plot_trained_roi,
)
from .regression import (
    plot_coefficients,
    plot_importance,
)

__all__ = [
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
    "describe_impact_effort",
]
