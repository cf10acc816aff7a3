"""The plotting API analysts use in JupyterLab: every chart is exported from
``aiadopt.plots``, takes ``ax=``, ``palette=`` and ``**kwargs``, behaves in a
``layout="constrained"`` grid, and has alt text."""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import aiadopt  # noqa: E402
from aiadopt import plots  # noqa: E402
from aiadopt.measures import compute_measures  # noqa: E402
from aiadopt.prioritisation import compute_priorities  # noqa: E402
from aiadopt.regression import fit_competency_roi  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PERIOD = "2026-10"


@pytest.fixture(scope="module")
def inputs():
    data = aiadopt.load(SAMPLE)
    return {
        "priorities": compute_priorities(data, department="Finance"),  # 19 points: quick to label
        "measures": compute_measures(data, period=PERIOD, n_boot=50),
        "regression": fit_competency_roi(data, period=PERIOD, n_boot=50),
    }


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


#: name -> (input, keyword arguments): every plot function of the suite.
CASES = {
    "plot_impact_effort": ("priorities", {"hue": "goal", "size": "investment_eur"}),
    "plot_coefficients": ("regression", {}),
    "plot_importance": ("regression", {}),
    "plot_phases": ("measures", {}),
    "plot_competency_gap": ("measures", {}),
    "plot_culture": ("measures", {}),
    "plot_skills_pyramid": ("measures", {}),
    "plot_goal_mix": ("measures", {}),
    "plot_trained_roi": ("measures", {}),
}


def test_every_plot_function_is_exported_and_takes_ax_palette_kwargs():
    exported = {n for n in plots.__all__ if n.startswith("plot_")}
    assert exported >= set(CASES)
    for name in exported:
        params = inspect.signature(getattr(plots, name)).parameters
        assert {"ax", "palette", "lang"} <= set(params), name
        assert any(p.kind is p.VAR_KEYWORD for p in params.values()), f"{name} takes no **kwargs"


def _overlaps(a, b, tol=1.0) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tol and min(a.y1, b.y1) - max(a.y0, b.y0) > tol


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("name", list(CASES))
def test_constrained_grid_no_warnings_and_legends_stay_in_their_cell(inputs, name, lang):
    source, kwargs = CASES[name]
    func = getattr(plots, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, axes = plt.subplots(2, 2, figsize=(12, 9), layout="constrained")
        for ax in axes.flat:
            assert func(inputs[source], ax=ax, lang=lang, **kwargs) is ax
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    figbox = fig.bbox
    for ax in axes.flat:
        others = [o.get_window_extent(renderer) for o in axes.flat if o is not ax]
        extras = [c for c in ax.get_children() if isinstance(c, Legend)]
        extras += [t for t in ax.findobj(Text) if t.get_visible() and t.get_text() and t.axes is ax]
        for artist in extras:
            box = artist.get_window_extent(renderer)
            what = f"{name}: {type(artist).__name__} {getattr(artist, 'get_text', lambda: '')()!r}"
            for other in others:
                assert not _overlaps(box, other), f"{what} overlaps a neighbouring axes"
            assert box.x0 >= figbox.x0 - 1 and box.x1 <= figbox.x1 + 1, f"{what} leaves the figure"
            assert box.y0 >= figbox.y0 - 1 and box.y1 <= figbox.y1 + 1, f"{what} leaves the figure"
