"""The impact-effort matrix of the use-case portfolio (docs/metrics.md §3, seed 002)."""

from __future__ import annotations

import math

import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from adjustText import adjust_text
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.transforms import Bbox

from ..dataset import Dataset
from ..labels import LANGUAGES, label
from ..prioritisation import (
    DEFAULT_SPLIT,
    QUADRANT_KEYS,
    QUADRANTS,
    compute_priorities,
    quadrant_of,
)
from ..schema import GOALS, STATUSES
from ._style import NEUTRAL, literal_text, palette, shorten

__all__ = [
    "HUES",
    "LABEL_ALL_UP_TO",
    "DEFAULT_TOP_N",
    "plot_impact_effort",
]

#: Accepted values of ``hue`` -> the categories in legend order.
HUES: dict[str, tuple[str, ...]] = {"goal": GOALS, "status": STATUSES, "quadrant": QUADRANTS}
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
    hue: str = "goal",
    size: str | None = "investment_eur",
    size_norm: float | None = None,
    label_top: int | None = None,
    lang: str = "en",
    annotate: bool = True,
    title: str | None = None,
) -> Axes:
    """Draw the impact-effort matrix: effort on x, impact on y, one bubble per use case.

    Parameters
    ----------
    data : DataFrame or Dataset
        The output of :func:`aiadopt.prioritisation.compute_priorities`, or a
        use-case register / :class:`~aiadopt.dataset.Dataset` (then the
        priorities are computed with ``split``).
    ax : Axes, default=None
        Axes to draw on; ``None`` uses ``plt.gca()``.
    split : float, default=3.0
        Where the dashed lines divide low from high; "high" is strictly above
        it. Quadrants (for ``hue="quadrant"``) are recomputed with this split,
        so colours and lines always agree.
    hue : {"goal", "status", "quadrant"}, default="goal"
        Column that colours the points, with the shared palette
        (:func:`aiadopt.plots.palette`).
    size : str or None, default="investment_eur"
        Numeric column that sizes the points (area proportional to the value;
        missing values get the smallest size). ``None``: all points one size.
    size_norm : float, default=None
        Value that gets the largest point; default the largest in ``data``.
        Give the same value to compare several charts (e.g. one per department).
    label_top : int, default=None
        Label only the ``label_top`` use cases with the highest priority
        score (ties: lower effort, then use_case_id). ``None`` labels all
        points when there are at most 40, otherwise the top 25. When not all
        points are labelled, a note above the chart says so.
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
      Points also have white edges and some transparency.
    * The legends sit to the right of the axes; use
      ``plt.subplots(layout="constrained")`` or ``savefig(bbox_inches="tight")``
      to keep them in the figure. Label positions are computed for the
      figure's current size, so call this after the figure is sized (a
      ``figsize`` of about (9, 7) suits a whole organisation).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import aiadopt
    >>> from aiadopt.plots.impact_effort import plot_impact_effort
    >>> fig, ax = plt.subplots(figsize=(9, 7), layout="constrained")  # doctest: +SKIP
    >>> plot_impact_effort(aiadopt.load("data/sample"), ax=ax, lang="nl")  # doctest: +SKIP
    """
    if ax is None:
        ax = plt.gca()
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}; got {lang!r}")
    if hue not in HUES:
        raise ValueError(f"hue must be one of {tuple(HUES)}; got {hue!r}")
    if label_top is not None and (
        isinstance(label_top, bool) or not isinstance(label_top, int) or label_top < 0
    ):
        raise ValueError(f"label_top must be a whole number >= 0 or None; got {label_top!r}")
    frame = _priorities(data, split)
    split = float(split)
    if size is not None and size not in frame.columns:
        raise ValueError(f"size column {size!r} is not in the data; columns: {list(frame.columns)}")
    frame["quadrant"] = quadrant_of(frame["impact"], frame["effort"], split=split)

    x, y = _spread_duplicates(frame, split)
    sizes, norm = _sizes(frame, size, size_norm)
    colors = _colors(frame[hue], hue)

    _draw_matrix(ax, split, lang)
    if len(frame):
        order = np.argsort(-sizes, kind="stable")  # big bubbles first, small on top
        points = ax.scatter(
            x[order],
            y[order],
            s=sizes[order],
            c=[colors[i] for i in order],
            alpha=0.8,
            edgecolors="white",
            linewidths=0.8,
            zorder=3,
        )
        points.set_gid(_GID_POINTS)
        _legends(ax, frame[hue], hue, size, norm, lang)

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


# --- helpers ---------------------------------------------------------------


def _priorities(data, split) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame) and {"priority_score", "quadrant"} <= set(data.columns):
        needed = ("use_case_id", "impact", "effort", "priority_score", "goal", "status")
        missing = [c for c in needed if c not in data.columns]
        if missing:
            raise ValueError(f"data lacks column(s) {missing}; pass compute_priorities() output")
        return data.reset_index(drop=True).copy()
    return compute_priorities(data, split=split)


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


def _colors(values: pd.Series, hue: str) -> list[str]:
    pal = palette(hue)
    return [pal.get(str(v), NEUTRAL) for v in values]


def _category_label(hue: str, value: str, lang: str) -> str:
    key = QUADRANT_KEYS.get(value, value) if hue == "quadrant" else value
    try:
        return label(f"{hue}.{key}", lang)
    except KeyError:
        return str(value)


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
        "Quick wins": (0.012, 0.988, "left", "top"),
        "Major projects": (0.988, 0.988, "right", "top"),
        "Fill-ins": (0.012, 0.012, "left", "bottom"),
        "Thankless tasks": (0.988, 0.012, "right", "bottom"),
    }
    for quadrant, (qx, qy, ha, va) in corners.items():
        ax.text(
            qx,
            qy,
            label(f"quadrant.{QUADRANT_KEYS[quadrant]}", lang),
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


def _money(value: float, lang: str) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "nl" else text


def _legends(ax: Axes, values: pd.Series, hue: str, size, norm: float, lang: str) -> None:
    present = set(map(str, values.dropna()))
    order = [c for c in HUES[hue] if c in present] + sorted(present - set(HUES[hue]))
    pal = palette(hue)
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=9,
            markerfacecolor=pal.get(c, NEUTRAL),
            markeredgecolor="white",
            alpha=0.8,
            label=_category_label(hue, c, lang),
        )
        for c in order
    ]
    first = ax.legend(
        handles=handles,
        title=label(f"text.{hue}", lang),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
        alignment="left",
    )
    if size is None or norm <= 0:
        return
    ax.add_artist(first)
    amounts = _nice_amounts(norm)
    size_handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=math.sqrt(float(_area(a, norm))),
            markerfacecolor="0.8",
            markeredgecolor="0.5",
            label=_money(a, lang),
        )
        for a in amounts
    ]
    title = label("text.investment", lang) if size == "investment_eur" else size
    ax.legend(
        handles=size_handles,
        title=title,
        loc="lower left",
        bbox_to_anchor=(1.02, 0.0),
        frameon=False,
        labelspacing=1.6,
        borderpad=0.8,
        handletextpad=1.2,
        alignment="left",
    )


def _n_labelled(n: int, label_top: int | None) -> int:
    if label_top is not None:
        return min(label_top, n)
    return n if n <= LABEL_ALL_UP_TO else DEFAULT_TOP_N


def _top(frame: pd.DataFrame, n: int) -> np.ndarray:
    """Positions of the ``n`` use cases with the highest priority score."""
    order = (
        pd.DataFrame(
            {
                "score": frame["priority_score"].round(9).to_numpy(),
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
                patchA=text,
                arrowstyle="-",
                color="0.45",
                linewidth=0.5,
                shrinkA=1,
                shrinkB=2,
                zorder=4,
                gid=_GID_CONNECTOR,
            )
        )
