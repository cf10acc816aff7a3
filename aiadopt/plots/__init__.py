"""Charts: ``plot_x(data, *, ax=None, ...) -> Axes`` (seaborn style). Each
draws on the given Axes (or ``plt.gca()``), returns it, and never calls
``plt.show()`` or ``savefig``."""

from ._style import PALETTES, color, palette

__all__ = ["PALETTES", "color", "palette"]
