"""Charts of the competency-to-ROI model (:mod:`aiadopt.regression`).

Both take a :class:`~aiadopt.regression.RegressionResult`. For a refused
model they draw an empty Axes with the refusal message, so a report can
always call them.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ..labels import label
from ..present.formats import Formatter, axis_formatter
from ..present.text import regression_fallback, regression_messages
from ..regression import VIF_THRESHOLD, RegressionResult
from ._style import NEUTRAL, artist_kwargs, literal_text, resolve_palette, titled

__all__ = ["describe_coefficients", "describe_importance", "plot_coefficients", "plot_importance"]

_NOTE_SIZE = "small"
#: A message (which may quote a long department name) takes at most this many lines.
_MAX_LINES = 4


def _model_note(result: RegressionResult, lang: str) -> str:
    fmt = Formatter(lang)  # a NaN cross-validated R² is shown as "–"
    return label(
        "regression.model_note",
        lang,
        n=result.n_observations,
        r2=fmt.number(result.r_squared, 2),
        cv=fmt.number(result.cv_r_squared, 2),
    )


def _names(terms, result: RegressionResult, lang: str) -> list[str]:
    return [label(f"competency.{t}", lang) + (" †" if t in result.collinear else "") for t in terms]


def _title(ax: Axes, title: str, result: RegressionResult, lang: str) -> None:
    """Bold title; below it the model's n and R², and a department's fallback."""
    note = textwrap.fill(_model_note(result, lang), 48)  # fits a cell of a 2×2 grid
    if result.fallback:
        note = (
            textwrap.fill(
                regression_fallback(result, lang), 75, max_lines=_MAX_LINES, placeholder=" …"
            )
            + "\n"
            + note
        )
    titled(ax, title, note, fontsize=_NOTE_SIZE, pad=10 + 12 * (note.count("\n") + 1))


def _footnote(ax: Axes, result: RegressionResult, lang: str, extra: str | None = None) -> None:
    lines = [extra] if extra else []
    if result.collinear:
        lines.append(label("regression.collinear_mark", lang, threshold=f"{VIF_THRESHOLD:g}"))
    if lines:
        text = "\n".join(textwrap.fill(line, 70) for line in lines)
        ax.annotate(
            text,
            xy=(0, 0),
            # x at the Axes' left edge, y just under the x-axis label
            xycoords=("axes fraction", ax.xaxis.label),
            xytext=(0, -4),
            wrap=True,
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=_NOTE_SIZE,
            color="0.3",
            clip_on=False,  # so constrained layout makes room for it
        )


def _refused(ax: Axes, result: RegressionResult, lang: str, title: str) -> Axes:
    message = "\n\n".join(regression_messages(result, lang)[: 2 if result.fallback else 1])
    text = "\n".join(
        textwrap.fill(part, 60, max_lines=_MAX_LINES, placeholder=" …")
        for part in message.split("\n")
    )
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.25")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, loc="left", fontweight="bold")
    return ax


@literal_text
def plot_coefficients(
    result: RegressionResult,
    *,
    ax: Axes | None = None,
    lang: str = "en",
    standardized: bool = True,
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """Point-and-whisker plot of each competency's coefficient with its 95% CI.

    Parameters
    ----------
    result : RegressionResult
        From :func:`aiadopt.regression.fit_competency_roi`.
    ax : Axes, optional
        Where to draw; default ``plt.gca()``.
    lang : {"en", "nl"}, default="en"
    standardized : bool, default=True
        Standardized coefficients (SDs of ROI per SD of the team score),
        whose CI is the HC3 CI scaled by sd(x) / sd(ROI); otherwise the raw
        coefficients (ROI per scale point).
    palette : str, list or dict, optional
        Colours of the competencies, as seaborn reads ``palette`` (a name, a
        list in the chart's order top to bottom, or a dict competency ->
        colour); default the suite's competency palette.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` that draws the
        points; they override the chart's defaults.

    Returns
    -------
    Axes
        One point per competency (one ``PathCollection``), top to bottom in
        the canonical order, coloured by the competency palette; a dashed
        zero line. Competencies with VIF above 10 are marked †.
    """
    if ax is None:
        ax = plt.gca()
    key = "regression.title_coefficients" if standardized else "regression.title_coefficients_raw"
    title = label(key, lang)
    if result.refused is not None:
        return _refused(ax, result, lang, title)

    coef = result.coefficients.set_index("term").loc[list(result.predictors)]
    if standardized:
        scale = (result.predictor_sd / result.roi_sd).loc[coef.index].to_numpy()
        x = coef["std_estimate"].to_numpy()
        low, high = coef["ci_low"].to_numpy() * scale, coef["ci_high"].to_numpy() * scale
        xlabel = label("text.coefficient", lang)
    else:
        x = coef["estimate"].to_numpy()
        low, high = coef["ci_low"].to_numpy(), coef["ci_high"].to_numpy()
        xlabel = label("regression.coefficient_raw", lang)
    pal = resolve_palette(palette, coef.index, "competency")
    colours = [pal.get(t, NEUTRAL) for t in coef.index]
    y = np.arange(len(coef))

    ax.axvline(0, color=NEUTRAL, linestyle="--", linewidth=1, zorder=1)
    ax.hlines(y, low, high, colors=colours, linewidth=2.2, zorder=2)
    style = {"c": colours, "s": 55, "zorder": 3, "edgecolors": "white", "linewidths": 0.8}
    if "color" in kwargs:
        del style["c"]
    ax.scatter(x, y, **artist_kwargs(style, kwargs))
    ax.set_yticks(y, _names(coef.index, result, lang))
    ax.set_ylim(len(coef) - 0.5, -0.5)  # first competency on top
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(axis_formatter(lang, "number"))
    ax.grid(axis="x", color="0.92", zorder=0)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    _title(ax, title, result, lang)
    _footnote(ax, result, lang, label("text.coefficient_note", lang) if standardized else None)
    return ax


@literal_text
def plot_importance(
    result: RegressionResult,
    *,
    ax: Axes | None = None,
    lang: str = "en",
    palette: str | list | dict | None = None,
    **kwargs,
) -> Axes:
    """Horizontal bars: each competency's share of the explained ROI variance.

    Parameters
    ----------
    result : RegressionResult
        From :func:`aiadopt.regression.fit_competency_roi`.
    ax : Axes, optional
        Where to draw; default ``plt.gca()``.
    lang : {"en", "nl"}, default="en"
    palette : str, list or dict, optional
        Colours of the competencies, as seaborn reads ``palette`` (a name, a
        list in the chart's order top to bottom, or a dict competency ->
        colour); default the suite's competency palette.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh` that draws the bars;
        they override the chart's defaults.

    Returns
    -------
    Axes
        One bar per competency (LMG importance / R², in %), largest on top,
        with the 95% bootstrap CI of the share as a whisker and the share
        written beside it; R² and n in the subtitle.
    """
    if ax is None:
        ax = plt.gca()
    title = label("regression.title_importance", lang)
    if result.refused is not None:
        return _refused(ax, result, lang, title)

    imp = result.importance.sort_values("share", ascending=False, kind="stable")
    share = 100 * imp["share"].to_numpy()
    low, high = 100 * imp["share_ci_low"].to_numpy(), 100 * imp["share_ci_high"].to_numpy()
    pal = resolve_palette(palette, imp["term"], "competency")
    colours = [pal.get(t, NEUTRAL) for t in imp["term"]]
    y = np.arange(len(imp))

    ax.barh(y, share, **artist_kwargs({"color": colours, "height": 0.65, "zorder": 2}, kwargs))
    has_ci = np.isfinite(low) & np.isfinite(high)
    if has_ci.any():
        ax.hlines(y[has_ci], low[has_ci], high[has_ci], colors="0.2", linewidth=1.3, zorder=3)
        ax.plot(
            np.r_[low[has_ci], high[has_ci]],
            np.r_[y[has_ci], y[has_ci]],
            "|",
            color="0.2",
            markersize=7,
            zorder=3,
        )
    ends = np.where(has_ci, np.fmax(high, share), share)
    for yi, end, value in zip(y, ends, share, strict=True):
        ax.annotate(
            Formatter(lang).percent(value, 0),
            xy=(end, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=_NOTE_SIZE,
            clip_on=False,  # so constrained layout makes room for it
        )
    ax.set_yticks(y, _names(imp["term"], result, lang))
    ax.set_ylim(len(imp) - 0.5, -0.5)  # largest on top
    ax.set_xlim(0, min(100.0, max(10.0, float(np.nanmax(ends)) * 1.15)))
    ax.xaxis.set_major_formatter(axis_formatter(lang, "percent"))
    ax.set_xlabel(label("text.importance", lang), wrap=True)
    ax.grid(axis="x", color="0.92", zorder=0)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    _title(ax, title, result, lang)
    _footnote(ax, result, lang, label("text.importance_note", lang))
    return ax


def describe_coefficients(
    result: RegressionResult, lang: str = "en", *, standardized: bool = True, **_ignored
) -> str:
    """Alt text of :func:`plot_coefficients`: the competency with the largest
    effect and its robust 95% interval; a refused model says why.

    Other keyword arguments of the plot function are accepted and ignored.
    """
    if result.refused is not None:
        return label("alt.model_refused", lang, reason=result.messages(lang)[0])
    coef = result.coefficients.set_index("term").loc[list(result.predictors)]
    column = "std_estimate" if standardized else "estimate"
    term = coef[column].astype(float).idxmax()
    low, high = float(coef.loc[term, "ci_low"]), float(coef.loc[term, "ci_high"])
    if standardized:
        scale = float(result.predictor_sd[term] / result.roi_sd)
        low, high = low * scale, high * scale
    fmt = Formatter(lang)
    return label(
        "alt.coefficients",
        lang,
        name=label(f"competency.{term}", lang),
        value=fmt.number(coef.loc[term, column], 2),
        low=fmt.number(low, 2),
        high=fmt.number(high, 2),
    )


def describe_importance(result: RegressionResult, lang: str = "en", **_ignored) -> str:
    """Alt text of :func:`plot_importance`: the competency with the largest
    share of explained ROI variance; a refused model says why."""
    if result.refused is not None:
        return label("alt.model_refused", lang, reason=result.messages(lang)[0])
    imp = result.importance.sort_values("share", ascending=False, kind="stable").iloc[0]
    return label(
        "alt.importance",
        lang,
        name=label(f"competency.{imp['term']}", lang),
        pct=Formatter(lang).percent(100 * imp["share"], 0),
        r2=Formatter(lang).number(result.r_squared, 2),
    )
