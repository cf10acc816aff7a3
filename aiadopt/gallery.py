"""The chart gallery: every chart of the suite drawn from one dataset and
written as PNG files (``aiadopt charts``). A thin figure-level layer over
the ``plot_*`` Axes functions; a new chart is one registry entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .atomic import atomic_path
from .dataset import Dataset
from .plots._style import plain_text
from .timeline import period_of

__all__ = ["CHARTS", "ChartContext", "write_charts", "save_figure"]


@dataclass
class ChartContext:
    """What a chart builder needs; results computed once are cached."""

    data: Dataset
    period: str
    lang: str = "en"
    min_group_size: int = 5
    n_boot: int = 1000
    seed: int = 0
    _cache: dict = field(default_factory=dict)

    def cached(self, key: str, compute: Callable):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def priorities(self):
        from .prioritisation import compute_priorities

        return self.cached("priorities", lambda: compute_priorities(self.data))

    def measures(self):
        from .measures import compute_measures

        return self.cached(
            "measures",
            lambda: compute_measures(
                self.data, period=self.period, min_group_size=self.min_group_size, seed=self.seed
            ),
        )

    def regression(self):
        from .regression import fit_competency_roi

        return self.cached(
            "regression",
            lambda: fit_competency_roi(
                self.data, period=self.period, n_boot=self.n_boot, seed=self.seed
            ),
        )


def _impact_effort(ctx: ChartContext) -> Figure:
    from .plots.impact_effort import plot_impact_effort

    fig, ax = plt.subplots(figsize=(10, 7.5), layout="constrained")
    plot_impact_effort(ctx.priorities(), ax=ax, lang=ctx.lang, hue="goal", size="investment_eur")
    return fig


def _coefficients(ctx: ChartContext) -> Figure:
    from .plots.regression import plot_coefficients

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    plot_coefficients(ctx.regression(), ax=ax, lang=ctx.lang)
    return fig


def _importance(ctx: ChartContext) -> Figure:
    from .plots.regression import plot_importance

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    plot_importance(ctx.regression(), ax=ax, lang=ctx.lang)
    return fig


def _measure_chart(func_name: str, size=(9, 5.5), **kwargs) -> Callable[[ChartContext], Figure]:
    def build(ctx: ChartContext) -> Figure:
        from .plots import measures as m

        fig, ax = plt.subplots(figsize=size, layout="constrained")
        getattr(m, func_name)(ctx.measures(), ax=ax, lang=ctx.lang, **kwargs)
        return fig

    return build


#: File stem -> builder. Order is the gallery's order.
CHARTS: dict[str, Callable[[ChartContext], Figure]] = {
    "impact_effort": _impact_effort,
    "regression_coefficients": _coefficients,
    "regression_importance": _importance,
    "phases": _measure_chart("plot_phases", size=(10, 5.5)),
    "competency_gap": _measure_chart("plot_competency_gap"),
    "culture": _measure_chart("plot_culture", family="culture"),
    "pillars": _measure_chart("plot_culture", family="pillar", statistic="favourability_pct"),
    "skills_pyramid": _measure_chart("plot_skills_pyramid", size=(8, 4.5)),
    "goal_mix": _measure_chart("plot_goal_mix", size=(10, 5.5)),
    "trained_roi": _measure_chart("plot_trained_roi", size=(9, 5.5)),
}


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 120) -> Path:
    """Save ``fig`` as PNG atomically (temporary file, then rename) and close it.

    Every text of the figure is drawn literally (no mathtext), as in the
    ``plot_*`` functions (:func:`aiadopt.plots._style.plain_text`)."""
    path = Path(path)
    try:
        plain_text(fig)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format="png")
    finally:
        plt.close(fig)
    return path


def write_charts(
    data: Dataset,
    out_dir: str | Path,
    *,
    period: str | None = None,
    lang: str = "en",
    min_group_size: int = 5,
    n_boot: int = 1000,
    charts: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Draw the gallery into ``out_dir`` (one PNG per chart).

    Parameters
    ----------
    data : Dataset
    out_dir : path
    period : str, optional
        ``YYYY-MM`` or ``"latest"`` (the default: the latest month in the data).
    lang : {"en", "nl"}
    charts : list of str, optional
        Subset of :data:`CHARTS` (default all).
    progress : callable, optional
        Called with each chart name before it is drawn.

    Returns
    -------
    list of Path
    """
    p = period_of(data, period)
    names = list(CHARTS) if charts is None else charts
    unknown = [n for n in names if n not in CHARTS]
    if unknown:
        raise ValueError(f"unknown charts {unknown}; expected some of {list(CHARTS)}")
    ctx = ChartContext(
        data=data, period=str(p), lang=lang, min_group_size=min_group_size, n_boot=n_boot
    )
    out = []
    for name in names:
        if progress:
            progress(name)
        out.append(save_figure(CHARTS[name](ctx), Path(out_dir) / f"{name}.png"))
    return out
