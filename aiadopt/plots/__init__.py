"""Charts: ``plot_x(data, *, ax=None, ...) -> Axes`` (seaborn style). Each
draws on the given Axes (or ``plt.gca()``), returns it, and never calls
``plt.show()`` or ``savefig``."""

from ._style import MAX_LABEL_CHARS, PALETTES, color, literal_text, palette, plain_text, shorten
from .impact_effort import plot_impact_effort
from .regression import plot_coefficients, plot_importance

__all__ = [
    "MAX_LABEL_CHARS",
    "PALETTES",
    "color",
    "literal_text",
    "palette",
    "plain_text",
    "shorten",
    "plot_impact_effort",
    "plot_coefficients",
    "plot_importance",
]
