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
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import aiadopt  # noqa: E402
from aiadopt import plots  # noqa: E402
from aiadopt.labels import label  # noqa: E402
from aiadopt.measures import compute_measures  # noqa: E402
from aiadopt.present.formats import Formatter  # noqa: E402
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
    # Figure-level (several panels, like seaborn's relplot): draws on fig=, not one ax=.
    figure_level = {"plot_kpi_trend"}
    for name in figure_level:
        assert "fig" in inspect.signature(getattr(plots, name)).parameters, name
    for name in exported - figure_level:
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


def _draw(inputs, name, lang="en", **extra):
    source, kwargs = CASES[name]
    fig, ax = plt.subplots(figsize=(9, 6), layout="constrained")
    return getattr(plots, name)(inputs[source], ax=ax, lang=lang, **{**kwargs, **extra})


@pytest.mark.parametrize("name", list(CASES))
def test_palette_and_kwargs_reach_the_main_artists(inputs, name):
    ax = _draw(inputs, name, palette=["#000000"], alpha=0.37)
    styled = [a for a in ax.findobj() if hasattr(a, "get_alpha") and a.get_alpha() == 0.37]
    assert styled, f"{name}: **kwargs did not reach any artist"
    for artist in styled:
        if hasattr(artist, "get_facecolor") and not hasattr(artist, "get_xydata"):
            colours = np.atleast_2d(artist.get_facecolor())[:, :3]
        else:
            colours = np.atleast_2d(to_rgb(artist.get_color()))
        assert np.allclose(colours, 0.0), f"{name}: palette not applied to {artist}"


JARGON = ("seed", "LMG", "HC3", "(bron)")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_chart_words_name_sources_and_avoid_jargon(inputs, lang):
    shown = {}
    for name in CASES:
        ax = _draw(inputs, name, lang=lang)
        shown[name] = " | ".join(t.get_text() for t in ax.figure.findobj(Text) if t.get_visible())
        for word in JARGON:
            assert word.lower() not in shown[name].lower(), f"{name} shows {word!r}: {shown[name]}"
    assert "AI-Monitor 2025, Nederland ICT" in shown["plot_competency_gap"]
    assert "AI-Monitor 2025 (Nederland ICT)" in shown["plot_trained_roi"]
    assert "95%" in shown["plot_coefficients"]


# --- alt text ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_alt_text_says_what_the_chart_shows(inputs, name):
    source, kwargs = CASES[name]
    texts = {lang: plots.alt_text(name, inputs[source], lang, **kwargs) for lang in ("en", "nl")}
    for lang, text in texts.items():
        assert name not in text  # not the function name (issue 9: "plot_phases" as alt text)
        assert text.endswith(".") and any(ch.isdigit() for ch in text), text
        assert plots.alt_text(name.removeprefix("plot_"), inputs[source], lang, **kwargs) == text
    assert texts["en"] != texts["nl"]


def test_alt_text_competency_gap_names_the_largest_gap(inputs):
    frame = inputs["measures"]
    rows = frame[
        (frame["measure"] == "competency_gap")
        & (frame["level"] == "organisation")
        & (frame["statistic"] == "pct_qualified")
    ]
    gaps = rows["value"] - rows["reference"]
    worst = rows.loc[gaps.idxmin()]
    text = plots.alt_text("competency_gap", frame, "nl")
    assert label(f"competency.{worst['key']}", "nl") in text
    assert Formatter("nl").number(-gaps.min(), 0) + " punten" in text
    department = plots.alt_text("competency_gap", frame, "en", unit="Finance")
    assert "Finance" in department


def test_alt_text_follows_the_filters_and_rejects_unknown_charts(inputs):
    priorities = inputs["priorities"]
    counts = priorities["quadrant"].value_counts()
    text = plots.alt_text("impact_effort", priorities, "en")
    assert f"{len(priorities)} use cases" in text
    assert label("alt.n_quick_wins", "en", n=int(counts.get("quick_wins", 0))) in text
    # the same split as the chart: everything is "low" below a split of 5
    assert "0 quick wins, 0 major projects" in plots.alt_text(
        "impact_effort", priorities, "en", split=5.0
    )
    with pytest.raises(KeyError, match="no chart 'trend_lines'; alt text exists for: coefficients"):
        plots.alt_text("trend_lines", priorities)
