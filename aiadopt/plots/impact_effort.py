"""The impact-effort matrix of the use-case portfolio (docs/metrics.md §3, seed 002)."""

from __future__ import annotations

import math

import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.transforms import Bbox

from ..dataset import Dataset
from ..labels import LANGUAGES, label
from ..present.formats import Formatter
from ..prioritisation import (
    DEFAULT_SPLIT,
    QUADRANTS,
    compute_priorities,
    quadrant_of,
)
from ..schema import GOALS, STATUSES
from ._style import NEUTRAL, PRIMARY, artist_kwargs, literal_text, resolve_palette, shorten

__all__ = [
    "HUES",
    "LABEL_ALL_UP_TO",
    "DEFAULT_TOP_N",
    "MINIMAL_COLUMNS",
    "describe_impact_effort",
    "plot_impact_effort",
]

#: Hue columns with a fixed category order, shared palette and translated names.
HUES: dict[str, tuple[str, ...]] = {"goal": GOALS, "status": STATUSES, "quadrant": QUADRANTS}
#: The least a frame needs to be drawn (e.g. a workshop's mean scores).
MINIMAL_COLUMNS: tuple[str, ...] = ("use_case_id", "title", "impact", "effort")
#: Up to this many points, every point is labelled.
LABEL_ALL_UP_TO: int = 40
#: Above :data:`LABEL_ALL_UP_TO` points, the top this-many by priority are labelled.
DEFAULT_TOP_N: int = 25

#: Axis limits: the 1–5 scale with a margin that holds the quadrant names.
_LIM = (0.4, 5.6)
#: Marker area (pt²) at 0 and at ``size_norm``; area is linear in the amount.
_S_MIN, _S_MAX = 30.0, 700.0
_S_CONST = 90.0
#: Radius (data units) of the ring on which identical points are spread.
_RING = 0.08
_GID_POINTS = "use_cases"
_GID_LABEL = "use_case_label"
_GID_QUADRANT = "quadrant_name"
_GID_NOTE = "top_n_note"
_GID_CONNECTOR = "label_connector"
_TOL = 1e-9
#: adjustText settings. A fixed number of iterations (not a time limit)
#: keeps the layout reproducible on any machine.
_ADJUST: dict = {
    "avoid_self": False,  # the points themselves are passed as obstacles
    "expand": (1.15, 1.4),
    "force_text": (0.2, 0.4),
    "force_static": (0.15, 0.3),
    "force_pull": (0.01, 0.01),
    "iter_lim": 150,
    "time_lim": None,
}
#: Rounds of adjustText, until no two labels overlap.
_ADJUST_ROUNDS = 4
#: Connector lines only for labels at least this far (pixels) from their point.
_MIN_LINE_PX = 2.0


@literal_text
def plot_impact_effort(
    data: pd.DataFrame | Dataset,
    *,
    ax: Axes | None = None,
    split: float = DEFAULT_SPLIT,
    hue: str | None = None,
    size: str | None = None,
    size_norm: float | None = None,
    palette: str | list | dict | None = None,
    label_top: int | None = None,
    lang: str = "en",
    annotate: bool = True,
    title: str | None = None,
    **kwargs,
) -> Axes:
    """Draw the impact-effort matrix: effort on x, impact on y, one bubble per use case.

    Parameters
    ----------
    data : DataFrame or Dataset
        One of: a minimal frame with the columns ``use_case_id``, ``title``,
        ``impact`` and ``effort`` (1–5; e.g. a workshop's mean scores, no
        other column needed); the output of
        :func:`aiadopt.prioritisation.compute_priorities`; or a use-case
        register / :class:`~aiadopt.dataset.Dataset` (then the priorities
        are computed with ``split``).
    ax : Axes, default=None
        Axes to draw on; ``None`` uses ``plt.gca()`` (which creates one if
        the figure has none).
    split : float, default=3.0
        Where the dashed lines divide low from high; "high" is strictly above
        it. The quadrant of each point is computed with
        :func:`aiadopt.prioritisation.quadrant_of` and this split (the rule of
        the priorities table), so colours and lines always agree.
    hue : str, default=None
        Column that colours the points; ``None``: one colour. ``"quadrant"``
        is always available. ``goal``, ``status`` and ``quadrant`` use the
        suite's palette, their legend order and translated names; any other
        column of ``data`` is shown as written.
    size : str, default=None
        Numeric column that sizes the points (area proportional to the value;
        missing values get the smallest size), e.g. ``"investment_eur"``.
        ``None``: all points one size.
    size_norm : float, default=None
        Value that gets the largest point; default the largest in ``data``.
        Give the same value to compare several charts (e.g. one per department).
    palette : str, list or dict, default=None
        Colours of the ``hue`` categories, as seaborn reads ``palette``: a
        palette name, a list of colours (in legend order) or a dict
        category -> colour (:func:`aiadopt.plots.resolve_palette`). Without
        ``hue``, its first colour colours every point.
    label_top : int, default=None
        Label only the ``label_top`` use cases with the highest priority
        score (ties: lower effort, then use_case_id; without a
        ``priority_score`` column: highest impact, then lower effort). ``None``
        labels all points when there are at most 40, otherwise the top 25.
        When not all points are labelled, a note above the chart says so.
    lang : {"en", "nl"}, default="en"
        Language of the quadrant names, axis labels, legends and note.
    annotate : bool, default=True
        Label points with their ``use_case_id`` (cut with "…" beyond 40
        characters, shown literally: ``$`` is not mathtext). Labels are pushed apart
        (adjustText, a fixed number of iterations, up to 4 rounds until no
        two labels overlap) and kept off the bubbles and quadrant names where
        there is room, with thin connector lines to their point.
    title : str, default=None
        Axes title, shown on the left (cut with "…" beyond 40 characters).
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` that draws the
        points (e.g. ``alpha``, ``marker``, ``edgecolors``); they override
        the chart's defaults. ``color`` or ``c`` replaces the hue colours.

    Returns
    -------
    Axes
        The Axes drawn on.

    Notes
    -----
    * Use cases with identical (effort, impact) — common with whole-number
      scores — are spread on a small ring (radius 0.08) around their true
      position, in use_case_id order; no randomness, so the chart is
      reproducible. A point exactly on a split line is only moved towards
      its own (low) side, so it never appears in the wrong quadrant.
    * The legends sit below the axes, inside its layout box: in
      ``plt.subplots(layout="constrained")`` (or with
      ``savefig(bbox_inches="tight")``) they stay in the Axes' own cell.
      Label positions are computed for the figure's current size, so call
      this after the figure is sized (a ``figsize`` of about (9, 7) suits
      a whole organisation).

    Examples
    --------
    A workshop's mean scores, nothing else:

    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> room = pd.DataFrame({"use_case_id": ["UC-1", "UC-2", "UC-3"],
    ...                      "title": ["Invoice triage", "Chatbot", "Forecast"],
    ...                      "impact": [4.2, 2.5, 3.8], "effort": [1.8, 4.1, 4.4]})
    >>> fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
    >>> ax = plot_impact_effort(room, ax=ax, hue="quadrant")
    >>> sorted(t.get_text() for t in ax.get_legend().get_texts())
    ['Major projects', 'Quick wins', 'Thankless tasks']
    >>> plt.close(fig)
    """
    if ax is None:
        ax = plt.gca()
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}; got {lang!r}")
    if label_top is not None and (
        isinstance(label_top, bool) or not isinstance(label_top, int) or label_top < 0
    ):
        raise ValueError(f"label_top must be a whole number >= 0 or None; got {label_top!r}")
    frame = _frame(data, split)
    split = float(split)
    frame["quadrant"] = quadrant_of(frame["impact"], frame["effort"], split=split)
    for what, column in (("hue", hue), ("size", size)):
        if column is not None and column not in frame.columns:
            raise ValueError(
                f"{what} column {column!r} is not in the data; columns: {list(frame.columns)}"
            )

    x, y = _spread_duplicates(frame, split)
    sizes, norm = _sizes(frame, size, size_norm)
    if hue is None:
        keys: list[str] = []
        one = PRIMARY if palette is None else resolve_palette(palette, ["all"])["all"]
        colors = [one] * len(frame)
        pal = {}
    else:
        keys = _categories(frame[hue], hue)
        pal = resolve_palette(palette, keys, hue if hue in HUES else None)
        colors = [pal.get(str(v), NEUTRAL) for v in frame[hue]]

    _draw_matrix(ax, split, lang)
    if len(frame):
        order = np.argsort(-sizes, kind="stable")  # big bubbles first, small on top
        style = {
            "s": sizes[order],
            "alpha": 0.8,
            "edgecolors": "white",
            "linewidths": 0.8,
            "zorder": 3,
        }
        if not ({"c", "color"} & set(kwargs)):
            style["c"] = [colors[i] for i in order]
        points = ax.scatter(x[order], y[order], **artist_kwargs(style, kwargs))
        points.set_gid(_GID_POINTS)
        _legends(ax, keys, pal, hue, size, norm, lang)

    if title:
        ax.set_title(shorten(title), loc="left")
    if annotate and len(frame):
        n_label = _n_labelled(len(frame), label_top)
        if n_label < len(frame):
            ax.text(
                1.0,
                1.01,
                label("text.top_n_labelled", lang, n=n_label),
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=8,
                style="italic",
                color="0.35",
                gid=_GID_NOTE,
            )
        chosen = _top(frame, n_label)
        _label_points(ax, frame, x, y, sizes, chosen)
    return ax


def describe_impact_effort(
    data: pd.DataFrame | Dataset, lang: str = "en", *, split: float = DEFAULT_SPLIT, **_ignored
) -> str:
    """Alt text of :func:`plot_impact_effort`: what the chart shows, in one
    or two sentences with the key figures (how many use cases in each quadrant).

    Parameters
    ----------
    data : DataFrame or Dataset
        As for :func:`plot_impact_effort`.
    lang : {"en", "nl"}, default="en"
    split : float, default=3.0
        As for :func:`plot_impact_effort`; other keyword arguments of the
        plot function are accepted and ignored, so the same keywords can be passed.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> room = pd.DataFrame({"use_case_id": ["UC-1", "UC-2"], "title": ["a", "b"],
    ...                      "impact": [4.2, 2.5], "effort": [1.8, 4.1]})
    >>> describe_impact_effort(room)
    'Impact-effort matrix of 2 use cases: 1 quick win, 0 major projects, 0 fill-ins, 1 thankless task.'
    """
    frame = _frame(data, split)
    counts = pd.Series(
        quadrant_of(frame["impact"], frame["effort"], split=float(split))
    ).value_counts()
    parts = {
        q: label(f"alt.n_{q}", lang, n=Formatter(lang).count(int(counts.get(q, 0))))
        for q in QUADRANTS
    }
    return label("alt.impact_effort", lang, n=Formatter(lang).count(len(frame)), **parts)


# --- helpers ---------------------------------------------------------------


def _frame(data, split) -> pd.DataFrame:
    """The rows to draw: priorities as given, a register's priorities, or a minimal frame."""
    if isinstance(data, Dataset):
        return compute_priorities(data, split=split)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a DataFrame or a Dataset; got {type(data).__name__}")
    if "priority_score" not in data.columns and {"feasibility", "urgency", "department"} <= set(
        data.columns
    ):
        return compute_priorities(data, split=split)  # a use-case register
    missing = [c for c in MINIMAL_COLUMNS if c not in data.columns]
    if missing:
        raise ValueError(
            f"data lacks column(s) {missing}; the impact-effort matrix needs at least "
            f"{list(MINIMAL_COLUMNS)} (or pass a use-case register or compute_priorities() output)"
        )
    frame = data.reset_index(drop=True).copy()
    problems = []
    for col in ("impact", "effort"):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = frame.index[values.isna() | ~np.isfinite(values.astype("float64"))]
        if len(bad):
            ids = [str(frame.loc[i, "use_case_id"]) for i in bad[:10]]
            example = frame.loc[bad[0], col]
            problems.append(f"{col} is not a number for use_case_id {ids} (e.g. {example!r})")
        frame[col] = values.astype("float64")
    if problems:
        raise ValueError("data: " + "; ".join(problems) + ". Give every use case numeric scores.")
    return frame


def _categories(values: pd.Series, hue: str) -> list[str]:
    """The hue categories present, in legend order."""
    present = set(map(str, values.dropna()))
    known = HUES.get(hue, ())
    return [c for c in known if c in present] + sorted(present - set(known))


def _spread_duplicates(frame: pd.DataFrame, split: float) -> tuple[np.ndarray, np.ndarray]:
    """Point positions, with identical points spread on a small ring."""
    x = frame["effort"].to_numpy(dtype="float64").copy()
    y = frame["impact"].to_numpy(dtype="float64").copy()
    keys = pd.DataFrame({"x": np.round(x, 9), "y": np.round(y, 9), "id": frame["use_case_id"]})
    for (px, py), group in keys.groupby(["x", "y"], sort=False):
        k = len(group)
        if k < 2:
            continue
        on_x, on_y = abs(px - split) < _TOL, abs(py - split) < _TOL
        # Allowed directions: towards the low side of any split line the point sits on.
        if on_x and on_y:
            start, span = math.pi, math.pi / 2
        elif on_x:
            start, span = math.pi / 2, math.pi
        elif on_y:
            start, span = math.pi, math.pi
        else:
            start, span = math.pi / 2, 2 * math.pi
        if span < 2 * math.pi:
            angles = start + span * (np.arange(k) + 0.5) / k
        else:
            angles = start + span * np.arange(k) / k
        radius = _RING * math.sqrt(max(1.0, k / 6))
        idx = group.sort_values("id").index.to_numpy()
        x[idx] = px + radius * np.cos(angles)
        y[idx] = py + radius * np.sin(angles)
    return x, y


def _sizes(frame: pd.DataFrame, size: str | None, size_norm) -> tuple[np.ndarray, float]:
    if size is None or not len(frame):
        return np.full(len(frame), _S_CONST), 0.0
    values = pd.to_numeric(frame[size]).to_numpy(dtype="float64")
    norm = float(size_norm) if size_norm is not None else float(np.nanmax(values, initial=0.0))
    if size_norm is not None and not (math.isfinite(norm) and norm > 0):
        raise ValueError(f"size_norm must be a positive number; got {size_norm!r}")
    return _area(values, norm), norm


def _area(values, norm: float) -> np.ndarray:
    values = np.asarray(values, dtype="float64")
    if norm <= 0:
        return np.full(values.shape, _S_MIN)
    frac = np.clip(np.nan_to_num(values, nan=0.0) / norm, 0.0, 1.0)
    return _S_MIN + (_S_MAX - _S_MIN) * frac


def _category_label(hue: str, value: str, lang: str) -> str:
    """A category's words: from the catalogue for goal, status and quadrant."""
    if hue in HUES:
        try:
            return label(f"{hue}.{value}", lang)
        except KeyError:
            pass
    return shorten(value)


def _draw_matrix(ax: Axes, split: float, lang: str) -> None:
    ax.set_xlim(*_LIM)
    ax.set_ylim(*_LIM)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_xlabel(label("text.effort", lang))
    ax.set_ylabel(label("text.impact", lang))
    ax.axvline(split, color="0.55", linestyle="--", linewidth=1, zorder=1)
    ax.axhline(split, color="0.55", linestyle="--", linewidth=1, zorder=1)
    ax.set_axisbelow(True)
    corners = {
        "quick_wins": (0.012, 0.988, "left", "top"),
        "major_projects": (0.988, 0.988, "right", "top"),
        "fill_ins": (0.012, 0.012, "left", "bottom"),
        "thankless_tasks": (0.988, 0.012, "right", "bottom"),
    }
    for quadrant, (qx, qy, ha, va) in corners.items():
        ax.text(
            qx,
            qy,
            label(f"quadrant.{quadrant}", lang),
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=11,
            fontweight="bold",
            color="0.4",
            zorder=2,
            gid=_GID_QUADRANT,
        )


def _nice_amounts(norm: float) -> list[float]:
    """Two or three round amounts (one significant digit) up to ``norm``."""
    out: list[float] = []
    for frac in (1.0, 0.2, 0.04):
        v = norm * frac
        if v <= 0:
            continue
        mag = 10 ** math.floor(math.log10(v))
        nice = math.floor(v / mag) * mag
        if nice > 0 and nice not in out:
            out.append(nice)
    return sorted(out)


def _legends(
    ax: Axes, keys: list[str], pal: dict[str, str], hue: str | None, size, norm: float, lang: str
) -> None:
    """The hue legend and the size legend, side by side under the x-axis
    label, where constrained layout makes room for them in the Axes' cell."""
    below = {"frameon": False, "fontsize": "small", "title_fontsize": "small", "borderaxespad": 3.6}
    legends = []
    if keys:
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=8,
                markerfacecolor=pal.get(c, NEUTRAL),
                markeredgecolor="white",
                alpha=0.8,
                label=_category_label(hue, c, lang),
            )
            for c in keys
        ]
        title = label(f"text.{hue}", lang) if hue in HUES else shorten(hue)
        legends.append(
            ax.legend(
                handles=handles,
                title=title,
                loc="upper left",
                bbox_to_anchor=(0.0, 0.0),
                ncol=min(len(handles), 3),
                alignment="left",
                **below,
            )
        )
    if size is not None and norm > 0:
        fmt = Formatter(lang)
        size_handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=math.sqrt(float(_area(a, norm))),
                markerfacecolor="0.8",
                markeredgecolor="0.5",
                label=fmt.count(a),
            )
            for a in _nice_amounts(norm)
        ]
        title = label("text.investment", lang) if size == "investment_eur" else shorten(size)
        if legends:
            ax.add_artist(legends[0])
            # add_artist clips to the Axes, which hides the legend from
            # constrained layout; a legend is never clipped anyway.
            legends[0].set_clip_on(False)
        ax.legend(
            handles=size_handles,
            title=title,
            loc="upper right",
            bbox_to_anchor=(1.0, 0.0),
            ncol=len(size_handles),
            columnspacing=1.4,
            handletextpad=0.8,
            alignment="right",
            **below,
        )


def _n_labelled(n: int, label_top: int | None) -> int:
    if label_top is not None:
        return min(label_top, n)
    return n if n <= LABEL_ALL_UP_TO else DEFAULT_TOP_N


def _top(frame: pd.DataFrame, n: int) -> np.ndarray:
    """Positions of the ``n`` use cases with the highest priority score
    (without one: the highest impact, then the lowest effort)."""
    if "priority_score" in frame.columns:
        score = frame["priority_score"].astype("float64").round(9).to_numpy()
    else:
        score = frame["impact"].astype("float64").round(9).to_numpy()
    order = (
        pd.DataFrame(
            {
                "score": score,
                "effort": frame["effort"].to_numpy(),
                "id": frame["use_case_id"].astype(str).to_numpy(),
            }
        )
        .sort_values(["score", "effort", "id"], ascending=[False, True, True], kind="mergesort")
        .index.to_numpy()
    )
    return np.sort(order[:n])


def _label_points(ax, frame, x, y, sizes, chosen) -> None:
    if not len(chosen):
        return
    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout before measuring
    halo = [path_effects.withStroke(linewidth=2.5, foreground="white")]
    texts = [
        ax.text(
            x[i],
            y[i],
            shorten(frame["use_case_id"].iloc[i]),
            fontsize=7.5,
            color="0.1",
            ha="center",
            va="center",
            zorder=5,
            gid=_GID_LABEL,
            path_effects=halo,
        )
        for i in chosen
    ]
    # Obstacles in data coordinates: every bubble and the quadrant names.
    to_data = ax.transData.inverted()
    px_per_pt = fig.dpi / 72.0
    centres = ax.transData.transform(np.column_stack([x, y]))
    radii = np.sqrt(sizes) / 2.0 * px_per_pt
    obstacles = [
        Bbox(to_data.transform([[cx - r, cy - r], [cx + r, cy + r]]))
        for (cx, cy), r in zip(centres, radii, strict=True)
    ]
    renderer = fig.canvas.get_renderer()
    for t in ax.texts:
        if t.get_gid() == _GID_QUADRANT:
            obstacles.append(t.get_window_extent(renderer).transformed(to_data))
    from adjustText import adjust_text  # lazy: it imports scipy.spatial

    targets = np.column_stack([x[chosen], y[chosen]])
    for _ in range(_ADJUST_ROUNDS):
        adjust_text(
            texts,
            x=x,
            y=y,
            objects=obstacles,
            target_x=targets[:, 0],
            target_y=targets[:, 1],
            ax=ax,
            **_ADJUST,
        )
        if not _any_overlap([t.get_window_extent(renderer) for t in texts]):
            break
    _connect(ax, texts, targets)


def _any_overlap(boxes: list[Bbox]) -> bool:
    """Whether any two of the display-space boxes intersect."""
    if len(boxes) < 2:
        return False
    b = np.array([[bb.x0, bb.x1, bb.y0, bb.y1] for bb in boxes])
    dx = np.minimum(b[:, None, 1], b[None, :, 1]) - np.maximum(b[:, None, 0], b[None, :, 0])
    dy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 2], b[None, :, 2])
    hit = (dx > 0) & (dy > 0)
    np.fill_diagonal(hit, False)
    return bool(hit.any())


class _LabelBox:
    """A label as the connector's ``patchA``: the line is clipped where it
    leaves the label's box, as with the Text itself, but the box is measured
    once per position instead of at every step of matplotlib's bisection
    (``Text.contains`` lays the text out again each time: most of the chart's
    drawing time). The box follows the label if the figure is resized."""

    def __init__(self, text) -> None:
        self.text = text
        self._key: tuple | None = None
        self._box: Bbox | None = None

    def contains(self, event) -> tuple[bool, dict]:
        text = self.text
        if not text.get_visible() or text.figure is None:
            return False, {}
        key = (
            tuple(text.get_transform().transform(text.get_position())),
            text.figure.dpi,
            text.get_text(),
        )
        if key != self._key:
            self._key, self._box = key, text.get_window_extent()
        box = self._box
        return bool(box.x0 <= event.x <= box.x1 and box.y0 <= event.y <= box.y1), {}


def _connect(ax: Axes, texts: list, targets: np.ndarray) -> None:
    """Thin lines from each label that moved away from its point."""
    target_xy = ax.transData.transform(targets)
    renderer = ax.figure.canvas.get_renderer()
    for text, (tx, ty), target in zip(texts, target_xy, targets, strict=True):
        box = text.get_window_extent(renderer)
        # gap between the label's box and its point, in pixels
        gap = max(box.x0 - tx, tx - box.x1, box.y0 - ty, ty - box.y1)
        if gap < _MIN_LINE_PX:
            continue
        ax.add_patch(
            FancyArrowPatch(
                posA=text.get_position(),
                posB=tuple(target),
                patchA=_LabelBox(text),
                arrowstyle="-",
                color="0.45",
                linewidth=0.5,
                shrinkA=1,
                shrinkB=2,
                zorder=4,
                gid=_GID_CONNECTOR,
            )
        )
