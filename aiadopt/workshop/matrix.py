"""The workshop's impact-effort matrix as an image (issue 10).

:func:`render_matrix` draws the room's mean scores with
:func:`aiadopt.plots.plot_impact_effort` (the quadrant rules and look of the
reports) on a figure of its own, never pyplot's current figure, so a server
thread can call it while another session draws. The SVG is deterministic:
the same results give the same bytes (fixed ``svg.hashsalt``, no date), and it
carries its alt text as ``<title>`` and the number of votes drawn.
"""

from __future__ import annotations

import io
import re
import threading
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..labels import LANGUAGES, label
from ..plots import alt_text, plot_impact_effort
from ..present.formats import Formatter
from ..prioritisation import DEFAULT_SPLIT
from .board import RESULT_COLUMNS  # the columns of Board.results(), which the matrix reads

__all__ = [
    "RESULT_COLUMNS",
    "SPREAD_GID",
    "inline_svg",
    "matrix_figure",
    "render_matrix",
    "shown_results",
]

#: ``gid`` prefix of the ±1 SD bars (``spread=True``): ``spread-impact``
#: (vertical bars) and ``spread-effort`` (horizontal bars).
SPREAD_GID = "spread"
#: The quiet grey of the spread bars, behind the points.
_SPREAD_COLOR = "0.72"
#: Everything that would make two renders of the same results differ.
_DETERMINISTIC_RC = {"svg.hashsalt": "aiadopt-workshop", "svg.fonttype": "none"}
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_XML_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_FORMATS = ("svg", "png")
#: rcParams are global: one render at a time, so a render's settings never
#: leak into another thread's figure (or stay behind after both end).
_RENDER_LOCK = threading.Lock()
#: No <metadata> block: no date, no software version (the same results give the same SVG).
_NO_SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def shown_results(results: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``results`` whose means may be shown (``shown`` True),
    with finite means, index 0..n-1.

    Parameters
    ----------
    results : DataFrame
        ``Board.results()``: at least the columns :data:`RESULT_COLUMNS`.

    Returns
    -------
    DataFrame

    Raises
    ------
    ValueError
        When a column is missing (the message names them).
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(
            f"results must be a DataFrame (Board.results()); got {type(results).__name__}"
        )
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(
            f"results lacks column(s) {missing}; pass Board.results(), which has {list(RESULT_COLUMNS)}"
        )
    shown = results["shown"].fillna(False).astype(bool)
    rows = results.loc[shown].copy()
    for col in ("impact", "effort", "impact_sd", "effort_sd"):
        rows[col] = pd.to_numeric(rows[col], errors="coerce").astype("float64")
    return rows.dropna(subset=["impact", "effort"]).reset_index(drop=True)


def render_matrix(
    results: pd.DataFrame,
    *,
    lang: str = "en",
    spread: bool = False,
    split: float = DEFAULT_SPLIT,
    size: tuple[float, float] = (12, 8),
    fmt: str = "svg",
    title: str | None = None,
) -> str | bytes:
    """The impact-effort matrix of a workshop's results, as SVG text or PNG bytes.

    Parameters
    ----------
    results : DataFrame
        ``Board.results()``: one row per use case with ``use_case_id``,
        ``title``, ``votes``, ``impact``, ``effort``, ``impact_sd``,
        ``effort_sd`` and ``shown``. Only rows with ``shown`` True are drawn
        (the others have too few votes to show, or none); with none, the
        empty matrix with its quadrant names is drawn.
    lang : {"en", "nl"}, default="en"
        Language of the quadrant names, axis labels, legend and alt text.
    spread : bool, default=False
        Also draw ±1 standard deviation of the votes in a quiet grey behind
        each point: ``impact_sd`` vertically, ``effort_sd`` horizontally (a
        missing SD, one vote, draws no bar).
    split : float, default=3.0
        Where low turns into high on both axes (as in the reports).
    size : (float, float), default=(12, 8)
        Figure size in inches.
    fmt : {"svg", "png"}, default="svg"
    title : str, default=None
        Axes title, shown on the left.

    Returns
    -------
    str or bytes
        SVG text (``fmt="svg"``), with ``role="img"``, a ``<title>`` holding
        the alt text of :func:`aiadopt.plots.alt_text` and the number of
        votes drawn, and ``data-votes`` (that number); PNG bytes (``fmt="png"``).

    Examples
    --------
    >>> import pandas as pd
    >>> room = pd.DataFrame({"use_case_id": ["UC-1", "UC-2"], "title": ["Triage", "Chatbot"],
    ...                      "votes": [4, 2], "impact": [4.25, float("nan")],
    ...                      "effort": [1.5, float("nan")], "impact_sd": [0.5, float("nan")],
    ...                      "effort_sd": [0.58, float("nan")], "shown": [True, False]})
    >>> svg = render_matrix(room, size=(6, 4))
    >>> 'data-votes="4"' in svg
    True
    """
    if fmt not in _FORMATS:
        raise ValueError(f"fmt must be one of {_FORMATS}; got {fmt!r}")
    rows = shown_results(results)
    votes = int(pd.to_numeric(rows["votes"], errors="coerce").fillna(0).sum())
    with _RENDER_LOCK, mpl.rc_context(_DETERMINISTIC_RC):
        fig = matrix_figure(results, lang=lang, spread=spread, split=split, size=size, title=title)
        try:
            buffer = io.BytesIO()
            if fmt == "png":
                fig.savefig(buffer, format="png", metadata={"Software": None})
                return buffer.getvalue()
            fig.savefig(buffer, format="svg", metadata=_NO_SVG_METADATA)
        finally:
            fig.clear()
    description = " ".join(
        (
            alt_text("impact_effort", rows, lang, split=split),
            label("workshop_export.votes_drawn", lang, n=Formatter(lang).count(votes)),
        )
    )
    return _label_svg(buffer.getvalue().decode("utf-8"), description, votes)


def matrix_figure(
    results: pd.DataFrame,
    *,
    lang: str = "en",
    spread: bool = False,
    split: float = DEFAULT_SPLIT,
    size: tuple[float, float] = (12, 8),
    title: str | None = None,
) -> Figure:
    """The figure :func:`render_matrix` saves: a :class:`~matplotlib.figure.Figure`
    of its own (not pyplot's), with an Agg canvas; the caller owns it.

    Parameters are those of :func:`render_matrix`. The matrix is its one
    Axes; the spread bars are the collections with ``gid``
    ``"spread-impact"`` (vertical) and ``"spread-effort"`` (horizontal).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}; got {lang!r}")
    rows = shown_results(results)
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)  # a renderer for the label layout, without pyplot
    ax = fig.add_subplot()
    plot_impact_effort(
        rows[["use_case_id", "title", "impact", "effort"]],
        ax=ax,
        hue="quadrant",
        split=split,
        lang=lang,
        title=title,
    )
    if spread and len(rows):
        _spread(ax, rows)
    return fig


def _spread(ax, rows: pd.DataFrame) -> None:
    """±1 SD bars behind the points, centred on the means."""
    xerr = np.nan_to_num(rows["effort_sd"].to_numpy(dtype="float64"), nan=0.0)
    yerr = np.nan_to_num(rows["impact_sd"].to_numpy(dtype="float64"), nan=0.0)
    bars = ax.errorbar(
        rows["effort"].to_numpy(dtype="float64"),
        rows["impact"].to_numpy(dtype="float64"),
        xerr=xerr,
        yerr=yerr,
        fmt="none",
        ecolor=_SPREAD_COLOR,
        elinewidth=1.5,
        capsize=0,
        zorder=2,  # under the points (3), over the split lines (1)
    )
    # matplotlib adds the xerr bars first, then the yerr bars (both are given).
    for bar, axis in zip(bars.lines[2], ("effort", "impact"), strict=True):
        bar.set_gid(f"{SPREAD_GID}-{axis}")


def _label_svg(svg: str, description: str, votes: int) -> str:
    """Add ``role="img"``, ``data-votes`` and a ``<title>`` to the ``<svg>`` element."""
    match = _SVG_OPEN.search(svg)
    if match is None:  # pragma: no cover - matplotlib always writes one
        raise RuntimeError("matplotlib wrote no <svg> element")
    tag = match.group(0)
    opened = tag[:-1].rstrip("/") + f' role="img" data-votes={quoteattr(str(votes))}>'
    return (
        svg[: match.start()]
        + opened
        + f"\n <title>{escape(description)}</title>"
        + svg[match.end() :]
    )


def inline_svg(svg: str) -> str:
    """An SVG document as an element for inline use in HTML: without the XML
    declaration, the DOCTYPE (which names a DTD on w3.org) and ``xmlns``
    declarations (HTML's parser puts ``<svg>`` in its namespace itself).

    Examples
    --------
    >>> inline_svg('<?xml version="1.0"?>\\n<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>')
    '<svg><g/></svg>'
    """
    body = _XML_PROLOG.sub("", svg, count=1)
    end = body.find(">")
    return _XMLNS.sub("", body[:end]) + body[end:]
