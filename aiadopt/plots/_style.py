"""What every chart shares: colours (a category has one colour everywhere),
the title style, and how names from the data are shown.

Names are text, never markup: every aiadopt chart shows its texts
literally (no mathtext, no TeX), so a team called ``Sales_$x_1_2$`` is drawn
as written (:func:`literal_text`), and names longer than
:data:`MAX_LABEL_CHARS` characters are cut with an ellipsis
(:func:`shorten`); tables show them in full.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.text import Text

from ..schema import COMPETENCIES, CULTURE_TRAITS, GOALS, PILLARS, SKILL_LEVELS, STATUSES

__all__ = [
    "PALETTES",
    "color",
    "palette",
    "resolve_palette",
    "titled",
    "NEUTRAL",
    "PRIMARY",
    "HIGHLIGHT",
    "SUPPRESSED",
    "MAX_LABEL_CHARS",
    "shorten",
    "plain_text",
    "literal_text",
]

#: The longest name (in characters) a chart shows; longer ones end in "…".
MAX_LABEL_CHARS = 40
#: Text is shown as written: no mathtext (``$...$``), no LaTeX.
_LITERAL_RC = {"text.parse_math": False, "text.usetex": False}

_A = TypeVar("_A", bound=Artist)
_F = TypeVar("_F", bound=Callable)

#: seaborn's "colorblind" palette (10 colours), written out so that drawing a
#: chart does not import seaborn (and, through it, scipy.stats): a report
#: kernel starts faster and smaller. tests/test_plots_style.py checks these
#: against ``seaborn.color_palette`` itself.
COLORBLIND = (
    "#0173b2",
    "#de8f05",
    "#029e73",
    "#d55e00",
    "#cc78bc",
    "#ca9161",
    "#fbafe4",
    "#949494",
    "#ece133",
    "#56b4e9",
)
#: ``seaborn.color_palette("crest", 5)``, the phases' sequential colours.
CREST_5 = ("#76b791", "#509e90", "#33858d", "#1d6c8a", "#234f81")
_cb = list(COLORBLIND)

NEUTRAL = "#8c8c8c"
#: The colour of a chart with one colour (no hue).
PRIMARY = _cb[0]
HIGHLIGHT = _cb[3]
SUPPRESSED = "#d9d9d9"

PALETTES: dict[str, dict[str, str]] = {
    "goal": dict(zip(GOALS, (_cb[2], _cb[0], _cb[4]), strict=True)),
    "status": dict(zip(STATUSES, (NEUTRAL, _cb[1], _cb[2], _cb[0], _cb[3]), strict=True)),
    "quadrant": {
        "quick_wins": _cb[2],
        "major_projects": _cb[0],
        "fill_ins": _cb[7],
        "thankless_tasks": _cb[3],
    },
    "competency": dict(zip(COMPETENCIES, _cb[:7], strict=True)),
    "culture": dict(zip(CULTURE_TRAITS, _cb[:5], strict=True)),
    "pillar": dict(zip(PILLARS, _cb[5:9], strict=True)),
    "phase": dict(zip(("1", "2", "3", "4", "5"), CREST_5, strict=True)),
    "skill": dict(zip(SKILL_LEVELS, (_cb[0], _cb[1], _cb[2]), strict=True)),
}


def palette(group: str) -> dict[str, str]:
    """Key -> hex colour for a group (``goal``, ``status``, ``quadrant``, ...)."""
    try:
        return dict(PALETTES[group])
    except KeyError:
        raise KeyError(f"no palette {group!r}; expected one of {sorted(PALETTES)}") from None


def resolve_palette(palette, keys, group: str | None = None) -> dict[str, str]:
    """Key -> colour for ``keys``, from a chart's ``palette=`` argument
    (the way seaborn reads ``palette``).

    Parameters
    ----------
    palette : str, sequence of colours, dict or None
        ``None``: the suite's palette of ``group`` (:data:`PALETTES`; a key
        it lacks is grey), or seaborn's default colours without a group.
        A str: a seaborn / matplotlib palette name (``"deep"``, ``"Set2"``,
        ``"crest"``...) spread over ``keys`` in order. A list: colours
        assigned to ``keys`` in order, repeated when shorter. A dict:
        key -> colour; keys it lacks keep the group's colour.
    keys : iterable
        The categories the chart draws, in order (converted with ``str``).
    group : str, optional
        The suite palette used by default (``"goal"``, ``"competency"``, ...).

    Returns
    -------
    dict of str to str
        Key -> hex colour.

    Raises
    ------
    ValueError
        For an unknown palette name or a colour matplotlib cannot read.

    Examples
    --------
    >>> resolve_palette(["red", "blue"], ["a", "b", "c"])
    {'a': '#ff0000', 'b': '#0000ff', 'c': '#ff0000'}
    >>> resolve_palette({"b": "black"}, ["a", "b"], "goal")["b"]
    '#000000'
    """
    keys = [str(k) for k in keys]
    base = dict(PALETTES.get(group, {})) if group else {}
    if palette is None:
        if group:
            return {k: base.get(k, NEUTRAL) for k in keys}
        import seaborn as sns  # only here: a user's palette choice

        colours = sns.color_palette(n_colors=max(len(keys), 1)).as_hex()
        return dict(zip(keys, colours, strict=False))
    if isinstance(palette, dict):
        given = {str(k): v for k, v in palette.items()}
        out = {k: given.get(k, base.get(k, NEUTRAL)) for k in keys}
    elif isinstance(palette, str):
        import seaborn as sns

        try:
            colours = sns.color_palette(palette, n_colors=max(len(keys), 1)).as_hex()
        except ValueError:
            raise ValueError(
                f"palette {palette!r} is not a seaborn or matplotlib palette name; "
                "give a name such as 'deep' or 'Set2', a list of colours or a dict"
            ) from None
        out = dict(zip(keys, colours, strict=False))
    else:
        colours = list(palette)
        if not colours:
            raise ValueError("palette is an empty list; give at least one colour")
        out = {k: colours[i % len(colours)] for i, k in enumerate(keys)}
    bad = [f"{k}: {v!r}" for k, v in out.items() if not mpl.colors.is_color_like(v)]
    if bad:
        raise ValueError(
            f"palette: not colours: {', '.join(bad)}; use names ('red') or hex ('#1f77b4')"
        )
    return {k: mpl.colors.to_hex(v) for k, v in out.items()}


def artist_kwargs(defaults: dict, kwargs: dict) -> dict:
    """The keyword arguments of a chart's main artists: ``defaults``
    updated with the caller's ``**kwargs`` (the caller wins)."""
    return {**defaults, **kwargs}


def color(group: str, key) -> str:
    return PALETTES[group].get(str(key), NEUTRAL)


def titled(
    ax, title: str, note: str | None = None, *, fontsize="small", pad: float | None = None
) -> None:
    """Bold left-aligned title with an optional grey subtitle under it (the
    same look for every chart of the suite)."""
    lines = note.count("\n") + 1 if note else 0
    # A long title breaks at the figure's edge instead of leaving it (wrap),
    # growing upwards (va="bottom"), away from the note under it.
    ax.set_title(
        title,
        loc="left",
        fontweight="bold",
        pad=pad if pad is not None else 6 + 12 * lines,
        wrap=True,
        va="bottom",
    )
    if note:
        ax.annotate(
            note,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 4),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=fontsize,
            color="0.3",
            clip_on=False,  # so constrained layout makes room for it
        )


def shorten(name, width: int = MAX_LABEL_CHARS) -> str:
    """``name`` as one line of at most ``width`` characters, cut with "…".

    Line breaks and runs of spaces become one space. Use it for every name
    from the data that a chart shows (units, use-case ids, titles); tables
    show the full name.

    Parameters
    ----------
    name : object
        Converted with ``str``.
    width : int, default=MAX_LABEL_CHARS
        At least 2.

    Examples
    --------
    >>> shorten("Customer service and complaints handling team", 20)
    'Customer service an…'
    >>> shorten("Sales")
    'Sales'
    """
    if width < 2:
        raise ValueError(f"width must be at least 2; got {width!r}")
    text = " ".join(str(name).split())
    if len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "\u2026"


def plain_text(artist: _A) -> _A:
    """Make every text of ``artist`` (an Axes or a Figure, with its titles,
    tick labels, legends and annotations) literal: ``$`` is a dollar sign,
    not mathtext, whatever ``rcParams`` say when the figure is drawn.
    Returns ``artist``."""
    for text in artist.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    return artist


def literal_text(func: _F) -> _F:
    """Decorator for ``plot_x(data, *, ax=None, ...) -> Axes`` functions:
    the chart's texts are literal (:func:`plain_text`), both those the
    function creates and the Axes' own title, labels and ticks, and also
    while the function measures its layout. ``rcParams`` are left as they
    were."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if kwargs.get("ax") is None:
            kwargs["ax"] = plt.gca()
        plain_text(kwargs["ax"])
        with mpl.rc_context(_LITERAL_RC):
            ax = func(*args, **kwargs)
        return plain_text(ax)

    return wrapper  # type: ignore[return-value]
